package death

import (
	"context"
	"database/sql"

	"shebao/internal/db"
	"shebao/internal/errs"
)

const deathColumns = `d.id, d.person_id, p.name, p.id_number, d.death_date, d.date_confirmed, d.source, d.certificate_no,
	d.kind_at_death, d.report_due, d.reported_late, d.overpaid_fen, d.overpaid_months, d.offset_fen, d.recovered_fen,
	d.recovery, d.notices, d.reported_at, d.version`

func scanDeath(r interface{ Scan(...any) error }) (*Death, error) {
	var d Death
	err := r.Scan(&d.ID, &d.PersonID, &d.PersonName, &d.IDNumber, &d.Date, &d.DateConfirmed, &d.Source, &d.CertificateNo,
		&d.KindAtDeath, &d.ReportDue, &d.ReportedLate, &d.Overpaid, &d.OverpaidMonths, &d.Offset, &d.Recovered,
		&d.Recovery, &d.Notices, &d.ReportedAt, &d.Version)
	return &d, err
}

func deathByID(ctx context.Context, q db.Querier, id int64) (*Death, error) {
	d, err := scanDeath(q.QueryRowContext(ctx, `SELECT `+deathColumns+` FROM deaths d JOIN persons p ON p.id = d.person_id WHERE d.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.New(errs.NotFound, "death_not_found", "未找到该死亡登记")
	}
	return d, errs.Wrap(err, "death")
}

func deathsWhere(ctx context.Context, q db.Querier, where string, limit int, args ...any) ([]*Death, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+deathColumns+` FROM deaths d JOIN persons p ON p.id = d.person_id WHERE `+where+
		` ORDER BY d.reported_at DESC, d.id DESC LIMIT `+itoa(limit), args...)
	if err != nil {
		return nil, errs.Wrap(err, "deaths")
	}
	defer rows.Close()
	var out []*Death
	for rows.Next() {
		d, err := scanDeath(rows)
		if err != nil {
			return nil, errs.Wrap(err, "deaths")
		}
		out = append(out, d)
	}
	return out, errs.Wrap(rows.Err(), "deaths")
}

func insertDeath(ctx context.Context, tx *sql.Tx, d *Death, by int64) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO deaths (person_id, death_date, date_confirmed, source, certificate_no, kind_at_death,
		report_due, reported_late, overpaid_fen, overpaid_months, recovery, reported_by, reported_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id`, d.PersonID, d.Date, d.DateConfirmed, d.Source,
		d.CertificateNo, d.KindAtDeath, d.ReportDue, d.ReportedLate, d.Overpaid, d.OverpaidMonths, d.Recovery, by, d.ReportedAt).Scan(&d.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "already_deceased", "该人员已登记死亡，不能重复登记")
	}
	return errs.Wrap(err, "insert death")
}

func insertHeirs(ctx context.Context, tx *sql.Tx, deathID int64, hs []Heir) error {
	for _, h := range hs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO death_heirs (death_id, name, id_number, relationship) VALUES ($1,$2,$3,$4)
			ON CONFLICT (death_id, id_number) DO NOTHING`, deathID, h.Name, h.IDNumber, h.Relationship); err != nil {
			return errs.Wrap(err, "heirs")
		}
	}
	return nil
}

func heirsOf(ctx context.Context, q db.Querier, deathID int64) ([]Heir, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, id_number, relationship FROM death_heirs WHERE death_id = $1 ORDER BY id`, deathID)
	if err != nil {
		return nil, errs.Wrap(err, "heirs")
	}
	defer rows.Close()
	var out []Heir
	for rows.Next() {
		var h Heir
		if err := rows.Scan(&h.Name, &h.IDNumber, &h.Relationship); err != nil {
			return nil, errs.Wrap(err, "heirs")
		}
		out = append(out, h)
	}
	return out, errs.Wrap(rows.Err(), "heirs")
}

func itoa(n int) string {
	b := []byte{}
	if n == 0 {
		return "0"
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
