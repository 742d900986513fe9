package statement

import (
	"archive/zip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/certificate"
	"shebao/internal/errs"
	"shebao/internal/jobs"
	"shebao/internal/pdfdoc"
	"shebao/internal/person"
)

// Scopes of a batch.
const (
	ScopeRetirees = "retirees" // every pensioner
	ScopeEmployer = "employer" // the employees of one employer
	ScopeAll      = "all"      // every insured person (not deceased, not transferred out)
)

var scopeNames = map[string]string{ScopeRetirees: "全部退休人员", ScopeEmployer: "单位在职职工", ScopeAll: "全部参保人员"}

// Batch statuses.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

var statusNames = map[string]string{Queued: "排队中", Running: "正在生成", Done: "已完成", Failed: "未完成"}

// StaleAfter is how long a running batch may go without progress before it
// counts as interrupted (its server died) and is resumed.
const StaleAfter = 2 * time.Minute

// PrintPart is how many statements one part of the print edition binds.
const PrintPart = 300

// Batch is one batch of statements and its progress.
type Batch struct {
	ID           int64
	Scope        string
	EmployerID   int64
	EmployerName string
	Year         int
	Mail, Print  bool
	Status       string
	Total, Done  int64
	Mailed       int64
	Error        string
	ActorName    string
	CreatedAt    time.Time
	FinishedAt   time.Time
}

// ScopeName is the scope in Chinese (with the employer's name).
func (b *Batch) ScopeName() string {
	if b.Scope == ScopeEmployer && b.EmployerName != "" {
		return b.EmployerName + "在职职工"
	}
	return scopeNames[b.Scope]
}

// StatusName is the status in Chinese.
func (b *Batch) StatusName() string { return statusNames[b.Status] }

// Running reports whether the batch is queued or being generated.
func (b *Batch) Running() bool { return b.Status == Queued || b.Status == Running }

// Percent is the share done, 0–100.
func (b *Batch) Percent() int64 {
	if b.Total <= 0 {
		if b.Status == Done {
			return 100
		}
		return 0
	}
	return b.Done * 100 / b.Total
}

// BatchInput is a clerk's order of a batch.
type BatchInput struct {
	Scope      string
	EmployerNo string // 单位编号, for ScopeEmployer
	Year       int
	Mail       bool
	Print      bool
}

// StartBatch records a batch with its members (frozen now, ordered by
// employer and person) and starts generating it in the background, for
// 个人账户科. Errors: Forbidden, Invalid (fields scope, employer_no, year).
func (s *Service) StartBatch(ctx context.Context, a *access.Actor, in BatchInput) (*Batch, error) {
	b, err := s.CreateBatch(ctx, a, in)
	if err != nil {
		return nil, err
	}
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		if err := s.RunBatch(context.WithoutCancel(ctx), b.ID); err != nil && errs.KindOf(err) != errs.Conflict {
			s.log.Error("statement batch", "batch", b.ID, "err", err)
		}
	}()
	return b, nil
}

// CreateBatch records a batch and its members without running it (the
// background job or RunBatch does). Errors: those of StartBatch.
func (s *Service) CreateBatch(ctx context.Context, a *access.Actor, in BatchInput) (*Batch, error) {
	if err := Can(a, ManageBatches, 0); err != nil {
		return nil, err
	}
	if err := s.validate(in); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	b := &Batch{Scope: in.Scope, Year: in.Year, Mail: in.Mail, Print: in.Print,
		Status: Queued, ActorName: a.Name(), CreatedAt: now}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if in.Scope == ScopeEmployer {
			id, name, err := employerByNo(ctx, tx, in.EmployerNo)
			if err != nil {
				return err
			}
			b.EmployerID, b.EmployerName = id, name
		}
		if err := insertBatch(ctx, tx, b, a.UserID); err != nil {
			return err
		}
		n, err := insertMembers(ctx, tx, b, s.clock.Now())
		if err != nil {
			return err
		}
		if n == 0 {
			return fieldErr("scope", "所选范围内没有参保人员，未生成批次")
		}
		b.Total = n
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "statement.batch.create", Entity: "statement_batch",
			EntityID: strconv.FormatInt(b.ID, 10), After: map[string]any{"scope": b.Scope, "employer_id": b.EmployerID,
				"year": b.Year, "members": n, "mail": b.Mail, "print": b.Print}})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (s *Service) validate(in BatchInput) error {
	var f errs.Fields
	if _, ok := scopeNames[in.Scope]; !ok {
		f.Add("scope", "请选择生成范围：全部退休人员、某单位在职职工或全部参保人员")
	}
	if in.Scope == ScopeEmployer && strings.TrimSpace(in.EmployerNo) == "" {
		f.Add("employer_no", "按单位生成时请填写单位编号")
	}
	if this := s.clock.Now().In(time.UTC).Year(); in.Year < 1993 || in.Year > this {
		f.Add("year", fmt.Sprintf("记录单年度应在 1993 至 %d 之间", this))
	}
	return f.Err()
}

func fieldErr(field, msg string) error {
	var f errs.Fields
	f.Add(field, msg)
	return f.Err()
}

// Batch returns one batch, for 个人账户科. Errors: Forbidden, NotFound.
func (s *Service) Batch(ctx context.Context, a *access.Actor, id int64) (*Batch, error) {
	if err := Can(a, ManageBatches, 0); err != nil {
		return nil, err
	}
	return loadBatch(ctx, s.db.Read(), id)
}

// Batches lists the latest batches, for 个人账户科. Errors: Forbidden.
func (s *Service) Batches(ctx context.Context, a *access.Actor) ([]Batch, error) {
	if err := Can(a, ManageBatches, 0); err != nil {
		return nil, err
	}
	return listBatches(ctx, s.db.Read(), 20)
}

// RunBatch generates the statements of a batch not yet written, then its
// print edition, and marks it done. It first claims the batch: a queued
// or failed batch, or a running one whose server stopped (no progress for
// StaleAfter). Errors: Conflict (another server is running it), NotFound,
// and those of the run (recorded on the batch, which stays resumable).
func (s *Service) RunBatch(ctx context.Context, id int64) error {
	b, err := s.claim(ctx, id)
	if err != nil {
		return err
	}
	err = s.generate(ctx, b)
	if err == nil && b.Print {
		err = s.printEdition(ctx, b)
	}
	status, msg := Done, ""
	if err != nil {
		status, msg = Failed, "生成中断："+errText(err)+"。已生成的记录单不受影响，可继续生成（不会重复生成或重复发送邮件）"
		s.log.Error("statement batch failed", "batch", b.ID, "err", err)
	}
	if ferr := finishBatch(context.WithoutCancel(ctx), s.db, b.ID, status, msg, s.clock.Now()); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

func errText(err error) string {
	if e := errs.As(err); e != nil && e.Kind != errs.Internal && e.Message != "" {
		return e.Message
	}
	return "服务器停止或数据库错误"
}

func (s *Service) claim(ctx context.Context, id int64) (*Batch, error) {
	now := s.clock.Now()
	ok, err := claimBatch(ctx, s.db, id, s.server, now, now.Add(-StaleAfter))
	if err != nil {
		return nil, err
	}
	b, err := loadBatch(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.New(errs.Conflict, "batch_running", "该批次正在生成或已完成")
	}
	return b, nil
}

// rendered is one statement ready to store.
type rendered struct {
	m    member
	c    *Content
	code string
	pdf  []byte
	err  error
}

// generate renders the members without a statement, a chunk at a time
// (several at once), and stores each; memory holds one chunk at most.
func (s *Service) generate(ctx context.Context, b *Batch) error {
	var after int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ms, err := pendingMembers(ctx, s.db.Read(), b.ID, after, s.chunk)
		if err != nil || len(ms) == 0 {
			return err
		}
		after = ms[len(ms)-1].Seq
		stored, mailed, err := s.renderChunk(ctx, b, ms)
		if perr := progress(ctx, s.db, b.ID, stored, mailed, s.clock.Now()); perr != nil && err == nil {
			err = perr
		}
		if err != nil {
			return err
		}
	}
}

func (s *Service) renderChunk(ctx context.Context, b *Batch, ms []member) (stored, mailed int64, err error) {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.PersonID
	}
	data, err := readChunk(ctx, s.db.Read(), ids, b.Year)
	if err != nil {
		return 0, 0, err
	}
	out := make(chan rendered, s.workers)
	next := make(chan member)
	var wg sync.WaitGroup
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range next {
				code := certificate.NewCode()
				c, pdf, err := s.renderFrom(data, m, b.Year, code, s.clock.Now())
				out <- rendered{m: m, c: c, code: code, pdf: pdf, err: err}
			}
		}()
	}
	go func() {
		defer close(next)
		for _, m := range ms {
			select {
			case next <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()
	var first error
	var group []rendered
	flush := func() {
		if len(group) == 0 || first != nil {
			return
		}
		n, err := s.store(ctx, b, group, s.clock.Now())
		if err != nil {
			first = err
			return
		}
		stored, mailed = stored+int64(len(group)), mailed+n
		group = group[:0]
	}
	for r := range out {
		if first != nil {
			continue // drain
		}
		if r.err != nil {
			first = r.err
			continue
		}
		if group = append(group, r); len(group) >= storeGroup {
			flush()
		}
	}
	if first == nil {
		first = ctx.Err()
	}
	if first == nil {
		flush()
	}
	return stored, mailed, first
}

// printEdition binds the batch's statements, in member order, into parts
// of PrintPart statements (parts made before a crash are kept).
func (s *Service) printEdition(ctx context.Context, b *Batch) error {
	have, err := printParts(ctx, s.db.Read(), b.ID)
	if err != nil {
		return err
	}
	var total int64
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM statement_members WHERE batch_id = $1`, b.ID).Scan(&total); err != nil {
		return errs.Wrap(err, "print edition")
	}
	for part := 1; int64(part-1)*PrintPart < total; part++ {
		if have[part] {
			continue
		}
		lo, hi := int64(part-1)*PrintPart+1, min(int64(part)*PrintPart, total)
		pdf, err := s.printPart(ctx, b, lo, hi)
		if err != nil {
			return err
		}
		if err := s.db.WithTx(ctx, func(tx *sql.Tx) error { return insertPrint(ctx, tx, b.ID, part, lo, hi, pdf) }); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) printPart(ctx context.Context, b *Batch, lo, hi int64) ([]byte, error) {
	ms, err := membersBetween(ctx, s.db.Read(), b.ID, lo, hi)
	if err != nil {
		return nil, err
	}
	d, err := pdfdoc.New()
	if err != nil {
		return nil, err
	}
	d.SetDate(s.clock.Now())
	for i, m := range ms {
		st, err := statementAt(ctx, s.db.Read(), b.ID, m.Seq)
		if err != nil {
			return nil, err
		}
		c, err := s.content(ctx, m, b.Year)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			d.NewPage()
		}
		c.write(d, s.opt.Issuer)
		d.Text("验证码：" + st.Grouped() + "（在本机构网站“缴费证明核验”页面核验）")
	}
	return d.Bytes()
}

// content builds one member's statement content without rendering it.
func (s *Service) content(ctx context.Context, m member, year int) (*Content, error) {
	q := s.db.Read()
	p, err := person.Load(ctx, q, m.PersonID)
	if err != nil {
		return nil, err
	}
	return build(ctx, q, p, year, m.Employer)
}

// ResumeDue runs the batches that are queued or were interrupted (their
// server stopped), one after another: the background job.
func (s *Service) ResumeDue(ctx context.Context) (string, error) {
	now := s.clock.Now()
	ids, err := dueBatches(ctx, s.db.Read(), now.Add(-StaleAfter))
	if err != nil {
		return "", err
	}
	ran := 0
	for _, id := range ids {
		err := s.RunBatch(ctx, id)
		if errs.KindOf(err) == errs.Conflict {
			continue
		}
		if err != nil {
			return fmt.Sprintf("%d batches run", ran), err
		}
		ran++
	}
	return fmt.Sprintf("%d batches run", ran), nil
}

// JobName is the background job resuming batches.
const JobName = "statements.resume"

// Job is the background job: every minute it runs the queued and
// interrupted batches.
func (s *Service) Job() jobs.Job {
	return jobs.Job{Name: JobName, Schedule: jobs.Every(time.Minute), Lease: 2 * StaleAfter, Run: s.ResumeDue}
}

// WriteZIP streams a finished batch as one ZIP to w: a folder per
// employer with one PDF per person, and the print edition if made; for
// 个人账户科, audited. Errors: Forbidden, NotFound, Conflict (not done).
func (s *Service) WriteZIP(ctx context.Context, a *access.Actor, id int64, w io.Writer) error {
	b, err := s.Batch(ctx, a, id)
	if err != nil {
		return err
	}
	if b.Status != Done {
		return errs.New(errs.Conflict, "batch_not_done", "该批次尚未生成完毕，请完成后再下载")
	}
	if err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "statement.batch.download", Entity: "statement_batch",
			EntityID: strconv.FormatInt(id, 10), After: map[string]any{"statements": b.Done}})
	}); err != nil {
		return err
	}
	z := zip.NewWriter(w)
	if err := zipStatements(ctx, s.db.Read(), z, b, s.clock.Now()); err != nil {
		return err
	}
	if b.Print {
		if err := zipPrints(ctx, s.db.Read(), z, b, s.clock.Now()); err != nil {
			return err
		}
	}
	return errs.Wrap(z.Close(), "zip")
}

// ZIPName is the file name of a batch's ZIP.
func (b *Batch) ZIPName() string {
	return fmt.Sprintf("%d年度个人权益记录单_第%d批.zip", b.Year, b.ID)
}
