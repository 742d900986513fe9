package staffchange

import (
	"context"
	"encoding/json"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

const importCols = `id, file_name, file_sha256, status, rows_total, rows_added, rows_removed, created_at`

func scanImport(row interface{ Scan(...any) error }, withReport bool) (*ImportReport, error) {
	var r ImportReport
	dest := []any{&r.ID, &r.FileName, &r.SHA256, &r.Status, &r.Rows, &r.Added, &r.Removed, &r.CreatedAt}
	var body string
	if withReport {
		dest = append(dest, &body)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if withReport {
		var v struct {
			Problems []Problem `json:"problems"`
			Notes    []Problem `json:"notes"`
		}
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			return nil, errs.Wrap(err, "read import report")
		}
		r.Problems, r.Notes = v.Problems, v.Notes
	}
	return &r, nil
}

// ImportReportOf returns one of the employer's imports with its report.
// Errors: Unauthenticated, Forbidden, NotFound (another employer's).
func (s *Service) ImportReportOf(ctx context.Context, a *access.Actor, employerID, importID int64) (*ImportReport, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	r, err := scanImport(s.db.Read().QueryRowContext(ctx, `SELECT `+importCols+`, report FROM staff_imports
		WHERE id = $1 AND employer_id = $2`, importID, employerID), true)
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该导入记录")
	}
	return r, errs.Wrap(err, "load import")
}

// Imports lists the employer's latest imports (without their reports).
// Errors: Unauthenticated, Forbidden.
func (s *Service) Imports(ctx context.Context, a *access.Actor, employerID int64) ([]ImportReport, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+importCols+` FROM staff_imports WHERE employer_id = $1
		ORDER BY id DESC LIMIT 20`, employerID)
	if err != nil {
		return nil, errs.Wrap(err, "list imports")
	}
	defer rows.Close()
	var out []ImportReport
	for rows.Next() {
		r, err := scanImport(rows, false)
		if err != nil {
			return nil, errs.Wrap(err, "scan import")
		}
		out = append(out, *r)
	}
	return out, errs.Wrap(rows.Err(), "list imports")
}
