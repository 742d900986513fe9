package injury

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/document"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/person"
	"shebao/internal/policy"
)

// Service takes accident reports.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	cases    *casework.Service
	docs     *document.Store
	policy   *policy.Service
	audit    *audit.Service
	payouts  Payouts
	notifier PartyNotifier
	log      *slog.Logger
	covered  coveredList
}

// Options are the services the injury line hands its results to.
type Options struct {
	// Payouts receives the approved amounts (nil: the injury's own
	// ready-to-pay lines keep them; PayoutModule hands them to the payouts).
	Payouts Payouts
	// Notifier delivers the decision letters (nil: the letters are only
	// downloadable); Log records a failed delivery.
	Notifier PartyNotifier
	Log      *slog.Logger
}

// NewService returns the service and registers the case types with cases.
func NewService(d *db.DB, c clock.Clock, cases *casework.Service, docs *document.Store, p *policy.Service, au *audit.Service, o Options) *Service {
	cases.Register(CaseType())
	cases.Register(ClaimType())
	cases.Register(FastTrackType())
	s := &Service{db: d, clock: c, cases: cases, docs: docs, policy: p, audit: au, payouts: o.Payouts,
		notifier: o.Notifier, log: o.Log}
	if s.payouts == nil {
		s.payouts = readyLines{clock: c}
	}
	return s
}

// ReportInput is the employer's accident report form.
type ReportInput struct {
	WorkerIDNumber string `json:"worker_id_number"`
	AccidentAt     string `json:"accident_at"` // "2024-02-09T08:00" or "2024-02-09 08:00", Asia/Shanghai
	Place          string `json:"place"`
	What           string `json:"what"`
	Injury         string `json:"injury"`
	Hospital       string `json:"hospital"`
	ContactName    string `json:"contact_name"`
	ContactPhone   string `json:"contact_phone"`
}

// Photo is an uploaded photo of the hospitalised worker.
type Photo struct {
	Name string
	R    io.Reader
}

// MaxPhotos is the most photos one report takes.
const MaxPhotos = 5

// Report records an employer's accident report as a case, with photos
// stored as documents under the checklist item 住院照片. The worker must
// be insured with this employer in the accident's month. A report after
// the 24 hours is accepted and flagged late (迟报). Errors:
// Unauthenticated, Forbidden (not an employer), Invalid (fields, photos).
func (s *Service) Report(ctx context.Context, a *access.Actor, in ReportInput, photos []Photo) (*casework.Case, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RoleEmployer || a.EmployerID == 0 {
		return nil, errs.New(errs.Forbidden, "employer_only", "工伤事故报告由参保单位网上报告")
	}
	var f errs.Fields
	checkPhotos(&f, len(photos))
	rep, worker, err := s.validate(ctx, &f, a.EmployerID, in)
	if err != nil {
		return nil, err
	}
	links, err := s.storePhotos(ctx, a, photos)
	if err != nil {
		return nil, err
	}
	s.setRecognitionDue(ctx, rep)
	return s.cases.Open(ctx, a, casework.OpenInput{
		Type: TypeCode, Channel: "web", SubjectIDNumber: worker.IDNumber,
		Applicant: casework.Applicant{Name: s.employerName(ctx, a.EmployerID), Phone: rep.ContactPhone},
		Title:     title(worker), Summary: rep.What, Data: rep,
		Start: rep.AccidentAt, Documents: links, After: insertReport(a.EmployerID, worker.ID, rep),
	})
}

// title is the case title of an accident report: the worker's name masked.
func title(worker *person.Person) string {
	return "工伤事故报告：" + ident.MaskName(worker.Name)
}

// setRecognitionDue sets the day the employer's recognition application is
// due: the accident day plus the dated rule injury_recognition_days.
func (s *Service) setRecognitionDue(ctx context.Context, rep *Report) {
	if n, _, err := s.policy.Int(ctx, policy.KeyInjuryRecognitionDays, "", rep.AccidentAt); err == nil {
		rep.RecognitionDue = clock.DateOf(rep.AccidentAt).AddDate(0, 0, int(n)).Format("2006-01-02")
	}
}

// insertReport stores the report's own row in the case's transaction.
func insertReport(employerID, workerID int64, rep *Report) func(context.Context, *sql.Tx, *casework.Case) error {
	return func(ctx context.Context, tx *sql.Tx, c *casework.Case) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO injury_reports (case_id, employer_id, person_id, accident_at,
			reported_at, late) VALUES ($1,$2,$3,$4,$5,$6)`, c.ID, employerID, workerID, rep.AccidentAt,
			c.SubmittedAt, c.Late)
		return errs.Wrap(err, "injury report")
	}
}

func (s *Service) employerName(ctx context.Context, id int64) string {
	var name string
	_ = s.db.Read().QueryRowContext(ctx, `SELECT name FROM employers WHERE id = $1`, id).Scan(&name)
	return name
}

func checkPhotos(f *errs.Fields, nPhotos int) {
	if nPhotos == 0 {
		f.Add("photos", "请上传职工住院照片（JPEG 或 PNG）")
	} else if nPhotos > MaxPhotos {
		f.Add("photos", "照片最多 5 张")
	}
}

// validate checks the report's facts and finds the worker, an employee of
// employerID in the accident's month; f may already hold other fields'
// problems, which are returned together.
func (s *Service) validate(ctx context.Context, f *errs.Fields, employerID int64, in ReportInput) (*Report, *person.Person, error) {
	now := s.clock.Now()
	rep := &Report{Place: strings.TrimSpace(in.Place), What: strings.TrimSpace(in.What),
		Injury: strings.TrimSpace(in.Injury), Hospital: strings.TrimSpace(in.Hospital),
		ContactName: strings.TrimSpace(in.ContactName), ContactPhone: strings.TrimSpace(in.ContactPhone)}
	at, err := parseWhen(in.AccidentAt)
	switch {
	case err != nil:
		f.Add("accident_at", "请填写事故发生时间，如 2024-02-09 08:00")
	case at.After(now):
		f.Add("accident_at", "事故发生时间不能晚于现在")
	case at.Before(now.AddDate(-1, 0, 0)):
		f.Add("accident_at", "事故发生已超过一年，请联系工伤保险待遇科")
	}
	rep.AccidentAt = at.UTC()
	text(f, "place", "事故地点", rep.Place, 200)
	text(f, "what", "事故经过", rep.What, 2000)
	text(f, "injury", "受伤部位及伤情", rep.Injury, 500)
	text(f, "hospital", "就诊医院", rep.Hospital, 200)
	text(f, "contact_name", "单位联系人", rep.ContactName, 50)
	if !ident.ValidPhone(rep.ContactPhone) {
		f.Add("contact_phone", "请填写正确的联系电话")
	}
	var worker *person.Person
	if employerID == 0 {
		f.Add("employer", "请先查找并选择受伤职工所在的参保单位")
	} else {
		worker = s.worker(ctx, f, employerID, in.WorkerIDNumber, at)
	}
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	rep.WorkerPersonID, rep.WorkerID, rep.WorkerName = worker.ID, ident.MaskID(worker.IDNumber), worker.Name
	return rep, worker, nil
}

// worker finds the person by ID number and checks they are insured with
// the employer in the month of the accident.
func (s *Service) worker(ctx context.Context, f *errs.Fields, employerID int64, idNumber string, at time.Time) *person.Person {
	id, err := ident.ParseIDOn(strings.TrimSpace(idNumber), s.clock.Now())
	if err != nil {
		f.Add("worker_id_number", "职工身份证号码有误，请核对")
		return nil
	}
	p, err := person.FindByIDNumber(ctx, s.db.Read(), id.Number)
	if err != nil {
		f.Add("worker_id_number", "未找到该身份证号码的参保人员，请核对；如职工尚未参保登记，请先办理参保登记")
		return nil
	}
	month := at.In(clock.Shanghai).Format("2006-01")
	if at.IsZero() {
		month = clock.Today(s.clock).Format("2006-01")
	}
	var n int
	err = s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM employments WHERE person_id = $1 AND employer_id = $2
		AND start_month <= $3 AND (end_month IS NULL OR end_month >= $3)`, p.ID, employerID, month).Scan(&n)
	if err != nil || n == 0 {
		f.Add("worker_id_number", "该职工在事故发生时不是本单位的参保职工，请核对身份证号码或参保登记")
		return nil
	}
	return p
}

func text(f *errs.Fields, field, label, v string, max int) {
	if v == "" {
		f.Add(field, "请填写"+label)
	} else if utf8.RuneCountInString(v) > max {
		f.Add(field, label+"不能超过 "+itoa(max)+" 字")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// parseWhen reads a Shanghai date and time from a form or JSON.
func parseWhen(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, s, clock.Shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errs.New(errs.Invalid, "bad_time", "时间格式有误")
}

// storePhotos stores each photo (JPEG or PNG, checked by content).
func (s *Service) storePhotos(ctx context.Context, a *access.Actor, photos []Photo) ([]casework.DocumentLink, error) {
	var links []casework.DocumentLink
	for _, p := range photos {
		d, err := s.docs.Put(ctx, a, p.Name, p.R)
		if err != nil {
			if e := errs.As(err); e != nil && e.Kind == errs.Invalid {
				var f errs.Fields
				f.Add("photos", "照片“"+ident.MaskName(cleanName(p.Name))+"”："+e.Message)
				return nil, f.Err()
			}
			return nil, err
		}
		if d.ContentType != "image/jpeg" && d.ContentType != "image/png" {
			var f errs.Fields
			f.Add("photos", "住院照片须为 JPEG 或 PNG 图片")
			return nil, f.Err()
		}
		links = append(links, casework.DocumentLink{DocumentID: d.ID, Item: PhotoItem})
	}
	return links, nil
}

func cleanName(n string) string {
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	return n
}
