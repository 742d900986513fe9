package web

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/death"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// deathRoutes: 保险福利科's deaths (list, a clerk's report, the detail with
// heirs, the claim, its review and second check, repayments), the
// civil-affairs register import and review queue, and the civil API.
func (s *Server) deathRoutes() []route {
	return []route{
		{"GET /staff/deaths", s.staffRoute(s.deathList)},
		{"GET /staff/deaths/new", s.staffRoute(s.deathNewForm)},
		{"POST /staff/deaths/new", s.staffRoute(s.deathNewSubmit)},
		{"GET /staff/deaths/{id}", s.staffRoute(s.deathDetail)},
		{"POST /staff/deaths/{id}/{action}", s.staffRoute(s.deathAction)},
		{"POST /staff/death-claims/{no}/{step}", s.staffRoute(s.deathClaimStep)},
		{"GET /staff/deaths/civil", s.staffRoute(s.civilPage)},
		{"GET /staff/deaths/civil/sample.csv", s.staffRoute(s.civilSample)},
		{"POST /staff/deaths/civil", s.staffRoute(s.civilImport)},
		{"POST /staff/deaths/civil/{id}/resolve", s.staffRoute(s.civilResolve)},
		{"POST /api/v1/civil/deaths", s.civilPush},
	}
}

func (s *Server) deathList(w http.ResponseWriter, r *http.Request) {
	ds, err := s.Deaths.Deaths(r.Context(), actorFrom(r.Context()), r.URL.Query().Get("recovery"))
	s.renderOrFail(w, r, "death_list", &Page{Title: "死亡待遇", Data: ds, Form: r.URL.Query()}, err)
}

func (s *Server) deathNewForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "death_new", &Page{Title: "登记死亡信息", Form: r.URL.Query()})
}

func (s *Server) deathNewSubmit(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	in := death.ReportInput{IDNumber: f.Get("id_number"), Date: f.Get("date"), CertificateNo: f.Get("certificate_no")}
	for _, i := range []string{"1", "2"} {
		in.Heirs = append(in.Heirs, death.Heir{Name: f.Get("heir_name_" + i), IDNumber: f.Get("heir_id_" + i), Relationship: f.Get("heir_rel_" + i)})
	}
	d, err := s.Deaths.Report(r.Context(), actorFrom(r.Context()), in)
	if err == nil {
		redirect(w, r, "/staff/deaths/"+strconv.FormatInt(d.ID, 10), "已登记死亡信息，养老金自次月起停发")
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	s.renderForm(w, r, "death_new", &Page{Title: "登记死亡信息", Form: f}, err)
}

func (s *Server) deathPage(r *http.Request, form url.Values) (*Page, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, errs.New(errs.NotFound, "death_not_found", "未找到该死亡登记")
	}
	d, err := s.Deaths.DeathDetail(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return nil, err
	}
	return &Page{Title: "死亡待遇 " + d.Death.NameMasked(), Data: d, Form: form}, nil
}

func (s *Server) deathDetail(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "death_detail", s.deathPage, nil)
}

func (s *Server) deathAction(w http.ResponseWriter, r *http.Request) {
	a, f := actorFrom(r.Context()), r.PostForm
	id, perr := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if perr != nil {
		s.pageNotFound(w, r)
		return
	}
	var err error
	msg := ""
	switch r.PathValue("action") {
	case "heirs":
		err = s.Deaths.AddHeir(r.Context(), a, id, death.Heir{Name: f.Get("heir_name"), IDNumber: f.Get("heir_id"), Relationship: f.Get("heir_rel")})
		msg = "已登记继承人"
	case "claims":
		var c *death.Claim
		c, err = s.Deaths.OpenClaim(r.Context(), a, death.ClaimInput{DeathID: id, ClaimantName: f.Get("claimant_name"),
			ClaimantID: f.Get("claimant_id"), Relationship: f.Get("relationship"), AccountNo: f.Get("account_no"), BankName: f.Get("bank_name")})
		if err == nil {
			msg = "已计算死亡待遇 " + c.No + "，请复核"
		}
	case "repay":
		var amt money.Fen
		amt, err = money.ParseYuan(f.Get("amount"))
		if err != nil {
			var fe errs.Fields
			fe.Add("amount", "请填写退回金额（元，最多两位小数）")
			err = fe.Err()
		} else {
			_, err = s.Deaths.Repay(r.Context(), a, id, amt)
			msg = "已登记退回款"
		}
	default:
		s.pageNotFound(w, r)
		return
	}
	s.deathDone(w, r, err, msg)
}

func (s *Server) deathDone(w http.ResponseWriter, r *http.Request, err error, msg string) {
	if err == nil {
		redirect(w, r, "/staff/deaths/"+r.PathValue("id"), msg)
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden {
		s.fail(w, r, err)
		return
	}
	p, perr := s.deathPage(r, r.PostForm)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "death_detail", p, err)
}

func (s *Server) deathClaimStep(w http.ResponseWriter, r *http.Request) {
	a, no := actorFrom(r.Context()), r.PathValue("no")
	version, verr := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	back := r.PostForm.Get("death_id")
	if verr != nil {
		var fe errs.Fields
		fe.Add("version", "版本号缺失，请刷新后再试")
		s.fail(w, r, fe.Err())
		return
	}
	var err error
	msg := ""
	switch r.PathValue("step") {
	case "review":
		_, err = s.Deaths.ReviewClaim(r.Context(), a, no, version)
		msg = "已复核，待第二名经办人员复审"
	case "check":
		_, err = s.Deaths.CheckClaim(r.Context(), a, no, version)
		msg = "复审通过，已生成拨付明细，待基金管理科审核"
	default:
		s.pageNotFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/deaths/"+url.PathEscape(back), msg)
}

// civilView is the import page: the last result and the review queue.
type civilView struct {
	Result *death.ImportResult
	Queue  []death.CivilRecord
}

func (s *Server) civilPageData(r *http.Request, res *death.ImportResult) (*Page, error) {
	q, err := s.Deaths.ReviewQueue(r.Context(), actorFrom(r.Context()), 200)
	if err != nil {
		return nil, err
	}
	return &Page{Title: "民政死亡数据", Data: civilView{Result: res, Queue: q}}, nil
}

func (s *Server) civilPage(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "death_civil", s.civilPageData, nil)
}

func (s *Server) civilImport(w http.ResponseWriter, r *http.Request) {
	name, data, err := uploadedFile(r, int64(death.CivilLimits.MaxBytes), "请选择一个民政死亡数据文件（.xlsx 或 .csv）")
	if err != nil {
		s.civilFail(w, r, nil, err)
		return
	}
	res, err := s.Deaths.ImportCivil(r.Context(), actorFrom(r.Context()), name, data)
	if err != nil {
		s.civilFail(w, r, res, err)
		return
	}
	p, perr := s.civilPageData(r, res)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	p.Flash = "导入完成：停发并登记死亡 " + strconv.Itoa(res.Applied) + " 人，待核对 " + strconv.Itoa(res.Review) + " 条，重复 " + strconv.Itoa(res.Duplicates) + " 条"
	s.render(w, r, "death_civil", p)
}

func (s *Server) civilFail(w http.ResponseWriter, r *http.Request, res *death.ImportResult, err error) {
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	p, perr := s.civilPageData(r, res)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "death_civil", p, err)
}

func (s *Server) civilResolve(w http.ResponseWriter, r *http.Request) {
	id, perr := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if perr != nil {
		s.pageNotFound(w, r)
		return
	}
	err := s.Deaths.ResolveRecord(r.Context(), actorFrom(r.Context()), id, r.PostForm.Get("decision") == "apply", r.PostForm.Get("note"))
	if err != nil {
		s.civilFail(w, r, nil, err)
		return
	}
	redirect(w, r, "/staff/deaths/civil", "已处理该民政记录")
}

// civilPush is the civil-affairs API: POST {"records":[…]}.
func (s *Server) civilPush(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Records []death.CivilPush `json:"records"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		var fe errs.Fields
		fe.Add("records", "请求体须为 JSON：{\"records\": [...]}")
		s.apiFail(w, r, fe.Err())
		return
	}
	res, err := s.Deaths.PushCivil(r.Context(), actorFrom(r.Context()), body.Records)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"import_id": res.ImportID, "records": res.Rows, "applied": res.Applied,
		"review": res.Review, "duplicates": res.Duplicates})
}

// civilSample downloads a register file built from the data at hand, to
// try the import (one death applied, one name mismatch, one duplicate).
func (s *Server) civilSample(w http.ResponseWriter, r *http.Request) {
	data, err := s.Deaths.CivilSample(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "民政死亡数据样例.csv"}))
	w.Write(data)
}
