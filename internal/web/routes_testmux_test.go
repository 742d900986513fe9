package web

import "net/http"

// testMux registers some areas' route tables on a bare mux, for tests of
// one area without the middleware chain.
func testMux(areas ...[]route) *http.ServeMux {
	mux := http.NewServeMux()
	for _, area := range areas {
		for _, rt := range area {
			mux.HandleFunc(rt.pattern, rt.handler)
		}
	}
	return mux
}
