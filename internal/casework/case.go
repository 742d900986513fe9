package casework

import (
	"encoding/json"
	"time"

	"shebao/internal/access"
)

// Applicant kinds.
const (
	ApplicantEmployer  = "employer"
	ApplicantPerson    = "person"
	ApplicantHospital  = "hospital"
	ApplicantAnonymous = "anonymous"
)

// Channels a case can come by.
var Channels = []string{"web", "email", "phone", "post", "counter", "wechat"}

var channelNames = map[string]string{"web": "网上", "email": "邮件", "phone": "电话", "post": "邮寄",
	"counter": "窗口", "wechat": "微信"}

// ChannelName is the Chinese label of a channel.
func ChannelName(c string) string {
	if n, ok := channelNames[c]; ok {
		return n
	}
	return c
}

// Applicant is who a case is for.
type Applicant struct {
	Kind       string `json:"kind"` // employer | person | hospital | anonymous
	EmployerID int64  `json:"employer_id,omitempty"`
	PersonID   int64  `json:"person_id,omitempty"`
	Name       string `json:"name"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// Case is one stored case.
type Case struct {
	ID           int64           `json:"id"`
	No           string          `json:"case_no"`
	Type         string          `json:"type"`
	TypeName     string          `json:"type_name"`
	Section      access.Section  `json:"section"`
	State        State           `json:"state"`
	Applicant    Applicant       `json:"applicant"`
	Channel      string          `json:"channel"`
	RecordedBy   int64           `json:"recorded_by,omitempty"`
	RecordedName string          `json:"recorded_name,omitempty"`
	AssigneeID   int64           `json:"assignee_id,omitempty"`
	AssigneeName string          `json:"assignee_name,omitempty"`
	Title        string          `json:"title"`
	Summary      string          `json:"summary"`
	Data         json.RawMessage `json:"data"`
	DeadlineAt   *time.Time      `json:"deadline_at,omitempty"`
	DeadlineRule string          `json:"deadline_rule,omitempty"`
	deadline     Deadline        // as computed when opened (emergency link)
	Late         bool            `json:"late"`
	LateBy       string          `json:"late_by,omitempty"`
	Deferred     bool            `json:"deferred"`
	Owing        int64           `json:"owing"`
	SubmittedAt  time.Time       `json:"submitted_at"`
	DecidedAt    *time.Time      `json:"decided_at,omitempty"`
	ClosedAt     *time.Time      `json:"closed_at,omitempty"`
	UpdatedAt    time.Time       `json:"updated_at"`
	Version      int64           `json:"version"`
	// Overdue is computed against the clock when the case is read: open,
	// not waiting for the applicant, and past its deadline.
	Overdue bool `json:"overdue"`
	// Reopened: back in review after a decision (ReopenTx), for a new
	// determination after the person's records were corrected.
	Reopened bool `json:"reopened"`
}

// StateName is the Chinese label of the state (templates).
func (c *Case) StateName() string { return c.State.Name() }

// ChannelName is the Chinese label of the channel (templates).
func (c *Case) ChannelName() string { return ChannelName(c.Channel) }

// Event is one line of a case's history.
type Event struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorName string    `json:"actor"`
	ActorRole string    `json:"actor_role"`
	Kind      string    `json:"kind"` // opened, transition, claim, release, comment, document, owed, original, commitment, commitment_false, reminder, data
	From      State     `json:"from,omitempty"`
	To        State     `json:"to,omitempty"`
	Public    bool      `json:"public"`
	Body      string    `json:"body"`
}

var eventNames = map[string]string{"opened": "提交", "transition": "状态变更", "claim": "领取", "release": "退回队列",
	"comment": "留言", "document": "添加材料", "owed": "容缺受理", "original": "收到原件", "commitment": "告知承诺",
	"commitment_false": "承诺不实", "reminder": "提醒", "data": "更新信息", "notify": "通知", "confirm": "确认来件"}

// KindName is the Chinese label of the event kind.
func (e Event) KindName() string {
	if n, ok := eventNames[e.Kind]; ok {
		return n
	}
	return e.Kind
}

// DocumentLink is a document attached to a case.
type DocumentLink struct {
	DocumentID int64     `json:"document_id"`
	Item       string    `json:"item"`
	Name       string    `json:"name,omitempty"` // the file's name as uploaded (read with the case)
	AddedAt    time.Time `json:"added_at"`
}

// Owed is an original document still to be handed in (or received).
type Owed struct {
	ID         int64      `json:"id"`
	CaseID     int64      `json:"case_id"`
	CaseNo     string     `json:"case_no,omitempty"`
	Section    string     `json:"section,omitempty"`
	Applicant  string     `json:"applicant,omitempty"`
	Item       string     `json:"item"`
	DueOn      string     `json:"due_on,omitempty"` // YYYY-MM-DD; "" while the emergency is open
	DueRule    string     `json:"due_rule"`
	ReceivedAt *time.Time `json:"received_at,omitempty"`
	ReceivedBy string     `json:"received_by,omitempty"`
	Via        string     `json:"via,omitempty"`
	Overdue    bool       `json:"overdue"`
}

// Due is the due date or the rule text while there is no date yet.
func (o Owed) Due() string {
	if o.DueOn != "" {
		return o.DueOn
	}
	return o.DueRule
}

// Commitment is a recorded 告知承诺.
type Commitment struct {
	ID           int64      `json:"id"`
	CaseID       int64      `json:"case_id"`
	CaseNo       string     `json:"case_no,omitempty"`
	Item         string     `json:"item"`
	Text         string     `json:"text"`
	AcceptedName string     `json:"accepted_by"`
	AcceptedAt   time.Time  `json:"accepted_at"`
	FoundFalse   bool       `json:"found_false"`
	FollowUp     string     `json:"follow_up,omitempty"`
	FlaggedBy    string     `json:"flagged_by,omitempty"`
	FlaggedAt    *time.Time `json:"flagged_at,omitempty"`
}

// View is a case as one actor may see it, with what that actor may do.
type View struct {
	Case        *Case           `json:"case"`
	Type        *Type           `json:"-"`
	Events      []Event         `json:"events"`
	Documents   []DocumentLink  `json:"documents"`
	Owed        []Owed          `json:"owed"`
	Commitments []Commitment    `json:"commitments"`
	Actions     []Transition    `json:"-"`
	ActionsTo   []State         `json:"actions"`
	IsStaff     bool            `json:"-"`
	CanClaim    bool            `json:"-"`
	CanRelease  bool            `json:"-"`
	Missing     []ChecklistItem `json:"-"` // checklist items with no document yet
}
