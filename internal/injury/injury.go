// Package injury is the work accident report (工伤事故报告表, seed 二.1):
// an employer reports an accident online within 24 hours of it (a late
// report is accepted and flagged), 工伤保险待遇科 reviews it, asks for more
// and accepts it, and the case then reminds the employer to apply for
// work-injury recognition at the district HR bureau and records that
// application's reference and outcome.
package injury

import (
	"time"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/policy"
)

// TypeCode is the case type of the accident report.
const TypeCode = "injury_report"

// PhotoItem is the checklist item of the photos of the hospitalised worker.
const PhotoItem = "住院照片"

// FormItem is the checklist item of the signed report form (scan).
const FormItem = "工伤事故报告表"

// CaseType returns the accident report's case type: 24 hours (the dated
// rule accident_report_hours) from the accident, late reports accepted and
// flagged; submitted → accepted → closed with returned ↔ resubmitted.
// The rule: docs/rules.md §8.3.
func CaseType() *casework.Type {
	pending := []casework.State{casework.Submitted, casework.Resubmitted}
	return &casework.Type{
		Code: TypeCode, Name: "工伤事故报告", Section: access.Injury, Prefix: "GS",
		Transitions: []casework.Transition{
			{From: pending, To: casework.Accepted, By: casework.ByStaff, Label: "受理"},
			{From: pending, To: casework.Returned, By: casework.ByStaff, Label: "退回补正"},
			{From: []casework.State{casework.Accepted}, To: casework.Closed, By: casework.ByStaff, Label: "归档"},
			{From: []casework.State{casework.Returned}, To: casework.Resubmitted, By: casework.ByApplicant, Label: "补正后重新提交"},
			{From: append(pending, casework.Returned), To: casework.Withdrawn, By: casework.ByApplicant, Label: "撤回"},
		},
		Checklist: []casework.ChecklistItem{
			{Key: PhotoItem, Name: "职工住院照片", Required: true},
			{Key: FormItem, Name: "工伤事故报告表（盖章扫描件，可后补）"},
		},
		Deadline: casework.DeadlineRule{Kind: casework.Hours, Key: policy.KeyAccidentReportHours, Default: 24,
			From: "事故发生时间"},
		AcceptLate: true,
		OwnForm:    true,
	}
}

// Recognition outcomes.
const (
	OutcomePending       = "pending"        // 认定中
	OutcomeRecognised    = "recognised"     // 认定为工伤
	OutcomeNotRecognised = "not_recognised" // 不予认定
)

var outcomeNames = map[string]string{OutcomePending: "认定中", OutcomeRecognised: "认定为工伤",
	OutcomeNotRecognised: "不予认定"}

// Report is the accident report's data (the case's data column). The
// worker's ID number is kept masked; the case stores its search hash.
type Report struct {
	WorkerPersonID int64        `json:"worker_person_id"`
	WorkerID       string       `json:"worker_id_masked"`
	WorkerName     string       `json:"worker_name"`
	AccidentAt     time.Time    `json:"accident_at"`
	Place          string       `json:"place"`
	What           string       `json:"what"`
	Injury         string       `json:"injury"`
	Hospital       string       `json:"hospital"`
	ContactName    string       `json:"contact_name"`
	ContactPhone   string       `json:"contact_phone"`
	RecognitionDue string       `json:"recognition_due"` // YYYY-MM-DD: accident day + injury_recognition_days
	Recognition    *Recognition `json:"recognition,omitempty"`
}

// Recognition is the employer's application for work-injury recognition
// at the district HR bureau (区人社局工伤科) and its outcome.
type Recognition struct {
	Reference  string `json:"reference"`  // the bureau's acceptance number
	AppliedOn  string `json:"applied_on"` // YYYY-MM-DD
	Outcome    string `json:"outcome"`
	DecisionNo string `json:"decision_no,omitempty"`
	DecidedOn  string `json:"decided_on,omitempty"`
}

// OutcomeName is the Chinese label of the outcome.
func (r *Recognition) OutcomeName() string { return outcomeNames[r.Outcome] }
