package mailintake

import (
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func enc(t *testing.T, s string, gb18030 bool) string {
	e := simplifiedchinese.GBK.NewEncoder()
	if gb18030 {
		e = simplifiedchinese.GB18030.NewEncoder()
	}
	b, err := e.String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCharsetsAndBodies(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name, raw, subject, body, fromName string
	}{
		{"gb18030 subject, quoted-printable utf-8 body",
			"From: a@b.example\r\nSubject: =?GB18030?B?" + b64(enc(t, "医疗保险报销", true)) + "?=\r\n" +
				"Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E4=BD=A0=E5=A5=BD\r\n",
			"医疗保险报销", "你好", ""},
		{"gb2312 q-encoded subject, gbk 8bit body",
			"From: =?GBK?B?" + b64(enc(t, "王五", false)) + "?= <w@b.example>\r\nSubject: =?gb2312?B?" + b64(enc(t, "退休", false)) + "?=\r\n" +
				"Content-Type: text/plain; charset=gb2312\r\n\r\n" + enc(t, "请审核", false) + "\r\n",
			"退休", "请审核", "王五"},
		{"html only",
			"From: a@b.example\r\nSubject: hi\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>第一段</p><script>alert(1)</script><p>A &amp; B</p>",
			"hi", "第一段\n\nA & B", ""},
		{"unknown charset keeps going",
			"From: a@b.example\r\nSubject: x\r\nContent-Type: text/plain; charset=x-unknown-42\r\n\r\nplain ascii\r\n",
			"x", "plain ascii", ""},
		{"bare LF line endings",
			"From: a@b.example\nSubject: =?UTF-8?B?" + b64("工伤") + "?=\n\n正文\n", "工伤", "正文", ""},
	}
	for _, c := range cases {
		p, err := parse([]byte(c.raw))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if p.Subject != c.subject || strings.TrimSpace(p.Body) != c.body || p.FromName != c.fromName {
			t.Errorf("%s: got subject %q body %q from %q", c.name, p.Subject, p.Body, p.FromName)
		}
	}
}

func TestSpamScore(t *testing.T) {
	ok := &parsed{FromEmail: "a@b.example", Subject: "x"}
	if s, _ := spamScore(ok, 1); s >= SpamThreshold {
		t.Fatalf("normal mail scored %d", s)
	}
	bulk, _ := parse([]byte("From: a@b.example\r\nPrecedence: bulk\r\nList-Unsubscribe: <x>\r\nSubject: s\r\n\r\nb"))
	if s, why := spamScore(bulk, 1); s >= SpamThreshold || len(why) != 1 {
		t.Fatalf("newsletter alone should not be quarantined: %d %v", s, why)
	}
	for _, a := range []attachment{{Name: "a.scr", Data: []byte("x")}, {Name: "photo.jpg", Data: []byte("\x7fELF....")}, {Name: "r.pdf", Data: []byte("#!/bin/sh")}} {
		p := &parsed{FromEmail: "a@b.example", Subject: "x", Attachments: []attachment{a}}
		if s, _ := spamScore(p, 1); s < SpamThreshold {
			t.Errorf("%s not flagged", a.Name)
		}
	}
}
