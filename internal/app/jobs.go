package app

import (
	"context"
	"fmt"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/jobs"
	"shebao/internal/ledger"
)

// scheduledJobs builds the runner with every scheduled job of a server.
// Each job runs once per slot across all servers sharing the database.
func (a *App) scheduledJobs() *jobs.Runner {
	r := jobs.NewRunner(a.DB, a.Clock, a.Log, a.Cfg.Name)
	r.Add(jobs.Job{Name: "sessions.purge", Schedule: jobs.Hourly(7), Run: a.purgeSessions})
	r.Add(jobs.Job{Name: "audit.verify", Schedule: jobs.Daily(2, 30), Lease: 6 * time.Hour, Run: a.verifyAudit})
	r.Add(jobs.PruneJob(a.DB, a.Clock, 180*24*time.Hour))
	r.Add(jobs.Job{Name: "appointments.remind", Schedule: jobs.Daily(16, 0), Run: a.remindAppointments})
	r.Add(jobs.Job{Name: "cases.remind", Schedule: jobs.Hourly(15), Run: a.remindCases})
	r.Add(jobs.Job{Name: "sensitive.escalate", Schedule: jobs.Hourly(25), Run: a.escalateSensitive})
	r.Add(jobs.Job{Name: "retirement.remind", Schedule: jobs.Daily(8, 0), Run: a.remindRetirements})
	r.Add(jobs.Job{Name: "retirement.certification", Schedule: jobs.Daily(7, 30), Run: a.checkCertifications})
	r.Add(jobs.Job{Name: "death.recovery_notices", Schedule: jobs.Daily(9, 30), Run: a.recoveryNotices})
	r.Add(jobs.Job{Name: "contribution.assess", Schedule: jobs.Daily(1, 0), Lease: 6 * time.Hour, Run: a.assessDue})
	r.Add(jobs.Job{Name: "injury.monthly", Schedule: jobs.Daily(3, 0), Lease: 2 * time.Hour, Run: a.payInjuryMonths})
	r.Add(jobs.Job{Name: "ledger.fold", Schedule: jobs.Hourly(45), Run: a.foldLedger})
	a.oversightJobs(r)
	r.Add(a.Statements.Job())
	a.Web.Metrics().MustRegister(r.Collector())
	return r
}

// foldLedger folds the fund ledger's running totals into one row per
// account and scheme, so the trial balance reads a few dozen rows.
func (a *App) foldLedger(ctx context.Context) (string, error) {
	n, err := ledger.Fold(ctx, a.DB)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("folded %d rows of ledger totals", n), nil
}

// purgeSessions deletes expired sessions and old login-failure records.
func (a *App) purgeSessions(ctx context.Context) (string, error) {
	n, err := a.Accounts.Purge(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("purged %d sessions", n), nil
}

// verifyAudit walks the audit hash chain and, when a signing key is
// configured, compares it with the signed checkpoints and signs today's
// (docs/decisions/0004-audit-hash-chain.md). A broken chain is logged as an
// error and recorded as the job's failure, so it shows in job_runs and in
// the shebao_job_runs_total{outcome="error"} metric.
func (a *App) verifyAudit(ctx context.Context) (string, error) {
	var res audit.VerifyResult
	var err error
	var cp audit.Checkpoint
	if an := a.Audit.Anchor(); an != nil && an.CanSign() {
		cp, res, err = a.Audit.Checkpoint(ctx)
		if err != nil && errs.KindOf(err) != errs.Conflict {
			return "", err
		}
	} else {
		res, err = a.Audit.Verify(ctx)
		if err != nil {
			return "", err
		}
		if an == nil {
			a.Log.Warn("audit chain not anchored: no signing key, a removed tail is not detectable (set --audit-key)")
		}
	}
	if !res.OK() {
		a.Log.Error("audit chain broken", "first_bad_seq", res.FirstBad, "reason", res.Reason, "checked", res.Checked,
			"invalid_checkpoints", res.Anchor.Invalid)
		return "", fmt.Errorf("audit chain broken at seq %d: %s %v", res.FirstBad, res.Reason, res.Anchor.Invalid)
	}
	a.Log.Info("audit chain verified", "checked", res.Checked, "head_seq", res.HeadSeq, "head_hash", res.HeadHash,
		"checkpoint", cp.File)
	return fmt.Sprintf("audit chain ok: %d records, head %d %s, checkpoint %q", res.Checked, res.HeadSeq, res.HeadHash, cp.File), nil
}

// remindCases sends the case deadline and owed-original reminders.
func (a *App) remindCases(ctx context.Context) (string, error) {
	n, err := a.Cases.RemindDue(ctx, a.Clock.Now())
	return fmt.Sprintf("sent %d case reminders", n), err
}

// remindAppointments queues a reminder for each booking of tomorrow.
func (a *App) remindAppointments(ctx context.Context) (string, error) {
	n, err := a.Appointments.RemindTomorrow(ctx, a.Clock.Now())
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("queued %d appointment reminders", n), nil
}

// assessDue assesses this fee month on its assessment day (the dated rule
// assessment_day), or on the first day a server runs after it.
func (a *App) assessDue(ctx context.Context) (string, error) {
	r, err := a.Contribution.AssessDue(ctx)
	if err != nil || r == nil {
		return "nothing due", err
	}
	return fmt.Sprintf("assessed %s: %d employers, %d new bills, %d recomputed", r.Month, r.Total, r.Created, r.Redone), nil
}

// payInjuryMonths makes this month's payout lines of the monthly
// work-injury allowances (and any month a stopped server missed); a line
// made once is never made again, so the daily run is safe.
func (a *App) payInjuryMonths(ctx context.Context) (string, error) {
	month := clock.MonthOf(clock.Today(a.Clock))
	n, err := a.Injury.PayMonth(ctx, access.System, month)
	return fmt.Sprintf("injury allowances through %s: %d new lines", month, n), err
}

// remindRetirements reminds persons and employers 3 and 1 months before a
// retirement month.
func (a *App) remindRetirements(ctx context.Context) (string, error) {
	n, err := a.Retirement.RemindDue(ctx)
	return fmt.Sprintf("sent %d retirement reminders", n), err
}

// recoveryNotices sends the due step (notice, reminder, final reminder) of
// each overpayment after a death not yet recovered; each step once.
func (a *App) recoveryNotices(ctx context.Context) (string, error) {
	n, err := a.Deaths.SendRecoveryNotices(ctx)
	return fmt.Sprintf("sent %d overpayment recovery notices", n), err
}

// checkCertifications suspends pensions whose eligibility certification
// was missed, keeps those an emergency covers and reminds them after it.
func (a *App) checkCertifications(ctx context.Context) (string, error) {
	r, err := a.Retirement.CheckCertifications(ctx)
	return fmt.Sprintf("certification: %d suspended, %d kept by an emergency, %d reminded", r.Suspended, r.Kept, r.Reminded), err
}

// escalateSensitive passes sensitive matters whose level did not
// acknowledge in time to the next level (idempotent).
func (a *App) escalateSensitive(ctx context.Context) (string, error) {
	n, err := a.Sensitive.Escalate(ctx)
	return fmt.Sprintf("escalated %d sensitive matters", n), err
}
