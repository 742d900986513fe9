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
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// ReappraisalDays is how long after a conclusion a re-appraisal may be asked.
const ReappraisalDays = 15

// Appraisal is a labour capacity appraisal conclusion (劳动能力鉴定结论).
type Appraisal struct {
	ID               int64
	RecognitionID    int64
	ConclusionNo     string
	AppraisedOn      string
	Grade            int // 0: no grade reached (未达级)
	Nursing          string
	ReappraisalDue   string
	ReappraisalAsked string
	Superseded       bool
	CreatedAt        time.Time
}

// GradeName is the grade in Chinese.
func (a Appraisal) GradeName() string {
	if a.Grade == 0 {
		return "未达伤残等级"
	}
	return fmt.Sprintf("%d 级伤残", a.Grade)
}

// NursingName is the nursing level in Chinese.
func (a Appraisal) NursingName() string { return Nursing(a.Nursing).Label() }

// AppraisalInput is a conclusion's facts.
type AppraisalInput struct {
	ConclusionNo string `json:"conclusion_no"`
	AppraisedOn  string `json:"appraised_on"`
	Grade        string `json:"grade"`
	Nursing      string `json:"nursing"`
}

// RecordAppraisal records an appraisal conclusion; a new conclusion after
// a re-appraisal request supersedes the earlier one. 工伤保险待遇科 only.
// Errors: Forbidden, NotFound, Invalid, Conflict (number already recorded).
// The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) RecordAppraisal(ctx context.Context, a *access.Actor, recID int64, in AppraisalInput) (*Appraisal, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	rec, err := loadRecognition(ctx, s.db.Read(), recID)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	ap := Appraisal{RecognitionID: recID, ConclusionNo: strings.TrimSpace(in.ConclusionNo),
		AppraisedOn: strings.TrimSpace(in.AppraisedOn), Nursing: in.Nursing}
	if ap.ConclusionNo == "" || utf8.RuneCountInString(ap.ConclusionNo) > 60 {
		f.Add("conclusion_no", "请填写鉴定结论书编号（60 字以内）")
	}
	checkDay(&f, "appraised_on", "鉴定结论日期", ap.AppraisedOn, clock.Today(s.clock).Format("2006-01-02"), true)
	if ap.AppraisedOn != "" && ap.AppraisedOn < rec.DecidedOn {
		f.Add("appraised_on", "鉴定结论日期不能早于工伤认定决定日期")
	}
	g, err := strconv.Atoi(strings.TrimSpace(in.Grade))
	if err != nil || g < 0 || g > 10 {
		f.Add("grade", "请选择伤残等级：1 至 10 级，或未达级")
	}
	ap.Grade = g
	if _, ok := ParseNursing(ap.Nursing); !ok {
		f.Add("nursing", "请选择生活护理等级")
	}
	if rec.Result != ResultRecognised {
		f.Add("conclusion_no", "该职工未被认定为工伤，无需登记鉴定结论")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	d, _ := clock.ParseDate(ap.AppraisedOn)
	ap.ReappraisalDue = d.AddDate(0, 0, ReappraisalDays).Format("2006-01-02")
	ap.CreatedAt = s.clock.Now().UTC()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE injury_appraisals SET superseded = TRUE
			WHERE recognition_id = $1 AND superseded = FALSE`, recID); err != nil {
			return errs.Wrap(err, "supersede appraisal")
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO injury_appraisals (recognition_id, conclusion_no, appraised_on, grade,
			nursing, reappraisal_due, recorded_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`, recID,
			ap.ConclusionNo, ap.AppraisedOn, ap.Grade, ap.Nursing, ap.ReappraisalDue, a.UserID, ap.CreatedAt).Scan(&ap.ID)
		if db.IsUniqueViolation(err) {
			f.Add("conclusion_no", "该鉴定结论书编号已登记")
			return f.Err()
		}
		if err != nil {
			return errs.Wrap(err, "insert appraisal")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.appraisal.record", Entity: "injury_recognition",
			EntityID: strconv.FormatInt(recID, 10), After: map[string]any{"conclusion_no": ap.ConclusionNo, "grade": ap.Grade,
				"nursing": ap.Nursing}})
	})
	if err != nil {
		return nil, err
	}
	return &ap, nil
}

// RequestReappraisal records that the worker or employer asked for a
// re-appraisal on the given day, which must be within 15 days of the
// conclusion. Errors: Forbidden, NotFound, Invalid.
func (s *Service) RequestReappraisal(ctx context.Context, a *access.Actor, appraisalID int64, askedOn string) error {
	if err := a.RequireSection(access.Injury); err != nil {
		return err
	}
	var ap Appraisal
	err := s.db.Read().QueryRowContext(ctx, `SELECT recognition_id, appraised_on, reappraisal_due, superseded
		FROM injury_appraisals WHERE id = $1`, appraisalID).Scan(&ap.RecognitionID, &ap.AppraisedOn, &ap.ReappraisalDue, &ap.Superseded)
	if db.IsNoRows(err) {
		return errs.NotFoundf("没有该鉴定结论")
	}
	if err != nil {
		return errs.Wrap(err, "load appraisal")
	}
	var f errs.Fields
	askedOn = strings.TrimSpace(askedOn)
	checkDay(&f, "asked_on", "再次鉴定申请日期", askedOn, clock.Today(s.clock).Format("2006-01-02"), true)
	switch {
	case askedOn != "" && askedOn < ap.AppraisedOn:
		f.Add("asked_on", "再次鉴定申请日期不能早于鉴定结论日期")
	case askedOn > ap.ReappraisalDue:
		f.Add("asked_on", "已超过收到鉴定结论之日起 15 日的再次鉴定申请期限（"+ap.ReappraisalDue+"）")
	}
	if ap.Superseded {
		f.Add("asked_on", "该鉴定结论已被新的结论取代")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE injury_appraisals SET reappraisal_asked = $2 WHERE id = $1`, appraisalID, askedOn); err != nil {
			return errs.Wrap(err, "reappraisal")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.appraisal.reappraisal", Entity: "injury_recognition",
			EntityID: strconv.FormatInt(ap.RecognitionID, 10), After: map[string]any{"appraisal": appraisalID, "asked_on": askedOn}})
	})
}

func appraisalsOf(ctx context.Context, q db.Querier, recID int64) ([]Appraisal, error) {
	var out []Appraisal
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var ap Appraisal
		if err := r.Scan(&ap.ID, &ap.RecognitionID, &ap.ConclusionNo, &ap.AppraisedOn, &ap.Grade, &ap.Nursing,
			&ap.ReappraisalDue, &ap.ReappraisalAsked, &ap.Superseded, &ap.CreatedAt); err != nil {
			return err
		}
		out = append(out, ap)
		return nil
	}, `SELECT id, recognition_id, conclusion_no, appraised_on, grade, nursing, reappraisal_due,
		reappraisal_asked, superseded, created_at FROM injury_appraisals WHERE recognition_id = $1 ORDER BY id`, recID)
	return out, errs.Wrap(err, "appraisals")
}

// Appraisals lists a recognition's conclusions, oldest first.
func (s *Service) Appraisals(ctx context.Context, a *access.Actor, recID int64) ([]Appraisal, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	return appraisalsOf(ctx, s.db.Read(), recID)
}

// OwnWageInput sets the own wage: from the contribution records (Wages
// empty), or from wages entered with evidence (a document id).
type OwnWageInput struct {
	Wages      []money.Fen
	EvidenceID int64
}

// SetOwnWage works out the worker's own wage (本人工资): the average of the
// 12 months' contribution wages before the accident month, from the
// contribution records, or from wages the clerk entered with evidence;
// clamped to 60–300% of the area's average wage by the formula, and the
// steps kept. Errors: Forbidden, NotFound, Invalid.
// The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) SetOwnWage(ctx context.Context, a *access.Actor, recID int64, in OwnWageInput) (*OwnWage, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	rec, err := loadRecognition(ctx, s.db.Read(), recID)
	if err != nil {
		return nil, err
	}
	acc, _ := clock.ParseDate(rec.AccidentOn)
	wages, source := in.Wages, "entered"
	var months []contribution.WageMonth
	if len(wages) == 0 {
		source = "records"
		m := clock.MonthOf(acc)
		months, err = contribution.WageMonths(ctx, s.db.Read(), rec.PersonID, m.Add(-12).String(), m.Add(-1).String())
		if err != nil {
			return nil, err
		}
		for _, w := range months {
			wages = append(wages, w.Base)
		}
		if len(wages) == 0 {
			var f errs.Fields
			f.Add("wages", "未找到该职工事故前 12 个月的缴费记录，请录入各月工资并上传工资证明")
			return nil, f.Err()
		}
	} else if in.EvidenceID == 0 {
		var f errs.Fields
		f.Add("evidence", "录入工资时请上传工资发放记录等证明材料")
		return nil, f.Err()
	}
	avg, _, err := s.policy.Amount(ctx, policy.KeyAvgWage, "", acc)
	if err != nil {
		return nil, err
	}
	o, err := OwnWageOf(wages, avg)
	if err != nil {
		return nil, err
	}
	steps := joinSteps(o.Explain())
	if source == "records" {
		steps = fmt.Sprintf("取自缴费记录：%s 至 %s 共 %d 个月\n", months[0].Month, months[len(months)-1].Month, len(months)) + steps
	} else {
		steps = fmt.Sprintf("经办人员据工资证明录入 %d 个月工资\n", len(wages)) + steps
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE injury_recognitions SET own_wage_fen = $2, own_wage_source = $3,
			own_wage_steps = $4, own_wage_doc_id = $5, version = version + 1 WHERE id = $1`, recID, int64(o.Own), source, steps,
			nullID(in.EvidenceID))
		if err != nil {
			return errs.Wrap(err, "own wage")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.StaleVersion()
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.own_wage.set", Entity: "injury_recognition",
			EntityID: strconv.FormatInt(recID, 10), Before: map[string]any{"own_wage_fen": rec.OwnWage},
			After: map[string]any{"own_wage_fen": o.Own, "source": source, "months": len(wages)}})
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}
