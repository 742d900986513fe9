package web

import (
	"net/http"
	"time"

	"shebao/internal/errs"
	"shebao/internal/notify"
)

// channelAPIRoutes lists the JSON endpoints of the inbox and the outbox.
func (s *Server) channelAPIRoutes() []route {
	return []route{
		{"GET /api/v1/messages", s.apiInbox},
		{"POST /api/v1/messages/read", s.apiInboxRead},
		{"GET /api/v1/outbox", s.apiOutbox},
		{"POST /api/v1/outbox/{id}/retry", s.apiOutboxRetry},
	}
}

type apiMessage struct {
	ID        int64      `json:"id"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	Kind      string     `json:"kind"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request) {
	msgs, unread, err := s.Notify.Inbox(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiMessage, len(msgs))
	for i, m := range msgs {
		out[i] = apiMessage{ID: m.ID, Subject: m.Subject, Body: m.Body, Kind: m.Kind, CreatedAt: m.CreatedAt}
		if !m.ReadAt.IsZero() {
			t := m.ReadAt
			out[i].ReadAt = &t
		}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"unread": unread, "messages": out})
}

func (s *Server) apiInboxRead(w http.ResponseWriter, r *http.Request) {
	if err := s.Notify.MarkAllRead(r.Context(), actorFrom(r.Context())); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"unread": 0})
}

type apiOutboxItem struct {
	ID            int64      `json:"id"`
	Channel       string     `json:"channel"`
	Recipient     string     `json:"recipient"` // masked
	Subject       string     `json:"subject"`
	Kind          string     `json:"kind"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastError     string     `json:"last_error"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at"`
}

// apiOutbox lists the outbox: status, channel, limit (≤ 200), offset.
func (s *Server) apiOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var fe errs.Fields
	f := notify.Filter{Status: notify.Status(q.Get("status")), Channel: notify.Channel(q.Get("channel"))}
	if v := q.Get("limit"); v != "" {
		f.Limit = queryInt(v, "limit", "每页条数", &fe)
	}
	if v := q.Get("offset"); v != "" {
		f.Offset = queryInt(v, "offset", "起始位置", &fe)
	}
	if err := fe.Err(); err != nil {
		s.apiFail(w, r, err)
		return
	}
	items, total, err := s.Notify.List(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiOutboxItem, len(items))
	for i, it := range items {
		out[i] = apiOutboxItem{ID: it.ID, Channel: string(it.Channel), Recipient: it.Recipient, Subject: it.Subject,
			Kind: it.Kind, Status: string(it.Status), Attempts: it.Attempts, NextAttemptAt: it.NextAttemptAt,
			LastError: it.LastError, CreatedAt: it.CreatedAt}
		if !it.SentAt.IsZero() {
			t := it.SentAt
			out[i].SentAt = &t
		}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"total": total, "items": out})
}

func (s *Server) apiOutboxRetry(w http.ResponseWriter, r *http.Request) {
	id, err := channelID(r, "待发消息")
	if err == nil {
		err = s.Notify.Retry(r.Context(), actorFrom(r.Context()), id)
	}
	s.apiReply(w, r, http.StatusOK, map[string]any{"id": id, "status": string(notify.Pending)}, err)
}
