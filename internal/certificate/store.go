package certificate

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

const cols = `id, code, subject_kind, COALESCE(person_id, 0), COALESCE(employer_id, 0), subject_name, subject_number,
	period_from, period_to, issuer, content, sealed, issued_at, status, revoked_at, revoke_reason, version`

func scan(row interface{ Scan(...any) error }) (*Certificate, error) {
	var c Certificate
	var content string
	var revoked sql.NullTime
	err := row.Scan(&c.ID, &c.Code, &c.SubjectKind, &c.PersonID, &c.EmployerID, &c.SubjectName, &c.SubjectNumber,
		&c.PeriodFrom, &c.PeriodTo, &c.Issuer, &content, &c.Sealed, &c.IssuedAt, &c.Status, &revoked,
		&c.RevokeReason, &c.Version)
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该证明")
	}
	if err != nil {
		return nil, errs.Wrap(err, "scan certificate")
	}
	if err := json.Unmarshal([]byte(content), &c.Content); err != nil {
		return nil, errs.Wrap(err, "certificate content")
	}
	c.IssuedAt = c.IssuedAt.UTC()
	if revoked.Valid {
		t := revoked.Time.UTC()
		c.RevokedAt = &t
	}
	return &c, nil
}

func byID(ctx context.Context, q db.Querier, id int64) (*Certificate, error) {
	return scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM certificates WHERE id = $1`, id))
}

func byCode(ctx context.Context, q db.Querier, code string) (*Certificate, error) {
	return scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM certificates WHERE code = $1`, code))
}

func list(ctx context.Context, q db.Querier, where string, arg int64) ([]Certificate, error) {
	var out []Certificate
	err := db.Each(ctx, q, func(r db.Scanner) error {
		c, err := scan(r)
		if err != nil {
			return err
		}
		out = append(out, *c)
		return nil
	}, `SELECT `+cols+` FROM certificates WHERE `+where+` = $1 ORDER BY issued_at DESC, id DESC LIMIT 200`, arg)
	return out, errs.Wrap(err, "list certificates")
}

func insert(ctx context.Context, tx *sql.Tx, c *Certificate, issuedBy int64) error {
	content, err := json.Marshal(c.Content)
	if err != nil {
		return errs.Wrap(err, "certificate content")
	}
	return errs.Wrap(tx.QueryRowContext(ctx, `INSERT INTO certificates (code, subject_kind, person_id, employer_id,
		subject_name, subject_number, period_from, period_to, issuer, content, sealed, issued_at, issued_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		c.Code, c.SubjectKind, nullID(c.PersonID), nullID(c.EmployerID), c.SubjectName, c.SubjectNumber,
		c.PeriodFrom, c.PeriodTo, c.Issuer, string(content), c.Sealed, c.IssuedAt, nullID(issuedBy)).Scan(&c.ID),
		"insert certificate")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func revoke(ctx context.Context, tx *sql.Tx, id, version, by int64, reason string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE certificates SET status = 'revoked', revoked_at = $1, revoked_by = $2,
		revoke_reason = $3, version = version + 1 WHERE id = $4 AND version = $5 AND status = 'valid'`,
		now, nullID(by), reason, id, version)
	if err != nil {
		return errs.Wrap(err, "revoke certificate")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.StaleVersion()
	}
	return nil
}

// hit counts one check by client in the window and returns the count.
// The client's counters of earlier windows are dropped.
func hit(ctx context.Context, q db.Querier, client string, window int64) (int64, error) {
	if _, err := q.ExecContext(ctx, `DELETE FROM certificate_checks WHERE client = $1 AND window_start < $2`,
		client, window); err != nil {
		return 0, errs.Wrap(err, "prune certificate checks")
	}
	var n int64
	err := q.QueryRowContext(ctx, `INSERT INTO certificate_checks (client, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (client, window_start) DO UPDATE SET hits = certificate_checks.hits + 1 RETURNING hits`,
		client, window).Scan(&n)
	return n, errs.Wrap(err, "count certificate check")
}
