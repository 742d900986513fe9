package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/injury"
	"shebao/internal/money"
	"shebao/internal/pdfdoc"
)

// injuryBenefitRoutes: the pages of 工伤保险待遇科's benefit line
// (recognitions, appraisals, own wage, claims and their review, the COVID
// covered list, the continued-treatment register, settlements, uninsured
// employers for 统筹科), the employer's claim form, the decision letter
// and its public check.
func (s *Server) injuryBenefitRoutes() []route {
	return []route{
		{"GET /staff/injury/benefits", s.staffRoute(s.injuryBenefitsHome)},
		{"GET /staff/injury/recognitions/new", s.staffRoute(s.injuryRecognitionForm)},
		{"POST /staff/injury/recognitions/new", s.staffRoute(s.injuryRecognitionSubmit)},
		{"GET /staff/injury/recognitions/{id}", s.staffRoute(s.injuryRecognitionPage)},
		{"POST /staff/injury/recognitions/{id}/appraisals", s.staffRoute(s.injuryAppraisalSubmit)},
		{"POST /staff/injury/appraisals/{id}/reappraisal", s.staffRoute(s.injuryReappraisalSubmit)},
		{"POST /staff/injury/recognitions/{id}/own-wage", s.staffRoute(s.injuryOwnWageSubmit)},
		{"POST /staff/injury/recognitions/{id}/claims", s.staffRoute(s.injuryClaimSubmit)},
		{"GET /staff/injury/claims/{id}", s.staffRoute(s.injuryClaimPage)},
		{"POST /staff/injury/claims/{id}/review", s.staffRoute(s.injuryClaimReview)},
		{"POST /staff/injury/claims/{id}/items", s.staffRoute(s.injuryClaimItems)},
		{"POST /staff/injury/claims/{id}/complete", s.staffRoute(s.injuryClaimComplete)},
		{"POST /staff/injury/claims/{id}/check", s.staffRoute(s.injuryClaimCheck)},
		{"POST /staff/injury/claims/{id}/stop", s.staffRoute(s.injuryClaimStop)},
		{"GET /staff/injury/continued", s.staffRoute(s.injuryContinuedPage)},
		{"GET /staff/injury/settlements", s.staffRoute(s.injurySettlementsPage)},
		{"GET /staff/injury/covid-items", s.staffRoute(s.injuryCovidPage)},
		{"POST /staff/injury/covid-items", s.staffRoute(s.injuryCovidAdd)},
		{"POST /staff/injury/covid-items/{id}/end", s.staffRoute(s.injuryCovidEnd)},
		{"GET /staff/injury/uninsured", s.staffRoute(s.injuryUninsuredPage)},
		{"POST /staff/cases/{no}/confirm-claim", s.staffRoute(s.injuryConfirmClaim)},
		{"GET /employer/injury/claims", s.loggedIn(s.employerClaimsPage)},
		{"GET /employer/injury/claims/new", s.loggedIn(s.employerClaimForm)},
		{"POST /employer/injury/claims/new", s.loggedIn(s.employerClaimSubmit)},
		{"GET /person/injury/claims", s.loggedIn(s.personClaimsPage)},
		{"GET /injury/claims/{id}/letter.pdf", s.loggedIn(s.injuryLetter)},
		{"GET /injury/letters/check", s.injuryLetterCheck},
	}
}

func (s *Server) injuryBenefitsHome(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := s.Injury.Recognitions(r.Context(), actorFrom(r.Context()), q.Get("q"), pageParam(q))
	s.renderOrFail(w, r, "injury_benefits", &Page{Title: "工伤认定与待遇", Data: list}, err)
}

// recognitionFormData are the choices of the recognition form.
var recognitionChoices = map[string]any{
	"Applicants": []struct{ Code, Name string }{{injury.ApplicantEmployer, injury.ApplicantName(injury.ApplicantEmployer)},
		{injury.ApplicantWorker, injury.ApplicantName(injury.ApplicantWorker)}},
	"Results": []struct{ Code, Name string }{{injury.ResultRecognised, injury.ResultName(injury.ResultRecognised)},
		{injury.ResultNotRecognised, injury.ResultName(injury.ResultNotRecognised)}},
	"Categories": []struct{ Code, Name string }{{injury.CategoryOrdinary, injury.CategoryName(injury.CategoryOrdinary)},
		{injury.CategoryCOVID, injury.CategoryName(injury.CategoryCOVID)}},
}

func (s *Server) injuryRecognitionForm(w http.ResponseWriter, r *http.Request) {
	if err := actorFrom(r.Context()).RequireSection(access.Injury); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "injury_recognition_new", &Page{Title: "登记工伤认定结论", Data: recognitionChoices})
}

// uploadOne reads the one file of field as a Photo (nil when none was sent).
func uploadOne(r *http.Request, field string) (*injury.Photo, func(), error) {
	fh, ok := formFile(r, field)
	if !ok || fh.Size == 0 {
		return nil, func() {}, nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, func() {}, errs.Wrap(err, "open upload")
	}
	return &injury.Photo{Name: fh.Filename, R: f}, func() { f.Close() }, nil
}

func (s *Server) injuryRecognitionSubmit(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	f := r.PostForm
	in := injury.RecognitionRecordInput{DecisionNo: f.Get("decision_no"), DecidedOn: f.Get("decided_on"),
		WorkerIDNumber: f.Get("worker_id_number"), EmployerNo: f.Get("employer_no"), ReportCaseNo: f.Get("report_case_no"),
		AccidentOn: f.Get("accident_on"), AppliedOn: f.Get("applied_on"), Applicant: f.Get("applicant"),
		Result: f.Get("result"), Category: f.Get("category")}
	scan, done, err := uploadOne(r, "scan")
	defer done()
	if err == nil && scan != nil {
		in.DocumentID, err = s.Injury.StoreScan(r.Context(), a, "scan", *scan)
	}
	var rec *injury.RecognitionRecord
	if err == nil {
		rec, err = s.Injury.RecordDecision(r.Context(), a, in)
	}
	if err == nil {
		msg := "已登记认定结论 " + rec.DecisionNo
		if rec.Late {
			msg += "（逾期申请，已标识）"
		}
		redirect(w, r, "/staff/injury/recognitions/"+strconv.FormatInt(rec.ID, 10), msg)
		return
	}
	s.renderForm(w, r, "injury_recognition_new", &Page{Title: "登记工伤认定结论", Data: recognitionChoices, Form: f}, err)
}

// recognitionView is the recognition page.
type recognitionView struct {
	Rec        *injury.RecognitionRecord
	Appraisals []injury.Appraisal
	Claims     []*injury.Claim
	Benefits   []struct{ Code, Name string }
	Nursing    []struct{ Code, Name string }
	OwnWage    string
	Steps      []string
	Grades     []int
}

func (s *Server) recognitionPage(r *http.Request, form url.Values) (*Page, error) {
	a := actorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	rec, err := s.Injury.RecognitionRecord(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	v := &recognitionView{Rec: rec, OwnWage: money.Fen(rec.OwnWage).String(), Grades: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}
	if v.Appraisals, err = s.Injury.Appraisals(r.Context(), a, id); err != nil {
		return nil, err
	}
	if v.Claims, err = s.Injury.ClaimsOf(r.Context(), a, id); err != nil {
		return nil, err
	}
	for _, b := range []string{injury.BenefitMedical, injury.BenefitDisability, injury.BenefitDeath, injury.BenefitLeaving} {
		v.Benefits = append(v.Benefits, struct{ Code, Name string }{b, injury.BenefitName(b)})
	}
	for _, n := range []injury.Nursing{injury.NursingNone, injury.NursingPartial, injury.NursingMajor, injury.NursingFull} {
		v.Nursing = append(v.Nursing, struct{ Code, Name string }{string(n), n.Label()})
	}
	if rec.OwnWageSteps != "" {
		v.Steps = strings.Split(rec.OwnWageSteps, "\n")
	}
	return &Page{Title: "工伤认定 " + rec.DecisionNo, Data: v, Form: form}, nil
}

func (s *Server) injuryRecognitionPage(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "injury_recognition", s.recognitionPage, nil)
}

// recognitionFormDone redirects back to the recognition, or re-renders it
// with the form's errors.
func (s *Server) recognitionFormDone(w http.ResponseWriter, r *http.Request, err error, flash string) {
	if err == nil {
		redirect(w, r, "/staff/injury/recognitions/"+r.PathValue("id"), flash)
		return
	}
	p, perr := s.recognitionPage(r, r.PostForm)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "injury_recognition", p, err)
}

func (s *Server) injuryAppraisalSubmit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = s.Injury.RecordAppraisal(r.Context(), actorFrom(r.Context()), id, injury.AppraisalInput{
			ConclusionNo: r.PostFormValue("conclusion_no"), AppraisedOn: r.PostFormValue("appraised_on"),
			Grade: r.PostFormValue("grade"), Nursing: r.PostFormValue("nursing")})
	}
	s.recognitionFormDone(w, r, err, "已登记劳动能力鉴定结论")
}

func (s *Server) injuryReappraisalSubmit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Injury.RequestReappraisal(r.Context(), actorFrom(r.Context()), id, r.PostFormValue("asked_on"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/injury/recognitions/"+r.PostFormValue("recognition"), "已登记再次鉴定申请")
}

// parseWages reads monthly wages in 元, one per line or separated by commas.
func parseWages(s string) ([]money.Fen, error) {
	var out []money.Fen
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == '，' || r == '\r' }) {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := money.ParseYuan(f)
		if err != nil {
			var fs errs.Fields
			fs.Add("wages", "月工资“"+f+"”有误：以元为单位，最多两位小数，每行一个月")
			return nil, fs.Err()
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Server) injuryOwnWageSubmit(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := pathID(r)
	var in injury.OwnWageInput
	if err == nil && r.PostFormValue("source") == "entered" {
		in.Wages, err = parseWages(r.PostFormValue("wages"))
		if err == nil && len(in.Wages) == 0 {
			var fs errs.Fields
			fs.Add("wages", "请录入事故前各月工资，每行一个月")
			err = fs.Err()
		}
		scan, done, uerr := uploadOne(r, "evidence")
		defer done()
		if err == nil && uerr != nil {
			err = uerr
		}
		if err == nil && scan != nil {
			in.EvidenceID, err = s.Injury.StoreScan(r.Context(), a, "evidence", *scan)
		}
	}
	var o *injury.OwnWage
	if err == nil {
		o, err = s.Injury.SetOwnWage(r.Context(), a, id, in)
	}
	msg := ""
	if o != nil {
		msg = "本人工资核定为 " + o.Own.String() + " 元"
	}
	s.recognitionFormDone(w, r, err, msg)
}

// parseItems reads claimed lines typed one per line:
// 编码,名称,数量,金额（元）[,目录外]; a line named 住院伙食补助费 is the food allowance.
func parseItems(s string) ([]injury.ItemInput, error) {
	var out []injury.ItemInput
	var fs errs.Fields
	for i, line := range strings.Split(strings.ReplaceAll(s, "，", ","), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		cols := strings.Split(line, ",")
		if len(cols) < 4 {
			fs.Add("items", fmt.Sprintf("第 %d 行应为：编码,名称,数量,金额（元）[,目录外]", i+1))
			continue
		}
		amt, err := money.ParseYuan(strings.TrimSpace(cols[3]))
		if err != nil {
			fs.Add("items", fmt.Sprintf("第 %d 行的金额有误：以元为单位，最多两位小数", i+1))
			continue
		}
		it := injury.ItemInput{Code: strings.TrimSpace(cols[0]), Name: strings.TrimSpace(cols[1]),
			Quantity: strings.TrimSpace(cols[2]), AmountFen: int64(amt), InCatalogue: true}
		if len(cols) > 4 && strings.Contains(cols[4], "目录外") {
			it.InCatalogue = false
		}
		if strings.HasPrefix(it.Name, "住院伙食补助") {
			it.Kind = "food"
		}
		out = append(out, it)
	}
	return out, fs.Err()
}

// parseDependants reads 配偶 / 子女 / 父母 / 其他, one per line, 孤寡 or 孤儿 after it.
func parseDependants(s string) ([]injury.Dependant, error) {
	kinds := map[string]string{"配偶": "spouse", "子女": "child", "父母": "parent", "其他": "other"}
	var out []injury.Dependant
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var d injury.Dependant
		for zh, k := range kinds {
			if strings.HasPrefix(line, zh) {
				d.Kind = k
			}
		}
		if d.Kind == "" {
			var fs errs.Fields
			fs.Add("dependants", "供养亲属“"+line+"”应以配偶、子女、父母或其他开头")
			return nil, fs.Err()
		}
		d.Lone = strings.Contains(line, "孤寡") || strings.Contains(line, "孤儿")
		out = append(out, d)
	}
	return out, nil
}

// claimInput reads the claim form (clerk's or employer's).
func claimInput(f url.Values) (injury.ClaimInput, error) {
	in := injury.ClaimInput{DecisionNo: f.Get("decision_no"), Benefit: f.Get("benefit"), Payee: f.Get("payee"),
		BankName: f.Get("bank_name"), BankAccount: f.Get("bank_account"), NonDesignated: f.Get("non_designated") == "1",
		Continued: f.Get("continued") == "1", ContinuedFormNo: f.Get("continued_form_no"), DeathDate: f.Get("death_date"),
		FirstMonth: f.Get("first_month"), Channel: f.Get("channel")}
	var err error
	if in.Items, err = parseItems(f.Get("items")); err != nil {
		return in, err
	}
	in.Dependants, err = parseDependants(f.Get("dependants"))
	return in, err
}

func (s *Server) injuryClaimSubmit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var c *injury.Claim
	if err == nil {
		var in injury.ClaimInput
		if in, err = claimInput(r.PostForm); err == nil {
			in.RecognitionID = id
			c, err = s.Injury.FileClaim(r.Context(), actorFrom(r.Context()), in)
		}
	}
	if err == nil {
		redirect(w, r, "/staff/injury/claims/"+strconv.FormatInt(c.ID, 10), "已受理待遇申报 "+c.CaseNo)
		return
	}
	s.recognitionFormDone(w, r, err, "")
}

// claimView is the claim review page.
type claimView struct {
	Claim     *injury.Claim
	Payables  []injury.Payable
	CanReview bool
	CanCheck  bool
	Steps     []string
}

func (s *Server) claimPage(r *http.Request, form url.Values) (*Page, error) {
	a := actorFrom(r.Context())
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	c, err := s.Injury.ClaimByID(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	v := &claimView{Claim: c, CanReview: c.Status == injury.StatusReview,
		CanCheck: c.Status == injury.StatusCheck && c.ReviewedBy != a.UserID}
	if c.Status == injury.StatusApproved || c.Status == injury.StatusStopped {
		if v.Payables, err = s.Injury.Payables(r.Context(), a, c.CaseNo, 1); err != nil {
			return nil, err
		}
	}
	if len(c.Items) > 0 && c.Items[0].Steps != "" {
		v.Steps = strings.Split(c.Items[0].Steps, "\n")
	}
	return &Page{Title: "待遇申报审核 " + c.CaseNo, Data: v, Form: form}, nil
}

func (s *Server) injuryClaimPage(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "injury_claim", s.claimPage, nil)
}

func (s *Server) claimFormDone(w http.ResponseWriter, r *http.Request, err error, flash string) {
	if err == nil {
		redirect(w, r, "/staff/injury/claims/"+r.PathValue("id"), flash)
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid {
		s.fail(w, r, err)
		return
	}
	p, perr := s.claimPage(r, r.PostForm)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "injury_claim", p, err)
}

// approveRest adds "approved" for every line still pending and not decided in ds.
func (s *Server) approveRest(r *http.Request, id int64, ds []injury.ItemDecision) ([]injury.ItemDecision, error) {
	c, err := s.Injury.ClaimByID(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return nil, err
	}
	given := map[int]bool{}
	for _, d := range ds {
		given[d.Line] = true
	}
	for _, it := range c.Items {
		if it.Decision == injury.DecisionPending && !given[it.Line] {
			ds = append(ds, injury.ItemDecision{Line: it.Line, Decision: injury.DecisionApproved})
		}
	}
	return ds, nil
}

// confirmBox refuses a destructive form without its confirmation box.
func confirmBox(r *http.Request) error {
	if r.PostFormValue("confirm") == "1" {
		return nil
	}
	var fs errs.Fields
	fs.Add("confirm", "请勾选确认后再提交")
	return fs.Err()
}

// reviewDecisions reads decision_N, amount_N (元) and reason_N of each line N.
func reviewDecisions(f url.Values) ([]injury.ItemDecision, error) {
	var out []injury.ItemDecision
	var fs errs.Fields
	for k, vs := range f {
		n, ok := strings.CutPrefix(k, "decision_")
		line, err := strconv.Atoi(n)
		if !ok || err != nil || len(vs) != 1 || vs[0] == "" || vs[0] == injury.DecisionPending {
			continue
		}
		d := injury.ItemDecision{Line: line, Decision: vs[0], Reason: f.Get("reason_" + n)}
		if d.Decision == injury.DecisionReduced {
			amt, err := money.ParseYuan(f.Get("amount_" + n))
			if err != nil {
				fs.Add(fmt.Sprintf("items[%d]", line), fmt.Sprintf("第 %d 项：请填写核减后的金额（元）", line))
			}
			d.AmountFen = int64(amt)
		}
		out = append(out, d)
	}
	return out, fs.Err()
}

func (s *Server) injuryClaimReview(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var ds []injury.ItemDecision
		if ds, err = reviewDecisions(r.PostForm); err == nil && r.URL.Query().Get("all") == "1" {
			ds, err = s.approveRest(r, id, ds)
		}
		if err == nil {
			var version int64
			if version, err = formVersion(r); err == nil {
				err = s.Injury.ReviewItems(r.Context(), actorFrom(r.Context()), id, version, ds)
			}
		}
	}
	s.claimFormDone(w, r, err, "审核意见已保存")
}

func (s *Server) injuryClaimItems(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var items []injury.ItemInput
		if items, err = parseItems(r.PostFormValue("items")); err == nil {
			var version int64
			if version, err = formVersion(r); err == nil {
				err = s.Injury.AddItems(r.Context(), actorFrom(r.Context()), id, version, items)
			}
		}
	}
	s.claimFormDone(w, r, err, "费用明细已录入")
}

func (s *Server) injuryClaimComplete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var c *injury.Claim
	if err == nil {
		var cd *injury.ContinuedDecision
		if v := r.PostFormValue("continued"); v != "" {
			cd = &injury.ContinuedDecision{Approve: v == "approve", Note: r.PostFormValue("continued_note")}
		}
		var version int64
		if version, err = formVersion(r); err == nil {
			c, err = s.Injury.CompleteReview(r.Context(), actorFrom(r.Context()), id, version, cd)
		}
	}
	msg := ""
	if c != nil {
		msg = "审核完成：核准 " + c.Approved.String() + " 元，已生成支付明细"
		if c.Status == injury.StatusCheck {
			msg = "审核完成：核准 " + c.Approved.String() + " 元，超过复核金额起点，待另一名经办人员复核"
		}
	}
	s.claimFormDone(w, r, err, msg)
}

func (s *Server) injuryClaimCheck(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	agree := r.PostFormValue("agree") == "1"
	if err == nil {
		var version int64
		if version, err = formVersion(r); err == nil {
			_, err = s.Injury.SecondCheck(r.Context(), actorFrom(r.Context()), id, version, agree, r.PostFormValue("note"))
		}
	}
	msg := "复核通过，已生成支付明细"
	if !agree {
		msg = "已退回重新审核"
	}
	s.claimFormDone(w, r, err, msg)
}

func (s *Server) injuryClaimStop(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var rec money.Fen
	if err == nil {
		err = confirmBox(r)
	}
	if err == nil {
		var version int64
		if version, err = formVersion(r); err == nil {
			rec, err = s.Injury.StopPayment(r.Context(), actorFrom(r.Context()), id, version, r.PostFormValue("note"))
		}
	}
	s.claimFormDone(w, r, err, "已停止支付；应追回已支付待遇 "+rec.String()+" 元")
}

func (s *Server) injuryContinuedPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status := q.Get("status")
	if status == "" {
		status = injury.ContinuedDeferred
	}
	list, err := s.Injury.ContinuedForms(r.Context(), actorFrom(r.Context()), status, pageParam(q))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "injury_continued", &Page{Title: "继续治疗暂不审批登记簿", Data: map[string]any{"List": list,
		"Status": status, "Page": pageParam(q)}})
}

func (s *Server) injurySettlementsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := s.Injury.Settlements(r.Context(), actorFrom(r.Context()), pageParam(q))
	s.renderOrFail(w, r, "injury_settlements", &Page{Title: "医院联网结算", Data: map[string]any{"List": list, "Page": pageParam(q)}}, err)
}

func (s *Server) covidPage(r *http.Request, form url.Values) (*Page, error) {
	list, err := s.Injury.CovidItems(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	return &Page{Title: "新冠肺炎诊疗方案覆盖项目", Data: list, Form: form}, nil
}

func (s *Server) injuryCovidPage(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "injury_covid", s.covidPage, nil)
}

func (s *Server) injuryCovidAdd(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	_, err := s.Injury.AddCovidItem(r.Context(), actorFrom(r.Context()), injury.CovidItemInput{Code: f.Get("code"),
		Name: f.Get("name"), ValidFrom: f.Get("valid_from"), ValidTo: f.Get("valid_to"), Basis: f.Get("basis")})
	if err == nil {
		redirect(w, r, "/staff/injury/covid-items", "已新增覆盖项目")
		return
	}
	p, perr := s.covidPage(r, f)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "injury_covid", p, err)
}

func (s *Server) injuryCovidEnd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = confirmBox(r)
	}
	if err == nil {
		err = s.Injury.EndCovidItem(r.Context(), actorFrom(r.Context()), id, r.PostFormValue("valid_to"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/injury/covid-items", "已设置截止日期")
}

func (s *Server) injuryUninsuredPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := s.Injury.Uninsured(r.Context(), actorFrom(r.Context()), pageParam(q))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "injury_uninsured", &Page{Title: "未参保单位工伤待遇拒付清单", Data: map[string]any{"List": list,
		"Page": pageParam(q)}})
}

func (s *Server) injuryConfirmClaim(w http.ResponseWriter, r *http.Request) {
	in, err := claimInput(r.PostForm)
	var c *injury.Claim
	if err == nil {
		var version int64
		if version, err = formVersion(r); err == nil {
			c, err = s.Injury.ConfirmClaimDraft(r.Context(), actorFrom(r.Context()), r.PathValue("no"), version, in)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/injury/claims/"+strconv.FormatInt(c.ID, 10), "邮件已确认为待遇申报 "+c.CaseNo+"，请录入或核对费用明细")
}

func (s *Server) employerClaimsPage(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if _, err := ownEmployerID(a); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.Injury.ClaimsOf(r.Context(), a, 0)
	s.renderOrFail(w, r, "injury_claims_employer", &Page{Title: "工伤待遇申报", Data: list}, err)
}

// personClaimsPage is the worker's own claims with their decision letters.
func (s *Server) personClaimsPage(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if a.Role != access.RolePerson {
		s.fail(w, r, errs.Forbid())
		return
	}
	list, err := s.Injury.ClaimsOf(r.Context(), a, 0)
	s.renderOrFail(w, r, "injury_claims_person", &Page{Title: "我的工伤待遇", Data: list}, err)
}

func (s *Server) employerClaimForm(w http.ResponseWriter, r *http.Request) {
	if _, err := ownEmployerID(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "injury_claim_new", &Page{Title: "申报工伤医疗费用"})
}

func (s *Server) employerClaimSubmit(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if _, err := ownEmployerID(a); err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := claimInput(r.PostForm)
	in.Benefit = injury.BenefitMedical
	scans, closeAll, ferr := formFiles(r, "scans")
	defer closeAll()
	if err == nil {
		err = ferr
	}
	var c *injury.Claim
	if err == nil {
		in.Scans = scans
		c, err = s.Injury.FileClaim(r.Context(), a, in)
	}
	if err == nil {
		msg := "已提交待遇申报，受理编号 " + c.CaseNo
		if c.Status == injury.StatusRefused {
			msg += "：" + c.Refusal
		}
		redirect(w, r, "/cases/"+c.CaseNo, msg)
		return
	}
	s.renderForm(w, r, "injury_claim_new", &Page{Title: "申报工伤医疗费用"}, err)
}

// formFiles opens the uploaded files of a multipart field.
func formFiles(r *http.Request, field string) ([]injury.Photo, func(), error) {
	var out []injury.Photo
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	if r.MultipartForm == nil {
		return nil, closeAll, nil
	}
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return nil, closeAll, errs.Wrap(err, "open upload")
		}
		closers = append(closers, f.Close)
		out = append(out, injury.Photo{Name: fh.Filename, R: f})
	}
	return out, closeAll, nil
}

func (s *Server) injuryLetter(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	b, c, err := s.Injury.LetterPDF(r.Context(), actorFrom(r.Context()), id, func(code string) string {
		return s.requestBase(r) + "/injury/letters/check?code=" + url.QueryEscape(code)
	})
	if errors.Is(err, pdfdoc.ErrNoFont) {
		s.fail(w, r, errs.New(errs.Conflict, "no_font", "服务器缺少中文字体，暂时无法生成决定书，请联系系统管理员"))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="decision-`+c.CaseNo+`.pdf"`)
	w.Write(b)
}

func (s *Server) injuryLetterCheck(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	var res *injury.LetterCheck
	var err error
	if code != "" {
		res, err = s.Injury.CheckLetter(r.Context(), code)
	}
	p := &Page{Title: "工伤待遇决定书核验", Data: res, Form: url.Values{"code": {code}}}
	if err != nil {
		p.Message = errs.As(err).Message
	}
	s.render(w, r, "injury_letter_check", p)
}
