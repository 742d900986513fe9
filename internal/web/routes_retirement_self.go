package web

import (
	"mime"
	"net/http"
	"net/url"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/demo"
	"shebao/internal/errs"
	"shebao/internal/mailintake"
	"shebao/internal/retirement"
)

// selfView is 个体参保科's form of a self-employed application, from a
// mail draft (its attachments to choose from) or a call.
type selfView struct {
	Draft    *casework.View
	Docs     []selfDoc
	Phones   []string
	Channels []codeName
}

// draftScans loads the mail draft no (none when no is "") with its
// attachments, for a clerk to choose the scan from.
func (s *Server) draftScans(r *http.Request, a *access.Actor, no string) (*casework.View, []selfDoc, error) {
	if no == "" {
		return nil, nil, nil
	}
	d, err := s.Cases.Detail(r.Context(), a, no)
	if err != nil {
		return nil, nil, err
	}
	var docs []selfDoc
	for _, l := range d.Documents {
		name := "附件"
		if doc, err := s.Documents.Get(r.Context(), l.DocumentID); err == nil {
			name = doc.Name
		}
		docs = append(docs, selfDoc{ID: l.DocumentID, Name: name})
	}
	return d, docs, nil
}

// caseChannels are the channels' codes with their Chinese names.
func caseChannels(codes []string) []codeName {
	out := make([]codeName, 0, len(codes))
	for _, c := range codes {
		out = append(out, codeName{c, casework.ChannelName(c)})
	}
	return out
}

type selfDoc struct {
	ID   int64
	Name string
}

func (s *Server) selfPage(r *http.Request, form url.Values) (*Page, error) {
	a := actorFrom(r.Context())
	if err := a.RequireSection(access.SelfEmployed); err != nil {
		return nil, err
	}
	v := selfView{Channels: caseChannels(retirement.SelfEmployedChannels)}
	var err error
	if v.Draft, v.Docs, err = s.draftScans(r, a, form.Get("draft")); err != nil {
		return nil, err
	}
	if v.Draft != nil {
		v.Phones = retirement.MobilesIn(v.Draft.Case.Summary)
	}
	return &Page{Title: "登记个体退休申报", Data: v, Form: form}, nil
}

func (s *Server) selfForm(w http.ResponseWriter, r *http.Request) {
	p, err := s.selfPage(r, r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v := p.Data.(selfView); len(v.Phones) > 0 && p.Form.Get("phone1") == "" {
		p.Form.Set("phone1", v.Phones[0])
		if len(v.Phones) > 1 {
			p.Form.Set("phone2", v.Phones[1])
		}
	}
	s.render(w, r, "retire_self", p)
}

func (s *Server) selfSubmit(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	in := retirement.SelfInput{IDNumber: f.Get("id_number"), Phone1: f.Get("phone1"), Phone2: f.Get("phone2"),
		Channel: f.Get("channel"), DraftNo: f.Get("draft"), ReplyEmail: f.Get("reply_email")}
	fin := formInput(r)
	in.IDFront = fin.OptionalInt64("id_front", "身份证人像面")
	in.IDBack = fin.OptionalInt64("id_back", "身份证国徽面")
	in.Letter = fin.OptionalInt64("letter", "退休申请书")
	in.DraftVer = fin.OptionalInt64("version", "版本号")
	err := fin.Err()
	var q *retirement.Qualification
	if err == nil {
		q, err = s.Retirement.SubmitSelfEmployed(r.Context(), actorFrom(r.Context()), in)
	}
	if err == nil {
		redirect(w, r, "/staff/retirement/qualifications/"+url.PathEscape(q.No), "已登记个体退休申报 "+q.No+"，待审批")
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	p, perr := s.selfPage(r, f)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	if errs.KindOf(err) == errs.Invalid {
		p.Flash = "材料不全或有误：已按所留手机号码（及邮箱）通知申请人补充"
	}
	s.renderForm(w, r, "retire_self", p, err)
}

// selfApplyFiles are the scans of an online self-employed application:
// form field, and the Chinese name for messages.
var selfApplyFiles = []struct{ Field, Name string }{
	{"id_front", "身份证人像面"}, {"id_back", "身份证国徽面"}, {"letter", "退休申请书"},
}

func (s *Server) selfApplyPage(r *http.Request, form url.Values) (*Page, error) {
	own, err := s.Retirement.MyRetirement(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	return &Page{Title: "网上申报个体退休", Data: own, Form: form}, nil
}

func (s *Server) selfApplyForm(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "retire_apply", s.selfApplyPage, r.URL.Query())
}

// selfApplySubmit stores the uploaded scans (checked by their bytes) and
// submits the application for the signed-in person.
func (s *Server) selfApplySubmit(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	p, err := s.selfApplyPage(r, r.PostForm)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	own := p.Data.(*retirement.Own)
	in := retirement.SelfInput{IDNumber: own.Subject.IDNumber, Phone1: r.PostForm.Get("phone1"), Phone2: r.PostForm.Get("phone2")}
	var fe errs.Fields
	ids := map[string]*int64{"id_front": &in.IDFront, "id_back": &in.IDBack, "letter": &in.Letter}
	for _, f := range selfApplyFiles {
		id, uerr := s.storeUpload(r, a, f.Field)
		if errs.KindOf(uerr) == errs.Invalid {
			fe.Add(f.Field, f.Name+"："+errs.As(uerr).Message)
			continue
		}
		if uerr != nil {
			s.fail(w, r, uerr)
			return
		}
		*ids[f.Field] = id
	}
	q, err := s.Retirement.SubmitSelfEmployed(r.Context(), a, in)
	if err == nil && len(fe) == 0 {
		redirect(w, r, "/person/retirement", "已提交个体退休申报 "+q.No+"，个体参保科审批后将短信通知您")
		return
	}
	if k := errs.KindOf(err); err != nil && k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	if e := errs.As(err); e != nil {
		for _, f := range e.Fields {
			if !fe.Has(f.Field) {
				fe.Add(f.Field, f.Message)
			}
		}
	}
	if errs.KindOf(err) == errs.Conflict || fe.Err() == nil {
		s.renderForm(w, r, "retire_apply", p, err)
		return
	}
	s.renderForm(w, r, "retire_apply", p, fe.Err())
}

// selfSample downloads a self-employed applicant's retirement e-mail
// (.eml) addressed to 个体参保科's mailbox, written for a flexible worker
// about to retire, to try the mail intake (import it with import-eml or
// send it to the mailbox).
func (s *Server) selfSample(w http.ResponseWriter, r *http.Request) {
	app, err := s.Retirement.SelfEmployedSample(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	domain := "shebao.example"
	if s.Mail != nil {
		domain = s.Mail.Domain()
	}
	data := demo.SelfEmployedMail("shenqingren@example.com", mailintake.Address(access.SelfEmployed, domain),
		app.Name, app.IDNumber, app.Phone1, app.Phone2, s.Clock.Now())
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "个体退休申报邮件样例.eml"}))
	w.Write(data)
}
