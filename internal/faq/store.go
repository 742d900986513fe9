package faq

import (
	"context"
	"database/sql"
	"sort"
	"strconv"
	"strings"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

const cols = `id, question, answer, category, section, keywords, valid_from, valid_until, status, checked_on, updated_at, version`

func scan(row interface{ Scan(...any) error }) (*FAQ, error) {
	var f FAQ
	if err := row.Scan(&f.ID, &f.Question, &f.Answer, &f.Category, &f.Section, &f.Keywords, &f.ValidFrom, &f.ValidUntil,
		&f.Status, &f.CheckedOn, &f.UpdatedAt, &f.Version); err != nil {
		return nil, err
	}
	f.UpdatedAt = f.UpdatedAt.UTC()
	return &f, nil
}

func byID(ctx context.Context, q db.Querier, id int64) (*FAQ, error) {
	f, err := scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM faqs WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有这条常见问题")
	}
	if err != nil {
		return nil, errs.Wrap(err, "faq")
	}
	if err := loadNotices(ctx, q, []*FAQ{f}); err != nil {
		return nil, err
	}
	return f, nil
}

// byIDs loads answers in the order of ids.
func byIDs(ctx context.Context, q db.Querier, ids []int64) ([]FAQ, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ph, args := placeholders(ids, 0)
	got := map[int64]*FAQ{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		f, err := scan(r)
		if err != nil {
			return err
		}
		got[f.ID] = f
		return nil
	}, `SELECT `+cols+` FROM faqs WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "faqs")
	}
	out := make([]FAQ, 0, len(ids))
	ptrs := make([]*FAQ, 0, len(ids))
	for _, id := range ids {
		if f := got[id]; f != nil {
			out = append(out, *f)
		}
	}
	for i := range out {
		ptrs = append(ptrs, &out[i])
	}
	return out, loadNotices(ctx, q, ptrs)
}

// loadNotices fills NoticeIDs.
func loadNotices(ctx context.Context, q db.Querier, list []*FAQ) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	idx := map[int64]*FAQ{}
	for i, f := range list {
		ids[i], idx[f.ID] = f.ID, f
		f.NoticeIDs = []int64{}
	}
	ph, args := placeholders(ids, 0)
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var f, n int64
		if err := r.Scan(&f, &n); err != nil {
			return err
		}
		idx[f].NoticeIDs = append(idx[f].NoticeIDs, n)
		return nil
	}, `SELECT faq_id, notice_id FROM faq_notices WHERE faq_id IN (`+ph+`) ORDER BY faq_id, notice_id`, args...)
	return errs.Wrap(err, "faq notices")
}

// placeholders returns "$k+1, $k+2 …" for the values and the values as args.
func placeholders[T any](vals []T, k int) (string, []any) {
	var b strings.Builder
	args := make([]any, len(vals))
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(k+i+1))
		args[i] = v
	}
	return b.String(), args
}

// insertFAQ writes a new answer with its links and index.
func insertFAQ(ctx context.Context, tx *sql.Tx, in *Input, status Status, checkedOn, seedKey string, now time.Time) (int64, error) {
	var key any
	if seedKey != "" {
		key = seedKey
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO faqs (question, answer, category, section, keywords, valid_from, valid_until,
		status, checked_on, seed_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
		in.Question, in.Answer, string(in.Category), string(in.Section), in.Keywords, in.ValidFrom, in.ValidUntil,
		string(status), checkedOn, key, now).Scan(&id)
	if err != nil {
		return 0, errs.Wrap(err, "insert faq")
	}
	return id, writeLinksAndIndex(ctx, tx, id, in)
}

// writeLinksAndIndex replaces the notice links and the search index of id.
func writeLinksAndIndex(ctx context.Context, tx *sql.Tx, id int64, in *Input) error {
	for _, q := range []string{`DELETE FROM faq_notices WHERE faq_id = $1`, `DELETE FROM faq_grams WHERE faq_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return errs.Wrap(err, "clear faq index")
		}
	}
	for _, n := range in.noticeIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO faq_notices (faq_id, notice_id) VALUES ($1, $2)`, id, n); err != nil {
			return errs.Wrap(err, "faq notice link")
		}
	}
	return insertGrams(ctx, tx, id, gramWeights(in.Question, in.Keywords, in.Answer))
}

// gramRows bounds the rows of one multi-row INSERT of index terms.
const gramRows = 500

func insertGrams(ctx context.Context, tx *sql.Tx, id int64, m map[string]int) error {
	keys := make([]string, 0, len(m))
	for g := range m {
		keys = append(keys, g)
	}
	sort.Strings(keys)
	for len(keys) > 0 {
		n := min(len(keys), gramRows)
		var b strings.Builder
		args := make([]any, 0, 2*n+1)
		args = append(args, id)
		b.WriteString(`INSERT INTO faq_grams (gram, faq_id, weight) VALUES `)
		for i, g := range keys[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			args = append(args, g, m[g])
			b.WriteString("($" + strconv.Itoa(len(args)-1) + ", $1, $" + strconv.Itoa(len(args)) + ")")
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return errs.Wrap(err, "faq index")
		}
		keys = keys[n:]
	}
	return nil
}

// noticesExist returns the ids among ids that name no notice.
func noticesExist(ctx context.Context, q db.Querier, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ph, args := placeholders(ids, 0)
	rows, err := q.QueryContext(ctx, `SELECT id FROM notices WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "notices")
	}
	defer rows.Close()
	have := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Wrap(err, "notices")
		}
		have[id] = true
	}
	var missing []int64
	for _, id := range ids {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	return missing, errs.Wrap(rows.Err(), "notices")
}
