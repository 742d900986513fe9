package death

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/tabular"
)

// CivilColumns are the columns of the civil-affairs death register file.
var CivilColumns = tabular.Columns{
	{Key: "id_number", Header: "公民身份号码"},
	{Key: "name", Header: "姓名"},
	{Key: "death_date", Header: "死亡日期"},
	{Key: "cert_no", Header: "死亡证明或火化证明编号"},
}

// CivilLimits bound a register file: 10 MB and 200,000 rows.
var CivilLimits = tabular.Limits{MaxBytes: 10 << 20, MaxRows: 200_000}

// Review reasons.
const (
	ReasonUnknownID   = "unknown_id"
	ReasonNameDiffers = "name_mismatch"
	ReasonLiving      = "living_contradicted"
	ReasonOtherDate   = "date_conflict"
	ReasonDuplicate   = "already_reported"
	reasonConfirmed   = "date_confirmed"
	statusApplied     = "applied"
	statusDuplicate   = "duplicate"
	statusReview      = "review"
	statusDismissed   = "dismissed"
	maxCivilAPIBatch  = 1000
)

var reasonNames = map[string]string{ReasonUnknownID: "身份证号码未找到参保人员", ReasonNameDiffers: "姓名与参保登记不一致",
	ReasonLiving: "死亡日期后仍有缴费记录", ReasonOtherDate: "已登记的死亡日期不同", ReasonDuplicate: "已登记死亡（重复）",
	reasonConfirmed: "确认了单位减员时的暂定死亡日期"}

// ReasonName is the Chinese reason.
func ReasonName(r string) string { return reasonNames[r] }

// CivilRecord is one civil-affairs record.
type CivilRecord struct {
	ID        int64
	IDNumber  string
	Name      string
	DeathDate string
	CertNo    string
	PersonID  int64
	Status    string
	Reason    string
}

// IDMasked is the masked ID number.
func (r CivilRecord) IDMasked() string { return ident.MaskID(r.IDNumber) }

// NameMasked is the masked name.
func (r CivilRecord) NameMasked() string { return ident.MaskName(r.Name) }

// ReasonText is the Chinese reason.
func (r CivilRecord) ReasonText() string { return ReasonName(r.Reason) }

// ImportResult is what a register file did.
type ImportResult struct {
	ImportID   int64
	Rows       int
	Applied    int
	Review     int
	Duplicates int
	Problems   []tabular.Problem
}

// parseCivil validates the rows: a valid ID number, a name, a date not in
// the future, each ID once.
func (s *Service) parseCivil(rows []tabular.Row) ([]CivilRecord, []tabular.Problem) {
	var out []CivilRecord
	var probs []tabular.Problem
	seen := map[string]int{}
	today := s.today().Format("2006-01-02")
	for _, r := range rows {
		c := r.Cells
		rec := CivilRecord{Name: strings.TrimSpace(c["name"]), CertNo: strings.TrimSpace(c["cert_no"])}
		id, err := ident.ParseID(strings.TrimSpace(c["id_number"]))
		if err != nil {
			probs = append(probs, tabular.Problem{Row: r.Row, Column: "公民身份号码", Message: "公民身份号码有误"})
		} else if first, dup := seen[id.Number]; dup {
			probs = append(probs, tabular.Problem{Row: r.Row, Column: "公民身份号码", Message: fmt.Sprintf("与第 %d 行重复", first)})
		} else {
			seen[id.Number], rec.IDNumber = r.Row, id.Number
		}
		if rec.Name == "" || utf8.RuneCountInString(rec.Name) > 50 {
			probs = append(probs, tabular.Problem{Row: r.Row, Column: "姓名", Message: "请填写姓名（50 字以内）"})
		}
		d, err := parseDay(c["death_date"])
		switch {
		case err != nil:
			probs = append(probs, tabular.Problem{Row: r.Row, Column: "死亡日期", Message: "死亡日期格式有误，如 2024-02-05"})
		case d > today:
			probs = append(probs, tabular.Problem{Row: r.Row, Column: "死亡日期", Message: "死亡日期晚于今天"})
		}
		rec.DeathDate = d
		out = append(out, rec)
	}
	return out, probs
}

func parseDay(s string) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "/", "-"), ".", "-"))
	for _, layout := range []string{"2006-01-02", "2006-1-2", "20060102"} {
		if t, err := time.ParseInLocation(layout, s, clock.Shanghai); err == nil {
			return t.Format("2006-01-02"), nil
		}
	}
	return "", errs.New(errs.Invalid, "bad_date", "日期格式有误")
}

// ImportCivil reads a civil-affairs register file (XLSX or CSV) and, if
// every row is valid, matches it in one transaction: each record by ID
// number, applied (the person marked deceased, the pension stopped, the
// overpayment kept) or sent to the review queue, a death already known
// counted as a duplicate; the same file is applied once. A file with a
// wrong column, a duplicate ID or a future date is refused whole with the
// rows named. Errors: Forbidden, Invalid (file; result holds the rows),
// Conflict (file applied before).
func (s *Service) ImportCivil(ctx context.Context, a *access.Actor, name string, data []byte) (*ImportResult, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "民政死亡数据由保险福利科导入")
	}
	rows, err := tabular.Read(data, CivilColumns, CivilLimits)
	if err != nil {
		return nil, err
	}
	recs, probs := s.parseCivil(rows)
	res := &ImportResult{Rows: len(recs), Problems: probs}
	if len(probs) > 0 {
		return res, tabular.FileError(fmt.Sprintf("文件有 %d 处错误，未导入任何数据；请按错误清单修改后重新上传", len(probs)))
	}
	sum := sha256.Sum256(data)
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO civil_imports (file_name, file_sha256, rows_total, actor_id, created_at)
			VALUES ($1,$2,$3,$4,$5) RETURNING id`, name, hex.EncodeToString(sum[:]), len(recs), a.UserID, s.now()).Scan(&res.ImportID)
		if db.IsUniqueViolation(err) {
			return errs.New(errs.Conflict, "civil_file_applied", "该文件已导入过，不能重复导入")
		}
		if err != nil {
			return errs.Wrap(err, "civil import")
		}
		if err := s.match(ctx, tx, a, res.ImportID, recs); err != nil {
			return err
		}
		return s.finishImport(ctx, tx, a, res)
	})
	return res, err
}

// stage writes the records of an import to civil_stage, in file order.
func (s *Service) stage(ctx context.Context, tx *sql.Tx, importID int64, recs []CivilRecord) error {
	err := db.BulkInsert(ctx, tx, s.db.Dialect, db.Insert{Table: "civil_stage",
		Columns: []db.Column{{Name: "import_id", Type: db.BigInt}, {Name: "ord", Type: db.BigInt}, {Name: "id_number", Type: db.Text},
			{Name: "name", Type: db.Text}, {Name: "death_date", Type: db.Text}, {Name: "cert_no", Type: db.Text}},
		Rows: len(recs),
		Row: func(i int) []any {
			r := recs[i]
			return []any{importID, i, r.IDNumber, r.Name, r.DeathDate, r.CertNo}
		}})
	return errs.Wrap(err, "civil stage")
}

// finishImport counts the outcome on the import row and audits it.
func (s *Service) finishImport(ctx context.Context, tx *sql.Tx, a *access.Actor, res *ImportResult) error {
	rows, err := tx.QueryContext(ctx, `SELECT status, COUNT(*) FROM civil_records WHERE import_id = $1 GROUP BY status`, res.ImportID)
	if err != nil {
		return errs.Wrap(err, "civil counts")
	}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return errs.Wrap(err, "civil counts")
		}
		switch st {
		case statusApplied:
			res.Applied = n
		case statusReview:
			res.Review = n
		case statusDuplicate:
			res.Duplicates = n
		}
	}
	rows.Close()
	if _, err := tx.ExecContext(ctx, `UPDATE civil_imports SET applied = $2, review = $3, duplicates = $4 WHERE id = $1`,
		res.ImportID, res.Applied, res.Review, res.Duplicates); err != nil {
		return errs.Wrap(err, "civil import counts")
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "death.civil.import", Entity: "civil_import", EntityID: fmt.Sprint(res.ImportID),
		After: map[string]any{"rows": res.Rows, "applied": res.Applied, "review": res.Review, "duplicates": res.Duplicates}})
}

// match stores the records of an import and applies the clean ones
// (docs/rules.md "Death: reports and matching"): the records are staged
// in bulk, then one statement writes each record with its person (matched
// by ID number through the unique index), its outcome and its reason,
// checked in this order: unknown ID; the same death already recorded (a
// duplicate); another recorded date; another name; paid contributions
// after the death (to review); a provisional death from an employer's
// removal (its date confirmed); otherwise applied. Each record is written
// once, already classified.
func (s *Service) match(ctx context.Context, tx *sql.Tx, a *access.Actor, importID int64, recs []CivilRecord) error {
	if q := s.db.Dialect.NoJIT(); q != "" {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return errs.Wrap(err, "civil match")
		}
	}
	if err := s.stage(ctx, tx, importID, recs); err != nil {
		return err
	}
	s.phaseDone("store")
	// Fresh statistics of the staged rows make PostgreSQL match them to
	// persons with one hash join instead of a lookup a record; the
	// classification is materialised so that it is computed once a record.
	if _, err := tx.ExecContext(ctx, `ANALYZE civil_stage`); err != nil {
		return errs.Wrap(err, "civil stage")
	}
	q := `WITH x AS MATERIALIZED (SELECT c.ord, c.id_number, c.name, c.death_date, c.cert_no, p.id AS pid, CASE
			WHEN p.id IS NULL THEN '` + ReasonUnknownID + `'
			WHEN EXISTS (SELECT 1 FROM deaths d WHERE d.person_id = p.id AND d.date_confirmed = $2 AND d.death_date = c.death_date) THEN '` + ReasonDuplicate + `'
			WHEN EXISTS (SELECT 1 FROM deaths d WHERE d.person_id = p.id AND d.date_confirmed = $2) THEN '` + ReasonOtherDate + `'
			WHEN p.name <> c.name THEN '` + ReasonNameDiffers + `'
			WHEN EXISTS (SELECT 1 FROM contribution_records r WHERE r.person_id = p.id AND r.paid = $2
				AND r.fee_month > substr(c.death_date, 1, 7)) THEN '` + ReasonLiving + `'
			WHEN EXISTS (SELECT 1 FROM bill_lines l JOIN bills b ON b.id = l.bill_id WHERE l.person_id = p.id AND b.status = 'paid'
				AND l.fee_month > substr(c.death_date, 1, 7)) THEN '` + ReasonLiving + `'
			WHEN EXISTS (SELECT 1 FROM deaths d WHERE d.person_id = p.id) THEN '` + reasonConfirmed + `'
			ELSE '' END AS reason
			FROM civil_stage c LEFT JOIN persons p ON p.id_number = c.id_number
			WHERE c.import_id = $1)
		INSERT INTO civil_records (import_id, id_number, name, death_date, cert_no, person_id, status, reason, created_at)
		SELECT $1, x.id_number, x.name, x.death_date, x.cert_no, x.pid,
			CASE x.reason WHEN '' THEN 'applied' WHEN '` + reasonConfirmed + `' THEN 'applied'
			WHEN '` + ReasonDuplicate + `' THEN 'duplicate' ELSE 'review' END, x.reason, $3
		FROM x ORDER BY x.ord`
	if _, err := tx.ExecContext(ctx, q, importID, true, s.now()); err != nil {
		return errs.Wrap(err, "civil match")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM civil_stage WHERE import_id = $1`, importID); err != nil {
		return errs.Wrap(err, "civil stage")
	}
	s.phaseDone("classify")
	if err := s.confirmProvisional(ctx, tx, importID); err != nil {
		return err
	}
	s.phaseDone("confirm provisional")
	return s.applyMatched(ctx, tx, a, importID)
}

// toApply selects the records of import $1 that match applies.
const toApply = `FROM civil_records c JOIN persons p ON p.id = c.person_id WHERE c.import_id = $1 AND c.status = 'applied' AND c.reason = ''`

// confirmProvisional: a death an employer's removal recorded with a
// provisional date takes the register's date.
func (s *Service) confirmProvisional(ctx context.Context, tx *sql.Tx, importID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE deaths SET date_confirmed = $2, death_date = (SELECT c.death_date FROM civil_records c
		WHERE c.import_id = $1 AND c.person_id = deaths.person_id AND c.reason = $3), version = version + 1
		WHERE date_confirmed = $4 AND person_id IN (SELECT c.person_id FROM civil_records c WHERE c.import_id = $1 AND c.reason = $3)`,
		importID, true, reasonConfirmed, false)
	return errs.Wrap(err, "confirm provisional")
}
