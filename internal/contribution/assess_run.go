package contribution

import (
	"context"
	"database/sql"
	"runtime"
	"strconv"
	"sync"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
)

// workers is how many batches run at once: one on SQLite (one writer), one
// per CPU on PostgreSQL, where the server does the work and batches of
// different employers never touch the same rows.
func (s *Service) workers() int {
	if !s.db.Dialect.ParallelWrites() {
		return 1
	}
	if s.parallel > 0 {
		return s.parallel
	}
	return max(1, runtime.NumCPU())
}

// batchSize is the employers per batch of a run over n employers: the
// size set by Tuning.Batch, else BatchSize, or where transactions write in
// parallel as large as ParallelBatchSize while every worker still gets at
// least eight batches (so none waits long for the last).
func (s *Service) batchSize(n int) int {
	if s.batch > 0 {
		return s.batch
	}
	if !s.db.Dialect.ParallelWrites() {
		return BatchSize
	}
	return min(max(n/(8*s.workers()), BatchSize), ParallelBatchSize)
}

// AssessMonth assesses every employer for fee month 'YYYY-MM' in batches
// of BatchSize employers (see Tuning), one transaction and one audit
// entry each, several batches at once on PostgreSQL (see Tuning).
// Confirmed and later bills are never touched; drafts are recomputed; a
// rerun never duplicates a bill (unique employer and month), and a run
// killed half-way loses at most the batches in flight. Only coordination
// staff (统筹科) and the system may run it.
func (s *Service) AssessMonth(ctx context.Context, a *access.Actor, month string, progress Progress) (RunResult, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return RunResult{Month: month}, err
	}
	m, err := parseFeeMonth(month)
	if err != nil {
		return RunResult{Month: month}, err
	}
	p, err := LoadParams(ctx, s.policy, m)
	if err != nil {
		return RunResult{Month: month}, err
	}
	return s.assessMonth(ctx, a, p, progress)
}

// assessMonth is AssessMonth with the month's rules loaded.
func (s *Service) assessMonth(ctx context.Context, a *access.Actor, p *Params, progress Progress) (RunResult, error) {
	res := RunResult{Month: p.Month.String()}
	start := time.Now() // elapsed time for the report only, never business time
	ids, err := employersToAssess(ctx, s.db.Read(), p.Month)
	if err != nil {
		return res, err
	}
	res.Employers = len(ids)
	if progress != nil {
		progress(0, len(ids))
	}
	size := s.batchSize(len(ids))
	var batches [][]int64
	for i := 0; i < len(ids); i += size {
		batches = append(batches, ids[i:min(i+size, len(ids))])
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		done     int
		wg       sync.WaitGroup
		next     = make(chan []int64)
	)
	for w := 0; w < s.workers(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range next {
				r, err := s.assessBatch(ctx, a, p, batch)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				res.add(r)
				done += len(batch)
				if progress != nil && err == nil {
					progress(done, len(ids))
				}
				mu.Unlock()
			}
		}()
	}
	for _, b := range batches {
		select {
		case next <- b:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	res.Took = time.Since(start)
	return res, firstErr
}

// assessBatch assesses the employers of one batch in one transaction.
func (s *Service) assessBatch(ctx context.Context, a *access.Actor, p *Params, batch []int64) (RunResult, error) {
	lo, hi := batch[0], batch[len(batch)-1]
	var res RunResult
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		r, err := assessRange(ctx, tx, s.db.Dialect, p, lo, hi, s.clock.Now())
		if err != nil {
			return err
		}
		res = r
		// Last, so the audit chain's lock is held only until the commit.
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "contribution.assess", Entity: "bills",
			EntityID: p.Month.String() + ":" + strconv.FormatInt(lo, 10) + "-" + strconv.FormatInt(hi, 10),
			After:    map[string]any{"created": r.Created, "recomputed": r.Redone, "lines": r.Lines, "employers": len(batch)}})
	})
	if err != nil {
		return RunResult{}, err
	}
	return res, nil
}
