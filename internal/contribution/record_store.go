package contribution

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// recordFileApplied refuses a file already imported.
func recordFileApplied(ctx context.Context, q db.Querier, sum string) error {
	var id, rows int64
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT id, rows_total, created_at FROM record_imports
		WHERE file_sha256 = $1 AND status = 'applied'`, sum).Scan(&id, &rows, &at)
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return errs.Wrap(err, "check record import")
	}
	return errs.New(errs.Conflict, "already_imported", fmt.Sprintf("该文件已于 %s 导入（第 %d 号，%d 条记录），未重复导入",
		at.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04"), id, rows))
}

// inList is "$first, $first+1 …" for n parameters.
func inList(first, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(first+i))
	}
	return b.String()
}

// lookupChunk is how many keys one IN list holds.
const lookupChunk = 400

// eachChunk calls fn with the keys in chunks, as query arguments.
func eachChunk[T any](keys []T, fn func(args []any) error) error {
	for start := 0; start < len(keys); start += lookupChunk {
		part := keys[start:min(start+lookupChunk, len(keys))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		if err := fn(args); err != nil {
			return err
		}
	}
	return nil
}

// resolveRecordRows finds each row's person (by ID number, the name must
// match) and registered employer, and refuses months already assessed in
// Shebao or already recorded.
func resolveRecordRows(ctx context.Context, tx *sql.Tx, rows []recordRow, rep *RecordImport) error {
	type person struct {
		id   int64
		name string
	}
	persons := map[string]person{}
	employers := map[string]int64{}
	var ids, nos []string
	for _, r := range rows {
		if r.idNumber != "" {
			ids = append(ids, r.idNumber)
		}
		if r.employerNo != "" {
			nos = append(nos, r.employerNo)
		}
	}
	err := eachChunk(ids, func(args []any) error {
		rs, err := tx.QueryContext(ctx, `SELECT id, id_number, name FROM persons WHERE id_number IN (`+inList(1, len(args))+`)`, args...)
		if err != nil {
			return errs.Wrap(err, "record persons")
		}
		defer rs.Close()
		for rs.Next() {
			var p person
			var n string
			if err := rs.Scan(&p.id, &n, &p.name); err != nil {
				return errs.Wrap(err, "record persons")
			}
			persons[n] = p
		}
		return errs.Wrap(rs.Err(), "record persons")
	})
	if err != nil {
		return err
	}
	err = eachChunk(nos, func(args []any) error {
		rs, err := tx.QueryContext(ctx, `SELECT id, employer_no FROM employers WHERE employer_no IN (`+inList(1, len(args))+`)`, args...)
		if err != nil {
			return errs.Wrap(err, "record employers")
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var n string
			if err := rs.Scan(&id, &n); err != nil {
				return errs.Wrap(err, "record employers")
			}
			employers[n] = id
		}
		return errs.Wrap(rs.Err(), "record employers")
	})
	if err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		if r.idNumber != "" {
			if p, ok := persons[r.idNumber]; !ok {
				rep.problem(r.Row.Row, rcID, "本系统没有该公民身份号码的参保人，请先办理参保登记")
			} else if p.name != r.name && r.name != "" {
				rep.problem(r.Row.Row, rcName, "姓名与本系统登记的不一致，请核对")
			} else {
				r.rec.PersonID = p.id
			}
		}
		if r.employerNo != "" {
			if id, ok := employers[r.employerNo]; ok {
				r.rec.EmployerID = id
			} else {
				rep.problem(r.Row.Row, rcEmpNo, "本系统没有该单位社保编号，请核对，或不填编号只填单位名称")
			}
		}
	}
	return refuseTakenMonths(ctx, tx, rows, rep)
}

// refuseTakenMonths refuses rows whose person, month and scheme are
// assessed in Shebao or already recorded.
func refuseTakenMonths(ctx context.Context, tx *sql.Tx, rows []recordRow, rep *RecordImport) error {
	seen := map[int64]bool{}
	var pids []int64
	for _, r := range rows {
		if r.rec.PersonID != 0 && !seen[r.rec.PersonID] {
			seen[r.rec.PersonID] = true
			pids = append(pids, r.rec.PersonID)
		}
	}
	assessed, recorded := map[string]bool{}, map[string]bool{}
	err := eachChunk(pids, func(args []any) error {
		in := inList(1, len(args))
		rs, err := tx.QueryContext(ctx, `SELECT l.person_id, l.fee_month, l.scheme, 'a' FROM bill_lines l
			JOIN bills b ON b.id = l.bill_id WHERE l.person_id IN (`+in+`) AND b.status <> 'cancelled'
			UNION ALL SELECT person_id, fee_month, scheme, 'r' FROM contribution_records WHERE person_id IN (`+in+`)`, args...)
		if err != nil {
			return errs.Wrap(err, "record months")
		}
		defer rs.Close()
		for rs.Next() {
			var pid int64
			var month, scheme, kind string
			if err := rs.Scan(&pid, &month, &scheme, &kind); err != nil {
				return errs.Wrap(err, "record months")
			}
			k := strconv.FormatInt(pid, 10) + "|" + month + "|" + scheme
			if kind == "a" {
				assessed[k] = true
			} else {
				recorded[k] = true
			}
		}
		return errs.Wrap(rs.Err(), "record months")
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		k := strconv.FormatInt(r.rec.PersonID, 10) + "|" + r.rec.Month + "|" + string(r.rec.Scheme)
		switch {
		case r.rec.PersonID == 0:
		case assessed[k]:
			rep.problem(r.Row.Row, rcMonth, "该月该险种已在本系统核定，不能再导入历史记录")
		case recorded[k]:
			rep.problem(r.Row.Row, rcMonth, "该月该险种已有历史缴费记录（此前已导入）")
		}
	}
	return nil
}

// InsertRecords writes records in multi-row statements inside tx.
func InsertRecords(ctx context.Context, tx *sql.Tx, recs []Record, source string, importID int64, now time.Time) error {
	const cols = 13
	const per = 50
	var imp any
	if importID != 0 {
		imp = importID
	}
	for start := 0; start < len(recs); start += per {
		part := recs[start:min(start+per, len(recs))]
		var b strings.Builder
		args := make([]any, 0, len(part)*cols)
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + inList(i*cols+1, cols) + ")")
			var emp any
			if r.EmployerID != 0 {
				emp = r.EmployerID
			}
			args = append(args, r.PersonID, r.Month, string(r.Scheme), r.PayerKind, emp, r.PayerName, int64(r.Base),
				int64(r.Employer), int64(r.Individual), r.Paid, source, imp, now)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO contribution_records (person_id, fee_month, scheme, payer_kind,
			employer_id, payer_name, base_fen, employer_fen, individual_fen, paid, source, import_id, created_at)
			VALUES `+b.String(), args...)
		if db.IsUniqueViolation(err) {
			return errs.New(errs.Conflict, "record_exists", "部分月份的历史缴费记录已存在（可能正在同时导入另一文件），请刷新后重试")
		}
		if err != nil {
			return errs.Wrap(err, "insert contribution records")
		}
	}
	return nil
}

// insertRecordImport stores the import with its report and sets rep.ID.
func insertRecordImport(ctx context.Context, tx *sql.Tx, a *access.Actor, rep *RecordImport) error {
	body, err := json.Marshal(rep.Problems)
	if err != nil {
		return errs.Wrap(err, "marshal report")
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO record_imports (file_name, file_sha256, status, rows_total, persons,
		report, actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		rep.FileName, rep.SHA256, rep.Status, rep.Rows, rep.Persons, string(body), a.UserID, rep.CreatedAt).Scan(&rep.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "already_imported", "该文件已导入，未重复导入")
	}
	return errs.Wrap(err, "insert record import")
}

const recordImportCols = `id, file_name, file_sha256, status, rows_total, persons, created_at`

func scanRecordImport(row interface{ Scan(...any) error }, report *string) (*RecordImport, error) {
	var r RecordImport
	dest := []any{&r.ID, &r.FileName, &r.SHA256, &r.Status, &r.Rows, &r.Persons, &r.CreatedAt}
	if report != nil {
		dest = append(dest, report)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

func loadRecordImport(ctx context.Context, q db.Querier, id int64) (*RecordImport, error) {
	var body string
	r, err := scanRecordImport(q.QueryRowContext(ctx, `SELECT `+recordImportCols+`, report FROM record_imports WHERE id = $1`, id), &body)
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该导入记录")
	}
	if err != nil {
		return nil, errs.Wrap(err, "load record import")
	}
	if err := json.Unmarshal([]byte(body), &r.Problems); err != nil {
		return nil, errs.Wrap(err, "read record import report")
	}
	return r, nil
}

func listRecordImports(ctx context.Context, q db.Querier, limit int) ([]RecordImport, error) {
	rs, err := q.QueryContext(ctx, `SELECT `+recordImportCols+` FROM record_imports ORDER BY id DESC LIMIT `+strconv.Itoa(limit))
	if err != nil {
		return nil, errs.Wrap(err, "list record imports")
	}
	defer rs.Close()
	var out []RecordImport
	for rs.Next() {
		r, err := scanRecordImport(rs, nil)
		if err != nil {
			return nil, errs.Wrap(err, "list record imports")
		}
		out = append(out, *r)
	}
	return out, errs.Wrap(rs.Err(), "list record imports")
}
