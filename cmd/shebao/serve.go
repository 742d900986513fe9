package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"shebao/internal/account"
	"shebao/internal/app"
	"shebao/internal/audit"
	"shebao/internal/manual/build"
)

func runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	addr := fs.String("addr", envOr("SHEBAO_ADDR", "127.0.0.1:8080"), "监听地址 / listen address (env SHEBAO_ADDR)")
	demo := fs.Bool("demo", false, "数据库为空时生成演示数据并打印演示账号 / seed the demo district if empty and print demo logins")
	secure := fs.Bool("secure-cookies", os.Getenv("SHEBAO_SECURE_COOKIES") == "1", "Cookie 加 Secure 标记（TLS 之后部署时） / mark cookies Secure behind TLS")
	staffLock := fs.Int("staff-lock-after", envInt("SHEBAO_STAFF_LOCK_AFTER", account.StaffLockAfter),
		"经办人员或管理员账户累计登录失败多少次后须管理员解锁，负数为不锁定 / failed logins before a staff or admin account needs an admin unlock; negative: never (env SHEBAO_STAFF_LOCK_AFTER)")
	manualShots := fs.Bool("manual-shots", os.Getenv("SHEBAO_MANUAL_SHOTS") != "0",
		"手册缺少当前版本时用 Chromium 生成附截图的图文版（否则只发布文字版） / make the illustrated manuals in the background when missing (env SHEBAO_MANUAL_SHOTS=0 turns it off)")
	var mf mailFlags
	mf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	if *demo && cf.auditKey == "" {
		key, err := demoAuditKey(cf.data, os.Stdout)
		if err != nil {
			return err
		}
		cf.auditKey = key
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	cfg.Addr, cfg.Secure, cfg.StaffLockAfter = *addr, *secure, *staffLock
	if err := mf.apply(&cfg); err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if *demo {
		if err := seedDemoIfEmpty(ctx, a, os.Stdout); err != nil {
			return err
		}
		if an := a.Audit.Anchor(); an != nil && an.CanSign() {
			if _, _, err := a.Audit.Checkpoint(ctx); err != nil {
				a.Log.Error("audit checkpoint", "err", err)
			}
		}
	}
	// The manuals of this program's source, published in the background
	// by one server when missing (decision 0031).
	a.Jobs.Add(build.Job(a, *manualShots))
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	a.Log.Info("ready", "addr", "http://"+ln.Addr().String(), "db", a.DB.DSN, "startup", time.Since(start).String())
	fmt.Printf("Shebao 已启动 / ready: http://%s  (%.2fs)\n", ln.Addr(), time.Since(start).Seconds())
	return a.Serve(ctx, ln)
}

// demoAuditKey returns the demo's audit signing key in the data folder,
// creating it on first use, so checkpoints work out of the box. A real
// deployment keeps the key outside the data folder (--audit-key).
func demoAuditKey(dataDir string, out io.Writer) (string, error) {
	path := defaultAuditKey(dataDir)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := audit.GenerateKey(path); err != nil {
		return "", fmt.Errorf("生成演示审计签名密钥 / demo audit key: %w", err)
	}
	fmt.Fprintf(out, "已在数据目录生成演示用审计签名密钥 / demo audit key: %s（生产环境请存放在数据库之外）\n", path)
	return path, nil
}

func runMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := cf.open(ctx) // Open migrates
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Println("数据库已是最新结构 / database is up to date:", a.DB.DSN)
	return nil
}
