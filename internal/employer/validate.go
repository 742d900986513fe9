package employer

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/ident"
)

// Field length limits, in characters.
const (
	maxName     = 100
	maxPerson   = 50
	maxAddress  = 200
	maxEmail    = 100
	maxIndustry = 50
	maxBank     = 100
	maxReasons  = 1000
)

var (
	accountRe = regexp.MustCompile(`^[0-9]{8,30}$`)
)

// oldest is the earliest establishment date accepted.
var oldest = time.Date(1900, 1, 1, 0, 0, 0, 0, clock.Shanghai)

// normalize trims every field and removes the spaces people type inside
// codes, phone numbers and bank accounts.
func (in *Info) normalize() {
	for _, p := range []*string{&in.Name, &in.LegalRep, &in.Address, &in.ContactName, &in.Industry, &in.BankName, &in.EstablishedOn} {
		*p = strings.TrimSpace(*p)
	}
	in.USCC = strings.ToUpper(squeeze(in.USCC))
	in.ContactPhone = normalizePhone(in.ContactPhone)
	in.ContactEmail = strings.TrimSpace(in.ContactEmail)
	in.BankAccount = squeeze(in.BankAccount)
}

// squeeze drops all white space (including the ideographic space).
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\u3000' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
}

// validate checks every field of in, adding Chinese messages to f; today
// is the Shanghai date the check is made on.
func (in *Info) validate(f *errs.Fields, today time.Time) {
	in.normalize()
	if in.USCC == "" {
		f.Add("uscc", "请填写统一社会信用代码（18位）")
	} else if code, err := ident.ParseUSCC(in.USCC); err != nil {
		f.Add("uscc", messageOf(err, "统一社会信用代码有误，请核对营业执照"))
	} else {
		in.USCC = code
	}
	for _, cf := range ChangeFields {
		checkField(f, cf.Key, *infoField(in, cf.Key))
	}
	text(f, "industry", "所属行业", in.Industry, 2, maxIndustry)
	if in.RiskClass < 1 || in.RiskClass > 8 {
		f.Add("risk_class", "请选择工伤保险行业风险类别（一类至八类）")
	}
	checkDate(f, "established_on", "成立日期", in.EstablishedOn, today)
}

// text checks a required text field's length in characters.
func text(f *errs.Fields, field, label, v string, min, max int) {
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0:
		f.Add(field, "请填写"+label)
	case !utf8.ValidString(v) || strings.ContainsAny(v, "\x00<>"):
		f.Add(field, label+"含有不允许的字符")
	case n < min:
		f.Add(field, fmt.Sprintf("%s至少 %d 个字", label, min))
	case n > max:
		f.Add(field, fmt.Sprintf("%s不能超过 %d 个字（现为 %d 个）", label, max, n))
	}
}

// normalizePhone returns a valid phone number in ident's one form
// (13812345678, 010-12345678), or v without spaces when it is not valid.
func normalizePhone(v string) string {
	if p, err := ident.ParsePhone(v); err == nil {
		return p
	}
	return squeeze(v)
}

func checkPhone(f *errs.Fields, field, v string) {
	if v == "" {
		f.Add(field, "请填写联系电话（手机或固定电话）")
	} else if _, err := ident.ParsePhone(v); err != nil {
		f.Add(field, messageOf(err, "联系电话格式不正确：手机为 11 位数字，固定电话如 010-12345678"))
	}
}

func checkEmail(f *errs.Fields, field, v string, required bool) {
	if v == "" {
		if required {
			f.Add(field, "请填写电子邮箱")
		}
		return
	}
	if len(v) > maxEmail {
		f.Add(field, fmt.Sprintf("电子邮箱不能超过 %d 个字符", maxEmail))
		return
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@")+1:], ".") {
		f.Add(field, "电子邮箱格式不正确，例如 hr@example.com")
	}
}

func checkAccount(f *errs.Fields, field, v string) {
	switch {
	case v == "":
		f.Add(field, "请填写银行账号")
	case !accountRe.MatchString(v):
		f.Add(field, "银行账号应为 8 至 30 位数字")
	}
}

func checkDate(f *errs.Fields, field, label, v string, today time.Time) {
	if v == "" {
		f.Add(field, "请填写"+label+"（格式 2024-01-31）")
		return
	}
	d, err := clock.ParseDate(v)
	if err != nil || d.Format("2006-01-02") != v {
		f.Add(field, label+"不是有效日期，请按 2024-01-31 的格式填写")
		return
	}
	if d.After(today) {
		f.Add(field, label+"不能晚于今天")
	} else if d.Before(oldest) {
		f.Add(field, label+"早于 1900 年，请核对")
	}
}

// messageOf returns the Chinese message of a service error, or def.
func messageOf(err error, def string) string {
	if e := errs.As(err); e != nil && e.Message != "" {
		return e.Message
	}
	return def
}

// maskAccount keeps the last four digits of a bank account for audit entries.
func maskAccount(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return strings.Repeat("*", len(s)-4) + s[len(s)-4:]
}
