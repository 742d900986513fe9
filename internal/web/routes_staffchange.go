package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/staffchange"
)

// staffChangeRoutes: employers' staff increases and decreases (人员增减),
// Excel import, and 统筹科's queue of two-employer conflicts.
func (s *Server) staffChangeRoutes() []route {
	return []route{
		{"GET /employer/staff", s.staffList},
		{"GET /employer/staff/add", s.staffAddForm},
		{"POST /employer/staff/add", s.staffAddSubmit},
		{"GET /employer/staff/template.xlsx", s.staffTemplate},
		{"GET /employer/staff/import", s.staffImportForm},
		{"POST /employer/staff/import", s.staffImportSubmit},
		{"GET /employer/staff/import/{id}/report.xlsx", s.staffImportReport},
		{"GET /employer/staff/{id}", s.staffDetail},
		{"GET /employer/staff/{id}/remove", s.staffRemoveForm},
		{"POST /employer/staff/{id}/remove", s.staffRemoveSubmit},
		{"GET /employer/staff/{id}/base", s.staffBaseForm},
		{"POST /employer/staff/{id}/base", s.staffBaseSubmit},

		{"GET /staff/staff-conflicts", s.staffConflictQueue},
		{"GET /staff/staff-conflicts/{id}", s.staffConflictDetail},
		{"POST /staff/staff-conflicts/{id}/resolve", s.staffConflictResolve},
		{"POST /staff/staff-conflicts/{id}/reject", s.staffConflictReject},

		{"GET /api/v1/employers/me/staff", s.apiStaffList},
		{"POST /api/v1/employers/me/staff", s.apiStaffAdd},
		{"POST /api/v1/employers/me/staff/{id}/remove", s.apiStaffRemove},
		{"POST /api/v1/employers/me/staff/import", s.apiStaffImport},
	}
}

// staffListView is the data of the staff list page.
type staffListView struct {
	Staff     []staffchange.Staff
	Total     int
	Q         string
	All       bool
	Pager     pager
	Conflicts []staffchange.Conflict
}

func (s *Server) staffList(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	emp, err := ownEmployerID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := staffchange.Filter{Q: q.Get("q"), All: q.Get("all") == "1"}
	page := pageParam(q)
	list, total, err := s.StaffChanges.List(r.Context(), a, emp, f, page, staffchange.PageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := s.StaffChanges.EmployerConflicts(r.Context(), a, emp)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := staffListView{Staff: list, Total: total, Q: f.Q, All: f.All, Conflicts: cs,
		Pager: newPager(r.URL.Path, q, page, staffchange.PageSize, total)}
	s.render(w, r, "staff_change_list", &Page{Title: "参保人员", Data: v})
}

// staffAddView is the data of the add form.
type staffAddView struct {
	Held bool // the person is insured elsewhere: offer coordination
}

func (s *Server) staffAddForm(w http.ResponseWriter, r *http.Request) {
	if _, err := ownEmployerID(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	p := &Page{Title: "增员", Data: staffAddView{}, Form: url.Values{"start_month": {s.Clock.Now().In(clock.Shanghai).Format("2006-01")}}}
	s.render(w, r, "staff_change_add", p)
}

func staffAddInput(r *http.Request) staffchange.AddInput {
	return staffchange.AddInput{IDNumber: r.PostFormValue("id_number"), Name: r.PostFormValue("name"),
		StartMonth: r.PostFormValue("start_month"), Wage: r.PostFormValue("wage"), Phone: r.PostFormValue("phone"),
		Note: r.PostFormValue("note")}
}

func (s *Server) staffAddSubmit(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	emp, err := ownEmployerID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &Page{Title: "增员", Data: staffAddView{}}
	in := staffAddInput(r)
	if r.PostFormValue("coordinate") == "1" {
		if _, err := s.StaffChanges.RequestCoordination(r.Context(), a, emp, in); err != nil {
			e := errs.As(err)
			p.Data = staffAddView{Held: e == nil || e.Code != "not_held"}
			s.renderForm(w, r, "staff_change_add", p, err)
			return
		}
		redirect(w, r, "/employer/staff", "已向统筹科提交协调申请，处理结果将在本页显示")
		return
	}
	res, err := s.StaffChanges.Add(r.Context(), a, emp, in)
	if err != nil {
		if e := errs.As(err); e != nil && e.Code == "held_by_other" {
			p.Data = staffAddView{Held: true}
		}
		s.renderForm(w, r, "staff_change_add", p, err)
		return
	}
	msg := "增员成功：" + res.Staff.Name + "，" + res.Staff.StartMonth + " 起参保，缴费基数 " + res.Staff.Base.String() + " 元"
	if res.Note != "" {
		msg += "（" + res.Note + "）"
	}
	for _, f := range res.Flags {
		msg += "；" + staffchange.FlagName(f)
	}
	redirect(w, r, "/employer/staff/"+strconv.FormatInt(res.Staff.EmploymentID, 10), msg)
}

// staffDetailView is the data of the staff detail, remove and base pages.
type staffDetailView struct {
	Staff   *staffchange.Staff
	History []staffchange.Change
	Reasons []string
	Confirm bool // the removal is waiting for confirmation
}

// ownStaff loads the employment {id} of the actor's employer.
func (s *Server) ownStaff(r *http.Request) (*staffchange.Staff, int64, error) {
	a := actorFrom(r.Context())
	emp, err := ownEmployerID(a)
	if err != nil {
		return nil, 0, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, 0, err
	}
	st, err := s.StaffChanges.Get(r.Context(), a, emp, id)
	return st, emp, err
}

func (s *Server) staffDetail(w http.ResponseWriter, r *http.Request) {
	st, emp, err := s.ownStaff(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.StaffChanges.History(r.Context(), actorFrom(r.Context()), emp, st.EmploymentID)
	s.renderOrFail(w, r, "staff_change_detail", &Page{Title: "参保人员 " + st.Name, Data: staffDetailView{Staff: st, History: h}}, err)
}

func (s *Server) staffRemoveForm(w http.ResponseWriter, r *http.Request) {
	st, _, err := s.ownStaff(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &Page{Title: "减员", Data: staffDetailView{Staff: st, Reasons: staffchange.Reasons},
		Form: url.Values{"end_month": {s.Clock.Now().In(clock.Shanghai).Format("2006-01")}}}
	s.render(w, r, "staff_change_remove", p)
}

func (s *Server) staffRemoveSubmit(w http.ResponseWriter, r *http.Request) {
	st, emp, err := s.ownStaff(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := staffDetailView{Staff: st, Reasons: staffchange.Reasons}
	p := &Page{Title: "减员", Data: v}
	form := formInput(r)
	version := form.OptionalVersion()
	if err := form.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	in := staffchange.RemoveInput{EndMonth: r.PostFormValue("end_month"), Reason: r.PostFormValue("reason"), Version: version}
	if r.PostFormValue("confirm") != "1" {
		// First step: check the input, then ask for confirmation.
		if err := s.StaffChanges.CheckRemove(in); err != nil {
			s.renderForm(w, r, "staff_change_remove", p, err)
			return
		}
		v.Confirm = true
		p.Data, p.Form = v, r.PostForm
		s.render(w, r, "staff_change_remove", p)
		return
	}
	done, err := s.StaffChanges.Remove(r.Context(), actorFrom(r.Context()), emp, st.EmploymentID, in)
	if err != nil {
		s.renderForm(w, r, "staff_change_remove", p, err)
		return
	}
	redirect(w, r, "/employer/staff", "减员成功："+done.Name+" 参保至 "+done.EndMonth+"（"+done.EndReason+"）")
}

func (s *Server) staffBaseForm(w http.ResponseWriter, r *http.Request) {
	st, _, err := s.ownStaff(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &Page{Title: "基数更正", Data: staffDetailView{Staff: st},
		Form: url.Values{"month": {s.Clock.Now().In(clock.Shanghai).Format("2006-01")}}}
	s.render(w, r, "staff_change_base", p)
}

func (s *Server) staffBaseSubmit(w http.ResponseWriter, r *http.Request) {
	st, emp, err := s.ownStaff(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := formInput(r)
	version := form.OptionalVersion()
	if err := form.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	in := staffchange.BaseInput{Month: r.PostFormValue("month"), Wage: r.PostFormValue("wage"),
		Reason: r.PostFormValue("reason"), Version: version}
	res, err := s.StaffChanges.CorrectBase(r.Context(), actorFrom(r.Context()), emp, st.EmploymentID, in)
	if err != nil {
		s.renderForm(w, r, "staff_change_base", &Page{Title: "基数更正", Data: staffDetailView{Staff: st}}, err)
		return
	}
	msg := "基数已更正：" + res.Clamp.Month + " 起按 " + res.Staff.Base.String() + " 元缴费"
	if res.Note != "" {
		msg += "（" + res.Note + "）"
	}
	redirect(w, r, "/employer/staff/"+strconv.FormatInt(st.EmploymentID, 10), msg)
}

func (s *Server) staffTemplate(w http.ResponseWriter, r *http.Request) {
	if _, err := ownEmployerID(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := staffchange.Template(&b, s.Clock.Now().In(clock.Shanghai)); err != nil {
		s.fail(w, r, errs.Wrap(err, "staff template"))
		return
	}
	staffXLSX(w, "人员增减导入模板.xlsx", b.Bytes())
}

// staffXLSX sends an Excel file as a download.
func staffXLSX(w http.ResponseWriter, name string, body []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"staff.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}

// staffUpload reads the "file" part of a parsed multipart form, at most
// one byte over the limit (so an oversize file is recognised).
func staffUpload(r *http.Request) (string, []byte, error) {
	return uploadedFile(r, staffchange.MaxFileSize, "请选择要上传的 Excel 文件（.xlsx）")
}
