package retirement

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/pension"
)

// Subject is a person as the retirement line reads them.
type Subject struct {
	ID       int64
	IDNumber string
	Name     string
	Gender   string
	Birth    clock.Month
	Kind     string
	Status   string
	Phone    string
	Category pension.Category
	Chosen   clock.Month // flexible month, zero when statutory
	Rule     pension.Retirement
}

// Retire is the month the person retires: the flexible month or the
// statutory one.
func (p *Subject) Retire() clock.Month {
	if !p.Chosen.IsZero() {
		return p.Chosen
	}
	return p.Rule.Retire
}

// AgeAt is the age in years and months at the retirement month.
func (p *Subject) AgeAt() (int, int) {
	a := p.Retire().Sub(p.Birth)
	return a / 12, a % 12
}

// IDMasked is the masked ID number.
func (p *Subject) IDMasked() string { return ident.MaskID(p.IDNumber) }

func loadSubject(ctx context.Context, q db.Querier, personID int64) (*Subject, error) {
	var p Subject
	var birth, cat, chosen string
	err := q.QueryRowContext(ctx, `SELECT p.id, p.id_number, p.name, p.gender, p.birth_date, p.kind, p.status, p.phone,
		COALESCE(rp.category, ''), COALESCE(rp.chosen_month, '')
		FROM persons p LEFT JOIN retirement_plans rp ON rp.person_id = p.id WHERE p.id = $1`, personID).
		Scan(&p.ID, &p.IDNumber, &p.Name, &p.Gender, &birth, &p.Kind, &p.Status, &p.Phone, &cat, &chosen)
	if db.IsNoRows(err) {
		return nil, errs.New(errs.NotFound, "person_not_found", "未找到该参保人员")
	}
	if err != nil {
		return nil, errs.Wrap(err, "retirement subject")
	}
	p.Birth, _ = clock.ParseMonth(birth[:min(7, len(birth))])
	p.Category = categoryOf(p.Gender, cat)
	p.Rule, _ = pension.RetirementOf(p.Category, p.Birth)
	if chosen != "" {
		p.Chosen, _ = clock.ParseMonth(chosen)
	}
	return &p, nil
}

func subjectByIDNumber(ctx context.Context, q db.Querier, idNumber string, f *errs.Fields, field string, today func() clock.Month) *Subject {
	id, err := ident.ParseID(strings.TrimSpace(idNumber))
	if err != nil {
		f.Add(field, "公民身份号码有误，请核对（18 位，末位可为 X）")
		return nil
	}
	var pid int64
	err = q.QueryRowContext(ctx, `SELECT id FROM persons WHERE id_number = $1`, id.Number).Scan(&pid)
	if err != nil {
		f.Add(field, "未找到该公民身份号码的参保人员，请核对")
		return nil
	}
	p, err := loadSubject(ctx, q, pid)
	if err != nil {
		f.Add(field, "未找到该公民身份号码的参保人员，请核对")
		return nil
	}
	return p
}

// Own is a person's retirement as the portal shows it.
type Own struct {
	Subject *Subject
	Record  Record
	Short   int
	Quals   []*Qualification
	// Retired is set once the person draws a pension (a decided
	// determination, or a retiree taken over from the former system);
	// Decided is the determination in force, nil for those taken over.
	Retired bool
	Decided *Determination
}

// Applied tells whether an application is under review or confirmed.
func (o *Own) Applied() bool {
	for _, q := range o.Quals {
		if q.Status == QualSubmitted || q.Status == QualApproved {
			return true
		}
	}
	return false
}

// PaidText shows the months paid as years and months.
func (o *Own) PaidText() string { return pension.DurationText(o.Record.Months) }

// ShortText shows the months short of the minimum as years and months.
func (o *Own) ShortText() string { return pension.DurationText(o.Short) }

// MyRetirement returns the logged-in person's statutory and chosen
// retirement month, contribution months against the minimum, the gaps and
// their applications. Errors: Forbidden (not a person).
func (s *Service) MyRetirement(ctx context.Context, a *access.Actor) (*Own, error) {
	if a == nil || a.Role != access.RolePerson || a.PersonID == 0 {
		return nil, errs.New(errs.Forbidden, "person_only", "仅参保人本人可查看自己的退休信息")
	}
	p, err := loadSubject(ctx, s.db.Read(), a.PersonID)
	if err != nil {
		return nil, err
	}
	r, err := personRecord(ctx, s.db.Read(), p.ID)
	if err != nil {
		return nil, err
	}
	qs, err := qualificationsOf(ctx, s.db.Read(), "q.person_id = $1", p.ID)
	if err != nil {
		return nil, err
	}
	own := &Own{Subject: p, Record: r, Short: max(0, p.Rule.MinMonths-r.Months), Quals: qs, Retired: p.Kind == "retiree"}
	ds, err := determinations(ctx, s.db.Read(), "person_id = $1 AND status = 'decided'", p.ID)
	if err != nil {
		return nil, err
	}
	if len(ds) > 0 {
		own.Decided, own.Retired = ds[0], true
	}
	if own.Retired {
		own.Short = 0
	}
	return own, nil
}

// PlanInput is a flexible retirement choice: the month (YYYY-MM; ""
// returns to the statutory month) and, recorded by staff only, a woman's
// category (cadre or worker).
type PlanInput struct {
	PersonID int64
	Month    string
	Category string
}

// SetPlan records a flexible retirement month: a person may choose, for
// themselves, a month up to 3 years earlier than the statutory one (never
// below the original age, the minimum years met); a later month up to 3
// years needs the employer's agreement and is recorded by 保险福利科, who
// also record a woman's category. Errors: Forbidden, NotFound, Invalid,
// Conflict (already retired or deceased).
func (s *Service) SetPlan(ctx context.Context, a *access.Actor, in PlanInput) (*Subject, error) {
	staff := a.In(access.Welfare) || a.In(access.SelfEmployed)
	if !staff && (a == nil || a.Role != access.RolePerson || a.PersonID != in.PersonID || in.PersonID == 0) {
		return nil, errs.New(errs.Forbidden, "plan_forbidden", "弹性退休由参保人本人申请，或由保险福利科按单位与职工的协议登记")
	}
	var out *Subject
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := loadSubject(ctx, tx, in.PersonID)
		if err != nil {
			return err
		}
		if err := livingInsured(p); err != nil {
			return err
		}
		before := planAudit(p)
		if err := s.applyPlan(ctx, tx, p, in, staff); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO retirement_plans (person_id, category, chosen_month, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id) DO UPDATE SET category = $2, chosen_month = $3,
			updated_by = $4, updated_at = $5`, p.ID, string(p.Category), monthOrNil(p.Chosen), a.UserID, s.now()); err != nil {
			return errs.Wrap(err, "retirement plan")
		}
		out = p
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.plan", Entity: "person", EntityID: fmt.Sprint(p.ID),
			Before: before, After: planAudit(p)})
	})
	return out, err
}

func planAudit(p *Subject) map[string]any {
	m := map[string]any{"category": string(p.Category), "id_number": p.IDMasked()}
	if !p.Chosen.IsZero() {
		m["chosen_month"] = p.Chosen.String()
	}
	return m
}

func monthOrNil(m clock.Month) any {
	if m.IsZero() {
		return nil
	}
	return m.String()
}

// livingInsured refuses a person already retired or deceased.
func livingInsured(p *Subject) error {
	switch {
	case p.Status == "deceased":
		return errs.New(errs.Conflict, "person_deceased", "该人员已登记死亡，不能办理退休")
	case p.Kind == "retiree":
		return errs.New(errs.Conflict, "already_retired", "该人员已办理退休")
	case p.Status != "active":
		return errs.New(errs.Conflict, "person_inactive", "该人员参保状态不是“正常”，不能办理退休")
	}
	return nil
}

func (s *Service) applyPlan(ctx context.Context, tx *sql.Tx, p *Subject, in PlanInput, staff bool) error {
	var f errs.Fields
	if in.Category != "" && string(p.Category) != in.Category {
		c, ok := pension.ParseCategory(in.Category)
		switch {
		case !ok:
			f.Add("category", "请选择正确的人员类别")
		case !staff:
			f.Add("category", "人员类别由保险福利科按档案登记")
		case (p.Gender == "M") != (c == pension.Male):
			f.Add("category", "人员类别与身份证号码的性别不一致")
		default:
			p.Category = c
			p.Rule, _ = pension.RetirementOf(c, p.Birth)
		}
	}
	p.Chosen = clock.Month{}
	if strings.TrimSpace(in.Month) == "" {
		return f.Err()
	}
	m, err := clock.ParseMonth(strings.TrimSpace(in.Month))
	if err != nil {
		f.Add("month", "请填写弹性退休年月，如 2026-05")
		return f.Err()
	}
	if err := s.checkFlexible(ctx, tx, p, m, staff); err != nil {
		f.Add("month", errs.As(err).Message)
	}
	p.Chosen = m
	if m == p.Rule.Retire {
		p.Chosen = clock.Month{}
	}
	return f.Err()
}

// checkFlexible checks a flexible month against the window, the present,
// the party and the minimum years (docs/rules.md "Retirement: flexible retirement").
func (s *Service) checkFlexible(ctx context.Context, q db.Querier, p *Subject, m clock.Month, staff bool) error {
	r := p.Rule
	switch {
	case m.Before(r.FlexEarliest) || r.FlexLatest.Before(m):
		return errs.New(errs.Invalid, "outside_flexible_window", fmt.Sprintf("弹性退休时间须在 %s 至 %s 之间（提前不超过 3 年且不早于原法定退休年龄，延迟不超过 3 年）",
			r.FlexEarliest.Chinese(), r.FlexLatest.Chinese()))
	case m.Before(s.thisMonth()):
		return errs.New(errs.Invalid, "month_past", "弹性退休时间不能早于本月")
	case r.Retire.Before(m) && !staff:
		return errs.New(errs.Invalid, "later_needs_agreement", "延迟退休须经单位与职工协商一致，由单位联系保险福利科登记")
	}
	if m.Before(r.Retire) {
		rec, err := personRecord(ctx, q, p.ID)
		if err != nil {
			return err
		}
		if rec.Months < r.MinMonths {
			return errs.New(errs.Invalid, "early_below_min_years", fmt.Sprintf("提前退休须满足最低缴费年限 %s 年，现累计缴费 %s 年",
				r.MinYearsText(), pension.YearsText(rec.Months)))
		}
	}
	return nil
}
