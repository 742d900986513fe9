package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

var (
	t0      = time.Date(2024, 2, 10, 1, 2, 3, 123456789, time.UTC) // 09:02 in Shanghai
	clerk   = &access.Actor{UserID: 7, Username: "tongchou01", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	auditor = &access.Actor{UserID: 9, Username: "shenji01", Role: access.RoleStaff, Sections: []access.Section{access.Audit}}
	admin   = &access.Actor{UserID: 1, Username: "admin", Role: access.RoleAdmin}
)

func newService(d *db.DB) (*Service, *clock.Fixed) {
	c := clock.NewFixed(t0)
	return NewService(d, c), c
}

// record appends e in its own transaction, as a service method would.
func record(t *testing.T, s *Service, d *db.DB, a *access.Actor, e Entry) {
	t.Helper()
	if err := d.WithTx(context.Background(), func(tx *sql.Tx) error {
		return s.Record(context.Background(), tx, a, e)
	}); err != nil {
		t.Fatalf("record %s: %v", e.Action, err)
	}
}

func mustVerify(t *testing.T, s *Service) VerifyResult {
	t.Helper()
	res, err := s.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return res
}

type application struct {
	Status  string `json:"status"`
	Channel string `json:"channel"`
	Version int64  `json:"version"`
}

func TestRecordStoresEveryField(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		ctx := WithRequestID(context.Background(), "req-42")
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			return s.Record(ctx, tx, clerk, Entry{
				Action: "employer.register.approve", Entity: "employer_application", EntityID: "15",
				Before: application{Status: "submitted", Channel: "web", Version: 1},
				After:  map[string]any{"status": "approved", "employer_no": "E0001"},
				Note:   "材料齐全，准予登记",
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Get(ctx, auditor, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := Record{
			Seq: 1, At: t0.Truncate(time.Microsecond), ActorID: 7, ActorUsername: "tongchou01", ActorRole: "staff",
			Action: "employer.register.approve", Entity: "employer_application", EntityID: "15",
			Before:    []byte(`{"channel":"web","status":"submitted","version":1}`),
			After:     []byte(`{"employer_no":"E0001","status":"approved"}`),
			Note:      "材料齐全，准予登记",
			RequestID: "req-42", PrevHash: Genesis,
		}
		want.Hash = computeHash(&want)
		if got := fmt.Sprintf("%+v", r); got != fmt.Sprintf("%+v", want) {
			t.Fatalf("stored\n %s\nwant\n %s", got, fmt.Sprintf("%+v", want))
		}
		if !r.At.Equal(want.At) || r.At.Location() != time.UTC {
			t.Fatalf("at = %v, want %v UTC", r.At, want.At)
		}
	})
}

func TestRecordAnonymousAndNilValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		record(t, s, d, nil, Entry{Action: "employer.register.submit", Entity: "employer_application", EntityID: "1"})
		r, err := s.Get(context.Background(), admin, 1)
		if err != nil {
			t.Fatal(err)
		}
		if r.ActorID != 0 || r.ActorUsername != "anonymous" || r.ActorRole != "" {
			t.Fatalf("actor = %d %q %q", r.ActorID, r.ActorUsername, r.ActorRole)
		}
		if string(r.Before) != "null" || string(r.After) != "null" || r.RequestID != "" {
			t.Fatalf("before %s after %s request %q", r.Before, r.After, r.RequestID)
		}
	})
}

func TestRecordRejectsIncompleteEntries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		for _, e := range []Entry{
			{Entity: "x", EntityID: "1"},
			{Action: "x.y", EntityID: "1"},
			{Action: "x.y", Entity: "x", After: map[string]any{"c": make(chan int)}},
		} {
			err := d.WithTx(context.Background(), func(tx *sql.Tx) error { return s.Record(context.Background(), tx, clerk, e) })
			if errs.KindOf(err) != errs.Internal {
				t.Errorf("Record(%+v) = %v, want an internal error", e, err)
			}
		}
		if res := mustVerify(t, s); res.Checked != 0 || res.HeadSeq != 0 || !res.OK() {
			t.Fatalf("verify after failures: %+v", res)
		}
	})
}

func TestRecordRollsBackWithTheCaller(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newService(d)
		record(t, s, d, clerk, Entry{Action: "a.one", Entity: "x", EntityID: "1"})
		boom := errors.New("business rule failed")
		err := d.WithTx(context.Background(), func(tx *sql.Tx) error {
			if err := s.Record(context.Background(), tx, clerk, Entry{Action: "a.lost", Entity: "x", EntityID: "2"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		c.Advance(time.Minute)
		record(t, s, d, clerk, Entry{Action: "a.two", Entity: "x", EntityID: "3"})
		res := mustVerify(t, s)
		if !res.OK() || res.Checked != 2 || res.HeadSeq != 2 {
			t.Fatalf("verify: %+v", res)
		}
		recs, total, err := s.Search(context.Background(), auditor, Filter{}, Page{})
		if err != nil || total != 2 || recs[0].Action != "a.two" || recs[0].Seq != 2 {
			t.Fatalf("search: %v %d %+v", err, total, recs)
		}
	})
}

func TestDatabaseRefusesChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		record(t, s, d, clerk, Entry{Action: "a.one", Entity: "x", EntityID: "1", Note: "原文"})
		stmts := []string{
			`UPDATE audit_log SET note = 'changed' WHERE seq = 1`,
			`UPDATE audit_log SET note = note`,
			`DELETE FROM audit_log WHERE seq = 1`,
			`DELETE FROM audit_log`,
		}
		if d.Dialect == db.Postgres {
			stmts = append(stmts, `TRUNCATE audit_log`)
		}
		for _, q := range stmts {
			_, err := d.W.Exec(q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want the append-only error", q, err)
			}
		}
		if res := mustVerify(t, s); !res.OK() || res.Checked != 1 {
			t.Fatalf("verify: %+v", res)
		}
	})
}

func TestConcurrentRecordsKeepOneChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newService(d)
		const writers, txPerWriter = 20, 10
		var wg sync.WaitGroup
		errc := make(chan error, writers*txPerWriter)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range txPerWriter {
					ctx := WithRequestID(context.Background(), fmt.Sprintf("w%d-%d", w, i))
					errc <- d.WithTx(ctx, func(tx *sql.Tx) error {
						c.Advance(time.Millisecond)
						return s.Record(ctx, tx, clerk, Entry{
							Action: "test.concurrent", Entity: "writer", EntityID: fmt.Sprint(w),
							After: map[string]int{"i": i},
						})
					})
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		res := mustVerify(t, s)
		if !res.OK() || res.Checked != writers*txPerWriter || res.HeadSeq != writers*txPerWriter {
			t.Fatalf("verify: %+v", res)
		}
		var n, distinctPrev int64
		if err := d.R.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT prev_hash) FROM audit_log`).Scan(&n, &distinctPrev); err != nil {
			t.Fatal(err)
		}
		if n != writers*txPerWriter || distinctPrev != n {
			t.Fatalf("rows %d, distinct prev hashes %d: the chain forked", n, distinctPrev)
		}
	})
}

func TestRecordOutsideATransactionOpensOne(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		var wg sync.WaitGroup
		errc := make(chan error, 50)
		for w := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5 {
					errc <- s.Record(context.Background(), d.W, clerk, Entry{Action: "test.pool", Entity: "writer", EntityID: fmt.Sprint(w)})
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		if res := mustVerify(t, s); !res.OK() || res.Checked != 50 {
			t.Fatalf("verify: %+v", res)
		}
	})
}
