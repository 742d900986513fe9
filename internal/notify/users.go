package notify

import (
	"context"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// UsersInSection returns the active staff accounts of a section, for
// notices addressed to a whole section (e.g. 工伤保险待遇科 on a new
// accident report).
func (s *Service) UsersInSection(ctx context.Context, sec access.Section) ([]int64, error) {
	return s.userIDs(ctx, `SELECT u.id FROM users u JOIN user_sections us ON us.user_id = u.id
		WHERE us.section = $1 AND u.disabled = FALSE ORDER BY u.id`, string(sec))
}

// UsersOfEmployer returns the active accounts of an employer.
func (s *Service) UsersOfEmployer(ctx context.Context, employerID int64) ([]int64, error) {
	return s.userIDs(ctx, `SELECT id FROM users WHERE employer_id = $1 AND disabled = FALSE ORDER BY id`, employerID)
}

// UsersOfPerson returns the active accounts of an insured person.
func (s *Service) UsersOfPerson(ctx context.Context, personID int64) ([]int64, error) {
	return s.userIDs(ctx, `SELECT id FROM users WHERE person_id = $1 AND disabled = FALSE ORDER BY id`, personID)
}

func (s *Service) userIDs(ctx context.Context, q string, arg any) ([]int64, error) {
	var out []int64
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		out = append(out, id)
		return nil
	}, q, arg)
	return out, errs.Wrap(err, "notify users")
}
