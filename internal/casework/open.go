package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/ident"
)

// OpenInput is a new case. Applicants (employers, persons) are taken from
// the actor; staff registering a case on someone's behalf fill Applicant
// and say the Channel it came by.
type OpenInput struct {
	Type            string
	Channel         string // web, email, phone, post, counter, wechat
	Applicant       Applicant
	SubjectIDNumber string // the person the case is about, for search by ID number (stored hashed)
	Title           string
	Summary         string
	Data            any       // type-specific fields, stored as JSON
	Start           time.Time // what the deadline runs from (e.g. the accident); zero means the arrival
	// Received is when the case reached the agency (a phone call a clerk
	// records afterwards); zero means now. Lateness is judged at it.
	Received  time.Time
	Documents []DocumentLink
	// After runs in the opening transaction, e.g. to store the type's own row.
	After func(ctx context.Context, tx *sql.Tx, c *Case) error
}

// Open records a new case in state submitted, computes its deadline (a
// late submission is accepted and flagged when the type allows it) and
// notifies the section. Errors: Unauthenticated, Forbidden, Invalid
// (fields; a late submission the type refuses), NotFound (a missing rule).
func (s *Service) Open(ctx context.Context, a *access.Actor, in OpenInput) (*Case, error) {
	var c *Case
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = s.OpenTx(ctx, tx, a, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.notifySection(ctx, c, "新业务："+c.TypeName+" "+c.No, openedNotice(c))
	return c, nil
}

// OpenTx is Open inside the caller's transaction, for a service whose own
// change opens the case (a confirmed qualification pushed to the section);
// the section is not notified (the caller tells whom it must).
func (s *Service) OpenTx(ctx context.Context, tx *sql.Tx, a *access.Actor, in OpenInput) (*Case, error) {
	if err := mayOpenAny(a); err != nil {
		return nil, err
	}
	t, err := s.openable(in.Type, in.Data)
	if err != nil {
		return nil, err
	}
	app, err := applicantFor(a, t, in)
	if err := mergeInvalid(err, validateOpen(in)); err != nil {
		return nil, err
	}
	now := s.now()
	received := in.Received.UTC().Truncate(time.Second)
	if in.Received.IsZero() || received.After(now) {
		received = now
	}
	start := in.Start
	if start.IsZero() {
		start = received
	}
	dl, err := s.ComputeDeadline(ctx, t.Deadline, start)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(in.Data)
	if err != nil || in.Data == nil {
		data = []byte("{}")
	}
	c := &Case{Type: t.Code, TypeName: t.Name, Section: t.Section, State: Submitted, Applicant: app,
		Channel: in.Channel, Title: strings.TrimSpace(in.Title), Summary: strings.TrimSpace(in.Summary), Data: data,
		DeadlineAt: dl.At, DeadlineRule: dl.Rule, deadline: dl, SubmittedAt: received, Version: 1}
	if a.IsStaff() {
		c.RecordedBy, c.RecordedName = a.UserID, a.Name()
	}
	if c.Late, c.LateBy, err = lateness(t, dl, received); err != nil {
		return nil, err
	}
	if c.No, err = nextNo(ctx, tx, t.Prefix, now.In(clock.Shanghai).Format("20060102")); err != nil {
		return nil, err
	}
	if err := insertCase(ctx, tx, c, IDHash(in.SubjectIDNumber), now); err != nil {
		return nil, err
	}
	if err := s.opened(ctx, tx, a, c, t, in); err != nil {
		return nil, err
	}
	s.derive(c)
	return c, nil
}

// openable returns the registered type code, refusing a type with its own
// form when the caller brings none of its facts (data).
func (s *Service) openable(code string, data any) (*Type, error) {
	t := s.Type(code)
	if t == nil {
		return nil, errs.New(errs.Invalid, "bad_case_type", "请选择业务类型")
	}
	if t.OwnForm && data == nil {
		return nil, errs.New(errs.Invalid, "own_form", "“"+t.Name+"”须使用专门的登记表填写（如事故时间、地点、经过），请从该业务的登记页办理")
	}
	return t, nil
}

// lateness says whether a case that arrived at received is late against
// deadline dl, refusing it when the type does not accept late cases.
func lateness(t *Type, dl Deadline, received time.Time) (bool, string, error) {
	if dl.At == nil || !received.After(*dl.At) {
		return false, "", nil
	}
	if !t.AcceptLate {
		return false, "", errs.New(errs.Invalid, "too_late", "已超过办理时限（"+dl.Rule+"），本业务不接受逾期申请")
	}
	return true, LateBy(*dl.At, received), nil
}

// opened writes the history, documents and audit entry of a new case.
func (s *Service) opened(ctx context.Context, tx *sql.Tx, a *access.Actor, c *Case, t *Type, in OpenInput) error {
	body := fmt.Sprintf("通过%s提交", ChannelName(c.Channel))
	if c.RecordedBy != 0 {
		body = fmt.Sprintf("经办人员代为登记（%s）", ChannelName(c.Channel))
	}
	if c.Late {
		body += "；" + c.LateBy + "，已受理并标识"
	}
	if err := s.event(ctx, tx, a, c.ID, Event{Kind: "opened", To: c.State, Public: true, Body: body}); err != nil {
		return err
	}
	for _, d := range in.Documents {
		if _, ok := t.Item(d.Item); !ok && d.Item != "" {
			return errs.New(errs.Invalid, "bad_item", "材料清单中没有“"+d.Item+"”")
		}
		if err := linkDocument(ctx, tx, c.ID, d.DocumentID, d.Item, actorID(a), c.SubmittedAt); err != nil {
			return err
		}
	}
	if in.After != nil {
		if err := in.After(ctx, tx, c); err != nil {
			return err
		}
	}
	if err := s.event(ctx, tx, a, c.ID, Event{Kind: "notify", Body: "已通知" + c.Section.Name()}); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "case.open", Entity: "case", EntityID: c.No,
		After: map[string]any{"type": c.Type, "channel": c.Channel, "state": c.State, "late": c.Late,
			"late_by": c.LateBy, "deadline": c.DeadlineAt, "documents": len(in.Documents)}})
}

func openedNotice(c *Case) string {
	s := fmt.Sprintf("%s（%s）于 %s 提交。", c.Title, c.No, c.SubmittedAt.In(clock.Shanghai).Format("2006-01-02 15:04"))
	if c.Late {
		s += c.LateBy + "。"
	}
	return s
}

// applicantFor decides who the case is for: the actor itself, or for
// staff of the type's section, the applicant they name.
// mayOpenAny refuses, before the input is read, an actor who can open no
// case of any type: only employers, insured persons, API clients and staff
// open cases (a hospital's web user files its forms on its own pages).
func mayOpenAny(a *access.Actor) error {
	switch {
	case a == nil:
		return errs.LoginRequired()
	case a.IsStaff(), a.Role == access.RoleEmployer, a.Role == access.RolePerson, a.Role == access.RoleAPI:
		return nil
	}
	return errs.Forbid()
}

func applicantFor(a *access.Actor, t *Type, in OpenInput) (Applicant, error) {
	if a == nil {
		return Applicant{}, errs.LoginRequired()
	}
	app := in.Applicant
	switch {
	case a.Role == access.RoleEmployer:
		if in.Channel != "web" {
			return app, errs.New(errs.Invalid, "bad_channel", "网上提交的渠道应为 web")
		}
		return Applicant{Kind: ApplicantEmployer, EmployerID: a.EmployerID, Name: app.Name, Email: app.Email, Phone: app.Phone}, nil
	case a.Role == access.RolePerson:
		return Applicant{Kind: ApplicantPerson, PersonID: a.PersonID, Name: app.Name, Email: app.Email, Phone: app.Phone}, nil
	case a.Role == access.RoleAPI && a.ClientKind == "hospital":
		return Applicant{Kind: ApplicantHospital, Name: a.Name()}, nil
	case a.In(t.Section):
		var f errs.Fields
		if !slices.Contains([]string{ApplicantEmployer, ApplicantPerson, ApplicantHospital, ApplicantAnonymous}, app.Kind) {
			f.Add("applicant_kind", "请选择申请人类型")
		}
		if app.Kind == ApplicantEmployer && app.EmployerID == 0 {
			f.Add("employer_id", "请查找并选择参保单位（按单位名称、单位社保编号或统一社会信用代码）")
		}
		if app.Kind == ApplicantPerson && app.PersonID == 0 {
			f.Add("person_id", "请查找并选择参保人员（按姓名或公民身份号码）")
		}
		if strings.TrimSpace(app.Name) == "" {
			f.Add("applicant_name", "请填写申请人名称或姓名")
		}
		return app, f.Err()
	}
	return app, errs.Forbid()
}

func validateOpen(in OpenInput) error {
	var f errs.Fields
	if !slices.Contains(Channels, in.Channel) {
		f.Add("channel", "请选择来件渠道")
	}
	if t := strings.TrimSpace(in.Title); t == "" || utf8.RuneCountInString(t) > 200 {
		f.Add("title", "请填写标题（200 字以内）")
	}
	if utf8.RuneCountInString(in.Summary) > 5000 {
		f.Add("summary", "说明不能超过 5000 字")
	}
	if in.SubjectIDNumber != "" && IDHash(in.SubjectIDNumber) == "" {
		f.Add("subject_id_number", "身份证号码有误")
	}
	if in.Applicant.Email != "" && !strings.Contains(in.Applicant.Email, "@") {
		f.Add("applicant_email", "电子邮箱格式有误")
	}
	if in.Applicant.Phone != "" && !ident.ValidPhone(in.Applicant.Phone) {
		f.Add("applicant_phone", "电话号码有误")
	}
	return f.Err()
}

// mergeInvalid joins the field errors of two validations so a form shows
// every problem at once; any other error wins as it is.
func mergeInvalid(a, b error) error {
	ea, eb := errs.As(a), errs.As(b)
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case ea == nil || ea.Kind != errs.Invalid || len(ea.Fields) == 0:
		return a
	case eb == nil || eb.Kind != errs.Invalid || len(eb.Fields) == 0:
		return b
	}
	f := append(errs.Fields(nil), ea.Fields...)
	return append(f, eb.Fields...).Err()
}
