package staffchange

import (
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/person"
)

// AddInput is one staff increase (增员).
type AddInput struct {
	IDNumber   string `json:"id_number"`
	Name       string `json:"name"`
	StartMonth string `json:"start_month"` // YYYY-MM
	Wage       string `json:"wage"`        // monthly wage in yuan, at most two decimals
	Phone      string `json:"phone"`
	// Note is sent to 统筹科 when the person is held by another employer
	// and the employer asks for coordination (RequestCoordination).
	Note string `json:"note,omitempty"`
}

// RemoveInput is one staff decrease (减员).
type RemoveInput struct {
	EndMonth string `json:"end_month"` // YYYY-MM, the last insured month
	Reason   string `json:"reason"`    // one of Reasons
	Version  int64  `json:"version"`   // the employment's version (0: not checked)
}

// BaseInput corrects the base of an employment from a month on.
type BaseInput struct {
	Month   string `json:"month"` // first month the corrected base applies to
	Wage    string `json:"wage"`
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// addRow is a validated AddInput.
type addRow struct {
	id       ident.ID
	name     string
	month    string
	declared money.Fen
	phone    string
	note     string
}

var monthSeparators = strings.NewReplacer("/", "-", ".", "-", "年", "-", "月", "")

// normMonth accepts 2024-01, 2024/01, 2024.1, 202401 and 2024年1月.
func normMonth(s string) string {
	s = strings.TrimSpace(s)
	s = monthSeparators.Replace(s)
	if len(s) == 6 && !strings.Contains(s, "-") {
		s = s[:4] + "-" + s[4:]
	}
	if len(s) == 6 && s[4] == '-' {
		s = s[:5] + "0" + s[5:]
	}
	return s
}

// monthOffset returns month m shifted by n months.
func monthOffset(m string, n int) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

// checkMonth validates a month field: well formed and not after the
// agency's next month.
func checkMonth(f *errs.Fields, field, label, v, this string) string {
	m := normMonth(v)
	switch {
	case m == "":
		f.Add(field, "请填写"+label+"，格式 YYYY-MM，如 2024-01")
	case !person.ValidMonth(m):
		f.Add(field, label+"“"+v+"”格式不正确，应为 YYYY-MM，如 2024-01")
	case m > monthOffset(this, 1):
		f.Add(field, label+"不能晚于下月（"+monthOffset(this, 1)+"）")
	}
	return m
}

// checkWage validates a monthly wage in yuan.
func checkWage(f *errs.Fields, field, v string) money.Fen {
	if strings.TrimSpace(v) == "" {
		f.Add(field, "请填写月工资（元）")
		return 0
	}
	w, err := money.ParseYuan(v)
	switch {
	case err != nil:
		f.Add(field, "月工资“"+v+"”格式不正确：应为元，最多两位小数，如 8000 或 12345.67")
	case w <= 0:
		f.Add(field, "月工资须大于0")
	case w > money.Yuan(10_000_000):
		f.Add(field, "月工资金额过大，请核对")
	}
	return w
}

// validate checks an AddInput on today; this is the current month.
func (in AddInput) validate(today time.Time, this string) (addRow, error) {
	var f errs.Fields
	var r addRow
	idNo := strings.ToUpper(strings.TrimSpace(in.IDNumber))
	id, err := ident.ParseIDOn(idNo, today)
	if err != nil {
		f.Add("id_number", idMessage(err))
	} else if len(id.Number) != 18 {
		f.Add("id_number", "公民身份号码应为18位")
	}
	r.id = id
	r.name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(r.name); {
	case n == 0:
		f.Add("name", "请填写姓名")
	case n > 40:
		f.Add("name", "姓名不能超过40个字")
	case strings.ContainsAny(r.name, "<>\"'&;\\/\r\n\t"):
		f.Add("name", "姓名含有不允许的字符")
	}
	r.month = checkMonth(&f, "start_month", "参保起始月份", in.StartMonth, this)
	r.declared = checkWage(&f, "wage", in.Wage)
	if p := strings.TrimSpace(in.Phone); p != "" {
		if pp, err := ident.ParsePhone(p); err != nil {
			f.Add("phone", "手机号码“"+p+"”不正确，请填写11位手机号码或带区号的固定电话")
		} else {
			r.phone = pp
		}
	}
	r.note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(r.note) > 500 {
		f.Add("note", "说明不能超过500字")
	}
	return r, f.Err()
}

// validate checks a RemoveInput; this is the current month.
func (in RemoveInput) validate(this string) (month, reason string, err error) {
	var f errs.Fields
	month = checkMonth(&f, "end_month", "终止月份", in.EndMonth, this)
	reason = strings.TrimSpace(in.Reason)
	if !ValidReason(reason) {
		f.Add("reason", "请选择减员原因："+strings.Join(Reasons, "、"))
	}
	return month, reason, f.Err()
}

func idMessage(err error) string {
	if e := errs.As(err); e != nil && e.Message != "" {
		return e.Message
	}
	return "公民身份号码有误"
}
