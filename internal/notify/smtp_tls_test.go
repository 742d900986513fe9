package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"shebao/internal/notify"
)

// authRelay is a relay that requires STARTTLS and AUTH PLAIN.
type authRelay struct{ relay }

func (r *authRelay) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &authSession{relaySession: relaySession{r: &r.relay}}, nil
}

type authSession struct {
	relaySession
	authed bool
}

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "shebao" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *authSession) Mail(from string, o *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	return nil
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	cert, pool := selfSigned(t)
	r := &authRelay{}
	srv := smtp.NewServer(r)
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	d := notify.Delivery{ID: 1, Channel: notify.Email, To: "a@example.com", Subject: "测试", Body: "内容", CreatedAt: time.Now()}
	ctx := context.Background()

	good := &notify.SMTP{Addr: ln.Addr().String(), From: "noreply@shebao.example", StartTLS: true,
		TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, Username: "shebao", Password: "s3cret"}
	if err := good.Send(ctx, d); err != nil {
		t.Fatalf("tls+auth: %v", err)
	}
	if len(r.got) != 1 {
		t.Fatalf("relay got %d", len(r.got))
	}
	wrong := *good
	wrong.Password = "nope"
	var perm *notify.PermanentError
	if err := wrong.Send(ctx, d); !errors.As(err, &perm) {
		t.Fatalf("bad password should fail permanently: %v", err)
	}
	untrusted := *good
	untrusted.TLS = nil // system roots do not know the self-signed relay
	if err := untrusted.Send(ctx, d); err == nil {
		t.Fatal("sent to a relay with an untrusted certificate")
	}
	plain := &notify.SMTP{Addr: "relay.example:25", From: "noreply@shebao.example", Username: "u", Password: "p"}
	if err := plain.Send(ctx, d); !errors.As(err, &perm) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("password over a plain connection to a remote relay: %v", err)
	}
}
