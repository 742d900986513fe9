package retirement

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
	"shebao/internal/casework"
	"shebao/internal/certificate"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
	"shebao/internal/pension"
	"shebao/internal/person"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
)

// SelfEmployedCaseType is 个体参保科's case of a self-employed retirement.
const SelfEmployedCaseType = "flexible_retirement"

// Determination statuses.
const (
	DetComputed   = "computed"   // 已计算，待复核
	DetReviewed   = "reviewed"   // 已复核，待复审
	DetDecided    = "decided"    // 已核定
	DetSuperseded = "superseded" // 已被更正版本取代
)

var detStatusNames = map[string]string{DetComputed: "已计算，待经办复核", DetReviewed: "已复核，待第二人复审",
	DetDecided: "已核定", DetSuperseded: "已更正（被新版本取代）"}

// Determination is one version of a pension determination.
type Determination struct {
	ID                 int64
	CaseNo             string
	PersonID           int64
	QualificationID    int64
	Version            int64
	RetireMonth        clock.Month
	FirstMonth         clock.Month
	Months             int
	DeemedMonths       int
	TransitionalMonths int
	AvgIndex           formula.PPM
	CalcBase           money.Fen
	Balance            money.Fen
	BalanceSource      string // BalanceAccount, BalanceImported or BalanceEntered
	Basic              money.Fen
	Account            money.Fen
	Transitional       money.Fen
	Total              money.Fen
	ArrearsMonths      int
	Arrears            money.Fen
	Difference         money.Fen
	Steps              []formula.Step
	Status             string
	Reason             string
	ComputedBy         int64
	ReviewedBy         int64
	CheckedBy          int64
	VerifyCode         string
	Enrolled           bool
	DecidedAt          *time.Time
	CreatedAt          time.Time
}

// StatusName is the Chinese status.
func (d *Determination) StatusName() string { return detStatusNames[d.Status] }

// Where a personal-account balance came from.
const (
	BalanceAccount  = "account"  // the personal account (account entries)
	BalanceImported = "imported" // no account here: imported from the former system
	BalanceEntered  = "entered"  // no account here: entered by the clerk from the former system
)

var balanceSourceNames = map[string]string{BalanceAccount: "个人账户记账合计",
	BalanceImported: "未建个人账户，采用原系统导入的储存额", BalanceEntered: "未建个人账户，采用经办人员按原系统数据录入的储存额"}

// BalanceSourceName says in Chinese where the balance came from.
func (d *Determination) BalanceSourceName() string { return balanceSourceNames[d.BalanceSource] }

// FromAccount tells whether the balance is the personal account's.
func (d *Determination) FromAccount() bool { return d.BalanceSource == BalanceAccount }

// IndexText shows Z.
func (d *Determination) IndexText() string { return d.AvgIndex.Text(4) }

// Years shows the contribution years and months.
func (d *Determination) Years() string { return pension.DurationText(d.Months) }

// GroupedCode shows the verification code in groups.
func (d *Determination) GroupedCode() string { return certificate.GroupCode(d.VerifyCode) }

// ComputeInput asks for a determination of a case: the personal-account
// balance in 元 when none was imported, and the reason of a correction.
type ComputeInput struct {
	CaseNo  string
	Balance string
	Reason  string
}

// Compute computes the pension of the case's person from the records:
// paid months and deemed months, the average index Z over each average
// wage period, C of the retirement year, the account balance and the
// transitional pension, every step recorded (docs/rules.md "Retirement: the determination"). It
// replaces a version not yet decided; after a decision it adds a
// correction version with the difference. Errors: Forbidden, NotFound,
// Invalid (missing rules or balance, a correction without reason).
func (s *Service) Compute(ctx context.Context, a *access.Actor, in ComputeInput) (*Determination, error) {
	var out *Determination
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		q, err := s.caseQual(ctx, tx, a, in.CaseNo)
		if err != nil {
			return err
		}
		prev, err := latestDetermination(ctx, tx, in.CaseNo)
		if err != nil {
			return err
		}
		d, err := s.compute(ctx, tx, q, in.Balance)
		if err != nil {
			return err
		}
		if err := s.placeVersion(ctx, tx, d, prev, in.Reason); err != nil {
			return err
		}
		d.ComputedBy, d.CaseNo, d.QualificationID = a.UserID, in.CaseNo, q.ID
		if err := insertDetermination(ctx, tx, d, s.now()); err != nil {
			return err
		}
		if prev == nil || prev.Status != DetDecided {
			if err := s.startCase(ctx, tx, a, in.CaseNo); err != nil {
				return err
			}
		}
		out = d
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.determination.compute", Entity: "pension_determination",
			EntityID: fmt.Sprintf("%s/%d", in.CaseNo, d.Version), After: map[string]any{"total_fen": d.Total, "z_ppm": d.AvgIndex,
				"months": d.Months}, Note: d.Reason})
	})
	return out, err
}

// placeVersion numbers d: the undecided version is replaced, a decided one
// is corrected by the next version (a reason is required).
func (s *Service) placeVersion(ctx context.Context, tx *sql.Tx, d, prev *Determination, reason string) error {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 500 {
		return fieldErr("reason", "更正原因不能超过 500 字")
	}
	d.Version, d.Reason = 1, reason
	switch {
	case prev == nil:
	case prev.Status == DetDecided:
		if reason == "" {
			return fieldErr("reason", "已核定的待遇更正时，请写明更正原因（如补录缴费记录）")
		}
		d.Version, d.Difference = prev.Version+1, d.Total-prev.Total
	default:
		d.Version = prev.Version
		if last, err := decidedBefore(ctx, tx, d.CaseNo, prev.Version); err == nil && last != nil {
			d.Difference = d.Total - last.Total
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM pension_determinations WHERE id = $1`, prev.ID); err != nil {
			return errs.Wrap(err, "replace determination")
		}
	}
	return nil
}

// startCase moves a new case to 审核中 as its determination is computed.
func (s *Service) startCase(ctx context.Context, tx *sql.Tx, a *access.Actor, no string) error {
	c, err := s.cases.MoveTx(ctx, tx, a, no, casework.Accepted, "")
	if err != nil && errs.KindOf(err) != errs.Conflict {
		return err
	}
	if c != nil && c.State == casework.Accepted {
		_, err = s.cases.MoveTx(ctx, tx, a, no, casework.InReview, "")
		return err
	}
	return nil
}

// caseQual finds the confirmed qualification of a determination case the
// actor works on (保险福利科, or 个体参保科 for the self-employed).
func (s *Service) caseQual(ctx context.Context, q db.Querier, a *access.Actor, caseNo string) (*Qualification, error) {
	x, err := scanQual(q.QueryRowContext(ctx, `SELECT `+qualColumns+qualFrom+` WHERE q.case_no = $1 AND q.case_no <> ''`, caseNo))
	if db.IsNoRows(err) {
		return nil, errs.New(errs.NotFound, "determination_not_found", "该业务没有已确认的退休资格，不能核定待遇")
	}
	if err != nil {
		return nil, errs.Wrap(err, "case qualification")
	}
	if !a.In(access.Welfare) && !(x.Kind == KindSelfEmployed && a.In(access.SelfEmployed)) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "待遇核定由保险福利科办理")
	}
	return x, nil
}

// compute builds a determination from the records and the dated rules.
func (s *Service) compute(ctx context.Context, q db.Querier, x *Qualification, balanceText string) (*Determination, error) {
	p, err := loadSubject(ctx, q, x.PersonID)
	if err != nil {
		return nil, err
	}
	if p.Status == "deceased" {
		return nil, errs.New(errs.Conflict, "person_deceased", "该人员已登记死亡，不能核定养老金")
	}
	rec, err := personRecord(ctx, q, x.PersonID)
	if err != nil {
		return nil, err
	}
	idx, err := averageIndex(ctx, s.policy, rec)
	if err != nil {
		return nil, err
	}
	bal, err := s.balance(ctx, q, x.PersonID, x.RetireMonth, balanceText)
	if err != nil {
		return nil, err
	}
	return s.formula(ctx, x, p, rec, idx, bal)
}

// formula runs pension.Compute on the determination's inputs.
func (s *Service) formula(ctx context.Context, x *Qualification, p *Subject, rec Record, idx Index, b accountBalance) (*Determination, error) {
	bal := b.fen
	retire := x.RetireMonth
	c, rule, err := s.policy.Amount(ctx, policy.KeyPensionCalcBase, "", retire.First())
	if err != nil {
		return nil, errs.New(errs.Invalid, "calc_base_missing", fmt.Sprintf("缺少 %d 年的基本养老金计发基数，请在“政策参数”中补充", retire.Year))
	}
	age := retire.Sub(p.Birth)
	in := pension.PensionInput{CalcBase: c, CalcBaseBasis: rule.Explain(), AvgIndex: idx.Z, ContributionMonths: rec.Months + x.DeemedMonths,
		AccountBalance: bal, AgeYears: age / 12, AgeMonths: age % 12, DeemedMonths: x.DeemedMonths, TransitionalMonths: min(rec.Transitional, 69)}
	pen, err := pension.Compute(in)
	if err != nil {
		return nil, err
	}
	d := &Determination{PersonID: x.PersonID, RetireMonth: retire, Months: in.ContributionMonths, DeemedMonths: x.DeemedMonths,
		TransitionalMonths: in.TransitionalMonths, AvgIndex: idx.Z, CalcBase: c, Balance: bal, Basic: pen.Basic, Account: pen.Account,
		Transitional: pen.Transitional, Total: pen.Total, Status: DetComputed, BalanceSource: b.source}
	d.FirstMonth = retire.Add(1)
	if x.PooledFrom != "" {
		if m, err := clock.ParseMonth(x.PooledFrom); err == nil && d.FirstMonth.Before(m) {
			d.FirstMonth = m
		}
	}
	d.Steps = explainRecord(rec, x, idx)
	d.Steps = append(d.Steps, formula.Step{Text: b.text, Basis: "个人账户储存额按个人账户记账计算；未建个人账户的按原系统数据"})
	d.Steps = append(d.Steps, pen.Explain().Steps...)
	return d, nil
}

// explainRecord lists the months, the gaps and each period's index.
func explainRecord(rec Record, x *Qualification, idx Index) []formula.Step {
	var t formula.Trace
	t.Step(pension.BasisPension, "实际缴费 %d 个月（%s 至 %s，已到账月份），视同缴费 %d 个月，合计 %d 个月（%s 年）",
		rec.Months, rec.First.Chinese(), rec.Last.Chinese(), x.DeemedMonths, rec.Months+x.DeemedMonths, pension.YearsText(rec.Months+x.DeemedMonths))
	if len(rec.Gaps) > 0 {
		t.Step(pension.BasisPension, "缴费中断：%s", strings.Join(rec.GapText(), "；"))
	}
	for _, p := range idx.Periods {
		t.Step(p.Basis, "%s 起：缴费 %d 个月，月平均缴费基数 %s，社平工资 %s，各月指数（限 0.6 至 3）平均 %s",
			p.From.Chinese(), p.Months, money.Fen(int64(p.SumBase)/int64(p.Months)), p.Wage, p.IndexText())
	}
	t.Step(pension.BasisPension, "平均缴费指数 Z = 各月指数之和 ÷ %d 个月，四舍五入保留四位小数 = %s", rec.Months, idx.Z.Text(4))
	t.Step(pension.BasisPension, "1992年10月至1998年6月实际缴费 %d 个月，计入过渡性养老金", min(rec.Transitional, 69))
	return t.Steps
}

type accountBalance struct {
	fen    money.Fen
	source string
	text   string
}

// balance is the personal-account balance at the end of the retirement
// month: the personal account's when the person has one here; otherwise
// the one the clerk enters (in 元) from the former system, or the one
// imported from it (docs/rules.md "Retirement: the determination").
func (s *Service) balance(ctx context.Context, q db.Querier, personID int64, retire clock.Month, text string) (accountBalance, error) {
	day := retire.Add(1).First().AddDate(0, 0, -1)
	fen, ok, err := personalaccount.Opened(ctx, q, personID, day)
	if err != nil {
		return accountBalance{}, err
	}
	if ok {
		if strings.TrimSpace(text) != "" {
			return accountBalance{}, fieldErr("balance", "该人员已建个人账户，储存额按个人账户计算，请清空“个人账户储存额”")
		}
		return accountBalance{fen, BalanceAccount, fmt.Sprintf("个人账户储存额 %s（个人账户截至 %s 的记账合计）",
			formula.Yuan(fen), clock.DateText(day))}, nil
	}
	if strings.TrimSpace(text) != "" {
		f, err := money.ParseYuan(text)
		if err != nil || f < 0 {
			return accountBalance{}, fieldErr("balance", "个人账户储存额请填写金额（元，最多两位小数）")
		}
		return accountBalance{f, BalanceEntered, "该人员未建个人账户，储存额 " + formula.Yuan(f) + " 由经办人员按原系统数据录入"}, nil
	}
	var bal money.Fen
	var asOf string
	err = q.QueryRowContext(ctx, `SELECT balance_fen, as_of_month FROM retirement_account_balances WHERE person_id = $1`, personID).Scan(&bal, &asOf)
	if db.IsNoRows(err) {
		return accountBalance{}, fieldErr("balance", "该人员未建个人账户，也未导入原系统储存额，请按原系统数据填写“个人账户储存额”")
	}
	m, _ := clock.ParseMonth(asOf)
	return accountBalance{bal, BalanceImported, fmt.Sprintf("该人员未建个人账户，储存额 %s 采用原系统导入数据（截至 %s）",
		formula.Yuan(bal), m.Chinese())}, errs.Wrap(err, "account balance")
}

// ImportBalance records a balance from the former system (demo and the
// import of 个人账户科); it checks no permission.
func ImportBalance(ctx context.Context, q db.Querier, personID int64, bal money.Fen, asOf clock.Month, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO retirement_account_balances (person_id, balance_fen, as_of_month, imported_at)
		VALUES ($1,$2,$3,$4) ON CONFLICT (person_id) DO UPDATE SET balance_fen = $2, as_of_month = $3, imported_at = $4`,
		personID, bal, asOf.String(), now)
	return errs.Wrap(err, "import balance")
}

// Review is the clerk's review of a computed version. Errors: Forbidden,
// NotFound, Conflict (not computed, stale).
func (s *Service) Review(ctx context.Context, a *access.Actor, caseNo string, version int64) (*Determination, error) {
	return s.step(ctx, a, caseNo, version, func(tx *sql.Tx, x *Qualification, d *Determination) error {
		if d.Status != DetComputed {
			return errs.New(errs.Conflict, "not_computed", "该核定当前为“"+d.StatusName()+"”，不能复核")
		}
		d.Status, d.ReviewedBy = DetReviewed, a.UserID
		_, err := tx.ExecContext(ctx, `UPDATE pension_determinations SET status = 'reviewed', reviewed_by = $2 WHERE id = $1`, d.ID, a.UserID)
		if err != nil {
			return errs.Wrap(err, "review")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.determination.review", Entity: "pension_determination",
			EntityID: fmt.Sprintf("%s/%d", caseNo, d.Version)})
	})
}

// Check is the second clerk's check: a different clerk from the one who
// reviewed decides the determination, issues its verification code,
// works out the arrears, enrols the pension into the payroll (or a
// correction's difference), marks the person retired and settles the
// case. Errors: Forbidden (the same clerk), NotFound, Conflict.
func (s *Service) Check(ctx context.Context, a *access.Actor, caseNo string, version int64) (*Determination, error) {
	return s.step(ctx, a, caseNo, version, func(tx *sql.Tx, x *Qualification, d *Determination) error {
		if d.Status != DetReviewed {
			return errs.New(errs.Conflict, "not_reviewed", "该核定当前为“"+d.StatusName()+"”，须先由经办人员复核")
		}
		if d.ReviewedBy == a.UserID || d.ComputedBy == a.UserID {
			return errs.New(errs.Forbidden, "second_clerk", "复审须由计算、复核以外的第二名经办人员办理")
		}
		return s.decide(ctx, tx, a, x, d)
	})
}

func (s *Service) decide(ctx context.Context, tx *sql.Tx, a *access.Actor, x *Qualification, d *Determination) error {
	now := s.now()
	d.Status, d.CheckedBy, d.DecidedAt, d.VerifyCode = DetDecided, a.UserID, &now, certificate.NewCode()
	s.arrears(d, clock.MonthOf(now))
	if _, err := tx.ExecContext(ctx, `UPDATE pension_determinations SET status = 'superseded' WHERE case_no = $1 AND status = 'decided'`, d.CaseNo); err != nil {
		return errs.Wrap(err, "supersede")
	}
	if err := s.enrol(ctx, tx, a, d); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pension_determinations SET status = 'decided', checked_by = $2, decided_at = $3,
		verify_code = $4, arrears_months = $5, arrears_fen = $6, enrolled = $7 WHERE id = $1`,
		d.ID, a.UserID, now, d.VerifyCode, d.ArrearsMonths, d.Arrears, d.Enrolled); err != nil {
		return errs.Wrap(err, "decide")
	}
	if d.Version == 1 {
		if err := s.retire(ctx, tx, d.PersonID, now); err != nil {
			return err
		}
		if _, err := s.cases.MoveTx(ctx, tx, a, d.CaseNo, casework.Decided, "待遇已核定，月基本养老金 "+d.Total.String()+" 元"); err != nil {
			return err
		}
	} else if err := s.cases.SettleReopenedTx(ctx, tx, a, d.CaseNo, "重新核定，月基本养老金 "+d.Total.String()+" 元"); err != nil {
		return err
	}
	s.notifyAccounts(ctx, tx, "person_id", d.PersonID, "养老金待遇核定", fmt.Sprintf("您的基本养老金已核定：每月 %s 元，自 %s 起发放，核定通知书验证码 %s",
		d.Total, d.FirstMonth.Chinese(), d.GroupedCode()), "retirement")
	if x.EmployerID != 0 {
		s.notifyAccounts(ctx, tx, "employer_id", x.EmployerID, "职工养老金待遇核定", fmt.Sprintf("%s 的基本养老金已核定（%s），核定通知书可在退休资格确认 %s 下载",
			x.NameMasked(), d.CaseNo, x.No), "retirement")
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.determination.decide", Entity: "pension_determination",
		EntityID: fmt.Sprintf("%s/%d", d.CaseNo, d.Version), After: map[string]any{"total_fen": d.Total, "first_month": d.FirstMonth.String(),
			"arrears_fen": d.Arrears, "difference_fen": d.Difference, "enrolled": d.Enrolled}})
}

// arrears: the months from the first pension month to the month of the
// decision are owed at once (docs/rules.md "Retirement: first month and arrears"); for a correction, the
// difference for the months already paid.
func (s *Service) arrears(d *Determination, decided clock.Month) {
	n := max(0, decided.Sub(d.FirstMonth)+1)
	d.ArrearsMonths = n
	if d.Version == 1 {
		d.Arrears = money.Fen(int64(d.Total) * int64(n))
		return
	}
	d.Arrears = money.Fen(int64(d.Difference) * int64(n))
}

// enrol hands the decided amount to the payroll when one is connected and
// the first month is at most next month (the payroll takes no later one).
func (s *Service) enrol(ctx context.Context, tx *sql.Tx, a *access.Actor, d *Determination) error {
	if s.payroll == nil || d.FirstMonth.Sub(s.thisMonth()) > 1 {
		return nil
	}
	err := s.payroll.Enrol(ctx, tx, a, Enrolment{PersonID: d.PersonID, Key: fmt.Sprintf("%s/%d", d.CaseNo, d.Version), Monthly: d.Total,
		FirstMonth: d.FirstMonth, ArrearsMonths: d.ArrearsMonths, Arrears: d.Arrears, Difference: d.Difference, Correction: d.Version > 1})
	if err != nil {
		return err
	}
	d.Enrolled = true
	return nil
}

// retire marks the person a retiree (person.SetKind).
func (s *Service) retire(ctx context.Context, tx *sql.Tx, personID int64, now time.Time) error {
	p, err := person.Load(ctx, tx, personID)
	if err != nil {
		return err
	}
	p.Kind = person.Retiree
	return person.SetKind(ctx, tx, p, now)
}

// step loads the case's latest version for a review step, checking the
// version the clerk saw.
func (s *Service) step(ctx context.Context, a *access.Actor, caseNo string, version int64,
	fn func(tx *sql.Tx, x *Qualification, d *Determination) error) (*Determination, error) {
	var out *Determination
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		x, err := s.caseQual(ctx, tx, a, caseNo)
		if err != nil {
			return err
		}
		d, err := latestDetermination(ctx, tx, caseNo)
		if err != nil {
			return err
		}
		if d == nil {
			return errs.New(errs.NotFound, "determination_not_found", "该业务尚未计算待遇")
		}
		if d.Version != version {
			return errs.New(errs.Conflict, "stale", "待遇已重新计算，请刷新后再试")
		}
		out = d
		return fn(tx, x, d)
	})
	return out, err
}

// CaseDeterminations returns the versions of a case, newest first, for
// the section's staff. Errors: Forbidden, NotFound.
func (s *Service) CaseDeterminations(ctx context.Context, a *access.Actor, caseNo string) (*Qualification, []*Determination, error) {
	x, err := s.caseQual(ctx, s.db.Read(), a, caseNo)
	if err != nil {
		return nil, nil, err
	}
	ds, err := determinations(ctx, s.db.Read(), "case_no = $1", caseNo)
	return x, ds, err
}

const detColumns = `id, case_no, person_id, qualification_id, version, retire_month, first_month, months, deemed_months,
	transitional_months, avg_index_ppm, calc_base_fen, balance_fen, basic_fen, account_fen, transitional_fen, total_fen,
	arrears_months, arrears_fen, difference_fen, steps, status, reason, computed_by, reviewed_by, checked_by,
	COALESCE(verify_code, ''), enrolled, decided_at, created_at, balance_source`

func scanDetermination(r interface{ Scan(...any) error }) (*Determination, error) {
	var d Determination
	var retire, first, steps string
	var decided sql.NullTime
	err := r.Scan(&d.ID, &d.CaseNo, &d.PersonID, &d.QualificationID, &d.Version, &retire, &first, &d.Months, &d.DeemedMonths,
		&d.TransitionalMonths, &d.AvgIndex, &d.CalcBase, &d.Balance, &d.Basic, &d.Account, &d.Transitional, &d.Total,
		&d.ArrearsMonths, &d.Arrears, &d.Difference, &steps, &d.Status, &d.Reason, &d.ComputedBy, &d.ReviewedBy, &d.CheckedBy,
		&d.VerifyCode, &d.Enrolled, &decided, &d.CreatedAt, &d.BalanceSource)
	if err != nil {
		return nil, err
	}
	d.RetireMonth, _ = clock.ParseMonth(retire)
	d.FirstMonth, _ = clock.ParseMonth(first)
	_ = json.Unmarshal([]byte(steps), &d.Steps)
	if decided.Valid {
		t := decided.Time
		d.DecidedAt = &t
	}
	return &d, nil
}

func determinations(ctx context.Context, q db.Querier, where string, args ...any) ([]*Determination, error) {
	out, err := db.Collect(ctx, q, scanDetermination, `SELECT `+detColumns+` FROM pension_determinations WHERE `+where+` ORDER BY version DESC`, args...)
	return out, errs.Wrap(err, "determinations")
}

func latestDetermination(ctx context.Context, q db.Querier, caseNo string) (*Determination, error) {
	ds, err := determinations(ctx, q, "case_no = $1", caseNo)
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	return ds[0], nil
}

func decidedBefore(ctx context.Context, q db.Querier, caseNo string, version int64) (*Determination, error) {
	ds, err := determinations(ctx, q, "case_no = $1 AND version < $2 AND status IN ('decided', 'superseded')", caseNo, version)
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	return ds[0], nil
}

func insertDetermination(ctx context.Context, tx *sql.Tx, d *Determination, now time.Time) error {
	steps, _ := json.Marshal(d.Steps)
	d.CreatedAt = now
	err := tx.QueryRowContext(ctx, `INSERT INTO pension_determinations (case_no, person_id, qualification_id, version, retire_month,
		first_month, months, deemed_months, transitional_months, avg_index_ppm, calc_base_fen, balance_fen, basic_fen, account_fen,
		transitional_fen, total_fen, difference_fen, steps, status, reason, computed_by, created_at, balance_source)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23) RETURNING id`,
		d.CaseNo, d.PersonID, d.QualificationID, d.Version, d.RetireMonth.String(), d.FirstMonth.String(), d.Months, d.DeemedMonths,
		d.TransitionalMonths, d.AvgIndex, d.CalcBase, d.Balance, d.Basic, d.Account, d.Transitional, d.Total, d.Difference,
		string(steps), d.Status, d.Reason, d.ComputedBy, now, d.BalanceSource).Scan(&d.ID)
	if isUnique(err) {
		return errs.New(errs.Conflict, "determination_exists", "该人员的待遇核定已有同一版本，请刷新后再试")
	}
	return errs.Wrap(err, "insert determination")
}
