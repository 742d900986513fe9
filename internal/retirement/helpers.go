package retirement

import (
	"context"
	"database/sql"
	"strconv"

	"shebao/internal/db"
	"shebao/internal/notify"
)

func parseInt(s string) (int, error) { return strconv.Atoi(s) }

func isUnique(err error) bool { return err != nil && db.IsUniqueViolation(err) }

// notifyAccounts queues a notice to every active account of an employer
// (col employer_id) or a person (person_id), inside tx.
func (s *Service) notifyAccounts(ctx context.Context, tx *sql.Tx, col string, id int64, subject, body, kind string) {
	if s.notify == nil || id == 0 {
		return
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE `+col+` = $1 AND disabled = FALSE ORDER BY id`, id)
	if err != nil {
		return
	}
	var ids []int64
	for rows.Next() {
		var u int64
		if rows.Scan(&u) == nil {
			ids = append(ids, u)
		}
	}
	rows.Close()
	n, ok := s.notify.(interface {
		NotifyTx(ctx context.Context, q db.Querier, to notify.Recipient, m notify.Message) error
	})
	for _, u := range ids {
		m := notify.Message{Subject: subject, Body: body, Kind: kind}
		if ok {
			_ = n.NotifyTx(ctx, tx, notify.Recipient{UserID: u}, m)
		} else {
			_ = s.notify.Notify(ctx, notify.Recipient{UserID: u}, m)
		}
	}
}
