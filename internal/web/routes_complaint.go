package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/complaint"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/pdfdoc"
)

// complaintRoutes: the public form and tracking lookup (anonymous or
// signed in), a person's or employer's own complaints (我的投诉), and
// 审计科's queue, clerk recording and detail with its steps.
func (s *Server) complaintRoutes() []route {
	return []route{
		{"GET /complaints/new", s.complaintForm},
		{"POST /complaints/new", s.complaintSubmit},
		{"POST /my/complaints/new", s.loggedIn(s.complaintSubmit)},
		{"GET /complaints/track", s.complaintTrackForm},
		{"POST /complaints/track", s.complaintTrack},
		{"POST /complaints/track/feedback", s.complaintTrackFeedback},
		{"POST /complaints/track/answer.pdf", s.complaintTrackPDF},
		{"GET /my/complaints/{id}/answer.pdf", s.loggedIn(s.complaintMinePDF)},
		{"GET /staff/complaints/{id}/answer.pdf", s.staffRoute(s.complaintStaffPDF)},
		{"GET /my/complaints", s.loggedIn(s.complaintMine)},
		{"GET /my/complaints/{id}", s.loggedIn(s.complaintMineDetail)},
		{"POST /my/complaints/{id}/feedback", s.loggedIn(s.complaintMineFeedback)},
		{"GET /staff/complaints", s.staffRoute(s.complaintQueue)},
		{"GET /staff/complaints/new", s.staffRoute(s.complaintClerkForm)},
		{"POST /staff/complaints/new", s.staffRoute(s.complaintClerkSubmit)},
		{"GET /staff/complaints/{id}", s.staffRoute(s.complaintDetail)},
		{"GET /staff/complaints/{id}/documents/{doc}", s.staffRoute(s.complaintDocument)},
		{"POST /staff/complaints/{id}/{action}", s.staffRoute(s.complaintAction)},
	}
}

// complaintFormView is the data of the filing forms.
type complaintFormView struct {
	Categories []codeName
	Channels   []codeName
	Anonymous  bool
	Filed      *complaint.Filed
}

type codeName struct{ Code, Name string }

func complaintCategories() []codeName {
	var out []codeName
	for _, c := range complaint.Categories {
		out = append(out, codeName{c, complaint.CategoryName(c)})
	}
	return out
}

func (s *Server) complaintForm(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	v := complaintFormView{Categories: complaintCategories(), Anonymous: a == nil}
	if a != nil && a.IsStaff() {
		http.Redirect(w, r, "/staff/complaints/new", http.StatusSeeOther)
		return
	}
	s.render(w, r, "complaint_new", &Page{Title: "投诉举报", Data: v, Form: r.URL.Query()})
}

func complaintInput(r *http.Request) (complaint.Input, func()) {
	f := r.PostForm
	in := complaint.Input{Category: f.Get("category"), Channel: f.Get("channel"), Subject: f.Get("subject"), Body: f.Get("body"),
		ReporterName: f.Get("reporter_name"), ReporterContact: f.Get("reporter_contact"), TargetName: f.Get("target_name"),
		TargetEmployer: f.Get("target_employer"), TargetIDNumber: f.Get("target_id_number"), SourceRef: f.Get("source_ref"),
		Draft: f.Get("draft")}
	ups, closeAll := uploads(r, "attachments")
	in.Attachments = ups
	return in, closeAll
}

// uploads opens the files of a multipart field; closeAll closes them.
func uploads(r *http.Request, field string) ([]complaint.Upload, func()) {
	var out []complaint.Upload
	var files []multipart.File
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File[field] {
			if fh.Size == 0 && fh.Filename == "" {
				continue
			}
			f, err := fh.Open()
			if err != nil {
				continue
			}
			files = append(files, f)
			out = append(out, complaint.Upload{Name: fh.Filename, Data: io.Reader(f)})
		}
	}
	return out, func() {
		for _, f := range files {
			f.Close()
		}
	}
}

func (s *Server) complaintSubmit(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	in, closeAll := complaintInput(r)
	defer closeAll()
	var filed *complaint.Filed
	var err error
	if a == nil {
		filed, err = s.Complaints.FileAnonymous(r.Context(), s.clientIP(r), in)
	} else {
		filed, err = s.Complaints.File(r.Context(), a, in)
	}
	v := complaintFormView{Categories: complaintCategories(), Anonymous: a == nil, Filed: filed}
	if err != nil {
		if k := errs.KindOf(err); k != errs.Invalid {
			s.fail(w, r, err)
			return
		}
		s.renderForm(w, r, "complaint_new", &Page{Title: "投诉举报", Data: v, Form: r.PostForm}, err)
		return
	}
	if a != nil {
		redirect(w, r, "/my/complaints/"+strconv.FormatInt(filed.ID, 10), "已提交投诉举报，编号 "+filed.No)
		return
	}
	// The tracking code is shown on this answer only, never stored or sent again.
	s.render(w, r, "complaint_filed", &Page{Title: "投诉举报已提交", Data: v})
}

func (s *Server) complaintTrackForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "complaint_track", &Page{Title: "投诉举报查询"})
}

func (s *Server) complaintTrack(w http.ResponseWriter, r *http.Request) {
	code := r.PostForm.Get("code")
	v, err := s.Complaints.Track(r.Context(), complaint.Reporter{ClientAddr: s.clientIP(r), Code: code})
	s.trackAnswer(w, r, v, err)
}

func (s *Server) trackAnswer(w http.ResponseWriter, r *http.Request, v *complaint.View, err error) {
	if err != nil {
		k := errs.KindOf(err)
		if k != errs.Invalid && k != errs.NotFound && k != errs.TooMany {
			s.fail(w, r, err)
			return
		}
		p := &Page{Title: "投诉举报查询", Form: url.Values{}}
		if k == errs.NotFound || k == errs.TooMany {
			p.Message = errs.As(err).Message
			setRetryAfter(w, errs.As(err))
			s.renderStatus(w, r, "complaint_track", statusOf(k), p)
			return
		}
		s.renderForm(w, r, "complaint_track", p, err)
		return
	}
	s.render(w, r, "complaint_track", &Page{Title: "投诉举报查询", Data: v, Form: url.Values{"code": {r.PostForm.Get("code")}}})
}

func (s *Server) complaintTrackFeedback(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	rep := complaint.Reporter{ClientAddr: s.clientIP(r), Code: f.Get("code")}
	err := s.Complaints.Feedback(r.Context(), rep, f.Get("satisfied") == "1", f.Get("feedback_text"))
	if err != nil && errs.KindOf(err) != errs.Invalid && errs.KindOf(err) != errs.Conflict {
		s.trackAnswer(w, r, nil, err)
		return
	}
	v, verr := s.Complaints.Track(r.Context(), rep)
	if verr != nil {
		s.trackAnswer(w, r, nil, verr)
		return
	}
	p := &Page{Title: "投诉举报查询", Data: v, Form: f}
	if err != nil {
		s.renderForm(w, r, "complaint_track", p, err)
		return
	}
	p.Flash = "已收到您的意见"
	s.render(w, r, "complaint_track", p)
}

// complaintTrackPDF: the written answer for the holder of the tracking
// code (posted, so the code never stands in an address).
func (s *Server) complaintTrackPDF(w http.ResponseWriter, r *http.Request) {
	b, c, err := s.Complaints.AnswerPDF(r.Context(), complaint.Reporter{ClientAddr: s.clientIP(r), Code: r.PostForm.Get("code")})
	if err != nil && !errors.Is(err, pdfdoc.ErrNoFont) {
		s.trackAnswer(w, r, nil, err)
		return
	}
	s.answerPDF(w, r, b, c, err)
}

func (s *Server) complaintMinePDF(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	b, c, err := s.Complaints.AnswerPDF(r.Context(), complaint.Reporter{Actor: actorFrom(r.Context()), ID: id})
	s.answerPDF(w, r, b, c, err)
}

func (s *Server) complaintStaffPDF(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	b, c, err := s.Complaints.StaffAnswerPDF(r.Context(), actorFrom(r.Context()), id)
	s.answerPDF(w, r, b, c, err)
}

// answerPDF sends a written answer, or says why it cannot.
func (s *Server) answerPDF(w http.ResponseWriter, r *http.Request, b []byte, c *complaint.Complaint, err error) {
	if errors.Is(err, pdfdoc.ErrNoFont) {
		s.renderStatus(w, r, "error", http.StatusServiceUnavailable, &Page{Title: "无法生成书面答复文件",
			Data: errs.New(errs.Internal, "no_font", pdfdoc.ErrNoFont.Error()+"；请在页面上查看答复全文")})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendPrivatePDF(w, `attachment; filename="answer-`+c.No+`.pdf"`, b)
}

func (s *Server) complaintMine(w http.ResponseWriter, r *http.Request) {
	items, err := s.Complaints.Mine(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "complaint_mine", &Page{Title: "我的投诉", Data: items}, err)
}

func (s *Server) complaintMineView(r *http.Request) (*complaint.View, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return s.Complaints.Track(r.Context(), complaint.Reporter{Actor: actorFrom(r.Context()), ID: id})
}

func (s *Server) complaintMineDetail(w http.ResponseWriter, r *http.Request) {
	v, err := s.complaintMineView(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "complaint_track", &Page{Title: "我的投诉 " + v.Complaint.No, Data: v})
}

func (s *Server) complaintMineFeedback(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	err = s.Complaints.Feedback(r.Context(), complaint.Reporter{Actor: actorFrom(r.Context()), ID: id}, f.Get("satisfied") == "1", f.Get("feedback_text"))
	if err == nil {
		redirect(w, r, "/my/complaints/"+strconv.FormatInt(id, 10), "已收到您的意见")
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	v, verr := s.complaintMineView(r)
	if verr != nil {
		s.fail(w, r, verr)
		return
	}
	s.renderForm(w, r, "complaint_track", &Page{Title: "我的投诉 " + v.Complaint.No, Data: v, Form: f}, err)
}

// complaintQueueView is the staff queue with its filters.
type complaintQueueView struct {
	Result     *complaint.QueuePage
	Categories []codeName
	Statuses   []codeName
	Pager      pager
	CanRecord  bool
}

func (s *Server) complaintQueue(w http.ResponseWriter, r *http.Request) {
	a, q := actorFrom(r.Context()), r.URL.Query()
	in := queryInput(r)
	page := in.OptionalInt("page", "页码")
	if err := in.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Complaints.Queue(r.Context(), a, complaint.Filter{Status: q.Get("status"), Category: q.Get("category"),
		Q: q.Get("q"), Overdue: q.Get("overdue") == "1", Page: page})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var sts []codeName
	for _, x := range complaint.Statuses {
		sts = append(sts, codeName{x, complaint.StatusName(x)})
	}
	v := complaintQueueView{Result: res, Categories: complaintCategories(), Statuses: sts,
		Pager: newPager("/staff/complaints", q, res.Page, complaint.PageSize, res.Total), CanRecord: complaint.CanRecord(a)}
	s.render(w, r, "complaint_queue", &Page{Title: "投诉举报", Data: v, Form: q})
}

func (s *Server) complaintClerkForm(w http.ResponseWriter, r *http.Request) {
	if !complaint.CanRecord(actorFrom(r.Context())) {
		s.fail(w, r, errs.New(errs.Forbidden, "complaint_file_forbidden", "电话、邮件、微信、来访的投诉举报由审计科或办公室登记"))
		return
	}
	form := r.URL.Query()
	if no := strings.TrimSpace(form.Get("draft")); no != "" {
		c, err := s.Cases.Get(r.Context(), actorFrom(r.Context()), no)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if c.State != casework.Draft {
			s.fail(w, r, errs.New(errs.Conflict, "not_draft", "该来件已确认为业务，不能再转为投诉举报"))
			return
		}
		form = draftComplaintForm(c)
	}
	s.render(w, r, "complaint_clerk", &Page{Title: "登记投诉举报", Data: s.clerkFormView(), Form: form})
}

// draftComplaintForm fills the clerk's complaint form from a mail draft:
// the mail's subject and text, its sender and address, the draft's number
// as the source.
func draftComplaintForm(c *casework.Case) url.Values {
	subject := []rune(strings.TrimSpace(c.Title))
	if len(subject) > complaint.MaxSubject {
		subject = subject[:complaint.MaxSubject]
	}
	return url.Values{"channel": {complaint.ChannelEmail}, "subject": {string(subject)}, "body": {c.Summary},
		"reporter_name": {c.Applicant.Name}, "reporter_contact": {c.Applicant.Email}, "source_ref": {c.No},
		"draft": {c.No}}
}

func (s *Server) clerkFormView() complaintFormView {
	v := complaintFormView{Categories: complaintCategories()}
	for _, c := range complaint.ClerkChannels {
		v.Channels = append(v.Channels, codeName{c, complaint.ChannelName(c)})
	}
	return v
}

func (s *Server) complaintClerkSubmit(w http.ResponseWriter, r *http.Request) {
	in, closeAll := complaintInput(r)
	defer closeAll()
	filed, err := s.Complaints.File(r.Context(), actorFrom(r.Context()), in)
	if err != nil {
		if k := errs.KindOf(err); k != errs.Invalid {
			s.fail(w, r, err)
			return
		}
		s.renderForm(w, r, "complaint_clerk", &Page{Title: "登记投诉举报", Data: s.clerkFormView(), Form: r.PostForm}, err)
		return
	}
	if filed.TrackingCode != "" {
		v := s.clerkFormView()
		v.Filed = filed
		s.render(w, r, "complaint_filed", &Page{Title: "投诉举报已登记", Data: v})
		return
	}
	redirect(w, r, "/staff/complaints/"+strconv.FormatInt(filed.ID, 10), "已登记投诉举报，编号 "+filed.No)
}

// complaintDetailView is the staff detail with the choices of its forms.
type complaintDetailView struct {
	*complaint.View
	Sections []access.Section
}

func (s *Server) complaintPage(r *http.Request, form url.Values) (*Page, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	v, err := s.Complaints.Detail(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return nil, err
	}
	return &Page{Title: "投诉举报 " + v.Complaint.No, Data: complaintDetailView{View: v, Sections: access.Sections}, Form: form}, nil
}

func (s *Server) complaintDetail(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "complaint_detail", s.complaintPage, nil)
}

func (s *Server) complaintDocument(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	doc, derr := strconv.ParseInt(r.PathValue("doc"), 10, 64)
	if err != nil || derr != nil {
		s.fail(w, r, errs.NotFoundf("未找到该材料"))
		return
	}
	if err := s.Complaints.HasDocument(r.Context(), actorFrom(r.Context()), id, doc); err != nil {
		s.fail(w, r, err)
		return
	}
	s.streamDocument(w, r, doc)
}

func (s *Server) complaintAction(w http.ResponseWriter, r *http.Request) {
	a, f := actorFrom(r.Context()), r.PostForm
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := formInput(r)
	msg := ""
	switch act := r.PathValue("action"); act {
	case "accept", "transfer", "reject", "assign", "answer", "close":
		version := in.Version()
		if err = in.Err(); err == nil {
			_, err = s.Complaints.Act(r.Context(), a, id, complaint.Action{Kind: act, Version: version,
				Section: access.Section(f.Get("section")), To: f.Get("to"), Text: f.Get("text")})
		}
		msg = complaintDone[act]
	case "note":
		ups, closeAll := uploads(r, "attachments")
		defer closeAll()
		err, msg = s.Complaints.Note(r.Context(), a, id, f.Get("note"), ups), "已添加调查记录"
	case "link":
		err, msg = s.Complaints.LinkCase(r.Context(), a, id, f.Get("case_no")), "已关联业务"
	case "conclude":
		err, msg = s.complaintConclude(r, id, in), "已登记调查结论"
	case "mediate":
		version := in.Version()
		if err = in.Err(); err == nil {
			err = s.Complaints.Mediate(r.Context(), a, id, complaint.MediationInput{Version: version, HeldOn: f.Get("held_on"),
				Parties: f.Get("parties"), Agreement: f.Get("agreement")})
		}
		msg = "已登记调解结果，投诉举报已办结"
	default:
		s.pageNotFound(w, r)
		return
	}
	s.complaintActed(w, r, err, msg)
}

var complaintDone = map[string]string{"accept": "已受理并分派", "transfer": "已转办", "reject": "已决定不予受理",
	"assign": "已改派", "answer": "已书面答复投诉举报人", "close": "已办结"}

func (s *Server) complaintConclude(r *http.Request, id int64, in *input) error {
	f := r.PostForm
	version := in.Version()
	amount, aerr := parseOptionalYuan(f.Get("amount"))
	if err := in.Err(); err != nil {
		return err
	}
	if aerr != nil {
		return aerr
	}
	_, err := s.Complaints.Conclude(r.Context(), actorFrom(r.Context()), id, complaint.Finding{Version: version,
		Confirmed: f.Get("confirmed") == "1", Amount: amount, Employer: f.Get("employer"), IDNumber: f.Get("id_number"), Note: f.Get("note")})
	return err
}

func (s *Server) complaintActed(w http.ResponseWriter, r *http.Request, err error, msg string) {
	if err == nil {
		redirect(w, r, "/staff/complaints/"+r.PathValue("id"), msg)
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	p, perr := s.complaintPage(r, r.PostForm)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "complaint_detail", p, err)
}

// parseOptionalYuan reads an amount in 元 ("" = 0).
func parseOptionalYuan(v string) (money.Fen, error) {
	if strings.TrimSpace(v) == "" {
		return 0, nil
	}
	f, err := money.ParseYuan(v)
	if err != nil || f < 0 {
		var fe errs.Fields
		fe.Add("amount", "金额格式不正确：请输入元，最多两位小数，如 12345.67")
		return 0, fe.Err()
	}
	return f, nil
}
