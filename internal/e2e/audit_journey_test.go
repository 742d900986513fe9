package e2e_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app"
	"shebao/internal/app/apptest"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/e2e"
)

// verifyChain runs the audit section's 校验哈希链 button and returns the
// chain and checkpoint verdicts shown.
func verifyChain(t *testing.T, ctx context.Context, base string) (chain, anchor string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/audit"), chromedp.WaitVisible(chromedp.CSS("#verify-chain")),
		chromedp.Click(chromedp.CSS("#verify-chain")), chromedp.WaitVisible(chromedp.CSS("#anchor-status"))); err != nil {
		t.Fatalf("verify: %v", err)
	}
	return text(t, ctx, "#chain-status"), text(t, ctx, "#anchor-status")
}

// TestAuditTruncationJourney: without a signing key the verify page warns
// that a removed tail cannot be detected; with one, after a checkpoint, an
// intruder deletes the newest audit rows and sets the head back, and the
// page names the missing rows.
func TestAuditTruncationJourney(t *testing.T) {
	ctx := e2e.Browser(t)

	plain := apptest.New(t, db.SQLite)
	login(t, ctx, plain.Server.URL, plain.User(t, apptest.Staff(access.Audit)).Username)
	chain, anchor := verifyChain(t, ctx, plain.Server.URL)
	if !strings.Contains(chain, "哈希链完整") || !strings.Contains(anchor, "未设检查点") || !strings.Contains(anchor, "截断链尾") {
		t.Fatalf("without a key: %q / %q", chain, anchor)
	}
	logout(t, ctx)

	key := filepath.Join(t.TempDir(), "audit.pem")
	if err := audit.GenerateKey(key); err != nil {
		t.Fatal(err)
	}
	env := apptest.NewWith(t, db.SQLite, func(c *app.Config) { c.AuditKey = key })
	cp, _, err := env.App.Audit.Checkpoint(context.Background())
	if err != nil || cp.Seq < 3 {
		t.Fatalf("checkpoint %+v: %v", cp, err)
	}
	base := env.Server.URL
	login(t, ctx, base, env.User(t, apptest.Staff(access.Audit)).Username)
	if chain, anchor := verifyChain(t, ctx, base); !strings.Contains(chain, "哈希链完整") || !strings.Contains(anchor, "已与 1 个签名检查点核对") {
		t.Fatalf("before the attack: %q / %q", chain, anchor)
	}

	keep := cp.Seq - 2
	for _, q := range []string{`DROP TRIGGER audit_log_no_delete`, fmt.Sprintf(`DELETE FROM audit_log WHERE seq > %d`, keep),
		fmt.Sprintf(`UPDATE audit_head SET seq = %d, last_hash = (SELECT hash FROM audit_log WHERE seq = %d)`, keep, keep)} {
		if _, err := env.App.DB.W.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	chain, _ = verifyChain(t, ctx, base)
	want := fmt.Sprintf("链尾被截断：第 %d 条至第 %d 条记录缺失", keep+1, cp.Seq)
	if !strings.Contains(chain, "已被破坏") || !strings.Contains(chain, want) {
		t.Fatalf("after the attack: %q, want %q", chain, want)
	}
}
