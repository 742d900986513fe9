package retirement

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/pension"
)

// Window is the months the about-to-retire list covers, both included.
type Window struct{ From, To clock.Month }

// Text is the window in Chinese: "2026年12月" for one month, else
// "2026年12月至2027年5月".
func (w Window) Text() string {
	if w.From == w.To {
		return w.From.Chinese()
	}
	return w.From.Chinese() + "至" + w.To.Chinese()
}

// birthRange is the birth months of a category whose statutory retirement
// month falls in w (the retirement month grows with the birth month).
func birthRange(c pension.Category, w Window) (from, to clock.Month, ok bool) {
	start := w.From.Add(-(c.OriginalAge() + 6) * 12)
	for b := start; !w.To.Before(b.Add(c.OriginalAge() * 12)); b = b.Add(1) {
		r, _ := pension.RetirementOf(c, b)
		if r.Retire.Before(w.From) || w.To.Before(r.Retire) {
			continue
		}
		if !ok {
			from, ok = b, true
		}
		to = b
	}
	return from, to, ok
}

// UpcomingFilter narrows the list. EmployerID is set from the actor for
// an employer; Months is how far ahead (1 to 36, default 6).
type UpcomingFilter struct {
	Months     int
	Category   string // "" or a pension.Category
	EmployerID int64
	// Query narrows the list to one person: a name (or part of it), or an
	// ID number, whole or its last digits (at least 4).
	Query string
	Page  int
}

// Upcoming is one person on the list.
type Upcoming struct {
	PersonID  int64
	IDMasked  string
	Name      string
	Kind      string
	Category  pension.Category
	Statutory clock.Month
	Retire    clock.Month // chosen flexible month or statutory
	Flexible  bool
	MinMonths int
	Months    int
	Short     int // months short of the minimum, 0 when met
	Gaps      []string
	Unpaid    int
	Employer  string
	// EmployerNote qualifies Employer: a former employer, or the last one
	// of a flexible worker.
	EmployerNote string
}

// employerCell is what the list shows for a person's employer: the current
// one; a flexible worker as 灵活就业 (the last employer noted); an employee
// whose insurance ended, the last employer; nobody, 无在职单位.
func employerCell(kind, last string, open bool) (string, string) {
	switch {
	case open && last != "":
		return last, ""
	case kind == "flexible" && last != "":
		return "灵活就业", "原单位：" + last
	case kind == "flexible":
		return "灵活就业", ""
	case last != "":
		return last, "已减员（最后参保单位）"
	}
	return "无在职单位", ""
}

// CategoryName is the Chinese category.
func (u Upcoming) CategoryName() string { return u.Category.Label() }

// MinYears shows the minimum years.
func (u Upcoming) MinYears() string { return pension.DurationText(u.MinMonths) }

// Years shows the contribution years and months.
func (u Upcoming) Years() string { return pension.DurationText(u.Months) }

// ShortText shows the months short of the minimum as years and months.
func (u Upcoming) ShortText() string { return pension.DurationText(u.Short) }

// UpcomingPage is a page of the list.
type UpcomingPage struct {
	Window Window
	Rows   []Upcoming
	Total  int
	Page   int
	Pages  int
}

// PageSize is the rows per page of the list.
const PageSize = 50

// ListUpcoming lists the insured persons reaching their retirement month
// in the next f.Months months (this month included), by the 2025 reform's
// categories or their flexible month, with contribution months against the
// minimum and what is missing. Staff of 保险福利科 and 个体参保科 see
// everyone; an employer sees its current staff. Errors: Forbidden,
// Invalid (months).
func (s *Service) ListUpcoming(ctx context.Context, a *access.Actor, f UpcomingFilter) (*UpcomingPage, error) {
	if err := upcomingScope(a, &f); err != nil {
		return nil, err
	}
	if f.Months == 0 {
		f.Months = 6
	}
	if f.Months < 1 || f.Months > 36 {
		var fe errs.Fields
		fe.Add("months", "查询月数应在 1 至 36 之间")
		return nil, fe.Err()
	}
	if f.Category != "" {
		if _, ok := pension.ParseCategory(f.Category); !ok {
			var fe errs.Fields
			fe.Add("category", "请选择正确的人员类别")
			return nil, fe.Err()
		}
	}
	f.Query = strings.ToUpper(strings.TrimSpace(f.Query))
	if n := utf8.RuneCountInString(f.Query); n > 30 || (n > 0 && isIDDigits(f.Query) && n < 4) {
		var fe errs.Fields
		fe.Add("q", "请填写姓名，或身份证号码（完整或至少后 4 位）")
		return nil, fe.Err()
	}
	w := Window{From: s.thisMonth(), To: s.thisMonth().Add(f.Months - 1)}
	where, args := upcomingWhere(w, f)
	res := &UpcomingPage{Window: w, Page: max(f.Page, 1)}
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM persons p
		LEFT JOIN retirement_plans rp ON rp.person_id = p.id WHERE `+where, args...).Scan(&res.Total); err != nil {
		return nil, errs.Wrap(err, "upcoming count")
	}
	res.Pages = max(1, (res.Total+PageSize-1)/PageSize)
	rows, err := s.upcomingRows(ctx, where, args, res.Page)
	if err != nil {
		return nil, err
	}
	res.Rows = rows
	return res, nil
}

func upcomingScope(a *access.Actor, f *UpcomingFilter) error {
	switch {
	case a == nil:
		return errs.LoginRequired()
	case a.Role == access.RoleEmployer && a.EmployerID != 0:
		f.EmployerID = a.EmployerID
	case a.In(access.Welfare) || a.In(access.SelfEmployed):
	default:
		return errs.New(errs.Forbidden, "welfare_only", "即将退休人员名单仅供保险福利科、个体参保科和参保单位查看")
	}
	return nil
}

// upcomingWhere selects, among living insured persons not yet retired,
// those whose statutory month (without a flexible choice) or chosen month
// falls in w.
func upcomingWhere(w Window, f UpcomingFilter) (string, []any) {
	args := []any{w.From.String(), w.To.String()}
	var alt []string
	for _, c := range []pension.Category{pension.Male, pension.FemaleCadre, pension.FemaleWorker} {
		if f.Category != "" && string(c) != f.Category {
			continue
		}
		from, to, ok := birthRange(c, w)
		if !ok {
			continue
		}
		args = append(args, from.String()+"-01", to.String()+"-31")
		rng := fmt.Sprintf("p.birth_date BETWEEN $%d AND $%d", len(args)-1, len(args))
		switch c {
		case pension.Male:
			alt = append(alt, "(p.gender = 'M' AND "+rng+")")
		case pension.FemaleCadre:
			alt = append(alt, "(p.gender = 'F' AND rp.category = 'female_cadre' AND "+rng+")")
		default:
			alt = append(alt, "(p.gender = 'F' AND COALESCE(rp.category, 'female_worker') = 'female_worker' AND "+rng+")")
		}
	}
	statutory := "FALSE"
	if len(alt) > 0 {
		statutory = "(rp.chosen_month IS NULL AND (" + strings.Join(alt, " OR ") + "))"
	}
	chosen := "rp.chosen_month BETWEEN $1 AND $2"
	if f.Category != "" {
		args = append(args, f.Category)
		chosen += fmt.Sprintf(" AND rp.category = $%d", len(args))
	}
	where := "p.status = 'active' AND p.kind IN ('employee', 'flexible') AND (" + statutory + " OR (" + chosen + "))"
	switch {
	case len(f.Query) == 18 && isIDDigits(f.Query):
		args = append(args, f.Query)
		where += fmt.Sprintf(" AND p.id_number = $%d", len(args))
	case isIDDigits(f.Query) && f.Query != "":
		args = append(args, "%"+f.Query)
		where += fmt.Sprintf(" AND p.id_number LIKE $%d", len(args))
	case f.Query != "":
		args = append(args, "%"+f.Query+"%")
		where += fmt.Sprintf(" AND p.name LIKE $%d", len(args))
	}
	if f.EmployerID != 0 {
		args = append(args, f.EmployerID)
		where += fmt.Sprintf(" AND EXISTS (SELECT 1 FROM employments e WHERE e.person_id = p.id AND e.employer_id = $%d AND e.end_month IS NULL)", len(args))
	}
	return where, args
}

func (s *Service) upcomingRows(ctx context.Context, where string, args []any, page int) ([]Upcoming, error) {
	q := `SELECT p.id, p.id_number, p.name, p.kind, p.gender, p.birth_date, COALESCE(rp.category, ''), COALESCE(rp.chosen_month, ''),
		COALESCE((SELECT em.name FROM employments e JOIN employers em ON em.id = e.employer_id
			WHERE e.person_id = p.id ORDER BY e.start_month DESC, e.id DESC LIMIT 1), ''),
		EXISTS (SELECT 1 FROM employments e WHERE e.person_id = p.id AND e.end_month IS NULL)
		FROM persons p LEFT JOIN retirement_plans rp ON rp.person_id = p.id WHERE ` + where +
		fmt.Sprintf(" ORDER BY p.birth_date, p.id LIMIT %d OFFSET %d", PageSize, (page-1)*PageSize)
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "upcoming")
	}
	var out []Upcoming
	for rows.Next() {
		var u Upcoming
		var idn, gender, birth, cat, chosen, last string
		var open bool
		if err := rows.Scan(&u.PersonID, &idn, &u.Name, &u.Kind, &gender, &birth, &cat, &chosen, &last, &open); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "upcoming")
		}
		u.IDMasked = ident.MaskID(idn)
		u.Name = ident.MaskName(u.Name)
		fillPlan(&u, gender, birth, cat, chosen)
		u.Employer, u.EmployerNote = employerCell(u.Kind, last, open)
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "upcoming")
	}
	for i := range out {
		r, err := personRecord(ctx, s.db.Read(), out[i].PersonID)
		if err != nil {
			return nil, err
		}
		out[i].Months, out[i].Gaps, out[i].Unpaid = r.Months, r.GapText(), len(r.Unpaid)
		out[i].Short = max(0, out[i].MinMonths-r.Months)
	}
	return out, nil
}

// categoryOf is the category of a person: a recorded one, else men male
// and women workers (originally 50).
func categoryOf(gender, recorded string) pension.Category {
	if c, ok := pension.ParseCategory(recorded); ok && recorded != "" {
		return c
	}
	if gender == "M" {
		return pension.Male
	}
	return pension.FemaleWorker
}

func fillPlan(u *Upcoming, gender, birth, cat, chosen string) {
	u.Category = categoryOf(gender, cat)
	bm, _ := clock.ParseMonth(birth[:min(7, len(birth))])
	r, _ := pension.RetirementOf(u.Category, bm)
	u.Statutory, u.Retire, u.MinMonths = r.Retire, r.Retire, r.MinMonths
	if m, err := clock.ParseMonth(chosen); err == nil && chosen != "" {
		u.Retire, u.Flexible = m, true
		u.MinMonths = pension.MinContributionMonths(r.Retire.Year)
	}
}

// isIDDigits reports whether q is made of ID-number characters only
// (digits, and X as the check character).
func isIDDigits(q string) bool {
	return q != "" && strings.Trim(q, "0123456789X") == ""
}
