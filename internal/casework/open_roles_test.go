package casework_test

import (
	"context"
	"testing"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// TestHospitalWebUserOpensNoCase: a hospital's web user is refused
// (forbidden) before its input is read, whatever it posts; an employer
// posting the same empty input is told what to fill in.
func TestHospitalWebUserOpensNoCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10 09:00")
		ctx := context.Background()
		hosp := &access.Actor{UserID: 40, Username: "yiyuan", Role: access.RoleHospital, HospitalID: 41}
		for _, in := range []casework.OpenInput{{}, {Type: "test_pension", Channel: "web", Title: "退休申报"}} {
			_, err := e.svc.Open(ctx, hosp, in)
			wantKind(t, err, errs.Forbidden)
		}
		emp := &access.Actor{UserID: 42, Username: "emp", Role: access.RoleEmployer, EmployerID: 7}
		_, err := e.svc.Open(ctx, emp, casework.OpenInput{})
		wantKind(t, err, errs.Invalid)
		_, err = e.svc.Open(ctx, nil, casework.OpenInput{})
		if ee := errs.As(err); ee == nil || ee.Code != "login_required" {
			t.Errorf("anonymous: %v", err)
		}
	})
}
