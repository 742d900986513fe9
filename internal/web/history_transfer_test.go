package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// The person's contribution history lists the years brought over by a
// merged transfer in, with the old agency, in 元 with separators.
func TestPersonHistoryShowsTransferredYears(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	a := env.User(t, apptest.PersonA)
	w := env.App.DB.W
	var id int64
	if err := w.QueryRow(`INSERT INTO transfers (transfer_no, direction, person_id, other_agency, status, step_started_on,
		step_due_on, created_at, updated_at) VALUES ('ZR-9', 'in', $1, '河北省石家庄市社会保险事业管理局', 'merged', '2024-01-02',
		'2024-01-23', $2, $2) RETURNING id`, a.PersonID, env.Clock.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`INSERT INTO transfer_years (transfer_id, year, months, wages_fen, account_fen)
		VALUES ($1, 2016, 10, 6543210, 523456)`, id); err != nil {
		t.Fatal(err)
	}
	r := env.LoginAs(t, apptest.PersonA).Get(t, "/person/history").WantStatus(t, http.StatusOK)
	if dir := os.Getenv("SHEBAO_SHOTS"); dir != "" { // the page as served, to look at in a browser
		css, _ := os.ReadFile("static/site.css")
		os.WriteFile(filepath.Join(dir, "history.html"), []byte(strings.Replace(r.Body, "</head>", "<style>"+string(css)+"</style></head>", 1)), 0o644)
	}
	r.WantBody(t, "由外地转入的缴费年度", "转入（河北省石家庄市社会保险事业管理局）", "65,432.10", "5,234.56", "<td>2016</td>")
}
