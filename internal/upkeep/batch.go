package upkeep

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
)

// PageSize is the rows of a list page.
const PageSize = 50

// Filter selects corrections of the queue: a status ("" = all), a search
// (number, case, name or ID number) and a page from 1.
type Filter struct {
	Status string
	Query  string
	Page   int
}

// List returns a page of corrections, newest first, and the total.
// Errors: Unauthenticated, Forbidden.
func (s *Service) List(ctx context.Context, a *access.Actor, f Filter) ([]*Correction, int, error) {
	if err := s.check(a, SeeQueue); err != nil {
		return nil, 0, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if _, ok := statusNames[f.Status]; ok {
		args = append(args, f.Status)
		where = append(where, fmt.Sprintf("c.status = $%d", len(args)))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if _, err := ident.ParseID(strings.ToUpper(q)); err == nil {
			args = append(args, strings.ToUpper(q))
			where = append(where, fmt.Sprintf("p.id_number = $%d", len(args)))
		} else {
			args = append(args, q)
			n := len(args)
			where = append(where, fmt.Sprintf("(c.no = $%d OR c.case_no = $%d OR p.name = $%d)", n, n, n))
		}
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*)`+corrFrom+` WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "count corrections")
	}
	page := max(f.Page, 1)
	cs, err := corrections(ctx, s.db.Read(), w+fmt.Sprintf(" ORDER BY c.id DESC LIMIT %d OFFSET %d", PageSize, (page-1)*PageSize), args...)
	return cs, total, err
}

// Get returns one correction with the months it changed. Errors:
// Unauthenticated, Forbidden, NotFound.
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*Correction, error) {
	if err := s.check(a, SeeQueue); err != nil {
		return nil, err
	}
	c, err := loadCorrection(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	return c, withMonths(ctx, s.db.Read(), []*Correction{c})
}

// EvidenceOf checks that doc is one of the correction's scans and the
// actor may see it. Errors: Forbidden, NotFound.
func (s *Service) EvidenceOf(ctx context.Context, a *access.Actor, id, doc int64) error {
	c, err := s.Get(ctx, a, id)
	if err != nil {
		return err
	}
	for _, d := range c.Evidence {
		if d == doc {
			return nil
		}
	}
	return errs.NotFoundf("未找到该证明材料")
}

// OfCase lists the corrections raised from a retirement case.
func (s *Service) OfCase(ctx context.Context, a *access.Actor, caseNo string) ([]*Correction, error) {
	if err := s.check(a, SeeQueue); err != nil {
		return nil, err
	}
	return corrections(ctx, s.db.Read(), "c.case_no = $1 ORDER BY c.id DESC LIMIT 100", caseNo)
}

// Mine lists the corrections of the signed-in person's own records with
// the months changed and the effect on the pension.
func (s *Service) Mine(ctx context.Context, a *access.Actor) ([]*Correction, error) {
	if err := s.check(a, SeeOwn); err != nil {
		return nil, err
	}
	cs, err := corrections(ctx, s.db.Read(), "c.person_id = $1 ORDER BY c.id DESC LIMIT 100", a.PersonID)
	if err != nil {
		return nil, err
	}
	return cs, withMonths(ctx, s.db.Read(), cs)
}

// CreateBatch gathers pending corrections into a batch prepared by the
// actor (个人账户科). Errors: Forbidden, Invalid (none chosen), Conflict
// (one is no longer pending).
func (s *Service) CreateBatch(ctx context.Context, a *access.Actor, ids []int64, note string) (*Batch, error) {
	if err := s.check(a, Process); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fieldErr("ids", "请勾选要编入批次的维护单")
	}
	if len(ids) > 500 {
		return nil, fieldErr("ids", "一个批次最多 500 张维护单")
	}
	b := &Batch{Status: BatchPrepared, Note: strings.TrimSpace(note), PreparedBy: a.UserID, CreatedAt: s.now(), Version: 1}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		no, err := nextNo(ctx, tx, "record_correction_batches", "PC", b.CreatedAt.Year())
		if err != nil {
			return err
		}
		b.No = no
		if err := tx.QueryRowContext(ctx, `INSERT INTO record_correction_batches (no, status, note, prepared_by, created_at)
			VALUES ($1, 'prepared', $2, $3, $4) RETURNING id`, b.No, b.Note, b.PreparedBy, b.CreatedAt).Scan(&b.ID); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.New(errs.Conflict, "busy", "同时编制的批次较多，请重新提交")
			}
			return errs.Wrap(err, "insert batch")
		}
		for _, id := range ids {
			r, err := tx.ExecContext(ctx, `UPDATE record_corrections SET status = 'batched', batch_id = $1, version = version + 1
				WHERE id = $2 AND status = 'pending'`, b.ID, id)
			if err != nil {
				return errs.Wrap(err, "batch correction")
			}
			if n, _ := r.RowsAffected(); n != 1 {
				return errs.New(errs.Conflict, "not_pending", "所选维护单中有已编入其他批次或已更正的，请刷新后重新勾选")
			}
		}
		b.Count = len(ids)
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "upkeep.batch.prepare", Entity: "record_correction_batch",
			EntityID: b.No, After: map[string]any{"corrections": len(ids)}, Note: b.Note})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Batches lists the batches, newest first, a page of PageSize.
func (s *Service) Batches(ctx context.Context, a *access.Actor, page int) ([]*Batch, int, error) {
	if err := s.check(a, SeeQueue); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM record_correction_batches`).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "count batches")
	}
	var out []*Batch
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		b, err := scanBatch(r)
		if err != nil {
			return err
		}
		out = append(out, b)
		return nil
	}, `SELECT `+batchColumns+` FROM record_correction_batches b ORDER BY b.id DESC
		LIMIT $1 OFFSET $2`, PageSize, (max(page, 1)-1)*PageSize)
	return out, total, errs.Wrap(err, "batches")
}

// Batch returns a batch with its corrections and their months.
func (s *Service) Batch(ctx context.Context, a *access.Actor, id int64) (*Batch, error) {
	if err := s.check(a, SeeQueue); err != nil {
		return nil, err
	}
	b, err := loadBatch(ctx, s.db.Read(), id, "")
	if err != nil {
		return nil, err
	}
	if b.Items, err = corrections(ctx, s.db.Read(), "c.batch_id = $1 ORDER BY c.id", id); err != nil {
		return nil, err
	}
	return b, withMonths(ctx, s.db.Read(), b.Items)
}

// Check is the second clerk's check of a prepared batch: a clerk of
// 个人账户科 other than the one who prepared it. Errors: Forbidden (the
// preparer), NotFound, Conflict (not prepared, stale version).
func (s *Service) Check(ctx context.Context, a *access.Actor, id, version int64) (*Batch, error) {
	if err := s.check(a, Process); err != nil {
		return nil, err
	}
	var out *Batch
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		b, err := loadBatch(ctx, tx, id, "")
		if err != nil {
			return err
		}
		if b.Status != BatchPrepared {
			return errs.New(errs.Conflict, "not_prepared", "该批次当前为“"+b.StatusName()+"”，不能复核")
		}
		if b.PreparedBy == a.UserID {
			return errs.New(errs.Forbidden, "second_clerk", "复核须由编制人以外的第二名经办人员办理，请由个人账户科另一名经办人员复核")
		}
		now := s.now()
		r, err := tx.ExecContext(ctx, `UPDATE record_correction_batches SET status = 'checked', checked_by = $1, checked_at = $2,
			version = version + 1 WHERE id = $3 AND version = $4 AND status = 'prepared'`, a.UserID, now, id, version)
		if err != nil {
			return errs.Wrap(err, "check batch")
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errs.New(errs.Conflict, "stale", "该批次已被他人处理，请刷新后再试")
		}
		b.Status, b.CheckedBy, b.CheckedAt, b.Version = BatchChecked, a.UserID, &now, b.Version+1
		out = b
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "upkeep.batch.check", Entity: "record_correction_batch", EntityID: b.No})
	})
	return out, err
}

// Dissolve returns the corrections of a batch not yet applied to the
// queue (e.g. when one of them cannot be applied) and removes the batch.
func (s *Service) Dissolve(ctx context.Context, a *access.Actor, id, version int64) error {
	if err := s.check(a, Process); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		b, err := loadBatch(ctx, tx, id, "")
		if err != nil {
			return err
		}
		if b.Status == BatchApplied {
			return errs.New(errs.Conflict, "applied", "该批次已执行更正，不能撤销")
		}
		if b.Version != version {
			return errs.New(errs.Conflict, "stale", "该批次已被他人处理，请刷新后再试")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE record_corrections SET status = 'pending', batch_id = NULL, version = version + 1
			WHERE batch_id = $1`, id); err != nil {
			return errs.Wrap(err, "dissolve")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM record_correction_batches WHERE id = $1`, id); err != nil {
			return errs.Wrap(err, "dissolve")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "upkeep.batch.dissolve", Entity: "record_correction_batch", EntityID: b.No})
	})
}

// Apply writes a checked batch: each correction's records through
// contribution.CorrectRecordsTx, then one recomputation request per
// person to the pension determination; all in one transaction (one
// failure and nothing is written). An applied batch is returned as it is
// (applying again changes nothing). Errors: Forbidden, NotFound,
// Conflict (not checked yet; a correction that no longer fits the
// records, named), Invalid (rules missing for the recomputation).
func (s *Service) Apply(ctx context.Context, a *access.Actor, id int64) (*Batch, error) {
	if err := s.check(a, Process); err != nil {
		return nil, err
	}
	applied := false
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE record_correction_batches SET status = 'applied', applied_by = $1, applied_at = $2,
			version = version + 1 WHERE id = $3 AND status = 'checked'`, a.UserID, s.now(), id)
		if err != nil {
			return errs.Wrap(err, "apply batch")
		}
		b, err := loadBatch(ctx, tx, id, "")
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			if b.Status == BatchApplied {
				return nil
			}
			return errs.New(errs.Conflict, "not_checked", "该批次当前为“"+b.StatusName()+"”，须先由第二名经办人员复核")
		}
		applied = true
		return s.applyItems(ctx, tx, a, b)
	})
	if err != nil {
		return nil, err
	}
	b, err := s.Batch(ctx, a, id)
	if err == nil && applied {
		s.tell(ctx, b)
	}
	return b, err
}

// applyItems corrects each correction's records and asks for the
// recomputation of each person once.
func (s *Service) applyItems(ctx context.Context, tx *sql.Tx, a *access.Actor, b *Batch) error {
	items, err := corrections(ctx, tx, "c.batch_id = $1 ORDER BY c.id", b.ID)
	if err != nil {
		return err
	}
	now := s.now()
	var persons []int64
	byPerson := map[int64][]*Correction{}
	for _, c := range items {
		if err := s.applyOne(ctx, tx, c); err != nil {
			return err
		}
		if byPerson[c.PersonID] == nil {
			persons = append(persons, c.PersonID)
		}
		byPerson[c.PersonID] = append(byPerson[c.PersonID], c)
	}
	for _, pid := range persons {
		if err := s.recompute(ctx, tx, a, b, byPerson[pid]); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE record_corrections SET status = 'applied', applied_at = $1, version = version + 1
		WHERE batch_id = $2`, now, b.ID); err != nil {
		return errs.Wrap(err, "apply corrections")
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "upkeep.batch.apply", Entity: "record_correction_batch", EntityID: b.No,
		After: map[string]any{"corrections": len(items), "persons": len(persons)}})
}

// applyOne corrects one correction's records and keeps the months as
// they were and became.
func (s *Service) applyOne(ctx context.Context, tx *sql.Tx, c *Correction) error {
	ch := contribution.RecordChange{PersonID: c.PersonID, From: c.From.String(), To: c.To.String(), Base: c.Base}
	if c.Paid != PaidUnchanged {
		p := c.Paid == PaidYes
		ch.Paid = &p
	}
	ms, err := contribution.CorrectRecordsTx(ctx, tx, ch)
	if errs.KindOf(err) == errs.Conflict {
		return errs.New(errs.Conflict, "correction_failed", "维护单 "+c.No+" 不能执行："+errs.As(err).Message+"。请撤销批次，处理该单后重新编制")
	}
	if err != nil {
		return err
	}
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, `INSERT INTO record_correction_months (correction_id, fee_month, old_base_fen, old_paid,
			new_base_fen, new_paid) VALUES ($1,$2,$3,$4,$5,$6)`, c.ID, m.Month, int64(m.OldBase), m.OldPaid, int64(m.NewBase), m.NewPaid); err != nil {
			return errs.Wrap(err, "correction months")
		}
	}
	return nil
}
