package personalaccount

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/person"
	"shebao/internal/tabular"
)

// Limits and names of the opening-balance import.
const (
	OpeningMaxBytes = 10 << 20
	OpeningMaxRows  = 100_000
	OpeningSheet    = "个人账户期初余额"
)

const (
	ocID      = "id_number"
	ocName    = "name"
	ocYear    = "year"
	ocBalance = "balance"
)

// OpeningColumns are the opening-balance template's columns.
var OpeningColumns = tabular.Columns{
	{Key: ocID, Header: "公民身份号码"}, {Key: ocName, Header: "姓名"},
	{Key: ocYear, Header: "截至年度"}, {Key: ocBalance, Header: "年末账户余额（元）"},
}

// OpeningTemplate is the import template with its instructions.
func OpeningTemplate(today time.Time) tabular.Template {
	example := ident.MakeID("110105", time.Date(1968, 3, 9, 0, 0, 0, 0, time.UTC), 211, true)
	return tabular.Template{Sheet: OpeningSheet, Columns: OpeningColumns, Widths: map[string]float64{"A": 22, "D": 20},
		Notes: []string{
			"个人账户期初余额导入模板 填写说明（个人账户科）",
			"1. 用于导入本系统启用前原系统记载的个人账户余额。在“" + OpeningSheet + "”工作表第2行起每人一行；请勿修改表头。也可上传同样表头的逗号分隔文本（.csv）。",
			"2. 公民身份号码、姓名须与本系统参保人一致；参保人须已在本系统登记，每人只能导入一次期初余额。",
			fmt.Sprintf("3. 截至年度填四位年份（1993 至 %d），余额为该年 12 月 31 日结息后的账户余额，以元为单位，最多两位小数。", today.Year()-1),
			"4. 导入时逐行校验，任何一行有误则整个文件不导入，请按导入结果修改后重新上传；同一文件不会重复导入。",
			fmt.Sprintf("5. 文件不超过 %d MB，最多 %d 行。", OpeningMaxBytes>>20, OpeningMaxRows),
		},
		Example: [][]any{{example, "张三", strconv.Itoa(today.Year() - 2), "52,380.16"}},
	}
}

// Import is the answer to an opening-balance import: every problem of
// every row (nothing written), or what was written.
type Import struct {
	ID        int64             `json:"id"`
	FileName  string            `json:"file_name"`
	SHA256    string            `json:"sha256"`
	Status    string            `json:"status"` // applied | rejected
	Rows      int               `json:"rows"`
	Total     money.Fen         `json:"total_fen"`
	Problems  []tabular.Problem `json:"problems"`
	CreatedAt time.Time         `json:"created_at"`
}

// Applied reports whether the file was written.
func (r *Import) Applied() bool { return r.Status == "applied" }

// Report is the downloadable result.
func (r *Import) Report() tabular.Report {
	title := fmt.Sprintf("导入成功：%d 人的个人账户期初余额，合计 %s 元", r.Rows, r.Total)
	if !r.Applied() {
		title = fmt.Sprintf("导入未成功：共 %d 处错误，未写入任何数据，请修改后重新上传", len(r.Problems))
	}
	return tabular.Report{Title: title, FileName: r.FileName, Problems: r.Problems}
}

func (r *Import) problem(row int, key, msg string) {
	r.Problems = append(r.Problems, tabular.Problem{Row: row, Column: OpeningColumns.Label(key), Message: msg})
}

type openingRow struct {
	row      int
	idNumber string
	name     string
	year     int
	balance  money.Fen
	personID int64
}

// ImportOpenings validates every row of an opening-balance file and, when
// no row is wrong, writes all of them in one transaction; otherwise
// nothing is written and the report lists every problem by row and
// column. Only 个人账户科. Errors: Forbidden, Invalid (field "file"),
// Conflict (the file was applied before).
func (s *Service) ImportOpenings(ctx context.Context, a *access.Actor, fileName string, data []byte) (*Import, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	rep := &Import{FileName: fileName, SHA256: hex.EncodeToString(sum[:]), CreatedAt: s.clock.Now(), Status: "rejected"}
	if err := importApplied(ctx, s.db.Read(), rep.SHA256); err != nil {
		return nil, err
	}
	sheet, err := tabular.Read(data, OpeningColumns, tabular.Limits{MaxBytes: OpeningMaxBytes, MaxRows: OpeningMaxRows, Sheet: OpeningSheet})
	if err != nil {
		return nil, err
	}
	rep.Rows = len(sheet)
	rows := s.parseOpenings(sheet, rep)
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := resolveOpenings(ctx, tx, rows, rep); err != nil || len(rep.Problems) > 0 {
			return err
		}
		return s.applyOpenings(ctx, tx, a, rows, rep)
	})
	if err != nil {
		return nil, err
	}
	if len(rep.Problems) > 0 {
		rep.Total = 0
		if err := s.db.WithTx(ctx, func(tx *sql.Tx) error { return insertImport(ctx, tx, a, rep) }); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func (s *Service) parseOpenings(sheet []tabular.Row, rep *Import) []openingRow {
	thisYear := s.today().Year()
	seen := map[string]int{}
	rows := make([]openingRow, 0, len(sheet))
	for _, r := range sheet {
		o := openingRow{row: r.Row, name: r.Cells[ocName]}
		id, err := ident.ParseID(r.Cells[ocID])
		switch {
		case err != nil:
			rep.problem(r.Row, ocID, "公民身份号码不正确，请核对 18 位号码及校验位")
		default:
			o.idNumber = id.Number
			if first, dup := seen[o.idNumber]; dup {
				rep.problem(r.Row, ocID, fmt.Sprintf("与第 %d 行是同一人：每人只能有一行", first))
			}
			seen[o.idNumber] = r.Row
		}
		if o.name == "" {
			rep.problem(r.Row, ocName, "请填写姓名")
		}
		y, err := strconv.Atoi(r.Cells[ocYear])
		if err != nil || y < 1993 || y >= thisYear {
			rep.problem(r.Row, ocYear, fmt.Sprintf("截至年度应为 1993 至 %d 之间的四位年份", thisYear-1))
		}
		o.year = y
		bal, err := money.ParseYuan(r.Cells[ocBalance])
		if err != nil || r.Cells[ocBalance] == "" || bal < 0 || bal > 100_000_000_00 {
			rep.problem(r.Row, ocBalance, "年末账户余额应为不小于 0 的金额（元，最多两位小数，不超过 1 亿元）")
		}
		o.balance = bal
		rows = append(rows, o)
	}
	return rows
}

// resolveOpenings finds each row's person, checks the name and that the
// person has no opening balance yet.
func resolveOpenings(ctx context.Context, tx *sql.Tx, rows []openingRow, rep *Import) error {
	for i := range rows {
		r := &rows[i]
		if r.idNumber == "" {
			continue
		}
		p, err := person.FindByIDNumber(ctx, tx, r.idNumber)
		if errs.KindOf(err) == errs.NotFound {
			rep.problem(r.row, ocID, "本系统没有登记该参保人，请先办理参保登记")
			continue
		}
		if err != nil {
			return err
		}
		if r.name != "" && p.Name != r.name {
			rep.problem(r.row, ocName, "姓名与本系统登记的不一致（"+ident.MaskName(p.Name)+"）")
		}
		r.personID = p.ID
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM account_entries WHERE source_key = $1`,
			openingKey(p.ID)).Scan(&n); err != nil {
			return errs.Wrap(err, "check opening balance")
		}
		if n > 0 {
			rep.problem(r.row, ocID, "该参保人的期初余额已经导入过，如需调整请办理账户更正")
		}
	}
	return nil
}

func openingKey(personID int64) string { return "opening:" + strconv.FormatInt(personID, 10) }

func (s *Service) applyOpenings(ctx context.Context, tx *sql.Tx, a *access.Actor, rows []openingRow, rep *Import) error {
	rep.Status = "applied"
	for _, r := range rows {
		rep.Total += r.balance
	}
	if err := insertImport(ctx, tx, a, rep); err != nil {
		return err
	}
	now := s.clock.Now()
	for _, r := range rows {
		e := &Entry{PersonID: r.personID, Kind: KindOpening, Year: r.year, PostedOn: fmt.Sprintf("%d-12-31", r.year),
			Amount: r.balance, Reason: "原系统个人账户余额导入（第 " + strconv.FormatInt(rep.ID, 10) + " 号）"}
		if err := insertEntry(ctx, tx, e, openingKey(r.personID), a.UserID, now); err != nil {
			return err
		}
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.opening.import", Entity: "account_import",
		EntityID: strconv.FormatInt(rep.ID, 10), After: map[string]any{"file_name": rep.FileName, "sha256": rep.SHA256,
			"rows": rep.Rows, "total_fen": rep.Total}})
}

func importApplied(ctx context.Context, q db.Querier, sum string) error {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM account_imports WHERE file_sha256 = $1 AND status = 'applied'`, sum).Scan(&id)
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return errs.Wrap(err, "check opening import")
	}
	return errs.New(errs.Conflict, "already_imported", fmt.Sprintf("该文件已经导入过（第 %d 号），未重复导入", id))
}

func insertImport(ctx context.Context, tx *sql.Tx, a *access.Actor, rep *Import) error {
	body, err := json.Marshal(rep.Problems)
	if err != nil {
		return errs.Wrap(err, "marshal report")
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO account_imports (file_name, file_sha256, status, rows_total, total_fen, report,
		actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		rep.FileName, rep.SHA256, rep.Status, rep.Rows, int64(rep.Total), string(body), a.UserID, rep.CreatedAt).Scan(&rep.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "already_imported", "该文件已经导入过，未重复导入")
	}
	return errs.Wrap(err, "insert opening import")
}
