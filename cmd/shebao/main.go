// Command shebao runs the district social insurance agency's contactless
// service: `shebao serve --demo` starts it on SQLite with demo data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

var version = "0.1.0-dev"

type command struct {
	name  string
	short string
	run   func(ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "启动网站和接口 / run the web server and API", runServe},
		{"migrate", "升级数据库结构 / apply database migrations", runMigrate},
		{"demo", "生成演示数据 / create the demo district", runDemo},
		{"assess", "核定某月缴费 / assess a fee month's contribution bills", runAssess},
		{"accounts", "个人账户年度计息 / personal accounts: year-end interest", runAccounts},
		{"payroll", "生成某月养老金发放 / run a month's pension payroll", runPayroll},
		{"import-eml", "导入 .eml 邮件为待确认业务 / import .eml files as draft cases", runImportEML},
		{"audit", "审计日志校验、检查点和签名密钥 / audit chain: verify, checkpoint, keygen", runAudit},
		{"manual", "生成网上服务使用手册（网页和 PDF） / generate the online service manuals", runManual},
		{"backup", "备份 SQLite 数据库 / back up the SQLite database", runBackup},
		{"unlock", "解除经办人员或管理员账户的登录失败锁定 / unlock a staff or admin account locked by failed logins", runUnlock},
		{"version", "显示版本 / print the version", runVersion},
	}
}

func usage() {
	fmt.Fprintf(os.Stderr, "Shebao 社保不见面服务 %s\n\nUsage: shebao <command> [flags]\n\nCommands:\n", version)
	for _, c := range commands() {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", c.name, c.short)
	}
	fmt.Fprintf(os.Stderr, "\nRun 'shebao <command> --help' for the flags of a command.\n")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, c := range commands() {
		if c.name == os.Args[1] {
			if err := c.run(ctx, os.Args[2:]); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return
				}
				fmt.Fprintf(os.Stderr, "shebao %s: %v\n", c.name, err)
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "shebao: unknown command %q\n\n", os.Args[1])
	usage()
	os.Exit(2)
}

func runVersion(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Println("shebao", version)
	return nil
}
