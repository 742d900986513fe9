package payment

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// CardInput is a payment taken at the counter.
type CardInput struct {
	Method      string `json:"method"`       // card (default) | cash
	BillNo      string `json:"bill_no"`      // bill number or payment reference
	TerminalRef string `json:"terminal_ref"` // POS terminal reference (参考号)
	CardLast4   string `json:"card_last4"`
	Amount      string `json:"amount"` // yuan
}

var (
	terminalRef = regexp.MustCompile(`^[A-Za-z0-9-]{4,40}$`)
	last4       = regexp.MustCompile(`^[0-9]{4}$`)
)

// CashRefusal returns the reason cash is refused on today, or "" when no
// emergency measure refuses it.
// The rule: docs/rules.md §7.5.
func (s *Service) CashRefusal(ctx context.Context) (string, error) {
	e, err := s.policy.MeasureInForce(ctx, s.clock.Now(), policy.MeasureCashRefused)
	if err != nil || e == nil {
		return "", err
	}
	return "疫情期间暂不收取现金，请将现金存入银行卡后刷卡缴费（依据：" + e.LegalBasis + "）", nil
}

// RecordCard records a card payment against a bill (contributions first,
// then the late fee on them). A retried post with the same terminal
// reference returns the first payment and adds nothing (created false).
// Cash is refused while an emergency measure says so. Errors: Invalid,
// NotFound, Conflict (terminal reference used for another payment).
func (s *Service) RecordCard(ctx context.Context, a *access.Actor, in CardInput) (p *Payment, created bool, err error) {
	if err := requireFund(a); err != nil {
		return nil, false, err
	}
	if in.Method == "" {
		in.Method = Card
	}
	if in.Method == Cash {
		why, err := s.CashRefusal(ctx)
		if err != nil {
			return nil, false, err
		}
		if why != "" {
			return nil, false, errs.New(errs.Invalid, "cash_refused", why)
		}
	}
	var f errs.Fields
	if in.Method != Card && in.Method != Cash {
		f.Add("method", "请选择缴费方式")
	}
	in.TerminalRef = strings.TrimSpace(in.TerminalRef)
	if !terminalRef.MatchString(in.TerminalRef) {
		f.Add("terminal_ref", "请填写 POS 终端参考号（4–40 位字母或数字）")
	}
	if in.Method == Card && !last4.MatchString(strings.TrimSpace(in.CardLast4)) {
		f.Add("card_last4", "请填写银行卡号后 4 位数字")
	}
	if strings.TrimSpace(in.BillNo) == "" {
		f.Add("bill_no", "请填写核定单号或缴费识别码")
	}
	amount := ParseAmount(&f, "amount", in.Amount)
	if err := f.Err(); err != nil {
		return nil, false, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		b, err := billByNo(ctx, tx, in.BillNo)
		if err != nil {
			var f errs.Fields
			f.Add("bill_no", "没有找到该核定单，请核对单号或缴费识别码")
			return f.Err()
		}
		if prev, err := queryPayments(ctx, tx, `WHERE p.channel = $1 AND p.account_no = '' AND p.serial = $2`, in.Method, in.TerminalRef); err != nil {
			return err
		} else if len(prev) > 0 {
			if prev[0].BillID != b.ID || prev[0].Amount != amount {
				return errs.New(errs.Conflict, "terminal_ref_used", "该终端参考号已登记过另一笔缴费，请核对")
			}
			id = prev[0].ID
			return nil
		}
		id, err = s.insertCard(ctx, tx, a, in, b, amount)
		created = err == nil
		return err
	})
	if db.IsUniqueViolation(err) {
		return nil, false, errs.New(errs.Conflict, "card_concurrent", "该终端参考号正在登记，请稍后刷新查看（不会重复入账）")
	}
	if err != nil {
		return nil, false, err
	}
	p, err = getPayment(ctx, s.db.Read(), id)
	return p, created, err
}

func (s *Service) insertCard(ctx context.Context, tx *sql.Tx, a *access.Actor, in CardInput, b *bill, amount money.Fen) (int64, error) {
	if b.Status != contribution.Confirmed && b.Status != contribution.PartiallyPaid {
		return 0, errs.New(errs.Invalid, "bill_not_payable", "核定单 "+b.No+" 当前状态不能缴费（须已确认且未缴清）")
	}
	day := s.today()
	fees := newFeeCache(s.policy)
	t, err := fees.termsFor(ctx, b, day)
	if err != nil {
		return 0, err
	}
	due := b.outstanding() + t.fee(b.outstanding())
	principal, fee := t.split(amount, b.outstanding())
	if principal+fee != amount {
		var f errs.Fields
		f.Add("amount", "金额超过应缴：核定单 "+b.No+" 今日应缴 "+yuan(due)+"（含滞纳金 "+yuan(t.fee(b.outstanding()))+"）")
		return 0, f.Err()
	}
	now := s.clock.Now()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO payments (channel, account_no, serial, paid_on, payer_name, card_last4, amount_fen,
		status, bill_id, employer_id, person_id, applied_fen, late_fee_fen, late_fee_days, late_fee_days_waived, late_fee_note, receipt_code,
		created_by, created_at)
		VALUES ($1, '', $2, $3, '', $4, $5, 'matched', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		in.Method, in.TerminalRef, day, strings.TrimSpace(in.CardLast4), int64(amount), b.ID, nullID(b.EmployerID), nullID(b.PersonID),
		int64(principal), int64(fee), t.days(), t.waived(), t.note(principal), newCode(), a.Name(), now).Scan(&id)
	if err != nil {
		return 0, errs.Wrap(err, "insert card payment")
	}
	post := ledger.Posting{PaymentID: id, Step: 1, PostedOn: day}
	b.apply(&post, ledger.Bank, principal, fee)
	if err := fees.flagLate(ctx, b, day); err != nil {
		return 0, err
	}
	if err := ledger.Write(ctx, tx, s.db.Dialect, now, []ledger.Posting{post}); err != nil {
		return 0, err
	}
	if err := saveBills(ctx, tx, s.db.Dialect, []*bill{b}, now); err != nil {
		return 0, err
	}
	return id, s.audit.Record(ctx, tx, a, audit.Entry{Action: "payment.card.record", Entity: "payment", EntityID: fmt.Sprint(id),
		After: map[string]any{"method": in.Method, "bill": b.No, "terminal_ref": in.TerminalRef, "card": "****" + in.CardLast4,
			"amount_fen": amount, "applied_fen": principal, "late_fee_fen": fee,
			"late_fee_days": t.days(), "late_fee_days_waived": t.waived(), "bill_flags": b.Flags}})
}
