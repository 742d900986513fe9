package audit

import (
	"context"
	"database/sql"
	"runtime"
	"sync"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// auditColumns are the stored columns of audit_log, in insert order.
var auditColumns = []db.Column{
	{Name: "seq", Type: db.BigInt}, {Name: "at", Type: db.Timestamp},
	{Name: "actor_id", Type: db.BigInt}, {Name: "actor_username", Type: db.Text},
	{Name: "actor_role", Type: db.Text}, {Name: "action", Type: db.Text},
	{Name: "entity", Type: db.Text}, {Name: "entity_id", Type: db.Text},
	{Name: "before_json", Type: db.Text}, {Name: "after_json", Type: db.Text},
	{Name: "note", Type: db.Text}, {Name: "request_id", Type: db.Text},
	{Name: "prev_hash", Type: db.Text}, {Name: "hash", Type: db.Text},
}

// RecordMany appends entries, in order, to the log inside the caller's
// transaction tx, as Record would one by one but with one move of the chain
// head for the whole batch and the rows written in bulk: the head is locked
// once, the batch takes the next len(entries) sequence numbers, each row
// carries the hash of the row before it, and the head ends on the last
// row's hash. The rows verify exactly as rows appended one at a time.
// Every row gets the same time (read under the head lock) and actor a (nil
// = anonymous). Like Record, call it as the last statement of the
// transaction. An entry without action or entity, or a value that cannot be
// marshalled, fails the whole batch before anything is written.
func (s *Service) RecordMany(ctx context.Context, tx *sql.Tx, a *access.Actor, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	recs, err := s.newRecords(ctx, a, entries)
	if err != nil {
		return errs.Wrap(err, "audit record")
	}
	var last int64
	var prev string
	if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, last_hash`,
		int64(len(recs))).Scan(&last, &prev); err != nil {
		return errs.Wrap(err, "audit head")
	}
	chainBatch(recs, last-int64(len(recs))+1, prev, storedTime(s.clock.Now()))
	if err := db.BulkInsert(ctx, tx, s.db.Dialect, db.Insert{
		Table: "audit_log", Columns: auditColumns, Rows: len(recs),
		Row: func(i int) []any {
			r := &recs[i]
			return []any{r.Seq, r.At, r.ActorID, r.ActorUsername, r.ActorRole, r.Action, r.Entity, r.EntityID,
				string(r.Before), string(r.After), r.Note, r.RequestID, r.PrevHash, r.Hash}
		},
	}); err != nil {
		return errs.Wrap(err, "audit insert")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET last_hash = $1 WHERE id = 1`, recs[len(recs)-1].Hash); err != nil {
		return errs.Wrap(err, "audit head")
	}
	return nil
}

// newRecords encodes the entries, a large batch in parallel parts (the
// encoding is the larger part of a 100,000-entry batch's own work); the
// first bad entry's error fails it.
func (s *Service) newRecords(ctx context.Context, a *access.Actor, entries []Entry) ([]Record, error) {
	recs := make([]Record, len(entries))
	parts := 1
	if len(entries) >= 4096 {
		parts = min(runtime.GOMAXPROCS(0), 4)
	}
	errAt := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := p * len(entries) / parts; i < (p+1)*len(entries)/parts; i++ {
				r, err := s.newRecord(ctx, a, entries[i])
				if err != nil {
					errAt[p] = err
					return
				}
				recs[i] = *r
			}
		}()
	}
	wg.Wait()
	for _, err := range errAt {
		if err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// chainBatch numbers recs from first, stamps them with at and links each
// to the hash of the one before (prev for the first).
func chainBatch(recs []Record, first int64, prev string, at time.Time) {
	for i := range recs {
		r := &recs[i]
		r.Seq, r.At, r.PrevHash = first+int64(i), at, prev
		r.Hash = computeHash(r)
		prev = r.Hash
	}
}
