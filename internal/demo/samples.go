package demo

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
	"time"
)

// samplePNG is a 1×1 PNG standing in for an ID card scan.
var samplePNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

// samplePDF is a minimal PDF standing in for the application letter.
var samplePDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n")

// SelfEmployedMail is the e-mail a flexible worker sends to 个体参保科's
// mailbox to apply for retirement: both sides of the ID card, the
// application letter and two mobile numbers in the text (the demo's
// sample and the browser journey's).
func SelfEmployedMail(from, to, name, idNumber, phone1, phone2 string, at time.Time) []byte {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	text := fmt.Sprintf("您好：\r\n本人%s（公民身份号码 %s），以灵活就业人员身份参保，已达到退休年龄，申请办理退休。\r\n"+
		"附件为二代身份证正反面和退休申请书。\r\n联系电话：%s，%s\r\n", name, idNumber, phone1, phone2)
	part(w, "text/plain; charset=utf-8", "", []byte(text))
	part(w, "image/png", "身份证人像面.png", samplePNG)
	part(w, "image/png", "身份证国徽面.png", samplePNG)
	part(w, "application/pdf", "退休申请书.pdf", samplePDF)
	_ = w.Close()
	var m bytes.Buffer
	fmt.Fprintf(&m, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <retire-%s@example.com>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=%s\r\n\r\n", from, to, mime.BEncoding.Encode("utf-8", "个体退休申报（"+name+"）"),
		at.Format(time.RFC1123Z), idNumber, w.Boundary())
	m.Write(body.Bytes())
	return m.Bytes()
}

func part(w *multipart.Writer, contentType, name string, data []byte) {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", contentType)
	h.Set("Content-Transfer-Encoding", "base64")
	if name != "" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	pw, _ := w.CreatePart(h)
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		_, _ = pw.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	_, _ = pw.Write([]byte(strings.TrimSpace(enc) + "\r\n"))
}
