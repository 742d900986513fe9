package injury

import (
	"context"
	"slices"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/errs"
)

// ClerkInput is an accident report a 工伤保险待遇科 clerk records from a
// phone call, letter, WeChat message or e-mail: the same facts as the
// employer's form, the employer the clerk found, and (for Record) the
// channel and when the report arrived.
type ClerkInput struct {
	ReportInput
	EmployerID int64
	Channel    string // phone, email, post, wechat, counter
	ReceivedAt string // when the call or message came, "2024-02-10 09:30" (Shanghai); empty: now
}

// ClerkChannels are the channels a clerk records a report from.
var ClerkChannels = []string{"phone", "email", "post", "wechat", "counter"}

// Record records an accident report received by phone, post, WeChat, at
// the counter or by an e-mail outside the mailbox: the 24 hours run from
// the accident, and the report is late when it arrived after them. Photos
// follow by upload (the case lists them as missing). 工伤保险待遇科 only.
// Errors: Unauthenticated, Forbidden, Invalid (fields).
func (s *Service) Record(ctx context.Context, a *access.Actor, in ClerkInput) (*casework.Case, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	var f errs.Fields
	if !slices.Contains(ClerkChannels, in.Channel) {
		f.Add("channel", "请选择来件渠道")
	}
	received := s.receivedAt(&f, in.ReceivedAt)
	rep, worker, err := s.validate(ctx, &f, in.EmployerID, in.ReportInput)
	if err != nil {
		return nil, err
	}
	if received.Before(rep.AccidentAt) {
		f.Add("received_at", "来电（来件）时间不能早于事故发生时间")
		return nil, f.Err()
	}
	s.setRecognitionDue(ctx, rep)
	return s.cases.Open(ctx, a, casework.OpenInput{
		Type: TypeCode, Channel: in.Channel, SubjectIDNumber: worker.IDNumber,
		Applicant: s.clerkApplicant(ctx, in.EmployerID, rep), Title: title(worker), Summary: rep.What, Data: rep,
		Start: rep.AccidentAt, Received: received, After: insertReport(in.EmployerID, worker.ID, rep),
	})
}

// ConfirmDraft files a mail draft of 工伤保险待遇科 as an accident report
// with the facts the clerk read from the mail: the 24 hours run from the
// accident and the mail's arrival is judged against them. Errors:
// Unauthenticated, Forbidden, NotFound, Conflict, Invalid (fields).
func (s *Service) ConfirmDraft(ctx context.Context, a *access.Actor, no string, version int64, in ClerkInput) (*casework.Case, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	var f errs.Fields
	rep, worker, err := s.validate(ctx, &f, in.EmployerID, in.ReportInput)
	if err != nil {
		return nil, err
	}
	s.setRecognitionDue(ctx, rep)
	return s.cases.ConfirmDraft(ctx, a, no, version, casework.ConfirmInput{
		Type: TypeCode, Applicant: s.clerkApplicant(ctx, in.EmployerID, rep), SubjectIDNumber: worker.IDNumber,
		Title: title(worker), Data: rep, Start: rep.AccidentAt, After: insertReport(in.EmployerID, worker.ID, rep),
	})
}

func (s *Service) clerkApplicant(ctx context.Context, employerID int64, rep *Report) casework.Applicant {
	return casework.Applicant{Kind: casework.ApplicantEmployer, EmployerID: employerID,
		Name: s.employerName(ctx, employerID), Phone: rep.ContactPhone}
}

// receivedAt reads when the report arrived: now when empty, never in the
// future.
func (s *Service) receivedAt(f *errs.Fields, v string) time.Time {
	now := s.clock.Now()
	if strings.TrimSpace(v) == "" {
		return now
	}
	t, err := parseWhen(v)
	switch {
	case err != nil:
		f.Add("received_at", "来电（来件）时间格式应为 2024-02-10 09:30，不填表示现在")
	case t.After(now):
		f.Add("received_at", "来电（来件）时间不能晚于现在")
	}
	return t
}
