package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/download"
	"shebao/internal/errs"
	"shebao/internal/manual"
)

// downloadRoutes: 常用下载, a page for each kind of user, the paper forms
// generated as Excel workbooks, the files 办公室 publishes in versions
// (old versions stay reachable and say they were superseded) and the
// manuals.
func (s *Server) downloadRoutes() []route {
	return []route{
		{"GET /downloads", s.downloadIndex},
		{"GET /downloads/{audience}", s.downloadPage},
		{"GET /downloads/forms/{file}", s.downloadForm},
		{"GET /downloads/v/{id}", s.downloadVersion},
		{"GET /downloads/v/{id}/file", s.downloadFile},
		{"GET /downloads/v/{id}/web", s.downloadWeb},
		{"GET /staff/downloads", s.downloadStaffList},
		{"GET /staff/downloads/new", s.downloadNew},
		{"POST /staff/downloads", s.downloadAdd},
		{"GET /staff/downloads/{id}", s.downloadStaffItem},
		{"POST /staff/downloads/{id}/versions", s.downloadReplace},
		{"POST /staff/downloads/{id}/retire", s.downloadRetire},
	}
}

// downloadView is one audience's page (Audience "" for every download).
type downloadView struct {
	Audience  download.Audience
	Audiences []download.Audience
	Forms     []download.Form
	Links     []download.Link
	Items     []download.Item // files 办公室 publishes and the manuals
	// Pending are the titles of this page's manuals not yet published:
	// the server publishes them in the background (decision 0031).
	Pending []string
}

func (s *Server) newDownloadView(r *http.Request, a download.Audience) (downloadView, error) {
	v := downloadView{Audience: a, Audiences: download.Audiences, Forms: download.Forms(a)}
	for _, l := range download.Links {
		if a == "" || l.Audience == a {
			v.Links = append(v.Links, l)
		}
	}
	var err error
	if v.Items, err = s.Downloads.Offered(r.Context(), a); err != nil {
		return v, err
	}
	v.Pending = pendingManuals(v.Items, a)
	return v, nil
}

// pendingManuals lists the titles of audience a's manuals ("" for all)
// that items lack.
func pendingManuals(items []download.Item, a download.Audience) []string {
	have := map[string]bool{}
	for _, it := range items {
		have[it.Key] = true
	}
	var out []string
	for _, m := range manual.Manuals {
		if (a == "" || download.Audience(m.Audience) == a) && !have["manual-"+m.Key] {
			out = append(out, m.Title)
		}
	}
	return out
}

func (s *Server) downloadIndex(w http.ResponseWriter, r *http.Request) {
	v, err := s.newDownloadView(r, "")
	s.renderOrFail(w, r, "download_list", &Page{Title: "常用下载", Data: v}, err)
}

func (s *Server) downloadPage(w http.ResponseWriter, r *http.Request) {
	a := download.Audience(r.PathValue("audience"))
	if !a.Valid() {
		s.fail(w, r, errs.NotFoundf("没有这个页面"))
		return
	}
	v, err := s.newDownloadView(r, a)
	s.renderOrFail(w, r, "download_list", &Page{Title: "常用下载（" + a.Name() + "）", Data: v}, err)
}

func (s *Server) downloadForm(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutSuffix(r.PathValue("file"), ".xlsx")
	f, known := download.FormByKey(key)
	if !ok || !known {
		s.fail(w, r, errs.NotFoundf("没有这个表格"))
		return
	}
	var b bytes.Buffer
	if err := f.Write(&b, s.Clock.Now().In(clock.Shanghai)); err != nil {
		s.fail(w, r, errs.Wrap(err, "form workbook"))
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\""+key+".xlsx\"; filename*=UTF-8''"+url.PathEscape(f.FileName()))
	w.Write(b.Bytes())
}

// versionView is a version's own page: the link people keep.
type versionView struct {
	Item    *download.Item
	Version *download.Version
	Current *download.Version // nil when this one is current
}

func (s *Server) loadVersion(w http.ResponseWriter, r *http.Request) (*download.Item, *download.Version, bool) {
	id, err := pathID(r)
	if err == nil {
		var it *download.Item
		var v *download.Version
		if it, v, err = s.Downloads.VersionOf(r.Context(), id); err == nil {
			return it, v, true
		}
	}
	s.fail(w, r, err)
	return nil, nil, false
}

func (s *Server) downloadVersion(w http.ResponseWriter, r *http.Request) {
	it, v, ok := s.loadVersion(w, r)
	if !ok {
		return
	}
	view := versionView{Item: it, Version: v}
	if c := it.Current(); c != nil && c.ID != v.ID {
		view.Current = c
	}
	s.render(w, r, "download_version", &Page{Title: it.Title + "（" + v.Label + "）", Data: view})
}

func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	s.sendVersion(w, r, false)
}

func (s *Server) downloadWeb(w http.ResponseWriter, r *http.Request) {
	s.sendVersion(w, r, true)
}

// sendVersion sends a version's file, or its web page in a sandbox (the
// generated manual page carries its own styles and inline pictures).
func (s *Server) sendVersion(w http.ResponseWriter, r *http.Request, web bool) {
	it, v, ok := s.loadVersion(w, r)
	if !ok {
		return
	}
	rc, doc, err := s.Downloads.Open(r.Context(), v, web)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", doc.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if web {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox allow-popups allow-top-navigation-by-user-activation")
	} else {
		ext := map[string]string{"PDF": ".pdf", "Excel": ".xlsx", "图片": ""}[v.Kind]
		if ext == "" && strings.HasPrefix(doc.ContentType, "image/") {
			ext = "." + strings.TrimPrefix(doc.ContentType, "image/")
		}
		name := it.Title + "（" + v.Label + "）" + ext
		w.Header().Set("Content-Disposition", "attachment; filename=\"download-"+strconv.FormatInt(v.ID, 10)+ext+
			"\"; filename*=UTF-8''"+url.PathEscape(name))
	}
	_, _ = io.Copy(w, rc)
}

// downloadStaffView is 办公室's list and forms.
type downloadStaffView struct {
	Items     []download.Item
	Item      *download.Item
	Audiences []download.Audience
	Today     string
	// SourceHash is the manuals' source in this program: a published
	// manual generated from another source is out of date.
	SourceHash string
}

func (s *Server) downloadStaffList(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	items, err := s.Downloads.All(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := downloadStaffView{Items: items, SourceHash: manual.SourceHash()}
	s.render(w, r, "download_staff", &Page{Title: "常用下载维护", Data: v})
}

func (s *Server) downloadNewView() downloadStaffView {
	return downloadStaffView{Audiences: download.Audiences, Today: clock.Today(s.Clock).Format("2006-01-02")}
}

func (s *Server) downloadNew(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if err := a.RequireSection(access.Office); err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"issued_on": {clock.Today(s.Clock).Format("2006-01-02")}}
	s.render(w, r, "download_form", &Page{Title: "新增下载", Data: s.downloadNewView(), Form: form})
}

// downloadUpload reads the form's one file ("file"), or a field error.
func downloadUpload(r *http.Request) (download.File, error) {
	name, data, err := uploadedFile(r, download.MaxFileBytes, "请选择要上传的文件（PDF、Excel 工作簿或图片）")
	return download.File{Name: name, Data: data}, err
}

func downloadInput(f url.Values) download.Input {
	in := download.Input{Title: f.Get("title"), Note: f.Get("note"), Notice: f.Get("notice"),
		Label: f.Get("label"), IssuedOn: f.Get("issued_on")}
	for _, v := range f["audiences"] {
		in.Audiences = append(in.Audiences, download.Audience(v))
	}
	return in
}

func (s *Server) downloadAdd(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if err := a.RequireSection(access.Office); err != nil {
		s.fail(w, r, err)
		return
	}
	file, err := downloadUpload(r)
	var it *download.Item
	if err == nil {
		it, err = s.Downloads.Add(r.Context(), a, downloadInput(r.PostForm), file)
	}
	if err != nil {
		s.renderForm(w, r, "download_form", &Page{Title: "新增下载", Data: s.downloadNewView()}, err)
		return
	}
	redirect(w, r, "/staff/downloads/"+strconv.FormatInt(it.ID, 10), "已发布《"+it.Title+"》。")
}

// staffDownload loads the download of the path for 办公室.
func (s *Server) staffDownload(w http.ResponseWriter, r *http.Request) (*access.Actor, *download.Item, bool) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return nil, nil, false
	}
	err := a.RequireSection(access.Office)
	if err == nil {
		var id int64
		if id, err = pathID(r); err == nil {
			var it *download.Item
			if it, err = s.Downloads.Get(r.Context(), id); err == nil {
				return a, it, true
			}
		}
	}
	s.fail(w, r, err)
	return nil, nil, false
}

func (s *Server) downloadItemPage(it *download.Item) *Page {
	v := s.downloadNewView()
	v.Item = it
	return &Page{Title: "常用下载：" + it.Title, Data: v}
}

func (s *Server) downloadStaffItem(w http.ResponseWriter, r *http.Request) {
	_, it, ok := s.staffDownload(w, r)
	if !ok {
		return
	}
	p := s.downloadItemPage(it)
	p.Form = url.Values{"issued_on": {p.Data.(downloadStaffView).Today}, "version": {strconv.FormatInt(it.Version, 10)}}
	s.render(w, r, "download_item", p)
}

func (s *Server) downloadReplace(w http.ResponseWriter, r *http.Request) {
	a, it, ok := s.staffDownload(w, r)
	if !ok {
		return
	}
	version, err := formVersion(r)
	var file download.File
	if err == nil {
		file, err = downloadUpload(r)
	}
	if err == nil {
		_, err = s.Downloads.Replace(r.Context(), a, it.ID, version, downloadInput(r.PostForm), file)
	}
	if errs.KindOf(err) == errs.Invalid {
		s.renderForm(w, r, "download_item", s.downloadItemPage(it), err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/downloads/"+strconv.FormatInt(it.ID, 10), "已发布新版本，旧版本的链接仍可打开并提示已被取代。")
}

func (s *Server) downloadRetire(w http.ResponseWriter, r *http.Request) {
	a, it, ok := s.staffDownload(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	version, err := formVersion(r)
	if err == nil {
		_, err = s.Downloads.Retire(r.Context(), a, it.ID, version)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/downloads/"+strconv.FormatInt(it.ID, 10), "《"+it.Title+"》已停止提供，原有链接仍可打开。")
}
