package app_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/complaint"
)

// TestReportedEmployerNeverSeesTheReporter: a person reports employer A
// on the web; 审计科 sees who, the 统筹科 clerk who investigates does not,
// and employer A can open neither the complaint nor find it in its own
// list; the reporter's ID number and name appear on no page but 审计科's.
func TestReportedEmployerNeverSeesTheReporter(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		person := env.User(t, apptest.PersonA)
		emp := env.User(t, apptest.EmployerA)
		var empNo string
		if err := env.App.DB.Read().QueryRowContext(context.Background(), `SELECT employer_no FROM employers WHERE id = $1`, emp.EmployerID).Scan(&empNo); err != nil {
			t.Fatal(err)
		}
		pc := env.LoginAs(t, apptest.PersonA)
		res := pc.PostForm(t, "/my/complaints/new", url.Values{"category": {"unregistered"}, "subject": {"单位未给我参保"},
			"target_employer": {empNo}, "body": {"入职半年，单位一直没有为我办理参保登记。"}})
		res.WantRedirect(t, "/my/complaints/")
		id := strings.TrimPrefix(res.Location(), "/my/complaints/")
		cid, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			t.Fatalf("redirect %q", res.Location())
		}
		pc.Get(t, "/my/complaints").WantStatus(t, 200).WantBody(t, "单位未给我参保")

		audit := env.LoginAs(t, apptest.Staff(access.Audit))
		audit.Get(t, "/staff/complaints/"+id).WantStatus(t, 200).WantBody(t, "参保人（实名登录）")
		v, err := env.App.Complaints.Detail(context.Background(), env.Actor(t, apptest.Staff(access.Audit)), cid)
		if err != nil || v.Complaint.ReporterUserID != person.ID {
			t.Fatalf("audit detail %v %+v", err, v)
		}
		if _, err := env.App.Complaints.Act(context.Background(), env.Actor(t, apptest.Staff(access.Audit)), cid,
			complaint.Action{Kind: "accept", Version: v.Complaint.Version, Section: access.Coordination}); err != nil {
			t.Fatal(err)
		}

		coord := env.LoginAs(t, apptest.Staff(access.Coordination))
		for _, path := range []string{"/staff/complaints", "/staff/complaints/" + id} {
			body := coord.Get(t, path).WantStatus(t, 200).Body
			if !strings.Contains(body, "单位未给我参保") {
				t.Fatalf("%s does not show the complaint", path)
			}
			for _, secret := range []string{person.Username, "张伟", "参保人（实名登录）"} {
				if strings.Contains(body, secret) {
					t.Errorf("统筹科 page %s shows the reporter (%q)", path, secret)
				}
			}
		}

		ec := env.LoginAs(t, apptest.EmployerA)
		ec.Get(t, "/staff/complaints/"+id).WantStatus(t, 403)
		ec.Get(t, "/my/complaints/"+id).WantStatus(t, 404)
		if body := ec.Get(t, "/my/complaints").WantStatus(t, 200).Body; strings.Contains(body, "单位未给我参保") {
			t.Error("the reported employer's own list shows the complaint")
		}
		for _, path := range []string{"/employer", "/my/complaints"} {
			if body := ec.Get(t, path).Body; strings.Contains(body, person.Username) || strings.Contains(body, "张伟") {
				t.Errorf("employer page %s shows the reporter", path)
			}
		}
	})
}
