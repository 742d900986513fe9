package payroll

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// Run statuses.
const (
	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
)

var runNames = map[string]string{RunRunning: "正在生成", RunDone: "已完成", RunFailed: "未完成（可重新运行）"}

// StaleAfter is how long a running run may go without progress before a
// new start of its month takes over (its process died).
const StaleAfter = 2 * time.Minute

// Run is one payroll run of a month with its progress.
type Run struct {
	ID         int64      `json:"id"`
	Month      string     `json:"month"`
	Status     string     `json:"status"`
	Total      int64      `json:"total"`
	Done       int64      `json:"done"`
	Created    int64      `json:"created"`
	Held       int64      `json:"held"`
	TotalFen   money.Fen  `json:"total_fen"`
	PayDate    string     `json:"pay_date,omitempty"` // YYYY-MM-DD from the dated rule pension_pay_day
	Error      string     `json:"error,omitempty"`
	StartedBy  string     `json:"started_by"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// StatusName is the run's status in Chinese.
func (r *Run) StatusName() string { return runNames[r.Status] }

// PayDateText is the pay date in Chinese ("" when none).
func (r *Run) PayDateText() string { return chineseDate(r.PayDate) }

// chineseDate writes "2024-02-15" as 2024年2月15日.
// MonthText is the run's month in Chinese ("2024年2月").
func (r *Run) MonthText() string { return chineseMonth(r.Month) }

// chineseMonth is a "YYYY-MM" month in Chinese ("2024年2月"), or s as it is.
func chineseMonth(s string) string {
	m, err := clock.ParseMonth(s)
	if err != nil {
		return s
	}
	return m.Chinese()
}

func chineseDate(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return ""
	}
	return t.Format("2006年1月2日")
}

// Percent is the progress in whole percent.
func (r *Run) Percent() int64 {
	if r.Total == 0 {
		if r.Status == RunDone {
			return 100
		}
		return 0
	}
	return r.Done * 100 / r.Total
}

// Start checks that month may be run and records a run: not a future
// month, not a month closed (a later month's payroll is done), not while
// another run of it is making progress. Invalid or Conflict otherwise.
func (s *Service) Start(ctx context.Context, a *access.Actor, month clock.Month) (*Run, error) {
	if err := MayRun(a); err != nil {
		return nil, err
	}
	if month.IsZero() {
		return nil, errs.Fields{{Field: "month", Message: "请填写发放月份（YYYY-MM）"}}.Err()
	}
	if s.thisMonth().Before(month) {
		return nil, errs.Fields{{Field: "month", Message: "不能生成未来月份（" + month.Chinese() + "）的养老金发放"}}.Err()
	}
	payDate, err := s.PayDate(ctx, month)
	if err != nil {
		return nil, err
	}
	var r *Run
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var later int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM payroll_runs WHERE month > $1 AND status = 'done'`,
			month.String()).Scan(&later); err != nil {
			return errs.Wrap(err, "payroll runs")
		}
		if later > 0 {
			return errs.Fields{{Field: "month", Message: month.Chinese() + "已关账（以后月份的养老金已发放），不能重新生成；补发请在当月发放中处理"}}.Err()
		}
		now := s.clock.Now()
		var busy int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM payroll_runs WHERE month = $1 AND status = 'running' AND updated_at > $2`,
			month.String(), now.Add(-StaleAfter)).Scan(&busy); err != nil {
			return errs.Wrap(err, "payroll runs")
		}
		if busy > 0 {
			return errs.New(errs.Conflict, "payroll_running", month.Chinese()+"的养老金正在生成，请等待完成")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payroll_runs SET status = 'failed', error = '运行中断', finished_at = $2
			WHERE month = $1 AND status = 'running'`, month.String(), now); err != nil {
			return errs.Wrap(err, "payroll runs")
		}
		var total int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pensioners WHERE status = 'active' OR recalc_from <> ''`).Scan(&total); err != nil {
			return errs.Wrap(err, "payroll count")
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO payroll_runs (month, status, total, started_by, started_at, updated_at, pay_date)
			VALUES ($1, 'running', $2, $3, $4, $4, $5) RETURNING id`, month.String(), total, a.Name(), now, payDate).Scan(&id); err != nil {
			return errs.Wrap(err, "payroll run")
		}
		r = &Run{ID: id, Month: month.String(), Status: RunRunning, Total: total, StartedBy: a.Name(), StartedAt: now, PayDate: payDate}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payroll.run.start", Entity: "payroll_run", EntityID: idStr(id),
			After: map[string]any{"month": month.String(), "pensioners": total, "pay_date": payDate}})
	})
	return r, err
}

// Execute prepares the lines of a started run chunk by chunk, each chunk
// in its own transaction with the run's progress; killed half-way, a new
// run of the month adds only what is missing.
func (s *Service) Execute(ctx context.Context, a *access.Actor, r *Run) error {
	month, _ := clock.ParseMonth(r.Month)
	adjs, err := s.adjustments(ctx, s.db.Read())
	if err != nil {
		return s.fail(ctx, r, err)
	}
	after := int64(0)
	for {
		var n int
		err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
			var err error
			n, after, err = s.chunk(ctx, tx, a, r, month, adjs, after)
			return err
		})
		if err != nil {
			return s.fail(ctx, r, err)
		}
		if n == 0 {
			break
		}
	}
	return s.finish(ctx, a, r)
}

// RunMonth starts and executes a run (the command line).
func (s *Service) RunMonth(ctx context.Context, a *access.Actor, month clock.Month) (*Run, error) {
	r, err := s.Start(ctx, a, month)
	if err != nil {
		return nil, err
	}
	if err := s.Execute(ctx, a, r); err != nil {
		return nil, err
	}
	return s.GetRun(ctx, r.ID)
}

func (s *Service) fail(ctx context.Context, r *Run, cause error) error {
	msg := "运行出错，请重新运行"
	if e := errs.As(cause); e != nil && e.Kind != errs.Internal {
		msg = e.Message
	}
	_, _ = s.db.W.ExecContext(context.WithoutCancel(ctx), `UPDATE payroll_runs SET status = 'failed', error = $1, finished_at = $2,
		updated_at = $2 WHERE id = $3`, msg, s.clock.Now(), r.ID)
	return cause
}

func (s *Service) finish(ctx context.Context, a *access.Actor, r *Run) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE payroll_runs SET status = 'done', finished_at = $1, updated_at = $1 WHERE id = $2`,
			now, r.ID); err != nil {
			return errs.Wrap(err, "payroll run done")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payroll.run.done", Entity: "payroll_run", EntityID: idStr(r.ID),
			After: map[string]any{"month": r.Month}})
	})
}

// member is one pensioner of a chunk with the card its pension goes to.
type member struct {
	Pensioner
	card card
}

type card struct {
	Status, BankCode, BankName, AccountNo string
}

// chunk prepares the lines of the next pensioners by person id after
// `after`; it returns how many pensioners it read and the last person id.
func (s *Service) chunk(ctx context.Context, tx *sql.Tx, a *access.Actor, r *Run, month clock.Month, adjs []Adjustment, after int64) (int, int64, error) {
	ms, err := s.members(ctx, tx, after)
	if err != nil || len(ms) == 0 {
		return 0, after, err
	}
	lo, hi := ms[0].PersonID, ms[len(ms)-1].PersonID
	from := month
	for i := range ms {
		if rf, err := clock.ParseMonth(ms[i].RecalcFrom); err == nil && rf.Before(from) {
			from = rf
		}
	}
	existing, err := s.payouts.LinesOfPeriods(ctx, tx, SourceKind, lo, hi, from.String(), month.String())
	if err != nil {
		return 0, after, err
	}
	deds, err := openDeductions(ctx, tx, lo, hi, month)
	if err != nil {
		return 0, after, err
	}
	took, err := deducted(ctx, tx, lo, hi, from, month)
	if err != nil {
		return 0, after, err
	}
	plan := planChunk(ms, existing, took, deds, adjs, month)
	for i := range plan.reqs {
		plan.reqs[i].PayDate = r.PayDate
	}
	created, err := s.payouts.PrepareBulk(ctx, tx, a, plan.reqs)
	if err != nil {
		return 0, after, err
	}
	if err := recordDeductions(ctx, tx, plan.taken, month); err != nil {
		return 0, after, err
	}
	if err := clearRecalc(ctx, tx, lo, hi, month); err != nil {
		return 0, after, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE payroll_runs SET done = done + $1, created = created + $2, held = held + $3,
		total_fen = total_fen + $4, updated_at = $5 WHERE id = $6`, len(ms), created, plan.held, int64(plan.total), s.clock.Now(), r.ID)
	return len(ms), hi, errs.Wrap(err, "payroll progress")
}

// members reads the next chunk of pensioners to pay (in pay, or with
// months to recheck), with their amount versions and cards; the register
// is locked against changes until the chunk commits.
func (s *Service) members(ctx context.Context, tx *sql.Tx, after int64) ([]member, error) {
	// One table lock instead of a row lock on each pensioner read: the
	// register's changes (stop, amount, enrol) wait until the chunk has
	// committed, and two runs take their chunks in turn.
	if lock := s.db.Dialect.LockWriters("pensioners"); lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return nil, errs.Wrap(err, "payroll lock")
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+pensionerCols+` FROM pensioners p
		WHERE p.person_id > $1 AND (p.status = 'active' OR p.recalc_from <> '') ORDER BY p.person_id LIMIT `+
		strconv.Itoa(s.Chunk), after)
	if err != nil {
		return nil, errs.Wrap(err, "payroll members")
	}
	ms := make([]member, 0, s.Chunk)
	for rows.Next() {
		p, err := scanPensioner(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "payroll members")
		}
		ms = append(ms, member{Pensioner: *p})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ms) == 0 {
		return nil, errs.Wrap(err, "payroll members")
	}
	ids := make([]int64, len(ms))
	for i := range ms {
		ids[i] = ms[i].ID
	}
	vs, err := loadVersions(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	cards, err := activeCards(ctx, tx, ms[0].PersonID, ms[len(ms)-1].PersonID)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		ms[i].Versions = vs[ms[i].ID]
		ms[i].card = cards[ms[i].PersonID]
	}
	return ms, nil
}

// activeCards returns the cards of persons with ids in [lo, hi].
func activeCards(ctx context.Context, q db.Querier, lo, hi int64) (map[int64]card, error) {
	out := map[int64]card{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var id int64
		var c card
		if err := r.Scan(&id, &c.Status, &c.BankCode, &c.BankName, &c.AccountNo); err != nil {
			return err
		}
		out[id] = c
		return nil
	}, `SELECT person_id, status, bank_code, bank_name, account_no FROM ss_cards
		WHERE person_id BETWEEN $1 AND $2`, lo, hi)
	return out, errs.Wrap(err, "cards")
}

// clearRecalc forgets the months rechecked by a run of month for the
// pensioners of a chunk (a later recheck month stays).
func clearRecalc(ctx context.Context, tx *sql.Tx, lo, hi int64, month clock.Month) error {
	_, err := tx.ExecContext(ctx, `UPDATE pensioners SET recalc_from = '' WHERE person_id BETWEEN $1 AND $2
		AND recalc_from <> '' AND recalc_from <= $3`, lo, hi, month.String())
	return errs.Wrap(err, "clear recalc")
}

// GetRun returns a run (NotFound).
func (s *Service) GetRun(ctx context.Context, id int64) (*Run, error) {
	runs, err := s.queryRuns(ctx, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, errs.NotFoundf("没有找到该次发放")
	}
	return &runs[0], nil
}

// Runs lists the latest runs, newest first, to staff who may view.
func (s *Service) Runs(ctx context.Context, a *access.Actor, limit int) ([]Run, error) {
	if err := MayView(a); err != nil {
		return nil, err
	}
	return s.queryRuns(ctx, `ORDER BY id DESC LIMIT `+strconv.Itoa(max(1, min(limit, 100))))
}

func (s *Service) queryRuns(ctx context.Context, where string, args ...any) ([]Run, error) {
	var out []Run
	err := db.Each(ctx, s.db.Read(), func(row db.Scanner) error {
		var r Run
		var tot int64
		var fin sql.NullTime
		if err := row.Scan(&r.ID, &r.Month, &r.Status, &r.Total, &r.Done, &r.Created, &r.Held, &tot, &r.Error,
			&r.StartedBy, &r.StartedAt, &fin, &r.PayDate); err != nil {
			return err
		}
		r.TotalFen = money.Fen(tot)
		if fin.Valid {
			t := fin.Time.UTC()
			r.FinishedAt = &t
		}
		out = append(out, r)
		return nil
	}, `SELECT id, month, status, total, done, created, held, total_fen, error,
		started_by, started_at, finished_at, pay_date FROM payroll_runs `+where, args...)
	return out, errs.Wrap(err, "payroll runs")
}

func cardRequest(m *member, r *payout.Request) {
	if m.card.Status != "active" || m.card.AccountNo == "" {
		r.HoldReason = "card"
		return
	}
	r.AccountKind, r.AccountName, r.AccountNo = payout.AccountCard, m.Name, m.card.AccountNo
	r.BankName, r.BankCode = m.card.BankName, m.card.BankCode
}

func monthsText(ms []string) string { return strings.Join(ms, "、") }

var _ = fmt.Sprint
