package personalaccount

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/person"
	"shebao/internal/policy"
)

// Service runs the personal accounts of 个人账户科: the ledger, opening
// balances, corrections and the year-end interest.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	audit   *audit.Service
	policy  *policy.Service
	server  string
	log     *slog.Logger
	batch   int
	running sync.WaitGroup
}

// NewService returns the personal-account service; server names this
// process on the interest runs it executes and log takes their failures
// (nil: slog.Default()).
// batch is how many accounts one interest transaction credits (the
// accounts command's --batch; 0: InterestBatch).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, p *policy.Service, server string, log *slog.Logger, batch int) *Service {
	if log == nil {
		log = slog.Default()
	}
	if batch <= 0 {
		batch = InterestBatch
	}
	return &Service{db: d, clock: c, audit: a, policy: p, batch: batch, server: server, log: log}
}

// Wait blocks until the background runs of this service end.
func (s *Service) Wait() { s.running.Wait() }

func (s *Service) today() time.Time { return clock.Today(s.clock) }

// canSee lets a person read their own account, and the sections that need
// accounts (个人账户科, 保险福利科 for pensions, 个体参保科 for the
// self-employed's retirement) read any.
func canSee(a *access.Actor, personID int64) error {
	switch {
	case a == nil:
		return errs.New(errs.Unauthenticated, "login_required", "请先登录")
	case a.Role == access.RolePerson && a.PersonID != 0 && a.PersonID == personID:
		return nil
	case a.In(access.Account) || a.In(access.Welfare) || a.In(access.SelfEmployed):
		return nil
	}
	return errs.NotFoundf("没有找到该参保人的个人账户")
}

// CanManage reports whether the actor keeps accounts (个人账户科).
func CanManage(a *access.Actor) bool { return a.In(access.Account) }

// Balance is the balance of a person's account at the end of day, for the
// person and the sections that read accounts. Errors: Unauthenticated,
// NotFound.
func (s *Service) Balance(ctx context.Context, a *access.Actor, personID int64, day time.Time) (money.Fen, error) {
	if err := canSee(a, personID); err != nil {
		return 0, err
	}
	return BalanceAt(ctx, s.db.Read(), personID, day)
}

// Year is one account year: what it opened with, the credits of paid
// months (less refunds), other movements (balances brought over,
// corrections, transfers), the interest and the closing balance.
type Year struct {
	Year     int       `json:"year"`
	Opening  money.Fen `json:"opening_fen"`
	Credits  money.Fen `json:"credits_fen"`
	Other    money.Fen `json:"other_fen"`
	Interest money.Fen `json:"interest_fen"`
	Closing  money.Fen `json:"closing_fen"`
	Credited bool      `json:"interest_credited"` // the year's interest entry exists
}

// Account is a person's account by year, with its entries.
type Account struct {
	Person  *person.Person `json:"-"`
	Years   []Year         `json:"years"`
	Balance money.Fen      `json:"balance_fen"`
	Entries []Entry        `json:"entries,omitempty"`
}

// Account returns a person's account by year, oldest first (the years
// from the first entry to this year). Errors: Unauthenticated, NotFound.
func (s *Service) Account(ctx context.Context, a *access.Actor, personID int64, withEntries bool) (*Account, error) {
	if err := canSee(a, personID); err != nil {
		return nil, err
	}
	q := s.db.Read()
	p, err := person.Load(ctx, q, personID)
	if err != nil {
		return nil, err
	}
	sums, err := yearSums(ctx, q, personID)
	if err != nil {
		return nil, err
	}
	acc := &Account{Person: p, Years: byYear(sums, s.today().Year())}
	if n := len(acc.Years); n > 0 {
		acc.Balance = acc.Years[n-1].Closing
	}
	if withEntries {
		if acc.Entries, err = listEntries(ctx, q, personID); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// byYear folds the sums per year and kind into years from the first one
// to last (or to the last year with entries, if later).
func byYear(sums map[int]map[Kind]money.Fen, last int) []Year {
	if len(sums) == 0 {
		return nil
	}
	first := last
	for y := range sums {
		first, last = min(first, y), max(last, y)
	}
	out := make([]Year, 0, last-first+1)
	var bal money.Fen
	for y := first; y <= last; y++ {
		k := sums[y]
		yr := Year{Year: y, Opening: bal, Credits: k[KindCredit] + k[KindReversal],
			Other:    k[KindOpening] + k[KindCorrection] + k[KindTransferIn] + k[KindTransferOut],
			Interest: k[KindInterest]}
		_, yr.Credited = k[KindInterest]
		yr.Closing = yr.Opening + yr.Credits + yr.Other + yr.Interest
		bal = yr.Closing
		out = append(out, yr)
	}
	return out
}

// CorrectionInput is a clerk's correction of an account.
type CorrectionInput struct {
	Amount money.Fen `json:"amount_fen"` // signed
	Date   string    `json:"date"`       // value date YYYY-MM-DD
	Reason string    `json:"reason"`
}

// Correct posts a correction (positive or negative) to a person's account
// with its reason, for 个人账户科; the balance may not become negative on
// its date. Errors: Forbidden, NotFound, Invalid (fields amount, date,
// reason).
func (s *Service) Correct(ctx context.Context, a *access.Actor, personID int64, in CorrectionInput) (*Entry, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	day, err := s.validateCorrection(&in)
	if err != nil {
		return nil, err
	}
	e := &Entry{PersonID: personID, Kind: KindCorrection, Year: day.Year(), PostedOn: in.Date, Amount: in.Amount, Reason: in.Reason}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := person.Load(ctx, tx, personID)
		if err != nil {
			return err
		}
		bal, err := BalanceAt(ctx, tx, personID, day)
		if err != nil {
			return err
		}
		if bal+in.Amount < 0 {
			return fieldErr("amount", "更正后该日账户余额为负数（更正前余额 "+bal.String()+" 元），请核对更正金额")
		}
		if err := insertEntry(ctx, tx, e, "correction:"+randomKey(), a.UserID, s.clock.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.correct", Entity: "account_entry",
			EntityID: strconv.FormatInt(e.ID, 10), Before: map[string]any{"balance_fen": bal},
			After: map[string]any{"person": p.Masked().IDNumber, "amount_fen": in.Amount, "date": in.Date}, Note: in.Reason})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

func (s *Service) validateCorrection(in *CorrectionInput) (time.Time, error) {
	var f errs.Fields
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Amount == 0 || in.Amount > 100_000_000 || in.Amount < -100_000_000 {
		f.Add("amount", "请填写更正金额（元，不为零，减少时填负数，绝对值不超过 100 万元）")
	}
	day, err := clock.ParseDate(strings.TrimSpace(in.Date))
	switch {
	case err != nil:
		f.Add("date", "请填写记账日期，格式为 YYYY-MM-DD")
	case day.After(s.today()):
		f.Add("date", "记账日期不能晚于今天")
	case day.Year() < 1993:
		f.Add("date", "记账日期不能早于 1993 年")
	}
	if n := len([]rune(in.Reason)); n < 4 || n > 200 {
		f.Add("reason", "请填写更正原因和依据（4 至 200 字）")
	}
	in.Date = day.Format(time.DateOnly)
	return day, f.Err()
}

func fieldErr(field, msg string) error {
	var f errs.Fields
	f.Add(field, msg)
	return f.Err()
}

func randomKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// YearsOf is a person's account by year from the first entry to the end
// of last (later years left out), read with q (the statements of the
// section read it in their batches). It checks no permission.
func YearsOf(ctx context.Context, q db.Querier, personID int64, last int) ([]Year, error) {
	sums, err := yearSums(ctx, q, personID)
	if err != nil {
		return nil, err
	}
	return yearsUpTo(sums, last), nil
}

func yearsUpTo(sums map[int]map[Kind]money.Fen, last int) []Year {
	years := byYear(sums, last)
	for len(years) > 0 && years[len(years)-1].Year > last {
		years = years[:len(years)-1]
	}
	return years
}

// YearsOfMany is YearsOf for several persons in one read (a batch of
// documents): each person's account by year up to last; a person without
// entries has none. No permission check.
func YearsOfMany(ctx context.Context, q db.Querier, personIDs []int64, last int) (map[int64][]Year, error) {
	out := make(map[int64][]Year, len(personIDs))
	if len(personIDs) == 0 {
		return out, nil
	}
	in, args := db.InInt64s(personIDs)
	sums, err := yearSumsOf(ctx, q, in, args)
	if err != nil {
		return nil, err
	}
	for id, s := range sums {
		out[id] = yearsUpTo(s, last)
	}
	return out, nil
}
