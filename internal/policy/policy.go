// Package policy holds the effective-dated rules (average wages, base
// limits, rates, late-fee rate …, each with its legal basis), emergency
// periods with their measures, and the working-day calendar.
//
// Every question is "which value was in force on day D", answered from an
// in-memory snapshot of the three (small) tables. Every change bumps
// policy_state.revision in its own transaction; a server re-reads that one
// row at most once per cache TTL (1 s) and reloads the snapshot when it has
// moved, so several servers sharing one PostgreSQL agree within a second
// and the server that made a change sees it at once.
package policy

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// DefaultCacheTTL is how long a snapshot is used before the revision row is
// read again.
const DefaultCacheTTL = time.Second

// Service answers "which rule was in force on date D", manages emergency
// periods and counts working days.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service

	ttl     atomic.Int64 // cache TTL in ns
	mu      sync.Mutex   // serialises snapshot reloads
	snap    atomic.Pointer[snapshot]
	checked atomic.Int64 // monotonic ns (since base) of the last revision check; 0 = stale
	base    time.Time

	lmu       sync.Mutex
	listeners []EndListener
}

// NewService returns the policy service.
func NewService(d *db.DB, c clock.Clock, a *audit.Service) *Service {
	// base is only a monotonic reference for the cache TTL, never business time.
	s := &Service{db: d, clock: c, audit: a, base: time.Now()}
	s.ttl.Store(int64(DefaultCacheTTL))
	return s
}

// SetCacheTTL changes how often the revision row is checked (tests use 0
// to see another server's change at once).
func (s *Service) SetCacheTTL(d time.Duration) { s.ttl.Store(int64(d)); s.checked.Store(0) }

// today is the Shanghai date of the injected clock.
func (s *Service) today() time.Time { return clock.Today(s.clock) }

// snapshot is one consistent copy of the policy tables.
type snapshot struct {
	rev         int64
	rules       map[string][]Rule // by ruleIndex(key, scope), ascending From
	emergencies []Emergency       // ascending Start
	days        map[string]CalendarDay
	banner      atomic.Pointer[bannerEntry]
}

type bannerEntry struct {
	day string
	b   *Banner
}

func ruleIndex(key, scope string) string { return key + "\x00" + scope }

func (s *Service) fresh() bool {
	c := s.checked.Load()
	return c != 0 && time.Since(s.base).Nanoseconds()-c < s.ttl.Load()
}

func (s *Service) touch() { s.checked.Store(max(1, time.Since(s.base).Nanoseconds())) }

// current returns a snapshot no older than the TTL, reloading it when the
// revision has moved.
func (s *Service) current(ctx context.Context) (*snapshot, error) {
	if sn := s.snap.Load(); sn != nil && s.fresh() {
		return sn, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.snap.Load()
	if sn != nil && s.fresh() {
		return sn, nil
	}
	var rev int64
	if err := s.db.Read().QueryRowContext(ctx, `SELECT revision FROM policy_state WHERE id = 1`).Scan(&rev); err != nil {
		return nil, errs.Wrap(err, "policy revision")
	}
	if sn != nil && sn.rev == rev {
		s.touch()
		return sn, nil
	}
	sn, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	s.snap.Store(sn)
	s.touch()
	return sn, nil
}

// changed is called after a committed change: the next read reloads.
func (s *Service) changed(ctx context.Context) {
	s.checked.Store(0)
	_, _ = s.current(ctx) // warm the cache now; a failure just leaves it stale
}

// load reads the three tables in one read transaction.
func (s *Service) load(ctx context.Context) (*snapshot, error) {
	tx, err := s.db.R.BeginTx(ctx, s.db.Dialect.SnapshotRead())
	if err != nil {
		return nil, errs.Wrap(err, "policy snapshot")
	}
	defer tx.Rollback()
	sn := &snapshot{rules: map[string][]Rule{}, days: map[string]CalendarDay{}}
	if err := tx.QueryRowContext(ctx, `SELECT revision FROM policy_state WHERE id = 1`).Scan(&sn.rev); err != nil {
		return nil, errs.Wrap(err, "policy revision")
	}
	rules, err := queryRules(ctx, tx, `ORDER BY key, scope, effective_from`)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		k := ruleIndex(r.Key, r.Scope)
		sn.rules[k] = append(sn.rules[k], r)
	}
	if sn.emergencies, err = queryEmergencies(ctx, tx, `ORDER BY start_day, id`); err != nil {
		return nil, err
	}
	days, err := queryCalendar(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	for _, d := range days {
		sn.days[d.Day] = d
	}
	return sn, nil
}

// bumpRevision marks a change. Called first in every write transaction, it
// also takes the row lock that serialises policy writers on PostgreSQL, so
// overlap checks see each other's committed rows.
func bumpRevision(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE policy_state SET revision = revision + 1 WHERE id = 1`); err != nil {
		return errs.Wrap(err, "bump policy revision")
	}
	return nil
}
