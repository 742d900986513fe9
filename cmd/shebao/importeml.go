package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"shebao/internal/app"
	"shebao/internal/mailintake"
)

// mailFlags configure the contactless channels (serve and import-eml).
type mailFlags struct {
	listen, relay, from, domain, user string
	startTLS                          bool
}

func (m *mailFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.listen, "smtp-listen", os.Getenv("SHEBAO_SMTP_LISTEN"), "接收科室邮箱来信的 SMTP 监听地址，如 127.0.0.1:2525；为空不监听 / SMTP intake listen address (env SHEBAO_SMTP_LISTEN)")
	fs.StringVar(&m.relay, "smtp-relay", os.Getenv("SHEBAO_SMTP_RELAY"), "发送通知邮件的中继 host:port；为空则邮件留在发件箱 / SMTP relay for notifications (env SHEBAO_SMTP_RELAY)")
	fs.StringVar(&m.from, "mail-from", os.Getenv("SHEBAO_MAIL_FROM"), "通知邮件发件人，默认 noreply@<mail-domain> / sender of notifications (env SHEBAO_MAIL_FROM)")
	fs.BoolVar(&m.startTLS, "smtp-starttls", os.Getenv("SHEBAO_SMTP_STARTTLS") == "1", "连接邮件中继时要求 STARTTLS 加密 / require STARTTLS to the relay (env SHEBAO_SMTP_STARTTLS=1)")
	fs.StringVar(&m.user, "smtp-user", os.Getenv("SHEBAO_SMTP_USER"), "邮件中继登录用户名；密码只从环境变量 SHEBAO_SMTP_PASSWORD 读取 / relay login (password from env SHEBAO_SMTP_PASSWORD only)")
	fs.StringVar(&m.domain, "mail-domain", envOr("SHEBAO_MAIL_DOMAIN", "shebao.example"), "科室邮箱的域名：tongchou@、gongshang@ 等 / domain of the section mailboxes (env SHEBAO_MAIL_DOMAIN)")
}

func (m *mailFlags) apply(cfg *app.Config) {
	cfg.SMTPListen, cfg.SMTPRelay, cfg.MailFrom, cfg.MailDomain = m.listen, m.relay, m.from, m.domain
	cfg.SMTPStartTLS, cfg.SMTPUser, cfg.SMTPPassword = m.startTLS, m.user, os.Getenv("SHEBAO_SMTP_PASSWORD")
}

// runImportEML turns .eml files into draft cases, as if they had arrived
// at the section mailbox named in their To or Cc header.
func runImportEML(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import-eml", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	var mf mailFlags
	mf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: shebao import-eml [flags] FILE.eml…\n\n将邮件文件导入为对应科室的待确认业务（按 To/Cc 中的科室邮箱分派）。")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("请指定至少一个 .eml 文件")
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	mf.apply(&cfg)
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	failed := 0
	for _, name := range fs.Args() {
		res, err := importOne(ctx, a, name)
		switch {
		case err != nil:
			failed++
			fmt.Printf("%s: 失败 / failed: %v\n", filepath.Base(name), err)
		case res.CaseNo != "":
			fmt.Printf("%s: 已受理 %s（%s，附件 %d 个）\n", filepath.Base(name), res.CaseNo, res.Section.Name(), len(res.DocumentIDs))
		default:
			fmt.Printf("%s: 已隔离 #%d：%s\n", filepath.Base(name), res.QuarantineID, res.Reason)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d 个文件导入失败", failed)
	}
	return nil
}

func importOne(ctx context.Context, a *app.App, name string) (*mailintake.Result, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One byte over the limit is enough for intake to quarantine it as oversized.
	raw, err := io.ReadAll(io.LimitReader(f, 25<<20+1))
	if err != nil {
		return nil, err
	}
	return a.Mail.Accept(ctx, mailintake.Envelope{RemoteAddr: "import-eml"}, raw)
}
