// Package payment takes contributions in without cash: bank statements
// imported and matched to bills, card payments at the counter, the queue
// the fund section (基金管理科) settles by hand, late fees, receipts and
// paper invoice mailing. Every payment posts to the fund ledger (package
// ledger) and updates the bill's paid amount in the same transaction.
package payment

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/policy"
)

// Payment statuses. Queue statuses wait for the fund section.
const (
	Matched   = "matched"   // posted to a bill automatically or at the counter
	Unmatched = "unmatched" // no bill found: in suspense
	Partial   = "partial"   // less than the bill's amount due: in suspense
	Over      = "over"      // more than the bill's amount due: in suspense
	Medical   = "medical"   // names medical or maternity insurance: to refund
	Settled   = "settled"   // settled by hand
	Refund    = "refund"    // marked for refund by hand
)

// QueueStatuses are the statuses the fund section must settle.
var QueueStatuses = []string{Unmatched, Partial, Over, Medical}

var statusNames = map[string]string{Matched: "已入账", Unmatched: "未匹配", Partial: "少缴", Over: "多缴",
	Medical: "非本机构险种（待退回）", Settled: "已人工处理", Refund: "待退款"}

// StatusName is a status in Chinese.
func StatusName(s string) string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return s
}

// Channels.
const (
	Transfer = "transfer" // 电汇
	Card     = "card"     // 刷卡
	Cash     = "cash"     // 现金（应急期内不收）
)

// Service runs payments.
type Service struct {
	db     *db.DB
	clock  clock.Clock
	audit  *audit.Service
	policy *policy.Service
	// payouts returns refunded money to the payer (package payout owns
	// the lines; a refund prepares them in its transaction).
	payouts *payout.Service
	// DefaultAccount is the agency's receiving account assumed when an
	// import names none.
	DefaultAccount string
	// PublicURL is the public address receipts' QR codes point to (e.g.
	// https://shebao.example, from app.Config.PortalURL); empty: a path.
	PublicURL string
	checks    checkLimiter
}

// NewService returns the payment service; refunds are paid back through
// payouts; publicURL is the public address of the portal (empty: receipts
// link to a path).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, p *policy.Service, payouts *payout.Service, publicURL string) *Service {
	return &Service{db: d, clock: c, audit: a, policy: p, payouts: payouts, DefaultAccount: "社保费收入户", PublicURL: publicURL}
}

// Payment is one credit received.
type Payment struct {
	ID           int64      `json:"id"`
	Channel      string     `json:"channel"`
	StatementID  int64      `json:"statement_id,omitempty"`
	AccountNo    string     `json:"-"`
	Serial       string     `json:"serial"`
	PaidOn       string     `json:"paid_on"`
	PayerName    string     `json:"payer_name"`
	PayerAccount string     `json:"-"`
	CardLast4    string     `json:"card_last4,omitempty"`
	Amount       money.Fen  `json:"amount_fen"`
	Remark       string     `json:"remark"`
	Status       string     `json:"status"`
	Reason       string     `json:"reason,omitempty"`
	BillID       int64      `json:"bill_id,omitempty"`
	BillNo       string     `json:"bill_no,omitempty"`
	FeeMonth     string     `json:"fee_month,omitempty"`
	EmployerID   int64      `json:"-"`
	PersonID     int64      `json:"-"`
	Applied      money.Fen  `json:"applied_fen"`
	LateFee      money.Fen  `json:"late_fee_fen"`
	LateFeeDays  int64      `json:"late_fee_days"`        // days late
	DaysWaived   int64      `json:"late_fee_days_waived"` // of which waived under an emergency
	LateFeeNote  string     `json:"late_fee_note,omitempty"`
	Open         money.Fen  `json:"open_fen"`
	Note         string     `json:"note,omitempty"`
	ReceiptCode  string     `json:"receipt_code,omitempty"`
	SettledBy    string     `json:"-"`
	SettledAt    *time.Time `json:"settled_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	Version      int64      `json:"version"`
}

// StatusName is the payment's status in Chinese.
func (p *Payment) StatusName() string { return StatusName(p.Status) }

// MaskedPayerAccount shows the last four digits only.
func (p *Payment) MaskedPayerAccount() string { return maskAccount(p.PayerAccount) }

// DaysCharged is the number of days the late fee was charged for.
func (p *Payment) DaysCharged() int64 { return p.LateFeeDays - p.DaysWaived }

// HasReceipt reports whether money was posted to a bill.
func (p *Payment) HasReceipt() bool { return p.ReceiptCode != "" && p.Applied+p.LateFee > 0 }

func maskAccount(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

// newCode returns an unguessable receipt verification code: 16 base32
// characters (80 random bits).
func newCode() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base32.StdEncoding.EncodeToString(b[:])
}

const paymentCols = `p.id, p.channel, COALESCE(p.statement_id, 0), p.account_no, p.serial, p.paid_on, p.payer_name, p.payer_account,
	p.card_last4, p.amount_fen, p.remark, p.status, p.reason, COALESCE(p.bill_id, 0), COALESCE(b.bill_no, ''), COALESCE(b.fee_month, ''),
	COALESCE(p.employer_id, 0), COALESCE(p.person_id, 0), p.applied_fen, p.late_fee_fen, p.late_fee_days, p.late_fee_days_waived, p.late_fee_note,
	p.open_fen, p.note, COALESCE(p.receipt_code, ''), p.settled_by, p.settled_at, p.created_at, p.version`

const paymentFrom = ` FROM payments p LEFT JOIN bills b ON b.id = p.bill_id `

func scanPayment(sc interface{ Scan(...any) error }) (*Payment, error) {
	p := &Payment{}
	var amount, applied, fee, open int64
	var settled sql.NullTime
	err := sc.Scan(&p.ID, &p.Channel, &p.StatementID, &p.AccountNo, &p.Serial, &p.PaidOn, &p.PayerName, &p.PayerAccount,
		&p.CardLast4, &amount, &p.Remark, &p.Status, &p.Reason, &p.BillID, &p.BillNo, &p.FeeMonth,
		&p.EmployerID, &p.PersonID, &applied, &fee, &p.LateFeeDays, &p.DaysWaived, &p.LateFeeNote,
		&open, &p.Note, &p.ReceiptCode, &p.SettledBy, &settled, &p.CreatedAt, &p.Version)
	if err != nil {
		return nil, err
	}
	p.Amount, p.Applied, p.LateFee, p.Open = money.Fen(amount), money.Fen(applied), money.Fen(fee), money.Fen(open)
	if settled.Valid {
		t := settled.Time.UTC()
		p.SettledAt = &t
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return p, nil
}

func queryPayments(ctx context.Context, q db.Querier, where string, args ...any) ([]Payment, error) {
	out, err := db.Collect(ctx, q, db.Deref(scanPayment), `SELECT `+paymentCols+paymentFrom+where, args...)
	return out, errs.Wrap(err, "list payments")
}

func getPayment(ctx context.Context, q db.Querier, id int64) (*Payment, error) {
	p, err := scanPayment(q.QueryRowContext(ctx, `SELECT `+paymentCols+paymentFrom+`WHERE p.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有找到该笔缴费")
	}
	return p, errs.Wrap(err, "get payment")
}

// nullID maps 0 to NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// today is the Shanghai date now.
func (s *Service) today() string { return s.clock.Now().In(clock.Shanghai).Format("2006-01-02") }

// requireFund lets the fund section (and administrators) through.
func requireFund(a *access.Actor) error { return a.RequireSection(access.Fund) }

func yuan(f money.Fen) string { return f.String() + " 元" }

// CanImport reports whether a may import statements: the fund section or
// a bank API client.
func CanImport(a *access.Actor) error {
	if a != nil && a.Role == access.RoleAPI && a.ClientKind == "bank" {
		return nil
	}
	return requireFund(a)
}

// CanRecord reports whether a may record counter payments and settle the
// queue (the fund section).
func CanRecord(a *access.Actor) error { return requireFund(a) }
