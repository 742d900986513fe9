package web

import (
	"net/http"
	"net/url"
	"strings"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/errs"
	"shebao/internal/retirement"
)

// qualClerkView is 保险福利科's record of a qualification form an employer
// sent by phone, e-mail or post: from a mail draft (its attachments to
// choose the scan from) or with the scan uploaded.
type qualClerkView struct {
	Draft    *casework.View
	Docs     []selfDoc
	Channels []codeName
}

func (s *Server) qualClerkPage(r *http.Request, form url.Values) (*Page, error) {
	a := actorFrom(r.Context())
	if err := a.RequireSection(access.Welfare); err != nil {
		return nil, err
	}
	v := qualClerkView{Channels: caseChannels(retirement.ClerkChannels)}
	var err error
	if v.Draft, v.Docs, err = s.draftScans(r, a, form.Get("draft")); err != nil {
		return nil, err
	}
	return &Page{Title: "登记退休资格确认表", Data: v, Form: form}, nil
}

func (s *Server) qualClerkForm(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "retire_clerk", s.qualClerkPage, r.URL.Query())
}

// qualClerkSubmit records the form: the employer found by its number or
// credit code, the scan from the draft or uploaded.
func (s *Server) qualClerkSubmit(w http.ResponseWriter, r *http.Request) {
	a, f := actorFrom(r.Context()), r.PostForm
	if err := a.RequireSection(access.Welfare); err != nil {
		s.fail(w, r, err)
		return
	}
	in := retirement.QualInput{IDNumber: f.Get("id_number"), Category: f.Get("category"), DeemedMonths: f.Get("deemed_months"),
		Contact: f.Get("contact"), Phone: f.Get("phone"), Channel: f.Get("channel"), ReceivedAt: f.Get("received_at")}
	fin := formInput(r)
	in.ScanDocID = fin.OptionalInt64("scan", "表格扫描件")
	err := fin.Err()
	if err == nil {
		in.EmployerID, err = s.employerByNo(r, f.Get("employer_no"))
	}
	if err == nil && in.ScanDocID == 0 {
		in.ScanDocID, err = s.uploadedScan(r)
	}
	var q *retirement.Qualification
	if err == nil {
		q, err = s.Retirement.SubmitQualification(r.Context(), a, in)
	}
	if err == nil {
		redirect(w, r, "/staff/retirement/qualifications/"+url.PathEscape(q.No), "已登记退休资格确认表 "+q.No+"，待审批")
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	p, perr := s.qualClerkPage(r, f)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "retire_clerk", p, err)
}

// employerByNo finds the one employer of a number or credit code.
func (s *Server) employerByNo(r *http.Request, no string) (int64, error) {
	no = strings.TrimSpace(no)
	var f errs.Fields
	if no == "" {
		f.Add("employer_no", "请填写报送表格的参保单位编号或统一社会信用代码")
		return 0, f.Err()
	}
	m, err := s.Employers.Search(r.Context(), actorFrom(r.Context()), no, 1)
	if err != nil || m == nil || len(m.Items) != 1 {
		f.Add("employer_no", "未找到该参保单位，请核对单位编号或统一社会信用代码")
		return 0, f.Err()
	}
	return m.Items[0].ID, nil
}

// uploadedScan stores the uploaded scan of the form (required without a draft).
func (s *Server) uploadedScan(r *http.Request) (int64, error) {
	id, err := s.storeUpload(r, actorFrom(r.Context()), "scan_file")
	if err == nil && id == 0 {
		var f errs.Fields
		f.Add("scan", "请上传表格扫描件（JPEG、PNG 或 PDF），或从邮件附件中选择")
		return 0, f.Err()
	}
	return id, err
}
