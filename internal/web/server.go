// Package web serves Shebao's pages (server-rendered, zh-CN first, usable
// without JavaScript) and its JSON API under /api/v1. Handlers are thin:
// decode, call one service method, render HTML or JSON.
package web

import (
	"html/template"
	"log/slog"
	"net/http"

	"shebao/internal/account"
	"shebao/internal/appointment"
	"shebao/internal/audit"
	"shebao/internal/calc"
	"shebao/internal/casework"
	"shebao/internal/certificate"
	"shebao/internal/clock"
	"shebao/internal/complaint"
	"shebao/internal/contribution"
	"shebao/internal/dashboard"
	"shebao/internal/db"
	"shebao/internal/death"
	"shebao/internal/document"
	"shebao/internal/download"
	"shebao/internal/employer"
	"shebao/internal/faq"
	"shebao/internal/flexible"
	"shebao/internal/injury"
	"shebao/internal/mailintake"
	"shebao/internal/notice"
	"shebao/internal/notify"
	"shebao/internal/payment"
	"shebao/internal/payout"
	"shebao/internal/payroll"
	"shebao/internal/person"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
	"shebao/internal/protection"
	"shebao/internal/recovery"
	"shebao/internal/retirement"
	"shebao/internal/sampling"
	"shebao/internal/sensitive"
	"shebao/internal/staffchange"
	"shebao/internal/statement"
	"shebao/internal/transfer"
	"shebao/internal/upkeep"
)

// Deps are the services the web layer calls.
type Deps struct {
	DB        *db.DB
	Clock     clock.Clock
	Log       *slog.Logger
	Audit     *audit.Service
	Accounts  *account.Service
	Policy    *policy.Service
	Employers *employer.Service
	Persons   *person.Service

	// Contribution holds the monthly bills (核定) and the employer's check.
	Contribution *contribution.Service
	// Certificates: payment certificates, the public check and the
	// person's contribution history; Flexible: flexible workers (灵活就业).
	Certificates *certificate.Service
	Flexible     *flexible.Service

	// StaffChanges: employers' staff increases and decreases (人员增减),
	// Excel imports and 统筹科's conflict queue.
	StaffChanges *staffchange.Service

	// Appointments books counter visits; Notices publishes 公告.
	Appointments *appointment.Service
	Notices      *notice.Service
	// FAQ keeps the answers to common questions (常见问题).
	FAQ *faq.Service
	// Downloads keeps 常用下载: files 办公室 publishes and the manuals.
	Downloads *download.Service

	// Documents stores uploads; Cases runs every case type; Injury takes
	// accident reports.
	Documents *document.Store
	Cases     *casework.Service
	Injury    *injury.Service
	// Retirement: the about-to-retire list, qualification confirmation and
	// the pension determination.
	Retirement *retirement.Service
	// Upkeep is retiree record upkeep (个人账户科's correction batches).
	Upkeep *upkeep.Service
	// Deaths: deaths, civil-affairs data, overpayments, death benefits.
	Deaths *death.Service
	// Complaints: complaints and reports (举报投诉).
	Complaints *complaint.Service
	// Sensitive: major and sensitive matters reported up the chain of posts.
	Sensitive *sensitive.Service

	// Notify holds the outbox and portal inboxes; Mail the mail quarantine.
	Notify *notify.Service
	Mail   *mailintake.Service

	// Payments takes contributions in: statements, card, receipts, invoices.
	Payments *payment.Service
	// Payouts pays money out: lines, approval, bank files and returns.
	Payouts *payout.Service
	// Payroll is the pensioner register and the monthly pension payroll.
	Payroll *payroll.Service

	// Calc runs the public benefit calculators.
	Calc *calc.Service

	// PersonalAccounts keeps the personal pension accounts (个人账户).
	PersonalAccounts *personalaccount.Service
	// Transfers handles transfers between regions (转移接续).
	Transfers *transfer.Service
	// Recovery is the emergency recovery register (延期业务登记);
	// Dashboard the agency's and sections' dashboards.
	Recovery  *recovery.Service
	Dashboard *dashboard.Service
	// Sampling is 审计科's monthly audit sampling (稽核).
	Sampling *sampling.Service
	// Protection keeps the staff health check-ins and the hall duty log.
	Protection *protection.Service
	// Statements makes the personal rights statements and their batches.
	Statements *statement.Service

	// SecureCookies marks cookies Secure (set when served behind TLS).
	SecureCookies bool
	// ServerName identifies this process in logs and job runs.
	ServerName string
	// ClientIPHeader names a header holding the client address set by a
	// trusted reverse proxy (e.g. "X-Real-IP"); login throttling counts per
	// IP. Empty uses the connection's address.
	ClientIPHeader string
	// MetricsToken, when set, is the bearer token GET /metrics requires;
	// when empty /metrics answers loopback connections only.
	MetricsToken string
}

// Server is the HTTP front end.
type Server struct {
	Deps
	pages   map[string]*template.Template
	apiDoc  []byte     // the OpenAPI document, with the generated parts
	apiRef  apiRefOnce // the same, read for the reference page when first asked (routes_apiref.go)
	handler http.Handler
	mux     *http.ServeMux // the routes, for per-route body limits (body_limit.go)
	ops     *opsMetrics    // Prometheus registry of this server (routes_ops.go)
}

// New builds the server and parses every template once.
func New(d Deps) (*Server, error) {
	s := &Server{Deps: d}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	if s.apiDoc, err = withInjuryDoc(openAPI); err != nil {
		return nil, err
	}
	if s.Calc != nil {
		if s.apiDoc, err = withCalcDoc(s.apiDoc, s.Calc.All()); err != nil {
			return nil, err
		}
	}
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
