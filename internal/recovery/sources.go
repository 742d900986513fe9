package recovery

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// Window is the part of an emergency a source looks at: business falling
// due from Start to End (End is today while the emergency is open) and
// business accepted under its relief from Start to ReliefTo.
type Window struct {
	EmergencyID int64
	Start, End  string // 'YYYY-MM-DD'
	ReliefTo    string // last day of late acceptance and make-up (openEnd while open)
	Today       string
	// DueMonths are the fee months whose collection due date fell from
	// Start to the day before Today and no later than End.
	DueMonths []string
}

func (w Window) startT() time.Time     { return dayStart(w.Start) }
func (w Window) endT() time.Time       { return dayStart(w.End).AddDate(0, 0, 1) }
func (w Window) reliefEndT() time.Time { return dayStart(w.ReliefTo).AddDate(0, 0, 1) }

func dayStart(d string) time.Time {
	t, err := clock.ParseDate(d)
	if err != nil {
		return time.Date(9999, 12, 31, 0, 0, 0, 0, clock.Shanghai)
	}
	return t
}

// Candidate is one piece of deferred business a source found, with
// whether the owning record shows it made up.
type Candidate struct {
	Kind      Kind
	SourceRef string // unique within the kind, e.g. the bill id
	Section   access.Section
	PartyKind string // employer, person, contact (Email/Phone only) or ''
	PartyID   int64
	Email     string
	Phone     string
	Subject   string
	Person    bool // Subject is a person's name (masked in lists)
	Ref       string
	Detail    string
	OpenedOn  string
	Done      bool
}

// Source harvests one kind of deferred business of an emergency, reading
// the owning package's tables through q (read only).
type Source struct {
	Kind    Kind
	Harvest func(ctx context.Context, q db.Querier, w Window) ([]Candidate, error)
}

func builtinSources() []Source {
	return []Source{
		{KindRegistration, lateRegistrations},
		{KindStaffChange, lateStaffChanges},
		{KindAccident, lateAccidents},
		{KindEmployerBill, deferredBills},
		{KindOriginal, owedOriginals},
		{KindCommitment, commitments},
		{KindHeldPayout, heldPayouts},
	}
}

// scanAll runs query and calls scan per row.
func scanAll(ctx context.Context, q db.Querier, what, query string, scan func(db.Scanner) (Candidate, error), args ...any) ([]Candidate, error) {
	out, err := db.Collect(ctx, q, scan, query, args...)
	return out, errs.Wrap(err, what)
}

// lateRegistrations: employer registrations accepted late under the
// emergency; made up once approved.
func lateRegistrations(ctx context.Context, q db.Querier, w Window) ([]Candidate, error) {
	return scanAll(ctx, q, "recovery registrations", `SELECT id, app_no, name, contact_email, contact_phone, submitted_at, status
		FROM employer_applications WHERE late_flag = TRUE AND submitted_at >= $1 AND submitted_at < $2`,
		func(r db.Scanner) (Candidate, error) {
			var id int64
			var at time.Time
			var status string
			c := Candidate{Kind: KindRegistration, Section: access.Coordination, PartyKind: "contact"}
			err := r.Scan(&id, &c.Ref, &c.Subject, &c.Email, &c.Phone, &at, &status)
			c.SourceRef, c.OpenedOn, c.Done = strconv.FormatInt(id, 10), dayOf(at), status == "approved"
			c.Detail = "参保登记申请" + c.Ref
			return c, err
		}, w.startT(), w.reliefEndT())
}

// lateStaffChanges: staff changes declared late and accepted under the
// emergency; made up once the employer's bill of the change's month is
// paid.
func lateStaffChanges(ctx context.Context, q db.Querier, w Window) ([]Candidate, error) {
	return scanAll(ctx, q, "recovery staff changes", `SELECT sc.id, sc.employer_id, e.name, e.employer_no, sc.kind, sc.month, sc.created_at,
		EXISTS (SELECT 1 FROM bills b WHERE b.employer_id = sc.employer_id AND b.fee_month = sc.month AND b.status = 'paid')
		FROM staff_changes sc JOIN employers e ON e.id = sc.employer_id
		WHERE sc.flags LIKE '%late_accepted%' AND sc.created_at >= $1 AND sc.created_at < $2`,
		func(r db.Scanner) (Candidate, error) {
			var id int64
			var at time.Time
			var kind, month string
			c := Candidate{Kind: KindStaffChange, Section: access.Coordination, PartyKind: "employer"}
			err := r.Scan(&id, &c.PartyID, &c.Subject, &c.Ref, &kind, &month, &at, &c.Done)
			c.SourceRef, c.OpenedOn = strconv.FormatInt(id, 10), dayOf(at)
			c.Detail = staffChangeName(kind) + "，所属期" + month + "，待缴清该月单位缴费"
			return c, err
		}, w.startT(), w.reliefEndT())
}

func staffChangeName(kind string) string {
	switch kind {
	case "add":
		return "增员"
	case "remove":
		return "减员"
	}
	return "基数更正"
}

// lateAccidents: accident reports made after the 24-hour limit during the
// emergency; made up once the case is closed.
func lateAccidents(ctx context.Context, q db.Querier, w Window) ([]Candidate, error) {
	return scanAll(ctx, q, "recovery accidents", `SELECT ir.case_id, c.case_no, ir.employer_id, e.name, ir.accident_at, ir.reported_at, c.is_open
		FROM injury_reports ir JOIN cases c ON c.id = ir.case_id JOIN employers e ON e.id = ir.employer_id
		WHERE ir.late = TRUE AND ir.reported_at >= $1 AND ir.reported_at < $2`,
		func(r db.Scanner) (Candidate, error) {
			var id int64
			var acc, rep time.Time
			var open bool
			c := Candidate{Kind: KindAccident, Section: access.Injury, PartyKind: "employer"}
			err := r.Scan(&id, &c.Ref, &c.PartyID, &c.Subject, &acc, &rep, &open)
			c.SourceRef, c.OpenedOn, c.Done = strconv.FormatInt(id, 10), dayOf(rep), !open
			c.Detail = "事故日期" + dayOf(acc) + "，待办结认定"
			return c, err
		}, w.startT(), w.reliefEndT())
}

// deferredBills: bills that fell due during the emergency and were not
// paid by their due date, and bills flagged as accepted late or made up
// under it; made up once paid (or cancelled). Employers' bills go to
// 统筹科, flexible workers' months to 个体参保科.
func deferredBills(ctx context.Context, q db.Querier, w Window) ([]Candidate, error) {
	last := min(w.End, prevDay(w.Today))
	scan := func(r db.Scanner) (Candidate, error) {
		var id int64
		var payer, month, status string
		var due sql.NullString
		var emp, per sql.NullInt64
		var ename, pname sql.NullString
		var total, paid int64
		c := Candidate{}
		err := r.Scan(&id, &c.Ref, &payer, &emp, &per, &ename, &pname, &month, &due, &status, &total, &paid)
		c.SourceRef, c.Done = strconv.FormatInt(id, 10), status == "paid" || status == "cancelled"
		c.OpenedOn = due.String
		if c.OpenedOn == "" {
			c.OpenedOn = month + "-01"
		}
		if payer == "flexible" {
			c.Kind, c.Section, c.PartyKind, c.PartyID, c.Subject, c.Person = KindFlexibleMonth, access.SelfEmployed, "person", per.Int64, pname.String, true
		} else {
			c.Kind, c.Section, c.PartyKind, c.PartyID, c.Subject = KindEmployerBill, access.Coordination, "employer", emp.Int64, ename.String
		}
		c.Detail = "所属期" + month + "，应缴" + fen(total) + "元，已缴" + fen(paid) + "元"
		return c, err
	}
	const cols = `SELECT b.id, b.bill_no, b.payer_kind, b.employer_id, b.person_id, e.name, p.name, b.fee_month, b.due_on, b.status,
		b.total_fen, b.paid_fen FROM bills b LEFT JOIN employers e ON e.id = b.employer_id LEFT JOIN persons p ON p.id = b.person_id `
	var unpaid []Candidate
	for _, m := range w.DueMonths {
		c, err := scanAll(ctx, q, "recovery bills", cols+`WHERE b.status IN ('draft', 'correction_requested', 'confirmed', 'partially_paid')
			AND b.fee_month = $1 AND (b.due_on IS NULL OR (b.due_on >= $2 AND b.due_on <= $3))`, scan, m, w.Start, last)
		if err != nil {
			return nil, err
		}
		unpaid = append(unpaid, c...)
	}
	from, to := monthBefore(w.Start), w.End[:7]
	flagged, err := scanAll(ctx, q, "recovery bills", cols+flaggedBillsWhere, scan, from, to)
	if err != nil {
		return nil, err
	}
	// Bills already in the register and still open there, to see them paid.
	held, err := scanAll(ctx, q, "recovery bills", cols+`WHERE b.id IN (SELECT CAST(source_ref AS BIGINT) FROM recovery_items
		WHERE emergency_id = $1 AND kind IN ('employer_bill', 'flexible_month') AND status IN ('open', 'handed_over'))`, scan, w.EmergencyID)
	return append(append(unpaid, flagged...), held...), err
}

// flaggedBillsWhere selects the bills flagged as emergency make-up or late
// accepted of a range of fee months; its flags condition is the predicate
// of the partial index bills_flagged word for word (migration 150), so
// both planners read only the flagged bills.
const flaggedBillsWhere = `WHERE (b.flags LIKE '%emergency_makeup%' OR b.flags LIKE '%late_accepted%')
		AND b.fee_month >= $1 AND b.fee_month <= $2`

func prevDay(d string) string { return dayStart(d).AddDate(0, 0, -1).Format(dayLayout) }

func monthBefore(d string) string {
	m, err := clock.ParseMonth(d[:7])
	if err != nil {
		return d[:7]
	}
	return m.Add(-1).String()
}

// owedOriginals: originals owed after a 容缺 acceptance during the
// emergency; made up once received.
func owedOriginals(ctx context.Context, q db.Querier, w Window) ([]Candidate, error) {
	return scanAll(ctx, q, "recovery originals", `SELECT o.id, o.item, o.created_at, o.received_at IS NOT NULL, c.case_no, c.section,
		c.applicant_kind, COALESCE(c.employer_id, 0), COALESCE(c.person_id, 0), c.applicant_name, c.applicant_email, c.applicant_phone
		FROM case_owed_originals o JOIN cases c ON c.id = o.case_id
		WHERE o.emergency_id = $1 OR (o.emergency_id IS NULL AND o.created_at >= $2 AND o.created_at < $3)`,
		func(r db.Scanner) (Candidate, error) {
			var id int64
			var at time.Time
			c := Candidate{Kind: KindOriginal}
			var item string
			err := scanCaseParty(r, &c, &id, &item, &at, &c.Done)
			c.SourceRef, c.OpenedOn, c.Detail = strconv.FormatInt(id, 10), dayOf(at), "待补原件："+item
			return c, err
		}, w.EmergencyID, w.startT(), w.endT())
}

// scanCaseParty scans the columns of a case's item and applicant.
func scanCaseParty(r db.Scanner, c *Candidate, id *int64, item *string, at *time.Time, flag *bool) error {
	var section, kind, name string
	var emp, per int64
	if err := r.Scan(id, item, at, flag, &c.Ref, &section, &kind, &emp, &per, &name, &c.Email, &c.Phone); err != nil {
		return err
	}
	c.Section, c.Subject = access.Section(section), name
	switch {
	case kind == "employer" && emp != 0:
		c.PartyKind, c.PartyID = "employer", emp
	case kind == "person" && per != 0:
		c.PartyKind, c.PartyID, c.Person = "person", per, true
	default:
		c.PartyKind, c.Person = "contact", kind == "person"
	}
	return nil
}

// commitments: commitments (告知承诺) accepted during the emergency; made
// up once the case is closed with no original outstanding and the
// commitment not found false.
func commitments(ctx context.Context, q db.Querier, w Window) ([]Candidate, error) {
	return scanAll(ctx, q, "recovery commitments", `SELECT k.id, k.item, k.accepted_at,
		(c.is_open = FALSE AND c.owing = 0 AND k.found_false = FALSE), c.case_no, c.section,
		c.applicant_kind, COALESCE(c.employer_id, 0), COALESCE(c.person_id, 0), c.applicant_name, c.applicant_email, c.applicant_phone
		FROM case_commitments k JOIN cases c ON c.id = k.case_id
		WHERE k.accepted_at >= $1 AND k.accepted_at < $2`,
		func(r db.Scanner) (Candidate, error) {
			var id int64
			var at time.Time
			c := Candidate{Kind: KindCommitment}
			var item string
			err := scanCaseParty(r, &c, &id, &item, &at, &c.Done)
			c.SourceRef, c.OpenedOn, c.Detail = strconv.FormatInt(id, 10), dayOf(at), "承诺事项："+item
			return c, err
		}, w.startT(), w.endT())
}

// heldPayouts: payouts prepared during the emergency and held (no card or
// account yet); made up once released.
func heldPayouts(ctx context.Context, q db.Querier, w Window) ([]Candidate, error) {
	return scanAll(ctx, q, "recovery payouts", `SELECT id, business_key, payee_kind, payee_id, payee_name, benefit, amount_fen,
		prepared_at, status FROM payout_lines
		WHERE prepared_at >= $1 AND prepared_at < $2 AND (status = 'held' OR hold_reason <> '')`,
		func(r db.Scanner) (Candidate, error) {
			var id, amount int64
			var at time.Time
			var payee, benefit, status string
			c := Candidate{Kind: KindHeldPayout}
			err := r.Scan(&id, &c.Ref, &payee, &c.PartyID, &c.Subject, &benefit, &amount, &at, &status)
			c.SourceRef, c.OpenedOn, c.Done = strconv.FormatInt(id, 10), dayOf(at), status != "held"
			c.Ref = "拨付" + c.SourceRef
			c.Section, c.Detail = benefitSection(benefit), benefitName(benefit)+" "+fen(amount)+"元，暂缓发放"
			switch payee {
			case "person":
				c.PartyKind, c.Person = "person", true
			case "employer":
				c.PartyKind = "employer"
			default:
				c.PartyID = 0
			}
			return c, err
		}, w.startT(), w.endT())
}

func benefitSection(code string) access.Section {
	for _, b := range payout.Benefits {
		if b.Code == code && len(b.Sections) > 0 {
			return b.Sections[0]
		}
	}
	return access.Fund
}

func benefitName(code string) string {
	for _, b := range payout.Benefits {
		if b.Code == code {
			return b.Name
		}
	}
	return "待遇"
}

func fen(n int64) string { return money.Fen(n).String() }
