package web

import (
	"net/http"
	"net/url"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/errs"
	"shebao/internal/retirement"
)

// selfView is 个体参保科's form of a self-employed application, from a
// mail draft (its attachments to choose from) or a call.
type selfView struct {
	Draft    *casework.View
	Docs     []selfDoc
	Phones   []string
	Channels []struct{ Code, Name string }
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
	v := selfView{}
	for _, c := range retirement.SelfEmployedChannels {
		v.Channels = append(v.Channels, struct{ Code, Name string }{c, casework.ChannelName(c)})
	}
	if no := form.Get("draft"); no != "" {
		d, err := s.Cases.Detail(r.Context(), a, no)
		if err != nil {
			return nil, err
		}
		v.Draft = d
		for _, l := range d.Documents {
			name := "附件"
			if doc, err := s.Documents.Get(r.Context(), l.DocumentID); err == nil {
				name = doc.Name
			}
			v.Docs = append(v.Docs, selfDoc{ID: l.DocumentID, Name: name})
		}
		v.Phones = retirement.MobilesIn(d.Case.Summary)
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
