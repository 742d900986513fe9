package casework

import (
	"context"
	"database/sql"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
)

// ReopenLabel is the history line and queue marker of a decided case
// reopened because the person's contribution records were corrected
// after the decision (docs/rules.md "Retiree record upkeep").
const ReopenLabel = "缴费记录维护后重新核定"

// ReopenTx moves a decided (or archived) case back to 审核中 inside the
// caller's transaction, so the new determination the corrected records
// produced waits in the section's queue: the case keeps its clerk and its
// first decision time (which marks it Reopened) and has no deadline (the
// original one was met). It checks no section: the caller did. A case
// already open for review is left as it is. Errors: NotFound.
func (s *Service) ReopenTx(ctx context.Context, tx *sql.Tx, a *access.Actor, no, comment string) (*Case, error) {
	c, err := caseByNo(ctx, tx, no)
	if err != nil {
		return nil, err
	}
	if c.State != Decided && c.State != Closed {
		s.derive(c)
		return c, nil
	}
	if err := bump(ctx, tx, c, c.Version, s.now(), staleCase()); err != nil {
		return nil, err
	}
	from := c.State
	c.State, c.ClosedAt, c.DeadlineAt, c.DeadlineRule = InReview, nil, nil, ""
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET deadline_at = NULL, deadline_rule = '' WHERE id = $1`, c.ID); err != nil {
		return nil, errs.Wrap(err, "reopen case")
	}
	if err := setState(ctx, tx, c); err != nil {
		return nil, err
	}
	body := ReopenLabel
	if comment != "" {
		body += "：" + comment
	}
	if err := s.event(ctx, tx, a, c.ID, Event{Kind: "transition", From: from, To: c.State, Public: true, Body: body}); err != nil {
		return nil, err
	}
	s.derive(c)
	return c, s.audit.Record(ctx, tx, a, audit.Entry{Action: "case.reopen", Entity: "case", EntityID: c.No,
		Before: map[string]any{"state": from}, After: map[string]any{"state": c.State}, Note: clip(comment, 200)})
}

// SettleReopenedTx moves a reopened case (审核中 after a decision) to
// 已办结 once its new determination is decided, inside the caller's
// transaction; any other case is left as it is. The actor is staff of
// the case's section.
func (s *Service) SettleReopenedTx(ctx context.Context, tx *sql.Tx, a *access.Actor, no, comment string) error {
	c, err := caseByNo(ctx, tx, no)
	if err != nil || c.State != InReview || c.DecidedAt == nil {
		return err
	}
	_, err = s.MoveTx(ctx, tx, a, no, Decided, comment)
	return err
}
