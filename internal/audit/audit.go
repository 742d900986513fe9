// Package audit keeps the append-only, hash-chained log of every change:
// who (user id, username, role), when (the injected clock, UTC), what
// (action, entity, entity id), the values before and after as canonical
// JSON, a note and the request ID.
//
// Every row stores the hash of the row before it and its own SHA-256 hash
// over all its columns, so a changed, deleted or reordered row breaks the
// chain and Verify finds it. The database refuses UPDATE and DELETE on
// audit_log (triggers on both engines); appends are serialised through the
// one-row audit_head table inside the caller's transaction, so concurrent
// writers never fork the chain. See docs/decisions/0004-audit-hash-chain.md.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Entry describes one change. Before and After are marshalled to JSON;
// callers pass already-masked values for ID and phone numbers.
type Entry struct {
	Action   string // e.g. "employer.register.approve"
	Entity   string // table or business object, e.g. "employer_application"
	EntityID string
	Before   any
	After    any
	Note     string
}

// Record is one stored row of the audit log. Before and After are
// canonical JSON ("null" when absent). Rows returned by Search and Get are
// masked for display (ID and phone numbers in the username, values and
// note), so their Hash no longer matches their content: Verify reads the
// stored rows itself.
type Record struct {
	Seq           int64           `json:"seq"`
	At            time.Time       `json:"at"`
	ActorID       int64           `json:"actor_id"`
	ActorUsername string          `json:"actor_username"`
	ActorRole     string          `json:"actor_role"`
	Action        string          `json:"action"`
	Entity        string          `json:"entity"`
	EntityID      string          `json:"entity_id"`
	Before        json.RawMessage `json:"before"`
	After         json.RawMessage `json:"after"`
	Note          string          `json:"note"`
	RequestID     string          `json:"request_id"`
	PrevHash      string          `json:"prev_hash"`
	Hash          string          `json:"hash"`
}

// Service writes, verifies and searches the audit log.
type Service struct {
	db     *db.DB
	clock  clock.Clock
	anchor *Anchor // signs and checks checkpoints; nil when no key is configured
}

// NewService returns the audit service without a checkpoint key: Verify
// checks the chain alone and Checkpoint refuses to sign.
func NewService(d *db.DB, c clock.Clock) *Service { return NewAnchored(d, c, nil) }

// NewAnchored returns the audit service whose Verify compares the chain
// with a's checkpoints and whose Checkpoint signs with a (nil: none).
func NewAnchored(d *db.DB, c clock.Clock, a *Anchor) *Service {
	return &Service{db: d, clock: c, anchor: a}
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request ID that Record stores with
// each entry (set by the web layer's request ID middleware).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request ID carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Record appends e to the log inside the caller's transaction q, so the
// entry exists exactly when the change does. a may be nil for anonymous
// submissions (recorded as user 0, "anonymous").
//
// Record locks the chain head until q commits or rolls back, and other
// writers that record wait for it: call it as the last statement of the
// transaction, after the business rows are written, to keep the lock short
// and the lock order the same everywhere. It returns an Internal error
// when e lacks an action or entity, when a value cannot be marshalled, or
// when the database fails. Passed a *sql.DB instead of a transaction, it
// opens one of its own.
func (s *Service) Record(ctx context.Context, q db.Querier, a *access.Actor, e Entry) error {
	r, err := s.newRecord(ctx, a, e)
	if err != nil {
		return errs.Wrap(err, "audit record")
	}
	if pool, ok := q.(*sql.DB); ok {
		// Outside a transaction the head lock would end with the first
		// statement and two writers could fork the chain.
		return inTx(ctx, pool, func(tx *sql.Tx) error { return s.appendRecord(ctx, tx, r) })
	}
	return s.appendRecord(ctx, q, r)
}

// appendRecord takes the next seq from the head, stamps, hashes and
// stores r, and moves the head to it.
func (s *Service) appendRecord(ctx context.Context, q db.Querier, r *Record) error {
	err := q.QueryRowContext(ctx,
		`UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash`).Scan(&r.Seq, &r.PrevHash)
	if err != nil {
		return errs.Wrap(err, "audit head")
	}
	r.At = storedTime(s.clock.Now()) // read under the head lock: times follow seq
	r.Hash = computeHash(r)
	if _, err := q.ExecContext(ctx, `INSERT INTO audit_log
		(seq, at, actor_id, actor_username, actor_role, action, entity, entity_id,
		 before_json, after_json, note, request_id, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.Seq, r.At, r.ActorID, r.ActorUsername, r.ActorRole, r.Action, r.Entity, r.EntityID,
		string(r.Before), string(r.After), r.Note, r.RequestID, r.PrevHash, r.Hash); err != nil {
		return errs.Wrap(err, "audit insert")
	}
	if _, err := q.ExecContext(ctx, `UPDATE audit_head SET last_hash = $1 WHERE id = 1`, r.Hash); err != nil {
		return errs.Wrap(err, "audit head")
	}
	return nil
}

// newRecord builds the row for e, everything but the time and chain fields.
func (s *Service) newRecord(ctx context.Context, a *access.Actor, e Entry) (*Record, error) {
	if e.Action == "" || e.Entity == "" {
		return nil, fmt.Errorf("audit: entry needs an action and an entity (action %q, entity %q)", e.Action, e.Entity)
	}
	before, err := canonicalJSON(e.Before)
	if err != nil {
		return nil, err
	}
	after, err := canonicalJSON(e.After)
	if err != nil {
		return nil, err
	}
	r := &Record{
		Action: e.Action, Entity: e.Entity, EntityID: e.EntityID,
		Before: before, After: after, Note: e.Note,
		RequestID: RequestID(ctx),
	}
	if a == nil {
		r.ActorUsername = "anonymous"
	} else {
		r.ActorID, r.ActorUsername, r.ActorRole = a.UserID, a.Username, string(a.Role)
	}
	return r, nil
}

// inTx runs fn in a transaction of pool.
func inTx(ctx context.Context, pool *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return errs.Wrap(err, "audit begin")
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return errs.Wrap(tx.Commit(), "audit commit")
}
