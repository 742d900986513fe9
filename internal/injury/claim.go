package injury

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// Claim case types: the ordinary benefit claim and the COVID fast track.
const (
	ClaimTypeCode     = "injury_benefit_claim"
	FastTrackTypeCode = "injury_covid_claim"
	ScanItem          = "住院费用汇总明细清单及发票"
	ContinuedFormItem = "继续治疗申请表"
)

// ClaimType is the ordinary benefit claim (待遇申报) on the standard machine.
func ClaimType() *casework.Type {
	return &casework.Type{Code: ClaimTypeCode, Name: "工伤保险待遇申报", Section: access.Injury, Prefix: "DY",
		Transitions: casework.StandardTransitions(), OwnForm: true,
		Checklist: []casework.ChecklistItem{{Key: ScanItem, Name: "住院费用汇总明细清单及发票（扫描件）"},
			{Key: ContinuedFormItem, Name: "工伤职工继续治疗申请表"}}}
}

// FastTrackType is the COVID fast track claim: its own queue and a
// deadline of the dated rule injury_fast_track_working_days (3 working
// days) from complete documents. The rule: docs/rules.md "Work-injury benefit line".
func FastTrackType() *casework.Type {
	t := ClaimType()
	t.Code, t.Name, t.Prefix = FastTrackTypeCode, "工伤待遇快捷通道（新冠肺炎医护人员）", "KJ"
	t.Deadline = casework.DeadlineRule{Kind: casework.WorkingDays, Key: policy.KeyInjuryFastTrackDays, Default: 3,
		From: "材料齐全之日"}
	t.RemindDeadline = true
	return t
}

// Benefits a claim asks for.
const (
	BenefitMedical    = "medical"    // 医疗费用（含住院伙食补助费）
	BenefitDisability = "disability" // 伤残待遇（一次性伤残补助金、伤残津贴、生活护理费）
	BenefitDeath      = "death"      // 因工死亡待遇
	BenefitLeaving    = "leaving"    // 解除劳动关系时的一次性工伤医疗补助金
)

var benefitNames = map[string]string{BenefitMedical: "工伤医疗费用", BenefitDisability: "伤残待遇",
	BenefitDeath: "因工死亡待遇", BenefitLeaving: "一次性工伤医疗补助金"}

// BenefitName is the Chinese label of a benefit.
func BenefitName(b string) string { return benefitNames[b] }

var itemKindNames = map[string]string{
	"medical": "医疗费用", "food": "住院伙食补助费", "disability_lump": "一次性伤残补助金",
	"disability_monthly": "伤残津贴（按月）", "nursing_monthly": "生活护理费（按月）", "death_subsidy": "一次性工亡补助金",
	"funeral": "丧葬补助金", "dependant_monthly": "供养亲属抚恤金（按月）", "leaving_medical": "一次性工伤医疗补助金",
	"settlement": "联网结算住院费用",
}

// ItemKindName is the Chinese label of a claim item kind.
func ItemKindName(k string) string { return itemKindNames[k] }

// Item decisions.
const (
	DecisionPending  = "pending"
	DecisionApproved = "approved"
	DecisionReduced  = "reduced"
	DecisionRefused  = "refused"
)

var decisionNames = map[string]string{DecisionPending: "待审核", DecisionApproved: "核准", DecisionReduced: "核减",
	DecisionRefused: "不予支付"}

// Claim statuses.
const (
	StatusReview   = "review"
	StatusCheck    = "check"
	StatusApproved = "approved"
	StatusRefused  = "refused"
	StatusStopped  = "stopped"
)

var statusNames = map[string]string{StatusReview: "审核中", StatusCheck: "待复核", StatusApproved: "已核准",
	StatusRefused: "不予支付", StatusStopped: "已停止支付"}

// Claim is a benefit claim with its items.
type Claim struct {
	ID            int64
	CaseID        int64
	CaseNo        string
	RecognitionID int64
	PersonID      int64
	PersonName    string
	PersonIDMask  string
	EmployerID    int64
	EmployerName  string
	Benefit       string
	FastTrack     bool
	Payee         string
	BankName      string
	BankAccount   string
	NonDesignated bool
	ContinuedID   int64
	Status        string
	Refusal       string
	Uninsured     bool
	Claimed       money.Fen
	Approved      money.Fen
	ReviewedBy    int64
	ReviewedName  string
	CheckedBy     int64
	CheckedName   string
	LetterCode    string
	DecidedAt     *time.Time
	CreatedAt     time.Time
	Version       int64
	Items         []Item
}

// Item is one line of a claim.
type Item struct {
	Line        int
	Kind        string
	Code        string
	Name        string
	Quantity    string
	Claimed     money.Fen
	InCatalogue bool
	COVID       bool
	Monthly     bool
	FirstMonth  string
	Steps       string
	Decision    string
	Approved    money.Fen
	Reason      string
}

// KindName, DecisionName: Chinese labels.
func (i Item) KindName() string     { return ItemKindName(i.Kind) }
func (i Item) DecisionName() string { return decisionNames[i.Decision] }

// CatalogueName says whether a medical item is in the catalogue (or a
// covered COVID item, paid in full); other items (the food allowance,
// computed lump sums and allowances) have no catalogue: "—".
func (i Item) CatalogueName() string {
	switch {
	case i.Kind != "medical":
		return "—"
	case i.COVID:
		return "覆盖项目（全额）"
	case i.InCatalogue:
		return "目录内"
	}
	return "目录外"
}

// BenefitName, StatusName, PayeeName: Chinese labels.
func (c *Claim) BenefitName() string { return BenefitName(c.Benefit) }
func (c *Claim) StatusName() string  { return statusNames[c.Status] }
func (c *Claim) PayeeName() string {
	switch c.Payee {
	case PayeeEmployer:
		return "用人单位（已垫付费用）：" + c.EmployerName
	default:
		return "工伤职工本人：" + ident.MaskName(c.PersonName)
	}
}

// AccountMasked shows the last four digits of the bank account.
func (c *Claim) AccountMasked() string {
	if n := len(c.BankAccount); n > 4 {
		return strings.Repeat("*", n-4) + c.BankAccount[n-4:]
	}
	return c.BankAccount
}

// ItemInput is a claimed line: medical items and the food allowance.
type ItemInput struct {
	Kind        string `json:"kind"` // medical, food
	Code        string `json:"code"`
	Name        string `json:"name"`
	Quantity    string `json:"quantity"`
	AmountFen   int64  `json:"amount_fen"`
	InCatalogue bool   `json:"in_catalogue"`
}

// ClaimInput is a benefit claim. Employers name the recognition by its
// decision number; clerks by its id.
type ClaimInput struct {
	RecognitionID   int64       `json:"-"`
	DecisionNo      string      `json:"decision_no"`
	Benefit         string      `json:"benefit"`
	Payee           string      `json:"payee"`
	BankName        string      `json:"bank_name"`
	BankAccount     string      `json:"bank_account"`
	NonDesignated   bool        `json:"non_designated"`
	Continued       bool        `json:"continued"`
	ContinuedFormNo string      `json:"continued_form_no"`
	Items           []ItemInput `json:"items"`
	DeathDate       string      `json:"death_date"`
	Dependants      []Dependant `json:"-"`
	FirstMonth      string      `json:"first_month"`
	Channel         string      `json:"-"`
	Scans           []Photo     `json:"-"`
}

// MaxItems is the most lines one claim takes.
const MaxItems = 2000

// FileClaim opens a benefit claim case: an employer for its own worker
// (web, with scans), or a 工伤保险待遇科 clerk (paper, phone). A COVID
// category recognition makes a medical claim a fast-track case. A worker
// whose employer was not insured at the accident gets the claim refused
// with the reason and listed for 统筹科. Errors: Forbidden, Invalid
// (fields), NotFound. The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) FileClaim(ctx context.Context, a *access.Actor, in ClaimInput) (*Claim, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RoleEmployer && !a.In(access.Injury) {
		return nil, errs.Forbid()
	}
	c, rec, err := s.prepareClaim(ctx, a, in)
	if err != nil {
		return nil, err
	}
	links, err := s.storeScans(ctx, a, in.Scans)
	if err != nil {
		return nil, err
	}
	channel := in.Channel
	if a.Role == access.RoleEmployer || channel == "" {
		channel = "web"
	}
	typ := ClaimTypeCode
	if c.FastTrack {
		typ = FastTrackTypeCode
	}
	cs, err := s.cases.Open(ctx, a, casework.OpenInput{Type: typ, Channel: channel,
		SubjectIDNumber: s.idNumberOf(ctx, rec.PersonID), Applicant: casework.Applicant{Kind: casework.ApplicantEmployer,
			EmployerID: rec.EmployerID, Name: rec.EmployerName}, Title: claimTitle(c, rec), Summary: c.BenefitName(),
		Data: map[string]any{"benefit": c.Benefit}, Documents: links, After: s.insertClaimTx(a, c)})
	if err != nil {
		return nil, err
	}
	c.CaseNo = cs.No
	return c, nil
}

// ConfirmClaimDraft files a mail draft of 工伤保险待遇科 (an employer's
// scans sent to the section mailbox) as a benefit claim; the fast-track
// deadline runs from now, when the documents are complete.
func (s *Service) ConfirmClaimDraft(ctx context.Context, a *access.Actor, no string, version int64, in ClaimInput) (*Claim, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	c, rec, err := s.prepareClaim(ctx, a, in)
	if err != nil {
		return nil, err
	}
	typ := ClaimTypeCode
	if c.FastTrack {
		typ = FastTrackTypeCode
	}
	cs, err := s.cases.ConfirmDraft(ctx, a, no, version, casework.ConfirmInput{Type: typ,
		Applicant:       casework.Applicant{Kind: casework.ApplicantEmployer, EmployerID: rec.EmployerID, Name: rec.EmployerName},
		SubjectIDNumber: s.idNumberOf(ctx, rec.PersonID), Title: claimTitle(c, rec), Data: map[string]any{"benefit": c.Benefit},
		Start: s.clock.Now(), After: s.insertClaimTx(a, c)})
	if err != nil {
		return nil, err
	}
	c.CaseNo = cs.No
	return c, nil
}

func claimTitle(c *Claim, rec *RecognitionRecord) string {
	return c.BenefitName() + "申报：" + ident.MaskName(rec.PersonName)
}

func (s *Service) idNumberOf(ctx context.Context, personID int64) string {
	var id string
	_ = s.db.Read().QueryRowContext(ctx, `SELECT id_number FROM persons WHERE id = $1`, personID).Scan(&id)
	return id
}

// prepareClaim validates the claim and builds its items (computed benefits
// through the formulas).
func (s *Service) prepareClaim(ctx context.Context, a *access.Actor, in ClaimInput) (*Claim, *RecognitionRecord, error) {
	rec, err := s.claimRecognition(ctx, a, in)
	if err != nil {
		return nil, nil, err
	}
	var f errs.Fields
	c := &Claim{RecognitionID: rec.ID, PersonID: rec.PersonID, PersonName: rec.PersonName, PersonIDMask: rec.PersonIDMask,
		EmployerID: rec.EmployerID, EmployerName: rec.EmployerName, Benefit: in.Benefit, Payee: in.Payee,
		BankName: strings.TrimSpace(in.BankName), BankAccount: strings.ReplaceAll(strings.TrimSpace(in.BankAccount), " ", ""),
		NonDesignated: in.NonDesignated, Status: StatusReview}
	if _, ok := benefitNames[c.Benefit]; !ok {
		f.Add("benefit", "请选择申报的待遇项目")
	}
	c.FastTrack = rec.Category == CategoryCOVID && c.Benefit == BenefitMedical
	if c.NonDesignated && !c.FastTrack {
		f.Add("non_designated", "非定点医疗机构的费用仅对感染新冠肺炎的医护及相关工作人员予以支付")
	}
	checkPayee(&f, c)
	if in.Continued || strings.TrimSpace(in.ContinuedFormNo) != "" {
		s.claimContinued(ctx, &f, c, in.ContinuedFormNo)
	}
	if rec.Result != ResultRecognised {
		f.Add("decision_no", "该职工未被认定为工伤，不能申报工伤保险待遇")
	}
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	if err := s.claimItems(ctx, c, rec, in); err != nil {
		return nil, nil, err
	}
	if !rec.Insured {
		c.Status, c.Uninsured = StatusRefused, true
		c.Refusal = "该职工受伤时用人单位未参加工伤保险，工伤保险基金不予支付，由用人单位与救治医疗机构结算；已转统筹科跟进"
		for i := range c.Items {
			c.Items[i].Decision, c.Items[i].Reason = DecisionRefused, "用人单位未参加工伤保险"
		}
	}
	return c, rec, nil
}

// claimRecognition finds the recognition a claim is for: the employer only
// its own worker's.
func (s *Service) claimRecognition(ctx context.Context, a *access.Actor, in ClaimInput) (*RecognitionRecord, error) {
	id := in.RecognitionID
	if a.Role == access.RoleEmployer || id == 0 {
		no := strings.TrimSpace(in.DecisionNo)
		err := s.db.Read().QueryRowContext(ctx, `SELECT id FROM injury_recognitions WHERE decision_no = $1`, no).Scan(&id)
		if no == "" || err != nil {
			var f errs.Fields
			f.Add("decision_no", "未找到该工伤认定决定书编号，请核对；认定结论由区人社局推送或经办人员登记后方可申报")
			return nil, f.Err()
		}
	}
	rec, err := loadRecognition(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	if a.Role == access.RoleEmployer && rec.EmployerID != a.EmployerID {
		var f errs.Fields
		f.Add("decision_no", "未找到该工伤认定决定书编号，请核对；认定结论由区人社局推送或经办人员登记后方可申报")
		return nil, f.Err()
	}
	return rec, nil
}

func checkPayee(f *errs.Fields, c *Claim) {
	switch c.Payee {
	case PayeeEmployer, PayeeWorker:
	default:
		f.Add("payee", "请选择收款方：用人单位（已垫付）或工伤职工本人")
		return
	}
	if c.BankName == "" || utf8.RuneCountInString(c.BankName) > 60 {
		f.Add("bank_name", "请填写开户银行（60 字以内）")
	}
	if !ValidBankAccount(c.BankAccount, c.Payee == PayeeWorker) {
		f.Add("bank_account", "银行账号有误：应为 8 至 30 位数字，个人银行卡号须通过校验位检查")
	}
}

// ValidBankAccount checks an account number: 8–30 digits; a personal card
// of 16–19 digits must pass the Luhn check.
func ValidBankAccount(acct string, personal bool) bool {
	if len(acct) < 8 || len(acct) > 30 {
		return false
	}
	for _, r := range acct {
		if r < '0' || r > '9' {
			return false
		}
	}
	if !personal || len(acct) < 16 || len(acct) > 19 {
		return true
	}
	sum := 0
	for i := 0; i < len(acct); i++ {
		d := int(acct[len(acct)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// claimItems builds the claim's lines: the claimed medical lines as sent,
// or the computed benefit from the formulas and the dated rules.
func (s *Service) claimItems(ctx context.Context, c *Claim, rec *RecognitionRecord, in ClaimInput) error {
	var err error
	switch c.Benefit {
	case BenefitMedical:
		err = s.medicalItems(ctx, c, in.Items)
	case BenefitDisability, BenefitLeaving:
		err = s.disabilityItems(ctx, c, rec, in.FirstMonth)
	case BenefitDeath:
		err = s.deathItems(ctx, c, rec, in)
	}
	if err != nil {
		return err
	}
	for _, it := range c.Items {
		c.Claimed += it.Claimed
	}
	return nil
}

func (s *Service) medicalItems(ctx context.Context, c *Claim, in []ItemInput) error {
	var f errs.Fields
	if len(in) > MaxItems {
		f.Add("items", fmt.Sprintf("每次申报最多 %d 项", MaxItems))
		return f.Err()
	}
	codes := make([]string, 0, len(in))
	for i, it := range in {
		field := fmt.Sprintf("items[%d]", i)
		it.Code, it.Name, it.Quantity = strings.TrimSpace(it.Code), strings.TrimSpace(it.Name), strings.TrimSpace(it.Quantity)
		if it.Kind == "" {
			it.Kind = "medical"
		}
		if it.Kind != "medical" && it.Kind != "food" {
			f.Add(field, "费用类别应为医疗费用或住院伙食补助费")
		}
		if it.Name == "" || utf8.RuneCountInString(it.Name) > 100 {
			f.Add(field, fmt.Sprintf("第 %d 项：请填写项目名称（100 字以内）", i+1))
		}
		if utf8.RuneCountInString(it.Code) > 40 {
			f.Add(field, fmt.Sprintf("第 %d 项：项目编码不能超过 40 个字符", i+1))
		}
		if q := it.Quantity; q == "" {
			it.Quantity = "1"
		} else if _, err := money.ParseYuan(q); err != nil || strings.HasPrefix(q, "-") || q == "0" {
			f.Add(field, fmt.Sprintf("第 %d 项：数量应为正数", i+1))
		}
		if it.AmountFen < 0 || it.AmountFen > 100_000_000_00 {
			f.Add(field, fmt.Sprintf("第 %d 项：金额不能为负数，且不超过 1 亿元", i+1))
		}
		c.Items = append(c.Items, Item{Line: i + 1, Kind: it.Kind, Code: it.Code, Name: it.Name, Quantity: it.Quantity,
			Claimed: money.Fen(it.AmountFen), InCatalogue: it.InCatalogue, Decision: DecisionPending})
		codes = append(codes, it.Code)
	}
	if err := f.Err(); err != nil {
		return err
	}
	if !c.FastTrack {
		return nil
	}
	covered, err := s.covered.covered(ctx, s.db.Read(), s.clock, codes, clock.Today(s.clock).Format("2006-01-02"))
	if err != nil {
		return err
	}
	for i := range c.Items {
		c.Items[i].COVID = covered[c.Items[i].Code]
	}
	return nil
}

// currentAppraisal returns the latest appraisal not superseded.
func (s *Service) currentAppraisal(ctx context.Context, recID int64) (*Appraisal, error) {
	list, err := appraisalsOf(ctx, s.db.Read(), recID)
	if err != nil {
		return nil, err
	}
	for i := len(list) - 1; i >= 0; i-- {
		if !list[i].Superseded {
			return &list[i], nil
		}
	}
	return nil, nil
}

func (s *Service) areaAvg(ctx context.Context, day string) (money.Fen, error) {
	d, err := clock.ParseDate(day)
	if err != nil {
		d = clock.Today(s.clock)
	}
	avg, _, err := s.policy.Amount(ctx, policy.KeyAvgWage, "", d)
	return avg, err
}

func (s *Service) disabilityItems(ctx context.Context, c *Claim, rec *RecognitionRecord, firstMonth string) error {
	var f errs.Fields
	ap, err := s.currentAppraisal(ctx, rec.ID)
	if err != nil {
		return err
	}
	if ap == nil || ap.Grade == 0 {
		f.Add("benefit", "尚无伤残等级鉴定结论，请先登记劳动能力鉴定结论")
		return f.Err()
	}
	if rec.OwnWage <= 0 && c.Benefit == BenefitDisability {
		f.Add("benefit", "尚未核定本人工资，请先核定本人工资")
		return f.Err()
	}
	avg, err := s.areaAvg(ctx, ap.AppraisedOn)
	if err != nil {
		return err
	}
	if c.Benefit == BenefitLeaving {
		return s.leavingItems(ctx, c, ap, avg)
	}
	d, err := DisabilityOf(ap.Grade, money.Fen(rec.OwnWage), avg, Nursing(ap.Nursing))
	if err != nil {
		return err
	}
	first := firstMonth
	if _, err := clock.ParseMonth(first); err != nil {
		first = s.monthAfter(ap.AppraisedOn)
	}
	steps := joinSteps(d.Explain())
	c.Items = append(c.Items, Item{Line: 1, Kind: "disability_lump", Name: ItemKindName("disability_lump"), Quantity: "1",
		Claimed: d.LumpSum, Steps: steps, Decision: DecisionPending})
	if ap.Grade <= 4 {
		c.Items = append(c.Items, Item{Line: len(c.Items) + 1, Kind: "disability_monthly", Name: ItemKindName("disability_monthly"),
			Quantity: "1", Claimed: d.Allowance, Monthly: true, FirstMonth: first, Steps: steps, Decision: DecisionPending})
	}
	if d.NursingFee > 0 {
		c.Items = append(c.Items, Item{Line: len(c.Items) + 1, Kind: "nursing_monthly", Name: ItemKindName("nursing_monthly"),
			Quantity: "1", Claimed: d.NursingFee, Monthly: true, FirstMonth: first, Steps: steps, Decision: DecisionPending})
	}
	return nil
}

func (s *Service) leavingItems(ctx context.Context, c *Claim, ap *Appraisal, avg money.Fen) error {
	if ap.Grade < 5 {
		var f errs.Fields
		f.Add("benefit", "一次性工伤医疗补助金适用于 5 至 10 级伤残")
		return f.Err()
	}
	months, _, err := s.policy.Int(ctx, policy.KeyInjuryLeavingMonths, strconv.Itoa(ap.Grade), clock.Today(s.clock))
	if err != nil {
		return err
	}
	l, err := LeavingSubsidyOf(ap.Grade, months, avg)
	if err != nil {
		return err
	}
	c.Items = append(c.Items, Item{Line: 1, Kind: "leaving_medical", Name: ItemKindName("leaving_medical"), Quantity: "1",
		Claimed: l.Subsidy, Steps: joinSteps(l.Explain()), Decision: DecisionPending})
	return nil
}

func (s *Service) deathItems(ctx context.Context, c *Claim, rec *RecognitionRecord, in ClaimInput) error {
	var f errs.Fields
	today := clock.Today(s.clock).Format("2006-01-02")
	checkDay(&f, "death_date", "死亡日期", in.DeathDate, today, true)
	if rec.OwnWage <= 0 {
		f.Add("benefit", "尚未核定本人工资，请先核定本人工资")
	}
	if err := f.Err(); err != nil {
		return err
	}
	death, _ := clock.ParseDate(in.DeathDate)
	income, _, err := s.policy.Amount(ctx, policy.KeyNationalUrbanIncome, "", death)
	if err != nil {
		return err
	}
	avg, err := s.areaAvg(ctx, in.DeathDate)
	if err != nil {
		return err
	}
	w, err := WorkDeathOf(death, income, avg, money.Fen(rec.OwnWage), in.Dependants)
	if err != nil {
		return err
	}
	steps := joinSteps(w.Explain())
	c.Items = append(c.Items,
		Item{Line: 1, Kind: "death_subsidy", Name: ItemKindName("death_subsidy"), Quantity: "1", Claimed: w.Subsidy, Steps: steps, Decision: DecisionPending},
		Item{Line: 2, Kind: "funeral", Name: ItemKindName("funeral"), Quantity: "1", Claimed: w.Funeral, Steps: steps, Decision: DecisionPending})
	first := s.monthAfter(in.DeathDate)
	for i, d := range w.Dependants {
		c.Items = append(c.Items, Item{Line: len(c.Items) + 1, Kind: "dependant_monthly",
			Name: "供养亲属抚恤金：" + DependantLabel(d.Kind), Quantity: "1", Claimed: w.Paid[i], Monthly: true,
			FirstMonth: first, Steps: steps, Decision: DecisionPending})
	}
	return nil
}

func (s *Service) monthAfter(day string) string {
	d, err := clock.ParseDate(day)
	if err != nil {
		d = clock.Today(s.clock)
	}
	return clock.MonthOf(d).Add(1).String()
}

// joinSteps keeps a computation's steps as lines of text with their basis.
func joinSteps(t formula.Trace) string {
	lines := make([]string, 0, len(t.Steps))
	for _, st := range t.Steps {
		lines = append(lines, st.Text)
	}
	return strings.Join(lines, "\n")
}

// insertClaimTx stores the claim and its items in the case's transaction.
func (s *Service) insertClaimTx(a *access.Actor, c *Claim) func(context.Context, *sql.Tx, *casework.Case) error {
	return func(ctx context.Context, tx *sql.Tx, cs *casework.Case) error {
		c.CaseID, c.CaseNo, c.CreatedAt, c.Version = cs.ID, cs.No, s.clock.Now().UTC(), 1
		if c.Status == StatusRefused {
			now := c.CreatedAt
			c.DecidedAt = &now
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO injury_claims (case_id, recognition_id, person_id, employer_id, benefit,
			fast_track, payee, bank_name, bank_account, non_designated, continued_id, status, refusal, uninsured, claimed_fen,
			decided_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17) RETURNING id`,
			c.CaseID, c.RecognitionID, c.PersonID, c.EmployerID, c.Benefit, c.FastTrack, c.Payee, c.BankName, c.BankAccount,
			c.NonDesignated, nullID(c.ContinuedID), c.Status, c.Refusal, c.Uninsured, int64(c.Claimed), c.DecidedAt,
			c.CreatedAt).Scan(&c.ID)
		if err != nil {
			return errs.Wrap(err, "insert claim")
		}
		if err := insertItems(ctx, tx, c.ID, c.Items); err != nil {
			return err
		}
		if c.ContinuedID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE injury_continued SET claim_id = $2 WHERE id = $1`, c.ContinuedID, c.ID); err != nil {
				return errs.Wrap(err, "link continued treatment")
			}
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.claim.file", Entity: "injury_claim",
			EntityID: cs.No, After: map[string]any{"benefit": c.Benefit, "items": len(c.Items), "claimed_fen": c.Claimed,
				"fast_track": c.FastTrack, "uninsured": c.Uninsured, "worker": c.PersonIDMask}})
	}
}

// insertItems writes the lines in multi-row statements.
func insertItems(ctx context.Context, tx *sql.Tx, claimID int64, items []Item) error {
	const cols = 14
	for start := 0; start < len(items); start += 60 {
		chunk := items[start:min(start+60, len(items))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO injury_claim_items (claim_id, line, kind, code, name, quantity, claimed_fen, in_catalogue,
			covid, monthly, first_month, steps, decision, reason) VALUES `)
		args := make([]any, 0, len(chunk)*cols)
		for i, it := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for j := 0; j < cols; j++ {
				if j > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(placeholder(i*cols + j + 1))
			}
			sb.WriteByte(')')
			args = append(args, claimID, it.Line, it.Kind, it.Code, it.Name, it.Quantity, int64(it.Claimed), it.InCatalogue,
				it.COVID, it.Monthly, it.FirstMonth, it.Steps, it.Decision, it.Reason)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return errs.Wrap(err, "insert claim items")
		}
	}
	return nil
}

const claimCols = `c.id, c.case_id, k.case_no, c.recognition_id, c.person_id, p.name, p.id_number, c.employer_id, e.name,
	c.benefit, c.fast_track, c.payee, c.bank_name, c.bank_account, c.non_designated, COALESCE(c.continued_id, 0), c.status,
	c.refusal, c.uninsured, c.claimed_fen, c.approved_fen, c.reviewed_by, c.reviewed_name, c.checked_by, c.checked_name,
	c.letter_code, c.decided_at, c.created_at, c.version`

const claimFrom = ` FROM injury_claims c JOIN cases k ON k.id = c.case_id JOIN persons p ON p.id = c.person_id
	JOIN employers e ON e.id = c.employer_id`

func scanClaim(sc interface{ Scan(...any) error }) (*Claim, error) {
	var c Claim
	var idNo string
	var decided sql.NullTime
	err := sc.Scan(&c.ID, &c.CaseID, &c.CaseNo, &c.RecognitionID, &c.PersonID, &c.PersonName, &idNo, &c.EmployerID,
		&c.EmployerName, &c.Benefit, &c.FastTrack, &c.Payee, &c.BankName, &c.BankAccount, &c.NonDesignated, &c.ContinuedID,
		&c.Status, &c.Refusal, &c.Uninsured, &c.Claimed, &c.Approved, &c.ReviewedBy, &c.ReviewedName, &c.CheckedBy,
		&c.CheckedName, &c.LetterCode, &decided, &c.CreatedAt, &c.Version)
	c.PersonIDMask = ident.MaskID(idNo)
	if decided.Valid {
		c.DecidedAt = &decided.Time
	}
	return &c, err
}

func loadClaim(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, arg any, withItems bool) (*Claim, error) {
	c, err := scanClaim(q.QueryRowContext(ctx, `SELECT `+claimCols+claimFrom+` WHERE `+where, arg))
	if err == sql.ErrNoRows {
		return nil, errs.NotFoundf("没有该待遇申报")
	}
	if err != nil {
		return nil, errs.Wrap(err, "load claim")
	}
	if !withItems {
		return c, nil
	}
	err = db.Each(ctx, q, func(r db.Scanner) error {
		var it Item
		if err := r.Scan(&it.Line, &it.Kind, &it.Code, &it.Name, &it.Quantity, &it.Claimed, &it.InCatalogue, &it.COVID,
			&it.Monthly, &it.FirstMonth, &it.Steps, &it.Decision, &it.Approved, &it.Reason); err != nil {
			return err
		}
		c.Items = append(c.Items, it)
		return nil
	}, `SELECT line, kind, code, name, quantity, claimed_fen, in_catalogue, covid, monthly,
		first_month, steps, decision, approved_fen, reason FROM injury_claim_items WHERE claim_id = $1 ORDER BY line`, c.ID)
	return c, errs.Wrap(err, "claim items")
}

// ClaimByID returns a claim with its items: 工伤保险待遇科 any, the employer
// its own, the worker their own; others get NotFound.
func (s *Service) ClaimByID(ctx context.Context, a *access.Actor, id int64) (*Claim, error) {
	c, err := loadClaim(ctx, s.db.Read(), "c.id = $1", id, true)
	if err != nil {
		return nil, err
	}
	if !canSeeClaim(a, c) {
		return nil, errs.NotFoundf("没有该待遇申报")
	}
	return c, nil
}

// ClaimOfCase returns the claim of a case number (nil when the case is no claim).
func (s *Service) ClaimOfCase(ctx context.Context, a *access.Actor, caseNo string) (*Claim, error) {
	c, err := loadClaim(ctx, s.db.Read(), "k.case_no = $1", caseNo, false)
	if errs.KindOf(err) == errs.NotFound {
		return nil, nil
	}
	if err != nil || !canSeeClaim(a, c) {
		return nil, err
	}
	return c, nil
}

func canSeeClaim(a *access.Actor, c *Claim) bool {
	switch {
	case a == nil:
		return false
	case a.In(access.Injury):
		return true
	case a.Role == access.RoleEmployer:
		return a.EmployerID == c.EmployerID
	case a.Role == access.RolePerson:
		return a.PersonID == c.PersonID
	}
	return false
}

// ClaimsOf lists the claims of a recognition (staff), of the employer, or
// of the worker (the person's own).
func (s *Service) ClaimsOf(ctx context.Context, a *access.Actor, recognitionID int64) ([]*Claim, error) {
	where, arg := "", any(nil)
	switch {
	case a.In(access.Injury) && recognitionID != 0:
		where, arg = "c.recognition_id = $1", recognitionID
	case a != nil && a.Role == access.RoleEmployer:
		where, arg = "c.employer_id = $1", a.EmployerID
	case a != nil && a.Role == access.RolePerson && a.PersonID != 0:
		where, arg = "c.person_id = $1", a.PersonID
	default:
		return nil, errs.Forbid()
	}
	var out []*Claim
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		c, err := scanClaim(r)
		if err != nil {
			return err
		}
		out = append(out, c)
		return nil
	}, `SELECT `+claimCols+claimFrom+` WHERE `+where+` ORDER BY c.id DESC LIMIT 200`, arg)
	return out, errs.Wrap(err, "claims")
}

// Uninsured lists refused claims of uninsured employers for 统筹科's
// follow-up (and 工伤保险待遇科).
func (s *Service) Uninsured(ctx context.Context, a *access.Actor, page int) ([]*Claim, error) {
	if !a.In(access.Injury) && !a.In(access.Coordination) {
		return nil, errs.Forbid()
	}
	page = max(page, 1)
	var out []*Claim
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		c, err := scanClaim(r)
		if err != nil {
			return err
		}
		out = append(out, c)
		return nil
	}, `SELECT `+claimCols+claimFrom+` WHERE c.uninsured = TRUE ORDER BY c.id DESC
		LIMIT $1 OFFSET $2`, PageSize, (page-1)*PageSize)
	return out, errs.Wrap(err, "uninsured")
}
