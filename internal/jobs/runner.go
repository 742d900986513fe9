package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"shebao/internal/clock"
	"shebao/internal/db"
)

// Job is one scheduled task.
type Job struct {
	Name     string
	Schedule Schedule
	// Lease is how long a claimed, unfinished run belongs to the server that
	// claimed it; after that (the server died mid-run) another server may
	// take the slot over. Default one hour.
	Lease time.Duration
	// Run does the work and returns a short result for job_runs.result (no
	// personal data). An error is recorded and logged; the job is tried
	// again in its next slot, not in this one.
	Run func(ctx context.Context) (result string, err error)
}

// DefaultInterval is how often Run looks for due jobs.
const DefaultInterval = 30 * time.Second

// Runner ticks the jobs of one server process.
type Runner struct {
	db     *db.DB
	clock  clock.Clock
	log    *slog.Logger
	server string
	// Interval between ticks of Run (DefaultInterval when zero).
	Interval time.Duration

	mu   sync.Mutex
	jobs []Job
	runs *prometheus.CounterVec
}

// NewRunner returns a runner that records its claims as server.
func NewRunner(d *db.DB, c clock.Clock, log *slog.Logger, server string) *Runner {
	if log == nil {
		log = slog.Default()
	}
	return &Runner{db: d, clock: c, log: log, server: server,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "shebao_job_runs_total",
			Help: "Scheduled job runs by this server, by job and outcome (ok, error).",
		}, []string{"job", "outcome"}),
	}
}

// Add registers a job. Names must be unique; they key job_runs.
func (r *Runner) Add(j Job) {
	if j.Lease <= 0 {
		j.Lease = time.Hour
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.jobs {
		if x.Name == j.Name {
			panic("jobs: duplicate job name " + j.Name)
		}
	}
	r.jobs = append(r.jobs, j)
}

// Jobs returns the registered jobs.
func (r *Runner) Jobs() []Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Job(nil), r.jobs...)
}

// Collector returns the runner's metrics, to register with a server's
// Prometheus registry.
func (r *Runner) Collector() prometheus.Collector { return r.runs }

// Run ticks at once and then every Interval until ctx is done. Jobs get
// ctx, so they stop when the server shuts down.
func (r *Runner) Run(ctx context.Context) {
	every := r.Interval
	if every <= 0 {
		every = DefaultInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := r.Tick(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("jobs tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick runs, one after another, every due job whose current slot this
// server claims, and returns the names of the jobs it ran. It returns the
// first database error met while claiming; a failing job body is recorded
// in job_runs and logged, not returned.
func (r *Runner) Tick(ctx context.Context) (ran []string, err error) {
	for _, j := range r.Jobs() {
		if ctx.Err() != nil {
			return ran, ctx.Err()
		}
		now := r.clock.Now()
		slot, due := j.Schedule.Slot(now)
		if !due {
			continue
		}
		won, cerr := r.claim(ctx, j, slot, now)
		if cerr != nil {
			if err == nil {
				err = cerr
			}
			continue
		}
		if won {
			r.runOne(ctx, j, slot)
			ran = append(ran, j.Name)
		}
	}
	return ran, err
}

// claim inserts the (job, slot) row; if another server holds it, it takes
// over only an unfinished run whose lease has run out. The statements are
// single-row and atomic on both engines, so exactly one server wins.
func (r *Runner) claim(ctx context.Context, j Job, slot string, now time.Time) (bool, error) {
	res, err := r.db.W.ExecContext(ctx, `INSERT INTO job_runs (name, slot, started_at, server)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, j.Name, slot, now, r.server)
	if err != nil {
		return false, fmt.Errorf("claim %s %s: %w", j.Name, slot, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	res, err = r.db.W.ExecContext(ctx, `UPDATE job_runs SET server = $1, started_at = $2, result = 'taken over'
		WHERE name = $3 AND slot = $4 AND finished_at IS NULL AND started_at < $5`,
		r.server, now, j.Name, slot, now.Add(-j.Lease))
	if err != nil {
		return false, fmt.Errorf("take over %s %s: %w", j.Name, slot, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (r *Runner) runOne(ctx context.Context, j Job, slot string) {
	start := time.Now()
	result, err := safeRun(ctx, j)
	outcome := "ok"
	if err != nil {
		outcome = "error"
		result = "error: " + err.Error()
		r.log.Error("job failed", "job", j.Name, "slot", slot, "err", err)
	} else {
		r.log.Info("job done", "job", j.Name, "slot", slot, "result", result, "took", time.Since(start).String())
	}
	r.runs.WithLabelValues(j.Name, outcome).Inc()
	if len(result) > 500 {
		result = result[:500]
	}
	// Record the outcome even when ctx was cancelled during the run.
	_, ferr := r.db.W.ExecContext(context.WithoutCancel(ctx), `UPDATE job_runs SET finished_at = $1, result = $2
		WHERE name = $3 AND slot = $4 AND server = $5`, r.clock.Now(), result, j.Name, slot, r.server)
	if ferr != nil {
		r.log.Error("job record", "job", j.Name, "slot", slot, "err", ferr)
	}
}

func safeRun(ctx context.Context, j Job) (result string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return j.Run(ctx)
}

// PruneJob deletes job_runs rows that started more than keep ago, daily at
// 03:40 Shanghai time.
func PruneJob(d *db.DB, c clock.Clock, keep time.Duration) Job {
	return Job{Name: "jobs.prune", Schedule: Daily(3, 40), Run: func(ctx context.Context) (string, error) {
		res, err := d.W.ExecContext(ctx, `DELETE FROM job_runs WHERE started_at < $1 AND finished_at IS NOT NULL`,
			c.Now().Add(-keep))
		if err != nil {
			return "", err
		}
		n, _ := res.RowsAffected()
		return fmt.Sprintf("deleted %d old job runs", n), nil
	}}
}
