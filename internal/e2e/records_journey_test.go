package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// TestRecordsJourney: a 统筹科 clerk imports a person's contributions from
// before Shebao (a CSV from the old system): a file with a wrong row is
// refused whole with the row and column named, the corrected one is
// imported; the person then sees those months in the same history as the
// assessed ones, marked 历史导入, an unpaid month marked 未到账.
func TestRecordsJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	person := env.User(t, apptest.PersonA)
	var idn, name string
	if err := env.App.DB.R.QueryRow(`SELECT id_number, name FROM persons WHERE id = $1`, person.PersonID).Scan(&idn, &name); err != nil {
		t.Fatal(err)
	}
	header := "公民身份号码,姓名,费款所属期,险种,缴费类型,缴费单位名称,单位社保编号,缴费基数（元）,单位缴费（元）,个人缴费（元）,是否到账\n"
	good := header + idn + "," + name + ",2002-03,养老,单位,北京第二机床厂,,1200.00,240.00,72.00,是\n" +
		idn + "," + name + ",2002-04,养老,单位,北京第二机床厂,,1200.00,240.00,72.00,否\n"
	bad := good + idn + "," + name + ",2002-05,养老,单位,北京第二机床厂,,0,240.00,72.00,是\n"
	dir := t.TempDir()
	write := func(n, s string) string {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	clerk := env.User(t, apptest.Staff(access.Coordination))
	login(t, ctx, base, clerk.Username, clerk.Password)
	upload := func(path string) string {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/staff"),
			chromedp.Click(chromedp.CSS(`a[href="/staff/contribution-records"]`)),
			chromedp.WaitVisible(chromedp.CSS("#record-template")),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path}),
			chromedp.Click(chromedp.CSS("#submit-records")),
			chromedp.WaitVisible(chromedp.CSS("#record-result")),
		)
		if err != nil {
			t.Fatalf("upload %s: %v\n%s", path, err, text(t, ctx))
		}
		return text(t, ctx)
	}
	if page := upload(write("错误.csv", bad)); !strings.Contains(page, "导入未成功：共 1 处错误") ||
		!strings.Contains(textOf(t, ctx, "#import-report"), "4\tH 列（缴费基数（元））\t缴费基数必须大于 0") {
		t.Fatalf("bad file:\n%s", page)
	}
	if page := upload(write("历史.csv", good)); !strings.Contains(page, "导入成功：2 条历史缴费记录，1 名参保人") {
		t.Fatalf("good file:\n%s", page)
	}
	signOut(t, ctx)
	login(t, ctx, base, person.Username, person.Password)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/person/history"), chromedp.WaitVisible(chromedp.CSS("main table"))); err != nil {
		t.Fatalf("history: %v\n%s", err, text(t, ctx))
	}
	rows := textOf(t, ctx, "main table tbody")
	if strings.Count(rows, "历史导入") != 2 || !strings.Contains(rows, "北京第二机床厂") || !strings.Contains(rows, "未到账") ||
		!strings.Contains(rows, "1,200.00") {
		t.Fatalf("history rows:\n%s", rows)
	}
}
