package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"shebao/internal/casework"
	"shebao/internal/mailintake"
	"shebao/internal/notify"
)

// openNotify builds the notification outbox and its drainer with the
// providers the configuration names (before the services that notify).
func (a *App) openNotify(cfg Config) {
	a.Notify = notify.NewService(a.DB, a.Clock)
	a.Drainer = notify.NewDrainer(a.DB, a.Clock, cfg.Name, a.Log, a.providers(cfg))
}

// providers returns the senders the configuration sets up: the SMTP relay
// and the WeChat official account; other channels log and hold.
func (a *App) providers(cfg Config) map[notify.Channel]notify.Provider {
	p := map[notify.Channel]notify.Provider{}
	if cfg.SMTPRelay != "" {
		from := cfg.MailFrom
		if from == "" {
			from = "noreply@" + cfg.mailDomain()
		}
		p[notify.Email] = &notify.SMTP{Addr: cfg.SMTPRelay, From: from, HelloAs: cfg.mailDomain(),
			StartTLS: cfg.SMTPStartTLS, Username: cfg.SMTPUser, Password: cfg.SMTPPassword}
	}
	if wx := a.weChat(cfg); wx != nil {
		p[notify.WeChat] = wx
	}
	return p
}

// openChannels builds the mail intake (its listener starts in Serve).
func (a *App) openChannels(cfg Config) {
	var opener mailintake.CaseOpener
	if a.Cases != nil {
		opener = caseOpener{a.Cases}
	}
	dataDir := filepath.Dir(Config{DataDir: cfg.DataDir}.DSN())
	a.Mail = mailintake.NewService(a.DB, a.Clock, a.Documents, a.Notify, opener,
		filepath.Join(dataDir, "mail-quarantine"), mailintake.Config{Domain: cfg.mailDomain()}, a.Log)
}

// weChat returns the WeChat provider when the official account is
// configured (nil when not); with an app ID but no secret the rows are held
// with a reason saying so.
func (a *App) weChat(cfg Config) notify.Provider {
	switch {
	case cfg.WeChatAppID == "":
		return nil
	case cfg.WeChatSecret == "":
		return notify.Hold{Reason: "已配置微信服务号应用编号，但未设置密钥（环境变量 SHEBAO_WECHAT_SECRET）"}
	default:
		return &notify.WeChatOA{AppID: cfg.WeChatAppID, Secret: cfg.WeChatSecret,
			BaseURL: cfg.WeChatAPI, Template: cfg.WeChatTemplate, Templates: cfg.WeChatTemplates,
			PortalURL: cfg.PortalURL, Clock: a.Clock, Log: a.Log}
	}
}

func (c Config) mailDomain() string {
	if c.MailDomain == "" {
		return "shebao.example"
	}
	return c.MailDomain
}

// serveChannels starts the outbox drainer and, when configured, the SMTP
// intake listener; it returns when ctx ends and both have stopped.
func (a *App) serveChannels(ctx context.Context) (stop func(), err error) {
	var ln net.Listener
	if a.Cfg.SMTPListen != "" {
		if ln, err = net.Listen("tcp", a.Cfg.SMTPListen); err != nil {
			return nil, fmt.Errorf("smtp intake: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() { a.Drainer.Run(ctx, 5*time.Second); done <- struct{}{} }()
	n := 1
	if ln != nil {
		n++
		go func() {
			if err := a.Mail.Serve(ctx, ln); err != nil && !errors.Is(err, net.ErrClosed) {
				a.Log.Error("smtp intake stopped", "err", err)
			}
			done <- struct{}{}
		}()
	}
	return func() {
		cancel()
		for i := 0; i < n; i++ {
			<-done
		}
	}, nil
}

// caseOpener adapts casework to mailintake (the same fields).
type caseOpener struct{ c *casework.Service }

func (o caseOpener) OpenDraft(ctx context.Context, d mailintake.Draft) (string, error) {
	return o.c.OpenDraft(ctx, casework.DraftInput(d))
}

// caseNotifier hands casework's notices to notify, which decides who
// hears of them and how.
type caseNotifier struct{ n *notify.Service }

func (cn caseNotifier) Notify(ctx context.Context, to casework.Recipient, subject, body string) error {
	return cn.n.NotifyParty(ctx, notify.Party{UserID: to.UserID, Section: to.Section, EmployerID: to.EmployerID,
		PersonID: to.PersonID, Email: to.Email, Phone: to.Phone}, notify.Message{Subject: subject, Body: body, Kind: "case"})
}
