package web

import (
	"net/http"

	"shebao/internal/idempotency"
	"shebao/internal/injury"
)

// injuryBenefitAPIRoutes: the HR bureau pushes recognition decisions; a
// hospital settles COVID inpatient stays directly, files continued-treatment
// forms and reads its own settlements, forms and payout lines.
func (s *Server) injuryBenefitAPIRoutes() []route {
	return []route{
		{"POST /api/v1/injury/recognitions", s.loggedIn(s.apiInjuryDecision)},
		{"POST /api/v1/injury/settlements", s.loggedIn(s.apiInjurySettle)},
		{"GET /api/v1/injury/settlements", s.loggedIn(s.apiInjurySettlements)},
		{"GET /api/v1/injury/settlements/{no}", s.loggedIn(s.apiInjurySettlement)},
		{"POST /api/v1/injury/continued-treatments", s.loggedIn(s.apiInjuryContinued)},
		{"GET /api/v1/injury/continued-treatments", s.loggedIn(s.apiInjuryContinuedList)},
		{"GET /api/v1/injury/payouts", s.loggedIn(s.apiInjuryPayouts)},
	}
}

func (s *Server) apiInjuryDecision(w http.ResponseWriter, r *http.Request) {
	var in injury.RecognitionRecordInput
	if !s.decoded(w, r, &in) {
		return
	}
	rec, err := s.Injury.RecordDecision(r.Context(), actorFrom(r.Context()), in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"id": rec.ID, "decision_no": rec.DecisionNo,
		"worker_id_masked": rec.PersonIDMask, "result": rec.Result, "category": rec.Category, "insured": rec.Insured,
		"late": rec.Late, "late_note": rec.LateNote})
}

func (s *Server) apiInjurySettle(w http.ResponseWriter, r *http.Request) {
	var in injury.SettlementInput
	if !s.decoded(w, r, &in) {
		return
	}
	in.IdempotencyKey = r.Header.Get(idempotency.Header)
	ans, replayed, err := s.Injury.Settle(r.Context(), actorFrom(r.Context()), in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeCreated(w, replayed, ans)
}

func (s *Server) apiInjurySettlements(w http.ResponseWriter, r *http.Request) {
	list, err := s.Injury.Settlements(r.Context(), actorFrom(r.Context()), pageParam(r.URL.Query()))
	s.apiReply(w, r, http.StatusOK, map[string]any{"settlements": nonNil(list), "page": pageParam(r.URL.Query())}, err)
}

func (s *Server) apiInjurySettlement(w http.ResponseWriter, r *http.Request) {
	x, err := s.Injury.SettlementByNo(r.Context(), actorFrom(r.Context()), r.PathValue("no"))
	s.apiReply(w, r, http.StatusOK, x, err)
}

func (s *Server) apiInjuryContinued(w http.ResponseWriter, r *http.Request) {
	var in injury.ContinuedInput
	if !s.decoded(w, r, &in) {
		return
	}
	c, err := s.Injury.FileContinued(r.Context(), actorFrom(r.Context()), in)
	s.apiReply(w, r, http.StatusCreated, c, err)
}

func (s *Server) apiInjuryContinuedList(w http.ResponseWriter, r *http.Request) {
	list, err := s.Injury.ContinuedForms(r.Context(), actorFrom(r.Context()), r.URL.Query().Get("status"), pageParam(r.URL.Query()))
	s.apiReply(w, r, http.StatusOK, map[string]any{"forms": nonNil(list), "page": pageParam(r.URL.Query())}, err)
}

func (s *Server) apiInjuryPayouts(w http.ResponseWriter, r *http.Request) {
	list, err := s.Injury.Payables(r.Context(), actorFrom(r.Context()), r.URL.Query().Get("source"), pageParam(r.URL.Query()))
	s.apiReply(w, r, http.StatusOK, map[string]any{"payouts": nonNil(list), "page": pageParam(r.URL.Query())}, err)
}
