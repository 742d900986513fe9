package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/sheet/sheettest"
)

// TestHostileUploadsJourney: in a real browser the employer uploads, on
// the staff import page, a 3 MB workbook whose sheet unpacks to 2 GB of
// empty rows, then an 8 MB file: each time the page says in Chinese what
// is wrong within seconds (the second before the server reads the file).
func TestHostileUploadsJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	boss := env.User(t, apptest.EmployerA)
	login(t, ctx, base, boss.Username, boss.Password)
	dir := t.TempDir()
	bomb := filepath.Join(dir, "人员增减.xlsx")
	big := filepath.Join(dir, "全部人员.xlsx")
	if err := os.WriteFile(bomb, sheettest.EmptyRows(2<<30), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, append([]byte("PK\x03\x04"), make([]byte, 8<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want string }{
		{bomb, "Excel 文件解压后过大"},
		{big, "人员增减 Excel 文件不能超过 5 MB"},
	} {
		start := time.Now()
		err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/employer/staff/import"),
			chromedp.WaitVisible(chromedp.CSS("#submit-import")),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{tc.file}),
			chromedp.Click(chromedp.CSS("#submit-import")),
			chromedp.WaitVisible(chromedp.CSS("main p.error, main p.field-error")),
		)
		if err != nil {
			t.Fatalf("upload %s: %v\n%s", filepath.Base(tc.file), err, text(t, ctx))
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("upload %s answered after %v", filepath.Base(tc.file), d)
		}
		if page := text(t, ctx); !strings.Contains(page, tc.want) {
			t.Errorf("upload %s: page lacks %q:\n%s", filepath.Base(tc.file), tc.want, page)
		}
	}
}
