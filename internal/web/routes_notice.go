package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/download"
	"shebao/internal/errs"
	"shebao/internal/notice"
	"shebao/internal/pdfdoc"
)

// noticeRoutes: public notices (公告), 办公室's editing, and the home page
// that shows the latest ones.
func (s *Server) noticeRoutes() []route {
	return []route{
		{"GET /notices", s.noticeList},
		{"GET /notices/{id}", s.noticeShow},
		{"GET /notices/{id}/poster.pdf", s.noticePoster},
		{"GET /staff/notices", s.noticeStaffList},
		{"GET /staff/notices/new", s.noticeNew},
		{"POST /staff/notices", s.noticeCreate},
		{"GET /staff/notices/{id}", s.noticeEdit},
		{"POST /staff/notices/{id}", s.noticeUpdate},
		{"GET /staff/notices/{id}/{action}", s.noticeConfirm},
		{"POST /staff/notices/{id}/{action}", s.noticeAct},
		{"GET /api/v1/notices", s.apiNoticeList},
		{"GET /api/v1/notices/{id}", s.apiNoticeGet},
	}
}

// homeView is the home page's data: the latest notices.
type homeView struct {
	Notices []notice.Notice
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	var v homeView
	if s.Notices != nil {
		list, err := s.Notices.Latest(r.Context(), 5)
		if err != nil {
			s.Log.WarnContext(r.Context(), "home notices", "err", err)
		}
		v.Notices = list
	}
	s.render(w, r, "home", &Page{Title: "首页", Data: v})
}

// noticeListView is the public list.
type noticeListView struct {
	Notices    []notice.Notice
	Total      int
	Category   string
	Q          string
	Categories []notice.Category
	Pager      pager
}

func noticeQuery(q url.Values) notice.Query {
	return notice.Query{Category: notice.Category(q.Get("category")), Q: strings.TrimSpace(q.Get("q")),
		Status: notice.Status(q.Get("status")), Page: pageParam(q)}
}

func (s *Server) noticeList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	nq := noticeQuery(q)
	if !nq.Category.Valid() {
		nq.Category = ""
	}
	list, total, err := s.Notices.List(r.Context(), nq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := noticeListView{Notices: list, Total: total, Category: string(nq.Category), Q: nq.Q, Categories: notice.Categories,
		Pager: newPager("/notices", q, nq.Page, notice.PageSize, total)}
	s.render(w, r, "notice_list", &Page{Title: "通知公告", Data: v})
}

func (s *Server) noticeShow(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	n, err := s.Notices.Get(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	att, err := s.Downloads.Attachments(r.Context(), n.ID)
	s.renderOrFail(w, r, "notice_show", &Page{Title: n.Title, Data: noticeShowView{Notice: n, Attachments: att}}, err)
}

// noticeShowView is a notice with the downloads attached to it.
type noticeShowView struct {
	*notice.Notice
	Attachments []download.Item
}

func (s *Server) noticeStaffList(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	nq := noticeQuery(q)
	list, total, err := s.Notices.StaffList(r.Context(), a, nq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := noticeListView{Notices: list, Total: total, Category: string(nq.Category), Q: nq.Q, Categories: notice.Categories,
		Pager: newPager("/staff/notices", q, nq.Page, notice.PageSize, total)}
	s.render(w, r, "notice_staff", &Page{Title: "公告管理", Data: v, Form: q})
}

// noticeFormView is the edit form's data; Notice is nil for a new one.
type noticeFormView struct {
	Notice     *notice.Notice
	Categories []notice.Category
}

func noticeForm(n *notice.Notice) url.Values {
	f := url.Values{"title": {n.Title}, "body": {n.Body}, "category": {string(n.Category)}, "expires_on": {n.ExpiresOn()},
		"version": {strconv.FormatInt(n.Version, 10)}}
	if n.Pinned {
		f.Set("pinned", "1")
	}
	return f
}

func noticeInput(f url.Values) notice.Input {
	return notice.Input{Title: f.Get("title"), Body: f.Get("body"), Category: notice.Category(f.Get("category")),
		Pinned: f.Get("pinned") != "", ExpiresOn: f.Get("expires_on")}
}

func (s *Server) noticeNew(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if err := a.RequireSection(access.Office); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "notice_form", &Page{Title: "新建公告", Data: noticeFormView{Categories: notice.Categories},
		Form: url.Values{"category": {string(notice.Other)}}})
}

func (s *Server) noticeCreate(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	n, err := s.Notices.Create(r.Context(), a, noticeInput(r.PostForm))
	if err != nil {
		s.renderForm(w, r, "notice_form", &Page{Title: "新建公告", Data: noticeFormView{Categories: notice.Categories}}, err)
		return
	}
	redirect(w, r, "/staff/notices/"+strconv.FormatInt(n.ID, 10), "公告草稿已保存，确认无误后请发布。")
}

func (s *Server) staffNotice(w http.ResponseWriter, r *http.Request) (*notice.Notice, bool) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return nil, false
	}
	if err := a.RequireSection(access.Office); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	id, err := pathID(r)
	if err == nil {
		var n *notice.Notice
		if n, err = s.Notices.Get(r.Context(), a, id); err == nil {
			return n, true
		}
	}
	s.fail(w, r, err)
	return nil, false
}

func (s *Server) noticeEdit(w http.ResponseWriter, r *http.Request) {
	n, ok := s.staffNotice(w, r)
	if !ok {
		return
	}
	s.render(w, r, "notice_form", &Page{Title: "编辑公告", Data: noticeFormView{Notice: n, Categories: notice.Categories}, Form: noticeForm(n)})
}

func (s *Server) noticeUpdate(w http.ResponseWriter, r *http.Request) {
	n, ok := s.staffNotice(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	version, err := formVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.Notices.Update(r.Context(), actorFrom(r.Context()), n.ID, version, noticeInput(r.PostForm))
	if err != nil {
		s.renderForm(w, r, "notice_form", &Page{Title: "编辑公告", Data: noticeFormView{Notice: n, Categories: notice.Categories}}, err)
		return
	}
	redirect(w, r, "/staff/notices/"+strconv.FormatInt(u.ID, 10), "公告已保存。")
}

// noticeActions are the confirmed status changes.
var noticeActions = map[string]string{"publish": "发布", "withdraw": "撤回"}

// noticeConfirmView is the confirmation step of publish or withdraw.
type noticeConfirmView struct {
	Notice *notice.Notice
	Action string
	Label  string
}

func (s *Server) noticeConfirm(w http.ResponseWriter, r *http.Request) {
	label, known := noticeActions[r.PathValue("action")]
	if !known {
		s.fail(w, r, errs.NotFoundf("没有这个页面"))
		return
	}
	n, ok := s.staffNotice(w, r)
	if !ok {
		return
	}
	s.render(w, r, "notice_confirm", &Page{Title: "确认" + label + "公告", Data: noticeConfirmView{Notice: n, Action: r.PathValue("action"), Label: label}})
}

func (s *Server) noticeAct(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	label, known := noticeActions[action]
	if !known {
		s.fail(w, r, errs.NotFoundf("没有这个页面"))
		return
	}
	n, ok := s.staffNotice(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	version, err := formVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := actorFrom(r.Context())
	if action == "publish" {
		_, err = s.Notices.Publish(r.Context(), a, n.ID, version)
	} else {
		_, err = s.Notices.Withdraw(r.Context(), a, n.ID, version)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/notices/"+strconv.FormatInt(n.ID, 10), "公告已"+label+"。")
}

func (s *Server) apiNoticeList(w http.ResponseWriter, r *http.Request) {
	nq := noticeQuery(r.URL.Query())
	nq.Status = ""
	list, total, err := s.Notices.List(r.Context(), nq)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list = nonNil(list)
	s.writeJSON(w, http.StatusOK, listResponse[notice.Notice]{Items: list, Total: total, Page: max(1, nq.Page), Size: notice.PageSize})
}

func (s *Server) apiNoticeGet(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idAndBody(w, r, nil)
	if !ok {
		return
	}
	n, err := s.Notices.Get(r.Context(), actorFrom(r.Context()), id)
	s.apiReply(w, r, http.StatusOK, n, err)
}

// Hotline is printed on notice posters: the national social insurance
// service line, which reaches the local agency.
const Hotline = "人社服务热线 12333"

// noticePoster prints a notice as an A4 (default) or A3 poster for the
// hall and employers' notice boards: the title large, the text, QR codes
// to the notice and to the online service, and the hotline.
func (s *Server) noticePoster(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	n, err := s.Notices.Get(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	size := strings.ToUpper(r.URL.Query().Get("size"))
	if size != "A3" {
		size = "A4"
	}
	base := s.requestBase(r)
	date := ""
	if n.PublishedAt != nil {
		date = n.PublishedAt.In(clock.Shanghai).Format("2006年1月2日") + "发布"
	}
	pst := pdfdoc.Poster{Size: size, Agency: "区社会保险事业管理中心", Title: n.Title, Lines: n.Paragraphs(), Date: date,
		NoticeQR: base + "/notices/" + strconv.FormatInt(n.ID, 10), ServeQR: base + "/", Hotline: Hotline + "\n各科室电话见网站“联系方式”公告",
		Created: s.Clock.Now()}
	b, err := pst.Bytes()
	if errors.Is(err, pdfdoc.ErrNoFont) {
		// Without the font the notice page itself is the printable version.
		s.renderStatus(w, r, "error", http.StatusServiceUnavailable, &Page{Title: "无法生成海报",
			Data: errs.New(errs.Internal, "no_font", pdfdoc.ErrNoFont.Error()+"；可打印公告网页")})
		return
	}
	if err != nil {
		s.fail(w, r, errs.Wrap(err, "notice poster"))
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", "inline; filename=\"notice-"+strconv.FormatInt(n.ID, 10)+"-"+strings.ToLower(size)+".pdf\"")
	w.Write(b)
}
