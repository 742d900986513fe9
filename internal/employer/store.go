package employer

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// appColumns are the columns scanApp reads, prefixed with "a." so queries
// can join employers (e) for the employer number.
const appColumns = `a.id, a.app_no, a.uscc, a.name, a.legal_rep, a.address, a.contact_name, a.contact_phone,
 a.contact_email, a.industry, a.risk_class, a.bank_name, a.bank_account, a.established_on, a.channel,
 a.recorded_by, a.status, a.return_reasons, a.late_flag, a.late_basis, a.reviewer_id, a.decided_at,
 a.employer_id, COALESCE(e.employer_no, ''), a.previous_id, a.submitted_at, a.version`

const appFrom = ` FROM employer_applications a LEFT JOIN employers e ON e.id = a.employer_id`

type scanner interface{ Scan(dest ...any) error }

func scanApp(r scanner) (*Application, error) {
	var a Application
	var recordedBy, reviewer, employerID, previous sql.NullInt64
	var decided sql.NullTime
	err := r.Scan(&a.ID, &a.AppNo, &a.USCC, &a.Name, &a.LegalRep, &a.Address, &a.ContactName, &a.ContactPhone,
		&a.ContactEmail, &a.Industry, &a.RiskClass, &a.BankName, &a.BankAccount, &a.EstablishedOn, &a.Channel,
		&recordedBy, &a.Status, &a.ReturnReasons, &a.Late, &a.LateBasis, &reviewer, &decided,
		&employerID, &a.EmployerNo, &previous, &a.SubmittedAt, &a.Version)
	if err != nil {
		return nil, err
	}
	a.RecordedBy, a.ReviewerID, a.EmployerID, a.PreviousID = recordedBy.Int64, reviewer.Int64, employerID.Int64, previous.Int64
	if decided.Valid {
		t := decided.Time.UTC()
		a.DecidedAt = &t
	}
	a.SubmittedAt = a.SubmittedAt.UTC()
	return &a, nil
}

// loadApp reads one application; NotFound when there is none.
func loadApp(ctx context.Context, q db.Querier, where string, args ...any) (*Application, error) {
	a, err := scanApp(q.QueryRowContext(ctx, `SELECT `+appColumns+appFrom+` WHERE `+where, args...))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该登记申请")
	}
	if err != nil {
		return nil, errs.Wrap(err, "load application")
	}
	return a, nil
}

// employerColumns are the columns scanEmployer reads.
const employerColumns = `id, employer_no, uscc, name, legal_rep, address, contact_name, contact_phone, contact_email,
 industry, risk_class, injury_float_ppm, bank_name, bank_account, established_on, status, registered_on,
 created_at, updated_at, version`

func scanEmployer(r scanner) (*Employer, error) {
	var e Employer
	err := r.Scan(&e.ID, &e.EmployerNo, &e.USCC, &e.Name, &e.LegalRep, &e.Address, &e.ContactName, &e.ContactPhone,
		&e.ContactEmail, &e.Industry, &e.RiskClass, &e.InjuryFloat, &e.BankName, &e.BankAccount, &e.EstablishedOn,
		&e.Status, &e.RegisteredOn, &e.CreatedAt, &e.UpdatedAt, &e.Version)
	if err != nil {
		return nil, err
	}
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return &e, nil
}

// loadEmployer reads one employer by id; NotFound when there is none.
func loadEmployer(ctx context.Context, q db.Querier, id int64) (*Employer, error) {
	e, err := scanEmployer(q.QueryRowContext(ctx, `SELECT `+employerColumns+` FROM employers WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该参保单位")
	}
	if err != nil {
		return nil, errs.Wrap(err, "load employer")
	}
	return e, nil
}

// insertEmployer stores e (EmployerNo already assigned) and sets e.ID.
func insertEmployer(ctx context.Context, q db.Querier, e *Employer, now time.Time) error {
	if e.InjuryFloat == 0 {
		e.InjuryFloat = 1_000_000
	}
	if e.Status == "" {
		e.Status = EmployerActive
	}
	e.CreatedAt, e.UpdatedAt, e.Version = now, now, 1
	err := q.QueryRowContext(ctx, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, contact_name,
 contact_phone, contact_email, industry, risk_class, injury_float_ppm, bank_name, bank_account, established_on,
 status, registered_on, created_at, updated_at)
 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$17) RETURNING id`,
		e.EmployerNo, e.USCC, e.Name, e.LegalRep, e.Address, e.ContactName, e.ContactPhone, e.ContactEmail,
		e.Industry, e.RiskClass, e.InjuryFloat, e.BankName, e.BankAccount, e.EstablishedOn, e.Status,
		e.RegisteredOn, now).Scan(&e.ID)
	if err != nil {
		if db.IsUniqueViolation(err) {
			return errs.New(errs.Conflict, "uscc_registered", "该统一社会信用代码已参保登记，不能重复登记")
		}
		return errs.Wrap(err, "insert employer")
	}
	return nil
}

// nextCounter adds n to counter name inside tx and returns the last value
// handed out. The row lock taken by the UPDATE serialises concurrent
// transactions on PostgreSQL; SQLite has a single writer.
func nextCounter(ctx context.Context, tx *sql.Tx, name string, n int64) (int64, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO employer_counters (name, value) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, name); err != nil {
		return 0, errs.Wrap(err, "counter "+name)
	}
	var v int64
	if err := tx.QueryRowContext(ctx, `UPDATE employer_counters SET value = value + $2 WHERE name = $1 RETURNING value`, name, n).Scan(&v); err != nil {
		return 0, errs.Wrap(err, "counter "+name)
	}
	return v, nil
}

// nextAppNo returns the next application number of day, e.g. DJ20240210-0007.
func nextAppNo(ctx context.Context, tx *sql.Tx, day time.Time) (string, error) {
	ymd := day.Format("20060102")
	v, err := nextCounter(ctx, tx, "app:"+ymd, 1)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("DJ%s-%04d", ymd, v), nil
}

// NextEmployerNos reserves n employer numbers inside tx and returns them in
// order. Anything that inserts into employers directly (the demo
// generator) must take its numbers from here so Approve never collides.
func (s *Service) NextEmployerNos(ctx context.Context, tx *sql.Tx, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	last, err := nextCounter(ctx, tx, "employer_no", int64(n))
	if err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		out[i] = formatEmployerNo(s.prefix, last-int64(n)+1+int64(i))
	}
	return out, nil
}

// formatEmployerNo joins the prefix and a sequence of at least 6 digits.
func formatEmployerNo(prefix string, seq int64) string { return fmt.Sprintf("%s%06d", prefix, seq) }
