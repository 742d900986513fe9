package payout

import (
	"strings"
	"unicode"

	"shebao/internal/errs"
)

// Account kinds.
const (
	AccountCard      = "card"      // 银行卡（含社保卡金融账户）：16–19 位，Luhn 校验
	AccountCorporate = "corporate" // 对公账户：8–32 位数字
)

// CleanAccountNo removes spaces and dashes from an account number and
// folds full-width digits.
func CleanAccountNo(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case r == ' ' || r == '-' || r == '\u3000':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Luhn reports whether a digit string passes the Luhn (mod 10) check
// that bank card numbers carry in their last digit.
func Luhn(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return len(digits) > 0 && sum%10 == 0
}

// CheckAccount validates an account number of a kind, adding field
// errors under field: digits only; a card 16 to 19 digits passing the
// Luhn check; a corporate account 8 to 32 digits (no check digit scheme
// is common to all banks). See docs/rules.md "Payout accounts".
func CheckAccount(f *errs.Fields, field, kind, number string) {
	if number == "" {
		f.Add(field, "请填写收款账号")
		return
	}
	for _, r := range number {
		if !unicode.IsDigit(r) || r > '9' {
			f.Add(field, "收款账号只能由数字组成")
			return
		}
	}
	switch kind {
	case AccountCard:
		if len(number) < 16 || len(number) > 19 {
			f.Add(field, "银行卡号应为16至19位数字")
		} else if !Luhn(number) {
			f.Add(field, "银行卡号校验位不正确，请核对卡号")
		}
	case AccountCorporate:
		if len(number) < 8 || len(number) > 32 {
			f.Add(field, "对公账号应为8至32位数字")
		}
	default:
		f.Add("account_kind", "请选择账户类型（银行卡或对公账户）")
	}
}

// SameName compares an account name with a payee name, ignoring spaces
// and the width of brackets (单位名称常见全角/半角括号混用).
func SameName(a, b string) bool { return normName(a) == normName(b) && normName(a) != "" }

// nameReplacer drops spaces and dots and narrows brackets (made once: a
// payroll compares hundreds of thousands of names).
var nameReplacer = strings.NewReplacer(" ", "", "\u3000", "", "（", "(", "）", ")", "·", "", "•", "")

func normName(s string) string { return nameReplacer.Replace(strings.TrimSpace(s)) }
