package death

import (
	"context"
	"database/sql"
	"fmt"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/person"
)

// applyMatched records the deaths of the records match applied,
// set-based: the retirees' pensions stopped in one payroll batch and their
// deaths (with overpayment and reporting deadline) written in bulk with one
// audit record each, the others' deaths in one statement, every person
// marked deceased in one statement.
func (s *Service) applyMatched(ctx context.Context, tx *sql.Tx, a *access.Actor, importID int64) error {
	ds, err := s.matchedRetirees(ctx, tx, importID)
	if err != nil {
		return err
	}
	if err := s.stopPensions(ctx, tx, ds); err != nil {
		return err
	}
	if err := insertDeaths(ctx, tx, s.db.Dialect, ds, actorID(a)); err != nil {
		return err
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO deaths (person_id, death_date, date_confirmed, source, certificate_no, kind_at_death,
		reported_by, reported_at) SELECT p.id, c.death_date, $2, 'civil', c.cert_no, p.kind, $3, $4 `+toApply+` AND p.kind <> 'retiree'`,
		importID, true, actorID(a), now); err != nil {
		return errs.Wrap(err, "civil deaths")
	}
	if _, err := person.MarkDeceasedWhere(ctx, tx, now, `SELECT c.person_id FROM civil_records c
		WHERE c.import_id = $1 AND c.status = 'applied' AND c.reason = ''`, importID); err != nil {
		return err
	}
	return s.audit.RecordMany(ctx, tx, a, deathEntries(ds))
}

// matchedRetirees reads the retirees among the records to apply as deaths
// to record, each with its reporting deadline; a date before birth or a
// person already deceased fails the whole batch as recordTx would.
func (s *Service) matchedRetirees(ctx context.Context, tx *sql.Tx, importID int64) ([]*Death, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.name, p.id_number, p.birth_date, p.status, c.death_date, c.cert_no
		`+toApply+` AND p.kind = 'retiree' ORDER BY c.id`, importID)
	if err != nil {
		return nil, errs.Wrap(err, "civil retirees")
	}
	defer rows.Close()
	now := s.now()
	dues := map[string]*Death{}
	var out []*Death
	for rows.Next() {
		d := &Death{DateConfirmed: true, Source: SourceCivil, KindAtDeath: string(person.Retiree), ReportedAt: now, Recovery: "none", Version: 1}
		var birth, status string
		if err := rows.Scan(&d.PersonID, &d.PersonName, &d.IDNumber, &birth, &status, &d.Date, &d.CertificateNo); err != nil {
			return nil, errs.Wrap(err, "civil retirees")
		}
		if status == string(person.Deceased) {
			return nil, errs.New(errs.Conflict, "already_deceased", "该人员已登记死亡，不能重复登记")
		}
		if d.Date < birth {
			return nil, fieldErr("date", "死亡日期不能早于出生日期")
		}
		if due, ok := dues[d.Date]; ok {
			d.ReportDue = due.ReportDue
			d.ReportedLate = due.ReportedLate
		} else {
			date, _ := clock.ParseDate(d.Date)
			s.reportDue(ctx, d, date)
			dues[d.Date] = d
		}
		out = append(out, d)
	}
	return out, errs.Wrap(rows.Err(), "civil retirees")
}

// stopPensions stops the pensions of the deaths ds after each month of
// death in one payroll batch and keeps each overpayment; without a payroll
// each is computed from the decided pension (stopPension).
func (s *Service) stopPensions(ctx context.Context, tx *sql.Tx, ds []*Death) error {
	if s.payroll == nil {
		for _, d := range ds {
			date, _ := clock.ParseDate(d.Date)
			if err := s.stopPension(ctx, tx, d, date); err != nil {
				return err
			}
		}
		return nil
	}
	if len(ds) == 0 {
		return nil
	}
	lasts := make(map[int64]clock.Month, len(ds))
	for _, d := range ds {
		date, _ := clock.ParseDate(d.Date)
		lasts[d.PersonID] = clock.MonthOf(date)
	}
	stops, err := s.payroll.StopDeathsTx(ctx, tx, lasts, "死亡")
	if err != nil {
		return err
	}
	for _, d := range ds {
		st := stops[d.PersonID]
		d.Overpaid, d.OverpaidMonths = st.Overpaid, st.Months
		if d.Overpaid > 0 {
			d.Recovery = "open"
		}
	}
	return nil
}

// insertDeaths writes ds in bulk and sets their ids.
func insertDeaths(ctx context.Context, tx *sql.Tx, dialect db.Dialect, ds []*Death, by int64) error {
	byPerson := make(map[int64]*Death, len(ds))
	for _, d := range ds {
		byPerson[d.PersonID] = d
	}
	err := db.BulkInsert(ctx, tx, dialect, db.Insert{Table: "deaths",
		Columns: []db.Column{{Name: "person_id", Type: db.BigInt}, {Name: "death_date", Type: db.Text},
			{Name: "date_confirmed", Type: db.Boolean}, {Name: "source", Type: db.Text}, {Name: "certificate_no", Type: db.Text},
			{Name: "kind_at_death", Type: db.Text}, {Name: "report_due", Type: db.Text}, {Name: "reported_late", Type: db.Boolean},
			{Name: "overpaid_fen", Type: db.BigInt}, {Name: "overpaid_months", Type: db.BigInt}, {Name: "recovery", Type: db.Text},
			{Name: "reported_by", Type: db.BigInt}, {Name: "reported_at", Type: db.Timestamp}},
		Rows: len(ds),
		Row: func(i int) []any {
			d := ds[i]
			return []any{d.PersonID, d.Date, d.DateConfirmed, d.Source, d.CertificateNo, d.KindAtDeath, d.ReportDue, d.ReportedLate,
				d.Overpaid, d.OverpaidMonths, d.Recovery, by, d.ReportedAt}
		},
		Returning: "id, person_id",
		Scan: func(rows *sql.Rows) error {
			var id, pid int64
			if err := rows.Scan(&id, &pid); err != nil {
				return err
			}
			if d := byPerson[pid]; d != nil {
				d.ID = id
			}
			return nil
		}})
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "already_deceased", "该人员已登记死亡，不能重复登记")
	}
	return errs.Wrap(err, "insert deaths")
}

// deathEntries are recordTx's audit records of the deaths ds.
func deathEntries(ds []*Death) []audit.Entry {
	out := make([]audit.Entry, len(ds))
	for i, d := range ds {
		out[i] = audit.Entry{Action: "death.record", Entity: "death", EntityID: fmt.Sprint(d.ID),
			After: map[string]any{"id_number": d.IDMasked(), "date": d.Date, "source": d.Source, "overpaid_fen": d.Overpaid, "late": d.ReportedLate}}
	}
	return out
}
