package complaint

import (
	"context"
	"database/sql"
	"net/mail"
	"strings"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/notify"
	"shebao/internal/pdfdoc"
)

// Notifier queues a message inside the caller's transaction (notify.Service).
type Notifier interface {
	NotifyTx(ctx context.Context, q db.Querier, to notify.Recipient, m notify.Message) error
}

// Agency is the issuer printed on written answers.
const Agency = "区社会保险事业管理中心"

// tellReporter queues, in the step's transaction, a message to the
// reporter: a signed-in filer in the portal inbox and the channels he
// chose; a reporter recorded by a clerk with an e-mail address or a mobile
// number by that channel. An anonymous reporter has no address: he reads
// the answer with his tracking code. Returns whether a message was queued.
func (s *Service) tellReporter(ctx context.Context, tx *sql.Tx, c *Complaint, subject, body string) (bool, error) {
	if s.notifier == nil {
		return false, nil
	}
	to := notify.Recipient{UserID: c.ReporterUserID}
	if to.UserID == 0 {
		contact := strings.TrimSpace(c.ReporterContact)
		if a, err := mail.ParseAddress(contact); err == nil && strings.Contains(a.Address, "@") {
			to.Email = a.Address
		} else if p, err := ident.ParsePhone(contact); err == nil && len(p) == 11 && strings.HasPrefix(p, "1") {
			to.Phone = p
		}
	}
	if to == (notify.Recipient{}) {
		return false, nil
	}
	err := s.notifier.NotifyTx(ctx, tx, to, notify.Message{Kind: "complaint.answer", Subject: subject, Body: body})
	return err == nil, err
}

// stepNotice is what the reporter is told after a step ("" when nothing).
func stepNotice(c *Complaint, kind, text, to string) (subject, body string) {
	ref := "您提交的投诉举报 " + c.No + "（" + c.Subject + "）"
	switch kind {
	case "answer":
		return "投诉举报已答复：" + c.No, ref + "已书面答复。请登录“我的投诉”或凭查询码查看答复全文、下载书面答复，并反馈是否满意。"
	case "transfer":
		return "投诉举报已转办：" + c.No, ref + "已转 " + strings.TrimSpace(to) + " 办理。理由：" + strings.TrimSpace(text)
	case "reject":
		return "投诉举报不予受理：" + c.No, ref + "不予受理。理由：" + strings.TrimSpace(text)
	}
	return "", ""
}

// AnswerPDF is the written answer as a PDF, for its reporter (signed in,
// or holding the tracking code, counted like a lookup). Errors:
// Unauthenticated, NotFound, Invalid, TooMany, Conflict (not answered),
// and pdfdoc.ErrNoFont when the font is missing.
func (s *Service) AnswerPDF(ctx context.Context, r Reporter) ([]byte, *Complaint, error) {
	c, err := s.reporterComplaint(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	return s.answerPDF(c)
}

// StaffAnswerPDF is the written answer as a PDF for staff who may open the
// complaint. Errors: as Detail, Conflict (not answered).
func (s *Service) StaffAnswerPDF(ctx context.Context, a *access.Actor, id int64) ([]byte, *Complaint, error) {
	c, err := s.get(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	return s.answerPDF(c)
}

func (s *Service) answerPDF(c *Complaint) ([]byte, *Complaint, error) {
	if c.Answer == "" {
		return nil, nil, errs.New(errs.Conflict, "not_answered", "该投诉举报尚未书面答复")
	}
	d, err := pdfdoc.New()
	if err != nil {
		return nil, nil, err
	}
	on := c.AnsweredOn()
	d.SetDate(on)
	d.Title("投诉举报书面答复")
	d.KeyValues([]pdfdoc.KV{{Key: "编号", Value: c.No}, {Key: "类别", Value: c.CategoryName()}, {Key: "事项", Value: c.Subject},
		{Key: "提交时间", Value: c.FiledAt.In(clock.Shanghai).Format("2006-01-02")},
		{Key: "答复时间", Value: on.In(clock.Shanghai).Format("2006-01-02")}})
	d.Heading("答复意见")
	for _, p := range strings.Split(c.Answer, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			d.Text(p)
		}
	}
	d.Heading("如对答复有异议")
	d.Text("请在收到本答复后登录“我的投诉”或凭查询码在“投诉举报查询”页面提出异议，我们将另行复查。")
	d.Text(Agency + "　" + on.In(clock.Shanghai).Format("2006年1月2日"))
	b, err := d.Bytes()
	if err != nil {
		return nil, nil, err
	}
	return b, c, nil
}
