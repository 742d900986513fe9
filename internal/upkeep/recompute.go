package upkeep

import (
	"context"
	"database/sql"
	"strings"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/retirement"
)

// recompute asks the pension determination of a person's retirement case
// to recompute after the batch corrected the person's records, and keeps
// the outcome on each correction: changed (a new version with the
// difference, waiting for 保险福利科's review and check), unchanged, or
// none (no determination in Shebao).
func (s *Service) recompute(ctx context.Context, tx *sql.Tx, a *access.Actor, b *Batch, cs []*Correction) error {
	caseNo := ""
	for _, c := range cs {
		if c.CaseNo != "" {
			caseNo = c.CaseNo
		}
	}
	if caseNo == "" {
		no, err := retirement.CaseOfPerson(ctx, tx, cs[0].PersonID)
		if err != nil {
			return err
		}
		caseNo = no
	}
	outcome, version := RecomputeNone, int64(0)
	var res *retirement.Recomputation
	if caseNo != "" {
		nos := make([]string, len(cs))
		for i, c := range cs {
			nos[i] = c.No
		}
		var err error
		res, err = s.retirement.RecomputeTx(ctx, tx, a, caseNo, "缴费记录维护批次 "+b.No+"（维护单 "+strings.Join(nos, "、")+"）更正了缴费记录")
		if err != nil {
			return recomputeErr(err, cs[0])
		}
	}
	if res != nil {
		outcome = RecomputeUnchanged
		if res.Changed {
			outcome, version = RecomputeChanged, res.Version
		}
	} else {
		caseNo = ""
	}
	var before, after int64
	if res != nil {
		before, after = int64(res.Before), int64(res.After)
	}
	for _, c := range cs {
		if _, err := tx.ExecContext(ctx, `UPDATE record_corrections SET recompute = $1, det_case_no = $2, det_version = $3,
			before_fen = $4, after_fen = $5 WHERE id = $6`, outcome, caseNo, version, before, after, c.ID); err != nil {
			return errs.Wrap(err, "recompute outcome")
		}
	}
	return nil
}

// recomputeErr names the correction whose person could not be recomputed.
func recomputeErr(err error, c *Correction) error {
	e := errs.As(err)
	if e == nil || e.Kind == errs.Internal {
		return err
	}
	return errs.New(e.Kind, e.Code, "维护单 "+c.No+"（"+c.NameMasked()+"）更正后重新核定待遇未能完成："+e.Message)
}
