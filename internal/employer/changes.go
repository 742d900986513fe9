package employer

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

const changeColumns = `c.id, c.employer_id, e.employer_no, e.name, c.fields, c.before_values, c.reason, c.status,
 c.requested_by, c.requested_at, c.reviewer_id, c.decided_at, c.reject_reason, c.version`

const changeFrom = ` FROM employer_change_requests c JOIN employers e ON e.id = c.employer_id`

func scanChange(r scanner) (*ChangeRequest, error) {
	var c ChangeRequest
	var fields, before string
	var requestedBy, reviewer sql.NullInt64
	var decided sql.NullTime
	err := r.Scan(&c.ID, &c.EmployerID, &c.EmployerNo, &c.EmployerName, &fields, &before, &c.Reason, &c.Status,
		&requestedBy, &c.RequestedAt, &reviewer, &decided, &c.RejectReason, &c.Version)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
		return nil, fmt.Errorf("change %d fields: %w", c.ID, err)
	}
	if before != "" && before != "{}" {
		if err := json.Unmarshal([]byte(before), &c.Before); err != nil {
			return nil, fmt.Errorf("change %d before: %w", c.ID, err)
		}
	}
	c.RequestedBy, c.ReviewerID = requestedBy.Int64, reviewer.Int64
	c.RequestedAt = c.RequestedAt.UTC()
	if decided.Valid {
		t := decided.Time.UTC()
		c.DecidedAt = &t
	}
	return &c, nil
}

func listChanges(ctx context.Context, q db.Querier, where string, args ...any) ([]ChangeRequest, error) {
	var out []ChangeRequest
	err := db.Each(ctx, q, func(r db.Scanner) error {
		c, err := scanChange(r)
		if err != nil {
			return errs.Wrap(err, "scan change")
		}
		out = append(out, *c)
		return nil
	}, `SELECT `+changeColumns+changeFrom+` WHERE `+where, args...)
	return out, errs.Wrap(err, "list changes")
}

func loadChange(ctx context.Context, q db.Querier, id int64) (*ChangeRequest, error) {
	c, err := scanChange(q.QueryRowContext(ctx, `SELECT `+changeColumns+changeFrom+` WHERE c.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该变更申请")
	}
	if err != nil {
		return nil, errs.Wrap(err, "load change")
	}
	return c, nil
}

// EmployerChanges lists an employer's change requests, newest first, to
// that employer or 统筹科. Errors: Forbidden, Unauthenticated.
func (s *Service) EmployerChanges(ctx context.Context, a *access.Actor, employerID int64) ([]ChangeRequest, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	return listChanges(ctx, s.db.Read(), `c.employer_id = $1 ORDER BY c.requested_at DESC, c.id DESC LIMIT 50`, employerID)
}

// ChangeQueue lists change requests in status (all when empty) for 统筹科,
// page counting from 1, with the total. Errors: Forbidden, Unauthenticated.
func (s *Service) ChangeQueue(ctx context.Context, a *access.Actor, status ChangeStatus, page, size int) ([]ChangeRequest, int, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, 0, err
	}
	if size <= 0 || size > 200 {
		size = PageSize
	}
	if page < 1 {
		page = 1
	}
	where, args := "1=1", []any{}
	order := ` ORDER BY c.requested_at DESC, c.id DESC`
	if status != "" {
		where, args = "c.status = $1", []any{string(status)}
		if status == ChangePending {
			order = ` ORDER BY c.requested_at, c.id`
		}
	}
	var total int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM employer_change_requests c WHERE `+where, args...).Scan(&total)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count changes")
	}
	args = append(args, size, (page-1)*size)
	out, err := listChanges(ctx, s.db.Read(), where+order+fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	return out, total, err
}

// GetChange returns one change request with the employer's current record,
// to that employer or 统筹科. Errors: NotFound, Forbidden.
func (s *Service) GetChange(ctx context.Context, a *access.Actor, id int64) (*ChangeRequest, *Employer, error) {
	if a == nil {
		return nil, nil, errs.LoginRequired()
	}
	c, err := loadChange(ctx, s.db.Read(), id)
	if err != nil {
		return nil, nil, err
	}
	if err := a.RequireEmployer(c.EmployerID); err != nil {
		return nil, nil, errs.NotFoundf("未找到该变更申请")
	}
	e, err := loadEmployer(ctx, s.db.Read(), c.EmployerID)
	return c, e, err
}

// ApproveChange applies change request id at version to the employer,
// recording the values before and after. Errors: Conflict (decided or
// stale), NotFound, Forbidden.
func (s *Service) ApproveChange(ctx context.Context, a *access.Actor, id, version int64) (*Employer, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out *Employer
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := decideChange(ctx, tx, id, version, ChangeApproved, a, "", now)
		if err != nil {
			return err
		}
		e, err := loadEmployer(ctx, tx, c.EmployerID)
		if err != nil {
			return err
		}
		before := e.Values()
		old := map[string]string{}
		for k, v := range c.Fields {
			old[k] = before[k]
			*infoField(&e.Info, k) = v
		}
		if err := updateProfile(ctx, tx, e, now); err != nil {
			return err
		}
		body, _ := json.Marshal(old)
		if _, err := tx.ExecContext(ctx, `UPDATE employer_change_requests SET before_values = $2 WHERE id = $1`, id, string(body)); err != nil {
			return errs.Wrap(err, "store before values")
		}
		out = e
		return s.audit.Record(ctx, tx, a, audit.Entry{
			Action: "employer.change.approve", Entity: "employer", EntityID: fmt.Sprint(e.ID),
			Before: maskValues(old), After: maskValues(c.Fields), Note: fmt.Sprintf("变更申请 %d：%s", c.ID, c.Reason),
		})
	})
	return out, err
}

// updateProfile writes e's changeable fields with a version check.
func updateProfile(ctx context.Context, tx *sql.Tx, e *Employer, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE employers SET name = $3, legal_rep = $4, address = $5, contact_name = $6,
 contact_phone = $7, contact_email = $8, bank_name = $9, bank_account = $10, updated_at = $11, version = version + 1
 WHERE id = $1 AND version = $2`, e.ID, e.Version, e.Name, e.LegalRep, e.Address, e.ContactName, e.ContactPhone,
		e.ContactEmail, e.BankName, e.BankAccount, now)
	if err != nil {
		return errs.Wrap(err, "update employer")
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errs.StaleVersion()
	}
	e.Version++
	e.UpdatedAt = now
	return nil
}

// RejectChange refuses change request id at version with a reason
// (required). Errors: Invalid, Conflict, NotFound, Forbidden.
func (s *Service) RejectChange(ctx context.Context, a *access.Actor, id, version int64, reason string) (*ChangeRequest, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	reason, err := reasonText("reason", reason, "请填写不予变更的原因，单位将看到此说明", "原因")
	if err != nil {
		return nil, err
	}
	var out *ChangeRequest
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := decideChange(ctx, tx, id, version, ChangeRejected, a, reason, s.clock.Now())
		if err != nil {
			return err
		}
		out = c
		return s.audit.Record(ctx, tx, a, audit.Entry{
			Action: "employer.change.reject", Entity: "employer_change_request", EntityID: fmt.Sprint(id),
			Before: map[string]any{"status": ChangePending, "version": version},
			After:  map[string]any{"status": ChangeRejected, "version": c.Version, "reject_reason": reason},
		})
	})
	return out, err
}

// decideChange moves a pending change request to status with a version
// check; the loser of two clerks is told what happened.
func decideChange(ctx context.Context, tx *sql.Tx, id, version int64, to ChangeStatus, a *access.Actor, reason string, now time.Time) (*ChangeRequest, error) {
	res, err := tx.ExecContext(ctx, `UPDATE employer_change_requests
 SET status = $3, reject_reason = $4, reviewer_id = $5, decided_at = $6, version = version + 1
 WHERE id = $1 AND version = $2 AND status = 'pending'`, id, version, string(to), reason, a.UserID, now)
	if err != nil {
		return nil, errs.Wrap(err, "decide change")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, errs.Wrap(err, "decide change")
	}
	c, err := loadChange(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		if c.Status != ChangePending {
			return nil, errs.New(errs.Conflict, "already_decided", "该变更申请已由其他经办人员处理（"+c.Status.Name()+"），请刷新")
		}
		return nil, errs.StaleVersion()
	}
	return c, nil
}
