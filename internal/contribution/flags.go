package contribution

import (
	"strings"
	"time"

	"shebao/internal/clock"
	"shebao/internal/policy"
)

// Bill flags (bills.flags, a comma list): marks that a bill was handled
// under an emergency measure, shown in the audit section's register of
// deferred business and on the person's contribution record.
const (
	FlagMakeUp       = "emergency_makeup" // a flexible worker's make-up payment (疫情补缴)
	FlagLateAccepted = "late_accepted"    // paid or declared late, accepted under the emergency (疫情逾期受理)
	FlagLate         = "late"             // late without relief (逾期)
)

var flagNames = map[string]string{FlagMakeUp: "疫情补缴", FlagLateAccepted: "疫情逾期受理", FlagLate: "逾期"}

// FlagNames turns a comma list of bill flags into Chinese labels, in the
// order given; unknown flags are left out.
func FlagNames(flags string) string {
	var out []string
	for _, f := range strings.Split(flags, ",") {
		if n, ok := flagNames[strings.TrimSpace(f)]; ok {
			out = append(out, n)
		}
	}
	return strings.Join(out, "、")
}

// FlagNames is the bill's flags in Chinese.
func (b *Bill) FlagNames() string { return FlagNames(b.Flags) }

// HasFlag reports whether the comma list flags holds f.
func HasFlag(flags, f string) bool {
	for _, x := range strings.Split(flags, ",") {
		if strings.TrimSpace(x) == f {
			return true
		}
	}
	return false
}

// WithFlag returns flags with f added (once).
func WithFlag(flags, f string) string {
	switch {
	case HasFlag(flags, f):
		return flags
	case flags == "":
		return f
	}
	return flags + "," + f
}

// LateAcceptedBasis says why a bill due on due and paid or declared (act)
// on day is flagged late_accepted under emergency e.
// The rule: docs/rules.md "Late business accepted and flagged".
func LateAcceptedBasis(e policy.Emergency, act string, day, due time.Time) string {
	return "疫情逾期受理：" + e.Title + "期间逾期" + act + "（" + act + "日 " + dayText(day) + "，原缴费期限 " + dayText(due) +
		"），及时受理并标识，不影响个人权益记录（依据：" + e.LegalBasis + "）"
}

func dayText(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02") }
