package mailintake

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset" // registers GBK, GB18030, GB2312, Big5 … decoding
	"github.com/emersion/go-message/mail"
)

// Limits on one message's structure (its size is limited by the listener).
const (
	maxParts       = 100      // MIME parts walked
	maxAttachments = 20       // attachments kept
	maxBodyRunes   = 20000    // text kept from the body
	maxPartBytes   = 26 << 20 // bytes read from one part
	maxHeaderAddrs = 50       // To+Cc addresses before it counts as a blast
)

// parsed is what intake needs from a message.
type parsed struct {
	FromName, FromEmail string
	Subject             string
	Body                string
	MessageID           string
	Attachments         []attachment
	HeaderRcpts         []string // To and Cc addresses
	Header              mail.Header
	Problems            []string // non-fatal: unknown charset, unreadable part
}

type attachment struct {
	Name string
	Data []byte
}

// parse reads a raw RFC 5322 message. Chinese subjects in RFC 2047 (GBK,
// GB18030, UTF-8) and GBK bodies are decoded to UTF-8. It returns an error
// only when the message cannot be read at all.
func parse(raw []byte) (*parsed, error) {
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if mr == nil || err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		if err == nil {
			err = fmt.Errorf("empty message")
		}
		return nil, fmt.Errorf("邮件头无法解析: %w", err)
	}
	p := &parsed{Header: mr.Header}
	if err != nil {
		p.Problems = append(p.Problems, err.Error())
	}
	if from, err := mr.Header.AddressList("From"); err == nil && len(from) > 0 {
		p.FromName, p.FromEmail = clean(decodeWords(from[0].Name)), strings.ToLower(from[0].Address)
	}
	if s, err := mr.Header.Subject(); err == nil {
		p.Subject = clean(s)
	} else {
		p.Subject = clean(mr.Header.Get("Subject"))
	}
	p.MessageID, _ = mr.Header.MessageID()
	for _, k := range []string{"To", "Cc"} {
		if l, err := mr.Header.AddressList(k); err == nil {
			for _, a := range l {
				p.HeaderRcpts = append(p.HeaderRcpts, strings.ToLower(a.Address))
			}
		}
	}
	var plain, html string
	for i := 0; ; i++ {
		if i >= maxParts {
			p.Problems = append(p.Problems, "邮件分段过多")
			break
		}
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if message.IsUnknownCharset(err) || message.IsUnknownEncoding(err) {
				p.Problems = append(p.Problems, err.Error())
				continue
			}
			if i == 0 {
				return nil, fmt.Errorf("邮件正文无法解析: %w", err)
			}
			p.Problems = append(p.Problems, err.Error())
			break
		}
		// Attachments are most of a message: size the buffer once from
		// the raw length (base64 is 4/3 of the bytes) instead of growing it.
		buf := bytes.NewBuffer(nil)
		if _, ok := part.Header.(*mail.AttachmentHeader); ok {
			buf.Grow(min(len(raw)*3/4+4096, maxPartBytes))
		}
		_, err = buf.ReadFrom(io.LimitReader(part.Body, maxPartBytes))
		data := buf.Bytes()
		if err != nil {
			p.Problems = append(p.Problems, "分段读取失败: "+err.Error())
			continue
		}
		switch h := part.Header.(type) {
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			p.addAttachment(name, data)
		case *mail.InlineHeader:
			ct, params, _ := h.ContentType()
			switch {
			case ct == "text/plain" && plain == "":
				plain = string(data)
			case ct == "text/html" && html == "":
				html = stripTags(string(data))
			case !strings.HasPrefix(ct, "text/") && !strings.HasPrefix(ct, "multipart/"):
				p.addAttachment(params["name"], data) // inline image
			}
		}
	}
	if plain == "" {
		plain = html
	}
	p.Body = clip(clean(plain), maxBodyRunes)
	return p, nil
}

func (p *parsed) addAttachment(name string, data []byte) {
	if len(data) == 0 {
		return
	}
	if len(p.Attachments) >= maxAttachments {
		p.Problems = append(p.Problems, "附件过多，只保存前 20 个")
		return
	}
	p.Attachments = append(p.Attachments, attachment{Name: clean(name), Data: data})
}

var (
	tagRE   = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]*>`)
	spaceRE = regexp.MustCompile(`\n\s*\n\s*\n+`)
)

// stripTags turns an HTML body into rough text (the clerk sees text only).
func stripTags(s string) string {
	s = tagRE.ReplaceAllString(s, "\n")
	r := strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&#39;", "'")
	return spaceRE.ReplaceAllString(r.Replace(s), "\n\n")
}

// clean makes text valid UTF-8 without control characters other than
// newline and tab, and trims it.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// wordDecoder decodes RFC 2047 words in any charset go-message knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// decodeWords decodes encoded words left in a display name: many Chinese
// mail clients quote them ("=?GB2312?B?…?=" <a@b>), which RFC 2047 forbids
// and strict parsers therefore leave encoded.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return d
	}
	return s
}
