package policy

import (
	"context"
	"slices"
	"strings"
	"time"

	"shebao/internal/errs"
)

// ReceivingAccount is the agency's bank account that takes contributions
// by transfer (电汇), as in force on a day: three dated rules an
// administrator keeps (docs/rules.md, "Receiving account").
type ReceivingAccount struct {
	Name       string `json:"name"`   // 开户名称
	Number     string `json:"number"` // 银行账号, digits only
	Bank       string `json:"bank"`   // 开户银行
	LegalBasis string `json:"legal_basis"`
	Since      string `json:"since"` // YYYY-MM-DD: the latest of the three rules' start dates
}

// NumberGrouped shows the account number in groups of four digits, the
// way it is read out and typed from a bank slip.
func (r ReceivingAccount) NumberGrouped() string {
	var b strings.Builder
	for i, c := range r.Number {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// NotCollected is the warning shown with the receiving account: medical
// and maternity insurance are not collected by the agency.
const NotCollected = "此账户不接收医疗保险和生育保险费"

// ReceivingAccount returns the receiving account in force on day, or nil
// when an administrator has not set all three rules for that day.
func (s *Service) ReceivingAccount(ctx context.Context, day time.Time) (*ReceivingAccount, error) {
	var out ReceivingAccount
	var bases []string
	for _, k := range []struct {
		key string
		to  *string
	}{{KeyReceivingAccountName, &out.Name}, {KeyReceivingAccountNo, &out.Number}, {KeyReceivingAccountBank, &out.Bank}} {
		v, r, err := s.Text(ctx, k.key, "", day)
		if errs.KindOf(err) == errs.NotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		*k.to = v
		if r.FromDay() > out.Since {
			out.Since = r.FromDay()
		}
		if !slices.Contains(bases, r.LegalBasis) {
			bases = append(bases, r.LegalBasis)
		}
	}
	out.LegalBasis = strings.Join(bases, "；")
	return &out, nil
}

// parseAccountNo accepts a bank account number typed with spaces or
// dashes and returns its digits (8 to 32 of them).
func parseAccountNo(s string) (string, error) {
	d := strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(s)
	ok := len(d) >= 8 && len(d) <= 32
	for _, c := range d {
		ok = ok && c >= '0' && c <= '9'
	}
	if !ok {
		return "", errs.New(errs.Invalid, "bad_value", "银行账号应为 8 至 32 位数字（可用空格分组），如 1100 1234 5678 9012 345")
	}
	return d, nil
}
