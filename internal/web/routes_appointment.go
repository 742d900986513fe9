package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/appointment"
	"shebao/internal/clock"
	"shebao/internal/errs"
)

// appointmentRoutes: counter appointments (预约) for bookers, the counter's
// day list and 办公室's slot management, with their JSON twins.
func (s *Server) appointmentRoutes() []route {
	return []route{
		{"GET /appointments", s.apptIndex},
		{"GET /appointments/mine", s.apptIndex},
		{"GET /appointments/book", s.apptBookForm},
		{"POST /appointments", s.apptBook},
		{"GET /appointments/{code}/cancel", s.apptCancelConfirm},
		{"POST /appointments/{code}/cancel", s.apptCancel},
		{"GET /staff/appointments", s.apptDay},
		{"POST /staff/appointments/{code}/mark", s.apptMark},
		{"GET /staff/appointments/slots", s.apptSlots},
		{"POST /staff/appointments/slots", s.apptCreateSlots},
		{"POST /staff/appointments/slots/{id}/capacity", s.apptSetCapacity},

		{"GET /api/v1/appointments/services", s.apiApptServices},
		{"GET /api/v1/appointments/slots", s.apiApptSlots},
		{"POST /api/v1/appointments", s.apiApptBook},
		{"GET /api/v1/appointments/mine", s.apiApptMine},
		{"GET /api/v1/appointments/{code}", s.apiApptGet},
		{"POST /api/v1/appointments/{code}/cancel", s.apiApptCancel},
		{"DELETE /api/v1/appointments/{code}", s.apiApptCancel},
		{"GET /api/v1/staff/appointments", s.apiApptDay},
		{"POST /api/v1/staff/appointments/slots", s.apiApptCreateSlots},
	}
}

// isBooker reports whether the actor may book (an employer or a person).
func isBooker(a *access.Actor) bool {
	return a != nil && ((a.Role == access.RoleEmployer && a.EmployerID != 0) || (a.Role == access.RolePerson && a.PersonID != 0))
}

// apptIndexView is the appointments home: advice, services, my bookings.
type apptIndexView struct {
	Advice   string
	Services []appointment.BookableService
	Booker   bool
	Staff    bool // agency staff: the counter's booking list instead of booking
	Mine     []appointment.Booking
}

func (s *Server) apptIndex(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	svcs, err := s.Appointments.Services(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := apptIndexView{Advice: appointment.Advice, Services: svcs, Booker: isBooker(a), Staff: a.IsStaff()}
	if v.Booker {
		if v.Mine, err = s.Appointments.Mine(r.Context(), a); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, "appt_index", &Page{Title: "大厅业务预约", Data: v})
}

// apptBookView is the booking page: service → date → slot and contact.
type apptBookView struct {
	Advice    string
	Services  []appointment.BookableService
	Service   string
	Days      []appointment.DayInfo
	Date      string
	Slots     []appointment.Slot
	Questions []screenQuestion
}

// screenQuestion is one health question of the booking form.
type screenQuestion struct{ Field, Text string }

var screenQuestions = []screenQuestion{
	{"screen_fever", "近 14 天内是否发热（体温 37.3 摄氏度及以上）"},
	{"screen_cough", "目前是否有干咳、咽痛、气促等呼吸道症状"},
	{"screen_contact", "近 14 天内是否接触过确诊或疑似病例"},
}

// bookView loads the choices for the service and date in q.
func (s *Server) bookView(r *http.Request, q url.Values) (*apptBookView, error) {
	ctx := r.Context()
	v := &apptBookView{Advice: appointment.Advice, Service: q.Get("service"), Date: q.Get("date"), Questions: screenQuestions}
	var err error
	if v.Services, err = s.Appointments.Services(ctx); err != nil {
		return nil, err
	}
	if v.Days, err = s.Appointments.OpenDays(ctx, 20); err != nil {
		return nil, err
	}
	if v.Date != "" {
		if v.Slots, err = s.Appointments.OpenSlots(ctx, v.Date); err != nil {
			v.Slots = nil
		}
	}
	return v, nil
}

func (s *Server) apptBookForm(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if a.IsStaff() { // staff arrive here from the public page's login link: show them the counter's list
		redirect(w, r, "/staff/appointments", "经办人员不办理预约；这里是大厅预约名单")
		return
	}
	if !isBooker(a) {
		s.fail(w, r, errs.New(errs.Forbidden, "booker_only", "预约由参保单位或参保人本人登录后办理"))
		return
	}
	v, err := s.bookView(r, r.URL.Query())
	s.renderOrFail(w, r, "appt_book", &Page{Title: "预约到大厅办理", Data: v, Form: r.URL.Query()}, err)
}

func (s *Server) apptBook(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	in := formInput(r)
	slotID := in.OptionalInt64("slot_id", "预约时段")
	var b *appointment.Booking
	err := in.Err()
	if err == nil {
		b, err = s.Appointments.Book(r.Context(), a, appointment.BookInput{Service: r.PostForm.Get("service"), SlotID: slotID,
			Name: r.PostForm.Get("name"), Phone: r.PostForm.Get("phone"), Note: r.PostForm.Get("note"),
			Screening: screeningForm(r.PostForm)})
	}
	if appointment.ErrScreenedOut(err) {
		s.renderStatus(w, r, "appt_screened_out", http.StatusConflict, &Page{Title: "暂不能预约到大厅",
			Data: apptScreenedOutView{Advice: appointment.RemoteAdvice, Service: r.PostForm.Get("service")}})
		return
	}
	if err != nil {
		v, verr := s.bookView(r, r.PostForm)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		s.renderForm(w, r, "appt_book", &Page{Title: "预约到大厅办理", Data: v}, err)
		return
	}
	redirect(w, r, "/appointments", "预约成功：预约号 "+b.Code+"，"+b.Day+" "+b.Start+"—"+b.End+" "+b.ServiceName+"。")
}

// screeningForm reads the booking form's health questions ("yes"/"no";
// anything else stays unanswered).
func screeningForm(f url.Values) appointment.Screening {
	answer := func(name string) *bool {
		switch f.Get(name) {
		case "yes":
			v := true
			return &v
		case "no":
			v := false
			return &v
		}
		return nil
	}
	return appointment.Screening{Fever: answer("screen_fever"), Cough: answer("screen_cough"), Contact: answer("screen_contact")}
}

// apptScreenedOutView is the page of a booking refused by the health
// questions: what the visitor may do instead.
type apptScreenedOutView struct {
	Advice  string
	Service string
}

func (s *Server) apptCancelConfirm(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	b, err := s.Appointments.ByCode(r.Context(), a, r.PathValue("code"))
	s.renderOrFail(w, r, "appt_cancel", &Page{Title: "取消预约", Data: b}, err)
}

func (s *Server) apptCancel(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	b, err := s.Appointments.Cancel(r.Context(), a, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	target := "/appointments"
	if a.IsStaff() {
		target = "/staff/appointments?date=" + b.Day
	}
	redirect(w, r, target, "已取消预约 "+b.Code+"。")
}

// apptDayView is the counter's day list.
type apptDayView struct {
	Date     string
	Bookings []appointment.Booking
	Office   bool
}

// dayParam reads ?date=, defaulting to today in Shanghai.
func (s *Server) dayParam(r *http.Request) string {
	if d := strings.TrimSpace(r.URL.Query().Get("date")); d != "" {
		return d
	}
	return clock.Today(s.Clock).Format("2006-01-02")
}

func (s *Server) apptDay(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	day := s.dayParam(r)
	list, err := s.Appointments.DayList(r.Context(), a, day)
	s.renderOrFail(w, r, "appt_day", &Page{Title: "大厅预约名单 " + day, Data: apptDayView{Date: day, Bookings: list, Office: a.In(access.Office)}}, err)
}

func (s *Server) apptMark(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	b, err := s.Appointments.Mark(r.Context(), a, r.PathValue("code"), appointment.Status(r.PostForm.Get("status")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/appointments?date="+b.Day, "预约 "+b.Code+" 已登记为“"+b.StatusName+"”。")
}

// apptSlotsView is 办公室's slot management page.
type apptSlotsView struct {
	From, To string
	Slots    []appointment.Slot
}

func (s *Server) slotsView(r *http.Request, a *access.Actor) (*apptSlotsView, error) {
	q := r.URL.Query()
	today := clock.Today(s.Clock)
	v := &apptSlotsView{From: q.Get("from"), To: q.Get("to")}
	if v.From == "" {
		v.From = today.Format("2006-01-02")
	}
	if v.To == "" {
		v.To = today.AddDate(0, 0, 13).Format("2006-01-02")
	}
	var err error
	v.Slots, err = s.Appointments.SlotsBetween(r.Context(), a, v.From, v.To)
	return v, err
}

func (s *Server) apptSlots(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	v, err := s.slotsView(r, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"periods": {"09:00-11:30,13:30-16:30"}, "minutes": {"30"}, "capacity": {strconv.Itoa(appointment.DefaultCapacity)},
		"from": {v.From}, "to": {v.To}}
	s.render(w, r, "appt_slots", &Page{Title: "预约时段管理", Data: v, Form: form})
}

func slotsInput(f url.Values) (appointment.SlotsInput, error) {
	in := &input{values: f}
	minutes := in.OptionalInt("minutes", "每个时段的分钟数")
	capacity := in.OptionalInt("capacity", "每个时段的可预约人数")
	return appointment.SlotsInput{From: f.Get("from"), To: f.Get("to"), Periods: f.Get("periods"), Minutes: minutes,
		Capacity: capacity, Counter: f.Get("counter")}, in.Err()
}

func (s *Server) apptCreateSlots(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	in, err := slotsInput(r.PostForm)
	var res *appointment.SlotsResult
	if err == nil {
		res, err = s.Appointments.CreateSlots(r.Context(), a, in)
	}
	if err != nil {
		v, verr := s.slotsView(r, a)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		s.renderForm(w, r, "appt_slots", &Page{Title: "预约时段管理", Data: v}, err)
		return
	}
	redirect(w, r, "/staff/appointments/slots?"+url.Values{"from": {in.From}, "to": {in.To}}.Encode(),
		"已开放 "+strconv.Itoa(res.Created)+" 个时段（"+strconv.Itoa(res.Days)+" 个工作日；已存在或已过的 "+strconv.Itoa(res.Skipped)+" 个未重复开放）。")
}

func (s *Server) apptSetCapacity(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	capacity, cerr := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("capacity")))
	if cerr != nil {
		capacity = -1
	}
	version, err := formVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	x, err := s.Appointments.SetCapacity(r.Context(), a, id, capacity, version)
	if err != nil {
		if e := errs.As(err); e != nil && len(e.Fields) > 0 {
			err = errs.New(errs.Invalid, e.Code, e.Fields[0].Message)
		}
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/appointments/slots?"+url.Values{"from": {x.Day}, "to": {x.Day}}.Encode(),
		x.Day+" "+x.Start+" 的可预约人数已改为 "+strconv.Itoa(x.Capacity)+"。")
}
