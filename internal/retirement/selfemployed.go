package retirement

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/casework"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/notify"
)

// Checklist items of a self-employed application (the catalog's
// flexible_retirement case).
const (
	IDItem     = "身份证"
	LetterItem = "退休申请书"
)

// SelfInput is a self-employed retirement application (个体退休申报): the
// ID number, two mobile numbers, and the scans: both sides of the
// second-generation ID card and the application letter (stored
// documents). A clerk adds the channel (phone, or email with the mail
// draft it came in) and the applicant's e-mail address.
type SelfInput struct {
	IDNumber   string
	Phone1     string
	Phone2     string
	IDFront    int64
	IDBack     int64
	Letter     int64
	Channel    string // clerk: phone | email | post
	DraftNo    string // clerk: the mail draft the application arrived as
	DraftVer   int64
	ReplyEmail string
}

// SelfEmployedChannels are the channels a 个体参保科 clerk records from.
var SelfEmployedChannels = []string{"email", "phone", "post"}

var digitRuns = regexp.MustCompile(`\d+`)

// MobilesIn finds distinct mainland mobile numbers in a text (an e-mail
// body), to prefill the clerk's form.
func MobilesIn(text string) []string {
	var out []string
	for _, m := range digitRuns.FindAllString(text, -1) {
		if len(m) == 11 && m[0] == '1' && m[1] >= '3' && !contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// SubmitSelfEmployed takes a self-employed retirement application: online
// by the person, or recorded by a 个体参保科 clerk from a call or an e-mail
// draft. It checks that both ID sides and the letter are there, that the
// two mobile numbers are valid and distinct, that the ID number is valid
// and belongs to an insured flexible worker who is alive, not retired and
// of age; what is missing is asked for by SMS (and e-mail) and nothing is
// recorded. A complete application opens 个体参保科's case and the
// application awaiting approval. Errors: Forbidden, Invalid, Conflict.
func (s *Service) SubmitSelfEmployed(ctx context.Context, a *access.Actor, in SelfInput) (*Qualification, error) {
	q := &Qualification{Kind: KindSelfEmployed, Channel: "web", Status: QualSubmitted, ReceivedAt: s.now(), Version: 1}
	var f errs.Fields
	switch {
	case a != nil && a.Role == access.RolePerson && a.PersonID != 0:
	case a.In(access.SelfEmployed):
		q.Channel = in.Channel
		if !contains(SelfEmployedChannels, in.Channel) {
			f.Add("channel", "请选择来件渠道（邮件、电话或邮寄）")
		}
	default:
		return nil, errs.New(errs.Forbidden, "selfemployed_forbidden", "个体退休由本人网上申报，或由个体参保科按邮件、电话登记")
	}
	p := s.selfFacts(ctx, &f, q, in, a)
	missing := missingScans(&f, in)
	s.checkDraftDocs(ctx, &f, a, in)
	if err := f.Err(); err != nil {
		s.askForMissing(ctx, q, in, f, missing)
		return nil, err
	}
	q.Contact = p.Name
	if err := s.recordSelf(ctx, a, q, p, in); err != nil {
		return nil, err
	}
	return q, nil
}

// selfFacts checks the person and the two phones.
func (s *Service) selfFacts(ctx context.Context, f *errs.Fields, q *Qualification, in SelfInput, a *access.Actor) *Subject {
	p1, p2 := mobile(f, "phone1", in.Phone1), mobile(f, "phone2", in.Phone2)
	if p1 != "" && p1 == p2 {
		f.Add("phone2", "请提供两个不同的手机号码")
	}
	q.Phone1, q.Phone2 = p1, p2
	p := subjectByIDNumber(ctx, s.db.Read(), in.IDNumber, f, "id_number", s.thisMonth)
	if p == nil {
		return nil
	}
	switch {
	case a.Role == access.RolePerson && a.PersonID != p.ID:
		f.Add("id_number", "只能为本人申报退休")
	case p.Kind != "flexible" && p.Kind != "retiree":
		f.Add("id_number", "该人员不是参保的灵活就业人员或个体工商户，职工退休请由单位报送退休资格确认表")
	}
	if err := livingInsured(p); err != nil {
		f.Add("id_number", errs.As(err).Message)
		return nil
	}
	q.PersonID, q.PersonName, q.IDNumber, q.Category, q.RetireMonth = p.ID, p.Name, p.IDNumber, p.Category, p.Retire()
	s.checkAge(f, p)
	return p
}

func mobile(f *errs.Fields, field, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		f.Add(field, "请提供两个手机号码")
		return ""
	}
	m, err := ident.ParsePhone(v)
	if err != nil || len(m) != 11 || m[0] != '1' {
		f.Add(field, "手机号码有误，须为 11 位大陆手机号码")
		return ""
	}
	return m
}

// missingScans lists the scans not given.
func missingScans(f *errs.Fields, in SelfInput) []string {
	var miss []string
	if in.IDFront == 0 {
		f.Add("id_front", "缺少二代身份证人像面扫描件")
		miss = append(miss, "二代身份证人像面扫描件")
	}
	if in.IDBack == 0 || in.IDBack == in.IDFront {
		f.Add("id_back", "缺少二代身份证国徽面扫描件")
		miss = append(miss, "二代身份证国徽面扫描件")
	}
	if in.Letter == 0 || in.Letter == in.IDFront || in.Letter == in.IDBack {
		f.Add("letter", "缺少退休申请书")
		miss = append(miss, "退休申请书")
	}
	return miss
}

// askForMissing sends the list of what is missing to the applicant's
// valid mobile numbers and e-mail address.
func (s *Service) askForMissing(ctx context.Context, q *Qualification, in SelfInput, f errs.Fields, scans []string) {
	if s.notify == nil {
		return
	}
	items := append([]string(nil), scans...)
	for _, fe := range f {
		if fe.Field == "phone1" || fe.Field == "phone2" || fe.Field == "id_number" {
			items = append(items, fe.Message)
		}
	}
	body := "您的个体退休申报材料不全，请补充后重新发送至个体参保科邮箱：" + strings.Join(items, "；")
	for _, to := range []notify.Recipient{{Phone: q.Phone1}, {Phone: q.Phone2}, {Email: strings.TrimSpace(in.ReplyEmail)}} {
		if to.Phone != "" || strings.Contains(to.Email, "@") {
			_ = s.notify.Notify(ctx, to, notify.Message{Subject: "个体退休申报：请补充材料", Body: body, Kind: "retirement.missing"})
		}
	}
}

// recordSelf stores the application and opens its case: a new case, or
// the mail draft confirmed as one.
func (s *Service) recordSelf(ctx context.Context, a *access.Actor, q *Qualification, p *Subject, in SelfInput) error {
	app := casework.Applicant{Kind: casework.ApplicantPerson, PersonID: p.ID, Name: p.Name, Phone: q.Phone1, Email: strings.TrimSpace(in.ReplyEmail)}
	docs := []casework.DocumentLink{{DocumentID: in.IDFront, Item: IDItem}, {DocumentID: in.IDBack, Item: IDItem}, {DocumentID: in.Letter, Item: LetterItem}}
	after := func(ctx context.Context, tx *sql.Tx, c *casework.Case) error {
		q.CaseNo = c.No
		if err := s.insertQualification(ctx, tx, q, a.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE retirement_qualifications SET case_no = $2 WHERE id = $1`, q.ID, c.No); err != nil {
			return errs.Wrap(err, "self-employed case")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.selfemployed.submit", Entity: "retirement_qualification",
			EntityID: q.No, After: map[string]any{"id_number": p.IDMasked(), "channel": q.Channel, "case_no": c.No,
				"phones": []string{ident.MaskPhone(q.Phone1), ident.MaskPhone(q.Phone2)}}})
	}
	title := "个体退休申报：" + ident.MaskName(p.Name)
	if in.DraftNo != "" {
		_, err := s.cases.ConfirmDraft(ctx, a, in.DraftNo, in.DraftVer, casework.ConfirmInput{Type: SelfEmployedCaseType,
			Applicant: app, SubjectIDNumber: p.IDNumber, Title: title, After: after})
		return err
	}
	opener := a
	if a.Role == access.RolePerson {
		app = casework.Applicant{Name: p.Name, Phone: q.Phone1}
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := s.cases.OpenTx(ctx, tx, opener, casework.OpenInput{Type: SelfEmployedCaseType, Channel: q.Channel, Applicant: app,
			SubjectIDNumber: p.IDNumber, Title: title, Summary: fmt.Sprintf("手机 %s、%s", ident.MaskPhone(q.Phone1), ident.MaskPhone(q.Phone2)),
			Documents: docs})
		if err != nil {
			return err
		}
		return after(ctx, tx, c)
	})
}

// checkDraftDocs refuses scans that are not attachments of the draft the
// application came in, and, online, scans the applicant did not upload.
func (s *Service) checkDraftDocs(ctx context.Context, f *errs.Fields, a *access.Actor, in SelfInput) {
	if in.DraftNo == "" && a.Role == access.RolePerson {
		s.checkOwnDocs(ctx, f, a, in)
		return
	}
	if in.DraftNo == "" {
		return
	}
	for field, id := range map[string]int64{"id_front": in.IDFront, "id_back": in.IDBack, "letter": in.Letter} {
		if id != 0 && s.cases.HasDocument(ctx, a, in.DraftNo, id) != nil && !f.Has(field) {
			f.Add(field, "所选文件不是该邮件的附件")
		}
	}
}

func (s *Service) checkOwnDocs(ctx context.Context, f *errs.Fields, a *access.Actor, in SelfInput) {
	for field, id := range map[string]int64{"id_front": in.IDFront, "id_back": in.IDBack, "letter": in.Letter} {
		var by int64
		err := s.db.Read().QueryRowContext(ctx, `SELECT uploaded_by FROM documents WHERE id = $1`, id).Scan(&by)
		if id != 0 && (err != nil || by != a.UserID) && !f.Has(field) {
			f.Add(field, "所选文件不是您本人上传的材料，请重新上传")
		}
	}
}
