package recovery

import (
	"context"
	"database/sql"
	"io"
	"strconv"
	"strings"
	"time"

	"shebao/internal/sheet"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// PageSize is how many items one page of the register shows.
const PageSize = 50

// Overdue is the filter value for items past their deadline (open ones
// not yet handed over, and handed-over ones).
const Overdue Status = "overdue"

// Filter chooses items of the register. Zero values mean "all".
type Filter struct {
	EmergencyID int64
	Kind        Kind
	Section     access.Section
	Status      Status // a Status, or Overdue
	Q           string // a number (exact) or the start of a name
	Page        int    // from 1
	actor       *access.Actor
}

// Check validates the filter, naming the fields in Chinese.
func (f Filter) Check() error {
	var fe errs.Fields
	if f.Kind != "" && !f.Kind.Valid() {
		fe.Add("kind", "类别不在可选范围内")
	}
	if f.Section != "" && !f.Section.Valid() {
		fe.Add("section", "科室不在可选范围内")
	}
	if f.Status != "" && f.Status != Overdue && statusNames[f.Status] == "" {
		fe.Add("status", "状态不在可选范围内")
	}
	if len([]rune(f.Q)) > 60 {
		fe.Add("q", "查询内容不能超过 60 个字")
	}
	return fe.Err()
}

// Result is one page of the register with the counts of the filter
// (without its status).
type Result struct {
	Items  []Item
	Counts Counts
	Page   int
	More   bool
	Today  string
}

// where builds the conditions of f for a, numbering parameters from 1.
func where(a *access.Actor, f Filter, today string, withStatus bool) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v ...any) {
		for _, x := range v {
			args = append(args, x)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		conds = append(conds, cond)
	}
	if f.EmergencyID != 0 {
		add("emergency_id = ?", f.EmergencyID)
	}
	if f.Kind != "" {
		add("kind = ?", string(f.Kind))
	}
	if f.Section != "" {
		add("section = ?", string(f.Section))
	}
	if !SeesAll(a) {
		var ph []string
		var vs []any
		for _, s := range a.Sections {
			ph, vs = append(ph, "?"), append(vs, string(s))
		}
		if len(ph) == 0 {
			ph, vs = []string{"?"}, []any{""}
		}
		add("section IN ("+strings.Join(ph, ", ")+")", vs...)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		// The range lets both engines read the subject index; LIKE keeps
		// the match exact whatever the collation.
		add(`(ref = ? OR (subject >= ? AND subject < ? AND subject LIKE ? ESCAPE '\'))`,
			q, q, q+"\U0010FFFF", strings.TrimSuffix(db.Like(q), "%")[1:]+"%")
	}
	if withStatus {
		switch f.Status {
		case "":
		case Overdue:
			add("(status = 'handed_over' OR (status = 'open' AND deadline_on <> '' AND deadline_on < ?))", today)
		default:
			add("status = ?", string(f.Status))
		}
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

const selectItem = `SELECT id, emergency_id, kind, source_ref, section, party_kind, party_id, subject, subject_is_person, ref, detail,
	opened_on, deadline_on, status, made_up_on, handed_on, resolved_by, resolved_note, version FROM recovery_items`

func scanItem(r interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var person bool
	err := r.Scan(&it.ID, &it.EmergencyID, &it.Kind, &it.SourceRef, &it.Section, &it.PartyKind, &it.PartyID, &it.Subject, &person,
		&it.Ref, &it.Detail, &it.OpenedOn, &it.DeadlineOn, &it.Status, &it.MadeUpOn, &it.HandedOn, &it.ResolvedBy, &it.Note, &it.Version)
	it.Subject = displaySubject(it.Subject, person)
	return it, err
}

// List returns a page of the register for a (its sections' items; 审计科
// and 办公室 all), earliest deadline first. Errors: Unauthenticated,
// Forbidden, Invalid (filter).
func (s *Service) List(ctx context.Context, a *access.Actor, f Filter) (*Result, error) {
	if err := Can(a, See, nil); err != nil {
		return nil, err
	}
	if err := f.Check(); err != nil {
		return nil, err
	}
	res := &Result{Page: max(f.Page, 1), Today: s.today()}
	cond, args := where(a, f, res.Today, true)
	n := len(args)
	q := selectItem + cond + " ORDER BY deadline_on, id LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2)
	items, err := queryItems(ctx, s.db.Read(), q, append(args, PageSize+1, (res.Page-1)*PageSize)...)
	if err != nil {
		return nil, err
	}
	if len(items) > PageSize {
		items, res.More = items[:PageSize], true
	}
	res.Items = items
	res.Counts, err = s.counts(ctx, s.db.Read(), Filter{EmergencyID: f.EmergencyID, Kind: f.Kind, Section: f.Section, Q: f.Q, actor: a}, res.Today)
	return res, err
}

func queryItems(ctx context.Context, q db.Querier, query string, args ...any) ([]Item, error) {
	out, err := db.Collect(ctx, q, scanItem, query, args...)
	return out, errs.Wrap(err, "recovery list")
}

// counts counts the items of f by status: from recovery_counts (kept by
// every write) and one index range for the open items past their
// deadline; a search counts the matching items themselves.
func (s *Service) counts(ctx context.Context, q db.Querier, f Filter, today string) (Counts, error) {
	a := f.actor
	if a == nil {
		a = access.System
	}
	table := "recovery_counts"
	count := "SUM(n)"
	if strings.TrimSpace(f.Q) != "" {
		table, count = "recovery_items", "COUNT(*)"
	}
	cond, args := where(a, f, today, false)
	var c Counts
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var st Status
		var k int
		if err := r.Scan(&st, &k); err != nil {
			return err
		}
		c.Total += k
		switch st {
		case Open:
			c.Open = k
		case MadeUp:
			c.MadeUp = k
		case HandedOver:
			c.HandedOver = k
		case Resolved:
			c.Resolved = k
		}
		return nil
	}, `SELECT status, `+count+` FROM `+table+cond+` GROUP BY status`, args...)
	if err != nil {
		return c, errs.Wrap(err, "recovery counts")
	}
	late, err := s.lateOpen(ctx, q, a, f, today)
	c.Overdue = c.HandedOver + late
	return c, err
}

// lateOpen counts the open items of f whose deadline has passed (those
// the next hand-over takes): one range of recovery_items_status.
func (s *Service) lateOpen(ctx context.Context, q db.Querier, a *access.Actor, f Filter, today string) (int, error) {
	f.Status = Open
	cond, args := where(a, f, today, true)
	n := strconv.Itoa(len(args) + 1)
	var k int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_items`+cond+` AND deadline_on <> '' AND deadline_on < $`+n,
		append(args, today)...).Scan(&k)
	return k, errs.Wrap(err, "recovery counts")
}

// Get returns one item for a. Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*Item, error) {
	if err := Can(a, See, nil); err != nil {
		return nil, err
	}
	it, err := getItem(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	return it, Can(a, See, it)
}

func getItem(ctx context.Context, q db.Querier, id int64) (*Item, error) {
	it, err := scanItem(q.QueryRowContext(ctx, selectItem+` WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有找到这条延期业务记录")
	}
	if err != nil {
		return nil, errs.Wrap(err, "recovery item")
	}
	return &it, nil
}

// Resolve records what the section did with a handed-over item (staff of
// the item's section). Errors: Forbidden, NotFound, Invalid (note),
// Conflict (stale version, or the item is not handed over).
func (s *Service) Resolve(ctx context.Context, a *access.Actor, id, version int64, note string) (*Item, error) {
	if err := Can(a, Resolve, nil); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	var fe errs.Fields
	switch n := len([]rune(note)); {
	case n == 0:
		fe.Add("note", "请填写处置情况")
	case n > 500:
		fe.Add("note", "处置情况不能超过 500 个字")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *Item
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		it, err := getItem(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := Can(a, Resolve, it); err != nil {
			return err
		}
		if it.Version != version {
			return errs.StaleVersion()
		}
		if it.Status != HandedOver {
			return errs.New(errs.Conflict, "not_handed_over", "只有逾期未补办、已移交科室的事项才能登记处置结果")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE recovery_items SET status = 'resolved', resolved_by = $1, resolved_note = $2,
			updated_at = $3, version = version + 1 WHERE id = $4`, a.Name(), note, s.clock.Now(), id); err != nil {
			return errs.Wrap(err, "recovery resolve")
		}
		before := it.Status
		if err := moveCount(ctx, tx, *it, Resolved); err != nil {
			return err
		}
		it.Status, it.ResolvedBy, it.Note, it.Version = Resolved, a.Name(), note, it.Version+1
		out = it
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "recovery.resolve", Entity: "recovery_item",
			EntityID: strconv.FormatInt(id, 10), Before: map[string]any{"status": before},
			After: map[string]any{"status": Resolved, "note": note}})
	})
	return out, err
}

// ProgressDay is one day's recorded progress of an ended emergency.
type ProgressDay struct {
	Day                                         string
	Open, MadeUp, Overdue, HandedOver, Resolved int
	TakenAt                                     time.Time
}

// Progress returns the recorded daily progress of an emergency, newest
// first (at most 120 days). Errors: Unauthenticated, Forbidden.
func (s *Service) Progress(ctx context.Context, a *access.Actor, emergencyID int64) ([]ProgressDay, error) {
	if err := Can(a, See, nil); err != nil {
		return nil, err
	}
	var out []ProgressDay
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var p ProgressDay
		if err := r.Scan(&p.Day, &p.Open, &p.MadeUp, &p.Overdue, &p.HandedOver, &p.Resolved, &p.TakenAt); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	}, `SELECT day, open_count, made_up, overdue, handed_over, resolved, taken_at
		FROM recovery_progress WHERE emergency_id = $1 ORDER BY day DESC LIMIT 120`, emergencyID)
	return out, errs.Wrap(err, "recovery progress")
}

// Summary returns today's counts of the register for a (every section for
// 审计科, 办公室 and the dashboards; a's sections otherwise).
func (s *Service) Summary(ctx context.Context, a *access.Actor, f Filter) (Counts, error) {
	if err := Can(a, See, nil); err != nil {
		return Counts{}, err
	}
	f.actor = a
	return s.counts(ctx, s.db.Read(), f, s.today())
}

// ExportLimit bounds one export.
const ExportLimit = 500_000

// Export writes the items of f (every page) as an .xlsx workbook to w.
// Errors: Unauthenticated, Forbidden, Invalid.
func (s *Service) Export(ctx context.Context, a *access.Actor, f Filter, w io.Writer) error {
	if err := Can(a, See, nil); err != nil {
		return err
	}
	if err := f.Check(); err != nil {
		return err
	}
	today := s.today()
	cond, args := where(a, f, today, true)
	rows, err := s.db.Read().QueryContext(ctx, selectItem+cond+" ORDER BY deadline_on, id LIMIT "+strconv.Itoa(ExportLimit), args...)
	if err != nil {
		return errs.Wrap(err, "recovery export")
	}
	defer rows.Close()
	x := sheet.NewExport()
	if err := x.Sheet("延期业务登记", []string{"类别", "经办科室", "对象", "编号", "事项", "登记日期", "补办期限", "剩余天数", "状态",
		"补办日期", "移交日期", "处置情况"}, 22, 14, 24, 22, 40, 12, 12, 10, 22, 12, 12, 30); err != nil {
		return errs.Wrap(err, "recovery export")
	}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return errs.Wrap(err, "recovery export")
		}
		left := ""
		if d, ok := it.DaysLeft(today); ok && (it.Status == Open) {
			left = strconv.Itoa(d)
		}
		if err := x.Row(it.Kind.Name(), it.Section.Name(), it.Subject, it.Ref, it.Detail, it.OpenedOn, deadlineText(it.DeadlineOn),
			left, it.StatusText(today), it.MadeUpOn, it.HandedOn, it.Note); err != nil {
			return errs.Wrap(err, "recovery export")
		}
	}
	if err := rows.Err(); err != nil {
		return errs.Wrap(err, "recovery export")
	}
	_, err = x.WriteTo(w)
	return errs.Wrap(err, "recovery export")
}

func deadlineText(d string) string {
	if d == "" {
		return "应急期结束后确定"
	}
	return d
}

// StatusText is the item's status on day, saying "逾期未补办" for an open
// item past its deadline not yet handed over.
func (it Item) StatusText(day string) string {
	if it.Status == Open && it.Overdue(day) {
		return "逾期未补办（待移交）"
	}
	return it.Status.Name()
}
