package web

import (
	"bytes"
	"net/http"
	"strconv"

	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/errs"
)

// recordRoutes: 统筹科 imports historical contribution records (from
// before Shebao) from an Excel or CSV file, all or nothing with a report.
func (s *Server) recordRoutes() []route {
	return []route{
		{"GET /staff/contribution-records", s.recordImportForm},
		{"POST /staff/contribution-records", s.recordImportSubmit},
		{"GET /staff/contribution-records/template.xlsx", s.recordTemplate},
		{"GET /staff/contribution-records/{id}/report.xlsx", s.recordImportReport},
	}
}

// recordImportView is the data of the import page.
type recordImportView struct {
	Report  *contribution.RecordImport
	Imports []contribution.RecordImport
	MaxMB   int
	MaxRows int
	First   string
}

func (s *Server) recordImportPage(r *http.Request, rep *contribution.RecordImport) (*Page, error) {
	list, err := s.Contribution.RecordImports(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	return &Page{Title: "导入历史缴费记录", Data: recordImportView{Report: rep, Imports: list,
		MaxMB: contribution.RecordMaxBytes >> 20, MaxRows: contribution.RecordMaxRows, First: contribution.FirstRecordMonth}}, nil
}

func (s *Server) recordImportForm(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "record_import", s.recordImportPage, nil)
}

func (s *Server) recordImportSubmit(w http.ResponseWriter, r *http.Request) {
	p, err := s.recordImportPage(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, data, err := uploadedFile(r, contribution.RecordMaxBytes, "请选择要上传的 Excel 表格（.xlsx）或逗号分隔文本（.csv）")
	if err == nil {
		var rep *contribution.RecordImport
		if rep, err = s.Contribution.ImportRecords(r.Context(), actorFrom(r.Context()), name, data); err == nil {
			if p, err = s.recordImportPage(r, rep); err != nil {
				s.fail(w, r, err)
				return
			}
			status := http.StatusOK
			if !rep.Applied() {
				status = http.StatusUnprocessableEntity
			}
			s.renderStatus(w, r, "record_import", status, p)
			return
		}
	}
	s.renderForm(w, r, "record_import", p, err)
}

func (s *Server) recordTemplate(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Contribution.RecordImports(r.Context(), actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := contribution.RecordTemplate(clock.Today(s.Clock)).Write(&b); err != nil {
		s.fail(w, r, errs.Wrap(err, "record template"))
		return
	}
	staffXLSX(w, "历史缴费记录导入模板.xlsx", b.Bytes())
}

func (s *Server) recordImportReport(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	rep, err := s.Contribution.RecordImportOf(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := rep.Report().Write(&b); err != nil {
		s.fail(w, r, errs.Wrap(err, "record import report"))
		return
	}
	staffXLSX(w, "历史缴费记录导入结果-"+strconv.FormatInt(rep.ID, 10)+".xlsx", b.Bytes())
}
