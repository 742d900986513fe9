package app

import (
	"context"
	"fmt"

	"shebao/internal/jobs"
	"shebao/internal/recovery"
)

// openOversight builds the services of 审计科 and 办公室: the emergency
// recovery register.
func (a *App) openOversight() {
	a.Recovery = recovery.NewService(a.DB, a.Clock, a.Audit, a.Policy, a.Notify)
}

// oversightJobs adds the scheduled jobs of the oversight services.
func (a *App) oversightJobs(r *jobs.Runner) {
	r.Add(jobs.Job{Name: "recovery.daily", Schedule: jobs.Daily(6, 30), Run: a.recoveryDaily})
}

// recoveryDaily harvests the recovery register, hands over what is
// overdue, sends the reminders due and records the day's progress.
func (a *App) recoveryDaily(ctx context.Context) (string, error) {
	r, err := a.Recovery.Daily(ctx)
	return fmt.Sprintf("recovery: %d added, %d made up, %d handed over, %d reminders, %d snapshots",
		r.Added, r.MadeUp, r.HandedOver, r.Reminded, r.Snapshots), err
}
