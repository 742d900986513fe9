package complaint

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

const columns = `c.id, c.no, c.category, c.channel, c.status, c.subject, c.body, c.reporter_kind, c.reporter_user_id,
	c.reporter_name, c.reporter_contact, c.target_name, COALESCE(c.target_employer_id, 0), COALESCE(c.target_person_id, 0),
	COALESCE(e.employer_no, ''), COALESCE(p.id_number, ''), c.source_ref, c.section, c.acknowledge_due, c.answer_due,
	c.due_basis, c.acknowledged_at, c.decision_reason, c.transfer_to, c.answer, c.answered_at, c.feedback, c.feedback_text,
	c.escalations, c.outcome, c.recovery_fen, c.filed_by, c.filed_at, c.closed_at, c.version`

const from = ` FROM complaints c LEFT JOIN employers e ON e.id = c.target_employer_id LEFT JOIN persons p ON p.id = c.target_person_id`

func scan(r interface{ Scan(...any) error }) (*Complaint, error) {
	var c Complaint
	var ack, ans, closed sql.NullTime
	err := r.Scan(&c.ID, &c.No, &c.Category, &c.Channel, &c.Status, &c.Subject, &c.Body, &c.ReporterKind, &c.ReporterUserID,
		&c.ReporterName, &c.ReporterContact, &c.TargetName, &c.TargetEmployerID, &c.TargetPersonID, &c.TargetEmployerNo,
		&c.TargetIDNumber, &c.SourceRef, &c.Section, &c.AcknowledgeDue, &c.AnswerDue, &c.DueBasis, &ack, &c.DecisionReason,
		&c.TransferTo, &c.Answer, &ans, &c.Feedback, &c.FeedbackText, &c.Escalations, &c.Outcome, &c.Recovery, &c.FiledBy,
		&c.FiledAt, &closed, &c.Version)
	c.AcknowledgedAt, c.AnsweredAt, c.ClosedAt = timePtr(ack), timePtr(ans), timePtr(closed)
	return &c, err
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

func byID(ctx context.Context, q db.Querier, id int64) (*Complaint, error) {
	c, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE c.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errNotFound()
	}
	return c, errs.Wrap(err, "complaint")
}

func byTracking(ctx context.Context, q db.Querier, hash string) (*Complaint, error) {
	c, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE c.tracking_hash = $1`, hash))
	if db.IsNoRows(err) {
		return nil, errs.New(errs.NotFound, "tracking_not_found", "查询码不正确，未找到对应的投诉举报，请核对后重新输入")
	}
	return c, errs.Wrap(err, "complaint")
}

func list(ctx context.Context, q db.Querier, where string, args []any, limit, offset int) ([]*Complaint, error) {
	out, err := db.Collect(ctx, q, scan, `SELECT `+columns+from+` WHERE `+where+` ORDER BY c.filed_at DESC, c.id DESC LIMIT `+
		strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(offset), args...)
	return out, errs.Wrap(err, "complaints")
}

func count(ctx context.Context, q db.Querier, where string, args []any) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*)`+from+` WHERE `+where, args...).Scan(&n)
	return n, errs.Wrap(err, "count complaints")
}

func insert(ctx context.Context, tx *sql.Tx, c *Complaint, trackingHash string) error {
	var hash any
	if trackingHash != "" {
		hash = trackingHash
	}
	tmp := "tmp-" + strconv.FormatInt(c.FiledAt.UnixNano(), 36) + "-" + trackingHash
	err := tx.QueryRowContext(ctx, `INSERT INTO complaints (no, category, channel, status, subject, body, reporter_kind,
		reporter_user_id, reporter_name, reporter_contact, tracking_hash, target_name, target_employer_id, target_person_id,
		source_ref, section, acknowledge_due, answer_due, due_basis, filed_by, filed_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21) RETURNING id`,
		tmp, c.Category, c.Channel, c.Status, c.Subject, c.Body, c.ReporterKind, c.ReporterUserID, c.ReporterName,
		c.ReporterContact, hash, c.TargetName, nullID(c.TargetEmployerID), nullID(c.TargetPersonID), c.SourceRef, c.Section,
		c.AcknowledgeDue, c.AnswerDue, c.DueBasis, c.FiledBy, c.FiledAt).Scan(&c.ID)
	if err != nil {
		return errs.Wrap(err, "insert complaint")
	}
	c.No = "JB" + c.FiledAt.In(time.FixedZone("CST", 8*3600)).Format("2006") + pad(c.ID, 6)
	_, err = tx.ExecContext(ctx, `UPDATE complaints SET no = $2 WHERE id = $1`, c.ID, c.No)
	c.Version = 1
	return errs.Wrap(err, "number complaint")
}

func pad(n int64, w int) string {
	s := strconv.FormatInt(n, 10)
	if len(s) < w {
		s = strings.Repeat("0", w-len(s)) + s
	}
	return s
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// update sets columns (a "col = $n" list starting at $3) on the complaint
// of id at version, bumping the version. Conflict when another change came first.
func update(ctx context.Context, tx *sql.Tx, id, version int64, set string, args ...any) error {
	res, err := tx.ExecContext(ctx, `UPDATE complaints SET `+set+`, version = version + 1 WHERE id = $1 AND version = $2`,
		append([]any{id, version}, args...)...)
	if err != nil {
		return errs.Wrap(err, "update complaint")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	return nil
}

func insertEvent(ctx context.Context, tx *sql.Tx, e Event) error {
	var doc any
	if e.DocumentID != 0 {
		doc = e.DocumentID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO complaint_events (complaint_id, at, actor_id, kind, text, document_id, public)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, e.ComplaintID, e.At, e.ActorID, e.Kind, e.Text, doc, e.Public)
	return errs.Wrap(err, "complaint event")
}

func events(ctx context.Context, q db.Querier, id int64, publicOnly bool) ([]Event, error) {
	where := `complaint_id = $1`
	if publicOnly {
		where += ` AND public`
	}
	var out []Event
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var e Event
		if err := r.Scan(&e.ID, &e.ComplaintID, &e.At, &e.ActorID, &e.ActorName, &e.Kind, &e.Text, &e.DocumentID,
			&e.DocumentName, &e.Public); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	}, `SELECT ev.id, ev.complaint_id, ev.at, ev.actor_id, COALESCE(u.display_name, ''), ev.kind, ev.text,
		COALESCE(ev.document_id, 0), COALESCE(d.name, ''), ev.public FROM complaint_events ev
		LEFT JOIN users u ON u.id = ev.actor_id LEFT JOIN documents d ON d.id = ev.document_id
		WHERE `+where+` ORDER BY ev.id`, id)
	return out, errs.Wrap(err, "complaint events")
}

func insertLink(ctx context.Context, tx *sql.Tx, id int64, l Link, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO complaint_links (complaint_id, kind, ref, amount_fen, note, created_at)
		VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (complaint_id, kind, ref) DO NOTHING`, id, l.Kind, l.Ref, l.Amount, l.Note, now)
	return errs.Wrap(err, "complaint link")
}

func links(ctx context.Context, q db.Querier, id int64) ([]Link, error) {
	out, err := db.Collect(ctx, q, db.Fields(func(l *Link) []any { return []any{&l.Kind, &l.Ref, &l.Amount, &l.Note, &l.Status} }), `SELECT kind, ref, amount_fen, note, status FROM complaint_links WHERE complaint_id = $1 ORDER BY id`, id)
	return out, errs.Wrap(err, "complaint links")
}

func mediationOf(ctx context.Context, q db.Querier, id int64) (*Mediation, error) {
	var m Mediation
	err := q.QueryRowContext(ctx, `SELECT held_on, parties, agreement, recorded_at FROM complaint_mediations WHERE complaint_id = $1`, id).
		Scan(&m.HeldOn, &m.Parties, &m.Agreement, &m.RecordedAt)
	if db.IsNoRows(err) {
		return nil, nil
	}
	return &m, errs.Wrap(err, "mediation")
}

func insertMediation(ctx context.Context, tx *sql.Tx, id int64, m Mediation, by int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO complaint_mediations (complaint_id, held_on, parties, agreement, recorded_by, recorded_at)
		VALUES ($1,$2,$3,$4,$5,$6)`, id, m.HeldOn, m.Parties, m.Agreement, by, m.RecordedAt)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "mediation_exists", "该争议已登记调解结果")
	}
	return errs.Wrap(err, "mediation")
}

// claimKey writes an API filing's idempotency key in the filing's
// transaction; false when the key is taken (a concurrent holder is waited
// for first, so its answer can be read next).
func claimKey(ctx context.Context, tx *sql.Tx, keyHash, requestHash string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO complaint_requests (key_hash, request_hash, created_at) VALUES ($1,$2,$3)
		ON CONFLICT (key_hash) DO NOTHING`, keyHash, requestHash, now)
	if err != nil {
		return false, errs.Wrap(err, "complaint request key")
	}
	n, err := res.RowsAffected()
	return n == 1, errs.Wrap(err, "complaint request key")
}

// keepAnswer stores the sealed answer with the key.
func keepAnswer(ctx context.Context, tx *sql.Tx, keyHash string, complaintID int64, sealed string) error {
	_, err := tx.ExecContext(ctx, `UPDATE complaint_requests SET complaint_id = $2, answer = $3 WHERE key_hash = $1`,
		keyHash, complaintID, sealed)
	return errs.Wrap(err, "complaint request answer")
}

// purgeRequestKeys deletes the idempotency keys (and the sealed answers
// kept with them) written before cutoff.
func purgeRequestKeys(ctx context.Context, q db.Querier, cutoff time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM complaint_requests WHERE created_at < $1`, cutoff)
	if err != nil {
		return 0, errs.Wrap(err, "purge complaint request keys")
	}
	n, err := res.RowsAffected()
	return n, errs.Wrap(err, "purge complaint request keys")
}

// requestByKey reads the request hash and sealed answer kept with a key
// ("" when the key is new).
func requestByKey(ctx context.Context, q db.Querier, keyHash string) (requestHash, sealed string, err error) {
	err = q.QueryRowContext(ctx, `SELECT request_hash, answer FROM complaint_requests WHERE key_hash = $1`, keyHash).
		Scan(&requestHash, &sealed)
	if db.IsNoRows(err) {
		return "", "", nil
	}
	return requestHash, sealed, errs.Wrap(err, "complaint request")
}
