package payroll

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// adjustments returns every general adjustment, by effective month.
func (s *Service) adjustments(ctx context.Context, q db.Querier) ([]Adjustment, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, effective_month, retired_before, rate_ppm, fixed_fen, basis
		FROM pension_adjustments ORDER BY effective_month`)
	if err != nil {
		return nil, errs.Wrap(err, "adjustments")
	}
	defer rows.Close()
	var out []Adjustment
	for rows.Next() {
		var a Adjustment
		var eff, before string
		var rate, fixed int64
		if err := rows.Scan(&a.ID, &eff, &before, &rate, &fixed, &a.Basis); err != nil {
			return nil, errs.Wrap(err, "adjustments")
		}
		a.Effective, _ = clock.ParseMonth(eff)
		a.RetiredBefore, _ = clock.ParseMonth(before)
		a.Rate, a.Fixed = moneyRate(rate), moneyFen(fixed)
		out = append(out, a)
	}
	sortAdjustments(out)
	return out, errs.Wrap(rows.Err(), "adjustments")
}

// Adjustments lists the general adjustments to staff who may view.
func (s *Service) Adjustments(ctx context.Context, a *access.Actor) ([]Adjustment, error) {
	if err := MayView(a); err != nil {
		return nil, err
	}
	return s.adjustments(ctx, s.db.Read())
}

// AddAdjustment records a general adjustment (调待) decided for a year:
// 保险福利科 or 基金管理科. Months already paid from its effective month on
// are paid as back pay by the next run. One adjustment per effective month
// (Conflict); Invalid names the field.
func (s *Service) AddAdjustment(ctx context.Context, a *access.Actor, adj Adjustment) (int64, error) {
	if MayManage(a) != nil {
		if err := MayRun(a); err != nil {
			return 0, err
		}
	}
	if err := adj.validate(); err != nil {
		return 0, err
	}
	var id int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO pension_adjustments (effective_month, retired_before, rate_ppm, fixed_fen, basis,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, adj.Effective.String(), adj.RetiredBefore.String(),
			int64(adj.Rate), int64(adj.Fixed), adj.Basis, a.Name(), s.clock.Now()).Scan(&id)
		if db.IsUniqueViolation(err) {
			return errs.Fields{{Field: "effective_month", Message: adj.Effective.Chinese() + "已有一项调整"}}.Err()
		}
		if err != nil {
			return errs.Wrap(err, "add adjustment")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pensioners SET recalc_from = $1 WHERE first_month < $2 AND status = 'active'
			AND (recalc_from = '' OR recalc_from > $1)`, adj.Effective.String(), adj.RetiredBefore.String()); err != nil {
			return errs.Wrap(err, "adjustment recalc")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payroll.adjustment.add", Entity: "pension_adjustment", EntityID: idStr(id),
			After: map[string]any{"effective": adj.Effective.String(), "retired_before": adj.RetiredBefore.String(),
				"rate_ppm": int64(adj.Rate), "fixed_fen": int64(adj.Fixed), "basis": adj.Basis}})
	})
	return id, err
}

// validate names every wrong field of an adjustment (Invalid).
func (adj *Adjustment) validate() error {
	var f errs.Fields
	if adj.Effective.IsZero() {
		f.Add("effective_month", "请填写调整起始月份（YYYY-MM）")
	}
	if adj.RetiredBefore.IsZero() {
		f.Add("retired_before", "请填写适用范围（在此月份之前退休的人员）")
	}
	if adj.Rate < 0 || adj.Rate > 200_000 {
		f.Add("rate", "调整比例应在0至20%之间")
	}
	if adj.Fixed < 0 || adj.Fixed > 100_000 {
		f.Add("fixed", "定额调整应在0至1,000元之间")
	}
	if adj.Rate == 0 && adj.Fixed == 0 {
		f.Add("rate", "请填写调整比例或定额")
	}
	adj.Basis = strings.TrimSpace(adj.Basis)
	if adj.Basis == "" || utf8.RuneCountInString(adj.Basis) > 200 {
		f.Add("basis", "请填写调整依据（文号）")
	}
	return f.Err()
}

// AdjustmentPreview is what an adjustment would do, shown before it is
// confirmed.
type AdjustmentPreview struct {
	Pensioners int64     // in pay and qualifying (first month before the cut-off)
	Example    money.Fen // the adjusted amount of an example pension
	ExampleOf  money.Fen
}

// PreviewAdjustment validates an adjustment and counts the pensioners it
// raises (for the confirmation step): 保险福利科 or 基金管理科.
func (s *Service) PreviewAdjustment(ctx context.Context, a *access.Actor, adj Adjustment) (*AdjustmentPreview, error) {
	if MayManage(a) != nil {
		if err := MayRun(a); err != nil {
			return nil, err
		}
	}
	if err := adj.validate(); err != nil {
		return nil, err
	}
	p := &AdjustmentPreview{ExampleOf: 300000}
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM pensioners WHERE status = 'active' AND first_month < $1`,
		adj.RetiredBefore.String()).Scan(&p.Pensioners); err != nil {
		return nil, errs.Wrap(err, "adjustment preview")
	}
	p.Example = p.ExampleOf + p.ExampleOf.Apply(adj.Rate) + adj.Fixed
	return p, nil
}
