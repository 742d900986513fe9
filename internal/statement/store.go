package statement

import (
	"archive/zip"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shebao/internal/certificate"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// member is one person of a batch, in order.
type member struct {
	Seq      int64
	PersonID int64
	Employer string
}

func employerByNo(ctx context.Context, q db.Querier, no string) (int64, string, error) {
	var id int64
	var name string
	err := q.QueryRowContext(ctx, `SELECT id, name FROM employers WHERE employer_no = $1`, strings.TrimSpace(no)).Scan(&id, &name)
	if db.IsNoRows(err) {
		return 0, "", fieldErr("employer_no", "没有找到该单位编号的参保单位，请核对单位编号")
	}
	return id, name, errs.Wrap(err, "statement employer")
}

func insertBatch(ctx context.Context, tx *sql.Tx, b *Batch, actorID int64) error {
	var emp any
	if b.EmployerID > 0 {
		emp = b.EmployerID
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO statement_batches (scope, employer_id, year, mail, print, status, actor_id,
		actor_name, created_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		b.Scope, emp, b.Year, b.Mail, b.Print, b.Status, actorID, b.ActorName, b.CreatedAt).Scan(&b.ID)
	return errs.Wrap(err, "insert statement batch")
}

// memberSources are the persons of each scope with the name of their
// current employer.
var memberSources = map[string]string{
	ScopeEmployer: `SELECT e.person_id AS pid, emp.name AS ename FROM employments e JOIN employers emp ON emp.id = e.employer_id
		WHERE e.employer_id = $2 AND e.end_month IS NULL`,
	ScopeRetirees: `SELECT p.id AS pid, '' AS ename FROM persons p
		WHERE p.kind = 'retiree' OR EXISTS (SELECT 1 FROM pensioners x WHERE x.person_id = p.id)`,
	ScopeAll: `SELECT p.id AS pid, COALESCE(emp.name, '') AS ename FROM persons p
		LEFT JOIN employments e ON e.person_id = p.id AND e.end_month IS NULL
		LEFT JOIN employers emp ON emp.id = e.employer_id
		WHERE p.status IN ('active', 'suspended') AND $2 = $2`,
}

// insertMembers freezes the batch's persons, numbered by employer name
// and person, in one statement; it returns how many.
func insertMembers(ctx context.Context, tx *sql.Tx, b *Batch, _ time.Time) (int64, error) {
	src := memberSources[b.Scope]
	if b.Scope == ScopeRetirees {
		src = strings.Replace(src, "WHERE", "WHERE $2 = $2 AND (", 1) + ")"
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO statement_members (batch_id, seq, person_id, employer_name)
		SELECT $1, ROW_NUMBER() OVER (ORDER BY ename, pid), pid, ename FROM (`+src+`) x`, b.ID, b.EmployerID)
	if err != nil {
		return 0, errs.Wrap(err, "statement members")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, errs.Wrap(err, "statement members")
	}
	_, err = tx.ExecContext(ctx, `UPDATE statement_batches SET total = $1 WHERE id = $2`, n, b.ID)
	return n, errs.Wrap(err, "statement members")
}

// claimBatch takes a queued or failed batch, or a running one without
// progress since stale, for server; false when another holds it.
func claimBatch(ctx context.Context, d *db.DB, id int64, server string, now, stale time.Time) (bool, error) {
	res, err := d.W.ExecContext(ctx, `UPDATE statement_batches SET status = 'running', server = $1, heartbeat_at = $2, error = '',
		done = (SELECT COUNT(*) FROM statements s WHERE s.batch_id = $3),
		mailed = (SELECT COUNT(*) FROM statements s WHERE s.batch_id = $3 AND s.mailed)
		WHERE id = $3 AND (status IN ('queued', 'failed') OR (status = 'running' AND heartbeat_at < $4))`, server, now, id, stale)
	if err != nil {
		return false, errs.Wrap(err, "claim statement batch")
	}
	n, err := res.RowsAffected()
	return n == 1, errs.Wrap(err, "claim statement batch")
}

// pendingMembers are the next members after seq without a statement.
func pendingMembers(ctx context.Context, q db.Querier, batchID, after int64, limit int) ([]member, error) {
	out, err := db.Collect(ctx, q, scanMember, `SELECT m.seq, m.person_id, m.employer_name FROM statement_members m
		WHERE m.batch_id = $1 AND m.seq > $2
			AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.batch_id = m.batch_id AND s.seq = m.seq)
		ORDER BY m.seq LIMIT `+strconv.Itoa(limit), batchID, after)
	return out, errs.Wrap(err, "statement members")
}

func membersBetween(ctx context.Context, q db.Querier, batchID, lo, hi int64) ([]member, error) {
	out, err := db.Collect(ctx, q, scanMember, `SELECT seq, person_id, employer_name FROM statement_members
		WHERE batch_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`, batchID, lo, hi)
	return out, errs.Wrap(err, "statement members")
}

func scanMember(r db.Scanner) (member, error) {
	var m member
	err := r.Scan(&m.Seq, &m.PersonID, &m.Employer)
	return m, err
}

// progress adds a chunk's statements to the batch's counters and beats
// its heart.
func progress(ctx context.Context, d *db.DB, id, stored, mailed int64, now time.Time) error {
	_, err := d.W.ExecContext(ctx, `UPDATE statement_batches SET done = done + $1, mailed = mailed + $2, heartbeat_at = $3
		WHERE id = $4`, stored, mailed, now, id)
	return errs.Wrap(err, "statement progress")
}

func finishBatch(ctx context.Context, d *db.DB, id int64, status, msg string, now time.Time) error {
	_, err := d.W.ExecContext(ctx, `UPDATE statement_batches SET status = $1, error = $2, finished_at = $3, heartbeat_at = $3,
		done = (SELECT COUNT(*) FROM statements s WHERE s.batch_id = $4),
		mailed = (SELECT COUNT(*) FROM statements s WHERE s.batch_id = $4 AND s.mailed) WHERE id = $4`, status, msg, now, id)
	return errs.Wrap(err, "finish statement batch")
}

func dueBatches(ctx context.Context, q db.Querier, stale time.Time) ([]int64, error) {
	out, err := db.Collect(ctx, q, db.Scalar[int64], `SELECT id FROM statement_batches
		WHERE status = 'queued' OR (status = 'running' AND heartbeat_at < $1) ORDER BY id`, stale)
	return out, errs.Wrap(err, "due statement batches")
}

const batchCols = `b.id, b.scope, COALESCE(b.employer_id, 0), COALESCE(e.name, ''), b.year, b.mail, b.print, b.status, b.total,
	b.done, b.mailed, b.error, b.actor_name, b.created_at, b.finished_at`

func scanBatch(row interface{ Scan(...any) error }) (*Batch, error) {
	var b Batch
	var fin sql.NullTime
	err := row.Scan(&b.ID, &b.Scope, &b.EmployerID, &b.EmployerName, &b.Year, &b.Mail, &b.Print, &b.Status, &b.Total,
		&b.Done, &b.Mailed, &b.Error, &b.ActorName, &b.CreatedAt, &fin)
	if err != nil {
		return nil, err
	}
	b.CreatedAt = b.CreatedAt.UTC()
	if fin.Valid {
		b.FinishedAt = fin.Time.UTC()
	}
	return &b, nil
}

func loadBatch(ctx context.Context, q db.Querier, id int64) (*Batch, error) {
	b, err := scanBatch(q.QueryRowContext(ctx, `SELECT `+batchCols+` FROM statement_batches b
		LEFT JOIN employers e ON e.id = b.employer_id WHERE b.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有找到该批次")
	}
	return b, errs.Wrap(err, "load statement batch")
}

func listBatches(ctx context.Context, q db.Querier, limit int) ([]Batch, error) {
	out, err := db.Collect(ctx, q, db.Deref(scanBatch), `SELECT `+batchCols+` FROM statement_batches b
		LEFT JOIN employers e ON e.id = b.employer_id ORDER BY b.id DESC LIMIT `+strconv.Itoa(limit))
	return out, errs.Wrap(err, "list statement batches")
}

// mailAddress is the person's portal account and the e-mail address it
// entered ("" when none).
func mailAddress(ctx context.Context, q db.Querier, personID int64) (int64, string, error) {
	var uid int64
	var email string
	err := q.QueryRowContext(ctx, `SELECT u.id, COALESCE(n.email, '') FROM users u LEFT JOIN notify_prefs n ON n.user_id = u.id
		WHERE u.person_id = $1 AND u.role = 'person' AND NOT u.disabled ORDER BY u.id LIMIT 1`, personID).Scan(&uid, &email)
	if db.IsNoRows(err) {
		return 0, "", nil
	}
	return uid, strings.TrimSpace(email), errs.Wrap(err, "statement mail address")
}

func insertStatement(ctx context.Context, tx *sql.Tx, st *Statement, pdf []byte) error {
	var batch any
	if st.BatchID > 0 {
		batch = st.BatchID
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO statements (batch_id, seq, person_id, year, code, name, id_number, months,
		balance_fen, employer_name, mailed, pdf, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		RETURNING id`, batch, st.Seq, st.PersonID, st.Year, st.Code, st.Name, st.IDNumber, st.Months, int64(st.Balance), st.Employer,
		st.Mailed, pdf, st.CreatedAt).Scan(&st.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "statement_exists", "该人员的记录单已经生成")
	}
	return errs.Wrap(err, "insert statement")
}

const statementCols = `id, COALESCE(batch_id, 0), seq, person_id, year, code, name, id_number, months, balance_fen, employer_name,
	mailed, created_at`

func scanStatement(row interface{ Scan(...any) error }, extra ...any) (*Statement, error) {
	var st Statement
	dst := append([]any{&st.ID, &st.BatchID, &st.Seq, &st.PersonID, &st.Year, &st.Code, &st.Name, &st.IDNumber, &st.Months,
		(*int64)(&st.Balance), &st.Employer, &st.Mailed, &st.CreatedAt}, extra...)
	if err := row.Scan(dst...); err != nil {
		return nil, err
	}
	st.CreatedAt = st.CreatedAt.UTC()
	return &st, nil
}

func listOfPerson(ctx context.Context, q db.Querier, personID int64) ([]Statement, error) {
	out, err := db.Collect(ctx, q, db.Deref(func(r db.Scanner) (*Statement, error) { return scanStatement(r) }), `SELECT `+statementCols+` FROM statements WHERE person_id = $1
		ORDER BY created_at DESC, id DESC LIMIT 50`, personID)
	return out, errs.Wrap(err, "list statements")
}

func loadPDF(ctx context.Context, q db.Querier, id int64) (*Statement, []byte, error) {
	var pdf []byte
	st, err := scanStatement(q.QueryRowContext(ctx, `SELECT `+statementCols+`, pdf FROM statements WHERE id = $1`, id), &pdf)
	if db.IsNoRows(err) {
		return nil, nil, errs.NotFoundf("没有找到该权益记录单")
	}
	return st, pdf, errs.Wrap(err, "load statement")
}

func statementAt(ctx context.Context, q db.Querier, batchID, seq int64) (*Statement, error) {
	st, err := scanStatement(q.QueryRowContext(ctx, `SELECT `+statementCols+` FROM statements WHERE batch_id = $1 AND seq = $2`,
		batchID, seq))
	return st, errs.Wrap(err, "load statement")
}

func byCode(ctx context.Context, q db.Querier, code string) (*Statement, error) {
	norm := certificate.NormalizeCode(code)
	if norm == "" {
		return nil, errs.NotFoundf("未找到该验证码对应的记录单")
	}
	st, err := scanStatement(q.QueryRowContext(ctx, `SELECT `+statementCols+` FROM statements WHERE code = $1`, norm))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该验证码对应的记录单")
	}
	return st, errs.Wrap(err, "statement by code")
}

func printParts(ctx context.Context, q db.Querier, batchID int64) (map[int]bool, error) {
	out := map[int]bool{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var p int
		if err := r.Scan(&p); err != nil {
			return err
		}
		out[p] = true
		return nil
	}, `SELECT part FROM statement_prints WHERE batch_id = $1`, batchID)
	return out, errs.Wrap(err, "print parts")
}

func insertPrint(ctx context.Context, tx *sql.Tx, batchID int64, part int, lo, hi int64, pdf []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO statement_prints (batch_id, part, first_seq, last_seq, pdf)
		VALUES ($1, $2, $3, $4, $5)`, batchID, part, lo, hi, pdf)
	return errs.Wrap(err, "insert print part")
}

// fileName keeps a name usable as a ZIP entry.
func fileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 32 {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		return "无单位"
	}
	return s
}

// zipStatements adds the batch's PDFs one row at a time (stored, not
// compressed again): 单位/序号_姓名.pdf.
func zipStatements(ctx context.Context, q db.Querier, z *zip.Writer, b *Batch, now time.Time) error {
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var seq int64
		var name, emp string
		var pdf []byte
		if err := r.Scan(&seq, &name, &emp, &pdf); err != nil {
			return err
		}
		return zipFile(z, fmt.Sprintf("%s/%05d_%s.pdf", fileName(emp), seq, fileName(name)), pdf, now)
	}, `SELECT seq, name, employer_name, pdf FROM statements WHERE batch_id = $1 ORDER BY seq`, b.ID)
	return errs.Wrap(err, "zip statements")
}

func zipPrints(ctx context.Context, q db.Querier, z *zip.Writer, b *Batch, now time.Time) error {
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var part int
		var pdf []byte
		if err := r.Scan(&part, &pdf); err != nil {
			return err
		}
		return zipFile(z, fmt.Sprintf("打印版/第%02d册.pdf", part), pdf, now)
	}, `SELECT part, pdf FROM statement_prints WHERE batch_id = $1 ORDER BY part`, b.ID)
	return errs.Wrap(err, "zip print edition")
}

func zipFile(z *zip.Writer, name string, data []byte, now time.Time) error {
	w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: now, Flags: 0x800})
	if err == nil {
		_, err = w.Write(data)
	}
	return errs.Wrap(err, "zip")
}
