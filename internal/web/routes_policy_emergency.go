package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// emergencyRow is an emergency with its measures described in Chinese.
type emergencyRow struct {
	policy.Emergency
	Descriptions []string
	Active       bool
}

func (s *Server) emergencyRow(r *http.Request, e policy.Emergency) emergencyRow {
	desc, _ := s.Policy.Describe(r.Context(), e)
	return emergencyRow{Emergency: e, Descriptions: desc, Active: e.ActiveOn(clock.Today(s.Clock))}
}

// emergencyList: GET /admin/emergencies.
func (s *Server) emergencyList(w http.ResponseWriter, r *http.Request) {
	a, ok := s.staffOnly(w, r)
	if !ok {
		return
	}
	es, err := s.Policy.Emergencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]emergencyRow, 0, len(es))
	for _, e := range es {
		rows = append(rows, s.emergencyRow(r, e))
	}
	s.render(w, r, "policy_emergencies", &Page{Title: "应急期管理", Data: struct {
		Rows    []emergencyRow
		IsAdmin bool
	}{rows, a.IsAdmin()}})
}

// declareView is the data of the declare form.
type declareView struct {
	Measures []policy.Measure
	Checked  map[policy.Measure]bool
}

func newDeclareView(f url.Values) declareView {
	v := declareView{Measures: policy.AllMeasures, Checked: map[policy.Measure]bool{}}
	for _, m := range f["measures"] {
		v.Checked[policy.Measure(m)] = true
	}
	return v
}

func (s *Server) emergencyNew(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.adminOnly(w, r); !ok {
		return
	}
	form := url.Values{"start": {clock.Today(s.Clock).Format("2006-01-02")}, "scope": {"全区"},
		"originals_days": {strconv.Itoa(policy.DefaultOriginalsDays)}}
	for _, m := range policy.AllMeasures {
		form.Add("measures", string(m))
	}
	s.render(w, r, "policy_emergency_form", &Page{Title: "宣布应急期", Form: form, Data: newDeclareView(form)})
}

func declareInput(f url.Values) policy.DeclareInput {
	in := policy.DeclareInput{Title: f.Get("title"), Start: f.Get("start"), End: f.Get("end"), Scope: f.Get("scope"),
		LegalBasis: f.Get("legal_basis"), FeeMonths: policy.SplitMonths(f.Get("fee_months")),
		CollectionDue: f.Get("collection_due")}
	for _, m := range f["measures"] {
		in.Measures = append(in.Measures, policy.Measure(m))
	}
	if d := strings.TrimSpace(f.Get("originals_days")); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			n = -1 // reported by the service as out of range
		}
		in.OriginalsDays = n
	}
	return in
}

func (s *Server) emergencyCreate(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	e, err := s.Policy.Declare(r.Context(), actorFrom(r.Context()), declareInput(r.PostForm))
	if err != nil {
		s.renderForm(w, r, "policy_emergency_form", &Page{Title: "宣布应急期", Data: newDeclareView(r.PostForm)}, err)
		return
	}
	redirect(w, r, "/admin/emergencies/"+strconv.FormatInt(e.ID, 10), "已宣布应急期："+e.Title)
}

// emergencyDetail: GET /admin/emergencies/{id}, with the set-end form.
func (s *Server) emergencyDetail(w http.ResponseWriter, r *http.Request) {
	a, ok := s.staffOnly(w, r)
	if !ok {
		return
	}
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	s.renderEmergency(w, r, id, a.IsAdmin(), nil)
}

func (s *Server) renderEmergency(w http.ResponseWriter, r *http.Request, id int64, isAdmin bool, formErr error) {
	e, err := s.Policy.EmergencyByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &Page{Title: e.Title, Data: struct {
		Row     emergencyRow
		IsAdmin bool
	}{s.emergencyRow(r, e), isAdmin}}
	if formErr != nil {
		s.renderForm(w, r, "policy_emergency", p, formErr)
		return
	}
	p.Form = url.Values{"end": {e.EndDay()}}
	s.render(w, r, "policy_emergency", p)
}

// endConfirmView is the confirm step before an end date changes.
type endConfirmView struct {
	Before, After emergencyRow
	End           string
}

// emergencyEndConfirm: POST /admin/emergencies/{id}/end/confirm shows what
// would change and asks to confirm; nothing is stored.
func (s *Server) emergencyEndConfirm(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	end := strings.TrimSpace(r.PostFormValue("end"))
	before, after, err := s.Policy.PreviewEnd(r.Context(), a, id, end)
	if err != nil {
		if errs.KindOf(err) == errs.Invalid {
			s.renderEmergency(w, r, id, a.IsAdmin(), err)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "policy_emergency_confirm", &Page{Title: "确认修改应急期结束日期", Data: endConfirmView{
		Before: s.emergencyRow(r, before), After: s.emergencyRow(r, after), End: end}})
}

// emergencyEnd: POST /admin/emergencies/{id}/end stores the confirmed end.
func (s *Server) emergencyEnd(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	e, err := s.Policy.SetEnd(r.Context(), a, id, version, strings.TrimSpace(r.PostFormValue("end")))
	if s.formFailed(w, r, err, func(err error) { s.renderEmergency(w, r, id, a.IsAdmin(), err) }) {
		return
	}
	msg := "应急期已重新开放（未设结束日期），相关期限已重新计算"
	if e.End != nil {
		msg = "结束日期已设为 " + e.EndDay() + "，相关期限已重新计算"
	}
	redirect(w, r, "/admin/emergencies/"+strconv.FormatInt(id, 10), msg)
}

// calendarView is the data of the calendar page.
type calendarView struct {
	Year       int
	Prev, Next int
	Days       []policy.CalendarDay
	IsAdmin    bool
}

// calendarPage: GET /admin/calendar?year=.
func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.staffOnly(w, r)
	if !ok {
		return
	}
	s.renderCalendar(w, r, a.IsAdmin(), nil)
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, isAdmin bool, formErr error) {
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || year < 1990 || year > 2100 {
		year = clock.Today(s.Clock).Year()
	}
	days, err := s.Policy.CalendarDays(r.Context(), year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &Page{Title: "工作日历", Data: calendarView{Year: year, Prev: year - 1, Next: year + 1, Days: days, IsAdmin: isAdmin}}
	s.renderOrForm(w, r, "policy_calendar", p, formErr)
}

// calendarSet: POST /admin/calendar adds or changes one day.
func (s *Server) calendarSet(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if !s.parseForm(w, r) {
		return
	}
	c, err := s.Policy.SetCalendarDay(r.Context(), a, policy.CalendarInput{Day: r.PostForm.Get("day"),
		Kind: r.PostForm.Get("kind"), Name: r.PostForm.Get("name"), LegalBasis: r.PostForm.Get("legal_basis")})
	if err != nil {
		if errs.KindOf(err) == errs.Invalid {
			s.renderCalendar(w, r, a.IsAdmin(), err)
			return
		}
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/calendar?year="+c.Day[:4], "已保存 "+c.Day+"（"+c.Name+"）")
}

// dayOrToday parses a 'YYYY-MM-DD' query value, defaulting to today.
func (s *Server) dayOrToday(v string) (time.Time, error) {
	if v == "" {
		return clock.Today(s.Clock), nil
	}
	return policy.ParseDay(v)
}
