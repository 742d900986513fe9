package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTP sends email through a relay (host:port) with plain SMTP. Subjects
// are RFC 2047 encoded (UTF-8, base64) and bodies are UTF-8 base64, so
// Chinese text survives any relay.
type SMTP struct {
	Addr     string // relay host:port
	From     string // envelope and header sender, e.g. noreply@shebao.example
	HelloAs  string // name sent in EHLO; default "localhost"
	FromName string // display name; default 社保经办机构
	// StartTLS requires STARTTLS before anything is sent (TLS may be
	// set to pin roots or the server name; default: the relay's host name).
	StartTLS bool
	TLS      *tls.Config
	// Username and Password, when set, log in with AUTH PLAIN (only over
	// STARTTLS or to a relay on the loopback interface).
	Username, Password string
}

// Send implements Provider.
func (s *SMTP) Send(ctx context.Context, d Delivery) error {
	if _, err := mail.ParseAddress(d.To); err != nil {
		return &PermanentError{Err: fmt.Errorf("收件地址无效: %w", err)}
	}
	if host, _, _ := net.SplitHostPort(s.Addr); s.Username != "" && !s.StartTLS && !isLoopback(host) {
		return &PermanentError{Err: errors.New("邮件中继需要登录时必须启用 STARTTLS（不在明文连接上发送密码）")}
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := s.client(conn)
	if err != nil {
		conn.Close()
		return classify(err)
	}
	defer c.Close()
	if s.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password)); err != nil {
			return &PermanentError{Err: fmt.Errorf("邮件中继登录失败: %w", err)}
		}
	}
	if err := c.SendMail(s.From, []string{d.To}, bytes.NewReader(s.compose(d))); err != nil {
		return classify(err)
	}
	return c.Quit()
}

// client greets the relay, upgrading to TLS first when required. (With
// STARTTLS go-smtp greets as "localhost"; HelloAs applies to plain relays.)
func (s *SMTP) client(conn net.Conn) (*smtp.Client, error) {
	if s.StartTLS {
		cfg := s.TLS
		if cfg == nil {
			host, _, _ := net.SplitHostPort(s.Addr)
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		return smtp.NewClientStartTLS(conn, cfg)
	}
	hello := s.HelloAs
	if hello == "" {
		hello = "localhost"
	}
	c := smtp.NewClient(conn)
	if err := c.Hello(hello); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// classify makes SMTP 5xx replies permanent; 4xx and network errors retry.
func classify(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return &PermanentError{Err: err}
	}
	return err
}

// compose builds the RFC 5322 message.
func (s *SMTP) compose(d Delivery) []byte {
	name := s.FromName
	if name == "" {
		name = "社保经办机构"
	}
	var b bytes.Buffer
	domain := "shebao.local"
	if at := strings.LastIndexByte(s.From, '@'); at >= 0 {
		domain = s.From[at+1:]
	}
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", (&mail.Address{Name: name, Address: s.From}).String())
	hdr("To", d.To)
	hdr("Subject", mime.BEncoding.Encode("UTF-8", d.Subject))
	hdr("Date", d.CreatedAt.Format(time.RFC1123Z))
	hdr("Message-ID", fmt.Sprintf("<outbox-%d@%s>", d.ID, domain))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(d.Body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
