// Package casework is the one mechanism every application shares: a case
// (件) of a registered type, sent by an applicant through a channel,
// handled by a section along the type's state machine, with deadlines from
// the dated rules, documents, owed originals (容缺受理), commitments (告知承诺),
// comments, a complete history and section work queues.
//
// Case types are Go values registered with the Service (Register); later
// business lines add types, not machinery.
package casework

import (
	"slices"

	"shebao/internal/access"
)

// State is where a case stands in its type's state machine.
type State string

// The states every machine draws from.
const (
	Draft       State = "draft"       // 草稿（邮件来件待确认）
	Submitted   State = "submitted"   // 已提交
	Accepted    State = "accepted"    // 已受理
	InReview    State = "in_review"   // 审核中
	Returned    State = "returned"    // 退回补正
	Resubmitted State = "resubmitted" // 补正后重新提交
	Decided     State = "decided"     // 已办结（已作出决定）
	Closed      State = "closed"      // 已归档
	Withdrawn   State = "withdrawn"   // 已撤回
)

var stateNames = map[State]string{
	Draft: "待确认", Submitted: "已提交", Accepted: "已受理", InReview: "审核中", Returned: "退回补正",
	Resubmitted: "已补正", Decided: "已办结", Closed: "已归档", Withdrawn: "已撤回",
}

// Name is the Chinese label of the state.
func (s State) Name() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return string(s)
}

// Final reports whether no more work happens on a case in this state.
func (s State) Final() bool { return s == Closed || s == Withdrawn }

// States lists the states in display order (filters).
var States = []State{Draft, Submitted, Resubmitted, Accepted, InReview, Returned, Decided, Closed, Withdrawn}

// Party is who may take a transition.
type Party string

// Parties.
const (
	ByApplicant Party = "applicant" // the employer or person whose case it is
	ByStaff     Party = "staff"     // staff of the type's section
)

// Transition is one allowed move of a state machine.
type Transition struct {
	From  []State
	To    State
	By    Party
	Label string // button text, e.g. "受理"
}

// ChecklistItem is one document a case type asks for.
type ChecklistItem struct {
	Key      string // stored with the document link, e.g. "住院照片"
	Name     string
	Required bool
}

// Type is a registered case type.
type Type struct {
	Code        string         // e.g. "injury_report"
	Name        string         // e.g. "工伤事故报告"
	Section     access.Section // the responsible section
	Prefix      string         // case number prefix, e.g. "GS"
	Transitions []Transition
	Checklist   []ChecklistItem
	Deadline    DeadlineRule
	// AcceptLate: a submission after its deadline is accepted and flagged
	// late (迟报) instead of refused.
	AcceptLate bool
	// RemindDeadline: the reminder job warns the section before and after
	// the deadline. Off for deadlines the applicant had to meet by
	// submitting (the accident report's 24 hours).
	RemindDeadline bool
	// OwnForm: the type's package opens its cases with the type's facts
	// (Data, the start of the deadline); the generic forms and API, which
	// have neither, refuse it (the accident report).
	OwnForm bool
}

// Allowed returns the transitions out of from that party may take.
func (t *Type) Allowed(from State, by Party) []Transition {
	var out []Transition
	for _, tr := range t.Transitions {
		if tr.By == by && slices.Contains(tr.From, from) {
			out = append(out, tr)
		}
	}
	return out
}

// find returns the transition from → to for party, if the machine has one.
func (t *Type) find(from, to State, by Party) (Transition, bool) {
	for _, tr := range t.Allowed(from, by) {
		if tr.To == to {
			return tr, true
		}
	}
	return Transition{}, false
}

// Item returns the checklist item with key k.
func (t *Type) Item(k string) (ChecklistItem, bool) {
	for _, it := range t.Checklist {
		if it.Key == k {
			return it, true
		}
	}
	return ChecklistItem{}, false
}

// StandardTransitions is the common machine: submitted → accepted →
// in_review → decided → closed, returned (补正) ↔ resubmitted, and
// withdrawal by the applicant before acceptance.
func StandardTransitions() []Transition {
	pending := []State{Submitted, Resubmitted}
	return []Transition{
		{From: pending, To: Accepted, By: ByStaff, Label: "受理"},
		{From: append(slices.Clone(pending), Accepted, InReview), To: Returned, By: ByStaff, Label: "退回补正"},
		{From: []State{Accepted}, To: InReview, By: ByStaff, Label: "开始审核"},
		{From: []State{InReview}, To: Decided, By: ByStaff, Label: "办结"},
		{From: []State{Decided}, To: Closed, By: ByStaff, Label: "归档"},
		{From: []State{Returned}, To: Resubmitted, By: ByApplicant, Label: "补正后重新提交"},
		{From: append(slices.Clone(pending), Returned), To: Withdrawn, By: ByApplicant, Label: "撤回"},
	}
}

// MailType is the generic type of a case created from a received e-mail
// (邮件来件): a draft a clerk confirms as a concrete type, or closes.
const MailType = "mail"

func mailType(s access.Section) *Type {
	return &Type{Code: MailType, Name: "邮件来件", Section: s, Prefix: "YJ",
		Transitions: []Transition{{From: []State{Draft}, To: Closed, By: ByStaff, Label: "作废（垃圾或重复邮件）"}}}
}
