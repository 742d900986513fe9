package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"shebao/internal/clock"
	"shebao/internal/download"
	"shebao/internal/errs"
)

// downloadRoutes: 常用下载, a page for each kind of user and the paper
// forms generated as Excel workbooks.
func (s *Server) downloadRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /downloads", s.downloadIndex)
	mux.HandleFunc("GET /downloads/{audience}", s.downloadPage)
	mux.HandleFunc("GET /downloads/forms/{file}", s.downloadForm)
}

// downloadView is one audience's page (Audience "" for every download).
type downloadView struct {
	Audience  download.Audience
	Audiences []download.Audience
	Forms     []download.Form
	Links     []download.Link
}

func newDownloadView(a download.Audience) downloadView {
	v := downloadView{Audience: a, Audiences: download.Audiences, Forms: download.Forms(a)}
	for _, l := range download.Links {
		if a == "" || l.Audience == a {
			v.Links = append(v.Links, l)
		}
	}
	return v
}

func (s *Server) downloadIndex(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "download_list", &Page{Title: "常用下载", Data: newDownloadView("")})
}

func (s *Server) downloadPage(w http.ResponseWriter, r *http.Request) {
	a := download.Audience(r.PathValue("audience"))
	if !a.Valid() {
		s.fail(w, r, errs.NotFoundf("没有这个页面"))
		return
	}
	s.render(w, r, "download_list", &Page{Title: "常用下载（" + a.Name() + "）", Data: newDownloadView(a)})
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
