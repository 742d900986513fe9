package app

import (
	"context"
	"database/sql"
	"fmt"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/death"
	"shebao/internal/errs"
	"shebao/internal/payroll"
	"shebao/internal/person"
	"shebao/internal/retirement"
)

// retirementPayroll enrols decided pensions into the payroll; a
// correction changes the amount from the first pension month.
type retirementPayroll struct{ p *payroll.Service }

func (r retirementPayroll) Enrol(ctx context.Context, tx *sql.Tx, a *access.Actor, e retirement.Enrolment) error {
	if !a.In(access.Welfare) { // 个体参保科 decides the self-employed's pension
		a = access.System
	}
	if e.Correction {
		_, err := r.p.ChangeAmountTx(ctx, tx, a, e.PersonID, payroll.Change{Monthly: e.Monthly, From: e.FirstMonth,
			Basis: "待遇核定更正 " + e.Key, SourceKind: "pension_determination", SourceID: e.Key})
		return err
	}
	pr, err := person.Load(ctx, tx, e.PersonID)
	if err != nil {
		return err
	}
	_, err = r.p.EnrolTx(ctx, tx, a, payroll.Enrolment{PersonID: e.PersonID, Name: pr.Name, IDNumber: pr.IDNumber, Monthly: e.Monthly,
		FirstMonth: e.FirstMonth, Basis: "养老金待遇核定 " + e.Key, SourceKind: "pension_determination", SourceID: e.Key})
	return err
}

// deathPayroll stops a pension after the month of death as 保险福利科 (the
// register's push comes from an API client).
type deathPayroll struct{ p *payroll.Service }

func (d deathPayroll) StopDeathTx(ctx context.Context, tx *sql.Tx, personID int64, last clock.Month, reason string) (death.Stop, error) {
	res, err := d.p.StopTx(ctx, tx, access.System, personID, payroll.Stop{Last: last, Kind: payroll.StopDeath, Reason: reason})
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return death.Stop{}, nil
		}
		return death.Stop{}, fmt.Errorf("stop pension: %w", err)
	}
	return death.Stop{Overpaid: res.Overpaid, Months: len(res.Months)}, nil
}

// SuspendTx suspends a pension after month last for a missed eligibility
// certification.
func (r retirementPayroll) SuspendTx(ctx context.Context, tx *sql.Tx, personID int64, last clock.Month, reason string) error {
	_, err := r.p.StopTx(ctx, tx, access.System, personID, payroll.Stop{Last: last, Kind: payroll.StopSuspension, Reason: reason})
	return err
}

// ResumeTx puts a pension suspended for a missed certification back into pay.
func (r retirementPayroll) ResumeTx(ctx context.Context, tx *sql.Tx, personID int64, reason string) error {
	_, err := r.p.ResumeTx(ctx, tx, access.System, personID, reason)
	return err
}
