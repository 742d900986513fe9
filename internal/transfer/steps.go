package transfer

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/notify"
	"shebao/internal/payment"
	"shebao/internal/person"
	"shebao/internal/personalaccount"
)

// IssueLetter accepts a transfer in: the 联系函 to the old agency (a PDF
// with a verification code). Errors: Forbidden, NotFound, Conflict.
func (s *Service) IssueLetter(ctx context.Context, a *access.Actor, id, version int64) (*Transfer, error) {
	return s.step(ctx, a, id, version, Applied, "transfer.letter", func(tx *sql.Tx, t *Transfer) (map[string]any, error) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		t.LetterCode = strings.ToUpper(hex.EncodeToString(b))
		return nil, s.next(ctx, t, LetterIssued)
	})
}

// Refuse refuses a transfer in, in writing, with the reasons. Errors:
// Forbidden, NotFound, Conflict, Invalid (field reasons).
func (s *Service) Refuse(ctx context.Context, a *access.Actor, id, version int64, reasons string) (*Transfer, error) {
	reasons = strings.TrimSpace(reasons)
	if n := len([]rune(reasons)); n < 4 || n > 500 {
		return nil, fieldErr("reasons", "请填写不予受理的理由（4 至 500 字），将书面告知申请人")
	}
	t, err := s.step(ctx, a, id, version, Applied, "transfer.refuse", func(tx *sql.Tx, t *Transfer) (map[string]any, error) {
		t.Refusal, t.Status = reasons, Refused
		return nil, nil
	})
	if err == nil {
		s.tell(ctx, t, "您的养老保险关系转入申请不予受理", "理由："+reasons+"。如有疑问请致电个人账户科。")
	}
	return t, err
}

// FormInput is the old agency's 信息表: the years (months, wages, account
// credits), the account balance and the pooled-fund amount.
type FormInput struct {
	Years   []YearLine `json:"years"`
	Account money.Fen  `json:"account_fen"`
	Pooled  money.Fen  `json:"pooled_fen"`
}

// RecordForm records the old agency's 信息表 (keyed or read from its
// file). The amounts must add up: the account balance is at least the
// years' credits, and the pooled amount is 12% of each year's wages
// since 1998 (PooledFund); years already merged for the person are
// refused. Errors: Forbidden, NotFound, Conflict, Invalid (fields).
func (s *Service) RecordForm(ctx context.Context, a *access.Actor, id, version int64, in FormInput) (*Transfer, error) {
	if err := checkForm(in, s.today().Year()); err != nil {
		return nil, err
	}
	return s.step(ctx, a, id, version, LetterIssued, "transfer.form", func(tx *sql.Tx, t *Transfer) (map[string]any, error) {
		if err := noMergedOverlap(ctx, tx, t.PersonID, in.Years); err != nil {
			return nil, err
		}
		sortYears(in.Years)
		t.Years, t.Account, t.Pooled = in.Years, in.Account, in.Pooled
		t.FirstMonth, t.LastMonth = fmt.Sprintf("%d", in.Years[0].Year), fmt.Sprintf("%d", in.Years[len(in.Years)-1].Year)
		if err := replaceYears(ctx, tx, t); err != nil {
			return nil, err
		}
		return map[string]any{"account_fen": t.Account, "pooled_fen": t.Pooled, "years": len(t.Years)}, s.next(ctx, t, FormRecorded)
	})
}

func checkForm(in FormInput, thisYear int) error {
	var f errs.Fields
	if len(in.Years) == 0 || len(in.Years) > 60 {
		f.Add("years", "请按年度填写信息表：每行 年度,月数,缴费工资（元）,个人账户记账额（元）")
		return f.Err()
	}
	seen := map[int]bool{}
	var credits money.Fen
	var wages []YearWage
	for i, y := range in.Years {
		switch {
		case y.Year < 1993 || y.Year > thisYear:
			f.Add("years", fmt.Sprintf("第 %d 行：年度应在 1993 至 %d 之间", i+1, thisYear))
		case seen[y.Year]:
			f.Add("years", fmt.Sprintf("第 %d 行：%d 年重复", i+1, y.Year))
		case y.Months < 1 || y.Months > 12:
			f.Add("years", fmt.Sprintf("第 %d 行：月数应为 1 至 12", i+1))
		case y.Wages < 0 || y.Account < 0:
			f.Add("years", fmt.Sprintf("第 %d 行：金额不能为负数", i+1))
		}
		seen[y.Year] = true
		credits += y.Account
		if y.Year >= 1998 {
			wages = append(wages, YearWage{Year: y.Year, Wages: y.Wages})
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	if in.Account < credits {
		f.Add("account_fen", fmt.Sprintf("个人账户储存额 %s 元少于各年度记账额合计 %s 元，信息表金额不符，请与转出地核对", in.Account, credits))
	}
	want := money.Fen(0)
	if len(wages) > 0 {
		p, err := PooledFund(wages)
		if err != nil {
			return err
		}
		want = p.Total
	}
	if in.Pooled != want {
		f.Add("pooled_fen", fmt.Sprintf("统筹基金转移额 %s 元与 1998 年以来各年度缴费工资的 12%%（%s 元）不符，请与转出地核对", in.Pooled, want))
	}
	return f.Err()
}

func sortYears(ys []YearLine) { sort.Slice(ys, func(i, j int) bool { return ys[i].Year < ys[j].Year }) }

// MatchFunds matches the money received for a transfer in from the bank
// statement: the statement line (by its serial) must exist, still be held
// in suspense and its amount equal the 信息表's account balance plus
// pooled amount; it is posted to the pension fund's transfer income in
// the fund ledger (double entry) in the same transaction, and a line
// matched to one transfer is never matched to another nor posted twice. Errors: Forbidden, NotFound,
// Conflict, Invalid (field bank_serial).
func (s *Service) MatchFunds(ctx context.Context, a *access.Actor, id, version int64, serial string) (*Transfer, error) {
	serial = strings.TrimSpace(serial)
	if serial == "" {
		return nil, fieldErr("bank_serial", "请填写银行对账单上该笔到账的交易流水号")
	}
	return s.step(ctx, a, id, version, FormRecorded, "transfer.funds", func(tx *sql.Tx, t *Transfer) (map[string]any, error) {
		p, err := payment.BySerial(ctx, tx, serial)
		if errs.KindOf(err) == errs.NotFound {
			return nil, fieldErr("bank_serial", "已导入的银行对账单中没有该交易流水号，请待基金管理科导入对账单后再匹配")
		}
		if err != nil {
			return nil, err
		}
		if p.Amount != t.Total() {
			return nil, fieldErr("bank_serial", fmt.Sprintf("到账金额 %s 元与信息表合计 %s 元（个人账户 %s 元 + 统筹基金 %s 元）不符，未匹配",
				p.Amount, t.Total(), t.Account, t.Pooled))
		}
		if _, err := payment.TransferFunds(ctx, tx, s.db.Dialect, a.Name(), s.clock.Now(), serial, t.Total(),
			"转移接续基金到账 "+t.No+"（"+t.OtherAgency+"）"); err != nil {
			return nil, err
		}
		t.BankSerial, t.Received = serial, p.Amount
		return map[string]any{"received_fen": p.Amount, "bank_serial": serial, "ledger": "transfer_income"}, s.next(ctx, t, FundsMatched)
	})
}

// Merge completes a transfer in: the account balance is credited to the
// person's account (once), the years join the person's history flagged
// with their origin, and the person is notified. Errors: Forbidden,
// NotFound, Conflict.
func (s *Service) Merge(ctx context.Context, a *access.Actor, id, version int64) (*Transfer, error) {
	t, err := s.step(ctx, a, id, version, FundsMatched, "transfer.merge", func(tx *sql.Tx, t *Transfer) (map[string]any, error) {
		if err := postAccount(ctx, tx, t, personalaccount.KindTransferIn, t.Account, s.today(), a.UserID, s.clock.Now()); err != nil {
			return nil, err
		}
		t.Status = Merged
		return nil, nil
	})
	if err == nil {
		s.tell(ctx, t, "您的养老保险关系已转入", fmt.Sprintf("%s 转入的缴费记录（%s 至 %s 年）已合并到您的参保记录，个人账户转入 %s 元。",
			t.OtherAgency, t.FirstMonth, t.LastMonth, t.Account))
	}
	return t, err
}

// IssueForm computes the 信息表 of a transfer out: the account balance
// today, each year's actual contribution wage since 1998 from the paid
// pension months and the pooled-fund amount (PooledFund), whether the new
// place opens a temporary account and where the pension will be paid.
// Errors: Forbidden, NotFound, Conflict, Invalid.
func (s *Service) IssueForm(ctx context.Context, a *access.Actor, id, version int64) (*Transfer, error) {
	return s.step(ctx, a, id, version, LetterRecorded, "transfer.form.issue", func(tx *sql.Tx, t *Transfer) (map[string]any, error) {
		if err := noUnpaidMonths(ctx, tx, t.PersonID); err != nil {
			return nil, err
		}
		p, err := person.Load(ctx, tx, t.PersonID)
		if err != nil {
			return nil, err
		}
		if err := s.computeOut(ctx, tx, t, p); err != nil {
			return nil, err
		}
		if err := replaceYears(ctx, tx, t); err != nil {
			return nil, err
		}
		return map[string]any{"account_fen": t.Account, "pooled_fen": t.Pooled, "temp_account": t.TempAccount}, s.next(ctx, t, FormIssued)
	})
}

func (s *Service) computeOut(ctx context.Context, tx *sql.Tx, t *Transfer, p *person.Person) error {
	ms, err := contribution.PersonMonths(ctx, tx, t.PersonID)
	if err != nil {
		return err
	}
	byYear := map[int]*YearLine{}
	paidMonths := 0
	for _, m := range ms {
		if m.Scheme != contribution.Scheme("pension") || !m.Paid {
			continue
		}
		var y int
		fmt.Sscanf(m.Month, "%d", &y)
		l := byYear[y]
		if l == nil {
			l = &YearLine{Year: y}
			byYear[y] = l
		}
		l.Months++
		l.Wages += m.Base
		l.Account += m.Individual
		paidMonths++
		if t.FirstMonth == "" || m.Month < t.FirstMonth {
			t.FirstMonth = m.Month
		}
		if m.Month > t.LastMonth {
			t.LastMonth = m.Month
		}
	}
	t.Years = nil
	var wages []YearWage
	for _, l := range byYear {
		t.Years = append(t.Years, *l)
	}
	sortYears(t.Years)
	for _, l := range t.Years {
		if l.Year >= 1998 {
			wages = append(wages, YearWage{Year: l.Year, Wages: l.Wages})
		}
	}
	t.Pooled = 0
	if len(wages) > 0 {
		pf, err := PooledFund(wages)
		if err != nil {
			return err
		}
		t.Pooled = pf.Total
	}
	if t.Account, err = personalaccount.BalanceAt(ctx, tx, t.PersonID, s.today()); err != nil {
		return err
	}
	age := personAge(p, s.today())
	t.TempAccount = NeedsTemporaryAccount(p.Gender == "M", age, p.HukouArea, t.OtherRegion)
	t.PensionPlace = PensionPlace(p.HukouArea, t.OtherRegion, paidMonths)
	return nil
}

func personAge(p *person.Person, today time.Time) int {
	b, err := clock.ParseDate(p.BirthDate)
	if err != nil {
		return 0
	}
	age := today.Year() - b.Year()
	if today.YearDay() < b.YearDay() {
		age--
	}
	return age
}

// PreparePayout prepares the payment of the account balance and the
// pooled amount to the new agency's account (through the payouts
// service, approved by the fund section). Errors: Forbidden, NotFound,
// Conflict, Invalid (from the payouts).
func (s *Service) PreparePayout(ctx context.Context, a *access.Actor, id, version int64) (*Transfer, error) {
	if s.payouts == nil {
		return nil, errs.New(errs.Internal, "no_payouts", "拨付服务未配置")
	}
	return s.step(ctx, a, id, version, FormIssued, "transfer.payout", func(tx *sql.Tx, t *Transfer) (map[string]any, error) {
		if t.Total() <= 0 {
			return nil, errs.New(errs.Invalid, "nothing_to_pay", "个人账户余额和统筹基金转移额均为零，无需划转基金")
		}
		key, err := s.payouts.PrepareTransfer(ctx, tx, a, t)
		if err != nil {
			return nil, err
		}
		t.PayoutKey = key
		return map[string]any{"payout": key, "amount_fen": t.Total()}, s.next(ctx, t, PayoutPrepared)
	})
}

// Close completes a transfer out once the payout is paid: the account
// balance leaves the person's account (closing it), the person is marked
// transferred and notified. Errors: Forbidden, NotFound, Conflict (not
// yet paid).
func (s *Service) Close(ctx context.Context, a *access.Actor, id, version int64) (*Transfer, error) {
	t, err := s.step(ctx, a, id, version, PayoutPrepared, "transfer.close", func(tx *sql.Tx, t *Transfer) (map[string]any, error) {
		paid, err := s.payouts.Paid(ctx, tx, t.PayoutKey)
		if err != nil {
			return nil, err
		}
		if !paid {
			return nil, errs.New(errs.Conflict, "payout_not_paid", "基金划转尚未拨付成功（须经基金管理科审核并由银行支付），支付后再办结")
		}
		bal, err := personalaccount.BalanceAt(ctx, tx, t.PersonID, s.today())
		if err != nil {
			return nil, err
		}
		if bal != 0 {
			if err := postAccount(ctx, tx, t, personalaccount.KindTransferOut, -bal, s.today(), a.UserID, s.clock.Now()); err != nil {
				return nil, err
			}
		}
		if err := person.MarkTransferred(ctx, tx, t.PersonID, s.clock.Now()); err != nil {
			return nil, err
		}
		t.Status = Closed
		return map[string]any{"closed_balance_fen": bal}, nil
	})
	if err == nil {
		s.tell(ctx, t, "您的养老保险关系已转出", "基金已划转至 "+t.OtherAgency+"，本地个人账户已关闭。")
	}
	return t, err
}

// tell notifies the person; a failure is not the step's failure.
func (s *Service) tell(ctx context.Context, t *Transfer, subject, body string) {
	if s.notify != nil && t != nil {
		_ = s.notify.NotifyParty(ctx, notify.Party{PersonID: t.PersonID}, notify.Message{Subject: subject, Body: body, Kind: "transfer"})
	}
}
