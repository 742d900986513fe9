package contribution

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/tabular"
)

// Record import statuses.
const (
	ImportApplied  = "applied"
	ImportRejected = "rejected"
)

// RecordImport is the answer to a record import: every problem of every
// row (nothing written) or what was written.
type RecordImport struct {
	ID        int64             `json:"id"`
	FileName  string            `json:"file_name"`
	SHA256    string            `json:"sha256"`
	Status    string            `json:"status"`
	Rows      int               `json:"rows"`
	Persons   int               `json:"persons"`
	Problems  []tabular.Problem `json:"problems"`
	CreatedAt time.Time         `json:"created_at"`
}

// Applied reports whether the file was written.
func (r *RecordImport) Applied() bool { return r.Status == ImportApplied }

func (r *RecordImport) problem(row int, key, msg string) {
	r.Problems = append(r.Problems, tabular.Problem{Row: row, Column: RecordColumns.Label(key), Message: msg})
}

// Report is the downloadable result of the import.
func (r *RecordImport) Report() tabular.Report {
	title := fmt.Sprintf("导入成功：%d 条历史缴费记录，%d 名参保人", r.Rows, r.Persons)
	if !r.Applied() {
		title = fmt.Sprintf("导入未成功：共 %d 处错误，未写入任何数据，请修改后重新上传", len(r.Problems))
	}
	return tabular.Report{Title: title, FileName: r.FileName, Problems: r.Problems}
}

// ImportRecords validates every row of a historical record file (.xlsx or
// CSV, see RecordTemplate) and, when no row is wrong, writes all of them
// in one transaction; otherwise it writes nothing and the report lists
// every problem by row and column. The same file is applied once. Only
// 统筹科. Errors: Forbidden, Invalid (field "file": size, format, wrong
// template, empty), Conflict (already_imported).
func (s *Service) ImportRecords(ctx context.Context, a *access.Actor, fileName string, data []byte) (*RecordImport, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	rep := &RecordImport{FileName: fileName, SHA256: hex.EncodeToString(sum[:]), CreatedAt: s.clock.Now()}
	if err := recordFileApplied(ctx, s.db.Read(), rep.SHA256); err != nil {
		return nil, err
	}
	sheet, err := tabular.Read(data, RecordColumns, tabular.Limits{MaxBytes: RecordMaxBytes, MaxRows: RecordMaxRows, Sheet: RecordsSheet})
	if err != nil {
		return nil, err
	}
	rep.Rows = len(sheet)
	today := clock.DateOf(s.clock.Now())
	rows := make([]recordRow, len(sheet))
	for i, r := range sheet {
		rows[i] = parseRecordRow(r, today, rep)
	}
	checkRecordDuplicates(rows, rep)
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := resolveRecordRows(ctx, tx, rows, rep); err != nil || len(rep.Problems) > 0 {
			return err
		}
		return s.applyRecords(ctx, tx, a, rows, rep)
	})
	if err != nil {
		return nil, err
	}
	if len(rep.Problems) > 0 {
		sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Row < rep.Problems[j].Row })
		rep.Status, rep.Persons = ImportRejected, 0
		if err := s.db.WithTx(ctx, func(tx *sql.Tx) error { return insertRecordImport(ctx, tx, a, rep) }); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// checkRecordDuplicates refuses the same person, month, scheme and payer
// twice in one file.
func checkRecordDuplicates(rows []recordRow, rep *RecordImport) {
	seen := map[string]int{}
	for _, r := range rows {
		if r.idNumber == "" || r.rec.Month == "" || r.rec.Scheme == "" {
			continue
		}
		k := r.idNumber + "|" + r.rec.Month + "|" + string(r.rec.Scheme) + "|" + r.rec.PayerName + "|" + r.employerNo
		if first, dup := seen[k]; dup {
			rep.problem(r.Row.Row, rcMonth, fmt.Sprintf("与第 %d 行重复：同一人同一月份同一险种只能有一行", first))
			continue
		}
		seen[k] = r.Row.Row
	}
}

// applyRecords writes a checked file inside tx.
func (s *Service) applyRecords(ctx context.Context, tx *sql.Tx, a *access.Actor, rows []recordRow, rep *RecordImport) error {
	rep.Status = ImportApplied
	persons := map[int64]bool{}
	recs := make([]Record, len(rows))
	for i, r := range rows {
		recs[i] = r.rec
		persons[r.rec.PersonID] = true
	}
	rep.Persons = len(persons)
	if err := insertRecordImport(ctx, tx, a, rep); err != nil {
		return err
	}
	if err := InsertRecords(ctx, tx, recs, SourceImport, rep.ID, rep.CreatedAt); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "contribution.records.import", Entity: "record_import",
		EntityID: strconv.FormatInt(rep.ID, 10), After: map[string]any{"file_name": rep.FileName, "sha256": rep.SHA256,
			"rows": rep.Rows, "persons": rep.Persons}})
}

// RecordImportOf returns one import with its report, for 统筹科. Errors:
// Forbidden, NotFound.
func (s *Service) RecordImportOf(ctx context.Context, a *access.Actor, id int64) (*RecordImport, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	return loadRecordImport(ctx, s.db.Read(), id)
}

// RecordImports lists the latest imports (without their reports), for
// 统筹科. Errors: Forbidden.
func (s *Service) RecordImports(ctx context.Context, a *access.Actor) ([]RecordImport, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	return listRecordImports(ctx, s.db.Read(), 20)
}
