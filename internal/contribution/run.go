package contribution

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// Run origins and statuses (assess_runs).
const (
	OriginManual    = "manual"    // started by 统筹科 on the assessment page
	OriginScheduled = "scheduled" // started by the scheduled job on the assessment day

	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
)

// StaleAfter is how long a running run may go without progress before the
// next start of its month closes it as interrupted (its server died).
const StaleAfter = 10 * time.Minute

var runStatusNames = map[string]string{RunRunning: "正在核定", RunDone: "已完成", RunFailed: "未完成"}

var originNames = map[string]string{OriginManual: "统筹科手动核定", OriginScheduled: "每月自动核定"}

// Run is one assessment run of a fee month, with its progress and result.
type Run struct {
	ID         int64     `json:"id"`
	Month      string    `json:"fee_month"`
	Origin     string    `json:"origin"`
	Status     string    `json:"status"`
	Total      int64     `json:"total"` // employers to assess
	Done       int64     `json:"done"`  // employers assessed so far
	Created    int64     `json:"created"`
	Redone     int64     `json:"redone"`
	Lines      int64     `json:"lines"`
	Error      string    `json:"error,omitempty"` // in Chinese
	ActorName  string    `json:"actor_name"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// StatusName is the run's status in Chinese.
func (r *Run) StatusName() string { return runStatusNames[r.Status] }

// OriginName says in Chinese who started the run.
func (r *Run) OriginName() string { return originNames[r.Origin] }

// ManualBy is the login of the clerk who started a manual run ("" for a
// scheduled one); pages show it by the clerk's name.
func (r *Run) ManualBy() string {
	if r.Origin == OriginManual {
		return r.ActorName
	}
	return ""
}

// Running reports whether the run is still going.
func (r *Run) Running() bool { return r.Status == RunRunning }

// Percent is the share of employers done, 0–100.
func (r *Run) Percent() int64 {
	if r.Total <= 0 {
		if r.Status == RunDone {
			return 100
		}
		return 0
	}
	return r.Done * 100 / r.Total
}

// StartRun starts assessing fee month in the background for 统筹科 and
// returns the new run at once; the page follows it with GetRun. A month
// whose assessment is already running (on this or another server) is a
// Conflict naming that run. Errors: Forbidden, Invalid (field "month":
// format, a future month, rules missing for the month), Conflict.
func (s *Service) StartRun(ctx context.Context, a *access.Actor, month string) (*Run, error) {
	p, err := s.prepareRun(ctx, a, month)
	if err != nil {
		return nil, err
	}
	r, err := s.claimRun(ctx, a, month, OriginManual)
	if err != nil {
		return nil, err
	}
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		s.execRun(context.WithoutCancel(ctx), a, p, r)
	}()
	return r, nil
}

// RunMonth assesses fee month now, as one recorded run (the scheduled job
// and tests). Errors: those of StartRun, and of the assessment.
func (s *Service) RunMonth(ctx context.Context, a *access.Actor, month, origin string) (*Run, error) {
	p, err := s.prepareRun(ctx, a, month)
	if err != nil {
		return nil, err
	}
	r, err := s.claimRun(ctx, a, month, origin)
	if err != nil {
		return nil, err
	}
	if err := s.execRun(ctx, a, p, r); err != nil {
		return r, err
	}
	return loadRun(ctx, s.db.Read(), r.ID)
}

// Wait blocks until every background run started by this service ends
// (server shutdown, tests).
func (s *Service) Wait() { s.running.Wait() }

// prepareRun checks the actor and the month and loads its rules, so that a
// month without rules is refused before anything starts.
func (s *Service) prepareRun(ctx context.Context, a *access.Actor, month string) (*Params, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	m, err := parseFeeMonth(month)
	if err != nil {
		return nil, err
	}
	if this := clock.MonthOf(s.clock.Now()); this.Before(m) {
		return nil, monthError("不能核定未来的月份：最晚为本月 " + this.String())
	}
	p, err := LoadParams(ctx, s.policy, m)
	if errs.KindOf(err) == errs.NotFound {
		return nil, monthError("该月没有生效的缴费基数或费率规则，请先在政策参数中维护：" + errs.As(err).Message)
	}
	return p, err
}

// parseFeeMonth parses the fee month a clerk, the scheduled job or the
// command line gives, once: the assessment passes the clock.Month on.
// Errors: Invalid (field "month").
func parseFeeMonth(s string) (clock.Month, error) {
	m, err := clock.ParseMonth(s)
	if err != nil {
		return m, monthError("费款所属期格式应为 YYYY-MM，如 2024-01")
	}
	return m, nil
}

func monthError(msg string) error {
	var f errs.Fields
	f.Add("month", msg)
	return f.Err()
}

// claimRun closes stale runs of the month and inserts a running one.
func (s *Service) claimRun(ctx context.Context, a *access.Actor, month, origin string) (*Run, error) {
	now := s.clock.Now()
	r := &Run{Month: month, Origin: origin, Status: RunRunning, ActorName: a.Name(), StartedAt: now}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := closeStaleRuns(ctx, tx, month, now.Add(-StaleAfter), now); err != nil {
			return err
		}
		if err := insertRun(ctx, tx, r, a.UserID, s.server); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "contribution.assess.start", Entity: "assess_run",
			EntityID: strconv.FormatInt(r.ID, 10), After: map[string]any{"fee_month": month, "origin": origin}})
	})
	if errs.KindOf(err) == errs.Conflict {
		if cur, e := runningRun(ctx, s.db.Read(), month); e == nil {
			return nil, errs.New(errs.Conflict, "assess_running", "费款所属期 "+month+" 正在核定中（"+cur.OriginName()+
				"，第 "+strconv.FormatInt(cur.ID, 10)+" 批），请等待其完成，不会重复核定")
		}
	}
	return r, err
}

// execRun runs the assessment, writing progress and the result to the run.
func (s *Service) execRun(ctx context.Context, a *access.Actor, p *Params, r *Run) error {
	progress := func(done, total int) {
		// Progress is best effort: a failed write only delays the page.
		_ = updateRunProgress(ctx, s.db, r.ID, int64(done), int64(total), s.clock.Now())
	}
	res, err := s.assessMonth(ctx, a, p, progress)
	status, msg := RunDone, ""
	if err != nil {
		status, msg = RunFailed, s.runErrorText(r, err)
	}
	ferr := finishRun(context.WithoutCancel(ctx), s.db, r.ID, status, msg, res, s.clock.Now())
	if err != nil {
		return err
	}
	return ferr
}

// runErrorText is what the page says about a failed run: the Chinese
// message of a known error; internals are logged, never shown.
func (s *Service) runErrorText(r *Run, err error) string {
	if e := errs.As(err); e != nil && e.Kind != errs.Internal && e.Message != "" {
		return e.Message
	}
	s.log.Error("assessment run failed", "run", r.ID, "fee_month", r.Month, "err", err)
	return "核定中断（系统错误，已记录日志）：已完成的单位不受影响，请重新核定"
}

// GetRun returns one run with its progress, for 统筹科. Errors:
// Forbidden, NotFound.
func (s *Service) GetRun(ctx context.Context, a *access.Actor, id int64) (*Run, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	return loadRun(ctx, s.db.Read(), id)
}

// RunsLimit caps the list of recent runs.
const RunsLimit = 50

// Runs lists the latest runs, newest first, for 统筹科. Errors: Forbidden.
func (s *Service) Runs(ctx context.Context, a *access.Actor) ([]Run, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	return listRuns(ctx, s.db.Read(), RunsLimit)
}

// AssessDue is the scheduled job's step: on or after the assessment day
// of this month (the dated rule assessment_day), it assesses this fee
// month unless a run of it already finished on or after that day. It
// returns the run, or nil when nothing was due.
func (s *Service) AssessDue(ctx context.Context) (*Run, error) {
	today := clock.DateOf(s.clock.Now())
	day, _, err := s.policy.Int(ctx, policy.KeyAssessmentDay, "", today)
	if err != nil {
		return nil, err
	}
	if last := today.AddDate(0, 1, -today.Day()).Day(); int(day) > last {
		day = int64(last)
	}
	if int64(today.Day()) < day {
		return nil, nil
	}
	month := today.Format("2006-01")
	from := time.Date(today.Year(), today.Month(), int(day), 0, 0, 0, 0, clock.Shanghai)
	done, err := finishedSince(ctx, s.db.Read(), month, from.UTC())
	if err != nil || done {
		return nil, err
	}
	return s.RunMonth(ctx, access.System, month, OriginScheduled)
}
