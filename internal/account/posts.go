package account

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Post is a staff member's position (职务) beyond the sections they work
// in: the head of a section, the head of the office, the agency head.
// Reporting chains (sensitive matters) and notifications to "the head"
// ask who holds a post.
type Post string

// The posts.
const (
	PostSectionHead Post = "section_head" // 科室负责人 (of one section)
	PostOfficeHead  Post = "office_head"  // 办公室主任
	PostAgencyHead  Post = "agency_head"  // 中心主任
)

// Posts lists every post in display order.
var Posts = []Post{PostSectionHead, PostOfficeHead, PostAgencyHead}

var postNames = map[Post]string{PostSectionHead: "科室负责人", PostOfficeHead: "办公室主任", PostAgencyHead: "中心主任"}

// Name is the Chinese name of the post.
func (p Post) Name() string {
	if n, ok := postNames[p]; ok {
		return n
	}
	return "未知职务"
}

// Valid reports whether p is a known post.
func (p Post) Valid() bool { _, ok := postNames[p]; return ok }

// Scoped reports whether the post belongs to one section.
func (p Post) Scoped() bool { return p == PostSectionHead }

// Holding is one post held: the post and, for a section head, the section.
type Holding struct {
	Post    Post
	Section access.Section
}

// Name is the post's Chinese name, with the section for a section head
// (统筹科负责人, not 统筹科科室负责人).
func (h Holding) Name() string {
	if h.Post.Scoped() {
		return h.Section.Name() + "负责人"
	}
	return h.Post.Name()
}

// Holders returns the active staff accounts holding post (of section for
// a section head; section is ignored otherwise). It checks no permission.
func (s *Service) Holders(ctx context.Context, q db.Querier, post Post, section access.Section) ([]int64, error) {
	if q == nil {
		q = s.db.Read()
	}
	if !post.Scoped() {
		section = ""
	}
	out, err := db.Collect(ctx, q, db.Scalar[int64], `SELECT p.user_id FROM staff_posts p JOIN users u ON u.id = p.user_id
		WHERE p.post = $1 AND p.section = $2 AND NOT u.disabled ORDER BY p.user_id`, string(post), string(section))
	return out, errs.Wrap(err, "post holders")
}

// PostsOf returns the posts a user holds. It checks no permission.
func (s *Service) PostsOf(ctx context.Context, q db.Querier, userID int64) ([]Holding, error) {
	if q == nil {
		q = s.db.Read()
	}
	var out []Holding
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var p, sec string
		if err := r.Scan(&p, &sec); err != nil {
			return err
		}
		out = append(out, Holding{Post: Post(p), Section: access.Section(sec)})
		return nil
	}, `SELECT post, section FROM staff_posts WHERE user_id = $1 ORDER BY post, section`, userID)
	return out, errs.Wrap(err, "posts")
}

// SetPost gives a staff account a post or takes it away (administrator
// only). Errors: Forbidden, Invalid (unknown post or section), NotFound.
func (s *Service) SetPost(ctx context.Context, a *access.Actor, userID int64, h Holding, grant bool) error {
	if err := a.RequireAdmin(); err != nil {
		return err
	}
	if !h.Post.Valid() {
		return fieldErr("post", "请选择职务")
	}
	if !h.Post.Scoped() {
		h.Section = ""
	} else if !h.Section.Valid() {
		return fieldErr("section", "科室负责人须选择所负责的科室")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		u, err := s.getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Role != access.RoleStaff && u.Role != access.RoleAdmin {
			return fieldErr("user_id", "只有经办人员可以担任职务")
		}
		if grant {
			_, err = tx.ExecContext(ctx, `INSERT INTO staff_posts (user_id, post, section) VALUES ($1,$2,$3)
				ON CONFLICT (user_id, post, section) DO NOTHING`, userID, string(h.Post), string(h.Section))
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM staff_posts WHERE user_id = $1 AND post = $2 AND section = $3`,
				userID, string(h.Post), string(h.Section))
		}
		if err != nil {
			return errs.Wrap(err, "set post")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.post", Entity: "user", EntityID: fmt.Sprint(userID),
			After: map[string]any{"post": string(h.Post), "section": string(h.Section), "granted": grant}})
	})
}

// Throttle counts one attempt of a public action (an anonymous filing, a
// tracking-code lookup …) by scope and client address with the login
// throttle's race-free counter (login_sources): at most limit attempts per
// IPWindow, shared by every server. message says in Chinese what was
// refused; the wait is appended. Errors: TooMany with the wait.
func (s *Service) Throttle(ctx context.Context, scope, source string, limit int, message string) error {
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		return reserveCounter(ctx, tx, scope+"|"+source, limit, now, func(wait time.Duration) error {
			e := errs.New(errs.TooMany, "throttled", message+"，请 "+waitText(max(wait, time.Second))+"后再试")
			e.RetryAfter = max(wait, time.Second)
			return e
		})
	})
}

func fieldErr(field, msg string) error {
	var f errs.Fields
	f.Add(field, msg)
	return f.Err()
}

// StaffPosts is a staff account and the posts it holds.
type StaffPosts struct {
	UserID      int64
	Username    string
	DisplayName string
	Sections    []access.Section
	Posts       []Holding
}

// ListPosts lists every active staff account with its sections and posts
// (administrator only). Errors: Forbidden.
func (s *Service) ListPosts(ctx context.Context, a *access.Actor) ([]StaffPosts, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	q := s.db.Read()
	rows, err := q.QueryContext(ctx, `SELECT id, username, display_name FROM users WHERE role IN ('staff', 'admin') AND NOT disabled ORDER BY username LIMIT 500`)
	if err != nil {
		return nil, errs.Wrap(err, "staff posts")
	}
	var out []StaffPosts
	for rows.Next() {
		var x StaffPosts
		if err := rows.Scan(&x.UserID, &x.Username, &x.DisplayName); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "staff posts")
		}
		out = append(out, x)
	}
	rows.Close()
	for i := range out {
		if out[i].Posts, err = s.PostsOf(ctx, q, out[i].UserID); err != nil {
			return nil, err
		}
		if out[i].Sections, err = loadSections(ctx, querierFor{q}, out[i].UserID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
