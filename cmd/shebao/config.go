package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"shebao/internal/app"
	"shebao/internal/clock"
	"shebao/internal/pdfdoc"
)

// commonFlags are shared by every command that opens the database.
type commonFlags struct {
	data, db, now, logFormat   string
	auditKey, auditCheckpoints string
	retirementSwitch           string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", envOr("SHEBAO_DATA", "data"), "数据目录（SQLite 文件等） / data folder (env SHEBAO_DATA)")
	fs.StringVar(&c.db, "db", os.Getenv("SHEBAO_DB"), "PostgreSQL 连接串 postgres://…，为空则用 SQLite / PostgreSQL URL (env SHEBAO_DB)")
	fs.StringVar(&c.now, "now", os.Getenv("SHEBAO_NOW"), "演示和测试用的当前时间，如 2024-02-10；生产环境勿用 / fixed start time for demo and tests (env SHEBAO_NOW)")
	fs.StringVar(&c.logFormat, "log-format", envOr("SHEBAO_LOG_FORMAT", "text"), "日志格式 text 或 json / log format (env SHEBAO_LOG_FORMAT)")
	fs.StringVar(&c.auditKey, "audit-key", os.Getenv("SHEBAO_AUDIT_KEY"),
		"审计检查点签名密钥文件（Ed25519，存放在数据库之外；用 shebao audit keygen 生成）；为空则无法发现链尾被截断 / audit checkpoint signing key file (env SHEBAO_AUDIT_KEY)")
	fs.StringVar(&c.auditCheckpoints, "audit-checkpoints", os.Getenv("SHEBAO_AUDIT_CHECKPOINTS"),
		"审计检查点目录，默认为数据目录下的 audit-checkpoints / folder of signed audit checkpoints (env SHEBAO_AUDIT_CHECKPOINTS; default DATA/audit-checkpoints)")
	fs.StringVar(&c.retirementSwitch, "retirement-switch", envOr("SHEBAO_RETIREMENT_SWITCH", "2024-02-03"),
		"自该日起确认的退休资格在系统内推送至保险福利科（此前由电话或邮件转交） / first day of the internal push of confirmed retirement qualifications (env SHEBAO_RETIREMENT_SWITCH)")
}

func (c *commonFlags) config() (app.Config, error) {
	cfg := app.Config{DataDir: c.data, DBURL: c.db, LogFormat: c.logFormat, MetricsToken: os.Getenv("SHEBAO_METRICS_TOKEN"),
		AuditKey: c.auditKey, AuditCheckpoints: c.auditCheckpoints, PortalURL: os.Getenv("SHEBAO_PUBLIC_URL"),
		CertIssuer: os.Getenv("SHEBAO_CERT_ISSUER"), CertSeal: os.Getenv("SHEBAO_CERT_SEAL") == "1",
		FontPath: os.Getenv(pdfdoc.FontEnv), SensitiveChain: os.Getenv("SHEBAO_SENSITIVE_CHAIN"),
		HealthRetentionDays: envInt("SHEBAO_HEALTH_RETENTION_DAYS", 0)}
	if c.retirementSwitch != "" {
		t, err := time.ParseInLocation(time.DateOnly, c.retirementSwitch, clock.Shanghai)
		if err != nil {
			return cfg, fmt.Errorf("--retirement-switch %q: 应为 YYYY-MM-DD 日期", c.retirementSwitch)
		}
		cfg.RetirementSwitch = t
	}
	if c.now != "" {
		t, err := clock.ParseWhen(c.now)
		if err != nil {
			return cfg, fmt.Errorf("--now %q: 应为 YYYY-MM-DD 或 RFC 3339 时间", c.now)
		}
		cfg.Now = t
	}
	return cfg, nil
}

// open opens the application with the configuration of the flags.
func (c *commonFlags) open(ctx context.Context) (*app.App, error) {
	cfg, err := c.config()
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, cfg)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// envInt reads an integer from the environment, def when unset or malformed
// (flag parsing then reports the flag's own errors).
func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return n
	}
	return def
}
