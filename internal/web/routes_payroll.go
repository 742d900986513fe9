package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/payroll"
)

// payrollView is the data of the payroll page.
type payrollView struct {
	Month  string
	Runs   []payroll.Run
	Report *payroll.Report
}

func (s *Server) payrollData(r *http.Request, month string) (*payrollView, error) {
	a := actorFrom(r.Context())
	m, err := clock.ParseMonth(month)
	if err != nil {
		m = clock.MonthOf(s.Clock.Now())
	}
	v := &payrollView{Month: m.String()}
	if v.Runs, err = s.Payroll.Runs(r.Context(), a, 12); err != nil {
		return nil, err
	}
	if v.Report, err = s.Payroll.Report(r.Context(), a, m); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) staffPayroll(w http.ResponseWriter, r *http.Request) {
	if err := payroll.MayRun(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.payrollData(r, r.URL.Query().Get("month"))
	s.renderOrFail(w, r, "payroll", &Page{Title: "月度养老金发放", Data: v}, err)
}

// staffPayrollRun starts a run and executes it in the background; the run
// page shows its progress.
func (s *Server) staffPayrollRun(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payroll.MayRun(a); err != nil {
		s.fail(w, r, err)
		return
	}
	month := strings.TrimSpace(r.PostFormValue("month"))
	m, perr := clock.ParseMonth(month)
	var run *payroll.Run
	err := perr
	if perr != nil {
		err = errs.Fields{{Field: "month", Message: "发放月份格式应为年-月，如 2024-02"}}.Err()
	} else {
		run, err = s.Payroll.Start(r.Context(), a, m)
	}
	if err != nil {
		v, verr := s.payrollData(r, month)
		if verr != nil {
			s.fail(w, r, err)
			return
		}
		s.renderForm(w, r, "payroll", &Page{Title: "月度养老金发放", Data: v}, err)
		return
	}
	go func() {
		if err := s.Payroll.Execute(context.WithoutCancel(r.Context()), a, run); err != nil {
			s.Log.Error("payroll run failed", "run", run.ID, "err", err)
		}
	}()
	redirect(w, r, "/staff/payroll/runs/"+strconv.FormatInt(run.ID, 10), "已开始生成"+m.Chinese()+"养老金")
}

func (s *Server) staffPayrollRunPage(w http.ResponseWriter, r *http.Request) {
	if err := payroll.MayRun(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	run, err := s.Payroll.GetRun(r.Context(), id)
	s.renderOrFail(w, r, "payroll_run", &Page{Title: "养老金发放进度", Data: run}, err)
}
