package injury

import (
	"context"
	"strings"

	"shebao/internal/access"
	"shebao/internal/certificate"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/pdfdoc"
)

// LetterPDF renders the decision letter (待遇核定决定书) of an approved or
// refused claim for the section, the employer and the worker, with the
// verification code and a QR code of checkURL. Errors: NotFound (not the
// actor's claim), Conflict (not decided yet), and pdfdoc.ErrNoFont.
func (s *Service) LetterPDF(ctx context.Context, a *access.Actor, claimID int64, checkURL func(code string) string) ([]byte, *Claim, error) {
	c, err := s.ClaimByID(ctx, a, claimID)
	if err != nil {
		return nil, nil, err
	}
	if c.LetterCode == "" || c.DecidedAt == nil {
		return nil, nil, errs.New(errs.Conflict, "not_decided", "该申报尚未核准，暂无决定书")
	}
	d, err := pdfdoc.New()
	if err != nil {
		return nil, nil, err
	}
	d.SetDate(*c.DecidedAt)
	d.Title("工伤保险待遇核定决定书")
	d.Text(c.EmployerName + "、" + ident.MaskName(c.PersonName) + "：")
	d.Text("你单位（你）申报的" + c.BenefitName() + "（受理编号 " + c.CaseNo + "），经审核，核定如下：")
	d.KeyValues([]pdfdoc.KV{{Key: "工伤职工", Value: ident.MaskName(c.PersonName) + "（" + c.PersonIDMask + "）"},
		{Key: "用人单位", Value: c.EmployerName}, {Key: "申报金额", Value: c.Claimed.String() + " 元"},
		{Key: "核准金额", Value: c.Approved.String() + " 元"}, {Key: "收款方", Value: c.PayeeName()},
		{Key: "收款账号", Value: c.AccountMasked()},
		{Key: "核定日期", Value: c.DecidedAt.In(clock.Shanghai).Format("2006年01月02日")}})
	rows := make([][]string, 0, len(c.Items))
	for _, it := range c.Items {
		name := it.Name
		if it.Monthly {
			name += "（自 " + it.FirstMonth + " 起按月）"
		}
		rows = append(rows, []string{itoa(it.Line), name, it.Claimed.String(), it.Approved.String(), it.DecisionName(),
			it.Reason})
	}
	d.Lines([]pdfdoc.Column{{Title: "序号", Width: 12}, {Title: "项目", Width: 60}, {Title: "申报（元）", Width: 26, Right: true},
		{Title: "核准（元）", Width: 26, Right: true}, {Title: "结论", Width: 18}, {Title: "理由", Width: 40}}, rows,
		[]string{"", "合计", c.Claimed.String(), c.Approved.String(), "", ""})
	if c.Refusal != "" {
		d.Text("说明：" + c.Refusal)
	}
	d.Text("如对本决定不服，可自收到本决定书之日起 60 日内申请行政复议，或 6 个月内提起行政诉讼。")
	d.Footer(certificate.GroupCode(c.LetterCode), checkURL(c.LetterCode), "核验：扫描二维码，或在本机构网站“决定书核验”页面输入验证码。核验页仅显示脱敏信息。")
	b, err := d.Bytes()
	return b, c, err
}

// LetterCheck is what anyone with a letter's code may see: masked.
type LetterCheck struct {
	CaseNo    string
	Worker    string
	Employer  string
	Benefit   string
	Approved  string
	DecidedOn string
	Status    string
}

// CheckLetter looks a decision letter up by its verification code
// (public; masked). Errors: NotFound.
func (s *Service) CheckLetter(ctx context.Context, code string) (*LetterCheck, error) {
	code = certificate.NormalizeCode(code)
	if code == "" {
		return nil, errs.NotFoundf("验证码无效，请核对")
	}
	c, err := loadClaim(ctx, s.db.Read(), "c.letter_code = $1", code, false)
	if errs.KindOf(err) == errs.NotFound || db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该验证码对应的决定书，请核对")
	}
	if err != nil {
		return nil, err
	}
	emp := []rune(c.EmployerName)
	if len(emp) > 4 {
		emp = append(emp[:2], []rune(strings.Repeat("*", len(emp)-4)+string(emp[len(emp)-2:]))...)
	}
	out := &LetterCheck{CaseNo: c.CaseNo, Worker: ident.MaskName(c.PersonName), Employer: string(emp),
		Benefit: c.BenefitName(), Approved: c.Approved.String(), Status: c.StatusName()}
	if c.DecidedAt != nil {
		out.DecidedOn = c.DecidedAt.In(clock.Shanghai).Format("2006-01-02")
	}
	return out, nil
}
