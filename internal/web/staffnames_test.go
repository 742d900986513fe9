package web_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestPagesNameStaffNotLogins: the payout list and line (经办, 审核), the
// batch list (生成人), the audit list and an audit record (操作人) name
// the clerks by their names, never by their logins, and the audit record
// shows no internal user number. The batch's printed approval sheet names
// its 生成人 the same way.
func TestPagesNameStaffNotLogins(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		line, b := approvedPensionBatch(t, env)
		var seq int64
		if err := env.App.DB.R.QueryRow(`SELECT seq FROM audit_log WHERE action = 'payout.prepare'`).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		welfareName, fundName := access.Welfare.Name()+"经办人", access.Fund.Name()+"经办人"
		fc := env.LoginAs(t, apptest.Staff(access.Fund))
		ac := env.LoginAs(t, apptest.Staff(access.Audit))
		pages := []struct {
			c    *apptest.Client
			path string
			want []string
		}{
			{fc, "/staff/payouts", []string{welfareName}},
			{fc, "/staff/payouts/" + strconv.FormatInt(line.ID, 10), []string{"经办</dt><dd>" + welfareName, "审核 " + fundName}},
			{fc, "/staff/payout-batches", []string{fundName}},
			{ac, "/staff/audit", []string{welfareName, fundName}},
			{ac, "/staff/audit/" + strconv.FormatInt(seq, 10), []string{welfareName}},
		}
		for _, p := range pages {
			body := p.c.Get(t, p.path).WantStatus(t, 200).WantBody(t, p.want...).Body
			for _, not := range []string{"staff-", "用户编号"} {
				if strings.Contains(body, not) {
					t.Errorf("%s shows %q", p.path, not)
				}
			}
		}
		if text, ok := pdfText(t, fc.Get(t, "/staff/payout-batches/"+strconv.FormatInt(b.ID, 10)+"/print.pdf")); ok {
			if !strings.Contains(text, "生成人"+fundName) || strings.Contains(text, "staff-") {
				t.Errorf("the batch sheet does not name its 生成人 %s:\n%s", fundName, text)
			}
		}
	})
}

// pdfText is the text of a PDF answer without blanks (ok false when the
// CJK font or pdftotext is missing and SHEBAO_TEST_PDF is not set).
func pdfText(t *testing.T, r *apptest.Response) (string, bool) {
	t.Helper()
	_, lookErr := exec.LookPath("pdftotext")
	if (r.Status == http.StatusServiceUnavailable || lookErr != nil) && os.Getenv("SHEBAO_TEST_PDF") == "" {
		t.Log("CJK font or pdftotext missing: PDF text not checked")
		return "", false
	}
	r.WantStatus(t, http.StatusOK)
	f := filepath.Join(t.TempDir(), "d.pdf")
	if err := os.WriteFile(f, []byte(r.Body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), ""), true
}
