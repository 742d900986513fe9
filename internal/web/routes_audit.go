package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/errs"
)

// auditRoutes: the audit section's search of the audit log (审计日志), the
// detail of one entry, the hash-chain check, and their JSON twins.
func (s *Server) auditRoutes() []route {
	return []route{
		{"GET /staff/audit", s.auditList},
		{"GET /staff/audit/{seq}", s.auditDetail},
		{"POST /staff/audit/verify", s.auditVerify},
	}
}

// auditAPIRoutes lists the JSON endpoints of the audit log.
func (s *Server) auditAPIRoutes() []route {
	return []route{
		{"GET /api/v1/audit", s.apiAuditSearch},
		{"GET /api/v1/audit/{seq}", s.apiAuditGet},
		{"POST /api/v1/audit/verify", s.apiAuditVerify},
	}
}

// auditPageSize is the number of entries per page on the audit page.
const auditPageSize = 50

// auditRow is one entry as the pages show it.
type auditRow struct {
	audit.Record
	RoleName string
}

var roleNames = map[access.Role]string{
	access.RoleEmployer: "参保单位", access.RolePerson: "参保人", access.RoleStaff: "经办人员",
	access.RoleAdmin: "系统管理员", access.RoleAPI: "接口客户端", access.RoleHospital: "医院经办人员", "": "匿名",
}

// When is the entry's time in Shanghai, to the second.
func (r auditRow) When() string { return r.At.In(clock.Shanghai).Format("2006-01-02 15:04:05") }

// EntityLink lists every entry about the same object, or "" when the
// entity id was masked (a masked id finds nothing).
func (r auditRow) EntityLink() string {
	if r.EntityID == "" || strings.Contains(r.EntityID, "*") {
		return ""
	}
	return "/staff/audit?" + url.Values{"entity": {r.Entity}, "entity_id": {r.EntityID}}.Encode()
}

func newAuditRow(r audit.Record) auditRow {
	name, ok := roleNames[access.Role(r.ActorRole)]
	if !ok {
		name = r.ActorRole
	}
	return auditRow{Record: r, RoleName: name}
}

// auditListView is the data of the audit_list page.
type auditListView struct {
	Rows  []auditRow
	Total int64
	Pager pager
}

// auditQuery parses the search parameters shared by the page and the API:
// actor, action, entity, entity_id, from, to (YYYY-MM-DD, Shanghai dates),
// q (note text), and either page (from 1, pages of auditPageSize) or
// limit and offset.
func auditQuery(q url.Values) (audit.Filter, audit.Page, error) {
	f := audit.Filter{
		Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Entity: strings.TrimSpace(q.Get("entity")), EntityID: strings.TrimSpace(q.Get("entity_id")),
		Text: strings.TrimSpace(q.Get("q")),
	}
	var fe errs.Fields
	f.From = queryDate(q, "from", &fe)
	f.To = queryDate(q, "to", &fe)
	p := audit.Page{Limit: auditPageSize}
	if v := q.Get("limit"); v != "" {
		p.Limit = min(queryInt(v, "limit", "每页条数", &fe), audit.MaxLimit)
		if p.Limit == 0 {
			p.Limit = audit.DefaultLimit
		}
	}
	if v := q.Get("offset"); v != "" {
		p.Offset = queryInt(v, "offset", "起始位置", &fe)
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			fe.Add("page", "页码应为正整数")
			n = 1
		}
		p.Offset = (n - 1) * p.Limit
	}
	return f, p, fe.Err()
}

// queryDate reads a YYYY-MM-DD parameter; a bad one is added to fe.
func queryDate(q url.Values, field string, fe *errs.Fields) time.Time {
	v := strings.TrimSpace(q.Get(field))
	if v == "" {
		return time.Time{}
	}
	d, err := clock.ParseDate(v)
	if err != nil {
		fe.Add(field, "日期格式应为 年-月-日，例如 2024-02-10")
	}
	return d
}

// queryInt reads a non-negative integer parameter; a bad one is added to fe.
func queryInt(v, field, label string, fe *errs.Fields) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		fe.Add(field, label+"应为不小于 0 的整数")
		return 0
	}
	return n
}

func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	q := r.URL.Query()
	p := &Page{Title: "审计日志", Form: q, Data: auditListView{Rows: []auditRow{}}}
	f, pg, err := auditQuery(q)
	if err != nil {
		s.auditFormError(w, r, a, p, err)
		return
	}
	recs, total, err := s.Audit.Search(r.Context(), a, f, pg)
	if err != nil {
		s.auditFormError(w, r, a, p, err)
		return
	}
	p.Data = auditListView{Rows: auditRows(recs), Total: total,
		Pager: newPager("/staff/audit", q, pg.Offset/pg.Limit+1, pg.Limit, int(total))}
	s.render(w, r, "audit_list", p)
}

// auditFormError shows field errors next to the filters, but only to those
// who may search; others get the login page or the error page.
func (s *Server) auditFormError(w http.ResponseWriter, r *http.Request, a *access.Actor, p *Page, err error) {
	if authErr := a.RequireSection(access.Audit); authErr != nil {
		s.fail(w, r, authErr)
		return
	}
	if errs.KindOf(err) == errs.Invalid {
		s.renderForm(w, r, "audit_list", p, err)
		return
	}
	s.fail(w, r, err)
}

func auditRows(recs []audit.Record) []auditRow {
	rows := make([]auditRow, len(recs))
	for i, rec := range recs {
		rows[i] = newAuditRow(rec)
	}
	return rows
}

// auditSeq reads the {seq} path value; a bad one is a NotFound.
func auditSeq(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || n < 1 {
		return 0, errs.NotFoundf("没有这条审计记录")
	}
	return n, nil
}

func (s *Server) auditDetail(w http.ResponseWriter, r *http.Request) {
	seq, err := auditSeq(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec, err := s.Audit.Get(r.Context(), actorFrom(r.Context()), seq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "audit_detail", &Page{Title: "审计记录 第 " + strconv.FormatInt(seq, 10) + " 条", Data: newAuditRow(rec)})
}

func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request) {
	res, err := s.Audit.VerifyFor(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !res.OK() {
		s.Log.WarnContext(r.Context(), "audit chain broken", "first_bad", res.FirstBad, "checked", res.Checked)
	}
	s.render(w, r, "audit_verify", &Page{Title: "哈希链校验结果", Data: res})
}

// auditSearchResult is the JSON body of GET /api/v1/audit.
type auditSearchResult struct {
	Items  []audit.Record `json:"items"`
	Total  int64          `json:"total"`
	Limit  int            `json:"limit"`
	Offset int            `json:"offset"`
}

func (s *Server) apiAuditSearch(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	f, pg, err := auditQuery(r.URL.Query())
	if err != nil {
		if authErr := a.RequireSection(access.Audit); authErr != nil {
			err = authErr
		}
		s.apiFail(w, r, err)
		return
	}
	recs, total, err := s.Audit.Search(r.Context(), a, f, pg)
	s.apiReply(w, r, http.StatusOK, auditSearchResult{Items: recs, Total: total, Limit: pg.Limit, Offset: pg.Offset}, err)
}

func (s *Server) apiAuditGet(w http.ResponseWriter, r *http.Request) {
	seq, err := auditSeq(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	rec, err := s.Audit.Get(r.Context(), actorFrom(r.Context()), seq)
	s.apiReply(w, r, http.StatusOK, rec, err)
}

func (s *Server) apiAuditVerify(w http.ResponseWriter, r *http.Request) {
	res, err := s.Audit.VerifyFor(r.Context(), actorFrom(r.Context()))
	s.apiReply(w, r, http.StatusOK, res, err)
}
