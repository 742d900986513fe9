package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"shebao/internal/errs"
	"shebao/internal/staffchange"
)

// staffImportView is the data of the import page.
type staffImportView struct {
	Report  *staffchange.ImportReport
	Imports []staffchange.ImportReport
	MaxMB   int
	MaxRows int
}

func (s *Server) staffImportPage(r *http.Request, emp int64, rep *staffchange.ImportReport) (*Page, error) {
	list, err := s.StaffChanges.Imports(r.Context(), actorFrom(r.Context()), emp)
	if err != nil {
		return nil, err
	}
	return &Page{Title: "批量导入人员增减", Data: staffImportView{Report: rep, Imports: list,
		MaxMB: staffchange.MaxFileSize >> 20, MaxRows: staffchange.MaxRows}}, nil
}

func (s *Server) staffImportForm(w http.ResponseWriter, r *http.Request) {
	emp, err := ownEmployerID(actorFrom(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.staffImportPage(r, emp, nil)
	s.renderOrFail(w, r, "staff_change_import", p, err)
}

func (s *Server) staffImportSubmit(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	emp, err := ownEmployerID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.staffImportPage(r, emp, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, data, err := staffUpload(r)
	if err == nil {
		var rep *staffchange.ImportReport
		if rep, err = s.StaffChanges.Import(r.Context(), a, emp, name, data); err == nil {
			if p, err = s.staffImportPage(r, emp, rep); err != nil {
				s.fail(w, r, err)
				return
			}
			status := http.StatusOK
			if !rep.Applied() {
				status = http.StatusUnprocessableEntity
			}
			s.renderStatus(w, r, "staff_change_import", status, p)
			return
		}
	}
	s.renderForm(w, r, "staff_change_import", p, err)
}

func (s *Server) staffImportReport(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	emp, err := ownEmployerID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	rep, err := s.StaffChanges.ImportReportOf(r.Context(), a, emp, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := staffchange.WriteReport(&b, rep); err != nil {
		s.fail(w, r, errs.Wrap(err, "import report"))
		return
	}
	staffXLSX(w, "导入结果-"+strconv.FormatInt(rep.ID, 10)+".xlsx", b.Bytes())
}

// staffConflictQueueView is the data of 统筹科's conflict queue.
type staffConflictQueueView struct {
	Conflicts []staffchange.Conflict
	Status    string
}

func (s *Server) staffConflictQueue(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	switch status {
	case "":
		status = staffchange.ConflictOpen
	case "all":
		status = ""
	}
	cs, err := s.StaffChanges.Conflicts(r.Context(), actorFrom(r.Context()), status)
	s.renderOrFail(w, r, "staff_change_conflicts", &Page{Title: "参保冲突协调", Data: staffConflictQueueView{Conflicts: cs, Status: status}}, err)
}

func (s *Server) staffConflictPage(r *http.Request) (*Page, *staffchange.Conflict, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.StaffChanges.Conflict(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return nil, nil, err
	}
	return &Page{Title: "协调申请：" + c.Name + "（" + c.EmployerName + "申请增员）", Data: c}, c, nil
}

func (s *Server) staffConflictDetail(w http.ResponseWriter, r *http.Request) {
	p, c, err := s.staffConflictPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Form = map[string][]string{"end_month": {staffMonthBefore(c.StartMonth)}}
	s.render(w, r, "staff_change_conflict", p)
}

// staffMonthBefore returns the month before m ('YYYY-MM').
func staffMonthBefore(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return ""
	}
	return t.AddDate(0, -1, 0).Format("2006-01")
}

func (s *Server) staffConflictResolve(w http.ResponseWriter, r *http.Request) {
	s.staffConflictDecide(w, r, true)
}
func (s *Server) staffConflictReject(w http.ResponseWriter, r *http.Request) {
	s.staffConflictDecide(w, r, false)
}

func (s *Server) staffConflictDecide(w http.ResponseWriter, r *http.Request, resolve bool) {
	p, c, err := s.staffConflictPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := actorFrom(r.Context())
	version, err := formVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "已驳回协调申请"
	if resolve {
		_, err = s.StaffChanges.ResolveConflict(r.Context(), a, c.ID, version, r.PostFormValue("end_month"), r.PostFormValue("note"))
		msg = "已协调：原单位参保终止，新单位增员完成"
	} else {
		_, err = s.StaffChanges.RejectConflict(r.Context(), a, c.ID, version, r.PostFormValue("note"))
	}
	if err != nil {
		s.renderForm(w, r, "staff_change_conflict", p, err)
		return
	}
	redirect(w, r, "/staff/staff-conflicts/"+strconv.FormatInt(c.ID, 10), msg)
}
