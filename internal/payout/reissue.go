package payout

import (
	"context"
	"database/sql"
	"regexp"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
)

var reissueSuffix = regexp.MustCompile(`/R[0-9]+$`)

// Reissue replaces a failed line by a new prepared line with the corrected
// account (same payee, amount, reason and period; key + "/R<n>"), which a
// second clerk approves as any other; the failed line becomes reissued.
// Fund section only; version must be the failed line's. Invalid names the
// account field; Conflict when the line is not failed or changed.
func (s *Service) Reissue(ctx context.Context, a *access.Actor, id, version int64, acct Request) (*Line, error) {
	if err := MayApprove(a); err != nil {
		return nil, err
	}
	var out *Line
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		lines, err := s.linesForUpdate(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		old := &lines[0]
		if old.Status != Failed {
			return errs.New(errs.Conflict, "payout_not_failed", "只有支付失败的拨付才能重新拨付（当前："+old.StatusName()+"）")
		}
		if version != 0 && version != old.Version {
			return errs.New(errs.Conflict, "payout_changed", "该拨付记录已被他人修改，请刷新后重试")
		}
		r := reissueRequest(old, acct)
		r.normalize()
		if err := r.Validate(); err != nil {
			return err
		}
		bank, err := resolveBank(ctx, tx, r.BankCode, r.BankName)
		if err != nil {
			return err
		}
		r.BankCode = bank
		base := reissueSuffix.ReplaceAllString(old.BusinessKey, "")
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM payout_lines WHERE reissue_of IS NOT NULL AND business_key LIKE $1`,
			base+"/R%").Scan(&n); err != nil {
			return errs.Wrap(err, "reissue count")
		}
		key := base + "/R" + strconv.FormatInt(n+1, 10)
		if err := setStatus(ctx, tx, lines, Failed, Reissued, "memo", old.Memo, s.clock.Now()); err != nil {
			return err
		}
		var nid int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO payout_lines (`+colNames()+`, reissue_of) VALUES (`+params(len(lineInsertCols))+`, $`+strconv.Itoa(len(lineInsertCols)+1)+`) RETURNING id`,
			append(rowArgsKey(&r, key, a, s.clock.Now()), old.ID)...).Scan(&nid); err != nil {
			return errs.Wrap(err, "insert reissue")
		}
		if out, err = getLine(ctx, tx, nid); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.reissue", Entity: "payout_line", EntityID: idStr(nid),
			Before: auditView(old), After: auditView(out)})
	})
	return out, err
}

func reissueRequest(old *Line, acct Request) Request {
	return Request{PayeeKind: old.PayeeKind, PayeeID: old.PayeeID, PayeeName: old.PayeeName, PayeeIDNumber: old.PayeeIDNumber,
		AccountKind: acct.AccountKind, AccountName: acct.AccountName, AccountNo: acct.AccountNo, BankName: acct.BankName,
		BankCode: acct.BankCode, NameConfirmed: acct.NameConfirmed, Amount: old.Amount, Benefit: old.Benefit, Scheme: old.Scheme,
		SourceKind: old.SourceKind, SourceID: old.SourceID, Period: old.Period, Memo: old.Memo, PayDate: old.PayDate}
}

func colNames() string {
	s := ""
	for i, c := range lineInsertCols {
		if i > 0 {
			s += ", "
		}
		s += c.Name
	}
	return s
}

func params(n int) string {
	s := ""
	for i := 1; i <= n; i++ {
		if i > 1 {
			s += ", "
		}
		s += "$" + strconv.Itoa(i)
	}
	return s
}
