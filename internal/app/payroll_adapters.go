package app

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

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

// StopDeathsTx stops many pensions at once (a civil-affairs file), each
// after its month of death; persons not in pay are left out.
func (d deathPayroll) StopDeathsTx(ctx context.Context, tx *sql.Tx, lasts map[int64]clock.Month, reason string) (map[int64]death.Stop, error) {
	items := make([]payroll.StopItem, 0, len(lasts))
	for id, m := range lasts {
		items = append(items, payroll.StopItem{PersonID: id, Last: m})
	}
	slices.SortFunc(items, func(a, b payroll.StopItem) int { return cmp.Compare(a.PersonID, b.PersonID) })
	res, err := d.p.StopManyTx(ctx, tx, access.System, payroll.StopDeath, reason, items)
	if err != nil {
		return nil, fmt.Errorf("stop pensions: %w", err)
	}
	out := make(map[int64]death.Stop, len(res))
	for id, r := range res {
		out[id] = death.Stop{Overpaid: r.Overpaid, Months: len(r.Months)}
	}
	return out, nil
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
