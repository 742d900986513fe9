package mailintake

import (
	"testing"
	"unicode/utf8"
)

// FuzzParse: no input may panic the parser or make it return text that is
// not valid UTF-8. Run briefly with: go test -run X -fuzz FuzzParse -fuzztime 30s ./internal/mailintake/
func FuzzParse(f *testing.F) {
	f.Add([]byte("From: a@b.example\r\nSubject: =?GBK?B?ufjT2g==?=\r\n\r\nbody"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain; charset=gb18030\r\n\r\n\xc4\xe3\r\n--x--\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n--y\r\n--y--\r\n--x--"))
	f.Add([]byte("Subject: =?UTF-8?Q?=E5=B7=A5?=\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64"))
	f.Add([]byte("\x00\x01\x02"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := parse(raw)
		if err != nil {
			return
		}
		for _, s := range []string{p.Subject, p.Body, p.FromName} {
			if !validUTF8(s) {
				t.Fatalf("invalid UTF-8 out of parse: %q", s)
			}
		}
	})
}

func validUTF8(s string) bool { return utf8.ValidString(s) }
