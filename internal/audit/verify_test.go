package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// allowTampering removes the append-only guards, as an intruder with
// database rights could.
func allowTampering(t *testing.T, d *db.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if d.Dialect == db.Postgres {
		stmts = []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`}
	}
	for _, q := range stmts {
		if _, err := d.W.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.W.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// rehash recomputes the stored hash of row seq after its content changed,
// as a careful forger would (without fixing the rows after it).
func rehash(t *testing.T, d *db.DB, seq int64) {
	t.Helper()
	r, err := scanRecord(d.W.QueryRow(`SELECT `+columns+` FROM audit_log WHERE seq = $1`, seq))
	if err != nil {
		t.Fatal(err)
	}
	exec(t, d, `UPDATE audit_log SET hash = $1 WHERE seq = $2`, computeHash(&r), seq)
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func(t *testing.T, d *db.DB)
		wantBad int64
		reason  string
	}{
		{"untouched", func(t *testing.T, d *db.DB) {}, 0, ""},
		{"note changed", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET note = 'nothing happened' WHERE seq = 3`)
		}, 3, "本条记录被改动"},
		{"after value changed", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET after_json = '{"n":99}' WHERE seq = 2`)
		}, 2, "本条记录被改动"},
		{"actor changed", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET actor_username = 'someone_else' WHERE seq = 4`)
		}, 4, "本条记录被改动"},
		{"time changed", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET at = $1 WHERE seq = 3`, t0.Add(-24*time.Hour))
		}, 3, "本条记录被改动"},
		{"row deleted", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 3`)
		}, 3, "缺失"},
		{"last row deleted", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 5`)
		}, 5, "缺失"},
		{"deleted and renumbered", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 3`)
			exec(t, d, `UPDATE audit_log SET seq = seq - 1 WHERE seq = 4`)
			exec(t, d, `UPDATE audit_log SET seq = seq - 1 WHERE seq = 5`)
		}, 3, "前一哈希"},
		{"rows swapped", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET seq = -2 WHERE seq = 2`)
			exec(t, d, `UPDATE audit_log SET seq = 2 WHERE seq = 3`)
			exec(t, d, `UPDATE audit_log SET seq = 3 WHERE seq = -2`)
		}, 2, "前一哈希"},
		{"changed and rehashed", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET note = 'forged' WHERE seq = 3`)
			rehash(t, d, 3)
		}, 4, "第 3 条被改动"},
		{"last row changed and rehashed", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET note = 'forged' WHERE seq = 5`)
			rehash(t, d, 5)
		}, 5, "链头哈希"},
		{"first row relinked", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET prev_hash = hash WHERE seq = 1`)
			rehash(t, d, 1)
		}, 1, "链的起点"},
		{"head lost", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_head`)
		}, 1, "链头"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				s, c := newService(d)
				for i := range 5 {
					record(t, s, d, clerk, Entry{Action: "test.step", Entity: "x", EntityID: "1",
						Before: map[string]int{"n": i}, After: map[string]int{"n": i + 1}, Note: "第" + string(rune('一'+i)) + "步"})
					c.Advance(time.Minute)
				}
				allowTampering(t, d)
				tt.tamper(t, d)
				res := mustVerify(t, s)
				if res.FirstBad != tt.wantBad || !strings.Contains(res.Reason, tt.reason) {
					t.Fatalf("verify = %+v, want first bad %d with reason containing %q", res, tt.wantBad, tt.reason)
				}
				if tt.wantBad == 0 && (res.Checked != 5 || res.HeadSeq != 5 || len(res.HeadHash) != 64) {
					t.Fatalf("verify = %+v, want 5 checked", res)
				}
				if tt.wantBad > 0 && res.Checked != tt.wantBad-1 {
					t.Fatalf("checked %d, want %d", res.Checked, tt.wantBad-1)
				}
			})
		})
	}
}

func TestVerifyIgnoresRowsAppendedAfterTheHead(t *testing.T) {
	// A row whose seq is past the head it read belongs to a later walk.
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		record(t, s, d, clerk, Entry{Action: "a.one", Entity: "x", EntityID: "1"})
		record(t, s, d, clerk, Entry{Action: "a.two", Entity: "x", EntityID: "2"})
		exec(t, d, `UPDATE audit_head SET seq = 1, last_hash = (SELECT hash FROM audit_log WHERE seq = 1)`)
		if res := mustVerify(t, s); !res.OK() || res.Checked != 1 || res.HeadSeq != 1 {
			t.Fatalf("verify = %+v", res)
		}
	})
}

func TestVerifyForNeedsAuditSection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		record(t, s, d, clerk, Entry{Action: "a.one", Entity: "x", EntityID: "1"})
		for _, tc := range authCases {
			res, err := s.VerifyFor(context.Background(), tc.actor)
			if checkAuth(t, tc, err) && res.Checked != 1 {
				t.Errorf("%s: verify = %+v", tc.name, res)
			}
		}
	})
}
