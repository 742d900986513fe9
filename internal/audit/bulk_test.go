package audit

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

func bulkEntries(from, n int) []Entry {
	out := make([]Entry, n)
	for i := range out {
		k := from + i
		out[i] = Entry{Action: "payout.approve", Entity: "payout_line", EntityID: fmt.Sprint(1000 + k),
			Before: map[string]any{"status": "prepared", "n": k}, After: map[string]any{"status": "approved", "n": k},
			Note: fmt.Sprintf("第%d行", k)}
	}
	return out
}

func recordMany(t *testing.T, s *Service, d *db.DB, es []Entry) {
	t.Helper()
	if err := d.WithTx(context.Background(), func(tx *sql.Tx) error {
		return s.RecordMany(context.Background(), tx, clerk, es)
	}); err != nil {
		t.Fatalf("record many: %v", err)
	}
}

func allRows(t *testing.T, d *db.DB) []Record {
	t.Helper()
	rows, err := d.W.Query(`SELECT ` + columns + ` FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// Entries appended in batches are stored exactly as the same entries
// appended one by one at the same time: same seq, prev_hash and hash, and
// the chain verifies with the same head.
func TestRecordManyEqualsOneByOne(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, single *db.DB) {
		bulk := dbtest.Open(t, single.Dialect)
		s1, _ := newService(single)
		s2, _ := newService(bulk)
		es := bulkEntries(0, 1203)
		for _, e := range es {
			record(t, s1, single, clerk, e)
		}
		// batches of several sizes, one of a single entry, one empty
		recordMany(t, s2, bulk, es[:1])
		recordMany(t, s2, bulk, nil)
		recordMany(t, s2, bulk, es[1:700])
		record(t, s2, bulk, clerk, es[700])
		recordMany(t, s2, bulk, es[701:])
		a, b := allRows(t, single), allRows(t, bulk)
		if len(a) != len(es) || !reflect.DeepEqual(a, b) {
			t.Fatalf("one by one %d rows, bulk %d rows; differ: %v", len(a), len(b), !reflect.DeepEqual(a, b))
		}
		v1, v2 := mustVerify(t, s1), mustVerify(t, s2)
		if !v2.OK() || v2.Checked != int64(len(es)) || v2.HeadSeq != int64(len(es)) || v1.HeadHash != v2.HeadHash {
			t.Fatalf("verify one by one %+v, bulk %+v", v1, v2)
		}
	})
}

// A later single Record continues the chain of a batch.
func TestRecordManyThenRecord(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newService(d)
		record(t, s, d, clerk, Entry{Action: "a.one", Entity: "x", EntityID: "1"})
		c.Advance(time.Minute)
		recordMany(t, s, d, bulkEntries(0, 50))
		c.Advance(time.Minute)
		record(t, s, d, clerk, Entry{Action: "a.two", Entity: "x", EntityID: "2"})
		if res := mustVerify(t, s); !res.OK() || res.Checked != 52 {
			t.Fatalf("verify = %+v", res)
		}
		rows := allRows(t, d)
		if !rows[1].At.Equal(t0.Add(time.Minute).Truncate(time.Microsecond)) || rows[51].PrevHash != rows[50].Hash {
			t.Fatalf("batch time %v, last prev %s", rows[1].At, rows[51].PrevHash)
		}
	})
}

// A row changed inside a bulk-appended batch is found, rehashed or not.
func TestRecordManyTamperDetected(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func(t *testing.T, d *db.DB)
		wantBad int64
		reason  string
	}{
		{"note changed", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET note = 'nothing happened' WHERE seq = 40`)
		}, 40, "本条记录被改动"},
		{"changed and rehashed", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET after_json = '{"status":"rejected"}' WHERE seq = 40`)
			rehash(t, d, 40)
		}, 41, "第 40 条被改动"},
		{"row deleted", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 40`)
		}, 40, "缺失"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				s, _ := newService(d)
				recordMany(t, s, d, bulkEntries(0, 100))
				allowTampering(t, d)
				tt.tamper(t, d)
				res := mustVerify(t, s)
				if res.FirstBad != tt.wantBad || !strings.Contains(res.Reason, tt.reason) {
					t.Fatalf("verify = %+v, want first bad %d with reason containing %q", res, tt.wantBad, tt.reason)
				}
			})
		})
	}
}

// A bad entry fails the whole batch: nothing is written and the head stays.
func TestRecordManyRefusesBadEntry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		es := append(bulkEntries(0, 3), Entry{Action: "", Entity: "x"})
		err := d.WithTx(context.Background(), func(tx *sql.Tx) error {
			return s.RecordMany(context.Background(), tx, clerk, es)
		})
		if err == nil {
			t.Fatal("batch with an entry without action was accepted")
		}
		if res := mustVerify(t, s); res.HeadSeq != 0 || len(allRows(t, d)) != 0 {
			t.Fatalf("verify = %+v", res)
		}
	})
}

// A large batch is encoded in parallel parts: the records are those of
// one-by-one encoding, in order, and a bad entry anywhere fails it.
func TestNewRecordsInPartsEqualsOneByOne(t *testing.T) {
	s := &Service{}
	ctx := context.Background()
	es := bulkEntries(0, 9001)
	got, err := s.newRecords(ctx, clerk, es)
	if err != nil || len(got) != len(es) {
		t.Fatalf("%d records, %v", len(got), err)
	}
	for i, e := range es {
		want, err := s.newRecord(ctx, clerk, e)
		if err != nil || !reflect.DeepEqual(got[i], *want) {
			t.Fatalf("record %d: %+v, want %+v (%v)", i, got[i], want, err)
		}
	}
	es[8000].Action = ""
	if _, err := s.newRecords(ctx, clerk, es); err == nil {
		t.Fatal("a bad entry in the last part was accepted")
	}
}
