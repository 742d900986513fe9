package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/transfer"
)

// transferRoutes: 个人账户科's transfers (转移接续) in and out, each step
// with its deadline, the letters and forms as PDF, and the log of phone
// consultations.
func (s *Server) transferRoutes() []route {
	return []route{
		{"GET /staff/transfers", s.transferQueue},
		{"POST /staff/transfers/in", s.transferOpenIn},
		{"POST /staff/transfers/out", s.transferOpenOut},
		{"GET /staff/transfers/{id}", s.transferShow},
		{"POST /staff/transfers/{id}/step", s.transferStep},
		{"GET /staff/transfers/{id}/document.pdf", s.transferPDF},
		{"POST /staff/transfers/{id}/form-file", s.transferFormFile},
		{"GET /staff/transfers/form-template.xlsx", s.transferFormTemplate},
		{"GET /person/transfers", s.personTransfers},
		{"POST /person/transfers", s.personTransferApply},
		{"GET /staff/consultations", s.consultationList},
		{"POST /staff/consultations", s.consultationAdd},
	}
}

// transferQueueView is the data of the queue page.
type transferQueueView struct {
	Items []transferRow
	Dir   string
	All   bool
	Page  int
}

type transferRow struct {
	transfer.Transfer
	DaysLeft int
}

func (s *Server) transferQueuePage(r *http.Request) (*Page, error) {
	a := actorFrom(r.Context())
	q := r.URL.Query()
	in := queryInput(r)
	page := in.OptionalInt("page", "页码")
	if err := in.Err(); err != nil {
		return nil, err
	}
	f := transfer.Filter{Direction: q.Get("direction"), Open: q.Get("all") != "1", Page: max(page, 1)}
	list, err := s.Transfers.List(r.Context(), a, f)
	if err != nil {
		return nil, err
	}
	v := transferQueueView{Dir: f.Direction, All: !f.Open, Page: f.Page}
	for _, t := range list {
		v.Items = append(v.Items, transferRow{Transfer: t, DaysLeft: s.Transfers.DaysLeft(r.Context(), &t)})
	}
	return &Page{Title: "转移接续", Data: v}, nil
}

func (s *Server) transferQueue(w http.ResponseWriter, r *http.Request) {
	p, err := s.transferQueuePage(r)
	s.renderOrFail(w, r, "transfer_queue", p, err)
}

func (s *Server) transferOpenIn(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	t, err := s.Transfers.OpenIn(r.Context(), actorFrom(r.Context()), transfer.InInput{IDNumber: f.Get("id_number"),
		CaseNo: f.Get("case_no"), Channel: f.Get("channel"), OtherAgency: f.Get("other_agency"), OtherRegion: f.Get("other_region")})
	s.afterOpen(w, r, t, err)
}

func (s *Server) transferOpenOut(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	t, err := s.Transfers.OpenOut(r.Context(), actorFrom(r.Context()), transfer.OutInput{IDNumber: f.Get("id_number"),
		CaseNo: f.Get("case_no"), Channel: f.Get("channel"), OtherAgency: f.Get("other_agency"), OtherRegion: f.Get("other_region"),
		OtherLetter: f.Get("other_letter"), PayName: f.Get("pay_name"), PayAccount: f.Get("pay_account"), PayBank: f.Get("pay_bank")})
	s.afterOpen(w, r, t, err)
}

func (s *Server) afterOpen(w http.ResponseWriter, r *http.Request, t *transfer.Transfer, err error) {
	if err != nil {
		p, perr := s.transferQueuePage(r)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		p.Form = r.PostForm
		s.renderForm(w, r, "transfer_queue", p, err)
		return
	}
	http.Redirect(w, r, "/staff/transfers/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}

// transferView is the data of one transfer's page.
type transferView struct {
	T             *transfer.Transfer
	Consultations []transfer.Consultation
	DaysLeft      int
	YearsText     string
	Import        *transfer.FormImport // the answer to a 信息表 file with problems
}

func (s *Server) transferPage(r *http.Request) (*Page, error) {
	a := actorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	t, err := s.Transfers.Get(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	cs, err := s.Transfers.Consultations(r.Context(), a, t.PersonID)
	if err != nil {
		return nil, err
	}
	return &Page{Title: "转移接续 " + t.No, Data: transferView{T: t, Consultations: cs, DaysLeft: s.Transfers.DaysLeft(r.Context(), t)}}, nil
}

func (s *Server) transferShow(w http.ResponseWriter, r *http.Request) {
	p, err := s.transferPage(r)
	s.renderOrFail(w, r, "transfer_show", p, err)
}

// transferStep runs the step named by the form's action.
func (s *Server) transferStep(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	p, err := s.transferPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := p.Data.(transferView).T
	f := r.PostForm
	version, verr := strconv.ParseInt(f.Get("version"), 10, 64)
	if verr != nil {
		err = fieldError("version", "版本号缺失或不是整数，请刷新页面后重试")
	} else {
		err = s.runTransferStep(r, t.ID, version, f)
	}
	if errs.KindOf(err) == errs.Invalid { // input to correct: the form again, as typed
		p.Form = f
		s.renderForm(w, r, "transfer_show", p, err)
		return
	}
	if err != nil { // refused (state, version, payout not paid …): back to the transfer's page, the reason shown
		s.redirectRefused(w, r, "/staff/transfers/"+strconv.FormatInt(t.ID, 10), err)
		return
	}
	setFlash(w, "已办理")
	http.Redirect(w, r, "/staff/transfers/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
}

func (s *Server) runTransferStep(r *http.Request, id, version int64, f url.Values) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	var err error
	switch f.Get("action") {
	case "letter":
		_, err = s.Transfers.IssueLetter(ctx, a, id, version)
	case "refuse":
		_, err = s.Transfers.Refuse(ctx, a, id, version, f.Get("reasons"))
	case "form":
		var in transfer.FormInput
		if in, err = parseTransferForm(f); err == nil {
			_, err = s.Transfers.RecordForm(ctx, a, id, version, in)
		}
	case "funds":
		_, err = s.Transfers.MatchFunds(ctx, a, id, version, f.Get("bank_serial"))
	case "merge":
		_, err = s.Transfers.Merge(ctx, a, id, version)
	case "issue_form":
		_, err = s.Transfers.IssueForm(ctx, a, id, version)
	case "payout":
		_, err = s.Transfers.PreparePayout(ctx, a, id, version)
	case "close":
		_, err = s.Transfers.Close(ctx, a, id, version)
	default:
		err = fieldError("action", "请选择要办理的环节")
	}
	return err
}

// parseTransferForm reads the keyed 信息表: one year a line, "年度,月数,
// 缴费工资,个人账户记账额" (元), and the two totals.
func parseTransferForm(f url.Values) (transfer.FormInput, error) {
	var in transfer.FormInput
	var fs errs.Fields
	for i, line := range strings.Split(strings.TrimSpace(f.Get("years")), "\n") {
		line = strings.TrimSpace(strings.ReplaceAll(line, "，", ","))
		if line == "" {
			continue
		}
		parts := strings.Split(line, ",")
		if len(parts) != 4 {
			fs.Add("years", fmt.Sprintf("第 %d 行应为 4 项：年度,月数,缴费工资（元）,个人账户记账额（元）", i+1))
			continue
		}
		y, e1 := strconv.Atoi(strings.TrimSpace(parts[0]))
		m, e2 := strconv.Atoi(strings.TrimSpace(parts[1]))
		wg, e3 := money.ParseYuan(parts[2])
		ac, e4 := money.ParseYuan(parts[3])
		if e1 != nil || e2 != nil || e3 != nil || e4 != nil {
			fs.Add("years", fmt.Sprintf("第 %d 行的年度、月数或金额格式不正确", i+1))
			continue
		}
		in.Years = append(in.Years, transfer.YearLine{Year: y, Months: m, Wages: wg, Account: ac})
	}
	var err error
	if in.Account, err = money.ParseYuan(f.Get("account")); err != nil || strings.TrimSpace(f.Get("account")) == "" {
		fs.Add("account_fen", "请填写信息表的个人账户储存额（元）")
	}
	if in.Pooled, err = money.ParseYuan(f.Get("pooled")); err != nil || strings.TrimSpace(f.Get("pooled")) == "" {
		fs.Add("pooled_fen", "请填写信息表的统筹基金转移额（元）")
	}
	return in, fs.Err()
}

func fieldError(field, msg string) error {
	var fs errs.Fields
	fs.Add(field, msg)
	return fs.Err()
}

// transferPDF answers the document of the transfer's state: the 联系函
// (or the written refusal) of a transfer in, the 信息表 of a transfer out.
func (s *Server) transferPDF(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	t, err := s.Transfers.Get(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, body, err := s.Transfers.Document(t, s.Certificates.Options().Issuer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(name))
	w.Write(body)
}

func (s *Server) consultationPage(r *http.Request) (*Page, error) {
	cs, err := s.Transfers.Consultations(r.Context(), actorFrom(r.Context()), 0)
	if err != nil {
		return nil, err
	}
	return &Page{Title: "电话咨询登记", Data: cs}, nil
}

func (s *Server) consultationList(w http.ResponseWriter, r *http.Request) {
	p, err := s.consultationPage(r)
	s.renderOrFail(w, r, "consultations", p, err)
}

func (s *Server) consultationAdd(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	_, err := s.Transfers.LogConsultation(r.Context(), actorFrom(r.Context()), transfer.ConsultInput{IDNumber: f.Get("id_number"),
		CallerName: f.Get("caller_name"), Phone: f.Get("phone"), Topic: f.Get("topic"), Advice: f.Get("advice"), FollowUp: f.Get("follow_up")})
	if err != nil {
		p, perr := s.consultationPage(r)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		p.Form = f
		s.renderForm(w, r, "consultations", p, err)
		return
	}
	setFlash(w, "已登记")
	http.Redirect(w, r, "/staff/consultations", http.StatusSeeOther)
}

// personTransfersPage is the person's own transfers with their steps and
// the online application form.
func (s *Server) personTransfersPage(r *http.Request) (*Page, error) {
	list, err := s.Transfers.Mine(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	open := false
	for _, t := range list {
		open = open || t.Open()
	}
	return &Page{Title: "养老保险关系转移接续", Data: personTransfersView{Transfers: list, Open: open}}, nil
}

type personTransfersView struct {
	Transfers []transfer.Transfer
	Open      bool // an application is under way: no second one
}

func (s *Server) personTransfers(w http.ResponseWriter, r *http.Request) {
	p, err := s.personTransfersPage(r)
	s.renderOrFail(w, r, "person_transfers", p, err)
}

// personTransferApply stores the three uploads (checked by their bytes)
// and files the application.
func (s *Server) personTransferApply(w http.ResponseWriter, r *http.Request) {
	if _, err := ownPersonID(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err) // nothing stored for someone who may not apply
		return
	}
	f := r.PostForm
	in := transfer.ApplyInput{OtherAgency: f.Get("other_agency"), OtherRegion: f.Get("other_region")}
	var fs errs.Fields
	for _, u := range []struct {
		field string
		id    *int64
	}{{"proof", &in.Proof}, {"id_front", &in.IDFront}, {"id_back", &in.IDBack}} {
		id, err := s.storeUpload(r, actorFrom(r.Context()), u.field)
		if err != nil {
			if x := errs.As(err); x != nil && x.Kind == errs.Invalid {
				fs.Add(u.field, x.Message)
				continue
			}
			s.fail(w, r, err)
			return
		}
		*u.id = id
	}
	var t *transfer.Transfer
	err := fs.Err()
	if err == nil {
		t, err = s.Transfers.ApplyIn(r.Context(), actorFrom(r.Context()), in)
	}
	if err != nil {
		p, perr := s.personTransfersPage(r)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		p.Form = f
		s.renderForm(w, r, "person_transfers", p, err)
		return
	}
	redirect(w, r, "/person/transfers", "转入申请已提交，业务编号 "+t.CaseNo+"；个人账户科将在 "+t.StepDue+" 前审核")
}

// transferFormFile records the old agency's 信息表 from its file, all or
// nothing; a file with problems answers the page with them by row and
// column (422).
func (s *Server) transferFormFile(w http.ResponseWriter, r *http.Request) {
	p, err := s.transferPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := p.Data.(transferView)
	version, err := formVersion(r)
	var name string
	var data []byte
	if err == nil {
		name, data, err = uploadedFile(r, transfer.FormMaxBytes, "请选择转出地信息表文件（Excel 表格 .xlsx 或逗号分隔文本 .csv）")
	}
	var rep *transfer.FormImport
	if err == nil {
		rep, err = s.Transfers.ImportForm(r.Context(), actorFrom(r.Context()), v.T.ID, version, name, data)
	}
	if err != nil {
		s.renderForm(w, r, "transfer_show", p, err)
		return
	}
	if !rep.Recorded() {
		v.Import = rep
		p.Data = v
		s.renderStatus(w, r, "transfer_show", http.StatusUnprocessableEntity, p)
		return
	}
	redirect(w, r, "/staff/transfers/"+strconv.FormatInt(v.T.ID, 10), fmt.Sprintf("已按文件登记信息表：%d 个缴费年度", len(rep.Transfer.Years)))
}

func (s *Server) transferFormTemplate(w http.ResponseWriter, r *http.Request) {
	if err := actorFrom(r.Context()).RequireSection(access.Account); err != nil {
		s.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := transfer.FormTemplate().Write(&b); err != nil {
		s.fail(w, r, errs.Wrap(err, "transfer form template"))
		return
	}
	staffXLSX(w, "转移信息表导入格式.xlsx", b.Bytes())
}

var _ = access.Account
