package demo

import (
	"bytes"
	"fmt"
	"mime"
	"mime/multipart"
	"time"
)

// InjuryScansMail is the e-mail an employer sends to 工伤保险待遇科's
// mailbox when a hospital cannot settle directly: the scanned inpatient
// cost summary list (PDF) and the invoice (image) of a worker's stay.
func InjuryScansMail(from, to, employer, worker string, at time.Time) []byte {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	text := fmt.Sprintf("您好：\r\n我单位职工%s（医护人员，感染新冠肺炎已认定工伤）在非定点医疗机构住院治疗，"+
		"医院无法联网结算，现寄送住院费用汇总明细清单和发票扫描件，请按快捷通道审核，费用支付至职工本人账户。\r\n%s\r\n", worker, employer)
	part(w, "text/plain; charset=utf-8", "", []byte(text))
	part(w, "application/pdf", "住院费用汇总明细清单.pdf", samplePDF)
	part(w, "image/png", "住院发票.png", samplePNG)
	_ = w.Close()
	var m bytes.Buffer
	fmt.Fprintf(&m, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <injury-scans-%d@example.com>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=%s\r\n\r\n", from, to, mime.BEncoding.Encode("utf-8", "工伤医疗费用报销（"+worker+"，扫描件）"),
		at.Format(time.RFC1123Z), at.Unix(), w.Boundary())
	m.Write(body.Bytes())
	return m.Bytes()
}
