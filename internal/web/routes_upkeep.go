package web

import (
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/errs"
	"shebao/internal/upkeep"
)

// upkeepRoutes: retiree record upkeep — corrections raised from a
// retirement case (保险福利科) or by 个人账户科, the section's queue and its
// batches (prepare, second check, apply), and the retiree's own page.
func (s *Server) upkeepRoutes() []route {
	return []route{
		{"GET /staff/upkeep", s.staffRoute(s.upkeepQueue)},
		{"GET /staff/upkeep/new", s.staffRoute(s.upkeepForm)},
		{"POST /staff/upkeep/new", s.staffRoute(s.upkeepRaise)},
		{"GET /staff/upkeep/corrections/{id}", s.staffRoute(s.upkeepCorrection)},
		{"GET /staff/upkeep/corrections/{id}/evidence/{doc}", s.staffRoute(s.upkeepEvidence)},
		{"GET /staff/upkeep/batches", s.staffRoute(s.upkeepBatches)},
		{"POST /staff/upkeep/batches", s.staffRoute(s.upkeepBatchCreate)},
		{"GET /staff/upkeep/batches/{id}", s.staffRoute(s.upkeepBatch)},
		{"POST /staff/upkeep/batches/{id}/{action}", s.staffRoute(s.upkeepBatchAct)},
		{"GET /person/record-corrections", s.loggedIn(s.upkeepMine)},
	}
}

// upkeepQueueView is a page of the queue with its filter.
type upkeepQueueView struct {
	Items       []*upkeep.Correction
	Total       int
	Pager       pager
	Status, Q   string
	Statuses    map[string]string
	CanProcess  bool
	CanRaise    bool
	Confirm     []*upkeep.Correction // chosen, waiting for confirmation
	ConfirmNote string
}

func (s *Server) upkeepQueuePage(r *http.Request) (*Page, error) {
	a, q := actorFrom(r.Context()), r.URL.Query()
	page := pageParam(q)
	status := q.Get("status")
	if _, ok := q["status"]; !ok {
		status = upkeep.Pending
	}
	items, total, err := s.Upkeep.List(r.Context(), a, upkeep.Filter{Status: status, Query: q.Get("q"), Page: page})
	if err != nil {
		return nil, err
	}
	v := upkeepQueueView{Items: items, Total: total, Pager: newPager("/staff/upkeep", q, page, upkeep.PageSize, total),
		Status: status, Q: q.Get("q"), Statuses: upkeep.StatusNames(),
		CanProcess: upkeep.Can(a, upkeep.Process) == nil, CanRaise: upkeep.Can(a, upkeep.RaiseDirect) == nil}
	return &Page{Title: "退休人员缴费记录维护", Data: &v}, nil
}

func (s *Server) upkeepQueue(w http.ResponseWriter, r *http.Request) {
	p, err := s.upkeepQueuePage(r)
	s.renderOrFail(w, r, "upkeep_queue", p, err)
}

// upkeepFormView is the raise form: from a case or for an ID number.
type upkeepFormView struct {
	CaseNo string
	Paid   map[string]string
	Max    int
}

func (s *Server) upkeepFormPage(r *http.Request, form url.Values) *Page {
	caseNo := r.URL.Query().Get("case")
	if form != nil && form.Get("case_no") != "" {
		caseNo = form.Get("case_no")
	}
	return &Page{Title: "提请缴费记录维护", Form: form, Data: upkeepFormView{CaseNo: caseNo, Paid: upkeep.PaidNames(), Max: upkeep.MaxEvidence}}
}

func (s *Server) upkeepForm(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	action := upkeep.RaiseDirect
	if r.URL.Query().Get("case") != "" {
		action = upkeep.RaiseFromCase
	}
	if err := upkeep.Can(a, action); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "upkeep_new", s.upkeepFormPage(r, nil))
}

func (s *Server) upkeepRaise(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	in := upkeep.RaiseInput{CaseNo: f.Get("case_no"), IDNumber: f.Get("id_number"), From: f.Get("from"), To: f.Get("to"),
		Base: f.Get("base"), Paid: f.Get("paid"), Reason: f.Get("reason")}
	files, closeAll, err := formFiles(r, "evidence")
	defer closeAll()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, p := range files {
		in.Evidence = append(in.Evidence, upkeep.Upload{Name: p.Name, R: p.R})
	}
	c, err := s.Upkeep.Raise(r.Context(), actorFrom(r.Context()), in)
	if err == nil {
		msg := "已提请缴费记录维护 " + c.No + "，转个人账户科集中处理"
		if c.CaseNo != "" {
			redirect(w, r, "/staff/retirement/cases/"+url.PathEscape(c.CaseNo), msg)
			return
		}
		redirect(w, r, "/staff/upkeep/corrections/"+strconv.FormatInt(c.ID, 10), msg)
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	s.renderForm(w, r, "upkeep_new", s.upkeepFormPage(r, f), err)
}

func (s *Server) upkeepCorrection(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	c, err := s.Upkeep.Get(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type evidence struct {
		ID   int64
		Name string
	}
	var ev []evidence
	for _, d := range c.Evidence {
		name := "证明材料"
		if doc, err := s.Documents.Get(r.Context(), d); err == nil {
			name = doc.Name
		}
		ev = append(ev, evidence{d, name})
	}
	s.render(w, r, "upkeep_correction", &Page{Title: "缴费记录维护单 " + c.No, Data: map[string]any{"C": c, "Evidence": ev}})
}

func (s *Server) upkeepEvidence(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	doc, err := strconv.ParseInt(r.PathValue("doc"), 10, 64)
	if err != nil {
		s.pageNotFound(w, r)
		return
	}
	if err := s.Upkeep.EvidenceOf(r.Context(), actorFrom(r.Context()), id, doc); err != nil {
		s.fail(w, r, err)
		return
	}
	s.streamDocument(w, r, doc)
}

func (s *Server) upkeepBatches(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := pageParam(q)
	bs, total, err := s.Upkeep.Batches(r.Context(), actorFrom(r.Context()), page)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "upkeep_batches", &Page{Title: "缴费记录维护批次", Data: map[string]any{"Batches": bs, "Total": total,
		"Pager": newPager("/staff/upkeep/batches", q, page, upkeep.PageSize, total)}})
}

// upkeepBatchCreate: the ticked corrections are shown for confirmation,
// then gathered into a batch when confirmed.
func (s *Server) upkeepBatchCreate(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := upkeep.Can(a, upkeep.Process); err != nil {
		s.fail(w, r, err)
		return
	}
	in := formInput(r)
	ids := in.Int64s("ids", "维护单")
	if err := in.Err(); err != nil || len(ids) == 0 {
		if err == nil {
			err = errs.New(errs.Invalid, "no_ids", "请勾选要编入批次的维护单")
		}
		s.upkeepQueueWith(w, r, nil, err)
		return
	}
	if r.PostForm.Get("confirm") != "1" {
		var chosen []*upkeep.Correction
		for _, id := range ids {
			c, err := s.Upkeep.Get(r.Context(), a, id)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			chosen = append(chosen, c)
		}
		s.upkeepQueueWith(w, r, chosen, nil)
		return
	}
	b, err := s.Upkeep.CreateBatch(r.Context(), a, ids, r.PostForm.Get("note"))
	if err != nil {
		if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
			s.fail(w, r, err)
			return
		}
		s.upkeepQueueWith(w, r, nil, err)
		return
	}
	redirect(w, r, "/staff/upkeep/batches/"+strconv.FormatInt(b.ID, 10), "已编制批次 "+b.No+"（"+strconv.Itoa(b.Count)+" 张维护单），请由另一名经办人员复核")
}

// upkeepQueueWith shows the queue with the confirmation of chosen or an error.
func (s *Server) upkeepQueueWith(w http.ResponseWriter, r *http.Request, chosen []*upkeep.Correction, err error) {
	p, perr := s.upkeepQueuePage(r)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	v := p.Data.(*upkeepQueueView)
	v.Confirm, v.ConfirmNote = chosen, r.PostForm.Get("note")
	s.renderOrForm(w, r, "upkeep_queue", p, err)
}

func (s *Server) upkeepBatchPage(r *http.Request) (*Page, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	a := actorFrom(r.Context())
	b, err := s.Upkeep.Batch(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	mine := b.PreparedBy == a.UserID
	return &Page{Title: "缴费记录维护批次 " + b.No, Data: map[string]any{"B": b, "CanProcess": upkeep.Can(a, upkeep.Process) == nil,
		"Mine": mine}}, nil
}

func (s *Server) upkeepBatch(w http.ResponseWriter, r *http.Request) {
	p, err := s.upkeepBatchPage(r)
	s.renderOrFail(w, r, "upkeep_batch", p, err)
}

func (s *Server) upkeepBatchAct(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := upkeep.Can(a, upkeep.Process); err != nil {
		s.fail(w, r, err)
		return
	}
	id, version, err := idAndVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back, msg := "/staff/upkeep/batches/"+strconv.FormatInt(id, 10), ""
	switch r.PathValue("action") {
	case "check":
		_, err = s.Upkeep.Check(r.Context(), a, id, version)
		msg = "复核通过，可执行更正"
	case "apply":
		var b *upkeep.Batch
		if b, err = s.Upkeep.Apply(r.Context(), a, id); err == nil {
			msg = "已执行更正：批次 " + b.No + " 的缴费记录已更正，待遇重新核定情况见下表"
		}
	case "dissolve":
		err, msg, back = s.Upkeep.Dissolve(r.Context(), a, id, version), "已撤销批次，维护单退回待处理", "/staff/upkeep"
	default:
		s.pageNotFound(w, r)
		return
	}
	if err == nil {
		redirect(w, r, back, msg)
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden {
		s.fail(w, r, err)
		return
	}
	p, perr := s.upkeepBatchPage(r)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "upkeep_batch", p, err)
}

func (s *Server) upkeepMine(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Upkeep.Mine(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "upkeep_mine", &Page{Title: "我的缴费记录维护", Data: cs}, err)
}
