package retirement

import (
	"context"
	"database/sql"
	"fmt"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Recomputation is the outcome of a recomputation request after a
// person's contribution records were corrected: whether the monthly
// pension changes and, when it does, the new determination version that
// waits for 保险福利科's review and second check.
type Recomputation struct {
	CaseNo     string
	Changed    bool
	Version    int64 // the new version (0 when unchanged)
	Before     money.Fen
	After      money.Fen
	Difference money.Fen
}

// CaseOfPerson is the determination case of a person's confirmed
// retirement qualification ("" when there is none). It checks no
// permission.
func CaseOfPerson(ctx context.Context, q db.Querier, personID int64) (string, error) {
	var no string
	err := q.QueryRowContext(ctx, `SELECT case_no FROM retirement_qualifications WHERE person_id = $1 AND status = 'approved'
		AND case_no <> '' ORDER BY id DESC LIMIT 1`, personID).Scan(&no)
	if db.IsNoRows(err) {
		return "", nil
	}
	return no, errs.Wrap(err, "case of person")
}

// CaseDecided tells whether a case has a decided determination. It
// checks no permission.
func CaseDecided(ctx context.Context, q db.Querier, caseNo string) (bool, error) {
	ds, err := determinations(ctx, q, "case_no = $1 AND status = 'decided'", caseNo)
	return len(ds) > 0, err
}

// RecomputeTx is the recomputation request of a records correction,
// inside the caller's transaction: the pension of the case is computed
// again from the corrected records with the same formula as Compute;
// when the monthly amount differs from the latest version, a new version
// goes the usual correction path (a decided pension gets the next version
// with the difference, reviewed and checked by 保险福利科, back pay or
// recovery through the payroll as a correction); when it does not,
// nothing is written. A case without a determination yet is nil (its
// first computation reads the corrected records). It checks no section:
// the caller (个人账户科's batch) did (docs/rules.md "Retiree record upkeep").
func (s *Service) RecomputeTx(ctx context.Context, tx *sql.Tx, a *access.Actor, caseNo, reason string) (*Recomputation, error) {
	x, err := scanQual(tx.QueryRowContext(ctx, `SELECT `+qualColumns+qualFrom+` WHERE q.case_no = $1 AND q.case_no <> ''`, caseNo))
	if db.IsNoRows(err) {
		return nil, errs.New(errs.NotFound, "determination_not_found", "该业务没有已确认的退休资格，不能重新核定待遇")
	}
	if err != nil {
		return nil, errs.Wrap(err, "case qualification")
	}
	prev, err := latestDetermination(ctx, tx, caseNo)
	if err != nil || prev == nil {
		return nil, err
	}
	balance := ""
	if prev.BalanceSource == BalanceEntered {
		balance = fmt.Sprintf("%d.%02d", int64(prev.Balance)/100, int64(prev.Balance)%100)
	}
	d, err := s.compute(ctx, tx, x, balance)
	if err != nil {
		return nil, err
	}
	out := &Recomputation{CaseNo: caseNo, Before: prev.Total, After: d.Total, Difference: d.Total - prev.Total}
	if d.Total == prev.Total {
		out.After, out.Difference = prev.Total, 0
		return out, nil
	}
	d.CaseNo, d.QualificationID, d.ComputedBy = caseNo, x.ID, a.UserID
	if err := s.placeVersion(ctx, tx, d, prev, reason); err != nil {
		return nil, err
	}
	if err := insertDetermination(ctx, tx, d, s.now()); err != nil {
		return nil, err
	}
	if prev.Status == DetDecided {
		if _, err := s.cases.ReopenTx(ctx, tx, a, caseNo, fmt.Sprintf("第 %d 版待遇核定待复核（%s）", d.Version, d.Reason)); err != nil {
			return nil, err
		}
	}
	out.Changed, out.Version = true, d.Version
	return out, s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.determination.recompute", Entity: "pension_determination",
		EntityID: fmt.Sprintf("%s/%d", caseNo, d.Version), Before: map[string]any{"total_fen": prev.Total},
		After: map[string]any{"total_fen": d.Total, "difference_fen": out.Difference}, Note: d.Reason})
}

// PersonOfCase is the person of a retirement determination case (a
// confirmed qualification). It checks no permission. Errors: NotFound.
func PersonOfCase(ctx context.Context, q db.Querier, caseNo string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT person_id FROM retirement_qualifications WHERE case_no = $1 AND case_no <> ''
		ORDER BY id DESC LIMIT 1`, caseNo).Scan(&id)
	if db.IsNoRows(err) {
		return 0, errs.New(errs.NotFound, "case_not_found", "未找到该退休业务："+caseNo)
	}
	return id, errs.Wrap(err, "person of case")
}
