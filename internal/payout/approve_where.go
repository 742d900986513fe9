package payout

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Approval is what approving a whole selection did: the lines approved
// and the lines of the selection refused because the approver prepared
// them (the two-person rule).
type Approval struct {
	Lines        int64     `json:"lines"`
	Total        money.Fen `json:"total_fen"`
	Refused      int64     `json:"refused"`
	RefusedTotal money.Fen `json:"refused_fen"`
}

// ApproveWhere approves every prepared line of a filter in one statement
// and one transaction, except the lines a prepared (they are counted in
// Refused and stay prepared for another clerk). expect, when not 0, is
// the count the clerk confirmed: a selection that has changed since is a
// Conflict and nothing is approved. The expense is posted per scheme and
// one audit record lists the filter, count and totals. Nothing to
// approve is Invalid. Fund section only.
func (s *Service) ApproveWhere(ctx context.Context, a *access.Actor, f Filter, expect int64, note string) (*Approval, error) {
	if err := MayApprove(a); err != nil {
		return nil, err
	}
	f.Status, f.BatchID, f.benefits = Prepared, 0, nil
	where, args := f.where()
	n := len(args)
	own := fmt.Sprintf(`(prepared_by = $%d OR (prepared_by_id = $%d AND prepared_by_id <> 0))`, n+1, n+2)
	args = append(args, a.Username, a.UserID)
	res := &Approval{}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var refused int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM payout_lines `+where+` AND `+own,
			args...).Scan(&res.Refused, &refused); err != nil {
			return errs.Wrap(err, "approve selection")
		}
		res.RefusedTotal = money.Fen(refused)
		now := s.clock.Now()
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`UPDATE payout_lines SET status = 'approved', approved_by = $%d, approved_by_id = $%d,
			approved_at = $%d, updated_at = $%d, version = version + 1 `, n+3, n+4, n+5, n+5)+where+` AND NOT `+own+` RETURNING scheme, benefit, amount_fen`,
			append(args, a.Name(), a.UserID, now)...)
		if err != nil {
			return errs.Wrap(err, "approve selection")
		}
		per, err := sumPerScheme(rows, &res.Lines)
		if err != nil {
			return err
		}
		res.Total = per.total()
		if err := checkSelection(res, expect); err != nil {
			return err
		}
		if err := s.postAmounts(ctx, tx, a, postApprove, 0, res.Lines, per); err != nil {
			return err
		}
		byScheme := per.byScheme()
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.approve", Entity: "payout_line", EntityID: f.describe(),
			After: map[string]any{"lines": res.Lines, "total_fen": int64(res.Total), "total_fen_by_scheme": byScheme,
				"refused_own_lines": res.Refused, "refused_fen": int64(res.RefusedTotal)}, Note: strings.TrimSpace(note)})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Approvable counts what ApproveWhere would do now for a: the prepared
// lines of the filter a may approve (Lines, Total) and those a prepared
// (Refused, RefusedTotal), for the confirmation on the list page. Fund
// section only.
func (s *Service) Approvable(ctx context.Context, a *access.Actor, f Filter) (*Approval, error) {
	if err := MayApprove(a); err != nil {
		return nil, err
	}
	f.Status, f.BatchID, f.benefits = Prepared, 0, nil
	where, args := f.where()
	n := len(args)
	own := fmt.Sprintf(`(prepared_by = $%d OR (prepared_by_id = $%d AND prepared_by_id <> 0))`, n+1, n+2)
	args = append(args, a.Username, a.UserID)
	res := &Approval{}
	var tot, refused int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN `+own+` THEN 0 ELSE 1 END), 0),
		COALESCE(SUM(CASE WHEN `+own+` THEN 0 ELSE amount_fen END), 0),
		COALESCE(SUM(CASE WHEN `+own+` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN `+own+` THEN amount_fen ELSE 0 END), 0) FROM payout_lines `+where, args...).
		Scan(&res.Lines, &tot, &res.Refused, &refused)
	res.Total, res.RefusedTotal = money.Fen(tot), money.Fen(refused)
	return res, errs.Wrap(err, "approvable lines")
}

// checkSelection refuses an empty selection, or one whose count is not
// the one confirmed.
func checkSelection(res *Approval, expect int64) error {
	switch {
	case res.Lines == 0 && res.Refused > 0:
		return errs.New(errs.Forbidden, "payout_own_line", fmt.Sprintf("所选的%d笔拨付都由您本人经办，须由基金管理科的另一名工作人员审核", res.Refused))
	case res.Lines == 0:
		return errs.Fields{{Field: "ids", Message: "所选范围内没有待审核的拨付记录"}}.Err()
	case expect != 0 && res.Lines != expect:
		return errs.New(errs.Conflict, "payout_selection_changed",
			fmt.Sprintf("待审核的拨付已从确认时的%d笔变为%d笔，未做任何审核，请刷新后重新确认", expect, res.Lines))
	}
	return nil
}

// sumPerScheme reads (scheme, benefit, amount) rows into totals per
// scheme and charged account.
func sumPerScheme(rows *sql.Rows, n *int64) (sums, error) {
	defer rows.Close()
	per := sums{}
	for rows.Next() {
		var sc, benefit string
		var amt int64
		if err := rows.Scan(&sc, &benefit, &amt); err != nil {
			return nil, errs.Wrap(err, "sum per scheme")
		}
		per[bucketOf(sc, benefit)] += money.Fen(amt)
		*n++
	}
	return per, errs.Wrap(rows.Err(), "sum per scheme")
}

// describe is the audit entity id of a selection: its filter in Chinese.
func (f *Filter) describe() string {
	var parts []string
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+"="+v)
		}
	}
	add("险种", f.Scheme)
	add("待遇", f.Benefit)
	add("代发银行", f.Bank)
	add("期间", f.Period)
	add("查询", strings.TrimSpace(f.Query))
	if len(parts) == 0 {
		return "全部待审核"
	}
	return "待审核：" + strings.Join(parts, "，")
}
