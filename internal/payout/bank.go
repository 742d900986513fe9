package payout

import (
	"context"
	"encoding/json"
	"strings"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// Bank is an agent bank (代发银行) and its file profile.
type Bank struct {
	ID      int64   `json:"id"`
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	Profile Profile `json:"profile"`
	Active  bool    `json:"active"`
	Version int64   `json:"version"`
}

// Short is the bank's name without a leading 中国 (中国工商银行 → 工商银行).
func (b *Bank) Short() string {
	s := strings.TrimPrefix(b.Name, "中国")
	if s == "" {
		return b.Name
	}
	return s
}

// Profile is the layout of an agent bank's payment and return files.
type Profile struct {
	Format   string   `json:"format"`   // csv | xlsx
	Encoding string   `json:"encoding"` // gbk | utf-8 (csv only)
	Columns  []string `json:"columns"`  // payment file columns, see FileColumns
	// Control is where the control record (count and total) goes: "first"
	// (a line before the header) or "last" (after the lines).
	Control string `json:"control"`
	// ReturnColumns are the return file's columns, see ReturnFileColumns.
	ReturnColumns []string `json:"return_columns"`
	// PaidValue is the result column's value for a paid line ("成功");
	// anything else is a failure.
	PaidValue string `json:"paid_value"`
}

// FormatName is the file format of the profile in Chinese, for pages.
func (p *Profile) FormatName() string {
	switch {
	case p.Format == "xlsx":
		return "Excel表格"
	case p.Encoding == "gbk":
		return "文本表格，国标编码"
	}
	return "文本表格，通用编码"
}

func activeBanks(ctx context.Context, q db.Querier) ([]Bank, error) {
	return queryBanks(ctx, q, `WHERE active ORDER BY id`)
}

func queryBanks(ctx context.Context, q db.Querier, where string, args ...any) ([]Bank, error) {
	var out []Bank
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var b Bank
		var prof string
		if err := r.Scan(&b.ID, &b.Code, &b.Name, &prof, &b.Active, &b.Version); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(prof), &b.Profile); err != nil {
			return errs.Wrap(err, "bank profile "+b.Code)
		}
		out = append(out, b)
		return nil
	}, `SELECT id, code, name, profile, active, version FROM payout_banks `+where, args...)
	return out, errs.Wrap(err, "list banks")
}
