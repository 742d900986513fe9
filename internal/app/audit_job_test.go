package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/audit"
)

// TestAuditJobSignsCheckpointsAndCatchesTruncation: the daily job signs a
// checkpoint into the configured folder, and after the newest rows are
// deleted (head set back) the next run fails naming the missing rows.
func TestAuditJobSignsCheckpointsAndCatchesTruncation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := filepath.Join(dir, "audit.pem")
	if err := audit.GenerateKey(key); err != nil {
		t.Fatal(err)
	}
	cpDir := filepath.Join(dir, "cp")
	a, err := Open(ctx, Config{DataDir: filepath.Join(dir, "data"), AuditKey: key, AuditCheckpoints: cpDir, LogOut: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for range 3 {
		if err := a.Audit.Record(ctx, a.DB.W, access.System, audit.Entry{Action: "test.step", Entity: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := a.verifyAudit(ctx)
	if err != nil || !strings.Contains(res, "checkpoint-") {
		t.Fatalf("job = %q, %v", res, err)
	}
	files, _ := os.ReadDir(cpDir)
	if len(files) != 1 {
		t.Fatalf("%d checkpoint files, want 1", len(files))
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log WHERE seq > 1`,
		`UPDATE audit_head SET seq = 1, last_hash = (SELECT hash FROM audit_log WHERE seq = 1)`} {
		if _, err := a.DB.W.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := a.verifyAudit(ctx); err == nil || !strings.Contains(err.Error(), "链尾被截断：第 2 条") {
		t.Fatalf("job after truncation: %v", err)
	}
	if files, _ := os.ReadDir(cpDir); len(files) != 1 {
		t.Fatalf("a truncated chain was checkpointed (%d files)", len(files))
	}
}

func TestOpenRefusesUnreadableAuditKey(t *testing.T) {
	_, err := Open(context.Background(), Config{DataDir: t.TempDir(), AuditKey: filepath.Join(t.TempDir(), "none.pem"), LogOut: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "审计签名密钥") {
		t.Fatalf("Open = %v, want the missing key named", err)
	}
}
