package staffchange

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/policy"
	"shebao/internal/tabular"
)

// Import statuses.
const (
	ImportApplied  = "applied"
	ImportRejected = "rejected"
)

// Problem is one thing wrong (or worth telling) about a row of a file.
type Problem = tabular.Problem

// ImportReport is the answer to an import: every problem of every row
// (nothing written) or what was written, with the clamp notes.
type ImportReport struct {
	ID        int64     `json:"id"`
	FileName  string    `json:"file_name"`
	SHA256    string    `json:"sha256"`
	Status    string    `json:"status"`
	Rows      int       `json:"rows"`
	Added     int       `json:"added"`
	Removed   int       `json:"removed"`
	Problems  []Problem `json:"problems"`
	Notes     []Problem `json:"notes,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Applied reports whether the file was written.
func (r *ImportReport) Applied() bool { return r.Status == ImportApplied }

// problem adds a problem on a column key of a row.
func (r *ImportReport) problem(row int, key, msg string) {
	r.Problems = append(r.Problems, Problem{Row: row, Column: columnLabel(key), Message: msg})
}

// fieldProblems adds the field errors of err (or its message) to row.
func (r *ImportReport) fieldProblems(row int, err error, keyOf map[string]string) {
	e := errs.As(err)
	if e == nil || len(e.Fields) == 0 {
		r.problem(row, "", errText(err))
		return
	}
	for _, f := range e.Fields {
		key := f.Field
		if k, ok := keyOf[key]; ok {
			key = k
		}
		r.problem(row, key, f.Message)
	}
}

func errText(err error) string {
	if e := errs.As(err); e != nil && e.Message != "" {
		return e.Message
	}
	return "数据有误"
}

// importRow is a checked data row.
type importRow struct {
	sheetRow
	remove   bool
	add      addRow
	clamp    Clamp
	flag     string
	idNumber string
	name     string
	endMonth string
	reason   string
	personID int64
	staff    *Staff
}

// Import validates every row of an uploaded staff Excel file and, when no
// row is wrong, writes all of them in one transaction; otherwise it writes
// nothing and the report lists every problem (row, column, message). The
// same file is applied once. File-level problems (size, not xlsx, wrong
// template, empty) are Invalid errors on field "file"; a file already
// applied is a Conflict (already_imported).
func (s *Service) Import(ctx context.Context, a *access.Actor, employerID int64, fileName string, data []byte) (*ImportReport, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	rep := &ImportReport{FileName: fileName, SHA256: hex.EncodeToString(sum[:]), CreatedAt: s.clock.Now()}
	if err := s.checkNotApplied(ctx, s.db.Read(), employerID, rep.SHA256); err != nil {
		return nil, err
	}
	sheet, err := readRows(data)
	if err != nil {
		return nil, err
	}
	e, err := loadEmployer(ctx, s.db.Read(), employerID)
	if err != nil {
		return nil, err
	}
	rep.Rows = len(sheet)
	rows, err := s.checkRows(ctx, e, sheet, rep)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkAgainstDB(ctx, tx, employerID, rows, rep); err != nil || len(rep.Problems) > 0 {
			return err
		}
		return s.apply(ctx, tx, a, employerID, rows, rep)
	})
	if err != nil {
		return nil, err
	}
	if len(rep.Problems) > 0 {
		sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Row < rep.Problems[j].Row })
		rep.Status, rep.Added, rep.Removed, rep.Notes = ImportRejected, 0, 0, nil
		err = s.db.WithTx(ctx, func(tx *sql.Tx) error { return s.insertImport(ctx, tx, a, employerID, rep) })
		if err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// checkNotApplied refuses a file the employer has already imported.
func (s *Service) checkNotApplied(ctx context.Context, q db.Querier, employerID int64, sum string) error {
	var id, added, removed int64
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT id, rows_added, rows_removed, created_at FROM staff_imports
		WHERE employer_id = $1 AND file_sha256 = $2 AND status = 'applied'`, employerID, sum).Scan(&id, &added, &removed, &at)
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return errs.Wrap(err, "check import")
	}
	return errs.New(errs.Conflict, "already_imported", fmt.Sprintf("该文件已于 %s 导入（第 %d 号，增员 %d 人、减员 %d 人），未重复办理",
		at.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04"), id, added, removed))
}

var addKeys = map[string]string{"wage": colWage}

// checkRows validates each row on its own and duplicates within the file.
func (s *Service) checkRows(ctx context.Context, e employerInfo, sheet []sheetRow, rep *ImportReport) ([]importRow, error) {
	cache := limits{}
	late, err := s.policy.MeasureInForce(ctx, s.today(), policy.MeasureLateAccepted)
	if err != nil {
		return nil, err
	}
	lastMonth, this := monthOffset(s.thisMonth(), -1), s.thisMonth()
	seen := map[string]int{}
	out := make([]importRow, 0, len(sheet))
	for _, sr := range sheet {
		if !cleanCells(sr, rep) {
			continue
		}
		r := importRow{sheetRow: sr}
		c := sr.Cells
		switch c[colKind] {
		case "增员":
			in := AddInput{IDNumber: c[colID], Name: c[colName], StartMonth: c[colStart], Wage: c[colWage], Phone: c[colPhone]}
			ar, cl, err := s.prepareAdd(ctx, e, in, cache)
			if err != nil {
				rep.fieldProblems(sr.Row, err, addKeys)
			}
			r.add, r.clamp, r.idNumber, r.name = ar, cl, ar.id.Number, ar.name
			if ar.month < lastMonth {
				r.flag = FlagLate
				if late != nil {
					r.flag = FlagLateAccepted
				}
			}
		case "减员":
			r.remove = true
			r.idNumber, r.name, r.endMonth, r.reason = s.checkRemoveRow(sr, this, rep)
		case "":
			rep.problem(sr.Row, colKind, "请填写变动类型：增员或减员")
		default:
			rep.problem(sr.Row, colKind, "变动类型“"+c[colKind]+"”不正确，应为“增员”或“减员”")
		}
		if r.idNumber != "" {
			if first, dup := seen[r.idNumber]; dup {
				rep.problem(sr.Row, colID, fmt.Sprintf("与第 %d 行的公民身份号码重复，同一人在一个文件中只能出现一次", first))
			} else {
				seen[r.idNumber] = sr.Row
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// cleanCells reports whether every cell of a row is valid UTF-8 without
// control characters (which PostgreSQL refuses to store and SQLite would
// keep; line breaks only in the reason), adding a problem for each that is not.
func cleanCells(sr sheetRow, rep *ImportReport) bool {
	ok := true
	for _, c := range columns {
		v := sr.Cells[c.Key]
		if c.Key == colReason {
			v = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(v)
		}
		if !cleanText(v) {
			rep.problem(sr.Row, c.Key, c.Header+"含有无法识别的字符或不可见的控制字符，请删除后重新导入")
			ok = false
		}
	}
	return ok
}

// cleanText reports whether s is valid UTF-8 without control characters.
func cleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) {
			return false
		}
	}
	return true
}

// checkRemoveRow validates a 减员 row.
func (s *Service) checkRemoveRow(sr sheetRow, this string, rep *ImportReport) (idNumber, name, end, reason string) {
	var f errs.Fields
	c := sr.Cells
	id, err := parseIDCell(c[colID], s.today())
	if err != nil {
		f.Add(colID, idMessage(err))
	}
	if name = c[colName]; name == "" {
		f.Add(colName, "请填写姓名")
	}
	end, reason, err = RemoveInput{EndMonth: c[colEnd], Reason: c[colReason]}.validate(this)
	if e := errs.As(err); e != nil {
		f = append(f, e.Fields...)
	}
	if err := f.Err(); err != nil {
		rep.fieldProblems(sr.Row, err, nil)
	}
	return id, name, end, reason
}

// apply writes a checked file inside tx.
func (s *Service) apply(ctx context.Context, tx *sql.Tx, a *access.Actor, employerID int64, rows []importRow, rep *ImportReport) error {
	rep.Status = ImportApplied
	for _, r := range rows {
		if r.remove {
			rep.Removed++
		} else {
			rep.Added++
			if n := r.clamp.Note(); n != "" {
				rep.Notes = append(rep.Notes, Problem{Row: r.Row, Column: columnLabel(colWage), Message: n})
			}
		}
	}
	if err := s.insertImport(ctx, tx, a, employerID, rep); err != nil {
		return err
	}
	if err := s.insertAdds(ctx, tx, a, employerID, rows, rep.ID); err != nil {
		return err
	}
	for _, r := range rows {
		if r.remove {
			if err := s.removeTx(ctx, tx, a, r.staff, r.endMonth, r.reason, rep.ID); err != nil {
				return err
			}
		}
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "staff.import", Entity: "staff_import",
		EntityID: strconv.FormatInt(rep.ID, 10), After: map[string]any{"employer_id": employerID, "sha256": rep.SHA256,
			"rows": rep.Rows, "added": rep.Added, "removed": rep.Removed}})
}

// insertImport stores the import record with its report and sets rep.ID.
func (s *Service) insertImport(ctx context.Context, tx *sql.Tx, a *access.Actor, employerID int64, rep *ImportReport) error {
	body, err := json.Marshal(struct {
		Problems []Problem `json:"problems"`
		Notes    []Problem `json:"notes"`
	}{rep.Problems, rep.Notes})
	if err != nil {
		return errs.Wrap(err, "marshal report")
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO staff_imports (employer_id, file_name, file_sha256, status, rows_total,
		rows_added, rows_removed, report, actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		employerID, rep.FileName, rep.SHA256, rep.Status, rep.Rows, rep.Added, rep.Removed, string(body), a.UserID,
		rep.CreatedAt).Scan(&rep.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "already_imported", "该文件已导入，未重复办理")
	}
	return errs.Wrap(err, "insert import")
}
