package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app"
	"shebao/internal/audit"
)

// TestAuditCommandsRevealTruncatedTail runs keygen, checkpoint and verify
// as an operator would, deletes the newest audit rows as an intruder with
// database rights would, and expects verify to name the missing rows.
func TestAuditCommandsRevealTruncatedTail(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := filepath.Join(dir, "keys", "audit.pem")
	if err := runAudit(ctx, []string{"keygen", "--audit-key", key}); err != nil {
		t.Fatal(err)
	}
	if err := runAudit(ctx, []string{"keygen", "--audit-key", key}); err == nil {
		t.Fatal("keygen overwrote an existing key")
	}
	a, err := app.Open(ctx, app.Config{DataDir: dir, AuditKey: key, LogOut: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for range 4 {
		if err := a.Audit.Record(ctx, a.DB.W, access.System, audit.Entry{Action: "test.step", Entity: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	var head int64 // the head the checkpoint signs
	if err := a.DB.W.QueryRow(`SELECT seq FROM audit_head`).Scan(&head); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := auditVerify(ctx, a, true, &out); err != nil || !strings.Contains(out.String(), "已签发检查点") {
		t.Fatalf("checkpoint: %v\n%s", err, out.String())
	}
	for _, q := range []string{
		`DROP TRIGGER audit_log_no_delete`,
		`DELETE FROM audit_log WHERE seq > 2`,
		`UPDATE audit_head SET seq = 2, last_hash = (SELECT hash FROM audit_log WHERE seq = 2)`,
	} {
		if _, err := a.DB.W.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	out.Reset()
	err = auditVerify(ctx, a, false, &out)
	want := "链尾被截断：第 3 条至第 " + strconv.FormatInt(head, 10) + " 条记录缺失"
	if err == nil || !strings.Contains(out.String(), want) {
		t.Fatalf("verify after truncation: %v\n%s\nwant %q", err, out.String(), want)
	}
	if _, err := os.Stat(key + ".pub"); err != nil {
		t.Errorf("public key not written: %v", err)
	}
}

// TestAuditVerifyWithoutKeySaysWhatIsMissing: without a key the command
// warns that a truncated tail cannot be detected and says how to set one up.
func TestAuditVerifyWithoutKeySaysWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), LogOut: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var out bytes.Buffer
	if err := auditVerify(ctx, a, false, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"截断链尾", "本校验无法发现", "shebao audit keygen", "--audit-key"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := auditVerify(ctx, a, true, &out); err == nil {
		t.Error("checkpoint without a key succeeded")
	}
}

// TestDemoGeneratesAuditKey: serve --demo works out of the box with a key
// in its data folder, created once and then reused.
func TestDemoGeneratesAuditKey(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	p, err := demoAuditKey(dir, &out)
	if err != nil || p != filepath.Join(dir, "audit-key.pem") || !strings.Contains(out.String(), "演示用审计签名密钥") {
		t.Fatalf("demo key %q: %v\n%s", p, err, out.String())
	}
	before, _ := os.ReadFile(p)
	if p2, err := demoAuditKey(dir, &out); err != nil || p2 != p {
		t.Fatalf("second call: %q %v", p2, err)
	}
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Fatal("demo key replaced on restart: old checkpoints would no longer verify")
	}
	if _, err := audit.LoadAnchor(p, filepath.Join(dir, "audit-checkpoints")); err != nil {
		t.Fatal(err)
	}
}
