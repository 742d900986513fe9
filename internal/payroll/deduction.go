package payroll

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// deduction is an open overpayment recovery of a pensioner.
type deduction struct {
	id, pensioner             int64
	total, monthly, recovered money.Fen
}

// openDeductions returns the deductions of the chunk's pensioners that
// still have something to recover and took nothing from month yet.
func openDeductions(ctx context.Context, tx *sql.Tx, lo, hi int64, month clock.Month) (map[int64][]deduction, error) {
	out := map[int64][]deduction{}
	err := db.Each(ctx, tx, func(row db.Scanner) error {
		var d deduction
		var t, m, r int64
		if err := row.Scan(&d.id, &d.pensioner, &t, &m, &r); err != nil {
			return err
		}
		d.total, d.monthly, d.recovered = money.Fen(t), money.Fen(m), money.Fen(r)
		out[d.pensioner] = append(out[d.pensioner], d)
		return nil
	}, `SELECT d.id, d.pensioner_id, d.total_fen, d.monthly_fen, d.recovered_fen
		FROM pension_deductions d JOIN pensioners p ON p.id = d.pensioner_id
		WHERE p.person_id BETWEEN $1 AND $2 AND d.recovered_fen < d.total_fen AND d.start_month <= $3
		AND NOT EXISTS (SELECT 1 FROM pension_deduction_entries e WHERE e.deduction_id = d.id AND e.month = $3)
		ORDER BY d.id`, lo, hi, month.String())
	return out, errs.Wrap(err, "open deductions")
}

// recordDeductions writes the instalments taken in a chunk.
func recordDeductions(ctx context.Context, tx *sql.Tx, ts []taken, month clock.Month) error {
	for _, t := range ts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pension_deduction_entries (deduction_id, month, amount_fen) VALUES ($1, $2, $3)`,
			t.deduction, month.String(), int64(t.amount)); err != nil {
			return errs.Wrap(err, "deduction entry")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pension_deductions SET recovered_fen = recovered_fen + $1, version = version + 1
			WHERE id = $2`, int64(t.amount), t.deduction); err != nil {
			return errs.Wrap(err, "deduction recovered")
		}
	}
	return nil
}

// Deduction is an overpayment to recover from a pensioner's pension.
type Deduction struct {
	PersonID int64
	Total    money.Fen
	Monthly  money.Fen
	Start    clock.Month
	Reason   string
}

// AddDeduction records an overpayment recovered in monthly instalments
// (at most half of a month's pension) from Start on: 保险福利科 or
// 基金管理科. Invalid names the field; NotFound when not a pensioner.
func (s *Service) AddDeduction(ctx context.Context, a *access.Actor, d Deduction) (int64, error) {
	if MayManage(a) != nil {
		if err := MayRun(a); err != nil {
			return 0, err
		}
	}
	var f errs.Fields
	if d.Total <= 0 {
		f.Add("total", "应扣回总额必须大于0")
	}
	if d.Monthly <= 0 || d.Monthly > d.Total {
		f.Add("monthly", "每月扣回金额必须大于0且不超过总额")
	}
	if d.Start.IsZero() {
		f.Add("start_month", "请填写开始扣回月份（YYYY-MM）")
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if d.Reason == "" || utf8.RuneCountInString(d.Reason) > 200 {
		f.Add("reason", "请填写扣回原因（不超过200字）")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := pensionerByPerson(ctx, tx, d.PersonID)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO pension_deductions (pensioner_id, reason, total_fen, monthly_fen, start_month,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, p.ID, d.Reason, int64(d.Total), int64(d.Monthly),
			d.Start.String(), a.Name(), s.clock.Now()).Scan(&id); err != nil {
			return errs.Wrap(err, "add deduction")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payroll.deduction.add", Entity: "pension_deduction", EntityID: idStr(id),
			After: map[string]any{"pensioner": p.ID, "total_fen": int64(d.Total), "monthly_fen": int64(d.Monthly), "start": d.Start.String()},
			Note:  d.Reason})
	})
	return id, err
}

// deducted returns, per person and month, what deductions took from the
// month's pension (it counts as paid: recovered, not owed again).
func deducted(ctx context.Context, tx *sql.Tx, lo, hi int64, from, to clock.Month) (map[int64]map[string]money.Fen, error) {
	out := map[int64]map[string]money.Fen{}
	err := db.Each(ctx, tx, func(r db.Scanner) error {
		var id, amt int64
		var m string
		if err := r.Scan(&id, &m, &amt); err != nil {
			return err
		}
		if out[id] == nil {
			out[id] = map[string]money.Fen{}
		}
		out[id][m] = money.Fen(amt)
		return nil
	}, `SELECT p.person_id, e.month, SUM(e.amount_fen) FROM pension_deduction_entries e
		JOIN pension_deductions d ON d.id = e.deduction_id JOIN pensioners p ON p.id = d.pensioner_id
		WHERE p.person_id BETWEEN $1 AND $2 AND e.month >= $3 AND e.month <= $4 GROUP BY p.person_id, e.month`,
		lo, hi, from.String(), to.String())
	return out, errs.Wrap(err, "deducted")
}

// DeductionRow is a deduction with its pensioner, for the list.
type DeductionRow struct {
	ID        int64
	Name      string
	IDNumber  string
	Total     money.Fen
	Monthly   money.Fen
	Recovered money.Fen
	Start     clock.Month
	Reason    string
	CreatedBy string
	CreatedAt time.Time
}

// MaskedIDNumber masks the ID number for the list.
func (d *DeductionRow) MaskedIDNumber() string { return ident.MaskID(d.IDNumber) }

// Left is what remains to recover.
func (d *DeductionRow) Left() money.Fen { return d.Total - d.Recovered }

// DeductionsPerPage is the page size of the deduction list.
const DeductionsPerPage = 30

// Deductions lists a page of the deductions, newest first, with how many
// there are, to staff who may view the register.
func (s *Service) Deductions(ctx context.Context, a *access.Actor, page int) ([]DeductionRow, int64, error) {
	if err := MayView(a); err != nil {
		return nil, 0, err
	}
	q := s.db.Read()
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM pension_deductions`).Scan(&n); err != nil {
		return nil, 0, errs.Wrap(err, "deductions")
	}
	var out []DeductionRow
	err := db.Each(ctx, q, func(row db.Scanner) error {
		var d DeductionRow
		var t, m, r int64
		var start string
		if err := row.Scan(&d.ID, &d.Name, &d.IDNumber, &t, &m, &r, &start, &d.Reason, &d.CreatedBy, &d.CreatedAt); err != nil {
			return err
		}
		d.Total, d.Monthly, d.Recovered = money.Fen(t), money.Fen(m), money.Fen(r)
		d.Start, _ = clock.ParseMonth(start)
		out = append(out, d)
		return nil
	}, `SELECT d.id, p.name, p.id_number, d.total_fen, d.monthly_fen, d.recovered_fen, d.start_month,
		d.reason, d.created_by, d.created_at FROM pension_deductions d JOIN pensioners p ON p.id = d.pensioner_id
		ORDER BY d.id DESC LIMIT `+strconv.Itoa(DeductionsPerPage)+` OFFSET `+strconv.Itoa((max(page, 1)-1)*DeductionsPerPage))
	return out, n, errs.Wrap(err, "deductions")
}

// PensionerByIDNumber finds a pensioner by ID number for staff who may
// view the register: Invalid (field id_number) when not a valid number,
// NotFound when not in the register.
func (s *Service) PensionerByIDNumber(ctx context.Context, a *access.Actor, idNumber string) (*Pensioner, error) {
	if err := MayView(a); err != nil {
		return nil, err
	}
	id, err := ident.ParseID(strings.TrimSpace(idNumber))
	if err != nil {
		return nil, errs.Fields{{Field: "id_number", Message: "身份证号码不正确，请核对"}}.Err()
	}
	p, err := onePensioner(ctx, s.db.Read(), `WHERE p.id_number = $1`, id.Number)
	if errs.KindOf(err) == errs.NotFound {
		return nil, errs.Fields{{Field: "id_number", Message: "该身份证号码的人员不在养老金发放名册中"}}.Err()
	}
	return p, err
}
