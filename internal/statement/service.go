package statement

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/certificate"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/notify"
)

// Options are the issuer printed on statements and the public address
// their QR codes point to.
type Options struct {
	Issuer  string
	BaseURL string
	// Server names this process on the batches it runs; Log is its
	// logger (nil: slog.Default()).
	Server string
	Log    *slog.Logger
	// Workers is how many statements are rendered at once (0: two per
	// CPU, so that while one waits on the database's answers the other
	// renders).
	Workers int
}

// Service makes statements and runs their batches.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	audit   *audit.Service
	notify  *notify.Service
	opt     Options
	server  string
	log     *slog.Logger
	workers int
	chunk   int
	running sync.WaitGroup
}

// NewService returns the statement service.
func NewService(d *db.DB, c clock.Clock, a *audit.Service, n *notify.Service, o Options) *Service {
	if o.Issuer == "" {
		o.Issuer = certificate.DefaultIssuer
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{db: d, clock: c, audit: a, notify: n, opt: o, server: o.Server, log: o.Log,
		workers: cmp.Or(max(o.Workers, 0), 2*max(1, runtime.NumCPU())), chunk: 256}
}

// Wait blocks until the background batches of this service end.
func (s *Service) Wait() { s.running.Wait() }

// Actions asked of Can.
const (
	ManageBatches = "manage_batches" // make, follow and download batches (个人账户科)
	SeeStatement  = "see_statement"  // read one person's statements
)

// Can says whether the actor may do action; personID is the person whose
// statements are read (SeeStatement). Errors: Unauthenticated, Forbidden,
// NotFound.
func Can(a *access.Actor, action string, personID int64) error {
	if a == nil {
		return errs.LoginRequired()
	}
	switch action {
	case ManageBatches:
		return a.RequireSection(access.Account)
	case SeeStatement:
		if a.Role == access.RolePerson && a.PersonID != 0 && a.PersonID == personID {
			return nil
		}
		if a.In(access.Account) {
			return nil
		}
		return errs.NotFoundf("没有找到该权益记录单")
	}
	return errs.New(errs.Forbidden, "forbidden", "无权进行该操作")
}

// Statement is one statement made (its PDF is read separately).
type Statement struct {
	ID        int64
	BatchID   int64
	Seq       int64
	PersonID  int64
	Year      int
	Code      string
	Name      string
	IDNumber  string
	Months    int64
	Balance   money.Fen
	Employer  string
	Mailed    bool
	CreatedAt time.Time
}

// Grouped is the code in groups of four.
func (st *Statement) Grouped() string { return certificate.GroupCode(st.Code) }

// MaskedName and MaskedID are the identity for lists.
func (st *Statement) MaskedName() string { return ident.MaskNameEnds(st.Name) }

// MaskedID is the ID number masked.
func (st *Statement) MaskedID() string { return ident.MaskID(st.IDNumber) }

// checkURL is the public check address of a code.
func (s *Service) checkURL(code string) string {
	return strings.TrimRight(s.opt.BaseURL, "/") + certificate.CheckPath(code)
}

// render builds and renders the statement of one member.
func (s *Service) render(ctx context.Context, m member, year int, code string, on time.Time) (*Content, []byte, error) {
	c, err := s.content(ctx, m, year)
	if err != nil {
		return nil, nil, err
	}
	pdf, err := c.PDF(s.opt.Issuer, code, s.checkURL(code), clock.DateOf(on))
	return c, pdf, err
}

// renderFrom renders the statement of one member of a chunk from the
// chunk's data (read once for the chunk).
func (s *Service) renderFrom(d *chunkData, m member, year int, code string, on time.Time) (*Content, []byte, error) {
	c, err := d.content(m, year)
	if err != nil {
		return nil, nil, err
	}
	pdf, err := c.PDF(s.opt.Issuer, code, s.checkURL(code), clock.DateOf(on))
	return c, pdf, err
}

// mailMessage is the e-mail telling a person their statement is ready.
func mailMessage(year int, code string) notify.Message {
	return notify.Message{Kind: "statement", Subject: fmt.Sprintf("您的 %d 年度个人权益记录单已生成", year),
		Body: fmt.Sprintf("您的 %d 年度个人权益记录单已生成。请登录个人网上服务，在“个人权益记录单”页面下载。"+
			"记录单验证码 %s，可在本机构网站“缴费证明核验”页面核验。如对记录有异议，请联系个人账户科。", year, certificate.GroupCode(code))}
}

// storeGroup is how many rendered statements share one transaction: a
// commit per statement made a large batch wait on the disk.
const storeGroup = 32

// store writes rendered statements in one transaction and, where the
// batch mails, queues each e-mail to the person's address in it: a
// statement exists exactly when its mail is queued, and a crash loses at
// most the group being written (redone on resume). It returns how many
// were mailed.
func (s *Service) store(ctx context.Context, b *Batch, group []rendered, now time.Time) (mailed int64, err error) {
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		mailed = 0
		for _, r := range group {
			sent, err := s.storeOne(ctx, tx, b, r, now)
			if err != nil {
				return err
			}
			if sent {
				mailed++
			}
		}
		return nil
	})
	return mailed, err
}

func (s *Service) storeOne(ctx context.Context, tx *sql.Tx, b *Batch, r rendered, now time.Time) (bool, error) {
	m, c := r.m, r.c
	st := &Statement{BatchID: b.ID, Seq: m.Seq, PersonID: m.PersonID, Year: b.Year, Code: r.code, Name: c.Person.Name,
		IDNumber: c.Person.IDNumber, Months: int64(c.Months), Balance: c.Balance, Employer: m.Employer, CreatedAt: now}
	if b.Mail {
		uid, email, err := mailAddress(ctx, tx, m.PersonID)
		if err != nil {
			return false, err
		}
		if email != "" {
			if err := s.notify.NotifyTx(ctx, tx, notify.Recipient{UserID: uid, Email: email}, mailMessage(b.Year, r.code)); err != nil {
				return false, err
			}
			st.Mailed = true
		}
	}
	return st.Mailed, insertStatement(ctx, tx, st, r.pdf)
}

// StatementsOf lists a person's statements, newest first. Errors:
// Unauthenticated, NotFound.
func (s *Service) StatementsOf(ctx context.Context, a *access.Actor, personID int64) ([]Statement, error) {
	if err := Can(a, SeeStatement, personID); err != nil {
		return nil, err
	}
	return listOfPerson(ctx, s.db.Read(), personID)
}

// PDF returns one statement and its PDF, for the person or 个人账户科.
// Errors: Unauthenticated, NotFound.
func (s *Service) PDF(ctx context.Context, a *access.Actor, id int64) (*Statement, []byte, error) {
	if a == nil {
		return nil, nil, errs.LoginRequired()
	}
	st, pdf, err := loadPDF(ctx, s.db.Read(), id)
	if err != nil {
		return nil, nil, err
	}
	if err := Can(a, SeeStatement, st.PersonID); err != nil {
		return nil, nil, err
	}
	return st, pdf, nil
}

// Check looks a statement up by its verification code for the public
// check page (the caller counts the attempt): masked data only. Errors:
// NotFound.
func (s *Service) Check(ctx context.Context, code string) (*certificate.Check, error) {
	st, err := byCode(ctx, s.db.Read(), code)
	if err != nil {
		return nil, err
	}
	return &certificate.Check{Code: st.Grouped(), Kind: "个人权益记录单", Name: st.MaskedName(), Number: st.MaskedID(),
		Period: strconv.Itoa(st.Year) + " 年末", Months: int(st.Months),
		Totals: "个人账户余额 " + st.Balance.String() + " 元", Issuer: s.opt.Issuer,
		IssuedOn: st.CreatedAt.In(clock.Shanghai).Format("2006-01-02"), Valid: true}, nil
}
