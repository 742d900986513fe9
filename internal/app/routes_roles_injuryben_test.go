package app_test

import (
	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// injuryBenefitRouteCases: the work-injury benefit line. Hospitals (API
// keys) settle and file continued-treatment forms and read their own;
// 工伤保险待遇科 reads all; the bureau (not in the walked roles) or a clerk
// records recognitions.
func injuryBenefitRouteCases() []routeCase {
	injuryStaff := staffOf(access.Injury)
	hospitalAndSection := append([]string{apptest.APIHospital}, injuryStaff...)
	empty := map[string]string{}
	return []routeCase{
		{method: "POST", path: "/api/v1/injury/recognitions", json: empty, want: api(injuryStaff...)},
		{method: "POST", path: "/api/v1/injury/settlements", json: empty, want: api(apptest.APIHospital)},
		{method: "GET", path: "/api/v1/injury/settlements", want: api(hospitalAndSection...)},
		{method: "GET", path: "/api/v1/injury/settlements/JS000000000000", want: notFoundFor(api(hospitalAndSection...))},
		{method: "POST", path: "/api/v1/injury/continued-treatments", json: empty, want: api(apptest.APIHospital)},
		{method: "GET", path: "/api/v1/injury/continued-treatments", want: api(hospitalAndSection...)},
		{method: "GET", path: "/api/v1/injury/payouts", want: api(hospitalAndSection...)},
	}
}
