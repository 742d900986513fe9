package policy

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

const ruleColumns = `id, key, scope, effective_from, effective_to, value, unit, legal_basis, note, created_by, created_at, version`

// setPeriod sets From/To from stored text.
func (r *Rule) setPeriod(from string, to *string) {
	r.from, r.From = from, dayTime(from)
	r.to, r.To = "", nil
	if to != nil && *to != "" {
		r.to, r.To = *to, dayPtr(to)
	}
}

// queryRules reads rules with a WHERE/ORDER tail and its arguments.
func queryRules(ctx context.Context, q db.Querier, tail string, args ...any) ([]Rule, error) {
	var out []Rule
	err := db.Each(ctx, q, func(row db.Scanner) error {
		var r Rule
		var from string
		var to sql.NullString
		var unit string
		if err := row.Scan(&r.ID, &r.Key, &r.Scope, &from, &to, &r.Value, &unit, &r.LegalBasis, &r.Note, &r.CreatedBy, &r.CreatedAt, &r.Version); err != nil {
			return errs.Wrap(err, "scan rule")
		}
		r.Unit = Unit(unit)
		var tp *string
		if to.Valid {
			tp = &to.String
		}
		r.setPeriod(from, tp)
		out = append(out, r)
		return nil
	}, `SELECT `+ruleColumns+` FROM rule_values `+tail, args...)
	return out, errs.Wrap(err, "query rules")
}

func nullDay(t *time.Time) any {
	if t == nil {
		return nil
	}
	return dayKey(*t)
}

// insertRule stores r and sets its ID and Version.
func insertRule(ctx context.Context, tx *sql.Tx, r *Rule) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO rule_values (key, scope, effective_from, effective_to, value, unit, legal_basis, note, created_by, created_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id`,
		r.Key, r.Scope, r.FromDay(), nullDay(r.To), r.Value, string(r.Unit), r.LegalBasis, r.Note, r.CreatedBy, r.CreatedAt.UTC(),
	).Scan(&r.ID)
	if err != nil {
		if db.IsUniqueViolation(err) {
			return errs.New(errs.Conflict, "rule_overlap", "同一参数、同一范围在该日期已有取值，请刷新后重试")
		}
		return errs.Wrap(err, "insert rule")
	}
	r.Version = 1
	return nil
}

// updateRule writes r's period end, value, basis and note if the row is
// still at version; it bumps r.Version.
func updateRule(ctx context.Context, tx *sql.Tx, r *Rule, version int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE rule_values SET effective_to = $1, value = $2, unit = $3, legal_basis = $4, note = $5, version = version + 1
		WHERE id = $6 AND version = $7`,
		nullDay(r.To), r.Value, string(r.Unit), r.LegalBasis, r.Note, r.ID, version)
	if err != nil {
		return errs.Wrap(err, "update rule")
	}
	if n, err := res.RowsAffected(); err != nil {
		return errs.Wrap(err, "update rule")
	} else if n == 0 {
		return errs.StaleVersion()
	}
	r.Version = version + 1
	return nil
}

// rulesOf returns the periods of one key and scope, oldest first.
func rulesOf(ctx context.Context, q db.Querier, key, scope string) ([]Rule, error) {
	return queryRules(ctx, q, `WHERE key = $1 AND scope = $2 ORDER BY effective_from`, key, scope)
}
