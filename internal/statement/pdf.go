package statement

import (
	"strconv"
	"strings"
	"time"

	"shebao/internal/certificate"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/pdfdoc"
)

// columns of the table by year.
var columns = []pdfdoc.Column{{Title: "年度", Width: 13}, {Title: "缴费月数", Width: 15, Right: true},
	{Title: "养老缴费基数", Width: 32, Right: true}, {Title: "缴费金额", Width: 22, Right: true},
	{Title: "账户记账", Width: 20, Right: true}, {Title: "利息", Width: 18, Right: true},
	{Title: "年末余额", Width: 24, Right: true}, {Title: "标注", Width: 26}}

// title of the statement of a year.
func title(year int) string { return strconv.Itoa(year) + " 年度个人权益记录单" }

// facts are the masked identity and totals at the top of a statement.
func (c *Content) facts(issuer string) []pdfdoc.KV {
	kv := []pdfdoc.KV{{Key: "姓名", Value: ident.MaskNameEnds(c.Person.Name)},
		{Key: "公民身份号码", Value: ident.MaskID(c.Person.IDNumber)},
		{Key: "参保身份", Value: c.Person.Kind.Name()}}
	if c.Employer != "" {
		kv = append(kv, pdfdoc.KV{Key: "参保单位", Value: c.Employer})
	}
	return append(kv, pdfdoc.KV{Key: "累计缴费年限", Value: c.Service() + "（" + strconv.Itoa(c.Months) + " 个月）"},
		pdfdoc.KV{Key: "个人账户累计利息", Value: c.Interest.String() + " 元"},
		pdfdoc.KV{Key: strconv.Itoa(c.Year) + " 年末账户余额", Value: c.Balance.String() + " 元"},
		pdfdoc.KV{Key: "出具机构", Value: issuer})
}

// table is the rows by year and the total row.
func (c *Content) table() ([][]string, []string) {
	rows := make([][]string, 0, len(c.Rows))
	var paid, credits, interest int64
	for _, r := range c.Rows {
		rows = append(rows, []string{strconv.Itoa(r.Year), strconv.Itoa(r.Months), r.Base(), r.Paid.String(),
			r.Credits.String(), r.Interest.String(), r.Balance.String(), strings.Join(r.Flags, "、")})
		paid, credits, interest = paid+int64(r.Paid), credits+int64(r.Credits), interest+int64(r.Interest)
	}
	total := []string{"合计", strconv.Itoa(c.Months), "", money.Fen(paid).String(), money.Fen(credits).String(), money.Fen(interest).String(), c.Balance.String(), ""}
	return rows, total
}

// note explains the columns.
const note = "缴费金额为已到账的养老保险单位和个人缴费；账户记账为个人缴费部分计入个人账户的金额（退款冲销已扣除）；" +
	"利息为年度记账利息；标注“转入”的年度由原参保地转入。如对记录有异议，请携带身份证件到个人账户科核对。"

// write adds one statement to a document: its blocks, and the code in
// the text (the print edition has no footer per statement).
func (c *Content) write(d *pdfdoc.Doc, issuer string) {
	d.Title(title(c.Year))
	d.KeyValues(c.facts(issuer))
	rows, total := c.table()
	d.Lines(columns, rows, total)
	d.Text("注：" + note)
}

// PDF renders one statement with its verification footer.
func (c *Content) PDF(issuer, code, checkURL string, on time.Time) ([]byte, error) {
	d, err := pdfdoc.New()
	if err != nil {
		return nil, err
	}
	d.SetDate(on)
	c.write(d, issuer)
	d.Footer(certificate.GroupCode(code), checkURL,
		"核验：扫描二维码，或访问本机构网站“缴费证明核验”页面输入验证码。核验页仅显示脱敏信息。出具日期 "+on.Format("2006-01-02")+"。")
	return d.Bytes()
}
