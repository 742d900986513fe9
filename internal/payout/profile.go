package payout

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// FileColumns are the columns a payment file may carry, with their
// Chinese headers.
var FileColumns = map[string]string{
	"seq": "序号", "line_ref": "业务流水号", "account_no": "收款账号", "account_name": "收款户名",
	"amount": "金额（元）", "id_number": "证件号码", "bank_name": "开户银行", "memo": "摘要", "period": "所属期",
}

// ReturnFileColumns are the columns a return file may carry.
var ReturnFileColumns = map[string]string{
	"line_ref": "业务流水号", "account_no": "收款账号", "account_name": "收款户名", "amount": "金额（元）",
	"result": "处理结果", "reason": "失败原因", "serial": "银行流水号",
}

// requiredFile and requiredReturn must be in every profile: a line is
// matched by its reference, checked by account and amount.
var (
	requiredFile   = []string{"line_ref", "account_no", "account_name", "amount"}
	requiredReturn = []string{"line_ref", "account_no", "amount", "result"}
)

// Check returns an Invalid error naming every problem of the profile.
func (p *Profile) Check() error {
	var f errs.Fields
	if p.Format != "csv" && p.Format != "xlsx" {
		f.Add("format", "文件格式应为CSV或XLSX")
	}
	if p.Format == "csv" && p.Encoding != "gbk" && p.Encoding != "utf-8" {
		f.Add("encoding", "CSV文件的编码应为GBK或UTF-8")
	}
	checkCols(&f, "columns", "代发文件", p.Columns, FileColumns, requiredFile)
	checkCols(&f, "return_columns", "回盘文件", p.ReturnColumns, ReturnFileColumns, requiredReturn)
	if p.Control != "first" && p.Control != "last" {
		f.Add("control", "请选择汇总行位置（首行或末行）")
	}
	if strings.TrimSpace(p.PaidValue) == "" {
		f.Add("paid_value", "请填写回盘文件中表示“成功”的处理结果")
	}
	return f.Err()
}

func checkCols(f *errs.Fields, field, what string, cols []string, known map[string]string, required []string) {
	seen := map[string]bool{}
	for _, c := range cols {
		if _, ok := known[c]; !ok {
			f.Add(field, what+"的列“"+c+"”不认识")
			return
		}
		if seen[c] {
			f.Add(field, what+"的列“"+known[c]+"”重复")
			return
		}
		seen[c] = true
	}
	for _, c := range required {
		if !seen[c] {
			f.Add(field, what+"缺少必需的列“"+known[c]+"”")
		}
	}
}

// SaveBank adds an agent bank or changes one (by code) with its profile:
// administrators and the fund section. It returns Invalid naming the
// field (a profile with a missing column, an empty name).
func (s *Service) SaveBank(ctx context.Context, a *access.Actor, b Bank) (*Bank, error) {
	if err := MayApprove(a); err != nil {
		return nil, err
	}
	b.Code, b.Name = strings.TrimSpace(b.Code), strings.TrimSpace(b.Name)
	var f errs.Fields
	if b.Code == "" || len(b.Code) > 20 || !isCode(b.Code) {
		f.Add("code", "请填写银行代码（字母或数字，不超过20位）")
	}
	if b.Name == "" || utf8.RuneCountInString(b.Name) > 50 {
		f.Add("name", "请填写银行名称（不超过50字）")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := b.Profile.Check(); err != nil {
		return nil, err
	}
	prof, _ := json.Marshal(b.Profile)
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO payout_banks (code, name, profile, active, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET name = excluded.name, profile = excluded.profile,
			active = excluded.active, updated_by = excluded.updated_by, updated_at = excluded.updated_at,
			version = payout_banks.version + 1`, b.Code, b.Name, string(prof), b.Active, a.Name(), s.clock.Now())
		if err != nil {
			return errs.Wrap(err, "save bank")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.bank.save", Entity: "payout_bank", EntityID: b.Code,
			After: map[string]any{"name": b.Name, "profile": b.Profile, "active": b.Active}})
	})
	if err != nil {
		return nil, err
	}
	return s.BankByCode(ctx, s.db.Read(), b.Code)
}

func isCode(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// BankByCode returns an agent bank (NotFound).
func (s *Service) BankByCode(ctx context.Context, q db.Querier, code string) (*Bank, error) {
	banks, err := queryBanks(ctx, q, `WHERE code = $1`, code)
	if err != nil {
		return nil, err
	}
	if len(banks) == 0 {
		return nil, errs.NotFoundf("没有找到该代发银行")
	}
	return &banks[0], nil
}

// Banks lists the agent banks.
func (s *Service) Banks(ctx context.Context) ([]Bank, error) {
	return queryBanks(ctx, s.db.Read(), `ORDER BY id`)
}

// DemoProfiles are the two demo profiles: a CSV file in GBK with the
// control record first, and an XLSX workbook with it last.
func DemoProfiles() (csvGBK, xlsx Profile) {
	csvGBK = Profile{Format: "csv", Encoding: "gbk", Control: "first", PaidValue: "成功",
		Columns:       []string{"seq", "line_ref", "account_no", "account_name", "amount", "id_number", "memo"},
		ReturnColumns: []string{"line_ref", "account_no", "account_name", "amount", "result", "reason", "serial"}}
	xlsx = Profile{Format: "xlsx", Control: "last", PaidValue: "成功",
		Columns:       []string{"seq", "account_name", "account_no", "amount", "line_ref", "bank_name", "period", "memo"},
		ReturnColumns: []string{"line_ref", "account_no", "amount", "result", "reason", "serial"}}
	return
}
