package death

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/notify"
	"shebao/internal/person"
)

// Statuses of a relative's death report.
const (
	ReportSubmitted = "submitted"
	ReportAccepted  = "accepted"
	ReportRejected  = "rejected"
)

var reportStatusNames = map[string]string{ReportSubmitted: "待保险福利科审核", ReportAccepted: "已受理，已登记死亡",
	ReportRejected: "未通过审核"}

// Relationships a relative may state.
var Relationships = []string{"配偶", "子女", "父母", "兄弟姐妹", "祖父母或外祖父母", "孙子女或外孙子女", "其他近亲属"}

// RelativeReport is a relative's online death report with the scan of the
// death certificate (docs/rules.md "Death: reports and matching").
type RelativeReport struct {
	ID             int64
	No             string
	ReporterUserID int64
	ReporterName   string
	ReporterIDNo   string
	Relationship   string
	Phone          string
	PersonID       int64
	PersonName     string
	PersonIDNo     string
	PersonKind     string
	DeathDate      string
	CertificateNo  string
	ScanDocID      int64
	Status         string
	Reason         string
	DeathID        int64
	DecidedBy      int64
	DecidedAt      *time.Time
	CreatedAt      time.Time
	Version        int64
}

// StatusName is the Chinese status.
func (r *RelativeReport) StatusName() string { return reportStatusNames[r.Status] }

// PersonMasked is the deceased's masked ID number.
func (r *RelativeReport) PersonMasked() string { return ident.MaskID(r.PersonIDNo) }

// PersonNameMasked is the deceased's masked name.
func (r *RelativeReport) PersonNameMasked() string { return ident.MaskName(r.PersonName) }

// ReporterMasked is the reporter's masked ID number.
func (r *RelativeReport) ReporterMasked() string { return ident.MaskID(r.ReporterIDNo) }

// PhoneMasked is the reporter's masked phone.
func (r *RelativeReport) PhoneMasked() string { return ident.MaskPhone(r.Phone) }

// KindName is the deceased's kind of insurance in Chinese.
func (r *RelativeReport) KindName() string { return person.Kind(r.PersonKind).Name() }

// Open tells whether the report waits for review.
func (r *RelativeReport) Open() bool { return r.Status == ReportSubmitted }

// RelativeInput is what a relative files on the portal: the relationship,
// the deceased's ID number, the date of death, the certificate (or
// cremation) number, a mobile number, and the certificate's scan.
type RelativeInput struct {
	Relationship  string
	IDNumber      string
	Date          string
	CertificateNo string
	Phone         string
	ScanName      string
	Scan          io.Reader // nil: none uploaded
}

// SubmitReport files a relative's death report (person account): checked,
// the scan stored (JPEG, PNG or PDF by its bytes) and queued for
// 保险福利科's review; nothing is recorded until a clerk accepts it.
// Errors: Forbidden, Invalid (fields named), Conflict (already recorded
// deceased, or a report under review for the same person).
func (s *Service) SubmitReport(ctx context.Context, a *access.Actor, in RelativeInput) (*RelativeReport, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RolePerson || a.PersonID == 0 {
		return nil, errs.New(errs.Forbidden, "relative_only", "死亡申报由逝者亲属登录个人账户后网上提交")
	}
	me, err := person.Load(ctx, s.db.Read(), a.PersonID)
	if err != nil {
		return nil, err
	}
	r, err := s.checkReport(ctx, me, in)
	if err != nil {
		return nil, err
	}
	doc, err := s.storeScan(ctx, a, in)
	if err != nil {
		return nil, err
	}
	r.ScanDocID, r.ReporterUserID, r.Status, r.CreatedAt = doc, a.UserID, ReportSubmitted, s.now()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := insertReport(ctx, tx, r); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "death.report.submit", Entity: "death_report", EntityID: r.No,
			After: map[string]any{"id_number": r.PersonMasked(), "date": r.DeathDate, "relationship": r.Relationship}})
	})
	return r, err
}

// checkReport validates the report's fields and finds the deceased.
func (s *Service) checkReport(ctx context.Context, me *person.Person, in RelativeInput) (*RelativeReport, error) {
	var f errs.Fields
	r := &RelativeReport{ReporterName: me.Name, ReporterIDNo: me.IDNumber, Relationship: strings.TrimSpace(in.Relationship)}
	if !slices.Contains(Relationships, r.Relationship) {
		f.Add("relationship", "请选择您与逝者的关系")
	}
	date := s.parseDate(&f, "date", in.Date)
	r.DeathDate = date.Format("2006-01-02")
	r.CertificateNo = strings.TrimSpace(in.CertificateNo)
	if r.CertificateNo == "" || utf8.RuneCountInString(r.CertificateNo) > 50 {
		f.Add("certificate_no", "请填写死亡证明或火化证明编号（50 字以内）")
	}
	phone, err := ident.ParsePhone(in.Phone)
	if err != nil || !strings.HasPrefix(phone, "1") {
		f.Add("phone", "请填写正确的11位手机号码，以便通知审核结果")
	}
	r.Phone = phone
	if in.Scan == nil {
		f.Add("scan", "请上传死亡证明（或火化证明）扫描件或照片（JPEG、PNG 或 PDF）")
	}
	pid := s.personByID(ctx, &f, "id_number", in.IDNumber)
	if pid == me.ID {
		f.Add("id_number", "逝者公民身份号码不能是您本人的号码")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	p, err := person.Load(ctx, s.db.Read(), pid)
	if err != nil {
		return nil, err
	}
	if p.Status == person.Deceased {
		return nil, errs.New(errs.Conflict, "already_deceased", "该人员已登记死亡，无需再次申报；如需办理丧葬补助等待遇，请联系保险福利科")
	}
	if r.DeathDate < p.BirthDate {
		return nil, fieldErr("date", "死亡日期不能早于逝者的出生日期")
	}
	r.PersonID, r.PersonName, r.PersonIDNo, r.PersonKind = p.ID, p.Name, p.IDNumber, string(p.Kind)
	return r, nil
}

// storeScan keeps the certificate's scan; anything but an image or a PDF
// is refused by its bytes.
func (s *Service) storeScan(ctx context.Context, a *access.Actor, in RelativeInput) (int64, error) {
	if s.docs == nil {
		return 0, errs.Wrap(fmt.Errorf("no document store"), "death report scan")
	}
	name := in.ScanName
	if name == "" {
		name = "死亡证明"
	}
	d, err := s.docs.Put(ctx, a, name, in.Scan)
	if errs.KindOf(err) == errs.Invalid {
		return 0, fieldErr("scan", "死亡证明扫描件："+errs.As(err).Message)
	}
	if err != nil {
		return 0, err
	}
	return d.ID, nil
}

// MyReports lists the reports the signed-in relative filed.
func (s *Service) MyReports(ctx context.Context, a *access.Actor) ([]*RelativeReport, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RolePerson {
		return nil, errs.New(errs.Forbidden, "relative_only", "仅申报人本人可查看自己的死亡申报")
	}
	return reportsWhere(ctx, s.db.Read(), "r.reporter_user_id = $1", 50, a.UserID)
}

// PendingReports lists the reports waiting for 保险福利科's review, oldest first.
func (s *Service) PendingReports(ctx context.Context, a *access.Actor) ([]*RelativeReport, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "亲属死亡申报由保险福利科审核")
	}
	return reportsWhere(ctx, s.db.Read(), "r.status = $1", 200, ReportSubmitted)
}

// RelativeReport returns one report to 保险福利科 or to the relative who filed it.
// Errors: Forbidden, NotFound.
func (s *Service) RelativeReport(ctx context.Context, a *access.Actor, no string) (*RelativeReport, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	r, err := reportByNo(ctx, s.db.Read(), no)
	if err != nil {
		return nil, err
	}
	if !a.In(access.Welfare) && (a.Role != access.RolePerson || a.UserID != r.ReporterUserID) {
		return nil, errs.New(errs.NotFound, "report_not_found", "未找到该死亡申报")
	}
	return r, nil
}

// ReportScan says which document is a report's scan, for whoever may see
// the report. Errors: as RelativeReport.
func (s *Service) ReportScan(ctx context.Context, a *access.Actor, no string) (int64, error) {
	r, err := s.RelativeReport(ctx, a, no)
	if err != nil {
		return 0, err
	}
	return r.ScanDocID, nil
}

// AcceptReport accepts a report after checking its scan: the death is
// recorded as any other (pension stopped from the month after death, the
// overpayment kept), the reporter listed as an heir, and the relative
// told. Errors: Forbidden, NotFound, Conflict (already decided, stale
// version, the person recorded deceased meanwhile).
func (s *Service) AcceptReport(ctx context.Context, a *access.Actor, no string, version int64) (*Death, error) {
	var out *Death
	err := s.decideReport(ctx, a, no, version, func(tx *sql.Tx, r *RelativeReport) error {
		date, _ := clock.ParseDate(r.DeathDate)
		d, err := s.recordTx(ctx, tx, a, r.PersonID, date, true, SourceRelative, r.CertificateNo)
		if err != nil {
			return err
		}
		if err := insertHeirs(ctx, tx, d.ID, []Heir{{Name: r.ReporterName, IDNumber: r.ReporterIDNo, Relationship: r.Relationship}}); err != nil {
			return err
		}
		r.Status, r.DeathID, out = ReportAccepted, d.ID, d
		s.tellReporter(ctx, tx, r, "死亡申报已受理",
			fmt.Sprintf("您提交的 %s 死亡申报（%s）已审核通过，已登记死亡。如需申领丧葬补助金、抚恤金和个人账户余额，请联系保险福利科。", r.PersonNameMasked(), r.No))
		return nil
	})
	return out, err
}

// RejectReport rejects a report with a reason the relative is sent.
// Errors: Forbidden, NotFound, Invalid (no reason), Conflict.
func (s *Service) RejectReport(ctx context.Context, a *access.Actor, no string, version int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return fieldErr("reason", "请写明不予受理的原因（200 字以内），申报人将收到通知")
	}
	return s.decideReport(ctx, a, no, version, func(tx *sql.Tx, r *RelativeReport) error {
		r.Status, r.Reason = ReportRejected, reason
		s.tellReporter(ctx, tx, r, "死亡申报未通过审核",
			fmt.Sprintf("您提交的 %s 死亡申报（%s）未通过审核：%s。请按提示补正后重新申报。", r.PersonNameMasked(), r.No, reason))
		return nil
	})
}

// decideReport runs a decision on a report under review in one
// transaction: the report locked and checked, fn applied, the report
// updated and audited.
func (s *Service) decideReport(ctx context.Context, a *access.Actor, no string, version int64, fn func(*sql.Tx, *RelativeReport) error) error {
	if !a.In(access.Welfare) {
		return errs.New(errs.Forbidden, "welfare_only", "亲属死亡申报由保险福利科审核")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		r, err := reportByNo(ctx, tx, no)
		if err != nil {
			return err
		}
		if r.Status != ReportSubmitted {
			return errs.New(errs.Conflict, "report_decided", "该申报已审核，请刷新页面")
		}
		if r.Version != version {
			return errs.New(errs.Conflict, "stale_version", "该申报已被他人处理，请刷新页面")
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		now := s.now()
		r.DecidedBy, r.DecidedAt = a.UserID, &now
		if err := updateReport(ctx, tx, r); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "death.report." + map[string]string{ReportAccepted: "accept", ReportRejected: "reject"}[r.Status],
			Entity: "death_report", EntityID: r.No, After: map[string]any{"status": r.Status, "id_number": r.PersonMasked()}, Note: r.Reason})
	})
}

// tellReporter sends the decision to the relative's account (portal
// message, and SMS/e-mail by their settings), queued in the transaction.
func (s *Service) tellReporter(ctx context.Context, tx *sql.Tx, r *RelativeReport, subject, body string) {
	if s.notify == nil {
		return
	}
	m := notify.Message{Subject: subject, Body: body, Kind: "death.report"}
	to := notify.Recipient{UserID: r.ReporterUserID, Phone: r.Phone}
	if n, ok := s.notify.(interface {
		NotifyTx(ctx context.Context, q db.Querier, to notify.Recipient, m notify.Message) error
	}); ok {
		_ = n.NotifyTx(ctx, tx, to, m)
		return
	}
	_ = s.notify.Notify(ctx, to, m)
}
