package transfer

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/notify"
	"shebao/internal/person"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
)

// Directions.
const (
	In  = "in"  // from another region to us
	Out = "out" // from us to another region
)

// Statuses. In: applied → letter_issued (or refused) → form_recorded →
// funds_matched → merged. Out: letter_recorded → form_issued →
// payout_prepared → closed.
const (
	Applied        = "applied"
	LetterIssued   = "letter_issued"
	Refused        = "refused"
	FormRecorded   = "form_recorded"
	FundsMatched   = "funds_matched"
	Merged         = "merged"
	LetterRecorded = "letter_recorded"
	FormIssued     = "form_issued"
	PayoutPrepared = "payout_prepared"
	Closed         = "closed"
)

var statusNames = map[string]string{Applied: "已受理，待审核", LetterIssued: "已出具联系函，待转出地信息表",
	Refused: "不予受理（已书面告知）", FormRecorded: "已登记信息表，待基金到账", FundsMatched: "基金已到账，待合并记录",
	Merged: "已办结（记录已合并）", LetterRecorded: "已登记转入地联系函，待出具信息表", FormIssued: "已出具信息表，待划转基金",
	PayoutPrepared: "基金划转待拨付", Closed: "已办结（账户已转出）"}

// StatusName is a status in Chinese.
func StatusName(s string) string { return statusNames[s] }

// Transfer is one transfer case of 个人账户科.
type Transfer struct {
	ID           int64      `json:"id"`
	No           string     `json:"transfer_no"`
	Direction    string     `json:"direction"`
	PersonID     int64      `json:"person_id"`
	PersonName   string     `json:"-"`
	IDNumber     string     `json:"-"`
	CaseNo       string     `json:"case_no"`
	Channel      string     `json:"channel"`
	OtherAgency  string     `json:"other_agency"`
	OtherRegion  string     `json:"other_region"`
	OtherLetter  string     `json:"other_letter"`
	PayName      string     `json:"pay_name"`
	PayAccount   string     `json:"pay_account"`
	PayBank      string     `json:"pay_bank"`
	Status       string     `json:"status"`
	StepStarted  string     `json:"step_started_on"`
	StepDue      string     `json:"step_due_on"`
	Refusal      string     `json:"refusal"`
	LetterCode   string     `json:"letter_code"`
	FirstMonth   string     `json:"first_month"`
	LastMonth    string     `json:"last_month"`
	Account      money.Fen  `json:"account_fen"`
	Pooled       money.Fen  `json:"pooled_fen"`
	Received     money.Fen  `json:"received_fen"`
	BankSerial   string     `json:"bank_serial"`
	TempAccount  bool       `json:"temp_account"`
	PensionPlace string     `json:"pension_place"`
	PayoutKey    string     `json:"payout_key"`
	Years        []YearLine `json:"years"`
	Version      int64      `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
}

// StatusName is the status in Chinese.
func (t *Transfer) StatusName() string { return StatusName(t.Status) }

// Total is what moves: the account balance and the pooled-fund amount.
func (t *Transfer) Total() money.Fen { return t.Account + t.Pooled }

// Open reports whether the transfer is still being handled.
func (t *Transfer) Open() bool {
	return t.Status != Merged && t.Status != Refused && t.Status != Closed
}

// MaskedID is the person's ID number masked, for lists.
func (t *Transfer) MaskedID() string { return ident.MaskID(t.IDNumber) }

// YearLine is one year of a 信息表: months paid, the actual contribution
// wages and the personal-account credits of the year.
type YearLine struct {
	Year    int       `json:"year"`
	Months  int       `json:"months"`
	Wages   money.Fen `json:"wages_fen"`
	Account money.Fen `json:"account_fen"`
}

// Notifier tells a person about their transfer (portal inbox and chosen
// channels).
type Notifier interface {
	NotifyParty(ctx context.Context, p notify.Party, m notify.Message) error
}

// Payouts prepares the payment of the funds to the new agency and reads
// its status; the payouts service implements it.
type Payouts interface {
	PrepareTransfer(ctx context.Context, tx *sql.Tx, a *access.Actor, t *Transfer) (key string, err error)
	Paid(ctx context.Context, q db.Querier, key string) (bool, error)
}

// Service handles transfers (转移接续) for 个人账户科.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	audit   *audit.Service
	policy  *policy.Service
	notify  Notifier
	payouts Payouts
	cases   *casework.Service
}

// NewService returns the transfer service; cases files the online
// applications as cases of 个人账户科 (CaseType must be registered); pay
// prepares the funds' payment to the new agency; n tells persons of their
// transfer's steps (nil: nobody is told).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, p *policy.Service, cases *casework.Service, pay Payouts, n Notifier) *Service {
	return &Service{db: d, clock: c, audit: a, policy: p, cases: cases, payouts: pay, notify: n}
}

func (s *Service) today() time.Time { return clock.Today(s.clock) }

// stepDue is the deadline of a step started on day: the dated number of
// working days (15) after it.
func (s *Service) stepDue(ctx context.Context, day time.Time) (string, error) {
	n, _, err := s.policy.Int(ctx, policy.KeyTransferStepDays, "", day)
	if err != nil || n <= 0 {
		n = 15
	}
	due, err := s.policy.AddWorkingDays(ctx, day, int(n))
	if err != nil {
		return "", err
	}
	return due.Format(time.DateOnly), nil
}

// DaysLeft is the number of working days until the step's deadline
// (negative when overdue), for the queue.
func (s *Service) DaysLeft(ctx context.Context, t *Transfer) int {
	due, err := clock.ParseDate(t.StepDue)
	if err != nil {
		return 0
	}
	today := s.today()
	if due.Before(today) {
		n, _ := s.policy.WorkingDaysBetween(ctx, due, today)
		return -n
	}
	n, _ := s.policy.WorkingDaysBetween(ctx, today, due)
	return n
}

// InInput opens a transfer in.
type InInput struct {
	IDNumber    string `json:"id_number"`
	CaseNo      string `json:"case_no"`
	Channel     string `json:"channel"`
	OtherAgency string `json:"other_agency"`
	OtherRegion string `json:"other_region"`
}

// OutInput opens a transfer out from the new place's 联系函.
type OutInput struct {
	IDNumber    string `json:"id_number"`
	CaseNo      string `json:"case_no"`
	Channel     string `json:"channel"`
	OtherAgency string `json:"other_agency"`
	OtherRegion string `json:"other_region"`
	OtherLetter string `json:"other_letter"`
	PayName     string `json:"pay_name"`
	PayAccount  string `json:"pay_account"`
	PayBank     string `json:"pay_bank"`
}

var channels = map[string]bool{"web": true, "email": true, "counter": true, "post": true}

func checkCommon(f *errs.Fields, agency, region, channel *string) {
	*agency, *region, *channel = strings.TrimSpace(*agency), strings.TrimSpace(*region), strings.TrimSpace(*channel)
	if n := len([]rune(*agency)); n < 4 || n > 100 {
		f.Add("other_agency", "请填写对方社会保险经办机构名称（4 至 100 字）")
	}
	if len(*region) != 6 || strings.Trim(*region, "0123456789") != "" {
		f.Add("other_region", "请填写对方经办机构所在地的 6 位行政区划代码")
	}
	if *channel == "" {
		*channel = "email"
	}
	if !channels[*channel] {
		f.Add("channel", "请选择申请渠道：网上、电子邮箱、窗口或邮寄")
	}
}

// eligible refuses retirees, the deceased and those already transferred
// out (docs/rules.md "Transfers").
func eligible(p *person.Person) error {
	switch {
	case p.Kind == person.Kind("retiree") || p.Kind == person.Kind("survivor"):
		return fieldErr("id_number", "退休人员（及领取待遇人员）不办理养老保险关系转移接续")
	case p.Status != person.Status("active") && p.Status != person.Status("suspended"):
		return fieldErr("id_number", "该参保人当前状态为“"+p.Status.Name()+"”，不能办理转移接续")
	}
	return nil
}

// OpenIn records a transfer in (the application received online or by
// e-mail, with the old place's 参保缴费凭证 and both sides of the ID
// card, usually filed as a case first). Errors: Forbidden, Invalid
// (fields), NotFound, Conflict (an open transfer of the person).
func (s *Service) OpenIn(ctx context.Context, a *access.Actor, in InInput) (*Transfer, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	var f errs.Fields
	checkCommon(&f, &in.OtherAgency, &in.OtherRegion, &in.Channel)
	if err := f.Err(); err != nil {
		return nil, err
	}
	t := &Transfer{Direction: In, Status: Applied, CaseNo: strings.TrimSpace(in.CaseNo), Channel: in.Channel,
		OtherAgency: in.OtherAgency, OtherRegion: in.OtherRegion}
	return t, s.open(ctx, a, in.IDNumber, t)
}

// OpenOut records the new place's 联系函 for a transfer out. Refused:
// retirees, months assessed but not yet paid (the person pays them first,
// or they are settled), an open transfer. Errors: Forbidden, Invalid,
// NotFound, Conflict.
func (s *Service) OpenOut(ctx context.Context, a *access.Actor, in OutInput) (*Transfer, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	var f errs.Fields
	checkCommon(&f, &in.OtherAgency, &in.OtherRegion, &in.Channel)
	in.OtherLetter, in.PayName, in.PayBank = strings.TrimSpace(in.OtherLetter), strings.TrimSpace(in.PayName), strings.TrimSpace(in.PayBank)
	in.PayAccount = strings.NewReplacer(" ", "", "-", "").Replace(in.PayAccount)
	if in.OtherLetter == "" || len([]rune(in.OtherLetter)) > 60 {
		f.Add("other_letter", "请填写转入地联系函编号（60 字以内）")
	}
	if n := len([]rune(in.PayName)); n < 4 || n > 100 {
		f.Add("pay_name", "请填写转入地经办机构收款账户户名：不能转给个人（转移前不得退保、提取）")
	}
	if len(in.PayAccount) < 8 || len(in.PayAccount) > 32 || strings.Trim(in.PayAccount, "0123456789") != "" {
		f.Add("pay_account", "收款账号应为 8 至 32 位数字的对公账户")
	}
	if in.PayBank == "" {
		f.Add("pay_bank", "请填写收款账户开户银行")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	t := &Transfer{Direction: Out, Status: LetterRecorded, CaseNo: strings.TrimSpace(in.CaseNo), Channel: in.Channel,
		OtherAgency: in.OtherAgency, OtherRegion: in.OtherRegion, OtherLetter: in.OtherLetter, PayName: in.PayName,
		PayAccount: in.PayAccount, PayBank: in.PayBank}
	return t, s.open(ctx, a, in.IDNumber, t)
}

func (s *Service) open(ctx context.Context, a *access.Actor, idNumber string, t *Transfer) error {
	if strings.TrimSpace(idNumber) == "" && t.CaseNo != "" {
		idNumber = s.applicantIDNumber(ctx, a, t.CaseNo)
	}
	id, err := ident.ParseID(strings.ToUpper(strings.TrimSpace(idNumber)))
	if err != nil {
		return fieldErr("id_number", "公民身份号码不正确，请核对 18 位号码及校验位")
	}
	today := s.today()
	t.StepStarted = today.Format(time.DateOnly)
	if t.StepDue, err = s.stepDue(ctx, today); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := person.FindByIDNumber(ctx, tx, id.Number)
		if errs.KindOf(err) == errs.NotFound {
			return fieldErr("id_number", "本系统没有登记该参保人：转入前须先在本地参保")
		}
		if err != nil {
			return err
		}
		if err := eligible(p); err != nil {
			return err
		}
		if t.Direction == Out {
			if err := noUnpaidMonths(ctx, tx, p.ID); err != nil {
				return err
			}
		}
		if err := s.checkCase(ctx, tx, a, t, p.ID); err != nil {
			return err
		}
		t.PersonID, t.PersonName, t.IDNumber = p.ID, p.Name, p.IDNumber
		t.No = newNo(t.Direction, today)
		if err := insertTransfer(ctx, tx, t, a.UserID, s.clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, tx, a, t, "transfer.open", nil)
	})
}

// applicantIDNumber is the ID number of a case's applicant when the
// applicant is a known person ("" otherwise: the clerk types it).
func (s *Service) applicantIDNumber(ctx context.Context, a *access.Actor, caseNo string) string {
	if s.cases == nil {
		return ""
	}
	c, err := s.cases.Get(ctx, a, caseNo)
	if err != nil || c.Applicant.PersonID == 0 {
		return ""
	}
	p, err := person.Load(ctx, s.db.Read(), c.Applicant.PersonID)
	if err != nil {
		return ""
	}
	return p.IDNumber
}

// checkCase ties a transfer to the case it was applied for: the case must
// be a transfer case of the section (confirmed, still open), of the same
// person when the applicant is known, and have no transfer yet.
func (s *Service) checkCase(ctx context.Context, tx *sql.Tx, a *access.Actor, t *Transfer, personID int64) error {
	if t.CaseNo == "" {
		return nil
	}
	if s.cases == nil {
		return errs.New(errs.Internal, "no_cases", "业务受理服务未配置")
	}
	c, err := s.cases.Get(ctx, a, t.CaseNo)
	if errs.KindOf(err) == errs.NotFound || errs.KindOf(err) == errs.Forbidden {
		return fieldErr("case_no", "没有该业务编号的个人账户科业务，请核对")
	}
	if err != nil {
		return err
	}
	switch {
	case c.Type != CaseType:
		return fieldErr("case_no", "业务 "+c.No+" 不是养老保险关系转移接续业务（"+c.TypeName+"）")
	case c.State == casework.Draft:
		return fieldErr("case_no", "来件 "+c.No+" 尚未确认，请先在来件页面确认为转移接续业务")
	case c.State.Final():
		return fieldErr("case_no", "业务 "+c.No+" 已"+c.StateName()+"，不能再受理")
	case c.Applicant.PersonID != 0 && c.Applicant.PersonID != personID:
		return fieldErr("id_number", "该公民身份号码与业务 "+c.No+" 的申请人不一致")
	}
	other, err := transferOfCase(ctx, tx, c.No)
	if err != nil {
		return err
	}
	if other != nil {
		return errs.New(errs.Conflict, "case_has_transfer", "业务 "+c.No+" 已受理为转移 "+other.No+"，不能重复受理")
	}
	return nil
}

// noUnpaidMonths refuses a transfer out while months are assessed and not
// yet paid.
func noUnpaidMonths(ctx context.Context, q db.Querier, personID int64) error {
	ms, err := contribution.PersonMonths(ctx, q, personID)
	if err != nil {
		return err
	}
	var unpaid []string
	for _, m := range ms {
		if m.Scheme == contribution.Scheme("pension") && m.Source == contribution.MonthAssessed && !m.Paid {
			unpaid = append(unpaid, m.Month)
		}
	}
	if len(unpaid) > 0 {
		return fieldErr("id_number", fmt.Sprintf("该参保人有 %d 个月已核定未缴清（%s 等），请缴清后再办理转出", len(unpaid), unpaid[0]))
	}
	return nil
}

func newNo(direction string, day time.Time) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	prefix := "ZR"
	if direction == Out {
		prefix = "ZC"
	}
	return prefix + day.Format("20060102") + strings.ToUpper(base32.StdEncoding.EncodeToString(b))[:6]
}

func fieldErr(field, msg string) error {
	var f errs.Fields
	f.Add(field, msg)
	return f.Err()
}

// record writes the audit entry of a step (ID number masked).
func (s *Service) record(ctx context.Context, tx *sql.Tx, a *access.Actor, t *Transfer, action string, extra map[string]any) error {
	after := map[string]any{"transfer_no": t.No, "status": t.Status, "person": ident.MaskID(t.IDNumber), "step_due_on": t.StepDue}
	for k, v := range extra {
		after[k] = v
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: action, Entity: "transfer", EntityID: t.No, After: after})
}

// next moves t to status, starting the next step's deadline.
func (s *Service) next(ctx context.Context, t *Transfer, status string) error {
	today := s.today()
	due, err := s.stepDue(ctx, today)
	if err != nil {
		return err
	}
	t.Status, t.StepStarted, t.StepDue = status, today.Format(time.DateOnly), due
	return nil
}

// step loads a transfer for update in its own transaction, checks the
// actor, the version and the expected status, runs fn and saves it.
func (s *Service) step(ctx context.Context, a *access.Actor, id, version int64, want string, action string,
	fn func(tx *sql.Tx, t *Transfer) (map[string]any, error)) (*Transfer, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	var out *Transfer
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		t, err := loadTransfer(ctx, tx, id)
		if err != nil {
			return err
		}
		if t.Version != version {
			return errs.StaleVersion()
		}
		if t.Status != want {
			return errs.New(errs.Conflict, "transfer_state", "该转移当前状态为“"+t.StatusName()+"”，不能办理此环节")
		}
		extra, err := fn(tx, t)
		if err != nil {
			return err
		}
		if err := saveTransfer(ctx, tx, t, s.clock.Now()); err != nil {
			return err
		}
		out = t
		return s.record(ctx, tx, a, t, action, extra)
	})
	return out, err
}

// postAccount posts the transfer's account amount to the person's account.
func postAccount(ctx context.Context, tx *sql.Tx, t *Transfer, kind personalaccount.Kind, amount money.Fen, day time.Time, actorID int64, now time.Time) error {
	return personalaccount.PostTransfer(ctx, tx, personalaccount.TransferPosting{PersonID: t.PersonID, Kind: kind,
		Amount: amount, Day: day, Key: "transfer:" + t.No, Reason: t.OtherAgency + "（" + t.No + "）", ActorID: actorID, Now: now})
}
