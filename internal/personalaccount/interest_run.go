package personalaccount

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// InterestBatch is how many accounts one transaction of the interest run
// credits.
const InterestBatch = 5000

// StaleAfter is how long a running run may go without progress before the
// next start of its year closes it as interrupted.
const StaleAfter = 10 * time.Minute

// Interest run statuses.
const (
	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
)

var runStatusNames = map[string]string{RunRunning: "正在计息", RunDone: "已完成", RunFailed: "未完成"}

// InterestRun is one run of a year's interest, with its progress.
type InterestRun struct {
	ID         int64      `json:"id"`
	Year       int        `json:"year"`
	Status     string     `json:"status"`
	Rate       money.Rate `json:"rate_ppm"`
	RateBasis  string     `json:"rate_basis"`
	Total      int64      `json:"total"`
	Done       int64      `json:"done"`
	Credited   int64      `json:"credited"` // interest entries written by this run
	Interest   money.Fen  `json:"interest_fen"`
	Skipped    int64      `json:"skipped"` // accounts whose balance is negative (to correct first)
	Error      string     `json:"error,omitempty"`
	ActorName  string     `json:"actor_name"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt time.Time  `json:"finished_at,omitzero"`
}

// StatusName is the run's status in Chinese.
func (r *InterestRun) StatusName() string { return runStatusNames[r.Status] }

// Running reports whether the run is still going.
func (r *InterestRun) Running() bool { return r.Status == RunRunning }

// Percent is the share of accounts done, 0–100.
func (r *InterestRun) Percent() int64 {
	if r.Total <= 0 {
		if r.Status == RunDone {
			return 100
		}
		return 0
	}
	return r.Done * 100 / r.Total
}

// Progress is told how many accounts of how many are done.
type Progress func(done, total int)

// yearRate is the account interest rate published for a year.
type yearRate struct {
	Year  int
	Rate  money.Rate
	Basis string
}

// prepareInterest checks the actor and the year and reads the year's
// rate (the dated rule in force on 31 December of the year).
func (s *Service) prepareInterest(ctx context.Context, a *access.Actor, year int) (yearRate, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return yearRate{}, err
	}
	this := s.today().Year()
	if year < 1993 || year >= this {
		return yearRate{}, fieldErr("year", fmt.Sprintf("计息年度应在 1993 至 %d 之间：本年度的利率次年公布后才能计息", this-1))
	}
	end := time.Date(year, 12, 31, 0, 0, 0, 0, s.today().Location())
	r, rule, err := s.policy.Rate(ctx, policy.KeyAccountInterestRate, "", end)
	if errs.KindOf(err) == errs.NotFound {
		return yearRate{}, fieldErr("year", fmt.Sprintf("%d 年度的个人账户记账利率尚未公布（政策参数中没有该年度的利率），请先维护后再计息", year))
	}
	if err != nil {
		return yearRate{}, err
	}
	return yearRate{Year: year, Rate: r, Basis: rule.Explain()}, nil
}

// StartInterest starts crediting a year's interest in the background for
// 个人账户科 and returns the run at once. Errors: Forbidden, Invalid
// (field "year"), Conflict (the year is running).
func (s *Service) StartInterest(ctx context.Context, a *access.Actor, year int) (*InterestRun, error) {
	yr, err := s.prepareInterest(ctx, a, year)
	if err != nil {
		return nil, err
	}
	r, err := s.claimRun(ctx, a, yr)
	if err != nil {
		return nil, err
	}
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		_ = s.execRun(context.WithoutCancel(ctx), a, yr, r, nil)
	}()
	return r, nil
}

// RunInterest credits a year's interest now, as one recorded run (the
// command line and tests); progress may be nil. Errors: those of
// StartInterest, and of the run.
func (s *Service) RunInterest(ctx context.Context, a *access.Actor, year int, progress Progress) (*InterestRun, error) {
	yr, err := s.prepareInterest(ctx, a, year)
	if err != nil {
		return nil, err
	}
	r, err := s.claimRun(ctx, a, yr)
	if err != nil {
		return nil, err
	}
	if err := s.execRun(ctx, a, yr, r, progress); err != nil {
		return r, err
	}
	return loadRun(ctx, s.db.Read(), r.ID)
}

// GetInterestRun returns one run, for 个人账户科. Errors: Forbidden, NotFound.
func (s *Service) GetInterestRun(ctx context.Context, a *access.Actor, id int64) (*InterestRun, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	return loadRun(ctx, s.db.Read(), id)
}

// InterestRuns lists the latest runs, for 个人账户科. Errors: Forbidden.
func (s *Service) InterestRuns(ctx context.Context, a *access.Actor) ([]InterestRun, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	return listRuns(ctx, s.db.Read(), 20)
}

func (s *Service) claimRun(ctx context.Context, a *access.Actor, yr yearRate) (*InterestRun, error) {
	now := s.clock.Now()
	r := &InterestRun{Year: yr.Year, Status: RunRunning, Rate: yr.Rate, RateBasis: yr.Basis, ActorName: a.Name(), StartedAt: now}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := closeStaleRuns(ctx, tx, yr.Year, now.Add(-StaleAfter), now); err != nil {
			return err
		}
		if err := insertRun(ctx, tx, r, a.UserID, s.server); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.interest.start", Entity: "account_interest_run",
			EntityID: strconv.FormatInt(r.ID, 10), After: map[string]any{"year": yr.Year, "rate": yr.Rate.String()}})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// execRun credits every account of the year in batches and records the
// outcome on the run.
func (s *Service) execRun(ctx context.Context, a *access.Actor, yr yearRate, r *InterestRun, progress Progress) error {
	res, err := s.creditYear(ctx, a, yr, r.ID, progress)
	status, msg := RunDone, ""
	if err != nil {
		status, msg = RunFailed, "计息未完成："+runErrorText(err)+"。已入账的账户不受影响，请重新计息（不会重复计息）"
		s.log.Error("interest run failed", "run", r.ID, "year", yr.Year, "err", err)
	}
	if ferr := finishRun(context.WithoutCancel(ctx), s.db, r.ID, status, msg, res, s.clock.Now()); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

// runErrorText says in Chinese why a run stopped, without internals.
func runErrorText(err error) string {
	if e := errs.As(err); e != nil && e.Kind != errs.Internal && e.Message != "" {
		return e.Message
	}
	return "处理中断（服务器停止或数据库错误）"
}

// runResult is what a run did.
type runResult struct {
	Total, Done, Credited, Skipped int64
	Interest                       money.Fen
}

// creditYear splits the person ids of the accounts into ranges of the
// batch size and credits them, several ranges at once on PostgreSQL. The
// ranges come from the lowest and highest person id with entries (two
// index look-ups), never from a list of every account: the list of a
// million accounts is what a run must not wait for.
func (s *Service) creditYear(ctx context.Context, a *access.Actor, yr yearRate, runID int64, progress Progress) (runResult, error) {
	var res runResult
	span, err := accountSpan(ctx, s.db.Read(), yr.Year)
	if err != nil || span.Count == 0 {
		return res, err
	}
	res.Total = span.Count
	if progress != nil {
		progress(0, int(res.Total))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		next     = make(chan [2]int64)
	)
	for w := 0; w < s.workers(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				br, err := s.creditBatch(ctx, a, yr, b[0], b[1])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				res.Done += br.Done
				res.Credited, res.Skipped, res.Interest = res.Credited+br.Credited, res.Skipped+br.Skipped, res.Interest+br.Interest
				res.Total = max(res.Total, res.Done)
				done, total := res.Done, res.Total
				mu.Unlock()
				if err == nil {
					_ = updateRunProgress(ctx, s.db, runID, done, total, s.clock.Now())
					if progress != nil {
						progress(int(done), int(total))
					}
				}
			}
		}()
	}
	step := int64(s.batch)
	for lo := span.Lo; lo <= span.Hi && ctx.Err() == nil; lo += step {
		select {
		case next <- [2]int64{lo, min(lo+step-1, span.Hi)}:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr == nil {
		res.Total = res.Done // the span's count includes persons without an account
	}
	return res, firstErr
}

// workers is how many batches run at once: one where writes are
// serialised (SQLite), one per CPU where they run in parallel.
func (s *Service) workers() int {
	if !s.db.Dialect.ParallelWrites() {
		return 1
	}
	return max(1, runtime.NumCPU())
}

// creditBatch credits the interest of the accounts with person ids in
// [lo, hi] in one transaction, by personalaccount.YearInterest per
// account; accounts already credited for the year add nothing.
func (s *Service) creditBatch(ctx context.Context, a *access.Actor, yr yearRate, lo, hi int64) (runResult, error) {
	var res runResult
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res = runResult{}
		sums, seen, err := batchSums(ctx, tx, yr.Year, lo, hi)
		if err != nil {
			return err
		}
		res.Done = seen
		var persons []int64
		var amounts []int64
		for _, b := range sums {
			in := InterestInput{Opening: b.Opening, Credits: b.Credits, Rate: yr.Rate, RateBasis: yr.Basis, Year: yr.Year}
			if in.Credits < 0 { // refunds exceeding the year's credits lower what the year opened with
				in.Opening, in.Credits = in.Opening+in.Credits, 0
			}
			if in.Opening < 0 {
				res.Skipped++
				continue
			}
			i, err := YearInterest(in)
			if err != nil {
				return err
			}
			persons, amounts = append(persons, b.PersonID), append(amounts, int64(i.Interest))
			res.Interest += i.Interest
		}
		if err := insertInterest(ctx, tx, s.db.Dialect, yr, persons, amounts, s.clock.Now()); err != nil {
			return err
		}
		res.Credited = int64(len(persons))
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.interest.credit", Entity: "account_entries",
			EntityID: fmt.Sprintf("%d:%d-%d", yr.Year, lo, hi),
			After:    map[string]any{"accounts": len(sums), "credited": res.Credited, "interest_fen": res.Interest, "skipped": res.Skipped}})
	})
	return res, err
}
