package casework

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// farFuture is sort_at for cases without a deadline: they sort last.
var farFuture = time.Date(2999, 12, 31, 0, 0, 0, 0, time.UTC)

const caseColumns = `id, case_no, type, section, state, applicant_kind, COALESCE(employer_id, 0), COALESCE(person_id, 0),
	applicant_name, applicant_email, applicant_phone, channel, recorded_by, recorded_name, assignee_id, assignee_name,
	title, summary, data, deadline_at, deadline_rule, late, late_by, deferred, owing, submitted_at, decided_at,
	closed_at, updated_at, version`

type scanner interface{ Scan(...any) error }

func scanCase(r scanner) (*Case, error) {
	c := &Case{}
	var data string
	var deadline, decided, closed sql.NullTime
	err := r.Scan(&c.ID, &c.No, &c.Type, &c.Section, &c.State, &c.Applicant.Kind, &c.Applicant.EmployerID,
		&c.Applicant.PersonID, &c.Applicant.Name, &c.Applicant.Email, &c.Applicant.Phone, &c.Channel, &c.RecordedBy,
		&c.RecordedName, &c.AssigneeID, &c.AssigneeName, &c.Title, &c.Summary, &data, &deadline, &c.DeadlineRule,
		&c.Late, &c.LateBy, &c.Deferred, &c.Owing, &c.SubmittedAt, &decided, &closed, &c.UpdatedAt, &c.Version)
	if err != nil {
		return nil, err
	}
	c.Data = []byte(data)
	c.DeadlineAt, c.DecidedAt, c.ClosedAt = timePtr(deadline), timePtr(decided), timePtr(closed)
	c.SubmittedAt, c.UpdatedAt = c.SubmittedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func caseByNo(ctx context.Context, q db.Querier, no string) (*Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE case_no = $1`, no))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到业务 %s", no)
	}
	return c, errs.Wrap(err, "load case")
}

// nextNo allocates the next case number of prefix on day (YYYYMMDD).
func nextNo(ctx context.Context, tx *sql.Tx, prefix, day string) (string, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (prefix, day, last) VALUES ($1, $2, 1)
		ON CONFLICT (prefix, day) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, prefix, day).Scan(&n)
	if err != nil {
		return "", errs.Wrap(err, "case number")
	}
	return fmt.Sprintf("%s%s-%04d", prefix, day, n), nil
}

func nullable(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func sortAt(deadline *time.Time) time.Time {
	if deadline == nil {
		return farFuture
	}
	return *deadline
}

// insertCase stores c (its No already set) and fills in c.ID.
func insertCase(ctx context.Context, tx *sql.Tx, c *Case, subjectHash string, now time.Time) error {
	data := string(c.Data)
	if data == "" {
		data = "{}"
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO cases (case_no, type, section, state, is_open, applicant_kind,
		employer_id, person_id, applicant_name, applicant_email, applicant_phone, subject_id_hash, channel,
		recorded_by, recorded_name, assignee_id, assignee_name, title, summary, data, deadline_at, deadline_rule,
		sort_at, overdue_at, late, late_by, deferred, owing, submitted_at, created_at, updated_at, version,
		deadline_emergency_id, deadline_days)
		VALUES ($1,$2,$3,$4,TRUE,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,0,'',$15,$16,$17,$18,$19,$20,$25,$21,$22,FALSE,0,$23,$24,$24,1,
		$26,$27)
		RETURNING id`,
		c.No, c.Type, string(c.Section), string(c.State), c.Applicant.Kind, nullable(c.Applicant.EmployerID),
		nullable(c.Applicant.PersonID), c.Applicant.Name, c.Applicant.Email, c.Applicant.Phone, subjectHash,
		c.Channel, c.RecordedBy, c.RecordedName, c.Title, c.Summary, data, c.DeadlineAt, c.DeadlineRule,
		sortAt(c.DeadlineAt), c.Late, c.LateBy, c.SubmittedAt, now, overdueAt(c.State, c.DeadlineAt),
		nullable(c.deadline.EmergencyID), c.deadline.Days).Scan(&c.ID)
	return errs.Wrap(err, "insert case")
}

// bump checks the version and stamps the update: every change to a case
// goes through it, so two clerks acting on one version cannot both win.
func bump(ctx context.Context, tx *sql.Tx, c *Case, version int64, now time.Time, stale error) error {
	res, err := tx.ExecContext(ctx, `UPDATE cases SET version = version + 1, updated_at = $3
		WHERE id = $1 AND version = $2`, c.ID, version, now)
	if err != nil {
		return errs.Wrap(err, "update case")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return stale
	}
	c.Version, c.UpdatedAt = version+1, now
	return nil
}

// staleDecision is the conflict a clerk sees when another clerk acted first.
func staleDecision() error {
	return errs.New(errs.Conflict, "stale_version", "该业务已由其他经办人员办结，请刷新")
}

func staleCase() error {
	return errs.New(errs.Conflict, "stale_version", "该业务已被他人处理或修改，请刷新后重试")
}

func setAssignee(ctx context.Context, tx *sql.Tx, id int64, userID int64, name string) error {
	_, err := tx.ExecContext(ctx, `UPDATE cases SET assignee_id = $2, assignee_name = $3 WHERE id = $1`, id, userID, name)
	return errs.Wrap(err, "assign case")
}

func setState(ctx context.Context, tx *sql.Tx, c *Case) error {
	_, err := tx.ExecContext(ctx, `UPDATE cases SET state = $2, is_open = $3, decided_at = $4, closed_at = $5,
		overdue_at = $6 WHERE id = $1`, c.ID, string(c.State), !c.State.Final(), c.DecidedAt, c.ClosedAt,
		overdueAt(c.State, c.DeadlineAt))
	return errs.Wrap(err, "case state")
}

// agencyStates are the states in which the agency must act, so a passed
// deadline makes the case overdue.
var agencyStates = []State{Submitted, Resubmitted, Accepted, InReview}

// agencyStatesSQL is agencyStates as an SQL list (set-based updates).
const agencyStatesSQL = `'submitted', 'resubmitted', 'accepted', 'in_review'`

// overdueAt is the instant a case in state s with deadline becomes overdue.
func overdueAt(s State, deadline *time.Time) time.Time {
	if slices.Contains(agencyStates, s) {
		return sortAt(deadline)
	}
	return farFuture
}

func refreshOwing(ctx context.Context, tx *sql.Tx, caseID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE cases SET owing = (SELECT COUNT(*) FROM case_owed_originals o
		WHERE o.case_id = cases.id AND o.received_at IS NULL) WHERE id = $1`, caseID)
	return errs.Wrap(err, "case owing")
}

func loadEvents(ctx context.Context, q db.Querier, caseID int64, publicOnly bool) ([]Event, error) {
	query := `SELECT id, at, actor_name, actor_role, kind, from_state, to_state, public, body FROM case_events
		WHERE case_id = $1`
	if publicOnly {
		query += ` AND public = TRUE`
	}
	out, err := db.Collect(ctx, q, db.Fields(func(e *Event) []any {
		return []any{&e.ID, &e.At, &e.ActorName, &e.ActorRole, &e.Kind, &e.From, &e.To, &e.Public, &e.Body}
	}), query+` ORDER BY id`, caseID)
	return out, errs.Wrap(err, "case events")
}

func loadDocuments(ctx context.Context, q db.Querier, caseID int64) ([]DocumentLink, error) {
	out, err := db.Collect(ctx, q, db.Fields(func(d *DocumentLink) []any { return []any{&d.DocumentID, &d.Item, &d.Name, &d.AddedAt} }),
		`SELECT cd.document_id, cd.item, COALESCE(d.name, ''), cd.added_at FROM case_documents cd
		LEFT JOIN documents d ON d.id = cd.document_id WHERE cd.case_id = $1 ORDER BY cd.id`, caseID)
	return out, errs.Wrap(err, "case documents")
}

func linkDocument(ctx context.Context, tx *sql.Tx, caseID, docID int64, item string, by int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_documents (case_id, document_id, item, added_by, added_at)
		VALUES ($1,$2,$3,$4,$5)`, caseID, docID, item, by, now)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "document_linked", "该材料已添加到本业务")
	}
	return errs.Wrap(err, "link document")
}
