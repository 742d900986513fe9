package retirement

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// DemoCertification is a certification a demo pensioner made before the
// demo district's today.
type DemoCertification struct {
	PersonID int64
	On       time.Time
	Method   string // CertifyCivil or CertifySelf
}

// SeedDemoCertifications writes the past certifications the demo district's
// pensioners start with, in one transaction with one audit entry, so the
// first daily check finds them certified as a district's pensioners are
// (without them every demo pensioner was overdue and suspended on the
// first day). Demo data only: it resumes no pension.
func (s *Service) SeedDemoCertifications(ctx context.Context, list []DemoCertification) error {
	if len(list) == 0 {
		return nil
	}
	now := s.now()
	for _, c := range list {
		if _, ok := certifyNames[c.Method]; !ok || c.PersonID <= 0 || c.On.IsZero() {
			return errs.New(errs.Invalid, "demo_certification", "演示认证记录不完整")
		}
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		err := db.BulkInsert(ctx, tx, s.db.Dialect, db.Insert{Table: "pension_certifications",
			Columns: []db.Column{{Name: "person_id", Type: db.BigInt}, {Name: "certified_on", Type: db.Text},
				{Name: "method", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}},
			Rows: len(list),
			Row: func(i int) []any {
				return []any{list[i].PersonID, list[i].On.Format(time.DateOnly), list[i].Method, now}
			}})
		if err != nil {
			return errs.Wrap(err, "demo certifications")
		}
		return s.audit.Record(ctx, tx, access.System, audit.Entry{Action: "demo.certifications",
			Entity: "certification", After: map[string]any{"certified": len(list)},
			Note: "演示数据：退休人员以往的待遇资格认证"})
	})
}
