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
	"shebao/internal/ident"
	"shebao/internal/pension"
)

// Kinds of qualification.
const (
	KindEmployee     = "employee"     // 企业职工正常退休资格确认
	KindSelfEmployed = "selfemployed" // 个体及灵活就业人员退休申报
)

// Statuses of a qualification.
const (
	QualSubmitted = "submitted"
	QualApproved  = "approved"
	QualRejected  = "rejected"
)

var qualStatusNames = map[string]string{QualSubmitted: "待确认", QualApproved: "已确认", QualRejected: "不予确认"}

// DeterminationCaseType is the casework type both paths end in.
const DeterminationCaseType = "retirement_benefit"

// FormItem is the checklist item of the form's scan.
const FormItem = "退休资格确认表"

// Qualification is a qualification confirmation (or a self-employed
// application).
type Qualification struct {
	ID           int64
	No           string
	Kind         string
	PersonID     int64
	EmployerID   int64
	EmployerName string
	Channel      string
	Category     pension.Category
	RetireMonth  clock.Month
	DeemedMonths int
	Months       int
	Gaps         []string
	Phone1       string
	Phone2       string
	Contact      string
	Status       string
	Reason       string
	ScanDocID    int64
	ReceivedAt   time.Time
	DecidedAt    *time.Time
	Pushed       bool
	PooledFrom   string
	CaseNo       string
	Version      int64
	PersonName   string
	IDNumber     string
}

// PooledFromText is the first pooled month in Chinese (2026年9月).
func (q *Qualification) PooledFromText() string {
	if m, err := clock.ParseMonth(q.PooledFrom); err == nil {
		return m.Chinese()
	}
	return q.PooledFrom
}

// StatusName is the Chinese status.
func (q *Qualification) StatusName() string { return qualStatusNames[q.Status] }

// ChannelName is the Chinese channel.
func (q *Qualification) ChannelName() string { return casework.ChannelName(q.Channel) }

// IDMasked is the masked ID number.
func (q *Qualification) IDMasked() string { return ident.MaskID(q.IDNumber) }

// NameMasked is the masked name.
func (q *Qualification) NameMasked() string { return ident.MaskName(q.PersonName) }

// KindName is the Chinese kind.
func (q *Qualification) KindName() string {
	if q.Kind == KindSelfEmployed {
		return "个体及灵活就业人员退休申报"
	}
	return "企业职工正常退休资格确认"
}

// CategoryName is the Chinese category.
func (q *Qualification) CategoryName() string { return q.Category.Label() }

// QualInput is the 《企业职工正常退休资格确认表》: the employee, the category
// (women: cadre or worker), deemed contribution months from the personnel
// file, and the employer's contact. Clerks add the employer, the channel,
// when it arrived and the scan.
type QualInput struct {
	IDNumber     string
	Category     string
	DeemedMonths string
	Contact      string
	Phone        string
	EmployerID   int64  // clerk only
	Channel      string // clerk only: phone or email
	ReceivedAt   string // clerk only: "2024-02-05 10:00"
	ScanDocID    int64  // clerk only: the form's scan (upload or mail draft)
}

// ClerkChannels are the channels a clerk records a form from.
var ClerkChannels = []string{"phone", "email", "post"}

// SubmitQualification takes an employer's online form, or a 保险福利科
// clerk's record of a form sent by phone, e-mail or post (with its scan).
// The person must be this employer's current employee, alive, not
// retired, with no other open confirmation. Errors: Forbidden, Invalid,
// Conflict.
func (s *Service) SubmitQualification(ctx context.Context, a *access.Actor, in QualInput) (*Qualification, error) {
	q := &Qualification{Kind: KindEmployee, Channel: "web", Status: QualSubmitted, ReceivedAt: s.now(), Version: 1}
	var f errs.Fields
	switch {
	case a != nil && a.Role == access.RoleEmployer && a.EmployerID != 0:
		q.EmployerID = a.EmployerID
	case a.In(access.Welfare):
		q.EmployerID, q.Channel, q.ScanDocID = in.EmployerID, in.Channel, in.ScanDocID
		s.clerkFacts(&f, q, in)
	default:
		return nil, errs.New(errs.Forbidden, "qualification_forbidden", "退休资格确认表由参保单位网上提交，或由保险福利科按电话、邮件登记")
	}
	p := s.formFacts(ctx, &f, q, in)
	if err := f.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.insertQualification(ctx, tx, q, a.UserID); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.qualification.submit", Entity: "retirement_qualification",
			EntityID: q.No, After: map[string]any{"id_number": p.IDMasked(), "channel": q.Channel, "retire_month": q.RetireMonth.String(),
				"employer_id": q.EmployerID}})
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

func (s *Service) clerkFacts(f *errs.Fields, q *Qualification, in QualInput) {
	if q.EmployerID == 0 {
		f.Add("employer_id", "请查找并选择报送表格的参保单位")
	}
	if !contains(ClerkChannels, q.Channel) {
		f.Add("channel", "请选择来件渠道（电话、邮件或邮寄）")
	}
	if strings.TrimSpace(in.ReceivedAt) != "" {
		t, err := clock.ParseWhen(in.ReceivedAt)
		switch {
		case err != nil:
			f.Add("received_at", "收到时间格式有误，如 2024-02-05 10:00")
		case t.After(s.clock.Now()):
			f.Add("received_at", "收到时间不能晚于现在")
		default:
			q.ReceivedAt = t.UTC().Truncate(time.Second)
		}
	}
	if q.Channel != "phone" && q.ScanDocID == 0 {
		f.Add("scan", "邮件或邮寄来的确认表请附上表格扫描件")
	}
}

// formFacts checks the form's person, category, deemed months and contact.
func (s *Service) formFacts(ctx context.Context, f *errs.Fields, q *Qualification, in QualInput) *Subject {
	q.Contact = strings.TrimSpace(in.Contact)
	if q.Contact == "" || utf8.RuneCountInString(q.Contact) > 50 {
		f.Add("contact", "请填写单位经办人姓名（50 字以内）")
	}
	if ph := strings.TrimSpace(in.Phone); !ident.ValidPhone(ph) {
		f.Add("phone", "请填写正确的经办人联系电话")
	} else {
		q.Phone1 = ph
	}
	if d := strings.TrimSpace(in.DeemedMonths); d != "" {
		n, err := parseInt(d)
		if err != nil || n < 0 || n > 480 {
			f.Add("deemed_months", "视同缴费月数应为 0 至 480 之间的整数（无视同缴费填 0）")
		}
		q.DeemedMonths = n
	}
	p := subjectByIDNumber(ctx, s.db.Read(), in.IDNumber, f, "id_number", s.thisMonth)
	if p == nil {
		return nil
	}
	if in.Category != "" {
		c, ok := pension.ParseCategory(in.Category)
		if !ok || (p.Gender == "M") != (c == pension.Male) {
			f.Add("category", "人员类别与身份证号码的性别不一致，请核对")
			return nil
		}
		p.Category = c
		p.Rule, _ = pension.RetirementOf(c, p.Birth)
	}
	if err := livingInsured(p); err != nil {
		f.Add("id_number", errs.As(err).Message)
		return nil
	}
	if q.EmployerID != 0 && !s.employs(ctx, q.EmployerID, p.ID) {
		f.Add("id_number", "该人员不是本单位的在职参保职工，请核对身份证号码")
		return nil
	}
	q.PersonID, q.PersonName, q.IDNumber, q.Category, q.RetireMonth = p.ID, p.Name, p.IDNumber, p.Category, p.Retire()
	s.checkAge(f, p)
	return p
}

// checkAge refuses a form more than 3 months before the retirement month
// (flexible or statutory) and a retirement below the original age.
func (s *Service) checkAge(f *errs.Fields, p *Subject) {
	y, m := p.AgeAt()
	if err := pension.CheckAge(p.Category, y, m); err != nil {
		f.Add("id_number", errs.As(err).Message)
		return
	}
	if s.thisMonth().Add(3).Before(p.Retire()) {
		f.Add("id_number", fmt.Sprintf("该人员 %s 才达到退休时间（%s），未到退休年龄；请在退休前 3 个月内报送", p.Retire().Chinese(), p.Category.Label()))
	}
}

func (s *Service) employs(ctx context.Context, employerID, personID int64) bool {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM employments WHERE person_id = $1 AND employer_id = $2
		AND end_month IS NULL`, personID, employerID).Scan(&n)
	return err == nil && n > 0
}

func (s *Service) insertQualification(ctx context.Context, tx *sql.Tx, q *Qualification, by int64) error {
	prefix := "TX"
	if q.Kind == KindSelfEmployed {
		prefix = "GX"
	}
	var n int
	day := s.now().In(clock.Shanghai).Format("20060102")
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM retirement_qualifications WHERE no LIKE $1`, prefix+day+"-%").Scan(&n); err != nil {
		return errs.Wrap(err, "qualification no")
	}
	q.No = fmt.Sprintf("%s%s-%04d", prefix, day, n+1)
	gaps, _ := json.Marshal(q.Gaps)
	err := tx.QueryRowContext(ctx, `INSERT INTO retirement_qualifications (no, kind, person_id, employer_id, channel, category,
		retire_month, deemed_months, months, gaps, phone1, phone2, contact, status, scan_doc_id, received_at, submitted_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) RETURNING id`,
		q.No, q.Kind, q.PersonID, nullID(q.EmployerID), q.Channel, string(q.Category), q.RetireMonth.String(), q.DeemedMonths,
		q.Months, string(gaps), q.Phone1, q.Phone2, q.Contact, q.Status, nullID(q.ScanDocID), q.ReceivedAt, by, s.now()).Scan(&q.ID)
	if isUnique(err) {
		return errs.New(errs.Conflict, "qualification_exists", "该人员已有待确认或已确认的退休申请，不能重复提交")
	}
	return errs.Wrap(err, "insert qualification")
}

// IsApprover says whether the actor may confirm qualifications: staff the
// administrator made approvers (the administrator too).
func (s *Service) IsApprover(ctx context.Context, a *access.Actor) bool {
	if a.IsAdmin() {
		return true
	}
	if !a.IsStaff() {
		return false
	}
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM retirement_approvers WHERE user_id = $1`, a.UserID).Scan(&n)
	return err == nil && n > 0
}

// SetApprover grants or withdraws the qualification approver role.
// Errors: Forbidden (not the administrator), NotFound (no such staff).
func (s *Service) SetApprover(ctx context.Context, a *access.Actor, userID int64, grant bool) error {
	if !a.IsAdmin() {
		return errs.New(errs.Forbidden, "admin_only", "退休资格审批权限由系统管理员授予")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT role FROM users WHERE id = $1`, userID).Scan(&role)
		if err != nil || (role != "staff" && role != "admin") {
			return errs.New(errs.NotFound, "staff_not_found", "未找到该经办人员账号")
		}
		if grant {
			_, err = tx.ExecContext(ctx, `INSERT INTO retirement_approvers (user_id, granted_by, granted_at) VALUES ($1,$2,$3)
				ON CONFLICT (user_id) DO NOTHING`, userID, a.UserID, s.now())
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM retirement_approvers WHERE user_id = $1`, userID)
		}
		if err != nil {
			return errs.Wrap(err, "approver")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.approver", Entity: "user", EntityID: fmt.Sprint(userID),
			After: map[string]any{"granted": grant}})
	})
}

// Approvers lists the staff with the approver role.
func (s *Service) Approvers(ctx context.Context, a *access.Actor) ([]Approver, error) {
	if !a.IsAdmin() {
		return nil, errs.New(errs.Forbidden, "admin_only", "退休资格审批权限由系统管理员授予")
	}
	var out []Approver
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var x Approver
		if err := r.Scan(&x.UserID, &x.Username, &x.Name, &x.Granted); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	}, `SELECT u.id, u.username, u.display_name, (ra.user_id IS NOT NULL)
		FROM users u LEFT JOIN retirement_approvers ra ON ra.user_id = u.id WHERE u.role = 'staff' ORDER BY u.username`)
	return out, errs.Wrap(err, "approvers")
}

// Approver is a staff account and whether it confirms qualifications.
type Approver struct {
	UserID   int64
	Username string
	Name     string
	Granted  bool
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
