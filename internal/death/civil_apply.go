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

// applyMatched records the deaths of the records match applied, as
// recordTx does for each one, set-based: the deaths read with their
// persons in one statement, the retirees' pensions stopped in one payroll
// batch, every death (with its overpayment and reporting deadline) written
// in bulk with one audit record each, every person marked deceased in one
// statement.
func (s *Service) applyMatched(ctx context.Context, tx *sql.Tx, a *access.Actor, importID int64) error {
	ds, err := s.matchedDeaths(ctx, tx, importID)
	if err != nil {
		return err
	}
	s.phaseDone("read matched")
	if err := s.stopPensions(ctx, tx, ds); err != nil {
		return err
	}
	s.phaseDone("stop pensions")
	if err := insertDeaths(ctx, tx, s.db.Dialect, ds, actorID(a)); err != nil {
		return err
	}
	s.phaseDone("insert deaths")
	if _, err := person.MarkDeceasedWhere(ctx, tx, s.now(), `SELECT c.person_id FROM civil_records c
		WHERE c.import_id = $1 AND c.status = 'applied' AND c.reason = ''`, importID); err != nil {
		return err
	}
	s.phaseDone("mark deceased")
	err = s.audit.RecordMany(ctx, tx, a, deathEntries(ds))
	s.phaseDone("death audit")
	return err
}

// matchedDeaths reads the deaths to record of the records match applied,
// in file order, each with its reporting deadline; a date before birth or
// a person already deceased fails the whole batch as recordTx would.
func (s *Service) matchedDeaths(ctx context.Context, tx *sql.Tx, importID int64) ([]*Death, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.name, p.id_number, p.birth_date, p.status, p.kind, c.death_date, c.cert_no
		`+toApply+` ORDER BY c.id`, importID)
	if err != nil {
		return nil, errs.Wrap(err, "civil deaths")
	}
	defer rows.Close()
	now := s.now()
	dues := map[string]*Death{}
	var out []*Death
	for rows.Next() {
		d := &Death{DateConfirmed: true, Source: SourceCivil, ReportedAt: now, Recovery: "none", Version: 1}
		var birth, status string
		if err := rows.Scan(&d.PersonID, &d.PersonName, &d.IDNumber, &birth, &status, &d.KindAtDeath, &d.Date, &d.CertificateNo); err != nil {
			return nil, errs.Wrap(err, "civil deaths")
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
	return out, errs.Wrap(rows.Err(), "civil deaths")
}

// stopPensions stops the pensions of the retirees among the deaths ds
// after each month of death in one payroll batch and keeps each
// overpayment; without a payroll each is computed from the decided pension
// (stopPension).
func (s *Service) stopPensions(ctx context.Context, tx *sql.Tx, all []*Death) error {
	var ds []*Death
	for _, d := range all {
		if d.KindAtDeath == string(person.Retiree) {
			ds = append(ds, d)
		}
	}
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

// insertDeaths writes ds in bulk with ids reserved first (so PostgreSQL
// copies them) and sets their ids.
func insertDeaths(ctx context.Context, tx *sql.Tx, dialect db.Dialect, ds []*Death, by int64) error {
	if len(ds) == 0 {
		return nil
	}
	ids, err := db.NextIDs(ctx, tx, dialect, "deaths", len(ds))
	if err != nil {
		return err
	}
	for i, d := range ds {
		d.ID = ids[i]
	}
	err = db.BulkInsert(ctx, tx, dialect, db.Insert{Table: "deaths",
		Columns: []db.Column{{Name: "id", Type: db.BigInt}, {Name: "person_id", Type: db.BigInt}, {Name: "death_date", Type: db.Text},
			{Name: "date_confirmed", Type: db.Boolean}, {Name: "source", Type: db.Text}, {Name: "certificate_no", Type: db.Text},
			{Name: "kind_at_death", Type: db.Text}, {Name: "report_due", Type: db.Text}, {Name: "reported_late", Type: db.Boolean},
			{Name: "overpaid_fen", Type: db.BigInt}, {Name: "overpaid_months", Type: db.BigInt}, {Name: "recovery", Type: db.Text},
			{Name: "reported_by", Type: db.BigInt}, {Name: "reported_at", Type: db.Timestamp}},
		Rows: len(ds),
		Row: func(i int) []any {
			d := ds[i]
			return []any{d.ID, d.PersonID, d.Date, d.DateConfirmed, d.Source, d.CertificateNo, d.KindAtDeath, d.ReportDue, d.ReportedLate,
				d.Overpaid, d.OverpaidMonths, d.Recovery, by, d.ReportedAt}
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
			After: map[string]any{"id_number": d.IDMasked(), "date": d.Date, "source": d.Source, "overpaid_fen": int64(d.Overpaid), "late": d.ReportedLate}}
	}
	return out
}
