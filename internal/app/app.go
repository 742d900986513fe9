// Package app wires Shebao together: configuration, database, services and
// the HTTP server. cmd/shebao and the end-to-end tests both build on it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"shebao/internal/account"
	"shebao/internal/appointment"
	"shebao/internal/audit"
	"shebao/internal/calc"
	"shebao/internal/casework"
	"shebao/internal/certificate"
	"shebao/internal/clock"
	"shebao/internal/complaint"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/death"
	"shebao/internal/document"
	"shebao/internal/download"
	"shebao/internal/employer"
	"shebao/internal/errs"
	"shebao/internal/faq"
	"shebao/internal/flexible"
	"shebao/internal/injury"
	"shebao/internal/jobs"
	"shebao/internal/logredact"
	"shebao/internal/notice"
	"shebao/internal/notify"
	"shebao/internal/payment"
	"shebao/internal/payout"
	"shebao/internal/payroll"
	"shebao/internal/pdfdoc"
	"shebao/internal/person"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
	"shebao/internal/retirement"
	"shebao/internal/sensitive"
	"shebao/internal/staffchange"
	"shebao/internal/statement"
	"shebao/internal/upkeep"
	"shebao/internal/web"
)

// Config is everything a Shebao process is told at start.
type Config struct {
	DataDir   string      // folder for the SQLite file and stored documents
	DBURL     string      // postgres://… ; empty means SQLite in DataDir
	Addr      string      // listen address
	Now       time.Time   // if set, the clock starts at this instant (demo, tests)
	Clock     clock.Clock // overrides Now (tests)
	LogFormat string      // "json" or "text"
	LogOut    io.Writer   // default os.Stderr
	Secure    bool        // cookies marked Secure (behind TLS)
	Name      string      // server name in logs and job runs
	// AssessBatch and AssessWorkers size the assessment's transactions,
	// InterestBatch the interest run's (the assess and accounts commands'
	// --batch and --workers; 0: the defaults).
	AssessBatch, AssessWorkers, InterestBatch int
	// MetricsToken is the bearer token GET /metrics requires (env
	// SHEBAO_METRICS_TOKEN); empty means loopback connections only.
	MetricsToken string
	// ClientIPHeader names the header a trusted reverse proxy sets to the
	// client address (e.g. "X-Real-IP"), for per-IP login throttling;
	// empty uses the connection's address.
	ClientIPHeader string
	// StaffLockAfter is how many failed logins (across all sources) lock a
	// staff or administrator account until an administrator unlocks it;
	// 0 means account.StaffLockAfter, a negative number never locks.
	StaffLockAfter int
	// HashParams are the cost of new password hashes (zero: the
	// production account.DefaultHashParams; tests: account.TestHashParams).
	HashParams account.HashParams
	// Contactless channels (internal/app/channels.go): SMTPListen enables
	// the mail intake listener (e.g. 127.0.0.1:2525); SMTPRelay is where
	// email notifications are sent (host:port; empty: held in the outbox);
	// MailFrom is their sender; MailDomain names the section mailboxes
	// (tongchou@MailDomain …).
	SMTPListen, SMTPRelay, MailFrom, MailDomain string
	// SMTPStartTLS requires STARTTLS to the relay; SMTPUser and
	// SMTPPassword log in to it (the password from the environment only).
	SMTPStartTLS           bool
	SMTPUser, SMTPPassword string
	// WeChat Official Account template messages: WeChatAppID and
	// WeChatSecret (from the environment only) enable the provider;
	// WeChatAPI is the API base (default the real WeChat API; tests and
	// staging point it to a fake); WeChatTemplate is the default template
	// ID and WeChatTemplates overrides it per message kind; PortalURL is
	// the public address messages link to (SHEBAO_PUBLIC_URL).
	WeChatAppID, WeChatSecret, WeChatAPI, WeChatTemplate string
	WeChatTemplates                                      map[string]string
	PortalURL                                            string
	// CertIssuer is the agency's name printed on payment certificates
	// (empty: certificate.DefaultIssuer); CertSeal enables the drawn seal.
	CertIssuer string
	CertSeal   bool
	// FontPath is the CJK font for PDFs (SHEBAO_CJK_FONT; empty: the
	// Debian fonts-wqy-microhei collection).
	FontPath string
	// SensitiveChain is the chain of posts a sensitive matter climbs, with
	// the working days of each ("section_head:2,office_head:1,agency_head:1";
	// SHEBAO_SENSITIVE_CHAIN; empty: that default).
	SensitiveChain string
	// HealthRetentionDays is how many days staff check-ins and counter
	// screenings are kept before the daily job deletes them
	// (SHEBAO_HEALTH_RETENTION_DAYS; 0: protection.DefaultRetentionDays).
	HealthRetentionDays int
	// AuditKey is the Ed25519 key file that signs the daily audit
	// checkpoints (kept outside the database); AuditCheckpoints is the
	// folder they are written to (default DataDir/audit-checkpoints).
	// Without a key a removed tail of the audit chain is not detectable.
	AuditKey, AuditCheckpoints string
	// RetirementSwitch is the first day a confirmed retirement
	// qualification is pushed inside the system to 保险福利科 (flag
	// --retirement-switch, env SHEBAO_RETIREMENT_SWITCH); zero means
	// retirement.DefaultSwitchDate. Before it the form still arrives by
	// phone or e-mail and a clerk opens the determination.
	RetirementSwitch time.Time
}

// App is an opened Shebao. Its services are web.Deps, the one list of
// them (the web layer calls the same ones); App adds what only the
// process runs: the configuration, the server, the scheduled jobs and the
// outbox drainer.
type App struct {
	web.Deps
	Cfg     Config
	Web     *web.Server
	Jobs    *jobs.Runner    // scheduled jobs, run by Serve
	Drainer *notify.Drainer // sends the outbox, run by Serve
}

// DSN returns the database the config names.
func (c Config) DSN() string {
	if c.DBURL != "" {
		return c.DBURL
	}
	dir := c.DataDir
	if dir == "" {
		dir = "data"
	}
	return filepath.Join(dir, "shebao.db")
}

// CheckpointDir returns the folder of the signed audit checkpoints.
func (c Config) CheckpointDir() string {
	if c.AuditCheckpoints != "" {
		return c.AuditCheckpoints
	}
	return filepath.Join(filepath.Dir(Config{DataDir: c.DataDir}.DSN()), "audit-checkpoints")
}

// Open opens the database, migrates it and builds every service.
func Open(ctx context.Context, cfg Config) (*App, error) {
	out := cfg.LogOut
	if out == nil {
		out = os.Stderr
	}
	var h slog.Handler
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(out, nil)
	} else {
		h = slog.NewTextHandler(out, nil)
	}
	h = logredact.New(h) // mask ID and phone numbers in every line
	if cfg.Name == "" {
		host, _ := os.Hostname()
		cfg.Name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	log := slog.New(h).With("server", cfg.Name)

	c := cfg.Clock
	if c == nil {
		if !cfg.Now.IsZero() {
			c = clock.NewOffset(cfg.Now)
		} else {
			c = clock.System{}
		}
	}
	d, err := db.Open(ctx, cfg.DSN())
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	pdfdoc.UseFont(cfg.FontPath)
	a := &App{Cfg: cfg, Deps: web.Deps{DB: d, Clock: c, Log: log}}
	var anchor *audit.Anchor
	if cfg.AuditKey != "" {
		if anchor, err = audit.LoadAnchor(cfg.AuditKey, cfg.CheckpointDir()); err != nil {
			d.Close()
			return nil, err
		}
	}
	a.Audit = audit.NewAnchored(d, c, anchor)
	a.Accounts = account.New(d, c, a.Audit, account.Options{StaffLockAfter: cfg.StaffLockAfter, HashParams: cfg.HashParams})
	a.Policy = policy.NewService(d, c, a.Audit)
	if err := a.Policy.SeedDefaults(ctx); err != nil {
		// A shipped rules file that clashes with an administrator's value
		// must not stop the agency: keep the stored rules and say so.
		if errs.KindOf(err) == errs.Internal {
			d.Close()
			return nil, fmt.Errorf("policy rules: %w", err)
		}
		log.Warn("policy rules file not imported", "err", err)
	}
	a.Employers = employer.NewService(d, c, a.Audit, a.Accounts, a.Policy)
	a.Persons = person.NewService(d, c, a.Audit)
	a.Contribution = contribution.NewService(d, c, a.Audit, a.Policy, cfg.Name, log,
		contribution.Tuning{Batch: cfg.AssessBatch, Workers: cfg.AssessWorkers})
	a.Documents = document.New(d, c, document.Options{Audit: a.Audit, Log: log,
		Dir: filepath.Join(filepath.Dir(Config{DataDir: cfg.DataDir}.DSN()), "documents")})
	a.openNotify(cfg)
	a.Cases = casework.NewService(d, c, a.Audit, a.Policy, caseNotifier{a.Notify})
	for _, t := range casework.Catalog() {
		a.Cases.Register(t)
	}
	a.Appointments = appointment.NewService(d, c, a.Audit, a.Policy,
		appointment.NotifierFunc(a.Notify.UserNotifier("appointment.reminder")))
	a.Notices = notice.NewService(d, c, a.Audit)
	a.FAQ = faq.NewService(d, c, a.Audit)
	a.Downloads = download.NewService(d, c, a.Audit, a.Documents)
	if err := errors.Join(a.Appointments.SeedDefaults(ctx), a.Notices.SeedDefaults(ctx)); err != nil {
		d.Close()
		return nil, fmt.Errorf("seed appointments and notices: %w", err)
	}
	if err := a.FAQ.SeedDefaults(ctx); err != nil { // links to the seeded notices
		d.Close()
		return nil, fmt.Errorf("seed common questions: %w", err)
	}
	a.Payouts = payout.NewService(d, c, a.Audit, a.Accounts)
	a.Payments = payment.NewService(d, c, a.Audit, a.Policy, a.Payouts, cfg.PortalURL)
	a.Payroll = payroll.NewService(d, c, a.Audit, a.Payouts, a.Policy)
	a.Injury = injury.NewService(d, c, a.Cases, a.Documents, a.Policy, a.Audit,
		injury.Options{Payouts: injury.PayoutModule(a.Payouts, c), Notifier: a.Notify, Log: log})
	a.PersonalAccounts = personalaccount.NewService(d, c, a.Audit, a.Policy, cfg.Name, log, cfg.InterestBatch)
	a.openChannels(cfg)
	a.openTransfers()
	a.Statements = statement.NewService(d, c, a.Audit, a.Notify, statement.Options{Issuer: cfg.CertIssuer, BaseURL: cfg.PortalURL,
		Server: cfg.Name, Log: log})
	a.Certificates = certificate.NewService(d, c, a.Audit, certificate.Options{Issuer: cfg.CertIssuer, BaseURL: cfg.PortalURL,
		Seal: cfg.CertSeal, OtherCodes: a.Statements.Check})
	a.Flexible = flexible.NewService(d, c, a.Audit, a.Policy, a.Persons)
	a.Calc = calc.NewService(a.Policy, c, 120, 30)
	a.Retirement = retirement.NewService(d, c, a.Audit, a.Policy, a.Cases, a.Documents, a.Notify, retirement.Options{
		Payroll: retirementPayroll{a.Payroll}, Suspender: retirementPayroll{a.Payroll}, SwitchDate: cfg.RetirementSwitch})
	a.Upkeep = upkeep.NewService(d, c, a.Audit, a.Policy, a.Documents, a.Retirement, a.Notify)
	a.Deaths = death.NewService(d, c, a.Audit, a.Policy, a.Notify, a.Payouts, a.Documents, deathPayroll{a.Payroll})
	a.StaffChanges = staffchange.NewService(d, c, a.Audit, a.Policy, a.Deaths)
	a.Complaints = complaint.NewService(d, c, a.Audit, a.Policy, a.Documents, a.Accounts, a.Contribution, a.Cases, a.Notify)
	a.openOversight()
	chain, err := sensitive.ParseChain(cfg.SensitiveChain)
	if err != nil {
		d.Close()
		return nil, err
	}
	a.Sensitive = sensitive.NewService(d, c, a.Audit, a.Policy, a.Accounts, chain)
	a.SecureCookies, a.ServerName, a.MetricsToken, a.ClientIPHeader = cfg.Secure, cfg.Name, cfg.MetricsToken, cfg.ClientIPHeader
	a.Web, err = web.New(a.Deps)
	if err != nil {
		d.Close()
		return nil, err
	}
	a.Jobs = a.scheduledJobs()
	return a, nil
}

// warnPublicURL says once, when serving starts, that certificate QR codes
// take the address each request came to because SHEBAO_PUBLIC_URL is unset.
func (a *App) warnPublicURL() {
	if a.Certificates.Options().BaseURL == "" {
		a.Log.Warn("SHEBAO_PUBLIC_URL is not set: certificate QR codes use the address each request came to (its Host header); set it in production, e.g. SHEBAO_PUBLIC_URL=https://shebao.example.gov.cn")
	}
}

// Close waits for background assessment runs, then releases the database.
func (a *App) Close() error {
	a.Contribution.Wait()
	a.PersonalAccounts.Wait()
	a.Statements.Wait()
	return a.DB.Close()
}

// Serve listens on ln until ctx is cancelled, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	a.warnPublicURL()
	srv := &http.Server{
		Handler:           a.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	jobCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { defer close(jobsDone); a.Jobs.Run(jobCtx) }()
	defer func() { stopJobs(); <-jobsDone }()
	stopChannels, cerr := a.serveChannels(ctx)
	if cerr != nil {
		srv.Close()
		return cerr
	}
	defer stopChannels()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}
