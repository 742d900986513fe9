package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"shebao/internal/app"
)

func runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	addr := fs.String("addr", envOr("SHEBAO_ADDR", "127.0.0.1:8080"), "监听地址 / listen address (env SHEBAO_ADDR)")
	demo := fs.Bool("demo", false, "数据库为空时生成演示数据并打印演示账号 / seed the demo district if empty and print demo logins")
	secure := fs.Bool("secure-cookies", os.Getenv("SHEBAO_SECURE_COOKIES") == "1", "Cookie 加 Secure 标记（TLS 之后部署时） / mark cookies Secure behind TLS")
	var mf mailFlags
	mf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	cfg.Addr, cfg.Secure = *addr, *secure
	mf.apply(&cfg)
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if *demo {
		if err := seedDemoIfEmpty(ctx, a, os.Stdout); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	a.Log.Info("ready", "addr", "http://"+ln.Addr().String(), "db", a.DB.DSN, "startup", time.Since(start).String())
	fmt.Printf("Shebao 已启动 / ready: http://%s  (%.2fs)\n", ln.Addr(), time.Since(start).Seconds())
	return a.Serve(ctx, ln)
}

func runMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg) // Open migrates
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Println("数据库已是最新结构 / database is up to date:", a.DB.DSN)
	return nil
}
