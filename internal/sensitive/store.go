package sensitive

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"shebao/internal/account"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

const columns = `m.id, m.no, m.subject_kind, m.subject_ref, m.title, m.reason, m.section, m.chain, m.level, m.status, m.due_at,
	m.flagged_by, COALESCE(u.display_name, u.username, ''), m.flagged_at, m.closed_at, m.version`

const from = ` FROM sensitive_matters m LEFT JOIN users u ON u.id = m.flagged_by`

func scan(r interface{ Scan(...any) error }) (*Matter, error) {
	var m Matter
	var chain string
	var due, closed sql.NullTime
	err := r.Scan(&m.ID, &m.No, &m.SubjectKind, &m.SubjectRef, &m.Title, &m.Reason, &m.Section, &chain, &m.Level, &m.Status,
		&due, &m.FlaggedBy, &m.FlaggedName, &m.FlaggedAt, &closed, &m.Version)
	if err != nil {
		return nil, err
	}
	if m.Chain, err = ParseChain(chain); err != nil {
		return nil, err
	}
	if due.Valid {
		m.DueAt = &due.Time
	}
	if closed.Valid {
		m.ClosedAt = &closed.Time
	}
	return &m, nil
}

func byID(ctx context.Context, q db.Querier, id int64) (*Matter, error) {
	m, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE m.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.New(errs.NotFound, "sensitive_not_found", "未找到该重大敏感事项")
	}
	return m, errs.Wrap(err, "sensitive matter")
}

func list(ctx context.Context, q db.Querier, where string, args ...any) ([]*Matter, error) {
	out, err := db.Collect(ctx, q, scan, `SELECT `+columns+from+` WHERE `+where+` ORDER BY m.flagged_at DESC, m.id DESC LIMIT 500`, args...)
	return out, errs.Wrap(err, "sensitive matters")
}

func insertMatter(ctx context.Context, tx *sql.Tx, m *Matter) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO sensitive_matters (no, subject_kind, subject_ref, title, reason, section, chain, level,
		status, due_at, flagged_by, flagged_at) VALUES ($1,$2,$3,$4,$5,$6,$7,0,'open',$8,$9,$10) RETURNING id`,
		"tmp-"+strconv.FormatInt(m.FlaggedAt.UnixNano(), 36)+"-"+strconv.FormatInt(m.FlaggedBy, 10), m.SubjectKind, m.SubjectRef,
		m.Title, m.Reason, string(m.Section), m.Chain.String(), m.DueAt, m.FlaggedBy, m.FlaggedAt).Scan(&m.ID)
	if err != nil {
		return errs.Wrap(err, "insert sensitive matter")
	}
	n := strconv.FormatInt(m.ID, 10)
	m.No = "ZD" + m.FlaggedAt.In(clock.Shanghai).Format("2006") + strings.Repeat("0", max(0, 5-len(n))) + n
	_, err = tx.ExecContext(ctx, `UPDATE sensitive_matters SET no = $2 WHERE id = $1`, m.ID, m.No)
	m.Version = 1
	return errs.Wrap(err, "number sensitive matter")
}

func insertStep(ctx context.Context, tx *sql.Tx, matterID int64, level int, post account.Post, reached, due time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sensitive_steps (matter_id, level, post, reached_at, due_at) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (matter_id, level) DO NOTHING`, matterID, level, string(post), reached, due)
	return errs.Wrap(err, "sensitive step")
}

func steps(ctx context.Context, q db.Querier, m *Matter) ([]Step, error) {
	var out []Step
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var st Step
		var ack sql.NullTime
		if err := r.Scan(&st.Level, &st.Post, &st.ReachedAt, &st.DueAt, &st.AckBy, &st.AckName, &ack, &st.Instruction, &st.Overdue); err != nil {
			return err
		}
		if ack.Valid {
			st.AcknowledgedAt = &ack.Time
		}
		st.PostName = postName(st.Post, m.Section)
		out = append(out, st)
		return nil
	}, `SELECT s.level, s.post, s.reached_at, s.due_at, s.acknowledged_by,
		COALESCE(u.display_name, u.username, ''), s.acknowledged_at, s.instruction, s.overdue
		FROM sensitive_steps s LEFT JOIN users u ON u.id = s.acknowledged_by WHERE s.matter_id = $1 ORDER BY s.level`, m.ID)
	return out, errs.Wrap(err, "sensitive steps")
}

// subjectExists checks the flagged case or complaint.
func subjectExists(ctx context.Context, q db.Querier, kind, ref string) bool {
	var n int
	var err error
	switch kind {
	case SubjectCase:
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE case_no = $1`, ref).Scan(&n)
	case SubjectComplaint:
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM complaints WHERE no = $1`, ref).Scan(&n)
	default:
		return true
	}
	return err == nil && n > 0
}
