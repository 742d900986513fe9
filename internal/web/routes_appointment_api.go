package web

import (
	"net/http"

	"shebao/internal/appointment"
)

func (s *Server) apiApptServices(w http.ResponseWriter, r *http.Request) {
	list, err := s.Appointments.Services(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"items": list, "advice": appointment.Advice})
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
	if list == nil {
		list = []appointment.Slot{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"date": day, "service": r.URL.Query().Get("service"), "items": list})
}

func (s *Server) apiApptBook(w http.ResponseWriter, r *http.Request) {
	var in appointment.BookInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	b, err := s.Appointments.Book(r.Context(), actorFrom(r.Context()), in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, b)
}

func (s *Server) apiApptMine(w http.ResponseWriter, r *http.Request) {
	list, err := s.Appointments.Mine(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if list == nil {
		list = []appointment.Booking{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"items": list})
}

func (s *Server) apiApptGet(w http.ResponseWriter, r *http.Request) {
	b, err := s.Appointments.ByCode(r.Context(), actorFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, b)
}

func (s *Server) apiApptCancel(w http.ResponseWriter, r *http.Request) {
	b, err := s.Appointments.Cancel(r.Context(), actorFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, b)
}

func (s *Server) apiApptDay(w http.ResponseWriter, r *http.Request) {
	list, err := s.Appointments.DayList(r.Context(), actorFrom(r.Context()), s.dayParam(r))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if list == nil {
		list = []appointment.Booking{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"date": s.dayParam(r), "items": list})
}

func (s *Server) apiApptCreateSlots(w http.ResponseWriter, r *http.Request) {
	var in appointment.SlotsInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	res, err := s.Appointments.CreateSlots(r.Context(), actorFrom(r.Context()), in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, res)
}
