package mailintake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// NewSMTPServer returns an SMTP server (no AUTH, no relaying) that accepts
// mail for the section mailboxes only: unknown recipients are refused at
// RCPT (550), messages over the size limit at DATA (552). A panic while
// handling one message quarantines it; go-smtp also recovers per
// connection, so the listener keeps running.
func (s *Service) NewSMTPServer() *smtp.Server {
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = s.cfg.Domain
	srv.MaxMessageBytes = s.cfg.MaxMessageBytes
	srv.MaxRecipients = s.cfg.MaxRecipients
	srv.MaxLineLength = 8000
	srv.ReadTimeout = 2 * time.Minute
	srv.WriteTimeout = 2 * time.Minute
	return srv
}

// Serve runs the SMTP listener on ln until ctx ends.
func (s *Service) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.NewSMTPServer()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(limitListener(ln, maxConns)) }()
	s.log.Info("smtp intake listening", "addr", ln.Addr().String(), "domain", s.cfg.Domain)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		srv.Close()
	}
	// Shutdown only closes listeners Serve has registered: if ctx ended
	// before the goroutine got there, close ln so its Accept returns.
	ln.Close()
	<-errc
	return nil
}

type backend struct{ s *Service }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	remote := ""
	if c.Conn() != nil {
		remote = c.Conn().RemoteAddr().String()
	}
	return &session{s: b.s, env: Envelope{RemoteAddr: remote}}, nil
}

type session struct {
	s   *Service
	env Envelope
}

func (ss *session) Reset() { ss.env = Envelope{RemoteAddr: ss.env.RemoteAddr} }

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.env.From = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if _, ok := ss.s.SectionFor(to); !ok {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message: fmt.Sprintf("No such mailbox here (section mailboxes: tongchou, gongshang, fuli, jijin, shenji, geti, zhanghu, bangongshi @%s)", ss.s.cfg.Domain)}
	}
	ss.env.To = append(ss.env.To, to)
	return nil
}

var errTemporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, please retry later"}

func (ss *session) Data(r io.Reader) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			ss.s.log.Error("smtp session panic", "panic", fmt.Sprint(p))
			err = errTemporary
		}
	}()
	buf := bytes.NewBuffer(make([]byte, 0, 64<<10))
	_, err = buf.ReadFrom(r)
	raw := buf.Bytes()
	if errors.Is(err, smtp.ErrDataTooLarge) {
		if qerr := ss.s.RecordOversized(ctx, ss.env); qerr != nil {
			ss.s.log.Error("oversized mail not recorded", "err", qerr)
		}
		return smtp.ErrDataTooLarge
	}
	if err != nil {
		return err
	}
	if _, err := ss.s.Accept(ctx, ss.env, raw); err != nil {
		ss.s.log.Error("mail not accepted, sender will retry", "err", err)
		return errTemporary
	}
	return nil // drafted or quarantined: either way we keep it (no bounce)
}

// maxConns bounds the SMTP connections handled at once; more wait in the
// kernel's accept queue (a flood cannot exhaust memory: each connection
// may hold a message of up to MaxMessageBytes).
const maxConns = 64

// limitListener accepts at most n connections at a time.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limitedListener{Listener: ln, sem: make(chan struct{}, n)}
}

type limitedListener struct {
	net.Listener
	sem chan struct{}
}

func (l *limitedListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.sem }}, nil
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
