package contribution

import (
	"context"
	"database/sql"
	"strconv"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// billCols are the columns scanBill reads (bills b LEFT JOIN employers e).
const billCols = `b.id, b.bill_no, b.payer_kind, COALESCE(b.employer_id, 0), COALESCE(e.employer_no, ''),
	COALESCE(e.name, ''), COALESCE(b.person_id, 0), b.fee_month, b.status, b.employer_fen, b.individual_fen,
	b.total_fen, b.paid_fen, COALESCE(b.payment_ref, ''), COALESCE(b.due_on, ''), b.due_basis, b.late_fee_waived,
	b.waiver_basis, b.flags, b.flag_basis, b.correction_note, b.risk_class, b.injury_float_ppm, b.basis, b.assessed_at,
	b.confirmed_at, b.version`

const billFrom = ` FROM bills b LEFT JOIN employers e ON e.id = b.employer_id `

func scanBill(row interface{ Scan(...any) error }) (*Bill, error) {
	var b Bill
	var basis string
	var confirmed sql.NullTime
	err := row.Scan(&b.ID, &b.BillNo, &b.PayerKind, &b.EmployerID, &b.EmployerNo, &b.EmployerName, &b.PersonID,
		&b.FeeMonth, &b.Status, &b.Employer, &b.Individual, &b.Total, &b.PaidFen, &b.PaymentRef, &b.DueOn,
		&b.DueBasis, &b.LateFeeWaived, &b.WaiverBasis, &b.Flags, &b.FlagBasis, &b.CorrectionNote, &b.RiskClass,
		&b.InjuryFloatPPM, &basis, &b.AssessedAt, &confirmed, &b.Version)
	if err != nil {
		return nil, err
	}
	b.Basis, b.StatusName = decodeBasis(basis), b.Status.Name()
	if confirmed.Valid {
		b.ConfirmedAt = confirmed.Time.UTC()
	}
	b.AssessedAt = b.AssessedAt.UTC()
	return &b, nil
}

func notFound() error { return errs.NotFoundf("未找到该缴费核定单") }

// load reads one bill (without lines).
func load(ctx context.Context, q db.Querier, id int64) (*Bill, error) {
	b, err := scanBill(q.QueryRowContext(ctx, `SELECT `+billCols+billFrom+`WHERE b.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, notFound()
	}
	return b, errs.Wrap(err, "load bill")
}

// ByPaymentRef finds the bill quoted by a bank transfer's payment
// reference (case and spaces ignored). NotFound when none has it.
func ByPaymentRef(ctx context.Context, q db.Querier, ref string) (*Bill, error) {
	ref = NormalizeRef(ref)
	if ref == "" {
		return nil, notFound()
	}
	b, err := scanBill(q.QueryRowContext(ctx, `SELECT `+billCols+billFrom+`WHERE b.payment_ref = $1`, ref))
	if db.IsNoRows(err) {
		return nil, notFound()
	}
	return b, errs.Wrap(err, "bill by payment reference")
}

// queryBills lists at most limit bills matching where (on alias b), newest
// month first.
func queryBills(ctx context.Context, q db.Querier, limit int, where string, args ...any) ([]Bill, error) {
	out, err := db.Collect(ctx, q, db.Deref(scanBill), billsSQL(limit, where), args...)
	return out, errs.Wrap(err, "list bills")
}

// billsSQL selects at most limit bills matching where, newest month first.
func billsSQL(limit int, where string) string {
	return `SELECT ` + billCols + billFrom + `WHERE ` + where + ` ORDER BY b.fee_month DESC, b.id LIMIT ` + strconv.Itoa(limit)
}

// loadLines reads a bill's lines with the persons' masked names and ID
// numbers, ordered by person and scheme.
func loadLines(ctx context.Context, q db.Querier, b *Bill) error {
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.person_id, p.name, p.id_number, l.scheme, l.base_fen,
		l.declared_base_fen, l.employer_rate_ppm, l.individual_rate_ppm, l.employer_fen, l.individual_fen, l.explain
		FROM bill_lines l JOIN persons p ON p.id = l.person_id WHERE l.bill_id = $1
		ORDER BY l.person_id, CASE l.scheme WHEN 'pension' THEN 1 WHEN 'unemployment' THEN 2 ELSE 3 END`, b.ID)
	if err != nil {
		return errs.Wrap(err, "bill lines")
	}
	defer rows.Close()
	totals := map[Scheme]*SchemeTotal{}
	for _, s := range Schemes {
		totals[s] = &SchemeTotal{Scheme: s, Name: s.Name()}
	}
	var last int64
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.ID, &l.PersonID, &l.PersonName, &l.IDNumber, &l.Scheme, &l.Base, &l.DeclaredBase,
			&l.EmployerRate, &l.IndividualRate, &l.Employer, &l.Individual, &l.Clamp); err != nil {
			return errs.Wrap(err, "bill lines")
		}
		// The employer checks its bill person by person, so names stay
		// readable; ID numbers are masked as in every list.
		l.IDNumber, l.SchemeName = ident.MaskID(l.IDNumber), l.Scheme.Name()
		l.Explain = l.explain(b)
		if l.PersonID != last {
			b.Persons, last = b.Persons+1, l.PersonID
		}
		if t, ok := totals[l.Scheme]; ok {
			t.Base, t.Employer, t.Individual = t.Base+l.Base, t.Employer+l.Employer, t.Individual+l.Individual
			t.Total = t.Employer + t.Individual
		}
		b.Lines = append(b.Lines, l)
	}
	for _, s := range Schemes {
		b.Schemes = append(b.Schemes, *totals[s])
	}
	return errs.Wrap(rows.Err(), "bill lines")
}

// sumLines returns the sums of a bill's stored lines.
func sumLines(ctx context.Context, q db.Querier, id int64) (er, ir money.Fen, err error) {
	err = q.QueryRowContext(ctx, `SELECT COALESCE(SUM(employer_fen), 0), COALESCE(SUM(individual_fen), 0)
		FROM bill_lines WHERE bill_id = $1`, id).Scan(&er, &ir)
	return er, ir, errs.Wrap(err, "sum bill lines")
}
