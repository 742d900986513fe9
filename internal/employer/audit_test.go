package employer

import (
	"strings"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestChangesAreAudited checks that each change leaves its audit entry and
// that no entry holds a clear phone number, bank account or password.
func TestChangesAreAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		in := validInput(90)
		app := mustSubmit(t, s, nil, in)
		ap := mustApprove(t, s, app)
		act := employerActor(ap.Employer)
		cr, err := s.RequestChange(ctxBg, act, ap.Employer.ID, map[string]string{"contact_phone": "13912345678", "bank_account": "9558801234567890"}, "换人")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApproveChange(ctxBg, clerk1, cr.ID, cr.Version); err != nil {
			t.Fatal(err)
		}
		rows, err := d.R.Query(`SELECT action, before_json || after_json || note FROM audit_log ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		seen := map[string]bool{}
		for rows.Next() {
			var action, text string
			if err := rows.Scan(&action, &text); err != nil {
				t.Fatal(err)
			}
			seen[action] = true
			for _, secret := range []string{in.ContactPhone, "13912345678", in.BankAccount, "9558801234567890", ap.InitialPassword} {
				if secret != "" && strings.Contains(text, secret) {
					t.Errorf("%s entry holds %q in clear: %s", action, secret, text)
				}
			}
			if action == "employer.application.approve" && !strings.Contains(text, "电话/短信") {
				t.Errorf("approve entry lacks the delivery note: %s", text)
			}
		}
		for _, a := range []string{"employer.application.submit", "employer.application.approve", "employer.create",
			"employer.change.request", "employer.change.approve"} {
			if !seen[a] {
				t.Errorf("no audit entry %s (have %v)", a, seen)
			}
		}
	})
}
