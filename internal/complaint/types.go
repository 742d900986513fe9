package complaint

import (
	"time"

	"shebao/internal/access"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// Complaint is one complaint or report. The reporter fields are empty in
// every view but 审计科's (Redact).
type Complaint struct {
	ID               int64
	No               string
	Category         string
	Channel          string
	Status           string
	Subject          string
	Body             string
	ReporterKind     string
	ReporterUserID   int64
	ReporterName     string
	ReporterContact  string
	TargetName       string
	TargetEmployerID int64
	TargetPersonID   int64
	TargetEmployerNo string
	TargetIDNumber   string
	SourceRef        string
	Section          access.Section
	AcknowledgeDue   string
	AnswerDue        string
	DueBasis         string
	AcknowledgedAt   *time.Time
	DecisionReason   string
	TransferTo       string
	Answer           string
	AnsweredAt       *time.Time
	Feedback         string
	FeedbackText     string
	Escalations      int
	Outcome          string
	Recovery         money.Fen
	FiledBy          int64
	FiledAt          time.Time
	ClosedAt         *time.Time
	Version          int64

	// Overdue names the deadline passed, computed when read ("" when none).
	Overdue string
	// Redacted says the reporter was removed for this viewer.
	Redacted bool
}

// CategoryName is the Chinese category.
func (c *Complaint) CategoryName() string { return CategoryName(c.Category) }

// ChannelName is the Chinese channel.
func (c *Complaint) ChannelName() string { return ChannelName(c.Channel) }

// StatusName is the Chinese status.
func (c *Complaint) StatusName() string { return StatusName(c.Status) }

// OutcomeName is the Chinese outcome ("" while none).
func (c *Complaint) OutcomeName() string { return outcomeNames[c.Outcome] }

// FeedbackName is the reporter's feedback in Chinese.
func (c *Complaint) FeedbackName() string { return feedbackNames[c.Feedback] }

// ReporterKindName says who filed it, in Chinese.
func (c *Complaint) ReporterKindName() string { return reporterNames[c.ReporterKind] }

// SectionName is the Chinese name of the section handling it.
func (c *Complaint) SectionName() string { return c.Section.Name() }

// TargetIDMasked is the reported person's ID number, masked.
func (c *Complaint) TargetIDMasked() string { return ident.MaskID(c.TargetIDNumber) }

// ReporterContactMasked is the reporter's contact, masked for lists.
func (c *Complaint) ReporterContactMasked() string { return ident.MaskPhone(c.ReporterContact) }

// Open reports whether the complaint still needs work.
func (c *Complaint) Open() bool {
	return c.Status == Received || c.Status == Accepted || c.Status == Objected || c.Status == Answered
}

// Redact removes the reporter's identity (every viewer but 审计科).
func (c *Complaint) Redact() {
	c.ReporterName, c.ReporterContact, c.ReporterUserID, c.Redacted = "", "", 0, true
	if c.ReporterKind != "anonymous" && c.ReporterKind != "agency" {
		c.ReporterKind = "named"
	}
}

// Event is one line of a complaint's timeline.
type Event struct {
	ID           int64
	ComplaintID  int64
	At           time.Time
	ActorID      int64
	ActorName    string
	Kind         string
	Text         string
	DocumentID   int64
	DocumentName string
	Public       bool
}

// KindName is the Chinese kind of the entry.
func (e Event) KindName() string { return EventName(e.Kind) }

// Link is a case, a bill or a recovery item a report concerns or started.
type Link struct {
	Kind   string
	Ref    string
	Amount money.Fen
	Note   string
	Status string
}

// KindName is the Chinese kind of the link.
func (l Link) KindName() string { return linkNames[l.Kind] }

// StatusName is the Chinese status of the link.
func (l Link) StatusName() string {
	return map[string]string{"open": "办理中", "done": "已完成"}[l.Status]
}

// Mediation is the record of a dispute settled by mediation.
type Mediation struct {
	HeldOn     string
	Parties    string
	Agreement  string
	RecordedAt time.Time
}

// View is a complaint as one viewer may see it.
type View struct {
	Complaint *Complaint
	Events    []Event
	Links     []Link
	Mediation *Mediation
	// What the viewer may do.
	CanTriage bool // 审计科: accept, transfer, reject, assign, answer, confirm, mediate, close
	CanNote   bool // 审计科 and the assigned section
}

// AnsweredOn is when it was (last) answered; zero when not yet.
func (c *Complaint) AnsweredOn() time.Time {
	if c.AnsweredAt == nil {
		return time.Time{}
	}
	return *c.AnsweredAt
}
