package death

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/pension"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
)

// Claim statuses.
const (
	ClaimComputed = "computed"
	ClaimReviewed = "reviewed"
	ClaimDecided  = "decided"
)

var claimNames = map[string]string{ClaimComputed: "已计算，待复核", ClaimReviewed: "已复核，待第二人复审", ClaimDecided: "已核定，待拨付", "rejected": "不予支付"}

// Claim is an heir's death-benefit claim.
type Claim struct {
	ID           int64
	No           string
	DeathID      int64
	ClaimantName string
	ClaimantID   string
	Relationship string
	AccountNo    string
	BankName     string
	Funeral      money.Fen
	Relief       money.Fen
	Account      money.Fen
	Offset       money.Fen
	Net          money.Fen
	Steps        []formula.Step
	Status       string
	DueOn        string
	CreatedBy    int64
	ReviewedBy   int64
	CheckedBy    int64
	CreatedAt    time.Time
	Version      int64
	// BalanceSource is where Account came from (BalanceAccount …).
	BalanceSource string
}

// StatusName is the Chinese status.
func (c *Claim) StatusName() string { return claimNames[c.Status] }

// ClaimantMasked is the claimant's masked ID number.
func (c *Claim) ClaimantMasked() string { return ident.MaskID(c.ClaimantID) }

// AccountMasked is the masked account number.
func (c *Claim) AccountMasked() string { return payout.MaskAccount(c.AccountNo) }

// Gross is the benefits before the offset.
func (c *Claim) Gross() money.Fen { return c.Funeral + c.Relief + c.Account }

// ClaimInput is an heir's claim: who claims, how related, the account.
type ClaimInput struct {
	DeathID      int64
	ClaimantName string
	ClaimantID   string
	Relationship string
	AccountNo    string
	BankName     string
}

// OpenClaim computes the death benefits for an heir's claim (recorded by
// 保险福利科): the funeral subsidy and survivor relief by the rule in force
// on the date of death, the personal account that passes to the heirs,
// less the overpaid pension (offset first). The claimant must be a listed
// heir; one live claim per death. Errors: Forbidden, NotFound, Invalid
// (not an heir, the rule's limits), Conflict (a second claim).
func (s *Service) OpenClaim(ctx context.Context, a *access.Actor, in ClaimInput) (*Claim, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "死亡待遇由保险福利科核定")
	}
	var out *Claim
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		d, err := deathByID(ctx, tx, in.DeathID)
		if err != nil {
			return err
		}
		c, err := s.claimFacts(ctx, tx, d, in)
		if err != nil {
			return err
		}
		if err := s.computeClaim(ctx, tx, d, c); err != nil {
			return err
		}
		c.CreatedBy, c.CreatedAt, c.Status, c.Version = a.UserID, s.now(), ClaimComputed, 1
		s.claimDue(ctx, c)
		if err := insertClaim(ctx, tx, c); err != nil {
			return err
		}
		out = c
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "death.claim.open", Entity: "death_claim", EntityID: c.No,
			After: map[string]any{"claimant": c.ClaimantMasked(), "net_fen": c.Net, "offset_fen": c.Offset}})
	})
	return out, err
}

// claimFacts checks the claimant is a listed heir and the account.
func (s *Service) claimFacts(ctx context.Context, q db.Querier, d *Death, in ClaimInput) (*Claim, error) {
	var f errs.Fields
	c := &Claim{DeathID: d.ID, ClaimantName: strings.TrimSpace(in.ClaimantName), Relationship: strings.TrimSpace(in.Relationship),
		AccountNo: payout.CleanAccountNo(in.AccountNo), BankName: strings.TrimSpace(in.BankName)}
	id, err := ident.ParseID(strings.TrimSpace(in.ClaimantID))
	if err != nil {
		f.Add("claimant_id", "申领人公民身份号码有误，请核对")
	}
	c.ClaimantID = id.Number
	if c.ClaimantName == "" || utf8.RuneCountInString(c.ClaimantName) > 50 {
		f.Add("claimant_name", "请填写申领人姓名")
	}
	if c.Relationship == "" {
		f.Add("relationship", "请填写申领人与逝者的关系")
	}
	payout.CheckAccount(&f, "account_no", payout.AccountCard, c.AccountNo)
	if c.BankName == "" {
		f.Add("bank_name", "请填写开户银行")
	}
	if err == nil {
		heirs, herr := heirsOf(ctx, q, d.ID)
		if herr != nil {
			return nil, herr
		}
		if !isHeir(heirs, c.ClaimantID, c.ClaimantName) {
			f.Add("claimant_id", "申领人不在该逝者的继承人名单中；请先由亲属申报或经办人员登记继承人")
		}
	}
	return c, f.Err()
}

func isHeir(hs []Heir, id, name string) bool {
	for _, h := range hs {
		if h.IDNumber == id && h.Name == name {
			return true
		}
	}
	return false
}

// computeClaim fills the amounts and steps (docs/rules.md "Death: benefits and offset").
func (s *Service) computeClaim(ctx context.Context, q db.Querier, d *Death, c *Claim) error {
	date, _ := clock.ParseDate(d.Date)
	yearly, rule, err := s.policy.Amount(ctx, policy.KeyProvinceUrbanIncome, "", date)
	if err != nil {
		return errs.New(errs.Invalid, "income_missing", fmt.Sprintf("缺少 %s 适用的上年度城镇居民人均可支配收入，请在“政策参数”中补充", d.Date))
	}
	months, deemed, err := contributionMonths(ctx, q, d.PersonID)
	if err != nil {
		return err
	}
	monthly, account, first, retired, err := pensionAtDeath(ctx, q, d.PersonID)
	if err != nil {
		return err
	}
	received := 0
	if monthly > 0 && !first.IsZero() {
		received = max(0, clock.MonthOf(date).Sub(first)+1)
	}
	b, err := pension.DeathBenefits(pension.DeathInput{DeathDate: date, MonthlyIncome: pension.MonthlyIncome(yearly), IncomeBasis: rule.Explain(),
		ContributionMonths: months + deemed, PensionMonths: received})
	if err != nil {
		return err
	}
	c.Funeral, c.Relief = b.Funeral, b.Relief
	c.Steps = b.Explain().Steps
	day := date
	if monthly > 0 {
		day = retired.Add(1).First().AddDate(0, 0, -1)
	}
	bal, err := accountBalance(ctx, q, d.PersonID, day, c)
	if err != nil {
		return err
	}
	c.Account = bal
	if monthly > 0 {
		c.Account = max(0, bal-money.Fen(int64(account)*int64(received)))
		c.Steps = append(c.Steps, formula.Step{Text: fmt.Sprintf("个人账户余额：退休时储存额 %s − 已领取个人账户养老金 %s × %d 个月 = %s",
			bal, account, received, formula.Yuan(c.Account)), Basis: "社会保险法第十四条；余额按退休时储存额减已领取的个人账户养老金计算"})
	} else {
		c.Steps = append(c.Steps, formula.Step{Text: "个人账户储存额 " + formula.Yuan(bal) + " 全部由继承人继承", Basis: "社会保险法第十四条"})
	}
	c.Offset = min(d.Outstanding(), c.Gross())
	c.Net = c.Gross() - c.Offset
	if c.Offset > 0 {
		c.Steps = append(c.Steps, formula.Step{Text: fmt.Sprintf("死亡后多发养老金 %s（%d 个月），先从丧葬补助金、抚恤金和个人账户余额中抵扣 %s，实发 %s",
			d.Overpaid, d.OverpaidMonths, c.Offset, formula.Yuan(c.Net)), Basis: "多发待遇先行抵扣，不足部分向领取人追回"})
	}
	return nil
}

// contributionMonths counts paid pension months and the deemed months of
// the decided pension.
func contributionMonths(ctx context.Context, q db.Querier, personID int64) (int, int, error) {
	ms, err := contribution.PersonMonths(ctx, q, personID)
	if err != nil {
		return 0, 0, err
	}
	seen := map[string]bool{}
	for _, m := range ms {
		if m.Scheme == contribution.Pension && m.Paid {
			seen[m.Month] = true
		}
	}
	var deemed int
	err = q.QueryRowContext(ctx, `SELECT deemed_months FROM pension_determinations WHERE person_id = $1 AND status = 'decided'
		ORDER BY version DESC LIMIT 1`, personID).Scan(&deemed)
	if err != nil && !db.IsNoRows(err) {
		return 0, 0, errs.Wrap(err, "deemed months")
	}
	return len(seen), deemed, nil
}

// pensionAtDeath reads the decided pension: total, its account part, its
// first month and the retirement month (zero when the person had none).
func pensionAtDeath(ctx context.Context, q db.Querier, personID int64) (money.Fen, money.Fen, clock.Month, clock.Month, error) {
	var total, account money.Fen
	var first, retire string
	err := q.QueryRowContext(ctx, `SELECT total_fen, account_fen, first_month, retire_month FROM pension_determinations
		WHERE person_id = $1 AND status = 'decided' ORDER BY version DESC LIMIT 1`, personID).Scan(&total, &account, &first, &retire)
	if db.IsNoRows(err) {
		return 0, 0, clock.Month{}, clock.Month{}, nil
	}
	if err != nil {
		return 0, 0, clock.Month{}, clock.Month{}, errs.Wrap(err, "pension at death")
	}
	m, _ := clock.ParseMonth(first)
	r, _ := clock.ParseMonth(retire)
	return total, account, m, r, nil
}

// Where a claim's personal-account balance came from.
const (
	BalanceAccount  = "account"  // the personal account (account entries)
	BalanceImported = "imported" // no account here: imported from the former system
	BalanceNone     = "none"     // no account and nothing imported
)

var balanceSourceNames = map[string]string{BalanceAccount: "个人账户记账合计",
	BalanceImported: "未建个人账户，采用原系统导入的储存额", BalanceNone: "未建个人账户，也无原系统储存额，按零计"}

// BalanceSourceName says in Chinese where the account balance came from.
func (c *Claim) BalanceSourceName() string { return balanceSourceNames[c.BalanceSource] }

// FromAccount tells whether the balance is the personal account's.
func (c *Claim) FromAccount() bool { return c.BalanceSource == BalanceAccount }

// accountBalance is the balance on day (the date of death, or for a
// retiree the end of the retirement month): the personal account's when
// the person has one here, else the balance imported from the former
// system, else zero; the claim records which and a step says so
// (docs/rules.md "Death: benefits and offset").
func accountBalance(ctx context.Context, q db.Querier, personID int64, day time.Time, c *Claim) (money.Fen, error) {
	fen, ok, err := personalaccount.Opened(ctx, q, personID, day)
	if err != nil {
		return 0, err
	}
	text := fmt.Sprintf("个人账户截至 %s 的储存额 %s（个人账户记账合计）", day.Format("2006-01-02"), formula.Yuan(fen))
	c.BalanceSource = BalanceAccount
	if !ok {
		var asOf string
		err = q.QueryRowContext(ctx, `SELECT balance_fen, as_of_month FROM retirement_account_balances WHERE person_id = $1`,
			personID).Scan(&fen, &asOf)
		switch {
		case db.IsNoRows(err):
			fen, c.BalanceSource, text = 0, BalanceNone, "该人员未建个人账户，也无原系统储存额，个人账户部分按零计"
		case err != nil:
			return 0, errs.Wrap(err, "account balance")
		default:
			m, _ := clock.ParseMonth(asOf)
			c.BalanceSource = BalanceImported
			text = fmt.Sprintf("该人员未建个人账户，储存额 %s 采用原系统导入数据（截至 %s）", formula.Yuan(fen), m.Chinese())
		}
	}
	c.Steps = append(c.Steps, formula.Step{Text: text, Basis: "个人账户储存额按个人账户记账计算；未建个人账户的按原系统数据"})
	return fen, nil
}

// claimDue is the handling deadline: 20 working days from the claim.
func (s *Service) claimDue(ctx context.Context, c *Claim) {
	n, _, err := s.policy.Int(ctx, policy.KeyPensionProcessingDays, "", c.CreatedAt)
	if err != nil {
		n = 20
	}
	if due, err := s.policy.AddWorkingDays(ctx, clock.DateOf(c.CreatedAt), int(n)); err == nil {
		c.DueOn = due.Format("2006-01-02")
	}
}

// ReviewClaim is the clerk's review. Errors: Forbidden, NotFound, Conflict.
func (s *Service) ReviewClaim(ctx context.Context, a *access.Actor, no string, version int64) (*Claim, error) {
	return s.claimStep(ctx, a, no, version, func(tx *sql.Tx, c *Claim, d *Death) error {
		if c.Status != ClaimComputed {
			return errs.New(errs.Conflict, "claim_not_computed", "该申领当前为“"+c.StatusName()+"”，不能复核")
		}
		c.Status, c.ReviewedBy = ClaimReviewed, a.UserID
		_, err := tx.ExecContext(ctx, `UPDATE death_claims SET status = 'reviewed', reviewed_by = $2, version = version + 1 WHERE id = $1`, c.ID, a.UserID)
		if err != nil {
			return errs.Wrap(err, "review claim")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "death.claim.review", Entity: "death_claim", EntityID: c.No})
	})
}

// CheckClaim is the second clerk's check: the claim is decided, the
// offset booked against the overpayment (what remains is claimed back with
// notices) and the payout lines prepared to the claimant. Errors:
// Forbidden (the same clerk), NotFound, Conflict.
func (s *Service) CheckClaim(ctx context.Context, a *access.Actor, no string, version int64) (*Claim, error) {
	return s.claimStep(ctx, a, no, version, func(tx *sql.Tx, c *Claim, d *Death) error {
		if c.Status != ClaimReviewed {
			return errs.New(errs.Conflict, "claim_not_reviewed", "该申领须先由经办人员复核")
		}
		if c.ReviewedBy == a.UserID || c.CreatedBy == a.UserID {
			return errs.New(errs.Forbidden, "second_clerk", "复审须由计算、复核以外的第二名经办人员办理")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE death_claims SET status = 'decided', checked_by = $2, decided_at = $3, version = version + 1
			WHERE id = $1`, c.ID, a.UserID, now); err != nil {
			return errs.Wrap(err, "decide claim")
		}
		c.Status, c.CheckedBy = ClaimDecided, a.UserID
		if err := s.bookOffset(ctx, tx, d, c); err != nil {
			return err
		}
		if err := s.prepareLines(ctx, tx, a, c, d); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "death.claim.decide", Entity: "death_claim", EntityID: c.No,
			After: map[string]any{"net_fen": c.Net, "offset_fen": c.Offset}})
	})
}

// bookOffset adds the claim's offset to the death's overpayment recovery.
func (s *Service) bookOffset(ctx context.Context, tx *sql.Tx, d *Death, c *Claim) error {
	d.Offset += c.Offset
	rec := d.Recovery
	if d.Overpaid > 0 {
		rec = "open"
		if d.Outstanding() == 0 {
			rec = "settled"
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE deaths SET offset_fen = $2, recovery = $3, version = version + 1 WHERE id = $1`, d.ID, d.Offset, rec)
	d.Recovery = rec
	return errs.Wrap(err, "offset")
}

// prepareLines prepares one payout line per benefit to the claimant,
// reducing them in order by the offset (relief, funeral, then account).
func (s *Service) prepareLines(ctx context.Context, tx *sql.Tx, a *access.Actor, c *Claim, d *Death) error {
	if s.payouts == nil {
		return nil
	}
	left := c.Offset
	for _, part := range []struct {
		benefit string
		amount  money.Fen
	}{{"survivor_relief", c.Relief}, {"funeral_subsidy", c.Funeral}, {"account_refund", c.Account}} {
		cut := min(left, part.amount)
		left -= cut
		amt := part.amount - cut
		if amt <= 0 {
			continue
		}
		_, _, err := s.payouts.PrepareTx(ctx, tx, a, payout.Request{PayeeKind: payout.PayeePerson, PayeeName: c.ClaimantName,
			PayeeIDNumber: c.ClaimantID, AccountKind: payout.AccountCard, AccountName: c.ClaimantName, AccountNo: c.AccountNo,
			BankName: c.BankName, Amount: amt, Benefit: part.benefit, SourceKind: "death_claim", SourceID: c.No,
			Memo: "死亡待遇 " + d.NameMasked()})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) claimStep(ctx context.Context, a *access.Actor, no string, version int64, fn func(tx *sql.Tx, c *Claim, d *Death) error) (*Claim, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "死亡待遇由保险福利科核定")
	}
	var out *Claim
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := claimByNo(ctx, tx, no)
		if err != nil {
			return err
		}
		if c.Version != version {
			return errs.New(errs.Conflict, "stale", "该申领已由其他人员处理，请刷新后再试")
		}
		d, err := deathByID(ctx, tx, c.DeathID)
		if err != nil {
			return err
		}
		out = c
		return fn(tx, c, d)
	})
	return out, err
}

const claimColumns = `id, no, death_id, claimant_name, claimant_id, relationship, account_no, bank_name, funeral_fen, relief_fen,
	account_fen, offset_fen, net_fen, steps, status, due_on, created_by, reviewed_by, checked_by, created_at, version, balance_source`

func scanClaim(r interface{ Scan(...any) error }) (*Claim, error) {
	var c Claim
	var steps string
	err := r.Scan(&c.ID, &c.No, &c.DeathID, &c.ClaimantName, &c.ClaimantID, &c.Relationship, &c.AccountNo, &c.BankName, &c.Funeral,
		&c.Relief, &c.Account, &c.Offset, &c.Net, &steps, &c.Status, &c.DueOn, &c.CreatedBy, &c.ReviewedBy, &c.CheckedBy, &c.CreatedAt, &c.Version, &c.BalanceSource)
	if err == nil {
		_ = json.Unmarshal([]byte(steps), &c.Steps)
	}
	return &c, err
}

func claimByNo(ctx context.Context, q db.Querier, no string) (*Claim, error) {
	c, err := scanClaim(q.QueryRowContext(ctx, `SELECT `+claimColumns+` FROM death_claims WHERE no = $1`, no))
	if db.IsNoRows(err) {
		return nil, errs.New(errs.NotFound, "claim_not_found", "未找到该死亡待遇申领")
	}
	return c, errs.Wrap(err, "claim")
}

func claimsOf(ctx context.Context, q db.Querier, deathID int64) ([]*Claim, error) {
	out, err := db.Collect(ctx, q, scanClaim, `SELECT `+claimColumns+` FROM death_claims WHERE death_id = $1 ORDER BY id DESC`, deathID)
	return out, errs.Wrap(err, "claims")
}

func insertClaim(ctx context.Context, tx *sql.Tx, c *Claim) error {
	var n int
	day := c.CreatedAt.In(clock.Shanghai).Format("20060102")
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM death_claims WHERE no LIKE $1`, "SD"+day+"-%").Scan(&n); err != nil {
		return errs.Wrap(err, "claim no")
	}
	c.No = fmt.Sprintf("SD%s-%04d", day, n+1)
	steps, _ := json.Marshal(c.Steps)
	err := tx.QueryRowContext(ctx, `INSERT INTO death_claims (no, death_id, claimant_name, claimant_id, relationship, account_no, bank_name,
		funeral_fen, relief_fen, account_fen, offset_fen, net_fen, steps, status, due_on, created_by, created_at, balance_source)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) RETURNING id`, c.No, c.DeathID, c.ClaimantName, c.ClaimantID,
		c.Relationship, c.AccountNo, c.BankName, c.Funeral, c.Relief, c.Account, c.Offset, c.Net, string(steps), c.Status, c.DueOn,
		c.CreatedBy, c.CreatedAt, c.BalanceSource).Scan(&c.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "claim_exists", "该逝者的死亡待遇已有申领，不能重复申领")
	}
	return errs.Wrap(err, "insert claim")
}
