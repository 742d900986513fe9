package transfer

import (
	"fmt"

	"shebao/internal/errs"
	"shebao/internal/pdfdoc"
)

// Document renders the paper of a transfer's state as a PDF: for a
// transfer in the 联系函 (acceptance letter, with its verification code)
// or the written refusal; for a transfer out the 信息表 with the amounts.
// Errors: Conflict (no document yet), Internal (no font).
func (s *Service) Document(t *Transfer, issuer string) (string, []byte, error) {
	d, err := pdfdoc.New()
	if err != nil {
		return "", nil, errs.New(errs.Internal, "no_font", "服务器缺少中文字体，无法生成 PDF")
	}
	d.SetDate(s.clock.Now())
	var name string
	switch {
	case t.Direction == In && t.Status == Refused:
		name = "不予受理告知书-" + t.No + ".pdf"
		d.Title("基本养老保险关系转移接续不予受理告知书")
		d.Text(fmt.Sprintf("%s（公民身份号码 %s）：您申请将基本养老保险关系从%s转入本地，经审核不予受理，理由如下：", t.PersonName, t.MaskedID(), t.OtherAgency))
		d.Text(t.Refusal)
		d.Text("如有异议，可在收到本告知书之日起六十日内申请行政复议。")
	case t.Direction == In && t.LetterCode != "":
		name = "基本养老保险关系转移接续联系函-" + t.No + ".pdf"
		d.Title("基本养老保险关系转移接续联系函")
		d.Text(t.OtherAgency + "：")
		d.Text(fmt.Sprintf("参保人员 %s（公民身份号码 %s）已在我处参保，申请将基本养老保险关系转入我处。经审核，同意接收。请按规定出具参保缴费信息表并转移基金。", t.PersonName, t.IDNumber))
		d.KeyValues([]pdfdoc.KV{{Key: "业务编号", Value: t.No}, {Key: "接收机构", Value: issuer}, {Key: "核验码", Value: t.LetterCode}})
	case t.Direction == Out && len(t.Years) > 0:
		name = "基本养老保险参保缴费凭证信息表-" + t.No + ".pdf"
		d.Title("基本养老保险参保缴费信息表")
		d.KeyValues([]pdfdoc.KV{{Key: "姓名", Value: t.PersonName}, {Key: "公民身份号码", Value: t.IDNumber},
			{Key: "转入地", Value: t.OtherAgency + "（联系函 " + t.OtherLetter + "）"}, {Key: "缴费期间", Value: t.FirstMonth + " 至 " + t.LastMonth}})
		rows := make([][]string, 0, len(t.Years))
		for _, y := range t.Years {
			rows = append(rows, []string{fmt.Sprint(y.Year), fmt.Sprint(y.Months), y.Wages.String(), y.Account.String()})
		}
		d.Lines([]pdfdoc.Column{{Title: "年度", Width: 30}, {Title: "缴费月数", Width: 30, Right: true},
			{Title: "实际缴费工资（元）", Width: 55, Right: true}, {Title: "个人账户记账额（元）", Width: 55, Right: true}},
			rows, []string{"合计", "", yearsWages(t.Years).String(), ""})
		temp := "否"
		if t.TempAccount {
			temp = "是（男满 50 周岁、女满 40 周岁转往非户籍所在地，转入地建立临时基本养老保险缴费账户）"
		}
		d.KeyValues([]pdfdoc.KV{{Key: "个人账户储存额", Value: t.Account.String() + " 元"},
			{Key: "统筹基金转移额", Value: t.Pooled.String() + " 元（1998 年起各年度实际缴费工资的 12%）"},
			{Key: "转移基金合计", Value: t.Total().String() + " 元"}, {Key: "临时缴费账户", Value: temp},
			{Key: "待遇领取地", Value: t.PensionPlace}, {Key: "出具机构", Value: issuer}})
	default:
		return "", nil, errs.New(errs.Conflict, "no_document", "该环节尚无可打印的文书")
	}
	b, err := d.Bytes()
	if err != nil {
		return "", nil, errs.Wrap(err, "transfer pdf")
	}
	return name, b, nil
}
