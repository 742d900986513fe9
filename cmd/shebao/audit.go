package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"shebao/internal/app"
	"shebao/internal/audit"
)

const auditHelp = `用法 / usage: shebao audit <keygen|verify|checkpoint> [flags]

  keygen      生成审计检查点签名密钥（Ed25519）：私钥写入 --audit-key 指定的文件
              （默认 数据目录/audit-key.pem，权限 0600，不覆盖已有文件），公钥写入同名 .pub 文件。
              密钥文件必须存放在数据库之外（另一台机器、加密卷或只读挂载），
              以 --audit-key 或环境变量 SHEBAO_AUDIT_KEY 交给 shebao serve。
  verify      校验哈希链，并与已签发的检查点核对（可发现链尾被删除）；链被破坏时退出码为 1。
  checkpoint  校验通过后立即签发一个检查点（服务每天 02:30 自动签发）。

  keygen      writes a new Ed25519 key to --audit-key (default DATA/audit-key.pem,
              mode 0600, never overwritten) and its public key to the .pub file.
              Keep it outside the database and pass it to shebao serve.
  verify      walks the chain and compares it with the signed checkpoints; exit 1 if broken.
  checkpoint  verifies and signs a checkpoint now (serve does it daily at 02:30).

`

func runAudit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(os.Stderr, auditHelp)
		if len(args) == 0 {
			return errors.New("请指定 keygen、verify 或 checkpoint / a subcommand is required")
		}
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("audit "+args[0], flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), auditHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "keygen":
		path := cf.auditKey
		if path == "" {
			path = defaultAuditKey(cf.data)
		}
		if err := audit.GenerateKey(path); err != nil {
			return err
		}
		fmt.Printf("已生成审计签名密钥 / key written: %s (public key %s.pub)\n"+
			"请把它移到数据库之外保管，并以 --audit-key %s（或 SHEBAO_AUDIT_KEY）启动服务。\n", path, path, path)
		return nil
	case "verify", "checkpoint":
		a, err := cf.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		return auditVerify(ctx, a, args[0] == "checkpoint", os.Stdout)
	}
	return fmt.Errorf("未知的子命令 %q：应为 keygen、verify 或 checkpoint / unknown subcommand", args[0])
}

// defaultAuditKey is where keygen and serve --demo put the key.
func defaultAuditKey(dataDir string) string {
	if dataDir == "" {
		dataDir = "data"
	}
	return filepath.Join(dataDir, "audit-key.pem")
}

// auditVerify verifies the chain (and signs a checkpoint when sign is set)
// and prints the result; a broken chain is an error.
func auditVerify(ctx context.Context, a *app.App, sign bool, out io.Writer) error {
	var res audit.VerifyResult
	var err error
	var cp audit.Checkpoint
	if sign {
		cp, res, err = a.Audit.Checkpoint(ctx)
	} else {
		res, err = a.Audit.Verify(ctx)
	}
	printVerify(out, res, sign)
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("审计日志哈希链校验未通过 / audit chain broken")
	}
	if sign {
		fmt.Fprintf(out, "已签发检查点 / checkpoint: 第 %d 条 %s -> %s\n", cp.Seq, cp.Hash, filepath.Join(a.Audit.Anchor().Dir(), cp.File))
	}
	return nil
}

// printVerify prints res; signing says a checkpoint is about to be reported,
// so a missing earlier one is not worth a line.
func printVerify(out io.Writer, res audit.VerifyResult, signing bool) {
	if res.FirstBad == 0 {
		fmt.Fprintf(out, "哈希链完整 / chain intact: %d 条记录，链头第 %d 条 %s\n", res.Checked, res.HeadSeq, res.HeadHash)
	} else {
		fmt.Fprintf(out, "哈希链已被破坏 / chain broken: 第 %d 条：%s（之前 %d 条完好）\n", res.FirstBad, res.Reason, res.Checked)
	}
	an := res.Anchor
	if !an.Configured {
		fmt.Fprintf(out, "警告 / warning: %s\n  配置方法 / to configure: shebao audit keygen --audit-key /安全位置/audit-key.pem，"+
			"然后 shebao serve --audit-key /安全位置/audit-key.pem（或 SHEBAO_AUDIT_KEY）。\n", an.Warning)
		return
	}
	if an.Latest != nil {
		fmt.Fprintf(out, "已与 %d 个签名检查点核对，最新为第 %d 条（%s）\n", an.Checkpoints, an.Latest.Seq, an.Latest.File)
	} else if !signing {
		fmt.Fprintln(out, "尚无签名检查点 / no checkpoint yet: 运行 shebao audit checkpoint 或等待每日任务")
	}
	for _, why := range an.Invalid {
		fmt.Fprintf(out, "无效检查点 / invalid checkpoint: %s\n", why)
	}
}
