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
	"shebao/internal/notify"
)

// mailFlags configure the contactless channels (serve and import-eml).
type mailFlags struct {
	listen, relay, from, domain, user string
	startTLS                          bool
	wxAppID, wxAPI, wxTemplate        string
	wxTemplates                       string
}

func (m *mailFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.listen, "smtp-listen", os.Getenv("SHEBAO_SMTP_LISTEN"), "接收科室邮箱来信的 SMTP 监听地址，如 127.0.0.1:2525；为空不监听 / SMTP intake listen address (env SHEBAO_SMTP_LISTEN)")
	fs.StringVar(&m.relay, "smtp-relay", os.Getenv("SHEBAO_SMTP_RELAY"), "发送通知邮件的中继 host:port；为空则邮件留在发件箱 / SMTP relay for notifications (env SHEBAO_SMTP_RELAY)")
	fs.StringVar(&m.from, "mail-from", os.Getenv("SHEBAO_MAIL_FROM"), "通知邮件发件人，默认 noreply@<mail-domain> / sender of notifications (env SHEBAO_MAIL_FROM)")
	fs.BoolVar(&m.startTLS, "smtp-starttls", os.Getenv("SHEBAO_SMTP_STARTTLS") == "1", "连接邮件中继时要求 STARTTLS 加密 / require STARTTLS to the relay (env SHEBAO_SMTP_STARTTLS=1)")
	fs.StringVar(&m.user, "smtp-user", os.Getenv("SHEBAO_SMTP_USER"), "邮件中继登录用户名；密码只从环境变量 SHEBAO_SMTP_PASSWORD 读取 / relay login (password from env SHEBAO_SMTP_PASSWORD only)")
	fs.StringVar(&m.wxAppID, "wechat-app-id", os.Getenv("SHEBAO_WECHAT_APP_ID"), "微信服务号应用编号（AppID）；密钥只从环境变量 SHEBAO_WECHAT_SECRET 读取；为空则微信消息留在发件箱 / WeChat Official Account app ID (secret from env SHEBAO_WECHAT_SECRET only; env SHEBAO_WECHAT_APP_ID)")
	fs.StringVar(&m.wxAPI, "wechat-api", envOr("SHEBAO_WECHAT_API", notify.WeChatAPI), "微信接口地址（测试或预发布环境可指向模拟服务） / WeChat API base URL (env SHEBAO_WECHAT_API)")
	fs.StringVar(&m.wxTemplate, "wechat-template", os.Getenv("SHEBAO_WECHAT_TEMPLATE"), "微信模板消息的默认模板编号 / default template ID (env SHEBAO_WECHAT_TEMPLATE)")
	fs.StringVar(&m.wxTemplates, "wechat-templates", os.Getenv("SHEBAO_WECHAT_TEMPLATES"), "按业务类别指定模板编号，如 case=模板1,appointment=模板2 / template ID per message kind (env SHEBAO_WECHAT_TEMPLATES)")
	fs.StringVar(&m.domain, "mail-domain", envOr("SHEBAO_MAIL_DOMAIN", "shebao.example"), "科室邮箱的域名：tongchou@、gongshang@ 等 / domain of the section mailboxes (env SHEBAO_MAIL_DOMAIN)")
}

func (m *mailFlags) apply(cfg *app.Config) error {
	cfg.SMTPListen, cfg.SMTPRelay, cfg.MailFrom, cfg.MailDomain = m.listen, m.relay, m.from, m.domain
	cfg.SMTPStartTLS, cfg.SMTPUser, cfg.SMTPPassword = m.startTLS, m.user, os.Getenv("SHEBAO_SMTP_PASSWORD")
	tmpl, err := notify.ParseTemplates(m.wxTemplates)
	if err != nil {
		return err
	}
	cfg.WeChatAppID, cfg.WeChatSecret, cfg.WeChatAPI = m.wxAppID, os.Getenv("SHEBAO_WECHAT_SECRET"), m.wxAPI
	cfg.WeChatTemplate, cfg.WeChatTemplates, cfg.PortalURL = m.wxTemplate, tmpl, os.Getenv("SHEBAO_PUBLIC_URL")
	return nil
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
	if err := mf.apply(&cfg); err != nil {
		return err
	}
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
