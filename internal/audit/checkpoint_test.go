package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// newAnchor returns an anchor with a fresh key and checkpoint folder.
func newAnchor(t *testing.T) *Anchor {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return NewAnchor(priv, filepath.Join(t.TempDir(), "checkpoints"))
}

// writeSteps records n entries, a minute apart.
func writeSteps(t *testing.T, s *Service, d *db.DB, c interface{ Advance(time.Duration) }, n int) {
	t.Helper()
	for i := range n {
		record(t, s, d, clerk, Entry{Action: "test.step", Entity: "x", EntityID: "1", After: map[string]int{"n": i}})
		c.Advance(time.Minute)
	}
}

// truncateTail deletes every row after keep and sets the head back to row
// keep, as an intruder with full database rights would: on PostgreSQL a
// superuser bypasses the append-only triggers with session_replication_role,
// on SQLite the trigger is dropped and put back afterwards.
func truncateTail(t *testing.T, d *db.DB, keep int64) {
	t.Helper()
	ctx := context.Background()
	conn, err := d.W.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stmts := []string{
		`DROP TRIGGER audit_log_no_delete`,
		`DELETE FROM audit_log WHERE seq > $1`,
		`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`,
	}
	if d.Dialect == db.Postgres {
		stmts = []string{
			`SET session_replication_role = replica`,
			`DELETE FROM audit_log WHERE seq > $1`,
			`RESET session_replication_role`,
		}
	}
	for _, q := range stmts {
		var args []any
		if strings.Contains(q, "$1") {
			args = []any{keep}
		}
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := conn.ExecContext(ctx, `UPDATE audit_head SET seq = $1,
		last_hash = (SELECT hash FROM audit_log WHERE seq = $1) WHERE id = 1`, keep); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil || int64(n) != keep {
		t.Fatalf("after truncation %d rows (%v), want %d", n, err, keep)
	}
}

func mustCheckpoint(t *testing.T, s *Service) Checkpoint {
	t.Helper()
	cp, _, err := s.Checkpoint(context.Background())
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	return cp
}

func TestCheckpointRevealsTruncatedTail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newService(d)
		writeSteps(t, s, d, c, 5)
		s = NewAnchored(d, c, newAnchor(t))
		cp := mustCheckpoint(t, s)
		if cp.Seq != 5 || len(cp.Hash) != 64 || cp.File == "" {
			t.Fatalf("checkpoint = %+v, want seq 5", cp)
		}
		// The checkpoint itself is audited (row 6), then work goes on.
		writeSteps(t, s, d, c, 1)
		if res := mustVerify(t, s); !res.OK() || res.HeadSeq != 7 || res.Anchor.Checkpoints != 1 || res.Anchor.Latest.Seq != 5 {
			t.Fatalf("verify before the attack = %+v", res)
		}

		truncateTail(t, d, 3)

		// Without the anchor the shortened chain looks whole: this is the gap.
		anchor := s.Anchor()
		s = NewAnchored(d, c, nil)
		if res := mustVerify(t, s); !res.OK() || res.Anchor.Configured || !strings.Contains(res.Anchor.Warning, "截断链尾") {
			t.Fatalf("verify without a key = %+v, want OK with the warning that truncation is not detectable", res)
		}
		s = NewAnchored(d, c, anchor)
		res := mustVerify(t, s)
		if res.OK() || res.FirstBad != 4 || res.Checked != 3 ||
			!strings.Contains(res.Reason, "链尾被截断：第 4 条至第 5 条记录缺失") {
			t.Fatalf("verify = %+v, want the missing tail 4–5 reported", res)
		}
		// A broken chain is never signed.
		if _, _, err := s.Checkpoint(context.Background()); err == nil {
			t.Fatal("checkpoint of a truncated chain was signed")
		}
	})
}

func TestCheckpointRevealsRewrittenTail(t *testing.T) {
	// The intruder removes rows 4–5 and appends new ones, so the chain is
	// as long as before: the row at the checkpoint's seq no longer matches.
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newService(d)
		writeSteps(t, s, d, c, 5)
		s = NewAnchored(d, c, newAnchor(t))
		mustCheckpoint(t, s)
		truncateTail(t, d, 3)
		writeSteps(t, s, d, c, 4)
		res := mustVerify(t, s)
		if res.OK() || res.FirstBad != 5 || !strings.Contains(res.Reason, "第 5 条记录的哈希与") {
			t.Fatalf("verify = %+v, want row 5 not matching its checkpoint", res)
		}
	})
}

func TestCheckpointTamperingIsReported(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newService(d)
		writeSteps(t, s, d, c, 3)
		a := newAnchor(t)
		s = NewAnchored(d, c, a)
		cp := mustCheckpoint(t, s)
		path := filepath.Join(a.Dir(), cp.File)

		// Raising the signed seq, to make a later truncation look older.
		var forged Checkpoint
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &forged); err != nil {
			t.Fatal(err)
		}
		forged.Seq = 2
		body, _ := json.Marshal(forged)
		if err := os.WriteFile(path, body, 0o640); err != nil {
			t.Fatal(err)
		}
		// And one signed with another key.
		other := newAnchor(t)
		other.dir = a.Dir()
		if _, err := other.write(signWith(other, Checkpoint{Seq: 1, Hash: cp.Hash, At: t0})); err != nil {
			t.Fatal(err)
		}
		res := mustVerify(t, s)
		if res.OK() || res.FirstBad != 0 || len(res.Anchor.Invalid) != 2 || res.Anchor.Checkpoints != 0 {
			t.Fatalf("verify = %+v, want two invalid checkpoints and the chain itself fine", res)
		}
		for _, why := range res.Anchor.Invalid {
			if !strings.Contains(why, "签名无效") || !strings.Contains(why, "checkpoint-") {
				t.Errorf("invalid checkpoint reported as %q", why)
			}
		}
	})
}

func signWith(a *Anchor, cp Checkpoint) Checkpoint {
	cp.Signature = encodeSig(ed25519.Sign(a.priv, cp.signedBytes()))
	return cp
}

func TestCheckpointOfUnchangedHeadIsNotRepeated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newService(d)
		writeSteps(t, s, d, c, 2)
		a := newAnchor(t)
		s = NewAnchored(d, c, a)
		first := mustCheckpoint(t, s)
		second := mustCheckpoint(t, s) // head moved by the first one's audit entry
		third, res, err := s.Checkpoint(context.Background())
		if err != nil || second.Seq != first.Seq+1 || third.Seq != second.Seq+1 || res.Anchor.Checkpoints != 2 {
			t.Fatalf("checkpoints %d, %d, %d (%v), res %+v", first.Seq, second.Seq, third.Seq, err, res)
		}
		// Without a key nothing can be signed.
		s = NewAnchored(d, c, nil)
		if _, _, err := s.Checkpoint(context.Background()); err == nil {
			t.Fatal("checkpoint without a key succeeded")
		}
	})
}

func TestGenerateAndLoadKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "audit.pem")
	if err := GenerateKey(path); err != nil {
		t.Fatal(err)
	}
	if err := GenerateKey(path); err == nil || !strings.Contains(err.Error(), "不会覆盖") {
		t.Fatalf("second GenerateKey = %v, want a refusal to overwrite", err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v), want 0600", st.Mode(), err)
	}
	signer, err := LoadAnchor(path, filepath.Join(dir, "cp"))
	if err != nil || !signer.CanSign() {
		t.Fatalf("load private key: %v", err)
	}
	checker, err := LoadAnchor(path+".pub", filepath.Join(dir, "cp"))
	if err != nil || checker.CanSign() {
		t.Fatalf("load public key: %v (can sign %v)", err, checker != nil && checker.CanSign())
	}
	cp := signWith(signer, Checkpoint{Seq: 9, Hash: strings.Repeat("a", 64), At: t0})
	if _, err := signer.write(cp); err != nil {
		t.Fatal(err)
	}
	good, bad, err := checker.load()
	if err != nil || len(good) != 1 || len(bad) != 0 || good[0].Seq != 9 {
		t.Fatalf("public key check: %v %v %v", good, bad, err)
	}
	if _, err := LoadAnchor(filepath.Join(dir, "missing.pem"), dir); err == nil {
		t.Fatal("missing key file accepted")
	}
}
