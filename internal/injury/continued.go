package injury

import (
	"context"
	"database/sql"
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
)

// Continued-treatment statuses.
const (
	ContinuedDeferred = "deferred" // 暂不审批
	ContinuedApproved = "approved"
	ContinuedRefused  = "refused"
)

var continuedNames = map[string]string{ContinuedDeferred: "暂不审批（待申报待遇时补办）", ContinuedApproved: "已补办审批",
	ContinuedRefused: "不予批准"}

// Continued is a 《工伤职工继续治疗申请表》 filed by a designated hospital.
type Continued struct {
	ID         int64     `json:"-"`
	FormNo     string    `json:"form_no"`
	Hospital   string    `json:"hospital"`
	Patient    string    `json:"patient_id_masked"`
	Name       string    `json:"patient_name_masked"`
	AdmittedOn string    `json:"admitted_on"`
	Diagnosis  string    `json:"diagnosis"`
	Reason     string    `json:"reason"`
	Status     string    `json:"status"`
	StatusText string    `json:"status_name"`
	ClaimID    int64     `json:"-"`
	Note       string    `json:"decision_note,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	personID   int64
}

// ContinuedInput is the form's facts.
type ContinuedInput struct {
	PatientIDNumber string `json:"patient_id_number"`
	AdmittedOn      string `json:"admitted_on"`
	Diagnosis       string `json:"diagnosis"`
	Reason          string `json:"reason"`
}

// FileContinued records a hospital's continued-treatment form: the worker
// is admitted at once and the approval is deferred (暂不审批) until the
// stay's benefits are claimed. Hospitals only. Errors: Forbidden, Invalid.
// The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) FileContinued(ctx context.Context, a *access.Actor, in ContinuedInput) (*Continued, error) {
	if a.Hospital() == 0 {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.New(errs.Forbidden, "hospital_only", "继续治疗申请表由定点医疗机构填报")
	}
	var f errs.Fields
	c := &Continued{Hospital: s.clientName(ctx, a), AdmittedOn: strings.TrimSpace(in.AdmittedOn), Diagnosis: strings.TrimSpace(in.Diagnosis),
		Reason: strings.TrimSpace(in.Reason), Status: ContinuedDeferred}
	checkDay(&f, "admitted_on", "入院日期", c.AdmittedOn, clock.Today(s.clock).Format("2006-01-02"), true)
	text(&f, "diagnosis", "诊断", c.Diagnosis, 500)
	text(&f, "reason", "继续治疗理由", c.Reason, 1000)
	var rec *RecognitionRecord
	if id, err := ident.ParseIDOn(strings.TrimSpace(in.PatientIDNumber), s.clock.Now()); err != nil {
		f.Add("patient_id_number", "患者身份证号码有误，请核对")
	} else if p, err := person.FindByIDNumber(ctx, s.db.Read(), id.Number); err != nil {
		f.Add("patient_id_number", "该患者未被认定为工伤，不能申请工伤继续治疗")
	} else {
		var recID int64
		err := s.db.Read().QueryRowContext(ctx, `SELECT id FROM injury_recognitions WHERE person_id = $1 AND result = 'recognised'
			ORDER BY decided_on DESC, id DESC LIMIT 1`, p.ID).Scan(&recID)
		if err != nil {
			f.Add("patient_id_number", "该患者未被认定为工伤，不能申请工伤继续治疗")
		} else if rec, err = loadRecognition(ctx, s.db.Read(), recID); err != nil {
			return nil, err
		}
	}
	if rec != nil && c.AdmittedOn != "" && c.AdmittedOn < rec.AccidentOn {
		f.Add("admitted_on", "入院日期不能早于事故发生日期 "+rec.AccidentOn)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	c.Patient, c.Name, c.personID, c.CreatedAt = rec.PersonIDMask, ident.MaskName(rec.PersonName), rec.PersonID, s.clock.Now().UTC()
	c.FormNo = "JZ" + strings.ToUpper(newSettlementNo()[2:])
	c.StatusText = continuedNames[c.Status]
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO injury_continued (form_no, hospital_id, hospital_name, recognition_id,
			person_id, admitted_on, diagnosis, reason, status, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'deferred',$9)
			RETURNING id`, c.FormNo, a.Hospital(), c.Hospital, rec.ID, rec.PersonID, c.AdmittedOn, c.Diagnosis, c.Reason,
			c.CreatedAt).Scan(&c.ID); err != nil {
			return errs.Wrap(err, "insert continued treatment")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.continued.file", Entity: "injury_continued",
			EntityID: c.FormNo, After: map[string]any{"patient": c.Patient, "admitted_on": c.AdmittedOn}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ContinuedForms lists continued-treatment forms: a hospital its own, the
// section all (status "" for every status), newest first.
func (s *Service) ContinuedForms(ctx context.Context, a *access.Actor, status string, page int) ([]Continued, error) {
	where, args := " WHERE 1 = 1", []any{}
	switch {
	case a.Hospital() != 0:
		where, args = " WHERE t.hospital_id = $1", []any{a.Hospital()}
	case a.In(access.Injury):
	default:
		return nil, errs.Forbid()
	}
	if _, ok := continuedNames[status]; ok {
		args = append(args, status)
		where += " AND t.status = " + placeholder(len(args))
	}
	page = max(page, 1)
	args = append(args, PageSize, (page-1)*PageSize)
	var out []Continued
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var c Continued
		var idNo, name string
		if err := r.Scan(&c.ID, &c.FormNo, &c.Hospital, &idNo, &name, &c.AdmittedOn, &c.Diagnosis, &c.Reason, &c.Status,
			&c.ClaimID, &c.Note, &c.CreatedAt, &c.personID); err != nil {
			return err
		}
		c.Patient, c.Name, c.StatusText = ident.MaskID(idNo), ident.MaskName(name), continuedNames[c.Status]
		out = append(out, c)
		return nil
	}, `SELECT t.id, t.form_no, t.hospital_name, p.id_number, p.name, t.admitted_on,
		t.diagnosis, t.reason, t.status, COALESCE(t.claim_id, 0), t.decision_note, t.created_at, t.person_id
		FROM injury_continued t JOIN persons p ON p.id = t.person_id`+where+` ORDER BY t.id DESC LIMIT `+
		placeholder(len(args)-1)+` OFFSET `+placeholder(len(args)), args...)
	return out, errs.Wrap(err, "continued forms")
}

// claimContinued links a claim to its continued-treatment form: one of
// the worker's, still deferred and not yet claimed.
func (s *Service) claimContinued(ctx context.Context, f *errs.Fields, c *Claim, formNo string) {
	formNo = strings.TrimSpace(formNo)
	if formNo == "" {
		f.Add("continued_form_no", "继续治疗的住院费用须附《工伤职工继续治疗申请表》：请填写医院填报的申请表编号，或请医院补填后再申报")
		return
	}
	var id, personID, claimID int64
	var status string
	err := s.db.Read().QueryRowContext(ctx, `SELECT id, person_id, status, COALESCE(claim_id, 0) FROM injury_continued
		WHERE form_no = $1`, formNo).Scan(&id, &personID, &status, &claimID)
	switch {
	case db.IsNoRows(err) || (err == nil && personID != c.PersonID):
		f.Add("continued_form_no", "未找到该职工的这份继续治疗申请表，请核对编号")
	case err != nil:
		f.Add("continued_form_no", "查询继续治疗申请表失败，请稍后重试")
	case status != ContinuedDeferred || claimID != 0:
		f.Add("continued_form_no", "该继续治疗申请表已随其他待遇申报办理")
	default:
		c.ContinuedID = id
	}
	if utf8.RuneCountInString(formNo) > 40 {
		f.Add("continued_form_no", "申请表编号有误")
	}
}
