package policy

import (
	"slices"
	"strconv"
	"strings"

	"shebao/internal/errs"
)

// DeclareInput is an emergency as an administrator declares it.
type DeclareInput struct {
	Title      string    `json:"title"`
	Start      string    `json:"start"`         // YYYY-MM-DD
	End        string    `json:"end,omitempty"` // YYYY-MM-DD; usually set later
	Scope      string    `json:"scope"`
	LegalBasis string    `json:"legal_basis"`
	Measures   []Measure `json:"measures"`
	// For collection_extended: the fee months extended and their new due date.
	FeeMonths     []string `json:"fee_months,omitempty"`
	CollectionDue string   `json:"collection_due,omitempty"`
	// For deferred_originals: days after the end to hand in originals (default 30).
	OriginalsDays int `json:"originals_days,omitempty"`
}

// Epidemic2024 is the seed's 2024 epidemic period, declared from
// 2024-01-23 and still open, with every measure of the work plan (for the
// demo and tests).
func Epidemic2024() DeclareInput {
	return DeclareInput{
		Title:         "新型冠状病毒感染的肺炎疫情防控应急期",
		Start:         "2024-01-23",
		Scope:         "全区",
		LegalBasis:    "人社厅明电〔2024〕7号",
		Measures:      slices.Clone(AllMeasures),
		FeeMonths:     []string{"2024-01", "2024-02"},
		CollectionDue: "2024-03-31",
		OriginalsDays: DefaultOriginalsDays,
	}
}

// emergency validates the input into an Emergency (not yet stored).
func (in DeclareInput) emergency() (Emergency, error) {
	var f errs.Fields
	e := Emergency{Title: strings.TrimSpace(in.Title), Scope: strings.TrimSpace(in.Scope),
		LegalBasis: strings.TrimSpace(in.LegalBasis), Params: map[Measure]MeasureParams{}}
	textField(&f, "title", "名称", e.Title, 100)
	textField(&f, "scope", "适用范围（如 全区）", e.Scope, 100)
	textField(&f, "legal_basis", "依据文号，如 人社厅明电〔2024〕7号", e.LegalBasis, 200)
	start := checkDay(&f, "start", "开始日期", strings.TrimSpace(in.Start), true)
	end := checkDay(&f, "end", "结束日期", strings.TrimSpace(in.End), false)
	if start != "" && end != "" && end < start {
		f.Add("end", "结束日期不能早于开始日期")
	}
	e.Measures = in.measures(&f)
	if e.Has(MeasureCollectionExtended) {
		e.Params[MeasureCollectionExtended] = in.extension(&f, start)
	}
	if e.Has(MeasureDeferredOriginals) {
		days := in.OriginalsDays
		if days == 0 {
			days = DefaultOriginalsDays
		}
		if days < 1 || days > 366 {
			f.Add("originals_days", "原件补交期限应为 1 至 366 天")
		}
		e.Params[MeasureDeferredOriginals] = MeasureParams{DaysAfterEnd: days}
	}
	if err := f.Err(); err != nil {
		return Emergency{}, err
	}
	e.Start = dayTime(start)
	if end != "" {
		t := dayTime(end)
		e.End = &t
	}
	return e, nil
}

func textField(f *errs.Fields, field, label, v string, max int) {
	if v == "" {
		f.Add(field, "请填写"+label)
	} else if len([]rune(v)) > max {
		f.Add(field, "不超过"+strconv.Itoa(max)+"字")
	}
}

// measures returns the known measures chosen, in display order.
func (in DeclareInput) measures(f *errs.Fields) []Measure {
	var out []Measure
	for _, m := range in.Measures {
		if !m.Valid() {
			f.Add("measures", "未知的措施："+string(m))
			return nil
		}
	}
	for _, m := range AllMeasures {
		if slices.Contains(in.Measures, m) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		f.Add("measures", "请至少选择一项措施")
	}
	return out
}

// extension validates the collection_extended parameters.
func (in DeclareInput) extension(f *errs.Fields, start string) MeasureParams {
	var p MeasureParams
	for _, raw := range in.FeeMonths {
		m := strings.TrimSpace(raw)
		if m == "" {
			continue
		}
		t, err := ParseMonth(m)
		if err != nil {
			f.Add("fee_months", "费款所属期“"+m+"”格式不正确，应为 YYYY-MM，如 2024-01")
			return p
		}
		if k := t.Format("2006-01"); !slices.Contains(p.FeeMonths, k) {
			p.FeeMonths = append(p.FeeMonths, k)
		}
	}
	slices.Sort(p.FeeMonths)
	if len(p.FeeMonths) == 0 {
		f.Add("fee_months", "延长征收期时请填写延长的费款所属期，如 2024-01、2024-02")
	}
	p.Due = checkDay(f, "collection_due", "延长后的征收截止日", strings.TrimSpace(in.CollectionDue), true)
	if p.Due != "" && start != "" && p.Due < start {
		f.Add("collection_due", "延长后的征收截止日不能早于应急期开始日期")
	}
	if p.Due != "" && len(p.FeeMonths) > 0 {
		last, _ := ParseMonth(p.FeeMonths[len(p.FeeMonths)-1])
		if p.Due <= dayKey(last.AddDate(0, 1, -1)) {
			f.Add("collection_due", "延长后的征收截止日应晚于所延长费款所属期的月末")
		}
	}
	return p
}

// SplitMonths splits a form field of fee months separated by commas,
// Chinese commas or spaces.
func SplitMonths(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' || r == ';' })
}
