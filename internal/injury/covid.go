package injury

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// CovidItem is a drug or service of the national COVID-19 diagnosis and
// treatment plan, payable in full from ValidFrom to ValidTo (empty: open).
type CovidItem struct {
	ID        int64
	Code      string
	Name      string
	ValidFrom string
	ValidTo   string
	Basis     string
}

// CovidItemInput adds an item to the dated list.
type CovidItemInput struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
	Basis     string `json:"basis"`
}

// AddCovidItem adds a covered item. 工伤保险待遇科 only. Errors: Forbidden,
// Invalid (fields; an overlapping period of the same code).
// The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) AddCovidItem(ctx context.Context, a *access.Actor, in CovidItemInput) (*CovidItem, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	it := CovidItem{Code: strings.TrimSpace(in.Code), Name: strings.TrimSpace(in.Name), ValidFrom: strings.TrimSpace(in.ValidFrom),
		ValidTo: strings.TrimSpace(in.ValidTo), Basis: strings.TrimSpace(in.Basis)}
	var f errs.Fields
	if it.Code == "" || utf8.RuneCountInString(it.Code) > 40 {
		f.Add("code", "请填写项目编码（40 个字符以内）")
	}
	if it.Name == "" || utf8.RuneCountInString(it.Name) > 100 {
		f.Add("name", "请填写药品或诊疗项目名称（100 字以内）")
	}
	if _, err := clock.ParseDate(it.ValidFrom); err != nil {
		f.Add("valid_from", "请填写起始日期，如 2020-01-20")
	}
	if it.ValidTo != "" {
		if _, err := clock.ParseDate(it.ValidTo); err != nil || it.ValidTo < it.ValidFrom {
			f.Add("valid_to", "截止日期格式应为 2020-12-31，且不早于起始日期")
		}
	}
	if utf8.RuneCountInString(it.Basis) > 200 {
		f.Add("basis", "依据不能超过 200 字")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var n int
		to := it.ValidTo
		if to == "" {
			to = "9999-12-31"
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM injury_covid_items WHERE code = $1 AND valid_from <= $2
			AND (valid_to = '' OR valid_to >= $3)`, it.Code, to, it.ValidFrom).Scan(&n); err != nil {
			return errs.Wrap(err, "covid items")
		}
		if n > 0 {
			f.Add("code", "该编码在此期间已在覆盖目录中")
			return f.Err()
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO injury_covid_items (code, name, valid_from, valid_to, basis, created_by,
			created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, it.Code, it.Name, it.ValidFrom, it.ValidTo, it.Basis,
			a.UserID, s.clock.Now().UTC()).Scan(&it.ID); err != nil {
			return errs.Wrap(err, "add covid item")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.covid_item.add", Entity: "injury_covid_item",
			EntityID: strconv.FormatInt(it.ID, 10), After: in})
	})
	s.covered.clear()
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// EndCovidItem ends an item's validity on the given day (not before its
// start). Errors: Forbidden, NotFound, Invalid.
func (s *Service) EndCovidItem(ctx context.Context, a *access.Actor, id int64, day string) error {
	if err := a.RequireSection(access.Injury); err != nil {
		return err
	}
	defer s.covered.clear()
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var from, to string
		err := tx.QueryRowContext(ctx, `SELECT valid_from, valid_to FROM injury_covid_items WHERE id = $1`, id).Scan(&from, &to)
		if db.IsNoRows(err) {
			return errs.NotFoundf("没有该覆盖项目")
		}
		if err != nil {
			return errs.Wrap(err, "covid item")
		}
		if _, perr := clock.ParseDate(day); perr != nil || day < from {
			var f errs.Fields
			f.Add("valid_to", "截止日期格式应为 2020-12-31，且不早于起始日期 "+from)
			return f.Err()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE injury_covid_items SET valid_to = $2 WHERE id = $1`, id, day); err != nil {
			return errs.Wrap(err, "end covid item")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.covid_item.end", Entity: "injury_covid_item",
			EntityID: strconv.FormatInt(id, 10), Before: map[string]any{"valid_to": to}, After: map[string]any{"valid_to": day}})
	})
}

// CovidItems lists the covered items, by code.
func (s *Service) CovidItems(ctx context.Context, a *access.Actor) ([]CovidItem, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	var out []CovidItem
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var it CovidItem
		if err := r.Scan(&it.ID, &it.Code, &it.Name, &it.ValidFrom, &it.ValidTo, &it.Basis); err != nil {
			return err
		}
		out = append(out, it)
		return nil
	}, `SELECT id, code, name, valid_from, valid_to, basis FROM injury_covid_items
		ORDER BY code, valid_from LIMIT 5000`)
	return out, errs.Wrap(err, "covid items")
}
