// Package payout is every line of money leaving the fund (拨付): a payee, a
// bank account, an amount for a scheme and a reason, prepared by the
// section that decided the benefit and approved by a second clerk of the
// fund section (基金管理科) before it may go into a bank file. Each line has
// a unique business key, so preparing it twice, retrying a file or
// importing a return twice never pays twice. Every transition posts to the
// fund ledger (package ledger) in the same transaction. See
// docs/decisions/0020-payouts.md.
package payout

import (
	"context"
	"fmt"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ident"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// Line statuses.
const (
	Held      = "held"      // waiting for an account (e.g. a social security card not yet active)
	Prepared  = "prepared"  // prepared by the section, waiting for the fund section
	Approved  = "approved"  // approved by a second clerk: may go into a bank file
	Rejected  = "rejected"  // refused by the fund section (reason given)
	InFile    = "in_file"   // in a batch sent to the agent bank
	Paid      = "paid"      // the bank reports it paid
	Failed    = "failed"    // the bank reports it failed: to fix and reissue, or cancel
	Reissued  = "reissued"  // failed and replaced by a new line
	Cancelled = "cancelled" // cancelled (reason given)
)

var statusNames = map[string]string{Held: "暂停发放（待账户）", Prepared: "待审核", Approved: "已审核", Rejected: "已退回",
	InFile: "已送银行", Paid: "已支付", Failed: "支付失败", Reissued: "已重新拨付", Cancelled: "已作废"}

// StatusName is a status in Chinese.
func StatusName(s string) string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return s
}

// Statuses lists the statuses in display order.
var Statuses = []string{Held, Prepared, Approved, InFile, Paid, Failed, Reissued, Rejected, Cancelled}

// Payee kinds.
const (
	PayeePerson   = "person"   // 个人
	PayeeEmployer = "employer" // 单位
	PayeeHospital = "hospital" // 医疗机构
	PayeeAgency   = "agency"   // 其他经办机构（转移接续）
	PayeePayer    = "payer"    // 其他付款人（退还未认领的缴费，PayeeID 0）
)

var payeeNames = map[string]string{PayeePerson: "个人", PayeeEmployer: "参保单位", PayeeHospital: "医疗机构", PayeeAgency: "社保经办机构",
	PayeePayer: "其他付款人"}

// PayeeKindName is a payee kind in Chinese.
func PayeeKindName(k string) string {
	if n, ok := payeeNames[k]; ok {
		return n
	}
	return k
}

// Benefit is a reason money leaves the fund: its scheme ("" = the
// request's, for money that may belong to any scheme) and the sections
// whose clerks may prepare it.
type Benefit struct {
	Code     string
	Name     string
	Scheme   string
	Sections []access.Section
}

// Benefits lists the benefit types a payout line may carry.
var Benefits = []Benefit{
	{"pension", "基本养老金", "pension", []access.Section{access.Welfare, access.Fund}},
	{"pension_backpay", "养老金补发", "pension", []access.Section{access.Welfare, access.Fund}},
	{"funeral_subsidy", "丧葬补助金", "pension", []access.Section{access.Welfare}},
	{"survivor_relief", "一次性抚恤金", "pension", []access.Section{access.Welfare}},
	{"survivor_pension", "供养直系亲属救济费", "pension", []access.Section{access.Welfare}},
	{"account_refund", "个人账户余额退还", "pension", []access.Section{access.Account, access.Welfare}},
	{"transfer_out", "转移接续基金划转", "pension", []access.Section{access.Account}},
	{"injury_medical", "工伤医疗费", "injury", []access.Section{access.Injury}},
	{"injury_rehab", "工伤康复及辅助器具费", "injury", []access.Section{access.Injury}},
	{"injury_hospital_meals", "住院伙食补助费及交通食宿费", "injury", []access.Section{access.Injury}},
	{"injury_disability_lump", "一次性伤残补助金", "injury", []access.Section{access.Injury}},
	{"injury_disability_allowance", "伤残津贴", "injury", []access.Section{access.Injury}},
	{"injury_nursing", "生活护理费", "injury", []access.Section{access.Injury}},
	{"injury_medical_lump", "一次性工伤医疗补助金", "injury", []access.Section{access.Injury}},
	{"injury_death_lump", "一次性工亡补助金", "injury", []access.Section{access.Injury}},
	{"injury_funeral", "丧葬补助金（工亡）", "injury", []access.Section{access.Injury}},
	{"injury_survivor", "供养亲属抚恤金", "injury", []access.Section{access.Injury}},
	{"injury_other", "其他工伤保险待遇", "injury", []access.Section{access.Injury}},
	{"unemployment_benefit", "失业保险金", "unemployment", []access.Section{access.Welfare}},
	{ContributionRefund, "退还多缴（误缴）社会保险费", "", []access.Section{access.Fund}},
}

// ContributionRefund is the benefit of a payment returned to its payer
// (package payment prepares it when the fund section refunds): paid from
// the scheme the money was posted to, and debited to 应退款项 rather than
// to benefit expense (see debitAccounts).
const ContributionRefund = "contribution_refund"

// debitAccounts names the account a benefit's approval debits when it is
// not benefit expense: a refund settles what the fund owes the payer
// (应退款项), credited when the payment was refunded.
var debitAccounts = map[string]ledger.Account{ContributionRefund: ledger.RefundPayable}

// DebitAccount is the ledger account a line of the benefit is charged to
// on approval (and credited back when it is cancelled or fails).
func DebitAccount(benefit string) ledger.Account {
	if a, ok := debitAccounts[benefit]; ok {
		return a
	}
	return ledger.BenefitExpense
}

// BenefitOf returns the benefit of a code.
func BenefitOf(code string) (Benefit, bool) {
	for _, b := range Benefits {
		if b.Code == code {
			return b, true
		}
	}
	return Benefit{}, false
}

// BenefitName is a benefit code in Chinese.
func BenefitName(code string) string {
	if b, ok := BenefitOf(code); ok {
		return b.Name
	}
	return code
}

// Key is the business key of a line: the benefit, the case or
// determination it comes from, the payee and the period, plus an optional
// part for several lines of one source, payee and period (e.g.
// "backpay-2024-01"). Preparing a line whose key is live returns that line.
func Key(benefit, sourceKind, sourceID, payeeKind string, payeeID int64, period, part string) string {
	k := fmt.Sprintf("%s/%s:%s/%s:%d/%s", benefit, sourceKind, sourceID, payeeKind, payeeID, period)
	if part != "" {
		k += "/" + part
	}
	return k
}

// Line is one payout line.
type Line struct {
	ID            int64      `json:"id"`
	BusinessKey   string     `json:"business_key"`
	PayeeKind     string     `json:"payee_kind"`
	PayeeID       int64      `json:"payee_id"`
	PayeeName     string     `json:"payee_name"`
	PayeeIDNumber string     `json:"-"`
	AccountKind   string     `json:"account_kind"`
	AccountName   string     `json:"account_name"`
	AccountNo     string     `json:"-"`
	BankName      string     `json:"bank_name"`
	BankCode      string     `json:"bank_code"`
	NameConfirmed bool       `json:"name_confirmed"`
	Amount        money.Fen  `json:"amount_fen"`
	Scheme        string     `json:"scheme"`
	Benefit       string     `json:"benefit"`
	SourceKind    string     `json:"source_kind"`
	SourceID      string     `json:"source_id"`
	Period        string     `json:"period"`
	Memo          string     `json:"memo"`
	PayDate       string     `json:"pay_date,omitempty"` // YYYY-MM-DD, the pay day of a periodic benefit
	Status        string     `json:"status"`
	HoldReason    string     `json:"hold_reason,omitempty"`
	RejectReason  string     `json:"reject_reason,omitempty"`
	FailReason    string     `json:"fail_reason,omitempty"`
	BatchID       int64      `json:"batch_id,omitempty"`
	BankSerial    string     `json:"bank_serial,omitempty"`
	ReissueOf     int64      `json:"reissue_of,omitempty"`
	PreparedBy    string     `json:"prepared_by"`
	PreparedByID  int64      `json:"-"`
	PreparedAt    time.Time  `json:"prepared_at"`
	ApprovedBy    string     `json:"approved_by,omitempty"`
	ApprovedAt    *time.Time `json:"approved_at,omitempty"`
	PaidOn        string     `json:"paid_on,omitempty"`
	Version       int64      `json:"version"`
}

// MaskedAccount shows the account number's last four digits only.
func (l *Line) MaskedAccount() string { return MaskAccount(l.AccountNo) }

// MaskedIDNumber is the payee's ID number masked for lists.
func (l *Line) MaskedIDNumber() string { return ident.MaskID(l.PayeeIDNumber) }

// StatusName is the line's status in Chinese.
func (l *Line) StatusName() string { return StatusName(l.Status) }

// BenefitName is the line's benefit in Chinese.
func (l *Line) BenefitName() string { return BenefitName(l.Benefit) }

// PayeeKindName is the payee kind in Chinese.
func (l *Line) PayeeKindName() string { return PayeeKindName(l.PayeeKind) }

// SchemeName is the line's scheme in Chinese.
func (l *Line) SchemeName() string { return ledger.SchemeName(l.Scheme) }

// Ref is the line's reference in bank files (业务流水号).
func (l *Line) Ref() string { return LineRef(l.ID) }

// PayDateText is the pay date in Chinese ("" when the line has none).
func (l *Line) PayDateText() string {
	t, err := time.Parse("2006-01-02", l.PayDate)
	if err != nil {
		return ""
	}
	return t.Format("2006年1月2日")
}

// PaidOnText is the day the bank paid the line, in Chinese ("" when not paid).
func (l *Line) PaidOnText() string {
	t, err := time.Parse("2006-01-02", l.PaidOn)
	if err != nil {
		return ""
	}
	return t.Format("2006年1月2日")
}

// PeriodText is the period in Chinese ("" for lump sums).
func (l *Line) PeriodText() string {
	m, err := clock.ParseMonth(l.Period)
	if err != nil {
		return ""
	}
	return m.Chinese()
}

// Hold reasons recorded by this package and the payroll; other lines may
// record their own reason in Chinese (e.g. a hospital's account not yet
// registered), which is shown as it is.
const (
	HoldCard     = "card"     // the social security card is not active yet
	HoldEncoding = "encoding" // the account name has characters the bank's file cannot carry
	HoldAccount  = "account"  // no receiving account registered yet
)

var holdNames = map[string]string{
	HoldCard:     "社保卡未激活，暂停发放",
	HoldEncoding: "户名含银行文件无法表示的文字，暂未送银行",
	HoldAccount:  "尚未登记收款账户，暂停发放",
}

// HoldReasonName is a hold reason in Chinese: the name of a known code,
// a reason already written in Chinese as it is, and for any other code
// the general "no usable account" (never the code itself).
func HoldReasonName(reason string) string {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ""
	}
	if n, ok := holdNames[reason]; ok {
		return n
	}
	for _, r := range reason {
		if r > 0x2E7F { // a CJK character: a reason written for people
			return reason
		}
	}
	return holdNames[HoldAccount]
}

// HoldReasonText is why the line is held or kept out of bank files, in
// Chinese ("" when it is not).
func (l *Line) HoldReasonText() string { return HoldReasonName(l.HoldReason) }

// Approvable reports whether the line waits for approval.
func (l *Line) Approvable() bool { return l.Status == Prepared }

// MaskAccount keeps the last four characters of an account number.
func MaskAccount(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

// Service prepares, approves and pays payout lines.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service
	names Namer
}

// Namer names staff by the name their account was given, from their
// logins: the account service (account.Service.DisplayNames), which owns
// the users table. Documents print that name, never the login.
type Namer interface {
	DisplayNames(ctx context.Context, usernames []string) (map[string]string, error)
}

// NewService returns the payout service; names may be nil in unit tests
// (documents then say the preparer has no registered name).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, names Namer) *Service {
	return &Service{db: d, clock: c, audit: a, names: names}
}

// staffName is the name a document prints for the stored login of whoever
// did something: 系统（自动） for the system, the account's display name,
// else 未登记姓名的账户 (never the login itself).
func (s *Service) staffName(ctx context.Context, login string) (string, error) {
	if login == access.System.Name() {
		return "系统（自动）", nil
	}
	if s.names != nil {
		names, err := s.names.DisplayNames(ctx, []string{login})
		if err != nil {
			return "", err
		}
		if n, ok := names[login]; ok {
			return n, nil
		}
	}
	return "未登记姓名的账户", nil
}

// today is the Shanghai date now.
func (s *Service) today() string { return s.clock.Now().In(clock.Shanghai).Format("2006-01-02") }
