package payment

import (
	"fmt"

	"shebao/internal/clock"
	"shebao/internal/pdfdoc"
)

// ReceiptPDF renders a receipt as a Chinese A4 PDF. It returns an error
// wrapping pdfdoc.ErrNoFont when the CJK font is missing: offer the
// printable HTML receipt instead.
func ReceiptPDF(r *Receipt) ([]byte, error) {
	d, err := pdfdoc.New()
	if err != nil {
		return nil, err
	}
	p := r.Payment
	d.SetDate(r.IssuedAt)
	d.Title("社会保险费缴费收据")
	channel := map[string]string{Transfer: "银行电汇", Card: "刷卡", Cash: "现金"}[p.Channel]
	kv := []pdfdoc.KV{{Key: "缴费单位/个人", Value: r.Payer}, {Key: "核定单号", Value: p.BillNo}, {Key: "费款所属期", Value: p.FeeMonth},
		{Key: "缴费日期", Value: p.PaidOn}, {Key: "缴费方式", Value: channel}, {Key: "交易流水号", Value: p.Serial}}
	if p.LateFeeDays > 0 {
		kv = append(kv, pdfdoc.KV{Key: "滞纳金计算", Value: fmt.Sprintf("逾期 %d 天，计收 %d 天，免收 %d 天，滞纳金 %s 元",
			p.LateFeeDays, p.DaysCharged(), p.DaysWaived, p.LateFee)})
	}
	if p.LateFeeNote != "" {
		kv = append(kv, pdfdoc.KV{Key: "滞纳金说明", Value: p.LateFeeNote})
	}
	d.KeyValues(kv)
	rows := make([][]string, 0, len(r.Lines))
	for _, l := range r.Lines {
		rows = append(rows, []string{l.Name, l.Amount.String(), l.LateFee.String()})
	}
	d.Lines([]pdfdoc.Column{{Title: "险种", Width: 70}, {Title: "社会保险费（元）", Width: 50, Right: true},
		{Title: "滞纳金（元）", Width: 50, Right: true}}, rows, []string{"合计", p.Applied.String(), p.LateFee.String()})
	d.Text(fmt.Sprintf("实收金额合计：%s 元。开具单位：%s，开具时间：%s。", r.Total.String(), r.Issuer,
		r.IssuedAt.In(clock.Shanghai).Format("2006-01-02 15:04")))
	d.Footer(p.ReceiptCode, r.CheckURL, "核验：扫描二维码，或访问“缴费收据核验”页面输入验证码（仅显示脱敏信息）。纸质发票按申请邮寄或疫情结束后领取。")
	return d.Bytes()
}
