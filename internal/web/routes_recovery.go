package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/recovery"
)

// recoveryRoutes: the emergency recovery register (延期业务登记) of every
// section, its export, the harvest on demand and the hand-over follow-up.
func (s *Server) recoveryRoutes() []route {
	return []route{
		{"GET /staff/deferred", s.staffRoute(s.recoveryList)},
		{"GET /staff/deferred/export.xlsx", s.staffRoute(s.recoveryExport)},
		{"POST /staff/deferred/refresh", s.staffRoute(s.recoveryRefresh)},
		{"GET /staff/deferred/{id}", s.staffRoute(s.recoveryItem)},
		{"POST /staff/deferred/{id}/resolve", s.staffRoute(s.recoveryResolve)},
	}
}

// recoveryFilter reads the register's filters from the query string.
func recoveryFilter(r *http.Request) (recovery.Filter, error) {
	q := r.URL.Query()
	in := queryInput(r)
	f := recovery.Filter{EmergencyID: in.OptionalInt64("emergency", "应急期"), Kind: recovery.Kind(q.Get("kind")),
		Section: access.Section(q.Get("section")), Status: recovery.Status(q.Get("status")), Q: strings.TrimSpace(q.Get("q")),
		Page: pageParam(q)}
	if err := in.Err(); err != nil {
		return f, err
	}
	return f, f.Check()
}

type recoveryView struct {
	Res         *recovery.Result
	Filter      recovery.Filter
	Kinds       []recovery.Kind
	Statuses    []recovery.Status
	Sections    []access.Section
	Emergencies []emergencyOption
	Progress    []recovery.ProgressDay
	SeesAll     bool
	Query       url.Values
}

type emergencyOption struct {
	ID    int64
	Title string
	End   string
}

func (s *Server) recoveryList(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := recovery.Can(a, recovery.See, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	f, ferr := recoveryFilter(r)
	v := &recoveryView{Filter: f, Kinds: recovery.Kinds, Statuses: append(append([]recovery.Status(nil), recovery.Statuses...), recovery.Overdue),
		SeesAll: recovery.SeesAll(a), Query: r.URL.Query()}
	for _, x := range access.Sections {
		if v.SeesAll || a.In(x) {
			v.Sections = append(v.Sections, x)
		}
	}
	ems, err := s.Policy.Emergencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, e := range ems {
		v.Emergencies = append(v.Emergencies, emergencyOption{ID: e.ID, Title: e.Title, End: e.EndDay()})
	}
	page := &Page{Title: "延期业务登记", Data: v, Form: r.URL.Query()}
	if ferr != nil {
		f = recovery.Filter{}
	}
	if v.Res, err = s.Recovery.List(r.Context(), a, f); err != nil {
		s.fail(w, r, err)
		return
	}
	if f.EmergencyID != 0 {
		if v.Progress, err = s.Recovery.Progress(r.Context(), a, f.EmergencyID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.renderOrForm(w, r, "recovery", page, ferr)
}

func (s *Server) recoveryExport(w http.ResponseWriter, r *http.Request) {
	f, err := recoveryFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.Recovery.Export(r.Context(), actorFrom(r.Context()), f, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"deferred.xlsx\"; filename*=UTF-8''"+
		url.PathEscape("延期业务登记-"+s.Clock.Now().Format("20060102")+".xlsx"))
	w.Write(buf.Bytes())
}

func (s *Server) recoveryRefresh(w http.ResponseWriter, r *http.Request) {
	res, err := s.Recovery.Refresh(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/deferred", "已更新：新增 "+strconv.Itoa(res.Added)+" 项，新补办 "+strconv.Itoa(res.MadeUp)+" 项")
}

func (s *Server) recoveryItem(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	it, err := s.Recovery.Get(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "recovery_item", &Page{Title: "延期业务 " + it.Ref, Data: recoveryItemView{Item: it, Today: clockDay(s)}})
}

type recoveryItemView struct {
	Item  *recovery.Item
	Today string
}

func clockDay(s *Server) string { return clock.Today(s.Clock).Format("2006-01-02") }

func (s *Server) recoveryResolve(w http.ResponseWriter, r *http.Request) {
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	a := actorFrom(r.Context())
	it, err := s.Recovery.Resolve(r.Context(), a, id, version, r.PostFormValue("note"))
	if err != nil {
		if errs.KindOf(err) == errs.Invalid || errs.KindOf(err) == errs.Conflict {
			cur, gerr := s.Recovery.Get(r.Context(), a, id)
			if gerr != nil {
				s.fail(w, r, gerr)
				return
			}
			s.renderForm(w, r, "recovery_item", &Page{Title: "延期业务 " + cur.Ref, Data: recoveryItemView{Item: cur, Today: clockDay(s)}}, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/deferred/"+strconv.FormatInt(it.ID, 10), "已登记处置结果")
}
