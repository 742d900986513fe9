package web

import (
	"net/http"
	"strings"

	"shebao/internal/appointment"
	"shebao/internal/protection"
)

// protectionRoutes: staff and hall protection — each clerk's daily health
// check-in, 办公室's view of the day (health data), the hall duty log and
// the counter's health screening of booked visitors.
func (s *Server) protectionRoutes() []route {
	return []route{
		{"GET /staff/health", s.staffRoute(s.healthForm)},
		{"POST /staff/health", s.staffRoute(s.healthSubmit)},
		{"GET /staff/health/day", s.staffRoute(s.healthDay)},
		{"GET /staff/hall-duty", s.staffRoute(s.hallDuty)},
		{"POST /staff/hall-duty", s.staffRoute(s.hallDutySubmit)},
		{"POST /staff/appointments/{code}/screen", s.staffRoute(s.apptScreen)},
	}
}

func symptomChoices() []codeName {
	var out []codeName
	for _, c := range protection.Symptoms {
		out = append(out, codeName{c, protection.SymptomName(c)})
	}
	return out
}

type healthFormView struct {
	Today    string
	Mine     *protection.CheckIn
	Symptoms []codeName
	Office   bool
}

func (s *Server) healthView(r *http.Request) (*healthFormView, error) {
	a := actorFrom(r.Context())
	mine, err := s.Protection.Mine(r.Context(), a)
	if err != nil {
		return nil, err
	}
	return &healthFormView{Today: s.Protection.Today(), Mine: mine, Symptoms: symptomChoices(),
		Office: protection.CanReadHealth(a) == nil}, nil
}

func (s *Server) healthForm(w http.ResponseWriter, r *http.Request) {
	v, err := s.healthView(r)
	s.renderOrFail(w, r, "health_checkin", &Page{Title: "每日健康打卡", Data: v}, err)
}

func (s *Server) healthSubmit(w http.ResponseWriter, r *http.Request) {
	in := formInput(r)
	forUser := in.OptionalInt64("user_id", "填报人")
	err := in.Err()
	var c *protection.CheckIn
	if err == nil {
		c, err = s.Protection.Record(r.Context(), actorFrom(r.Context()), protection.CheckInInput{ForUser: forUser,
			Temperature: r.PostForm.Get("temperature"), Symptoms: r.PostForm["symptoms"]})
	}
	if err != nil {
		v, verr := s.healthView(r)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		s.renderForm(w, r, "health_checkin", &Page{Title: "每日健康打卡", Data: v}, err)
		return
	}
	if c.Fit {
		redirect(w, r, "/staff/health", "今日健康打卡已记录：体温 "+c.Temperature()+" 摄氏度，无异常症状，可以正常上岗。")
		return
	}
	told := "办公室"
	if len(c.Notified) > 0 {
		told = strings.Join(c.Notified, "、")
	}
	msg := "今日健康打卡已记录：请居家休息，不要到岗，如症状加重请及时就医。"
	if len(c.Notified) > 0 || c.Version == 1 {
		msg += "已通知" + told + "。"
	}
	redirect(w, r, "/staff/health", msg)
}

type healthDayView struct {
	*protection.DayView
	Screenings []appointment.ScreeningRow
	Turned     int
}

func (s *Server) healthDay(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	d, err := s.Protection.Day(r.Context(), a, strings.TrimSpace(r.URL.Query().Get("date")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := healthDayView{DayView: d}
	if v.Screenings, err = s.Appointments.Screenings(r.Context(), a, d.Day); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, x := range v.Screenings {
		if !x.Passed {
			v.Turned++
		}
	}
	s.render(w, r, "health_day", &Page{Title: "工作人员健康情况 " + d.Day, Data: v})
}

type hallDutyView struct {
	Day    string
	Rounds []protection.Round
	Kinds  []codeName
}

func (s *Server) hallDutyView(r *http.Request) (*hallDutyView, error) {
	day := strings.TrimSpace(r.URL.Query().Get("date"))
	rounds, err := s.Protection.Rounds(r.Context(), actorFrom(r.Context()), day)
	if err != nil {
		return nil, err
	}
	if day == "" {
		day = s.Protection.Today()
	}
	v := &hallDutyView{Day: day, Rounds: rounds}
	for _, k := range protection.RoundKinds {
		v.Kinds = append(v.Kinds, codeName{k, protection.RoundName(k)})
	}
	return v, nil
}

func (s *Server) hallDuty(w http.ResponseWriter, r *http.Request) {
	v, err := s.hallDutyView(r)
	s.renderOrFail(w, r, "hall_duty", &Page{Title: "大厅值班记录", Data: v}, err)
}

func (s *Server) hallDutySubmit(w http.ResponseWriter, r *http.Request) {
	in := formInput(r)
	forUser := in.OptionalInt64("user_id", "值班人")
	err := in.Err()
	var x *protection.Round
	if err == nil {
		x, err = s.Protection.RecordRound(r.Context(), actorFrom(r.Context()), protection.RoundInput{ForUser: forUser,
			Kind: r.PostForm.Get("kind"), Area: r.PostForm.Get("area"), Note: r.PostForm.Get("note")})
	}
	if err != nil {
		v, verr := s.hallDutyView(r)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		s.renderForm(w, r, "hall_duty", &Page{Title: "大厅值班记录", Data: v}, err)
		return
	}
	redirect(w, r, "/staff/hall-duty", "已记录："+x.Area+" "+x.KindName()+"。")
}

// apptScreen records the counter's health screening of a booked visitor.
func (s *Server) apptScreen(w http.ResponseWriter, r *http.Request) {
	tenths, ok := protection.ParseTenths(r.PostForm.Get("temperature"))
	if !ok {
		tenths = 0 // the service names the field
	}
	res, err := s.Appointments.Screen(r.Context(), actorFrom(r.Context()), r.PathValue("code"),
		appointment.ScreenInput{Tenths: tenths, Cough: r.PostForm.Get("cough") == "yes"})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b := res.Booking
	if res.Passed {
		redirect(w, r, "/staff/appointments?date="+b.Day, "预约 "+b.Code+" 健康筛查通过，已登记为“已到场”。")
		return
	}
	msg := "预约 " + b.Code + " 健康筛查未通过，已劝离并取消预约、释放名额。请告知来访人：" + appointment.RemoteAdvice
	if res.Notified {
		msg += "（已向预约人发送消息）"
	}
	redirect(w, r, "/staff/appointments?date="+b.Day, msg)
}
