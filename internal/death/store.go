package death

import (
	"context"
	"database/sql"
	"fmt"

	"shebao/internal/clock"
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
	out, err := db.Collect(ctx, q, scanDeath, `SELECT `+deathColumns+` FROM deaths d JOIN persons p ON p.id = d.person_id WHERE `+where+
		` ORDER BY d.reported_at DESC, d.id DESC LIMIT `+itoa(limit), args...)
	return out, errs.Wrap(err, "deaths")
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
	out, err := db.Collect(ctx, q, db.Fields(func(h *Heir) []any { return []any{&h.Name, &h.IDNumber, &h.Relationship} }), `SELECT name, id_number, relationship FROM death_heirs WHERE death_id = $1 ORDER BY id`, deathID)
	return out, errs.Wrap(err, "heirs")
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

const reportColumns = `r.id, r.no, r.reporter_user_id, r.reporter_name, r.reporter_id_no, r.relationship, r.phone, r.person_id,
	p.name, p.id_number, p.kind, r.death_date, r.certificate_no, r.scan_doc_id, r.status, r.reason, COALESCE(r.death_id, 0),
	r.decided_by, r.decided_at, r.created_at, r.version`

func scanReport(row interface{ Scan(...any) error }) (*RelativeReport, error) {
	var r RelativeReport
	var decided sql.NullTime
	err := row.Scan(&r.ID, &r.No, &r.ReporterUserID, &r.ReporterName, &r.ReporterIDNo, &r.Relationship, &r.Phone, &r.PersonID,
		&r.PersonName, &r.PersonIDNo, &r.PersonKind, &r.DeathDate, &r.CertificateNo, &r.ScanDocID, &r.Status, &r.Reason, &r.DeathID,
		&r.DecidedBy, &decided, &r.CreatedAt, &r.Version)
	if decided.Valid {
		r.DecidedAt = &decided.Time
	}
	return &r, err
}

func reportByNo(ctx context.Context, q db.Querier, no string) (*RelativeReport, error) {
	r, err := scanReport(q.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM death_reports r JOIN persons p ON p.id = r.person_id
		WHERE r.no = $1`, no))
	if db.IsNoRows(err) {
		return nil, errs.New(errs.NotFound, "report_not_found", "未找到该死亡申报")
	}
	return r, errs.Wrap(err, "death report")
}

func reportsWhere(ctx context.Context, q db.Querier, where string, limit int, args ...any) ([]*RelativeReport, error) {
	out, err := db.Collect(ctx, q, scanReport, `SELECT `+reportColumns+` FROM death_reports r JOIN persons p ON p.id = r.person_id WHERE `+where+
		` ORDER BY r.created_at, r.id LIMIT `+itoa(limit), args...)
	return out, errs.Wrap(err, "death reports")
}

// insertReport numbers the report SB<day>-NNNN and stores it; a report of
// the same person still under review is a Conflict.
func insertReport(ctx context.Context, tx *sql.Tx, r *RelativeReport) error {
	day := r.CreatedAt.In(clock.Shanghai).Format("20060102")
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM death_reports WHERE no LIKE $1`, "SB"+day+"-%").Scan(&n); err != nil {
		return errs.Wrap(err, "death report no")
	}
	r.No = fmt.Sprintf("SB%s-%04d", day, n+1)
	err := tx.QueryRowContext(ctx, `INSERT INTO death_reports (no, reporter_user_id, reporter_name, reporter_id_no, relationship, phone,
		person_id, death_date, certificate_no, scan_doc_id, status, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
		r.No, r.ReporterUserID, r.ReporterName, r.ReporterIDNo, r.Relationship, r.Phone, r.PersonID, r.DeathDate, r.CertificateNo,
		r.ScanDocID, r.Status, r.CreatedAt).Scan(&r.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "report_open", "该逝者已有待审核的死亡申报，请等待保险福利科审核")
	}
	r.Version = 1
	return errs.Wrap(err, "insert death report")
}

func updateReport(ctx context.Context, tx *sql.Tx, r *RelativeReport) error {
	var deathID any
	if r.DeathID != 0 {
		deathID = r.DeathID
	}
	res, err := tx.ExecContext(ctx, `UPDATE death_reports SET status = $2, reason = $3, death_id = $4, decided_by = $5, decided_at = $6,
		version = version + 1 WHERE id = $1 AND version = $7`, r.ID, r.Status, r.Reason, deathID, r.DecidedBy, *r.DecidedAt, r.Version)
	if err != nil {
		return errs.Wrap(err, "update death report")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	r.Version++
	return nil
}
