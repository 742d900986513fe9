package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/logredact"
)

// Filter narrows a search. Empty fields do not filter.
type Filter struct {
	Actor    string    // username, exact
	Action   string    // action prefix, e.g. "employer." (case-insensitive)
	Entity   string    // entity, exact
	EntityID string    // entity id, exact
	From     time.Time // first Shanghai calendar date (as from clock.ParseDate), inclusive
	To       time.Time // last Shanghai calendar date, inclusive
	Text     string    // words in the note (case-insensitive substring)
}

// Page selects a slice of the newest-first results.
type Page struct {
	Limit  int // 0 means DefaultLimit; more than MaxLimit is cut to MaxLimit
	Offset int
}

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// maxFilterLen bounds every text filter, in characters.
const maxFilterLen = 100

// validate returns an Invalid error naming the fields that are wrong.
func (f Filter) validate(p Page) error {
	var fe errs.Fields
	for _, x := range []struct{ field, v string }{
		{"actor", f.Actor}, {"action", f.Action}, {"entity", f.Entity}, {"entity_id", f.EntityID}, {"q", f.Text},
	} {
		if utf8.RuneCountInString(x.v) > maxFilterLen {
			fe.Add(x.field, fmt.Sprintf("不能超过 %d 个字", maxFilterLen))
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && clock.DateOf(f.To).Before(clock.DateOf(f.From)) {
		fe.Add("to", "结束日期不能早于开始日期")
	}
	if p.Limit < 0 {
		fe.Add("limit", "每页条数不能为负数")
	}
	if p.Offset < 0 {
		fe.Add("offset", "起始位置不能为负数")
	}
	return fe.Err()
}

// where builds the WHERE clause and its arguments.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Actor != "" {
		add("actor_username = $%d", f.Actor)
	}
	if f.Action != "" {
		add(`LOWER(action) LIKE $%d ESCAPE '\'`, strings.ToLower(strings.TrimPrefix(db.Like(f.Action), "%")))
	}
	if f.Entity != "" {
		add("entity = $%d", f.Entity)
	}
	if f.EntityID != "" {
		add("entity_id = $%d", f.EntityID)
	}
	if !f.From.IsZero() {
		add("at >= $%d", clock.DateOf(f.From).UTC())
	}
	if !f.To.IsZero() {
		add("at < $%d", clock.DateOf(f.To).AddDate(0, 0, 1).UTC())
	}
	if f.Text != "" {
		add(`LOWER(note) LIKE $%d ESCAPE '\'`, strings.ToLower(db.Like(f.Text)))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Search returns the entries matching f, newest first, one page of them,
// and how many match in all. Only staff of the audit section (审计科) and
// administrators may search. ID numbers and phone numbers are masked in the
// results. It returns Unauthenticated, Forbidden, Invalid (with fields
// actor, action, entity, entity_id, q, to, limit, offset) or Internal errors.
func (s *Service) Search(ctx context.Context, a *access.Actor, f Filter, p Page) ([]Record, int64, error) {
	if err := a.RequireSection(access.Audit); err != nil {
		return nil, 0, err
	}
	if err := f.validate(p); err != nil {
		return nil, 0, err
	}
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	p.Limit = min(p.Limit, MaxLimit)
	where, args := f.where()
	var total int64
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "audit count")
	}
	n := len(args)
	rows, err := s.db.Read().QueryContext(ctx,
		fmt.Sprintf(`SELECT %s FROM audit_log%s ORDER BY seq DESC LIMIT $%d OFFSET $%d`, columns, where, n+1, n+2),
		append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "audit search")
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, 0, errs.Wrap(err, "audit search")
		}
		out = append(out, masked(r))
	}
	if err := rows.Err(); err != nil {
		return nil, 0, errs.Wrap(err, "audit search")
	}
	return out, total, nil
}

// Get returns entry seq, masked like Search results. Only staff of the audit
// section and administrators may read it. It returns Unauthenticated,
// Forbidden, NotFound or Internal errors.
func (s *Service) Get(ctx context.Context, a *access.Actor, seq int64) (Record, error) {
	if err := a.RequireSection(access.Audit); err != nil {
		return Record{}, err
	}
	r, err := scanRecord(s.db.Read().QueryRowContext(ctx, `SELECT `+columns+` FROM audit_log WHERE seq = $1`, seq))
	if db.IsNoRows(err) {
		return Record{}, errs.NotFoundf("没有第 %d 条审计记录", seq)
	}
	if err != nil {
		return Record{}, errs.Wrap(err, "audit get")
	}
	return masked(r), nil
}

// masked returns r with ID and phone numbers masked for display, as a
// second line of defence behind the callers' own masking.
func masked(r Record) Record {
	r.ActorUsername = logredact.Text(r.ActorUsername)
	r.EntityID = logredact.Text(r.EntityID)
	r.Before = json.RawMessage(logredact.JSON(string(r.Before)))
	r.After = json.RawMessage(logredact.JSON(string(r.After)))
	r.Note = logredact.Text(r.Note)
	r.RequestID = logredact.Text(r.RequestID) // clients may send their own
	return r
}
