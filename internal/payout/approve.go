package payout

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// MayApprove reports whether a may approve or reject lines: staff of the
// fund section (基金管理科). Forbidden otherwise.
func MayApprove(a *access.Actor) error { return a.RequireSection(access.Fund) }

// Approve approves prepared lines in one transaction: all or none. A
// clerk may not approve a line they prepared (Forbidden, naming it); a
// line no longer prepared is a Conflict. The expense is posted per scheme
// (Dr benefit expense, Cr benefits payable). It returns the count.
func (s *Service) Approve(ctx context.Context, a *access.Actor, ids []int64, note string) (int, error) {
	if err := MayApprove(a); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, errs.Fields{{Field: "ids", Message: "请选择要审核的拨付记录"}}.Err()
	}
	var n int
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		lines, err := s.linesForUpdate(ctx, tx, ids)
		if err != nil {
			return err
		}
		if err := checkApprovable(a, lines); err != nil {
			return err
		}
		if err := s.approveLines(ctx, tx, a, lines); err != nil {
			return err
		}
		n = len(lines)
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.approve", Entity: "payout_line",
			EntityID: joinIDs(ids), After: summary(lines), Note: strings.TrimSpace(note)})
	})
	return n, err
}

// checkApprovable refuses lines not prepared or prepared by a.
func checkApprovable(a *access.Actor, lines []Line) error {
	for i := range lines {
		l := &lines[i]
		if l.Status != Prepared {
			return errs.New(errs.Conflict, "payout_not_prepared", "拨付记录"+idStr(l.ID)+"当前状态为“"+l.StatusName()+"”，不能审核，请刷新后重试")
		}
		if samePerson(a, l) {
			return errs.New(errs.Forbidden, "payout_own_line", "拨付记录"+idStr(l.ID)+"由您本人经办，须由基金管理科的另一名工作人员审核")
		}
	}
	return nil
}

// samePerson reports whether a prepared l (the two-person rule).
func samePerson(a *access.Actor, l *Line) bool {
	return a.Username == l.PreparedBy || (a.UserID != 0 && a.UserID == l.PreparedByID)
}

// approveLines marks lines approved and posts their expense.
func (s *Service) approveLines(ctx context.Context, tx *sql.Tx, a *access.Actor, lines []Line) error {
	now := s.clock.Now()
	for start := 0; start < len(lines); start += 500 {
		chunk := lines[start:min(start+500, len(lines))]
		ph, args := inList(chunk, 4)
		res, err := tx.ExecContext(ctx, `UPDATE payout_lines SET status = 'approved', approved_by = $1, approved_by_id = $2,
			approved_at = $3, updated_at = $3, version = version + 1 WHERE status = 'prepared' AND id IN (`+ph+`)`,
			append([]any{a.Name(), a.UserID, now}, args...)...)
		if err != nil {
			return errs.Wrap(err, "approve payout lines")
		}
		if n, _ := res.RowsAffected(); int(n) != len(chunk) {
			return errs.New(errs.Conflict, "payout_changed", "部分拨付记录已被他人处理，请刷新后重试")
		}
	}
	return s.post(ctx, tx, a, postApprove, 0, lines)
}

// Reject refuses prepared lines with a reason (required): all or none,
// by a fund clerk who did not prepare them. Nothing was posted, so
// nothing is reversed; the source may prepare the line anew.
func (s *Service) Reject(ctx context.Context, a *access.Actor, ids []int64, reason string) (int, error) {
	if err := MayApprove(a); err != nil {
		return 0, err
	}
	reason = strings.TrimSpace(reason)
	if err := needReason(reason); err != nil {
		return 0, err
	}
	var n int
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		lines, err := s.linesForUpdate(ctx, tx, ids)
		if err != nil {
			return err
		}
		if err := checkApprovable(a, lines); err != nil {
			return err
		}
		if err := setStatus(ctx, tx, lines, Prepared, Rejected, "reject_reason", reason, s.clock.Now()); err != nil {
			return err
		}
		n = len(lines)
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.reject", Entity: "payout_line",
			EntityID: joinIDs(ids), After: summary(lines), Note: reason})
	})
	return n, err
}

func needReason(reason string) error {
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return errs.Fields{{Field: "reason", Message: "请填写原因（不超过200字）"}}.Err()
	}
	return nil
}

// Cancel cancels one line with a reason. Held and prepared lines may be
// cancelled by their section or the fund section; approved and failed
// lines by the fund section only. An approved line's expense is reversed;
// a failed line's was reversed when it failed. Lines in a file or paid
// cannot be cancelled (Conflict). version must be the line's current one.
func (s *Service) Cancel(ctx context.Context, a *access.Actor, id, version int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if err := needReason(reason); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		return s.CancelTx(ctx, tx, a, id, version, reason)
	})
}

// CancelTx is Cancel inside the caller's transaction (e.g. a death
// recorded stops the lines not yet sent). version 0 skips the version check.
func (s *Service) CancelTx(ctx context.Context, tx *sql.Tx, a *access.Actor, id, version int64, reason string) error {
	lines, err := s.linesForUpdate(ctx, tx, []int64{id})
	if err != nil {
		return err
	}
	l := &lines[0]
	if version != 0 && l.Version != version {
		return errs.New(errs.Conflict, "payout_changed", "该拨付记录已被他人修改，请刷新后重试")
	}
	if err := Can(a, CancelLine, l); err != nil {
		return err
	}
	if err := setStatus(ctx, tx, lines, l.Status, Cancelled, "reject_reason", reason, s.clock.Now()); err != nil {
		return err
	}
	if l.Status == Approved {
		if err := s.post(ctx, tx, a, postCancel, 0, lines); err != nil {
			return err
		}
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.cancel", Entity: "payout_line", EntityID: idStr(id),
		Before: auditView(l), Note: reason})
}

func mayCancel(a *access.Actor, l *Line) error {
	switch l.Status {
	case Held, Prepared:
		if MayApprove(a) == nil {
			return nil
		}
		return MayPrepare(a, l.Benefit)
	case Approved, Failed:
		return MayApprove(a)
	}
	return errs.New(errs.Conflict, "payout_not_cancellable", "该拨付记录当前状态为“"+l.StatusName()+"”，不能作废")
}

// setStatus moves lines from one status to another, recording text in
// column col; a line no longer in from is a Conflict.
func setStatus(ctx context.Context, tx *sql.Tx, lines []Line, from, to, col, text string, now any) error {
	for start := 0; start < len(lines); start += 500 {
		chunk := lines[start:min(start+500, len(lines))]
		ph, args := inList(chunk, 5)
		notSent := ""
		if from == Approved { // an approved line may have gone into a batch since it was read
			notSent = ` AND NOT EXISTS (SELECT 1 FROM payout_batch_lines m WHERE m.line_id = payout_lines.id)`
		}
		res, err := tx.ExecContext(ctx, `UPDATE payout_lines SET status = $1, `+col+` = $2, updated_at = $3,
			version = version + 1 WHERE status = $4 AND id IN (`+ph+`)`+notSent, append([]any{to, text, now, from}, args...)...)
		if err != nil {
			return errs.Wrap(err, "payout status")
		}
		if n, _ := res.RowsAffected(); int(n) != len(chunk) {
			return errs.New(errs.Conflict, "payout_changed", "部分拨付记录已被他人处理，请刷新后重试")
		}
	}
	return nil
}

// linesForUpdate reads the lines of ids (NotFound naming a missing one).
// On PostgreSQL the rows are locked until the transaction ends.
func (s *Service) linesForUpdate(ctx context.Context, tx *sql.Tx, ids []int64) ([]Line, error) {
	var out []Line
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		ph, args := inIDs(chunk, 1)
		lines, err := queryLines(ctx, tx, `WHERE id IN (`+ph+`) ORDER BY id`+s.forUpdate(), args...)
		if err != nil {
			return nil, err
		}
		out = append(out, lines...)
	}
	if len(out) != len(uniq(ids)) {
		return nil, errs.NotFoundf("部分拨付记录不存在，请刷新后重试")
	}
	return out, nil
}

// summary is the audit view of many lines: count and total per scheme.
func summary(lines []Line) map[string]any {
	per := map[string]int64{}
	for i := range lines {
		per[lines[i].Scheme] += int64(lines[i].Amount)
	}
	return map[string]any{"lines": len(lines), "total_fen_by_scheme": per}
}

func total(lines []Line) money.Fen {
	var t money.Fen
	for i := range lines {
		t += lines[i].Amount
	}
	return t
}

var _ = ledger.Bank
