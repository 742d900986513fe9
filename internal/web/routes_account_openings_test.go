package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/personalaccount"
)

// TestOpeningImportPageAllOrNothing walks the opening-balance import end
// to end: a file with one bad row is refused whole with the row named and
// nothing written; the corrected file is applied once; the person sees
// the opening on the portal's account by year.
func TestOpeningImportPageAllOrNothing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		pid := env.User(t, apptest.PersonA).PersonID
		var idNumber, name string
		if err := env.App.DB.W.QueryRow(`SELECT id_number, name FROM persons WHERE id = $1`, pid).Scan(&idNumber, &name); err != nil {
			t.Fatal(err)
		}
		head := "公民身份号码,姓名,截至年度,年末账户余额（元）\n"
		good := idNumber + "," + name + ",2022,\"12,345.67\"\n"
		bad := "110105197001010000,查无此人,2022,100.00\n"
		clerk := env.LoginAs(t, apptest.Staff(access.Account))
		postFile(t, clerk, "/staff/accounts/openings", "期初.csv", []byte(head+good+bad), true).
			WantStatus(t, http.StatusUnprocessableEntity).
			WantBody(t, "未写入任何数据", "<td>3</td>", "公民身份号码不正确")
		balance := func() int64 {
			b, err := personalaccount.BalanceAt(context.Background(), env.App.DB.Read(), pid, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			return int64(b)
		}
		if b := balance(); b != 0 {
			t.Fatalf("a refused file wrote %d", b)
		}
		postFile(t, clerk, "/staff/accounts/openings", "期初.csv", []byte(head+good), true).WantStatus(t, http.StatusOK)
		if b := balance(); b != 1234567 {
			t.Fatalf("opening after the import = %d", b)
		}
		if r := postFile(t, clerk, "/staff/accounts/openings", "期初.csv", []byte(head+good), true); r.Status == http.StatusOK {
			t.Fatal("the same file was applied twice")
		}
		if b := balance(); b != 1234567 {
			t.Fatalf("opening after a second upload = %d", b)
		}
		env.LoginAs(t, apptest.PersonA).Get(t, "/person/account").WantStatus(t, http.StatusOK).WantBody(t, "2022", "12,345.67")
	})
}
