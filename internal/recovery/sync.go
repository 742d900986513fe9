package recovery

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// openEnd stands for "no end yet" in a Window.
const openEnd = "9999-12-30"

// Deadline returns the make-up deadline of e's register as 'YYYY-MM-DD':
// the end of its make-up window (end + makeup_window_months, three months
// in the shipped rules), or "" while e has not ended
// (docs/rules.md "Emergency recovery register").
func (s *Service) Deadline(ctx context.Context, e policy.Emergency) (string, error) {
	if e.End == nil {
		return "", nil
	}
	if e.MakeUpUntil != nil {
		return dayOf(*e.MakeUpUntil), nil
	}
	withMakeUp := e
	withMakeUp.Measures = append(append([]policy.Measure(nil), e.Measures...), policy.MeasureMakeUpAllowed)
	t, err := s.policy.MakeUpUntil(ctx, withMakeUp)
	if err != nil || t == nil {
		return "", err
	}
	return dayOf(*t), nil
}

// window is the part of e the sources look at on day today, with the fee
// months whose collection due date (extensions included) fell inside it.
func (s *Service) window(ctx context.Context, e policy.Emergency, today string) (Window, error) {
	w := baseWindow(e, today)
	last := min(w.End, prevDay(today))
	for m := monthBefore(w.Start); m <= last[:7]; m = nextMonth(m) {
		due, _, err := s.policy.CollectionDue(ctx, m)
		if err != nil {
			return w, err
		}
		if d := dayOf(due); d >= w.Start && d <= last {
			w.DueMonths = append(w.DueMonths, m)
		}
	}
	return w, nil
}

func nextMonth(m string) string {
	x, err := clock.ParseMonth(m)
	if err != nil {
		return "9999-12"
	}
	return x.Add(1).String()
}

func baseWindow(e policy.Emergency, today string) Window {
	w := Window{EmergencyID: e.ID, Start: e.StartDay(), End: e.EndDay(), ReliefTo: openEnd, Today: today}
	if w.End == "" || w.End > today {
		w.End = today
	}
	if r := e.ReliefUntil(); r != nil {
		w.ReliefTo = dayOf(*r)
	}
	return w
}

// endChanged is the policy listener: it sets the deadline of every item of
// e in the emergency's own transaction, and reopens items handed over
// under an earlier deadline that has not passed any more.
func (s *Service) endChanged(ctx context.Context, tx *sql.Tx, e policy.Emergency) error {
	deadline, err := s.Deadline(ctx, e)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE recovery_items SET deadline_on = $1, updated_at = $2, version = version + 1
		WHERE emergency_id = $3 AND deadline_on <> $1`, deadline, now, e.ID); err != nil {
		return errs.Wrap(err, "recovery deadlines")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE recovery_items SET status = 'open', handed_on = '', updated_at = $1, version = version + 1
		WHERE emergency_id = $2 AND status = 'handed_over' AND (deadline_on = '' OR deadline_on >= $3)`, now, e.ID, s.today()); err != nil {
		return errs.Wrap(err, "recovery deadlines")
	}
	return recount(ctx, tx, e.ID)
}

// recount rebuilds the counts of one emergency's items (after a harvest,
// a hand-over or a change of its end).
func recount(ctx context.Context, tx *sql.Tx, emergencyID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_counts WHERE emergency_id = $1`, emergencyID); err != nil {
		return errs.Wrap(err, "recovery counts")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO recovery_counts (emergency_id, section, kind, status, n)
		SELECT emergency_id, section, kind, status, COUNT(*) FROM recovery_items WHERE emergency_id = $1
		GROUP BY emergency_id, section, kind, status`, emergencyID)
	return errs.Wrap(err, "recovery counts")
}

// moveCount moves one item from its status to another in the counts.
func moveCount(ctx context.Context, tx *sql.Tx, it Item, to Status) error {
	if _, err := tx.ExecContext(ctx, `UPDATE recovery_counts SET n = n - 1 WHERE emergency_id = $1 AND section = $2
		AND kind = $3 AND status = $4`, it.EmergencyID, string(it.Section), string(it.Kind), string(it.Status)); err != nil {
		return errs.Wrap(err, "recovery counts")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO recovery_counts (emergency_id, section, kind, status, n) VALUES ($1, $2, $3, $4, 1)
		ON CONFLICT (emergency_id, section, kind, status) DO UPDATE SET n = recovery_counts.n + 1`,
		it.EmergencyID, string(it.Section), string(it.Kind), string(to))
	return errs.Wrap(err, "recovery counts")
}

// SyncResult counts what a harvest changed.
type SyncResult struct {
	Added, MadeUp int
}

// Refresh harvests now on behalf of a (审计科, 办公室). Errors: Forbidden.
func (s *Service) Refresh(ctx context.Context, a *access.Actor) (SyncResult, error) {
	if err := Can(a, Refresh, nil); err != nil {
		return SyncResult{}, err
	}
	return s.sync(ctx, a)
}

// Sync harvests every emergency's deferred business (the daily job).
func (s *Service) Sync(ctx context.Context) (SyncResult, error) { return s.sync(ctx, access.System) }

func (s *Service) sync(ctx context.Context, a *access.Actor) (SyncResult, error) {
	ems, err := s.policy.Emergencies(ctx)
	if err != nil {
		return SyncResult{}, err
	}
	var total SyncResult
	for _, e := range ems {
		r, err := s.syncOne(ctx, a, e)
		if err != nil {
			return total, err
		}
		total.Added += r.Added
		total.MadeUp += r.MadeUp
	}
	return total, nil
}

// syncOne harvests one emergency in one transaction: new candidates are
// added, open items whose record shows them done become made up.
func (s *Service) syncOne(ctx context.Context, a *access.Actor, e policy.Emergency) (SyncResult, error) {
	today := s.today()
	if e.StartDay() > today {
		return SyncResult{}, nil
	}
	deadline, err := s.Deadline(ctx, e)
	if err != nil {
		return SyncResult{}, err
	}
	w, err := s.window(ctx, e, today)
	if err != nil {
		return SyncResult{}, err
	}
	var res SyncResult
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var cands []Candidate
		for _, src := range s.sources {
			c, err := src.Harvest(ctx, tx, w)
			if err != nil {
				return err
			}
			cands = append(cands, c...)
		}
		have, err := existing(ctx, tx)
		if err != nil {
			return err
		}
		var add []Candidate
		var done []int64
		seen := map[string]bool{}
		for _, c := range cands {
			k := key(c.Kind, c.SourceRef)
			if seen[k] {
				continue
			}
			seen[k] = true
			it, ok := have[k]
			switch {
			case !ok:
				add = append(add, c)
			case c.Done && (it.status == Open || it.status == HandedOver):
				done = append(done, it.id)
			}
		}
		if err := s.insertItems(ctx, tx, e.ID, deadline, add); err != nil {
			return err
		}
		if err := s.markMadeUp(ctx, tx, done, today); err != nil {
			return err
		}
		res = SyncResult{Added: len(add), MadeUp: len(done)}
		if res == (SyncResult{}) {
			return nil
		}
		if err := recount(ctx, tx, e.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "recovery.sync", Entity: "recovery_register",
			EntityID: strconv.FormatInt(e.ID, 10), After: map[string]int{"added": res.Added, "made_up": res.MadeUp},
			Note: fmt.Sprintf("新增 %d 项，已补办 %d 项", res.Added, res.MadeUp)})
	})
	return res, err
}

type known struct {
	id     int64
	status Status
}

func key(k Kind, ref string) string { return string(k) + "/" + ref }

// existing returns the items already registered, by kind and source; an
// item belongs to the first emergency that found it.
func existing(ctx context.Context, q db.Querier) (map[string]known, error) {
	out := map[string]known{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var k known
		var kind, ref string
		if err := r.Scan(&k.id, &kind, &ref, &k.status); err != nil {
			return err
		}
		out[key(Kind(kind), ref)] = k
		return nil
	}, `SELECT id, kind, source_ref, status FROM recovery_items`)
	return out, errs.Wrap(err, "recovery items")
}

var itemColumns = []db.Column{
	{Name: "emergency_id", Type: db.BigInt}, {Name: "kind", Type: db.Text}, {Name: "source_ref", Type: db.Text},
	{Name: "section", Type: db.Text}, {Name: "party_kind", Type: db.Text}, {Name: "party_id", Type: db.BigInt},
	{Name: "party_email", Type: db.Text}, {Name: "party_phone", Type: db.Text}, {Name: "subject", Type: db.Text},
	{Name: "subject_is_person", Type: db.Boolean}, {Name: "ref", Type: db.Text}, {Name: "detail", Type: db.Text},
	{Name: "opened_on", Type: db.Text}, {Name: "deadline_on", Type: db.Text}, {Name: "status", Type: db.Text},
	{Name: "made_up_on", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp},
}

func (s *Service) insertItems(ctx context.Context, tx *sql.Tx, emergencyID int64, deadline string, add []Candidate) error {
	now, today := s.clock.Now(), s.today()
	err := db.BulkInsert(ctx, tx, s.db.Dialect, db.Insert{Table: "recovery_items", Columns: itemColumns, Rows: len(add),
		OnConflict: "ON CONFLICT (kind, source_ref) DO NOTHING",
		Row: func(i int) []any {
			c := add[i]
			st, made := Open, ""
			if c.Done {
				st, made = MadeUp, today
			}
			return []any{emergencyID, string(c.Kind), c.SourceRef, string(c.Section), c.PartyKind, c.PartyID, c.Email, c.Phone,
				c.Subject, c.Person, c.Ref, c.Detail, c.OpenedOn, deadline, string(st), made, now, now}
		}})
	return errs.Wrap(err, "recovery insert")
}

func (s *Service) markMadeUp(ctx context.Context, tx *sql.Tx, ids []int64, today string) error {
	now := s.clock.Now()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE recovery_items SET status = 'made_up', made_up_on = $1, updated_at = $2,
			version = version + 1 WHERE id = $3`, today, now, id); err != nil {
			return errs.Wrap(err, "recovery made up")
		}
	}
	return nil
}
