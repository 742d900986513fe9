package app_test

// calcRouteCases: the public calculators answer everyone, logged in or
// not, as pages and as JSON (an empty body is past authorization: 422).
func calcRouteCases() []routeCase {
	return []routeCase{
		{method: "GET", path: "/calc", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/calc/pension", want: with(page(), all(allowed)...)},
		{method: "POST", path: "/api/v1/calc/pension", json: map[string]string{}, want: with(api(), all(allowed)...)},
	}
}
