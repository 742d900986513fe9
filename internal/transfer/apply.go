package transfer

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/person"
)

// CaseType is the case type of a transfer application (养老保险关系转移
// 接续) in 个人账户科's queue; an e-mailed application confirmed by a
// clerk and an online one are the same kind of case.
const CaseType = "pension_transfer"

// ApplyInput is an insured person's online application to transfer their
// pension record in: the old place's agency and region, and the stored
// documents (checked by their bytes when stored) of the old place's 参保
// 缴费凭证 and both sides of the ID card.
type ApplyInput struct {
	OtherAgency string `json:"other_agency"`
	OtherRegion string `json:"other_region"`
	Proof       int64  `json:"proof_document_id"`
	IDFront     int64  `json:"id_front_document_id"`
	IDBack      int64  `json:"id_back_document_id"`
}

// ApplyIn files an insured person's own application to transfer in: a
// case of type pension_transfer with the three documents on its checklist
// and a transfer in state applied in 个人账户科's queue, in one
// transaction, exactly as a clerk opens one from an e-mailed application.
// Errors: LoginRequired, Forbidden (not a person), Invalid (fields),
// Conflict (an open transfer of the person).
func (s *Service) ApplyIn(ctx context.Context, a *access.Actor, in ApplyInput) (*Transfer, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RolePerson || a.PersonID == 0 {
		return nil, errs.New(errs.Forbidden, "person_only", "转入申请须由参保人本人用公民身份号码登录后提交")
	}
	if s.cases == nil {
		return nil, errs.New(errs.Internal, "no_cases", "业务受理服务未配置")
	}
	var f errs.Fields
	channel := "web"
	checkCommon(&f, &in.OtherAgency, &in.OtherRegion, &channel)
	for _, d := range []struct {
		id          int64
		field, name string
	}{{in.Proof, "proof", "原参保地的基本养老保险参保缴费凭证"}, {in.IDFront, "id_front", "身份证人像面"}, {in.IDBack, "id_back", "身份证国徽面"}} {
		if d.id <= 0 {
			f.Add(d.field, "请上传"+d.name+"（JPEG、PNG 或 PDF）")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	today := s.today()
	due, err := s.stepDue(ctx, today)
	if err != nil {
		return nil, err
	}
	t := &Transfer{Direction: In, Status: Applied, Channel: channel, OtherAgency: in.OtherAgency, OtherRegion: in.OtherRegion,
		StepStarted: today.Format(time.DateOnly), StepDue: due}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := ownDocuments(ctx, tx, a, in); err != nil {
			return err
		}
		p, err := person.Load(ctx, tx, a.PersonID)
		if err != nil {
			return err
		}
		if err := eligible(p); err != nil {
			return err
		}
		c, err := s.cases.OpenTx(ctx, tx, a, casework.OpenInput{Type: CaseType, Channel: channel, SubjectIDNumber: p.IDNumber,
			Applicant: casework.Applicant{Name: p.Name}, Title: "养老保险关系转入申请（转出地：" + in.OtherAgency + "）",
			Summary: "参保人网上申请将 " + in.OtherAgency + "（" + in.OtherRegion + "）的基本养老保险关系转入本地。",
			Documents: []casework.DocumentLink{{DocumentID: in.Proof, Item: "参保缴费凭证"},
				{DocumentID: in.IDFront, Item: "身份证"}, {DocumentID: in.IDBack, Item: "身份证"}}})
		if err != nil {
			return err
		}
		t.CaseNo, t.PersonID, t.PersonName, t.IDNumber = c.No, p.ID, p.Name, p.IDNumber
		t.No = newNo(In, today)
		if err := insertTransfer(ctx, tx, t, 0, s.clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, tx, a, t, "transfer.apply", map[string]any{"case_no": c.No})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ownDocuments refuses document ids the applicant did not upload (another
// person's scan, a mail attachment, an id that does not exist) and the
// same document given twice: the form's ids are not trusted.
func ownDocuments(ctx context.Context, q db.Querier, a *access.Actor, in ApplyInput) error {
	var f errs.Fields
	seen := map[int64]bool{}
	for _, d := range []struct {
		id    int64
		field string
	}{{in.Proof, "proof"}, {in.IDFront, "id_front"}, {in.IDBack, "id_back"}} {
		var by int64
		err := q.QueryRowContext(ctx, `SELECT uploaded_by FROM documents WHERE id = $1`, d.id).Scan(&by)
		switch {
		case db.IsNoRows(err) || (err == nil && by != a.UserID):
			f.Add(d.field, "所选文件不是您本人上传的材料，请重新上传")
		case err != nil:
			return errs.Wrap(err, "transfer documents")
		case seen[d.id]:
			f.Add(d.field, "同一文件不能同时作为两项材料，请分别上传")
		}
		seen[d.id] = true
	}
	return f.Err()
}

// Mine lists the signed-in person's own transfers, newest first.
// Errors: LoginRequired, Forbidden (not a person).
func (s *Service) Mine(ctx context.Context, a *access.Actor) ([]Transfer, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RolePerson || a.PersonID == 0 {
		return nil, errs.New(errs.Forbidden, "person_only", "仅供参保人本人查看")
	}
	return transfersOf(ctx, s.db.Read(), a.PersonID)
}

// Step is one step of a transfer as the person and the clerk see it: its
// name, whether it is done, under way (with its deadline) or to come.
type Step struct {
	Name  string
	State string // done, current, pending
	Due   string // the deadline of the current step
}

// stepsIn and stepsOut are the three 15-working-day steps of each
// direction (45 working days in all), by the statuses that end them.
var (
	stepsIn = []struct {
		name   string
		during []string
	}{{"审核申请，出具联系函", []string{Applied}}, {"转出地出具信息表并划转基金", []string{LetterIssued, FormRecorded}},
		{"核对到账，合并缴费记录", []string{FundsMatched}}}
	stepsOut = []struct {
		name   string
		during []string
	}{{"核对联系函，出具信息表", []string{LetterRecorded}}, {"划转基金", []string{FormIssued}},
		{"基金拨付，关闭本地账户", []string{PayoutPrepared}}}
)

// Steps are the transfer's steps with the current one's deadline.
func (t *Transfer) Steps() []Step {
	def := stepsIn
	if t.Direction == Out {
		def = stepsOut
	}
	out := make([]Step, len(def))
	cur := len(def) // all done
	if t.Status == Refused {
		cur = 1
	}
	for i, d := range def {
		for _, st := range d.during {
			if st == t.Status {
				cur = i
			}
		}
	}
	for i, d := range def {
		out[i] = Step{Name: d.name, State: "pending"}
		switch {
		case i < cur:
			out[i].State = "done"
		case i == cur && t.Open():
			out[i].State, out[i].Due = "current", t.StepDue
		}
	}
	if t.Status == Refused {
		out[0].Name = "审核申请：不予受理"
	}
	return out
}
