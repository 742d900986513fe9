package injury

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/errs"
)

// ReportOf decodes the accident report data of case c.
func ReportOf(c *casework.Case) (*Report, error) {
	if c.Type != TypeCode {
		return nil, errs.New(errs.Invalid, "not_injury_report", "该业务不是工伤事故报告")
	}
	var r Report
	if err := json.Unmarshal(c.Data, &r); err != nil {
		return nil, errs.Wrap(err, "injury report data")
	}
	return &r, nil
}

// RecognitionReminder is the text shown on an accepted report until the
// employer records its recognition application ("" otherwise).
func RecognitionReminder(c *casework.Case, r *Report) string {
	if c.State != casework.Accepted && c.State != casework.Closed {
		return ""
	}
	if r.Recognition != nil && r.Recognition.Reference != "" {
		return ""
	}
	due := r.RecognitionDue
	if due == "" {
		due = "事故发生之日起 30 日内"
	} else {
		due += " 前（事故发生之日起 30 日内）"
	}
	return "请用人单位于 " + due + "向区人社局工伤科提出工伤认定申请（《工伤保险条例》第十七条），并在此登记受理编号。" +
		"逾期申请的，在此期间发生的工伤待遇等费用由用人单位负担。"
}

// RecognitionInput is what the employer records about its application.
type RecognitionInput struct {
	Reference  string `json:"reference"`
	AppliedOn  string `json:"applied_on"`
	Outcome    string `json:"outcome"`
	DecisionNo string `json:"decision_no"`
	DecidedOn  string `json:"decided_on"`
}

func (in RecognitionInput) validate(today string) (*Recognition, error) {
	var f errs.Fields
	r := &Recognition{Reference: strings.TrimSpace(in.Reference), AppliedOn: strings.TrimSpace(in.AppliedOn),
		Outcome: in.Outcome, DecisionNo: strings.TrimSpace(in.DecisionNo), DecidedOn: strings.TrimSpace(in.DecidedOn)}
	if r.Outcome == "" {
		r.Outcome = OutcomePending
	}
	if r.Reference == "" || utf8.RuneCountInString(r.Reference) > 100 {
		f.Add("reference", "请填写区人社局出具的工伤认定申请受理编号")
	}
	checkDay(&f, "applied_on", "申请日期", r.AppliedOn, today, true)
	if _, ok := outcomeNames[r.Outcome]; !ok {
		f.Add("outcome", "请选择认定结果")
	}
	if r.Outcome != OutcomePending {
		if r.DecisionNo == "" || utf8.RuneCountInString(r.DecisionNo) > 100 {
			f.Add("decision_no", "请填写认定决定书编号")
		}
		checkDay(&f, "decided_on", "决定日期", r.DecidedOn, today, true)
	}
	return r, f.Err()
}

func checkDay(f *errs.Fields, field, label, v, today string, required bool) {
	if v == "" {
		if required {
			f.Add(field, "请填写"+label+"，如 2024-02-20")
		}
		return
	}
	if _, err := clock.ParseDate(v); err != nil {
		f.Add(field, label+"格式应为 2024-02-20")
	} else if v > today {
		f.Add(field, label+"不能晚于今天")
	}
}

// RecordRecognition records (or updates) the employer's recognition
// application reference and, later, the outcome, once the report is
// accepted. Only the reporting employer may. Errors: NotFound, Forbidden,
// Invalid, Conflict (not yet accepted, stale version).
func (s *Service) RecordRecognition(ctx context.Context, a *access.Actor, no string, version int64, in RecognitionInput) (*casework.Case, error) {
	if a == nil || a.Role != access.RoleEmployer {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.New(errs.Forbidden, "employer_only", "工伤认定申请情况由用人单位登记")
	}
	rec, err := in.validate(clock.Today(s.clock).Format("2006-01-02"))
	if err != nil {
		return nil, err
	}
	return s.cases.UpdateData(ctx, a, no, version, "injury.recognition", func(c *casework.Case) (casework.Update, error) {
		if c.State != casework.Accepted && c.State != casework.Closed {
			return casework.Update{}, errs.New(errs.Conflict, "not_accepted", "事故报告受理后方可登记工伤认定申请")
		}
		r, err := ReportOf(c)
		if err != nil {
			return casework.Update{}, err
		}
		before := r.Recognition
		r.Recognition = rec
		b, err := json.Marshal(r)
		line := "登记工伤认定申请：受理编号 " + rec.Reference + "，" + outcomeNames[rec.Outcome]
		if rec.DecisionNo != "" {
			line += "，决定书 " + rec.DecisionNo
		}
		return casework.Update{Data: b, Line: line, Before: before, After: rec}, errs.Wrap(err, "injury report data")
	})
}
