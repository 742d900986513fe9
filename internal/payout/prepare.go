package payout

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// Request is a line to prepare. The business key is built from the
// benefit, source, payee, period and part (see Key).
type Request struct {
	PayeeKind     string    // PayeePerson, PayeeEmployer, PayeeHospital or PayeeAgency
	PayeeID       int64     // persons.id, employers.id, … (0 when the payee has no record here, e.g. another agency)
	PayeeName     string    // the payee's name as recorded
	PayeeIDNumber string    // a person's ID number, an employer's credit code (optional)
	AccountKind   string    // AccountCard or AccountCorporate
	AccountName   string    // the name on the account
	AccountNo     string    // the account number
	BankName      string    // the payee's bank (开户行)
	BankCode      string    // the agent bank that pays the line ("" = the default agent bank)
	NameConfirmed bool      // the clerk confirmed an account name that differs from the payee's name
	Amount        money.Fen // > 0
	Benefit       string    // a code of Benefits; gives the scheme
	Scheme        string    // the scheme of a benefit paid from any scheme (ContributionRefund: "" = not yet allocated); else ignored
	SourceKind    string    // e.g. "injury_case", "pension_determination", "death_case", "transfer"
	SourceID      string    // the case or determination number
	Period        string    // "YYYY-MM" for periodic benefits, "" for lump sums
	Part          string    // optional: several lines of one source, payee and period
	Memo          string    // shown to the fund clerk and on the bank file's remark
	PayDate       string    // "YYYY-MM-DD": the pay day of a periodic benefit (the payroll's dated rule), or ""
	// HoldReason, when set, prepares the line held without an account
	// (e.g. "card": the social security card is not active yet); Release
	// gives it the account later.
	HoldReason string
}

// scheme is the line's scheme: the benefit's, or the request's for a
// benefit paid from any scheme.
func (r *Request) scheme() string {
	b, _ := BenefitOf(r.Benefit)
	if b.Scheme == "" {
		return r.Scheme
	}
	return b.Scheme
}

// Key is the request's business key.
func (r *Request) Key() string {
	return Key(r.Benefit, r.SourceKind, r.SourceID, r.PayeeKind, r.PayeeID, r.Period, r.Part)
}

func (r *Request) normalize() {
	r.PayeeName, r.AccountName = strings.TrimSpace(r.PayeeName), strings.TrimSpace(r.AccountName)
	r.BankName, r.Memo = strings.TrimSpace(r.BankName), strings.TrimSpace(r.Memo)
	r.AccountNo = CleanAccountNo(r.AccountNo)
	r.SourceKind, r.SourceID = strings.TrimSpace(r.SourceKind), strings.TrimSpace(r.SourceID)
}

// Validate returns an Invalid error naming every wrong field.
func (r *Request) Validate() error {
	var f errs.Fields
	if _, ok := payeeNames[r.PayeeKind]; !ok {
		f.Add("payee_kind", "请选择收款方类型（个人、单位、医疗机构或经办机构）")
	}
	if r.PayeeName == "" || utf8.RuneCountInString(r.PayeeName) > 100 {
		f.Add("payee_name", "请填写收款方名称（不超过100字）")
	}
	if b, ok := BenefitOf(r.Benefit); !ok {
		f.Add("benefit", "待遇类型不正确")
	} else if b.Scheme == "" && r.Scheme != "" && !slices.Contains(ledger.Schemes, r.Scheme) {
		f.Add("scheme", "险种不正确")
	}
	if r.Amount <= 0 {
		f.Add("amount", "拨付金额必须大于0")
	} else if r.Amount > money.Yuan(100_000_000) {
		f.Add("amount", "拨付金额超过单笔上限（1亿元），请核对")
	}
	if r.SourceKind == "" || r.SourceID == "" {
		f.Add("source_id", "请填写拨付依据（案件或核定编号）")
	}
	if r.Period != "" {
		if _, err := clock.ParseMonth(r.Period); err != nil {
			f.Add("period", "待遇所属期格式应为YYYY-MM")
		}
	}
	if utf8.RuneCountInString(r.Memo) > 200 {
		f.Add("memo", "摘要不超过200字")
	}
	if r.PayDate != "" {
		if _, err := time.Parse("2006-01-02", r.PayDate); err != nil {
			f.Add("pay_date", "发放日格式应为YYYY-MM-DD")
		}
	}
	if r.HoldReason == "" || r.AccountNo != "" {
		r.checkAccount(&f)
	}
	return f.Err()
}

func (r *Request) checkAccount(f *errs.Fields) {
	CheckAccount(f, "account_no", r.AccountKind, r.AccountNo)
	switch {
	case r.AccountName == "":
		f.Add("account_name", "请填写账户名称")
	case !SameName(r.AccountName, r.PayeeName) && !r.NameConfirmed:
		f.Add("account_name", "账户名称与收款方名称不一致，请核对；确属一致请勾选“已核实账户名称”")
	}
	if r.BankName == "" {
		f.Add("bank_name", "请填写开户银行")
	}
}

// MayPrepare reports whether a may prepare lines of the benefit: staff
// of a section the benefit names. It returns Forbidden or Invalid.
func MayPrepare(a *access.Actor, benefit string) error {
	b, ok := BenefitOf(benefit)
	if !ok {
		return errs.New(errs.Invalid, "benefit_unknown", "待遇类型不正确")
	}
	for _, sec := range b.Sections {
		if a.In(sec) {
			return nil
		}
	}
	if a == nil {
		return errs.LoginRequired()
	}
	return errs.Forbid()
}

// Prepare prepares a line in its own transaction; see PrepareTx.
func (s *Service) Prepare(ctx context.Context, a *access.Actor, r Request) (*Line, bool, error) {
	var l *Line
	var created bool
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		l, created, err = s.PrepareTx(ctx, tx, a, r)
		return err
	})
	return l, created, err
}

// PrepareTx prepares a line inside the caller's transaction tx (call it
// where the case or determination is decided, so both commit together).
// It is idempotent: when a live line (any status but rejected or
// cancelled) has the same business key it returns that line and false;
// if that line's amount or account differ it returns Conflict instead
// (cancel it first). It returns Invalid with field errors, Forbidden when
// a may not prepare the benefit. The line is audited in tx; nothing is
// posted to the ledger before approval.
func (s *Service) PrepareTx(ctx context.Context, tx *sql.Tx, a *access.Actor, r Request) (*Line, bool, error) {
	r.normalize()
	if err := MayPrepare(a, r.Benefit); err != nil {
		return nil, false, err
	}
	if err := r.Validate(); err != nil {
		return nil, false, err
	}
	bank, err := resolveBank(ctx, tx, r.BankCode, r.BankName)
	if err != nil {
		return nil, false, err
	}
	r.BankCode = bank
	id, err := insertLine(ctx, tx, s.db.Dialect, a, &r, s.clock.Now())
	if err != nil {
		return nil, false, err
	}
	if id == 0 {
		old, err := lineByKey(ctx, tx, r.Key())
		if err != nil {
			return nil, false, err
		}
		return old, false, sameLine(old, &r)
	}
	l, err := getLine(ctx, tx, id)
	if err != nil {
		return nil, false, err
	}
	err = s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.prepare", Entity: "payout_line", EntityID: idStr(id),
		After: auditView(l)})
	return l, true, err
}

// sameLine returns Conflict when a repeated request differs from the live
// line of its key in what is paid or where.
func sameLine(old *Line, r *Request) error {
	if old.Amount == r.Amount && (old.AccountNo == r.AccountNo || old.Status == Held || r.AccountNo == "") {
		return nil
	}
	return errs.New(errs.Conflict, "payout_key_differs",
		"该笔待遇已登记拨付（"+StatusName(old.Status)+"），金额或账户不同：如需更改，请先作废原拨付记录再重新登记")
}

// auditView is what the audit log keeps of a line: masked account and ID.
func auditView(l *Line) map[string]any {
	return map[string]any{"key": l.BusinessKey, "payee": l.PayeeName, "payee_kind": l.PayeeKind, "account": l.MaskedAccount(),
		"account_name": l.AccountName, "bank": l.BankName, "amount_fen": int64(l.Amount), "scheme": l.Scheme,
		"benefit": l.Benefit, "period": l.Period, "status": l.Status, "name_confirmed": l.NameConfirmed}
}

var _ = db.IsNoRows
