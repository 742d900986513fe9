package account

import (
	"context"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// DisplayNames returns the display name of each of the given usernames
// that has an account with one, in one query (no permission check: pages
// name whoever did something by the name the account was given, never by
// its login). Usernames without an account or without a name are left
// out of the map.
func (s *Service) DisplayNames(ctx context.Context, usernames []string) (map[string]string, error) {
	out := map[string]string{}
	seen := map[string]bool{}
	var args []any
	for _, u := range usernames {
		if u != "" && !seen[u] {
			seen[u] = true
			args = append(args, u)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var u, name string
		if err := r.Scan(&u, &name); err != nil {
			return err
		}
		out[u] = name
		return nil
	}, `SELECT username, display_name FROM users
		WHERE username IN (`+s.db.Dialect.Params(len(args))+`) AND display_name <> ''`, args...)
	return out, errs.Wrap(err, "display names")
}
