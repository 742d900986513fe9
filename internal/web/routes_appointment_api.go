package web

import (
	"net/http"

	"shebao/internal/appointment"
)

func (s *Server) apiApptServices(w http.ResponseWriter, r *http.Request) {
	list, err := s.Appointments.Services(r.Context())
	s.apiReply(w, r, http.StatusOK, map[string]any{"items": list, "advice": appointment.Advice}, err)
}

// apiApptSlots lists the open slots of ?date=; without a date, the days
// with open slots.
func (s *Server) apiApptSlots(w http.ResponseWriter, r *http.Request) {
	day := r.URL.Query().Get("date")
	if day == "" {
		days, err := s.Appointments.OpenDays(r.Context(), 60)
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, map[string]any{"days": days})
		return
	}
	list, err := s.Appointments.OpenSlots(r.Context(), day)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list = nonNil(list)
	s.writeJSON(w, http.StatusOK, map[string]any{"date": day, "service": r.URL.Query().Get("service"), "items": list})
}

func (s *Server) apiApptBook(w http.ResponseWriter, r *http.Request) {
	var in appointment.BookInput
	if !s.decoded(w, r, &in) {
		return
	}
	b, err := s.Appointments.Book(r.Context(), actorFrom(r.Context()), in)
	s.apiReply(w, r, http.StatusCreated, b, err)
}

func (s *Server) apiApptMine(w http.ResponseWriter, r *http.Request) {
	list, err := s.Appointments.Mine(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list = nonNil(list)
	s.writeJSON(w, http.StatusOK, map[string]any{"items": list})
}

func (s *Server) apiApptGet(w http.ResponseWriter, r *http.Request) {
	b, err := s.Appointments.ByCode(r.Context(), actorFrom(r.Context()), r.PathValue("code"))
	s.apiReply(w, r, http.StatusOK, b, err)
}

func (s *Server) apiApptCancel(w http.ResponseWriter, r *http.Request) {
	b, err := s.Appointments.Cancel(r.Context(), actorFrom(r.Context()), r.PathValue("code"))
	s.apiReply(w, r, http.StatusOK, b, err)
}

func (s *Server) apiApptDay(w http.ResponseWriter, r *http.Request) {
	list, err := s.Appointments.DayList(r.Context(), actorFrom(r.Context()), s.dayParam(r))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list = nonNil(list)
	s.writeJSON(w, http.StatusOK, map[string]any{"date": s.dayParam(r), "items": list})
}

func (s *Server) apiApptCreateSlots(w http.ResponseWriter, r *http.Request) {
	var in appointment.SlotsInput
	if !s.decoded(w, r, &in) {
		return
	}
	res, err := s.Appointments.CreateSlots(r.Context(), actorFrom(r.Context()), in)
	s.apiReply(w, r, http.StatusCreated, res, err)
}
