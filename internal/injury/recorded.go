package injury

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/person"
	"shebao/internal/policy"
)

// Recognition categories (docs/rules.md "Work-injury benefit line").
const (
	CategoryOrdinary = "ordinary"      // 一般工伤
	CategoryCOVID    = "covid_medical" // 医护及相关工作人员因履职感染新冠肺炎（人社部函〔2020〕11号）
)

// Recognition results and who applied.
const (
	ResultRecognised    = "recognised"
	ResultNotRecognised = "not_recognised"
	ApplicantEmployer   = "employer" // 用人单位：30 日
	ApplicantWorker     = "worker"   // 职工或其近亲属、工会组织：1 年
)

var categoryNames = map[string]string{CategoryOrdinary: "一般工伤", CategoryCOVID: "医护及相关工作人员感染新冠肺炎"}
var resultNames = map[string]string{ResultRecognised: "认定为工伤", ResultNotRecognised: "不予认定"}
var applicantNames = map[string]string{ApplicantEmployer: "用人单位", ApplicantWorker: "职工、近亲属或工会组织"}

// CategoryName, ResultName and ApplicantName are the Chinese labels.
func CategoryName(c string) string  { return categoryNames[c] }
func ResultName(r string) string    { return resultNames[r] }
func ApplicantName(a string) string { return applicantNames[a] }

// RecognitionRecord is the HR bureau's recognition decision as recorded by
// the agency, with the own wage once worked out.
type RecognitionRecord struct {
	ID            int64
	DecisionNo    string
	DecidedOn     string
	PersonID      int64
	PersonName    string
	PersonIDMask  string
	EmployerID    int64
	EmployerName  string
	ReportCaseID  int64
	AccidentOn    string
	AppliedOn     string
	Applicant     string
	Result        string
	Category      string
	Insured       bool
	Late          bool
	LateNote      string
	Source        string // clerk, bureau
	DocumentID    int64
	OwnWage       int64
	OwnWageSource string
	OwnWageSteps  string
	CreatedAt     time.Time
	Version       int64
}

// CategoryName and ResultName of the record.
func (r *RecognitionRecord) CategoryName() string { return CategoryName(r.Category) }
func (r *RecognitionRecord) ResultName() string   { return ResultName(r.Result) }

// ApplicantName is who applied, in Chinese.
func (r *RecognitionRecord) ApplicantName() string { return ApplicantName(r.Applicant) }

// SourceName says how the record came.
func (r *RecognitionRecord) SourceName() string {
	if r.Source == "bureau" {
		return "区人社局接口推送"
	}
	return "经办人员据决定书登记"
}

// RecognitionRecordInput is the decision letter's facts. Clerks name the
// employer by its id (picked) or number; the bureau by its employer number
// (单位社保编号) or unified social credit code.
type RecognitionRecordInput struct {
	DecisionNo     string `json:"decision_no"`
	DecidedOn      string `json:"decided_on"`
	WorkerIDNumber string `json:"worker_id_number"`
	EmployerID     int64  `json:"-"`
	EmployerNo     string `json:"employer_no"`
	ReportCaseNo   string `json:"report_case_no"`
	AccidentOn     string `json:"accident_on"`
	AppliedOn      string `json:"applied_on"`
	Applicant      string `json:"applicant"`
	Result         string `json:"result"`
	Category       string `json:"category"`
	DocumentID     int64  `json:"-"`
}

// RecordDecision records a recognition decision of the HR bureau: entered
// by a 工伤保险待遇科 clerk from the letter (scan: DocumentID), or pushed by
// the bureau's API client. The application is late when filed after the
// deadline counted from the accident (employer: the dated rule
// injury_recognition_days; worker, relatives or union: one year); the late
// note says which costs fall on the employer. Errors: Forbidden, Invalid
// (fields), Conflict (decision number already recorded).
// The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) RecordDecision(ctx context.Context, a *access.Actor, in RecognitionRecordInput) (*RecognitionRecord, error) {
	source := "clerk"
	switch {
	case a == nil:
		return nil, errs.LoginRequired()
	case a.Role == access.RoleAPI && a.ClientKind == "bureau":
		source = "bureau"
	default:
		if err := a.RequireSection(access.Injury); err != nil {
			return nil, err
		}
	}
	rec, err := s.validDecision(ctx, in, source)
	if err != nil {
		return nil, err
	}
	rec.RecordedBy = a.UserID
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := insertRecognition(ctx, tx, &rec.RecognitionRecord, rec.RecordedBy, s.clock.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.recognition.record", Entity: "injury_recognition",
			EntityID: strconv.FormatInt(rec.ID, 10), After: map[string]any{"decision_no": rec.DecisionNo,
				"worker": rec.PersonIDMask, "result": rec.Result, "category": rec.Category, "late": rec.Late, "source": source}})
	})
	if err != nil {
		return nil, err
	}
	return &rec.RecognitionRecord, nil
}

type decisionRow struct {
	RecognitionRecord
	RecordedBy int64
}

func (s *Service) validDecision(ctx context.Context, in RecognitionRecordInput, source string) (*decisionRow, error) {
	var f errs.Fields
	today := clock.Today(s.clock).Format("2006-01-02")
	r := &decisionRow{RecognitionRecord: RecognitionRecord{DecisionNo: strings.TrimSpace(in.DecisionNo),
		DecidedOn: strings.TrimSpace(in.DecidedOn), AccidentOn: strings.TrimSpace(in.AccidentOn),
		AppliedOn: strings.TrimSpace(in.AppliedOn), Applicant: in.Applicant, Result: in.Result, Category: in.Category,
		Source: source, DocumentID: in.DocumentID}}
	if r.DecisionNo == "" || utf8.RuneCountInString(r.DecisionNo) > 60 {
		f.Add("decision_no", "请填写工伤认定决定书编号（60 字以内）")
	}
	checkDay(&f, "accident_on", "事故发生日期", r.AccidentOn, today, true)
	checkDay(&f, "applied_on", "认定申请日期", r.AppliedOn, today, true)
	checkDay(&f, "decided_on", "认定决定日期", r.DecidedOn, today, true)
	if r.AppliedOn != "" && r.AccidentOn != "" && r.AppliedOn < r.AccidentOn {
		f.Add("applied_on", "认定申请日期不能早于事故发生日期")
	}
	if r.DecidedOn != "" && r.AppliedOn != "" && r.DecidedOn < r.AppliedOn {
		f.Add("decided_on", "认定决定日期不能早于认定申请日期")
	}
	if _, ok := applicantNames[r.Applicant]; !ok {
		f.Add("applicant", "请选择认定申请人：用人单位，或职工、近亲属、工会组织")
	}
	if _, ok := resultNames[r.Result]; !ok {
		f.Add("result", "请选择认定结论：认定为工伤或不予认定")
	}
	if _, ok := categoryNames[r.Category]; !ok {
		f.Add("category", "请选择工伤类别：一般工伤或医护及相关工作人员感染新冠肺炎")
	}
	if source == "clerk" && in.DocumentID == 0 {
		f.Add("scan", "请上传工伤认定决定书扫描件（PDF 或图片）")
	}
	s.decisionParties(ctx, &f, r, in)
	if err := f.Err(); err != nil {
		return nil, err
	}
	s.decisionLateness(ctx, r)
	return r, nil
}

// decisionParties finds the worker, the employer and the accident report.
func (s *Service) decisionParties(ctx context.Context, f *errs.Fields, r *decisionRow, in RecognitionRecordInput) {
	q := s.db.Read()
	if id, err := ident.ParseIDOn(strings.TrimSpace(in.WorkerIDNumber), s.clock.Now()); err != nil {
		f.Add("worker_id_number", "职工身份证号码有误，请核对")
	} else if p, err := person.FindByIDNumber(ctx, q, id.Number); err != nil {
		f.Add("worker_id_number", "未找到该身份证号码的参保人员，请核对")
	} else {
		r.PersonID, r.PersonName, r.PersonIDMask = p.ID, p.Name, ident.MaskID(p.IDNumber)
	}
	r.EmployerID = in.EmployerID
	if r.EmployerID == 0 {
		no := strings.TrimSpace(in.EmployerNo)
		err := q.QueryRowContext(ctx, `SELECT id FROM employers WHERE employer_no = $1 OR uscc = $1`, no).Scan(&r.EmployerID)
		if no == "" || err != nil {
			f.Add("employer_no", "未找到该参保单位，请填写单位社保编号或统一社会信用代码")
		}
	}
	if r.EmployerID != 0 {
		if err := q.QueryRowContext(ctx, `SELECT name FROM employers WHERE id = $1`, r.EmployerID).Scan(&r.EmployerName); err != nil {
			f.Add("employer_no", "未找到该参保单位")
		}
	}
	if no := strings.TrimSpace(in.ReportCaseNo); no != "" {
		var caseID, pid, eid int64
		err := q.QueryRowContext(ctx, `SELECT r.case_id, r.person_id, r.employer_id FROM injury_reports r
			JOIN cases c ON c.id = r.case_id WHERE c.case_no = $1`, no).Scan(&caseID, &pid, &eid)
		switch {
		case err != nil:
			f.Add("report_case_no", "未找到该工伤事故报告，请核对受理编号")
		case pid != r.PersonID || eid != r.EmployerID:
			f.Add("report_case_no", "该事故报告的职工或单位与认定决定书不一致")
		default:
			r.ReportCaseID = caseID
		}
	}
	if r.PersonID != 0 && r.EmployerID != 0 && r.AccidentOn != "" {
		r.Insured = s.insuredIn(ctx, r.PersonID, r.EmployerID, r.AccidentOn[:7])
	}
}

// insuredIn reports whether the person was insured with the employer in the month.
func (s *Service) insuredIn(ctx context.Context, personID, employerID int64, month string) bool {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM employments WHERE person_id = $1 AND employer_id = $2
		AND start_month <= $3 AND (end_month IS NULL OR end_month >= $3)`, personID, employerID, month).Scan(&n)
	return err == nil && n > 0
}

// decisionLateness flags an application filed after its deadline and says
// what follows. The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) decisionLateness(ctx context.Context, r *decisionRow) {
	acc, err := clock.ParseDate(r.AccidentOn)
	if err != nil {
		return
	}
	var due time.Time
	if r.Applicant == ApplicantEmployer {
		days := int64(30)
		if n, _, err := s.policy.Int(ctx, policy.KeyInjuryRecognitionDays, "", acc); err == nil {
			days = n
		}
		due = acc.AddDate(0, 0, int(days))
	} else {
		due = acc.AddDate(1, 0, 0)
	}
	if r.AppliedOn <= due.Format("2006-01-02") {
		return
	}
	r.Late = true
	if r.Applicant == ApplicantEmployer {
		r.LateNote = "用人单位逾期申请工伤认定（应于 " + due.Format("2006-01-02") + " 前申请）：事故发生之日至 " + r.AppliedOn +
			" 期间发生的工伤待遇等有关费用由用人单位负担（工伤保险条例第十七条）"
	} else {
		r.LateNote = "超过事故发生之日起一年的申请时限（" + due.Format("2006-01-02") + "），请核对认定决定书"
	}
}

const recognitionCols = `r.id, r.decision_no, r.decided_on, r.person_id, p.name, p.id_number, r.employer_id, e.name,
	COALESCE(r.report_case_id, 0), r.accident_on, r.applied_on, r.applicant, r.result, r.category, r.insured, r.late,
	r.late_note, r.source, COALESCE(r.document_id, 0), r.own_wage_fen, r.own_wage_source, r.own_wage_steps, r.created_at, r.version`

const recognitionFrom = ` FROM injury_recognitions r JOIN persons p ON p.id = r.person_id JOIN employers e ON e.id = r.employer_id`

func scanRecognition(sc interface{ Scan(...any) error }) (*RecognitionRecord, error) {
	var r RecognitionRecord
	var idNo string
	err := sc.Scan(&r.ID, &r.DecisionNo, &r.DecidedOn, &r.PersonID, &r.PersonName, &idNo, &r.EmployerID, &r.EmployerName,
		&r.ReportCaseID, &r.AccidentOn, &r.AppliedOn, &r.Applicant, &r.Result, &r.Category, &r.Insured, &r.Late,
		&r.LateNote, &r.Source, &r.DocumentID, &r.OwnWage, &r.OwnWageSource, &r.OwnWageSteps, &r.CreatedAt, &r.Version)
	r.PersonIDMask = ident.MaskID(idNo)
	return &r, err
}

func insertRecognition(ctx context.Context, tx *sql.Tx, r *RecognitionRecord, by int64, now time.Time) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO injury_recognitions (decision_no, decided_on, person_id, employer_id,
		report_case_id, accident_on, applied_on, applicant, result, category, insured, late, late_note, source, document_id,
		recorded_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17) RETURNING id`,
		r.DecisionNo, r.DecidedOn, r.PersonID, r.EmployerID, nullID(r.ReportCaseID), r.AccidentOn, r.AppliedOn, r.Applicant,
		r.Result, r.Category, r.Insured, r.Late, r.LateNote, r.Source, nullID(r.DocumentID), by, now).Scan(&r.ID)
	if db.IsUniqueViolation(err) {
		var f errs.Fields
		f.Add("decision_no", "该认定决定书编号已登记")
		return f.Err()
	}
	r.CreatedAt, r.Version = now, 1
	return errs.Wrap(err, "insert recognition")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func loadRecognition(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) (*RecognitionRecord, error) {
	r, err := scanRecognition(q.QueryRowContext(ctx, `SELECT `+recognitionCols+recognitionFrom+` WHERE r.id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, errs.NotFoundf("没有该工伤认定记录")
	}
	return r, errs.Wrap(err, "load recognition")
}

// Recognition returns one recorded decision. 工伤保险待遇科 only.
func (s *Service) RecognitionRecord(ctx context.Context, a *access.Actor, id int64) (*RecognitionRecord, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	return loadRecognition(ctx, s.db.Read(), id)
}

// RecognitionPage is one page of recorded decisions.
type RecognitionPage struct {
	Items []*RecognitionRecord
	Page  int
	More  bool
	Query string
}

// PageSize is the length of the section's lists.
const PageSize = 50

// Recognitions lists recorded decisions, newest first, searched by
// decision number, worker name or ID number, or employer name.
// 工伤保险待遇科 only.
func (s *Service) Recognitions(ctx context.Context, a *access.Actor, query string, page int) (*RecognitionPage, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	page = max(page, 1)
	query = strings.TrimSpace(query)
	where, args := "", []any{}
	if query != "" {
		like := "%" + likeEscape(query) + "%"
		where = ` WHERE r.decision_no = $1 OR p.id_number = $1 OR p.name LIKE $2 ESCAPE '\' OR e.name LIKE $2 ESCAPE '\'`
		args = append(args, query, like)
	}
	args = append(args, PageSize+1, (page-1)*PageSize)
	n := len(args)
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+recognitionCols+recognitionFrom+where+
		` ORDER BY r.id DESC LIMIT $`+strconv.Itoa(n-1)+` OFFSET $`+strconv.Itoa(n), args...)
	if err != nil {
		return nil, errs.Wrap(err, "list recognitions")
	}
	defer rows.Close()
	out := &RecognitionPage{Page: page, Query: query}
	for rows.Next() {
		r, err := scanRecognition(rows)
		if err != nil {
			return nil, errs.Wrap(err, "scan recognition")
		}
		out.Items = append(out.Items, r)
	}
	if len(out.Items) > PageSize {
		out.Items, out.More = out.Items[:PageSize], true
	}
	return out, errs.Wrap(rows.Err(), "list recognitions")
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
