package web

import (
	"net/http"
	"strconv"

	"shebao/internal/errs"
	"shebao/internal/mailintake"
	"shebao/internal/notify"
)

// channelRoutes: the portal inbox of every user, the notification outbox
// of 办公室, and the mail intake quarantine.
func (s *Server) channelRoutes() []route {
	return []route{
		{"GET /messages", s.inbox},
		{"POST /messages/read", s.inboxRead},
		{"GET /account/notices", s.noticePrefsForm},
		{"POST /account/notices", s.noticePrefsSubmit},
		{"GET /staff/outbox", s.outboxList},
		{"POST /staff/outbox/{id}/retry", s.outboxRetry},
		{"GET /staff/mail/quarantine", s.quarantineList},
		{"GET /staff/mail/quarantine/{id}", s.quarantineItem},
		{"POST /staff/mail/quarantine/{id}/release", s.quarantineRelease},
		{"POST /staff/mail/quarantine/{id}/delete", s.quarantineDelete},
	}
}

// channelID reads the {id} path value; a bad one is a NotFound.
func channelID(r *http.Request, what string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || n < 1 {
		return 0, errs.NotFoundf("没有这条%s", what)
	}
	return n, nil
}

type inboxView struct {
	Messages []notify.InboxMessage
	Unread   int
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	msgs, unread, err := s.Notify.Inbox(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "outbox_messages", &Page{Title: "我的消息", Data: inboxView{Messages: msgs, Unread: unread}}, err)
}

func (s *Server) inboxRead(w http.ResponseWriter, r *http.Request) {
	if err := s.Notify.MarkAllRead(r.Context(), actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/messages", "已全部标为已读")
}

type outboxView struct {
	Items    []notify.Item
	Total    int
	Pager    pager
	Statuses []notify.Status
	Channels []notify.Channel
}

const outboxPageSize = 50

func (s *Server) outboxList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := pageParam(q)
	f := notify.Filter{Status: notify.Status(q.Get("status")), Channel: notify.Channel(q.Get("channel")),
		Limit: outboxPageSize, Offset: (page - 1) * outboxPageSize}
	items, total, err := s.Notify.List(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "outbox_list", &Page{Title: "消息发件箱", Form: q, Data: outboxView{
		Items: items, Total: total, Pager: newPager("/staff/outbox", q, page, outboxPageSize, total),
		Statuses: []notify.Status{notify.Pending, notify.Sent, notify.Failed}, Channels: notify.Channels,
	}})
}

func (s *Server) outboxRetry(w http.ResponseWriter, r *http.Request) {
	id, err := channelID(r, "待发消息")
	if err == nil {
		err = s.Notify.Retry(r.Context(), actorFrom(r.Context()), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/outbox", "已重新排队发送（第 "+strconv.FormatInt(id, 10)+" 条）")
}

type quarantineListView struct {
	Items  []mailintake.Quarantined
	Status string
	Domain string
}

func (s *Server) quarantineList(w http.ResponseWriter, r *http.Request) {
	st := r.URL.Query().Get("status")
	items, err := s.Mail.ListQuarantine(r.Context(), actorFrom(r.Context()), st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if st != mailintake.Released && st != mailintake.Deleted {
		st = mailintake.Held
	}
	s.render(w, r, "mail_quarantine", &Page{Title: "邮件隔离区", Form: r.URL.Query(),
		Data: quarantineListView{Items: items, Status: st, Domain: s.Mail.Domain()}})
}

type quarantineItemView struct {
	Item    *mailintake.Quarantined
	Preview string
}

func (s *Server) quarantineItem(w http.ResponseWriter, r *http.Request) {
	s.showQuarantined(w, r, nil)
}

// showQuarantined renders one message with its release and delete forms;
// err (a missing confirmation, a conflict) is shown above them.
func (s *Server) showQuarantined(w http.ResponseWriter, r *http.Request, err error) {
	id, e := channelID(r, "隔离邮件")
	if e != nil {
		s.fail(w, r, e)
		return
	}
	item, preview, e := s.Mail.GetQuarantine(r.Context(), actorFrom(r.Context()), id)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	p := &Page{Title: "隔离邮件：" + quarantineSubject(item.Subject), Data: quarantineItemView{Item: item, Preview: preview}}
	s.renderOrForm(w, r, "mail_quarantine_item", p, err)
}

// confirmed checks the confirmation box of a release or delete form.
func confirmed(r *http.Request) error {
	if r.PostFormValue("confirm") != "yes" {
		var f errs.Fields
		f.Add("confirm", "请勾选确认后再提交")
		return f.Err()
	}
	return nil
}

func (s *Server) quarantineRelease(w http.ResponseWriter, r *http.Request) {
	if err := confirmed(r); err != nil {
		s.showQuarantined(w, r, err)
		return
	}
	id, err := channelID(r, "隔离邮件")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Mail.Release(r.Context(), actorFrom(r.Context()), id)
	if errs.KindOf(err) == errs.Conflict {
		s.showQuarantined(w, r, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/mail/quarantine", "已放行，生成待确认业务 "+res.CaseNo+"（"+res.Section.Name()+"）")
}

func (s *Server) quarantineDelete(w http.ResponseWriter, r *http.Request) {
	if err := confirmed(r); err != nil {
		s.showQuarantined(w, r, err)
		return
	}
	id, err := channelID(r, "隔离邮件")
	if err == nil {
		err = s.Mail.Delete(r.Context(), actorFrom(r.Context()), id)
	}
	if errs.KindOf(err) == errs.Conflict {
		s.showQuarantined(w, r, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/mail/quarantine", "已删除隔离邮件 #"+strconv.FormatInt(id, 10))
}

type noticePrefsView struct {
	Channels []notify.Channel
	Prefs    notify.Prefs
}

// noticePrefsForm shows the channels a person or employer account wants
// notices on and its addresses.
func (s *Server) noticePrefsForm(w http.ResponseWriter, r *http.Request) {
	p, err := s.Notify.MyPrefs(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "account_notices", &Page{Title: "通知方式", Data: noticePrefsView{Channels: notify.Channels, Prefs: p}}, err)
}

func (s *Server) noticePrefsSubmit(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	p := notify.Prefs{Email: r.PostFormValue("email"), Phone: r.PostFormValue("phone"), WeChatOpenID: r.PostFormValue("wechat_openid")}
	for _, c := range r.PostForm["channel"] {
		p.Channels = append(p.Channels, notify.Channel(c))
	}
	if err := s.Notify.SetMyPrefs(r.Context(), a, p); err != nil {
		s.renderForm(w, r, "account_notices", &Page{Title: "通知方式", Data: noticePrefsView{Channels: notify.Channels, Prefs: p}}, err)
		return
	}
	redirect(w, r, "/account/notices", "通知方式已保存")
}

// quarantineSubject names a quarantined message in a page title.
func quarantineSubject(subject string) string {
	if subject == "" {
		return "（无主题）"
	}
	return subject
}
