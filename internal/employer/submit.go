package employer

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/policy"
)

// Submit stores a registration application. A nil actor is the applicant
// on the web (channel "web"); otherwise the actor must be staff of 统筹科
// recording an application received by phone, e-mail, counter, post or
// WeChat (in.Channel). A USCC already registered, or with an application
// waiting for review, is refused (Conflict). Late applications (more than
// RegistrationDays after establishment) are accepted and flagged.
// Errors: Invalid (with fields), Conflict, Forbidden, Unauthenticated.
func (s *Service) Submit(ctx context.Context, a *access.Actor, in ApplicationInput) (*Application, error) {
	if a != nil {
		if err := a.RequireSection(access.Coordination); err != nil {
			return nil, err
		}
	}
	now := s.clock.Now()
	today := s.today()
	var f errs.Fields
	in.validate(&f, today)
	channel, recordedBy := ChannelWeb, sql.NullInt64{}
	if a != nil {
		channel, recordedBy = in.Channel, sql.NullInt64{Int64: a.UserID, Valid: true}
		if !channel.Valid() || channel == ChannelWeb {
			f.Add("channel", "请选择受理渠道（电话、电子邮件、窗口、邮寄或微信）")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	late, basis, err := s.lateness(ctx, in.EstablishedOn, today)
	if err != nil {
		return nil, err
	}
	app := &Application{Info: in.Info, Channel: channel, RecordedBy: recordedBy.Int64, Status: StatusSubmitted,
		Late: late, LateBasis: basis, SubmittedAt: now, Version: 1}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := refuseDuplicate(ctx, tx, in.USCC); err != nil {
			return err
		}
		if app.AppNo, err = nextAppNo(ctx, tx, today); err != nil {
			return err
		}
		var prev sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM employer_applications WHERE uscc = $1 AND status = 'returned'`, in.USCC).Scan(&prev)
		if err != nil {
			return errs.Wrap(err, "previous application")
		}
		app.PreviousID = prev.Int64
		if err := insertApp(ctx, tx, app, recordedBy, prev); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{
			Action: "employer.application.submit", Entity: "employer_application", EntityID: fmt.Sprint(app.ID),
			After: auditApp(app), Note: "受理渠道：" + channel.Name(),
		})
	})
	if err != nil {
		return nil, err
	}
	return app, nil
}

// refuseDuplicate returns Conflict when uscc is registered or has an
// application waiting for review.
func refuseDuplicate(ctx context.Context, q db.Querier, uscc string) error {
	var no string
	err := q.QueryRowContext(ctx, `SELECT employer_no FROM employers WHERE uscc = $1`, uscc).Scan(&no)
	if err == nil {
		return &errs.Error{Kind: errs.Conflict, Code: "uscc_registered",
			Message: "该统一社会信用代码已参保登记，单位社保编号为 " + no + "，请直接登录（用户名为单位社保编号）",
			Fields:  []errs.FieldError{{Field: "uscc", Message: "该单位已参保登记"}}}
	}
	if !db.IsNoRows(err) {
		return errs.Wrap(err, "check employer")
	}
	err = q.QueryRowContext(ctx, `SELECT app_no FROM employer_applications WHERE uscc = $1 AND status = 'submitted'`, uscc).Scan(&no)
	if err == nil {
		return pendingConflict(no)
	}
	if !db.IsNoRows(err) {
		return errs.Wrap(err, "check applications")
	}
	return nil
}

func pendingConflict(appNo string) error {
	msg := "该单位已有待审核的登记申请"
	if appNo != "" {
		msg += " " + appNo
	}
	return &errs.Error{Kind: errs.Conflict, Code: "application_pending",
		Message: msg + "，请凭受理编号查询办理进度，无需重复提交",
		Fields:  []errs.FieldError{{Field: "uscc", Message: "该单位已有待审核的登记申请"}}}
}

func insertApp(ctx context.Context, tx *sql.Tx, app *Application, recordedBy, prev sql.NullInt64) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO employer_applications (app_no, uscc, name, legal_rep, address,
 contact_name, contact_phone, contact_email, industry, risk_class, bank_name, bank_account, established_on,
 channel, recorded_by, status, late_flag, late_basis, previous_id, submitted_at)
 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,'submitted',$16,$17,$18,$19) RETURNING id`,
		app.AppNo, app.USCC, app.Name, app.LegalRep, app.Address, app.ContactName, app.ContactPhone,
		app.ContactEmail, app.Industry, app.RiskClass, app.BankName, app.BankAccount, app.EstablishedOn,
		app.Channel, recordedBy, app.Late, app.LateBasis, prev, app.SubmittedAt).Scan(&app.ID)
	if db.IsUniqueViolation(err) {
		// Another submission for the same USCC won the race.
		return pendingConflict("")
	}
	return errs.Wrap(err, "insert application")
}

// lateness tells whether an employer established on est registers late on
// today, and the basis shown with the flag.
func (s *Service) lateness(ctx context.Context, est string, today time.Time) (bool, string, error) {
	d, err := time.ParseInLocation("2006-01-02", est, today.Location())
	if err != nil {
		return false, "", errs.Wrap(err, "established_on")
	}
	days, err := s.registrationDays(ctx, d)
	if err != nil {
		return false, "", err
	}
	due := d.AddDate(0, 0, days)
	if !today.After(due) {
		return false, "", nil
	}
	if s.policy != nil {
		em, err := s.policy.MeasureInForce(ctx, today, policy.MeasureLateAccepted)
		if err != nil {
			return false, "", errs.Wrap(err, "emergency measure")
		}
		if em != nil {
			basis := strings.TrimSpace(em.LegalBasis)
			if basis == "" {
				basis = em.Title
			}
			return true, "疫情期间逾期登记，依 " + basis + " 及时受理", nil
		}
	}
	return true, fmt.Sprintf("逾期登记（成立于 %s，登记期限至 %s）", est, due.Format("2006-01-02")), nil
}

// registrationDays returns the registration period in force on day.
func (s *Service) registrationDays(ctx context.Context, day time.Time) (int, error) {
	if s.policy == nil {
		return RegistrationDays, nil
	}
	n, _, err := s.policy.Int(ctx, KeyRegistrationDays, "", day)
	switch {
	case errs.KindOf(err) == errs.NotFound:
		return RegistrationDays, nil
	case err != nil:
		return 0, errs.Wrap(err, "registration days")
	case n <= 0 || n > 3650:
		return RegistrationDays, nil
	}
	return int(n), nil
}

// auditApp is what the audit log keeps of an application: no clear phone
// or bank account.
func auditApp(a *Application) map[string]any {
	return map[string]any{
		"app_no": a.AppNo, "uscc": a.USCC, "name": a.Name, "channel": a.Channel, "status": a.Status,
		"contact_phone": ident.MaskPhone(a.ContactPhone), "bank_account": maskAccount(a.BankAccount),
		"risk_class": a.RiskClass, "late": a.Late, "late_basis": a.LateBasis, "version": a.Version,
	}
}

// StatusView is what an applicant sees when checking progress without
// logging in.
type StatusView struct {
	AppNo         string     `json:"app_no"`
	Name          string     `json:"name"`
	Status        Status     `json:"status"`
	StatusName    string     `json:"status_name"`
	SubmittedAt   time.Time  `json:"submitted_at"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	ReturnReasons string     `json:"return_reasons,omitempty"`
	EmployerNo    string     `json:"employer_no,omitempty"`
	Late          bool       `json:"late"`
	LateBasis     string     `json:"late_basis,omitempty"`
}

// Status returns the progress of the application appNo, which must belong
// to uscc. Both must match; otherwise NotFound with a message that does not
// say which of the two was wrong.
func (s *Service) Status(ctx context.Context, appNo, uscc string) (*StatusView, error) {
	appNo = strings.ToUpper(squeeze(appNo))
	uscc = strings.ToUpper(squeeze(uscc))
	var f errs.Fields
	if appNo == "" || len(appNo) > 40 {
		f.Add("app_no", "请填写受理编号，例如 DJ20240210-0007")
	}
	if uscc == "" || len(uscc) > 40 {
		f.Add("uscc", "请填写统一社会信用代码")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	a, err := loadApp(ctx, s.db.Read(), `a.app_no = $1 AND a.uscc = $2`, appNo, uscc)
	if errs.KindOf(err) == errs.NotFound {
		return nil, errs.New(errs.NotFound, "application_not_found", "未找到与该受理编号和统一社会信用代码相符的申请，请核对后重试")
	}
	if err != nil {
		return nil, err
	}
	return &StatusView{AppNo: a.AppNo, Name: a.Name, Status: a.Status, StatusName: a.Status.Name(),
		SubmittedAt: a.SubmittedAt, DecidedAt: a.DecidedAt, ReturnReasons: a.ReturnReasons,
		EmployerNo: a.EmployerNo, Late: a.Late, LateBasis: a.LateBasis}, nil
}
