package employer

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Filter selects applications in the review queue. Empty fields match all.
type Filter struct {
	Status  Status  // e.g. StatusSubmitted
	Channel Channel // e.g. ChannelPhone
	Q       string  // part of the USCC, name or application number
	Late    bool    // only late applications
}

// PageSize is the default number of rows per queue page.
const PageSize = 20

// Queue lists applications for 统筹科, oldest first for waiting ones and
// newest first otherwise, page counting from 1. It returns the page and
// the total number of matches. Errors: Forbidden, Unauthenticated.
func (s *Service) Queue(ctx context.Context, a *access.Actor, f Filter, page, size int) ([]Application, int, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, 0, err
	}
	if size <= 0 || size > 200 {
		size = PageSize
	}
	if page < 1 {
		page = 1
	}
	where, args := f.where()
	var total int
	q := s.db.Read()
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM employer_applications a WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "count queue")
	}
	order := ` ORDER BY a.submitted_at DESC, a.id DESC`
	if f.Status == StatusSubmitted {
		order = ` ORDER BY a.submitted_at, a.id`
	}
	args = append(args, size, (page-1)*size)
	rows, err := q.QueryContext(ctx, `SELECT `+appColumns+appFrom+` WHERE `+where+order+
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "queue")
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		app, err := scanApp(rows)
		if err != nil {
			return nil, 0, errs.Wrap(err, "scan queue")
		}
		out = append(out, *app)
	}
	return out, total, errs.Wrap(rows.Err(), "queue rows")
}

// where builds the WHERE clause of f over employer_applications a.
func (f Filter) where() (string, []any) {
	conds, args := []string{"1=1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if f.Status != "" {
		add("a.status = ?", string(f.Status))
	}
	if f.Channel != "" {
		add("a.channel = ?", string(f.Channel))
	}
	if f.Late {
		conds = append(conds, "a.late_flag = TRUE")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		up := db.Like(strings.ToUpper(squeeze(q)))
		args = append(args, up, db.Like(q))
		n := len(args)
		conds = append(conds, fmt.Sprintf(`(a.app_no LIKE $%d ESCAPE '\' OR a.uscc LIKE $%d ESCAPE '\' OR a.name LIKE $%d ESCAPE '\')`, n-1, n-1, n))
	}
	return strings.Join(conds, " AND "), args
}

// Counts returns the number of applications in each status, for the queue
// tabs. Errors: Forbidden, Unauthenticated.
func (s *Service) Counts(ctx context.Context, a *access.Actor) (map[Status]int, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	out := map[Status]int{}
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var st Status
		var n int
		if err := r.Scan(&st, &n); err != nil {
			return err
		}
		out[st] = n
		return nil
	}, `SELECT status, COUNT(*) FROM employer_applications GROUP BY status`)
	return out, errs.Wrap(err, "counts")
}

// Get returns one application for 统筹科. Errors: NotFound, Forbidden.
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*Application, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	return loadApp(ctx, s.db.Read(), `a.id = $1`, id)
}

// Approval is the result of approving an application. InitialPassword is
// shown once to the clerk, who tells the applicant by phone or SMS; it is
// stored nowhere in clear.
type Approval struct {
	Application     *Application `json:"application"`
	Employer        *Employer    `json:"employer"`
	InitialPassword string       `json:"initial_password"`
	// Notice is the text for the applicant, without the password.
	Notice string `json:"notice"`
}

// Approve accepts application id at version: it assigns the employer
// number, creates the employer and its login, and returns the initial
// password. Errors: Conflict (already decided, stale version or USCC
// already registered), NotFound, Forbidden.
func (s *Service) Approve(ctx context.Context, a *access.Actor, id, version int64) (*Approval, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out Approval
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		app, err := decide(ctx, tx, id, version, StatusApproved, a, "", now)
		if err != nil {
			return err
		}
		if err := refuseRegistered(ctx, tx, app.USCC); err != nil {
			return err
		}
		nos, err := s.NextEmployerNos(ctx, tx, 1)
		if err != nil {
			return err
		}
		e := &Employer{EmployerNo: nos[0], Info: app.Info, RegisteredOn: s.today().Format("2006-01-02")}
		if err := insertEmployer(ctx, tx, e, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE employer_applications SET employer_id = $2 WHERE id = $1`, id, e.ID); err != nil {
			return errs.Wrap(err, "link employer")
		}
		app.EmployerID, app.EmployerNo = e.ID, e.EmployerNo
		pw, err := s.accounts.CreateEmployerAccount(ctx, tx, e.ID, e.EmployerNo)
		if err != nil {
			return err
		}
		out = Approval{Application: app, Employer: e, InitialPassword: pw, Notice: approvalNotice(e)}
		return s.auditApproval(ctx, tx, a, app, e, version)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func approvalNotice(e *Employer) string {
	return fmt.Sprintf("【社保经办】%s：贵单位参保登记已审核通过，单位社保编号 %s（即网上服务用户名）。初始密码由经办人员电话告知，首次登录须修改密码。", e.Name, e.EmployerNo)
}

func (s *Service) auditApproval(ctx context.Context, tx *sql.Tx, a *access.Actor, app *Application, e *Employer, version int64) error {
	err := s.audit.Record(ctx, tx, a, audit.Entry{
		Action: "employer.application.approve", Entity: "employer_application", EntityID: fmt.Sprint(app.ID),
		Before: map[string]any{"status": StatusSubmitted, "version": version},
		After:  map[string]any{"status": StatusApproved, "version": app.Version, "employer_no": e.EmployerNo},
		Note:   "初始密码告知方式：电话/短信",
	})
	if err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{
		Action: "employer.create", Entity: "employer", EntityID: fmt.Sprint(e.ID),
		After: auditEmployer(e), Note: "参保登记 " + app.AppNo,
	})
}

// refuseRegistered returns Conflict when uscc already has an employer.
func refuseRegistered(ctx context.Context, q db.Querier, uscc string) error {
	var no string
	err := q.QueryRowContext(ctx, `SELECT employer_no FROM employers WHERE uscc = $1`, uscc).Scan(&no)
	if err == nil {
		return errs.New(errs.Conflict, "uscc_registered", "该统一社会信用代码已参保登记（单位社保编号 "+no+"），不能重复登记，请退回此申请")
	}
	if !db.IsNoRows(err) {
		return errs.Wrap(err, "check employer")
	}
	return nil
}

// Return sends application id at version back to the applicant with
// reasons (required). Errors: Invalid, Conflict, NotFound, Forbidden.
func (s *Service) Return(ctx context.Context, a *access.Actor, id, version int64, reasons string) (*Application, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	reasons, err := reasonText("reasons", reasons, "请填写退回原因，申请单位将看到并据此修改", "退回原因")
	if err != nil {
		return nil, err
	}
	var out *Application
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		app, err := decide(ctx, tx, id, version, StatusReturned, a, reasons, s.clock.Now())
		if err != nil {
			return err
		}
		out = app
		return s.audit.Record(ctx, tx, a, audit.Entry{
			Action: "employer.application.return", Entity: "employer_application", EntityID: fmt.Sprint(id),
			Before: map[string]any{"status": StatusSubmitted, "version": version},
			After:  map[string]any{"status": StatusReturned, "version": app.Version, "return_reasons": reasons},
		})
	})
	return out, err
}

// decide moves a waiting application to status with an optimistic version
// check and returns it as stored. The loser of two clerks gets a Conflict
// naming what the winner did.
func decide(ctx context.Context, tx *sql.Tx, id, version int64, to Status, a *access.Actor, reasons string, now time.Time) (*Application, error) {
	res, err := tx.ExecContext(ctx, `UPDATE employer_applications
 SET status = $3, return_reasons = $4, reviewer_id = $5, decided_at = $6, version = version + 1
 WHERE id = $1 AND version = $2 AND status = 'submitted'`, id, version, string(to), reasons, a.UserID, now)
	if err != nil {
		return nil, errs.Wrap(err, "decide application")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, errs.Wrap(err, "decide application")
	}
	app, err := loadApp(ctx, tx, `a.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		if app.Status != StatusSubmitted {
			return nil, errs.New(errs.Conflict, "already_decided",
				"该申请已由其他经办人员处理（"+app.Status.Name()+"），请刷新")
		}
		return nil, errs.StaleVersion()
	}
	return app, nil
}

// reasonText trims a required free-text reason and checks its length; the
// error names field, with empty as the message when nothing was written
// and label in the too-long message. Errors: Invalid.
func reasonText(field, text, empty, label string) (string, error) {
	text = strings.TrimSpace(text)
	var f errs.Fields
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		f.Add(field, empty)
	case n > maxReasons:
		f.Add(field, fmt.Sprintf("%s不能超过 %d 个字", label, maxReasons))
	}
	return text, f.Err()
}
