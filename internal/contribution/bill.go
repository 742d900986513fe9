// Package contribution assesses the monthly contribution bills (核定) of
// employers: one bill per employer and fee month with one line per person
// and scheme (pension, unemployment, work injury), bases clamped to the
// month's limits and every line rounded half-up to the fen. The employer
// checks (核对) and confirms the draft or asks 统筹科 to correct it;
// confirmed bills get a payment reference and a due date.
//
// Payments (package payment) update a bill's paid_fen, status and flags
// inside their own posting transaction, under the bill's version, so
// paid_fen always equals what the ledger posted to the bill; a bill paid
// late under an emergency that accepts late payments is flagged
// FlagLateAccepted there, one confirmed late is flagged here (Confirm).
// Flexible workers' bills (payer_kind 'flexible') are built by package
// flexible; the queries here are for payer_kind 'employer'.
package contribution

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"shebao/internal/money"
	"shebao/internal/policy"
)

// Status is the state of a bill.
type Status string

// Bill statuses: draft → (correction_requested ↔ draft) → confirmed →
// partially_paid → paid; cancelled.
const (
	Draft               Status = "draft"                // 待核对
	CorrectionRequested Status = "correction_requested" // 已申请更正
	Confirmed           Status = "confirmed"            // 已确认待缴费
	PartiallyPaid       Status = "partially_paid"       // 部分缴费
	Paid                Status = "paid"                 // 已缴清
	Cancelled           Status = "cancelled"            // 已作废
)

var statusNames = map[Status]string{Draft: "待核对", CorrectionRequested: "已申请更正", Confirmed: "已确认待缴费",
	PartiallyPaid: "部分缴费", Paid: "已缴清", Cancelled: "已作废"}

// Name is the Chinese name of the status.
func (s Status) Name() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := statusNames[s]; return ok }

// Scheme is an insurance scheme collected here.
type Scheme string

// Schemes, in display order. Medical and maternity insurance are not
// collected by this agency.
const (
	Pension      Scheme = "pension"      // 基本养老保险
	Unemployment Scheme = "unemployment" // 失业保险
	Injury       Scheme = "injury"       // 工伤保险
)

// Schemes lists the schemes in display order.
var Schemes = []Scheme{Pension, Unemployment, Injury}

var schemeNames = map[Scheme]string{Pension: "养老保险", Unemployment: "失业保险", Injury: "工伤保险"}

// Name is the Chinese name of the scheme.
func (s Scheme) Name() string {
	if n, ok := schemeNames[s]; ok {
		return n
	}
	return string(s)
}

// Who pays a bill (Bill.PayerKind).
const (
	PayerEmployer = "employer" // an employer, for its staff
	PayerFlexible = "flexible" // a flexible worker (灵活就业人员), for himself or herself
)

// Bill is one employer's (or flexible worker's) bill for a fee month.
type Bill struct {
	ID             int64     `json:"id"`
	BillNo         string    `json:"bill_no"`
	PayerKind      string    `json:"payer_kind"` // employer | flexible
	EmployerID     int64     `json:"employer_id,omitempty"`
	EmployerNo     string    `json:"employer_no,omitempty"`   // filled by reads that join employers
	EmployerName   string    `json:"employer_name,omitempty"` // filled by reads that join employers
	PersonID       int64     `json:"person_id,omitempty"`
	FeeMonth       string    `json:"fee_month"`
	Status         Status    `json:"status"`
	StatusName     string    `json:"status_name"`
	Employer       money.Fen `json:"employer_fen"`
	Individual     money.Fen `json:"individual_fen"`
	Total          money.Fen `json:"total_fen"`
	PaidFen        money.Fen `json:"paid_fen"`
	PaymentRef     string    `json:"payment_ref,omitempty"`
	DueOn          string    `json:"due_on,omitempty"`
	DueBasis       string    `json:"due_basis,omitempty"`
	LateFeeWaived  bool      `json:"late_fee_waived"`
	WaiverBasis    string    `json:"waiver_basis,omitempty"`
	Flags          string    `json:"flags,omitempty"`
	FlagBasis      string    `json:"flag_basis,omitempty"` // why the bill is flagged, with the measure's basis
	CorrectionNote string    `json:"correction_note,omitempty"`
	RiskClass      int       `json:"risk_class,omitempty"`
	InjuryFloatPPM int64     `json:"injury_float_ppm,omitempty"`
	Basis          Basis     `json:"basis"`
	AssessedAt     time.Time `json:"assessed_at"`
	ConfirmedAt    time.Time `json:"confirmed_at,omitzero"`
	Version        int64     `json:"version"`

	// PayTo is the agency's receiving account in force today, for a
	// confirmed bill (filled by Get); nil when none is set.
	PayTo *policy.ReceivingAccount `json:"pay_to,omitempty"`

	Lines   []Line        `json:"lines,omitempty"`   // filled by Get
	Schemes []SchemeTotal `json:"schemes,omitempty"` // per-scheme totals, filled by Get
	Persons int           `json:"persons,omitempty"` // number of persons on the bill, filled by Get
}

// Outstanding is what is still to pay.
func (b *Bill) Outstanding() money.Fen { return b.Total - b.PaidFen }

// Basis holds the rules a bill was computed from, each a one-line citation
// with its legal basis (policy.Rule.Explain), stored as JSON on the bill.
type Basis struct {
	Limits       string `json:"limits"`
	Pension      string `json:"pension"`
	Unemployment string `json:"unemployment"`
	Injury       string `json:"injury"`
	Rounding     string `json:"rounding"`
}

func (b Basis) of(s Scheme) string {
	switch s {
	case Pension:
		return b.Pension
	case Unemployment:
		return b.Unemployment
	}
	return b.Injury
}

func (b Basis) encode() string {
	j, _ := json.Marshal(b)
	return string(j)
}

func decodeBasis(s string) Basis {
	var b Basis
	_ = json.Unmarshal([]byte(s), &b) // an empty or foreign text leaves it empty
	b.Limits = legacyRounding.Replace(b.Limits)
	return b
}

// legacyRounding relabels the rounding code that bills assessed before
// policy.RoundingName wrote into their stored basis.
var legacyRounding = strings.NewReplacer("（取整方式：yuan）", "（按元取整）", "（取整方式：fen）", "（保留到分）")

// Line is one person and scheme on a bill.
type Line struct {
	ID             int64      `json:"id"`
	PersonID       int64      `json:"person_id"`
	PersonName     string     `json:"person_name,omitempty"` // masked (张*)
	IDNumber       string     `json:"id_number,omitempty"`   // masked
	Scheme         Scheme     `json:"scheme"`
	SchemeName     string     `json:"scheme_name"`
	Base           money.Fen  `json:"base_fen"`
	DeclaredBase   money.Fen  `json:"declared_base_fen"`
	EmployerRate   money.Rate `json:"employer_rate_ppm"`
	IndividualRate money.Rate `json:"individual_rate_ppm"`
	Employer       money.Fen  `json:"employer_fen"`
	Individual     money.Fen  `json:"individual_fen"`
	Clamp          string     `json:"clamp,omitempty"` // stored note: how the base was clamped and rounded
	Explain        string     `json:"explain"`         // how it was computed, with the legal basis
}

// explain renders how the line was computed from its stored columns and
// the bill's basis.
func (l *Line) explain(b *Bill) string {
	base := fmt.Sprintf("申报基数 %s 元", l.DeclaredBase)
	if l.Clamp != "" {
		base += "，" + l.Clamp
	}
	base += fmt.Sprintf("，缴费基数 %s 元", l.Base)
	share := fmt.Sprintf("单位 %s × %s = %s 元", l.Base, l.EmployerRate, l.Employer)
	if l.Scheme == Injury {
		share = fmt.Sprintf("单位 %s × %s（风险类别 %d 基准费率 × 浮动系数 %s）= %s 元，个人不缴", l.Base, l.EmployerRate,
			b.RiskClass, floatText(b.InjuryFloatPPM), l.Employer)
	} else {
		share += fmt.Sprintf("；个人 %s × %s = %s 元", l.Base, l.IndividualRate, l.Individual)
	}
	s := base + "；" + share + "（每行四舍五入到分）"
	if basis := b.Basis.of(l.Scheme); basis != "" {
		s += "。依据：" + basis
	}
	if b.Basis.Limits != "" {
		s += "；基数上下限：" + b.Basis.Limits
	}
	return s
}

// floatText shows a float factor in millionths as e.g. "1.2".
func floatText(ppm int64) string {
	whole, frac := ppm/1_000_000, ppm%1_000_000
	if frac == 0 {
		return fmt.Sprintf("%d.0", whole)
	}
	f := fmt.Sprintf("%06d", frac)
	for len(f) > 1 && f[len(f)-1] == '0' {
		f = f[:len(f)-1]
	}
	return fmt.Sprintf("%d.%s", whole, f)
}

// SchemeTotal is a bill's total for one scheme.
type SchemeTotal struct {
	Scheme     Scheme    `json:"scheme"`
	Name       string    `json:"name"`
	Base       money.Fen `json:"base_fen"` // sum of the clamped bases
	Employer   money.Fen `json:"employer_fen"`
	Individual money.Fen `json:"individual_fen"`
	Total      money.Fen `json:"total_fen"`
}
