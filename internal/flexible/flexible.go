// Package flexible serves flexible workers, individual businesses and the
// unemployed (灵活就业, 个体参保科): registration with a chosen base within
// the limits, monthly or quarterly pension bills (20% of the base, of which
// 8% to the personal account), emergency make-up (疫情补缴) without late
// fees until the make-up window closes, and the audit list of every
// deferred or flagged registration and payment.
package flexible

import (
	"fmt"
	"strings"
	"time"

	"shebao/internal/contribution"
	"shebao/internal/money"
)

// Flags written on bills (comma list in bills.flags).
const (
	FlagMakeUp = "emergency_makeup" // 疫情补缴: counts as paid on time, no late fee
	FlagLate   = "late"             // paid after the due date without relief: late fees accrue from due_on
)

// Plans: how many months one request bills.
const (
	Monthly   = "monthly"
	Quarterly = "quarterly"
)

// Amount is the computed pension contribution of one month.
type Amount struct {
	Base    money.Fen  // after clamping to the month's limits
	Rate    money.Rate // flexible_rate (20%)
	Share   money.Rate // flexible_account_share (8%)
	Total   money.Fen  // Base × Rate, half-up
	Account money.Fen  // Base × Share, half-up: the part credited to the personal account
}

// Compute applies the flexible rate and the account share to base, each
// half-up to the fen (docs/rules.md §6.2: 4,800 → 960.00, of which 384.00).
func Compute(base money.Fen, rate, share money.Rate) Amount {
	return Amount{Base: base, Rate: rate, Share: share, Total: base.Apply(rate), Account: base.Apply(share)}
}

// Explain says how the amount was computed.
func (a Amount) Explain() string {
	return fmt.Sprintf("缴费基数 %s 元 × 费率 %s = %s 元（半数进位到分），其中计入个人账户 %s 元（%s）",
		a.Base, a.Rate, a.Total, a.Account, a.Share)
}

// Bill is a flexible worker's bill of one month.
type Bill struct {
	ID          int64
	BillNo      string
	PersonID    int64
	FeeMonth    string
	Status      contribution.Status
	Total       money.Fen
	Account     money.Fen // part of Total credited to the personal account
	Paid        money.Fen
	PaymentRef  string
	DueOn       string
	DueBasis    string
	Waived      bool
	WaiverBasis string
	Flags       string
	Explain     string
	Version     int64

	amount Amount // set when computed, for the insert
}

// MakeUp reports whether the bill is an emergency make-up.
func (b *Bill) MakeUp() bool { return hasFlag(b.Flags, FlagMakeUp) }

// Late reports whether the bill was issued late without relief.
func (b *Bill) Late() bool { return hasFlag(b.Flags, FlagLate) }

// Open is what is still to pay.
func (b *Bill) Open() money.Fen { return b.Total - b.Paid }

// StatusName is the status in Chinese.
func (b *Bill) StatusName() string { return statusName(b.Status) }

// statusName is the status as a flexible worker reads it.
func statusName(s contribution.Status) string {
	switch s {
	case contribution.Confirmed:
		return "待缴费"
	case contribution.PartiallyPaid:
		return "部分到账"
	case contribution.Paid:
		return "已缴清"
	case contribution.Cancelled:
		return "已作废"
	}
	return s.Name()
}

func hasFlag(flags, f string) bool {
	for _, x := range strings.Split(flags, ",") {
		if x == f {
			return true
		}
	}
	return false
}

// months returns n consecutive months starting at start ('YYYY-MM').
func months(start string, n int) []string {
	t, _ := time.Parse("2006-01", start)
	out := make([]string, n)
	for i := range out {
		out[i] = t.AddDate(0, i, 0).Format("2006-01")
	}
	return out
}
