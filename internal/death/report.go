package death

import (
	"context"
	"database/sql"
	"fmt"
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
	"shebao/internal/person"
	"shebao/internal/policy"
)

// Death is a recorded death.
type Death struct {
	ID             int64
	PersonID       int64
	PersonName     string
	IDNumber       string
	Date           string
	DateConfirmed  bool
	Source         string
	CertificateNo  string
	KindAtDeath    string
	ReportDue      string
	ReportedLate   bool
	Overpaid       money.Fen
	OverpaidMonths int
	Offset         money.Fen
	Recovered      money.Fen
	Recovery       string
	Notices        int
	ReportedAt     time.Time
	Version        int64
}

// Outstanding is the overpayment still to recover.
func (d *Death) Outstanding() money.Fen { return max(0, d.Overpaid-d.Offset-d.Recovered) }

// SourceName is the Chinese source.
func (d *Death) SourceName() string { return SourceName(d.Source) }

// IDMasked is the masked ID number.
func (d *Death) IDMasked() string { return ident.MaskID(d.IDNumber) }

// NameMasked is the masked name.
func (d *Death) NameMasked() string { return ident.MaskName(d.PersonName) }

// RecoveryName is the Chinese state of the recovery.
func (d *Death) RecoveryName() string {
	return map[string]string{"none": "无多发", "open": "追回中", "settled": "已结清"}[d.Recovery]
}

// Heir is a person entitled to claim.
type Heir struct {
	Name, IDNumber, Relationship string
}

// ReportInput is a death reported by a relative (online, for the
// deceased's ID number) or by a clerk from a call or an e-mail.
type ReportInput struct {
	IDNumber      string
	Date          string // YYYY-MM-DD
	CertificateNo string
	Heirs         []Heir
}

// Report records a death a 保险福利科 clerk took from a call or an e-mail
// (a relative's online report goes through SubmitReport and the review).
// A death is recorded once: a second report is a Conflict naming the
// first. Errors: Forbidden, Invalid, Conflict.
func (s *Service) Report(ctx context.Context, a *access.Actor, in ReportInput) (*Death, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "death_report_forbidden", "死亡信息由亲属网上申报（经保险福利科审核），或由保险福利科按电话、邮件登记")
	}
	source := SourceClerk
	var f errs.Fields
	date := s.parseDate(&f, "date", in.Date)
	in.CertificateNo = strings.TrimSpace(in.CertificateNo)
	if in.CertificateNo == "" || utf8.RuneCountInString(in.CertificateNo) > 50 {
		f.Add("certificate_no", "请填写死亡证明或火化证明编号（50 字以内）")
	}
	heirs := s.checkHeirs(&f, in.Heirs)
	pid := s.personByID(ctx, &f, "id_number", in.IDNumber)
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *Death
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		d, err := s.recordTx(ctx, tx, a, pid, date, true, source, in.CertificateNo)
		if err != nil {
			return err
		}
		out = d
		return insertHeirs(ctx, tx, d.ID, heirs)
	})
	return out, err
}

// RecordFromRemovalTx is called by a staff removal with the reason 死亡 in
// its transaction: the person is marked deceased with a provisional date
// (the last day of the end month) that the civil-affairs record confirms.
// A person already recorded deceased is left as it is.
func (s *Service) RecordFromRemovalTx(ctx context.Context, tx *sql.Tx, a *access.Actor, personID int64, endMonth string) error {
	m, err := clock.ParseMonth(endMonth)
	if err != nil {
		return err
	}
	last := m.Add(1).First().AddDate(0, 0, -1)
	if today := s.today(); last.After(today) {
		last = today
	}
	_, err = s.recordTx(ctx, tx, a, personID, last, false, SourceEmployer, "")
	if errs.KindOf(err) == errs.Conflict {
		return nil
	}
	return err
}

func (s *Service) parseDate(f *errs.Fields, field, v string) time.Time {
	t, err := clock.ParseDate(strings.TrimSpace(v))
	switch {
	case err != nil:
		f.Add(field, "请填写死亡日期，如 2024-02-05")
	case t.After(s.today()):
		f.Add(field, "死亡日期不能晚于今天")
	}
	return t
}

func (s *Service) checkHeirs(f *errs.Fields, hs []Heir) []Heir {
	var out []Heir
	for i, h := range hs {
		h.Name, h.Relationship = strings.TrimSpace(h.Name), strings.TrimSpace(h.Relationship)
		if h.Name == "" && strings.TrimSpace(h.IDNumber) == "" {
			continue
		}
		id, err := ident.ParseID(strings.TrimSpace(h.IDNumber))
		if err != nil || h.Name == "" || h.Relationship == "" {
			f.Add(fmt.Sprintf("heir_%d", i+1), fmt.Sprintf("第 %d 位继承人：请填写姓名、正确的公民身份号码和与逝者关系", i+1))
			continue
		}
		h.IDNumber = id.Number
		out = append(out, h)
	}
	return out
}

func (s *Service) personByID(ctx context.Context, f *errs.Fields, field, v string) int64 {
	id, err := ident.ParseID(strings.TrimSpace(v))
	if err != nil {
		f.Add(field, "逝者公民身份号码有误，请核对")
		return 0
	}
	p, err := person.FindByIDNumber(ctx, s.db.Read(), id.Number)
	if err != nil {
		f.Add(field, "未找到该公民身份号码的参保人员，请核对")
		return 0
	}
	return p.ID
}

// recordTx records the death of personID on date: the person marked
// deceased, the pension stopped from the next month and what was paid
// after it kept as the overpayment; the reporting deadline (20 working
// days from death) noted. Errors: Conflict (already recorded), Invalid
// (a date before birth), NotFound.
func (s *Service) recordTx(ctx context.Context, tx *sql.Tx, a *access.Actor, personID int64, date time.Time, confirmed bool, source, cert string) (*Death, error) {
	p, err := person.Load(ctx, tx, personID)
	if err != nil {
		return nil, err
	}
	if p.Status == person.Deceased {
		return nil, errs.New(errs.Conflict, "already_deceased", "该人员已登记死亡，不能重复登记")
	}
	if day := date.Format("2006-01-02"); day < p.BirthDate {
		return nil, fieldErr("date", "死亡日期不能早于出生日期")
	}
	d := &Death{PersonID: p.ID, PersonName: p.Name, IDNumber: p.IDNumber, Date: date.Format("2006-01-02"), DateConfirmed: confirmed,
		Source: source, CertificateNo: cert, KindAtDeath: string(p.Kind), ReportedAt: s.now(), Recovery: "none", Version: 1}
	s.reportDue(ctx, d, date)
	if p.Kind == person.Retiree {
		if err := s.stopPension(ctx, tx, d, date); err != nil {
			return nil, err
		}
	}
	if err := person.MarkDeceased(ctx, tx, p, d.ReportedAt); err != nil {
		return nil, err
	}
	if err := insertDeath(ctx, tx, d, actorID(a)); err != nil {
		return nil, err
	}
	return d, s.audit.Record(ctx, tx, a, audit.Entry{Action: "death.record", Entity: "death", EntityID: fmt.Sprint(d.ID),
		After: map[string]any{"id_number": d.IDMasked(), "date": d.Date, "source": source, "overpaid_fen": d.Overpaid, "late": d.ReportedLate}})
}

// reportDue notes the reporting deadline: 20 working days from the death
// (the dated rule stop_notice_working_days).
func (s *Service) reportDue(ctx context.Context, d *Death, date time.Time) {
	n, _, err := s.policy.Int(ctx, policy.KeyStopNoticeDays, "", date)
	if err != nil {
		n = 20
	}
	due, err := s.policy.AddWorkingDays(ctx, date, int(n))
	if err != nil {
		return
	}
	d.ReportDue = due.Format("2006-01-02")
	d.ReportedLate = clock.DateOf(d.ReportedAt).Format("2006-01-02") > d.ReportDue
}

// stopPension stops the pension after the month of death: through the
// payroll when it is connected, otherwise from the decided pension and the
// months up to last month (docs/rules.md "Death: stop and overpayment").
func (s *Service) stopPension(ctx context.Context, tx *sql.Tx, d *Death, date time.Time) error {
	last := clock.MonthOf(date)
	if s.payroll != nil {
		st, err := s.payroll.StopDeathTx(ctx, tx, d.PersonID, last, "死亡")
		if err != nil {
			return err
		}
		d.Overpaid, d.OverpaidMonths = st.Overpaid, st.Months
	} else {
		monthly, first, err := decidedPension(ctx, tx, d.PersonID)
		if err != nil {
			return err
		}
		from := last.Add(1)
		if from.Before(first) {
			from = first
		}
		paidThrough := clock.MonthOf(s.today()).Add(-1)
		if n := paidThrough.Sub(from) + 1; monthly > 0 && n > 0 {
			d.OverpaidMonths, d.Overpaid = n, money.Fen(int64(monthly)*int64(n))
		}
	}
	if d.Overpaid > 0 {
		d.Recovery = "open"
	}
	return nil
}

// decidedPension reads the decided monthly pension and its first month.
func decidedPension(ctx context.Context, q db.Querier, personID int64) (money.Fen, clock.Month, error) {
	var total money.Fen
	var first string
	err := q.QueryRowContext(ctx, `SELECT total_fen, first_month FROM pension_determinations WHERE person_id = $1 AND status = 'decided'
		ORDER BY version DESC LIMIT 1`, personID).Scan(&total, &first)
	if db.IsNoRows(err) {
		return 0, clock.Month{}, nil
	}
	if err != nil {
		return 0, clock.Month{}, errs.Wrap(err, "decided pension")
	}
	m, _ := clock.ParseMonth(first)
	return total, m, nil
}

func actorID(a *access.Actor) int64 {
	if a == nil {
		return 0
	}
	return a.UserID
}

func fieldErr(field, msg string) error {
	var f errs.Fields
	f.Add(field, msg)
	return f.Err()
}
