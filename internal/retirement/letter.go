package retirement

import (
	"context"
	"fmt"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/pdfdoc"
)

// LetterOf returns the decided determination of a case and its
// qualification for the letter, to 保险福利科 (个体参保科 for the
// self-employed), the person and the employer. Errors: NotFound (also
// someone else's), Conflict (not decided yet).
func (s *Service) LetterOf(ctx context.Context, a *access.Actor, caseNo string) (*Qualification, *Determination, error) {
	x, err := scanQual(s.db.Read().QueryRowContext(ctx, `SELECT `+qualColumns+qualFrom+` WHERE q.case_no = $1 AND q.case_no <> ''`, caseNo))
	if db.IsNoRows(err) || (err == nil && !s.maySee(ctx, a, x)) {
		return nil, nil, errs.New(errs.NotFound, "letter_not_found", "未找到该待遇核定通知书")
	}
	if err != nil {
		return nil, nil, errs.Wrap(err, "letter")
	}
	ds, err := determinations(ctx, s.db.Read(), "case_no = $1 AND status = 'decided'", caseNo)
	if err != nil {
		return nil, nil, err
	}
	if len(ds) == 0 {
		return nil, nil, errs.New(errs.Conflict, "not_decided", "待遇尚未核定，暂无核定通知书")
	}
	return x, ds[0], nil
}

// LetterPDF is the determination letter (基本养老金待遇核定通知书): the
// person, the amounts with every step, the first month and arrears, and
// the verification code with the address to check it.
func LetterPDF(x *Qualification, d *Determination, checkURL string) ([]byte, error) {
	doc, err := pdfdoc.New()
	if err != nil {
		return nil, err
	}
	if d.DecidedAt != nil {
		doc.SetDate(*d.DecidedAt)
	}
	doc.Title("基本养老金待遇核定通知书")
	doc.KeyValues([]pdfdoc.KV{
		{Key: "姓名", Value: x.NameMasked()}, {Key: "公民身份号码", Value: x.IDMasked()},
		{Key: "参保单位", Value: orDash(x.EmployerName)}, {Key: "业务编号", Value: d.CaseNo},
		{Key: "退休时间", Value: d.RetireMonth.Chinese()}, {Key: "核定版本", Value: fmt.Sprintf("第 %d 版", d.Version)},
		{Key: "基础养老金", Value: d.Basic.String() + " 元"}, {Key: "个人账户养老金", Value: d.Account.String() + " 元"},
		{Key: "过渡性养老金", Value: d.Transitional.String() + " 元"}, {Key: "月基本养老金", Value: d.Total.String() + " 元"},
		{Key: "起始发放月份", Value: d.FirstMonth.Chinese()},
		{Key: "补发", Value: fmt.Sprintf("%d 个月，%s 元", d.ArrearsMonths, d.Arrears)},
	})
	if d.Version > 1 {
		doc.Text(fmt.Sprintf("本次更正原因：%s；月养老金较上一版本变化 %s 元。", d.Reason, d.Difference))
	}
	doc.Heading("计算过程")
	for i, st := range d.Steps {
		doc.Text(fmt.Sprintf("%d. %s", i+1, st.Text))
	}
	doc.Footer(d.VerifyCode, checkURL, "可凭验证码在本机构网站核验本通知书")
	return doc.Bytes()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// LetterCheck is what the public check of a letter shows.
type LetterCheck struct {
	CaseNo     string
	NameMasked string
	Total      string
	FirstMonth string
	Version    int64
	Current    bool // not superseded by a correction
}

// CheckLetter finds a letter by its verification code for the public
// check page. Errors: NotFound.
func (s *Service) CheckLetter(ctx context.Context, code string) (*LetterCheck, error) {
	ds, err := determinations(ctx, s.db.Read(), "verify_code = $1", code)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, errs.New(errs.NotFound, "letter_not_found", "未找到该验证码对应的待遇核定通知书，请核对验证码")
	}
	d := ds[0]
	var name string
	_ = s.db.Read().QueryRowContext(ctx, `SELECT name FROM persons WHERE id = $1`, d.PersonID).Scan(&name)
	return &LetterCheck{CaseNo: d.CaseNo, NameMasked: maskName(name), Total: d.Total.String(), FirstMonth: d.FirstMonth.Chinese(),
		Version: d.Version, Current: d.Status == DetDecided}, nil
}
func maskName(s string) string { return ident.MaskName(s) }
