package notice

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

const cols = `id, title, body, category, pinned, status, published_at, expires_at, author_name, created_at, updated_at, version`

func scan(row interface{ Scan(...any) error }) (*Notice, error) {
	var n Notice
	var pub, exp sql.NullTime
	if err := row.Scan(&n.ID, &n.Title, &n.Body, &n.Category, &n.Pinned, &n.Status, &pub, &exp, &n.AuthorName,
		&n.CreatedAt, &n.UpdatedAt, &n.Version); err != nil {
		return nil, err
	}
	if pub.Valid {
		t := pub.Time.UTC()
		n.PublishedAt = &t
	}
	if exp.Valid {
		t := exp.Time.UTC()
		n.ExpiresAt = &t
	}
	n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	return &n, nil
}

func byID(ctx context.Context, q db.Querier, id int64) (*Notice, error) {
	n, err := scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM notices WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有这条公告")
	}
	return n, errs.Wrap(err, "notice")
}

// Get returns a notice: to 办公室 staff whatever its status, to everyone
// else only while it is published and not expired.
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*Notice, error) {
	n, err := byID(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	if !n.Visible(s.clock.Now()) && !a.In(access.Office) {
		return nil, errs.NotFoundf("没有这条公告，或已撤回、已过期")
	}
	return n, nil
}

// Query filters a list. Page counts from 1.
type Query struct {
	Category Category
	Q        string // words in the title or body
	Status   Status // staff list only; "" = all
	Page     int
}

// where builds the filter shared by both lists.
func (q Query) where(args []any) (string, []any) {
	var conds []string
	if q.Category != "" {
		args = append(args, string(q.Category))
		conds = append(conds, "category = $"+strconv.Itoa(len(args)))
	}
	if s := strings.TrimSpace(q.Q); s != "" {
		args = append(args, db.Like(s))
		n := strconv.Itoa(len(args))
		conds = append(conds, `(title LIKE $`+n+` ESCAPE '\' OR body LIKE $`+n+` ESCAPE '\')`)
	}
	if q.Status != "" {
		args = append(args, string(q.Status))
		conds = append(conds, "status = $"+strconv.Itoa(len(args)))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " AND " + strings.Join(conds, " AND "), args
}

// List returns a page of the published notices (pinned first, newest
// first) and the total matching.
func (s *Service) List(ctx context.Context, q Query) ([]Notice, int, error) {
	q.Status = ""
	now := s.clock.Now()
	w, args := q.where([]any{now})
	return s.page(ctx, `status = 'published' AND published_at <= $1 AND (expires_at IS NULL OR expires_at > $1)`+w,
		`pinned DESC, published_at DESC, id DESC`, args, q.Page, PageSize)
}

// Latest returns up to n published notices for the home page, pinned first.
func (s *Service) Latest(ctx context.Context, n int) ([]Notice, error) {
	list, _, err := s.page(ctx, `status = 'published' AND published_at <= $1 AND (expires_at IS NULL OR expires_at > $1)`,
		`pinned DESC, published_at DESC, id DESC`, []any{s.clock.Now()}, 1, n)
	return list, err
}

// StaffList returns a page of every notice for 办公室, newest change first.
func (s *Service) StaffList(ctx context.Context, a *access.Actor, q Query) ([]Notice, int, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, 0, err
	}
	w, args := q.where(nil)
	return s.page(ctx, `1 = 1`+w, `updated_at DESC, id DESC`, args, q.Page, PageSize)
}

func (s *Service) page(ctx context.Context, where, order string, args []any, page, size int) ([]Notice, int, error) {
	if page < 1 {
		page = 1
	}
	var total int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM notices WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "count notices")
	}
	n := len(args)
	args = append(args, size, (page-1)*size)
	var out []Notice
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		x, err := scan(r)
		if err != nil {
			return err
		}
		out = append(out, *x)
		return nil
	}, `SELECT `+cols+` FROM notices WHERE `+where+` ORDER BY `+order+
		` LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2), args...)
	return out, total, errs.Wrap(err, "notices")
}
