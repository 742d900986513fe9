package retirement

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/pension"
)

const qualColumns = `q.id, q.no, q.kind, q.person_id, COALESCE(q.employer_id, 0), COALESCE(em.name, ''), q.channel, q.category,
	q.retire_month, q.deemed_months, q.months, q.gaps, q.phone1, q.phone2, q.contact, q.status, q.reason, COALESCE(q.scan_doc_id, 0),
	q.received_at, q.decided_at, q.pushed, COALESCE(q.pooled_from, ''), q.case_no, q.version, p.name, p.id_number`

const qualFrom = ` FROM retirement_qualifications q JOIN persons p ON p.id = q.person_id
	LEFT JOIN employers em ON em.id = q.employer_id`

func scanQual(r interface{ Scan(...any) error }) (*Qualification, error) {
	var q Qualification
	var cat, retire, gaps string
	var decided sql.NullTime
	err := r.Scan(&q.ID, &q.No, &q.Kind, &q.PersonID, &q.EmployerID, &q.EmployerName, &q.Channel, &cat, &retire,
		&q.DeemedMonths, &q.Months, &gaps, &q.Phone1, &q.Phone2, &q.Contact, &q.Status, &q.Reason, &q.ScanDocID,
		&q.ReceivedAt, &decided, &q.Pushed, &q.PooledFrom, &q.CaseNo, &q.Version, &q.PersonName, &q.IDNumber)
	if err != nil {
		return nil, err
	}
	q.Category = pension.Category(cat)
	q.RetireMonth, _ = clock.ParseMonth(retire)
	_ = json.Unmarshal([]byte(gaps), &q.Gaps)
	if decided.Valid {
		t := decided.Time
		q.DecidedAt = &t
	}
	return &q, nil
}

func qualificationsOf(ctx context.Context, q db.Querier, where string, args ...any) ([]*Qualification, error) {
	out, err := db.Collect(ctx, q, scanQual, `SELECT `+qualColumns+qualFrom+` WHERE `+where+` ORDER BY q.created_at DESC, q.id DESC LIMIT 200`, args...)
	return out, errs.Wrap(err, "qualifications")
}

// Qualifications lists confirmations the actor may see: an employer its
// own, approvers and 保险福利科 all employees' forms, 个体参保科 the
// self-employed applications; status "" means every status.
func (s *Service) Qualifications(ctx context.Context, a *access.Actor, status string) ([]*Qualification, error) {
	where, args := "1 = 1", []any{}
	switch {
	case a != nil && a.Role == access.RoleEmployer && a.EmployerID != 0:
		where, args = "q.employer_id = $1", []any{a.EmployerID}
	case s.IsApprover(ctx, a) || a.In(access.Welfare):
		where = "q.kind = 'employee'"
		if a.In(access.SelfEmployed) {
			where = "1 = 1"
		}
	case a.In(access.SelfEmployed):
		where = "q.kind = 'selfemployed'"
	default:
		return nil, errs.New(errs.Forbidden, "qualification_forbidden", "无权查看退休资格确认")
	}
	if status != "" {
		if _, ok := qualStatusNames[status]; !ok {
			return nil, errs.New(errs.Invalid, "bad_status", "状态不正确")
		}
		args = append(args, status)
		where += fmt.Sprintf(" AND q.status = $%d", len(args))
	}
	return qualificationsOf(ctx, s.db.Read(), where, args...)
}

// Qualification returns one confirmation the actor may see. Errors:
// NotFound (also another employer's).
func (s *Service) Qualification(ctx context.Context, a *access.Actor, no string) (*Qualification, error) {
	return s.visibleQual(ctx, s.db.Read(), a, no)
}

func (s *Service) visibleQual(ctx context.Context, q db.Querier, a *access.Actor, no string) (*Qualification, error) {
	x, err := scanQual(q.QueryRowContext(ctx, `SELECT `+qualColumns+qualFrom+` WHERE q.no = $1`, no))
	if db.IsNoRows(err) {
		return nil, notFoundQual()
	}
	if err != nil {
		return nil, errs.Wrap(err, "qualification")
	}
	if !s.maySee(ctx, a, x) {
		return nil, notFoundQual()
	}
	return x, nil
}

func notFoundQual() error {
	return errs.New(errs.NotFound, "qualification_not_found", "未找到该退休申请")
}

func (s *Service) maySee(ctx context.Context, a *access.Actor, x *Qualification) bool {
	switch {
	case a == nil:
		return false
	case a.Role == access.RoleEmployer:
		return a.EmployerID != 0 && a.EmployerID == x.EmployerID
	case a.Role == access.RolePerson:
		return a.PersonID == x.PersonID
	case x.Kind == KindSelfEmployed:
		return a.In(access.SelfEmployed) || a.In(access.Welfare)
	}
	return a.In(access.Welfare) || s.IsApprover(ctx, a)
}

// Decision is an approver's answer to a confirmation.
type Decision struct {
	No      string
	Version int64
	Approve bool
	Reason  string
}

// Decide confirms or refuses a qualification. A confirmation checks the
// age and category against the ID number and records, the minimum years
// (paid months plus deemed months) and lists the gaps; from the switch
// date on it pushes the form to 保险福利科 as a determination case in the
// same transaction, before it the employer sends the form by phone or
// e-mail and a clerk opens the case (OpenDetermination). Self-employed
// applications are decided by 个体参保科 and start pooling the month after
// approval. Errors: Forbidden, NotFound, Conflict (decided, stale),
// Invalid (below age, short of the minimum years, no reason).
func (s *Service) Decide(ctx context.Context, a *access.Actor, d Decision) (*Qualification, error) {
	d.Reason = strings.TrimSpace(d.Reason)
	if utf8.RuneCountInString(d.Reason) > 500 {
		return nil, fieldErr("reason", "说明不能超过 500 字")
	}
	if !d.Approve && d.Reason == "" {
		return nil, fieldErr("reason", "不予确认时请写明原因")
	}
	var out *Qualification
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		q, err := s.visibleQual(ctx, tx, a, d.No)
		if err != nil {
			return err
		}
		if err := s.mayDecide(ctx, a, q); err != nil {
			return err
		}
		if q.Status != QualSubmitted {
			return errs.New(errs.Conflict, "qualification_decided", "该申请已"+q.StatusName()+"，不能重复审批")
		}
		if q.Version != d.Version {
			return errs.New(errs.Conflict, "stale", "该申请已由其他人员处理，请刷新后再试")
		}
		out = q
		if !d.Approve {
			return s.reject(ctx, tx, a, q, d.Reason)
		}
		return s.approve(ctx, tx, a, q, d.Reason)
	})
	return out, err
}

func (s *Service) mayDecide(ctx context.Context, a *access.Actor, q *Qualification) error {
	if q.Kind == KindSelfEmployed {
		if !a.In(access.SelfEmployed) {
			return errs.New(errs.Forbidden, "selfemployed_only", "个体退休申报由个体参保科审批")
		}
		return nil
	}
	if !s.IsApprover(ctx, a) {
		return errs.New(errs.Forbidden, "approver_only", "退休资格确认须由系统管理员授予审批权限的人员办理")
	}
	return nil
}

func (s *Service) reject(ctx context.Context, tx *sql.Tx, a *access.Actor, q *Qualification, reason string) error {
	now := s.now()
	if _, err := tx.ExecContext(ctx, `UPDATE retirement_qualifications SET status = 'rejected', reason = $2, decided_by = $3,
		decided_at = $4, version = version + 1 WHERE id = $1`, q.ID, reason, a.UserID, now); err != nil {
		return errs.Wrap(err, "reject qualification")
	}
	q.Status, q.Reason, q.DecidedAt = QualRejected, reason, &now
	s.tell(ctx, tx, q, "退休申请不予确认", fmt.Sprintf("%s（%s）的退休申请不予确认，原因：%s", q.NameMasked(), q.No, reason))
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.qualification.reject", Entity: "retirement_qualification",
		EntityID: q.No, Note: reason})
}

// verify re-checks the person at decision time: alive, not retired, the
// age reached within 3 months, the minimum years with deemed months; it
// records the paid months and the gaps on q.
func (s *Service) verify(ctx context.Context, tx *sql.Tx, q *Qualification) (*Subject, error) {
	p, err := loadSubject(ctx, tx, q.PersonID)
	if err != nil {
		return nil, err
	}
	if err := livingInsured(p); err != nil {
		return nil, err
	}
	p.Category = q.Category
	p.Rule, _ = pension.RetirementOf(q.Category, p.Birth)
	var f errs.Fields
	s.checkAge(&f, p)
	if err := f.Err(); err != nil {
		return nil, errs.New(errs.Invalid, "below_age", f[0].Message)
	}
	rec, err := personRecord(ctx, tx, p.ID)
	if err != nil {
		return nil, err
	}
	q.Months, q.Gaps, q.RetireMonth = rec.Months, rec.GapText(), p.Retire()
	if rec.Months+q.DeemedMonths < p.Rule.MinMonths {
		return nil, errs.New(errs.Invalid, "below_min_years", fmt.Sprintf(
			"%d 年退休的最低缴费年限为 %s 年，该人员实际缴费 %s 年、视同缴费 %s 年，合计不足；可延长缴费或一次性补缴至满最低年限后再申请",
			p.Retire().Year, p.Rule.MinYearsText(), pension.YearsText(rec.Months), pension.YearsText(q.DeemedMonths)))
	}
	return p, nil
}

func (s *Service) approve(ctx context.Context, tx *sql.Tx, a *access.Actor, q *Qualification, note string) error {
	p, err := s.verify(ctx, tx, q)
	if err != nil {
		return err
	}
	now := s.now()
	q.Status, q.DecidedAt = QualApproved, &now
	if q.Kind == KindSelfEmployed {
		q.PooledFrom = clock.MonthOf(now).Add(1).String()
	}
	gaps, _ := json.Marshal(q.Gaps)
	if _, err := tx.ExecContext(ctx, `UPDATE retirement_qualifications SET status = 'approved', reason = $2, decided_by = $3,
		decided_at = $4, months = $5, gaps = $6, retire_month = $7, pooled_from = $8, version = version + 1 WHERE id = $1`,
		q.ID, note, a.UserID, now, q.Months, string(gaps), q.RetireMonth.String(), nullStr(q.PooledFrom)); err != nil {
		return errs.Wrap(err, "approve qualification")
	}
	if err := s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.qualification.approve", Entity: "retirement_qualification",
		EntityID: q.No, After: map[string]any{"months": q.Months, "gaps": len(q.Gaps), "retire_month": q.RetireMonth.String(),
			"pooled_from": q.PooledFrom}}); err != nil {
		return err
	}
	msg := fmt.Sprintf("%s（%s）的退休资格已确认，退休时间 %s", q.NameMasked(), q.No, q.RetireMonth.Chinese())
	if q.PooledFrom != "" {
		m, _ := clock.ParseMonth(q.PooledFrom)
		msg += "，自 " + m.Chinese() + " 起纳入统筹"
	}
	s.tell(ctx, tx, q, "退休资格已确认", msg)
	if q.Kind == KindSelfEmployed && q.CaseNo != "" {
		_, err := s.cases.MoveTx(ctx, tx, a, q.CaseNo, casework.Accepted, msg)
		return err
	}
	if q.Kind == KindSelfEmployed || !clock.DateOf(now).Before(s.switchAt) {
		q.Pushed = true
		return s.openCase(ctx, tx, q, p, "web")
	}
	return nil
}

// OpenDetermination is the path before the switch date: the employer sent
// the confirmed form by phone or e-mail and a 保险福利科 clerk opens the
// determination case from it (the scan attached). Errors: Forbidden,
// NotFound, Conflict (not confirmed, already open).
func (s *Service) OpenDetermination(ctx context.Context, a *access.Actor, no, channel string, scanDocID int64) (*Qualification, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "待遇核定由保险福利科办理")
	}
	if !contains(ClerkChannels, channel) {
		return nil, fieldErr("channel", "请选择确认表的来件渠道（电话、邮件或邮寄）")
	}
	var out *Qualification
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		q, err := s.visibleQual(ctx, tx, a, no)
		if err != nil {
			return err
		}
		if q.Status != QualApproved || q.CaseNo != "" {
			return errs.New(errs.Conflict, "not_openable", "只有已确认且尚未立案核定的退休资格才能登记核定")
		}
		p, err := loadSubject(ctx, tx, q.PersonID)
		if err != nil {
			return err
		}
		if scanDocID != 0 {
			q.ScanDocID = scanDocID
		}
		out = q
		return s.openCase(ctx, tx, q, p, channel)
	})
	return out, err
}

// openCase opens the determination case inside tx: 保险福利科's
// retirement_benefit case for an employee, 个体参保科's flexible_retirement
// case for the self-employed.
func (s *Service) openCase(ctx context.Context, tx *sql.Tx, q *Qualification, p *Subject, channel string) error {
	typ, app := DeterminationCaseType, casework.Applicant{Kind: casework.ApplicantEmployer, EmployerID: q.EmployerID, Name: q.EmployerName, Phone: q.Phone1}
	if q.Kind == KindSelfEmployed {
		typ, app = SelfEmployedCaseType, casework.Applicant{Kind: casework.ApplicantPerson, PersonID: q.PersonID, Name: p.Name, Phone: q.Phone1}
	}
	var docs []casework.DocumentLink
	if q.ScanDocID != 0 && typ == DeterminationCaseType {
		docs = append(docs, casework.DocumentLink{DocumentID: q.ScanDocID, Item: FormItem})
	}
	c, err := s.cases.OpenTx(ctx, tx, access.System, casework.OpenInput{Type: typ, Channel: channel, Applicant: app,
		SubjectIDNumber: p.IDNumber, Title: "退休待遇核定：" + q.NameMasked(), Summary: "退休资格确认 " + q.No,
		Data: map[string]any{"qualification_no": q.No}, Documents: docs})
	if err != nil {
		return err
	}
	q.CaseNo = c.No
	_, err = tx.ExecContext(ctx, `UPDATE retirement_qualifications SET case_no = $2, pushed = $3, scan_doc_id = $4 WHERE id = $1`,
		q.ID, c.No, q.Pushed, nullID(q.ScanDocID))
	return errs.Wrap(err, "qualification case")
}

// tell notifies the employer's or the person's accounts, inside tx.
func (s *Service) tell(ctx context.Context, tx *sql.Tx, q *Qualification, subject, body string) {
	col, id := "employer_id", q.EmployerID
	if q.Kind == KindSelfEmployed {
		col, id = "person_id", q.PersonID
	}
	s.notifyAccounts(ctx, tx, col, id, subject, body, "retirement")
}

func fieldErr(field, msg string) error {
	var f errs.Fields
	f.Add(field, msg)
	return f.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var _ = time.Second
