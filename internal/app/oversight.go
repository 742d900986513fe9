package app

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/complaint"
	"shebao/internal/dashboard"
	"shebao/internal/db"
	"shebao/internal/jobs"
	"shebao/internal/payroll"
	"shebao/internal/protection"
	"shebao/internal/recovery"
	"shebao/internal/sampling"
)

// openOversight builds the services of 审计科 and 办公室: the emergency
// recovery register, the dashboards and the audit sampling (after the
// complaints, which they read and hand fraud follow-ups to).
func (a *App) openOversight() {
	a.Recovery = recovery.NewService(a.DB, a.Clock, a.Audit, a.Policy, a.Notify)
	a.Recovery.AddSource(recovery.Source{Kind: recovery.KindCertification, Harvest: a.missedCertifications})
	a.Dashboard = dashboard.NewService(a.DB, a.Clock, a.Audit, dashboard.Sources{
		Fund:       a.dashboardFund,
		Payroll:    a.dashboardPayroll,
		Recovery:   a.dashboardRecovery,
		Complaints: a.dashboardComplaints,
	})
	a.Sampling = sampling.NewService(a.DB, a.Clock, a.Audit, a.samplingFraud)
	a.Protection = protection.NewService(a.DB, a.Clock, a.Audit, a.Accounts, a.Notify, a.Cfg.HealthRetentionDays)
}

// oversightJobs adds the scheduled jobs of the oversight services.
func (a *App) oversightJobs(r *jobs.Runner) {
	r.Add(jobs.Job{Name: "recovery.daily", Schedule: jobs.Daily(6, 30), Run: a.recoveryDaily})
	r.Add(jobs.Job{Name: "dashboard.refresh", Schedule: jobs.Hourly(40), Run: a.dashboardRefresh})
	r.Add(jobs.Job{Name: "health.purge", Schedule: jobs.Daily(4, 10), Run: a.purgeHealthData})
	r.Add(jobs.Job{Name: "complaints.keys_purge", Schedule: jobs.Daily(4, 20), Run: a.purgeComplaintKeys})
}

// purgeComplaintKeys deletes the idempotency keys of API complaint
// filings older than complaint.KeyKept.
func (a *App) purgeComplaintKeys(ctx context.Context) (string, error) {
	n, err := a.Complaints.PurgeKeys(ctx)
	return fmt.Sprintf("complaint filing keys: %d deleted", n), err
}

// purgeHealthData deletes the staff check-ins and the counter screenings
// older than the retention (docs/rules.md "Staff and hall protection").
func (a *App) purgeHealthData(ctx context.Context) (string, error) {
	n, err := a.Protection.Purge(ctx)
	if err != nil {
		return "", err
	}
	m, err := a.Appointments.PurgeScreenings(ctx, a.Protection.Cutoff(a.Clock.Now()))
	return fmt.Sprintf("health data: %d check-ins and %d screenings deleted", n, m), err
}

// recoveryDaily harvests the recovery register, hands over what is
// overdue, sends the reminders due and records the day's progress.
func (a *App) recoveryDaily(ctx context.Context) (string, error) {
	r, err := a.Recovery.Daily(ctx)
	return fmt.Sprintf("recovery: %d added, %d made up, %d handed over, %d reminders, %d snapshots",
		r.Added, r.MadeUp, r.HandedOver, r.Reminded, r.Snapshots), err
}

// missedCertifications gives the recovery register the pensioners'
// eligibility certifications that fell due during the emergency, read
// from the retirement line's service; one is made up once certified.
func (a *App) missedCertifications(ctx context.Context, q db.Querier, w recovery.Window) ([]recovery.Candidate, error) {
	from, err := clock.ParseDate(w.Start)
	if err != nil {
		return nil, err
	}
	last := w.End // a certification not yet due is not missed
	if w.Today <= last {
		t, err := clock.ParseDate(w.Today)
		if err != nil {
			return nil, err
		}
		last = t.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	to, err := clock.ParseDate(last)
	if err != nil {
		return nil, err
	}
	due, err := a.Retirement.CertificationsDue(ctx, q, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]recovery.Candidate, 0, len(due))
	for _, d := range due {
		day := d.Due.Format(time.DateOnly)
		out = append(out, recovery.Candidate{Kind: recovery.KindCertification, SourceRef: fmt.Sprintf("%d/%s", d.PersonID, day),
			Section: access.Welfare, PartyKind: "person", PartyID: d.PersonID, Subject: d.Name, Person: true,
			Ref: "资格认证" + day, Detail: "应于 " + day + " 完成待遇领取资格认证，应急期间暂缓认证、待遇照发",
			OpenedOn: day, Done: d.Done})
	}
	return out, nil
}

// dashboardRefresh recomputes the dashboards' snapshot.
func (a *App) dashboardRefresh(ctx context.Context) (string, error) {
	sn, err := a.Dashboard.Refresh(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("dashboard refreshed in %d ms", sn.TookMS), nil
}

// The dashboards read the owners' reports as the system: who may see them
// is decided by the dashboard service itself.
func (a *App) dashboardFund(ctx context.Context, m clock.Month, n int) ([]dashboard.FundRow, error) {
	rep, err := a.Payouts.FundReport(ctx, access.System, m, n)
	if err != nil {
		return nil, err
	}
	out := make([]dashboard.FundRow, 0, len(rep.Rows))
	for _, r := range rep.Rows {
		out = append(out, dashboard.FundRow{Month: r.Month, Scheme: r.Scheme, Income: r.Income, Expense: r.Expense})
	}
	return out, nil
}

func (a *App) dashboardPayroll(ctx context.Context, n int) ([]dashboard.PayrollRow, error) {
	runs, err := a.Payroll.Runs(ctx, access.System, n)
	if err != nil {
		return nil, err
	}
	var out []dashboard.PayrollRow
	for _, r := range runs {
		if r.Status == payroll.RunDone {
			out = append(out, dashboard.PayrollRow{Month: r.Month, People: r.Total, Total: r.TotalFen})
		}
	}
	slices.SortFunc(out, func(x, y dashboard.PayrollRow) int { return cmpString(x.Month, y.Month) })
	return out, nil
}

func cmpString(x, y string) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func (a *App) dashboardRecovery(ctx context.Context, x access.Section) (int, int, int, error) {
	c, err := a.Recovery.Summary(ctx, access.System, recovery.Filter{Section: x})
	return c.Open, c.MadeUp, c.Overdue, err
}

// dashboardComplaints counts the complaints filed in the last twelve months
// by category and status, in Chinese, for the agency dashboard.
func (a *App) dashboardComplaints(ctx context.Context) ([]dashboard.ComplaintRow, error) {
	now := a.Clock.Now()
	counts, err := a.Complaints.Counts(ctx, nil, now.AddDate(-1, 0, 0), now.Add(time.Second))
	if err != nil {
		return nil, err
	}
	out := make([]dashboard.ComplaintRow, 0, len(counts))
	for _, c := range counts {
		out = append(out, dashboard.ComplaintRow{Category: c.CategoryName(), Status: c.StatusName(), Count: c.N})
	}
	return out, nil
}

// samplingFraud hands a false commitment found by an audit sample to
// 审计科 as a fraud report linked to the sampled case, in the check's
// transaction.
func (a *App) samplingFraud(ctx context.Context, tx *sql.Tx, actor *access.Actor, caseNo, finding string) error {
	_, err := a.Complaints.OpenFraudFollowUpTx(ctx, tx, actor, complaint.FollowUp{
		Subject:   "稽核抽查发现告知承诺不实（" + caseNo + "）",
		Body:      "审计科稽核抽查业务 " + caseNo + " 时发现申请人的告知承诺不实，转入欺诈骗保线索核查。发现的问题：" + finding,
		CaseNo:    caseNo,
		SourceRef: "稽核抽查 " + caseNo,
	})
	return err
}
