package contribution

import (
	"context"
	"database/sql"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// Service assesses bills and runs the employer's check and the
// coordination section's corrections.
type Service struct {
	db     *db.DB
	clock  clock.Clock
	audit  *audit.Service
	policy *policy.Service
	batch  int // employers per assessment transaction; 0 = the default
	// parallel is how many batches run at once on PostgreSQL; 0 = per CPU.
	parallel int
	server   string         // this process, recorded on assessment runs
	log      *slog.Logger   // failures of background runs
	running  sync.WaitGroup // background assessment runs (StartRun)
}

// NewService returns the contribution service; server names this process
// on the assessment runs it executes and log takes their failures (nil:
// slog.Default()).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, p *policy.Service, server string, log *slog.Logger, t Tuning) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, clock: c, audit: a, policy: p, server: server, log: log,
		batch: max(t.Batch, 0), parallel: max(t.Workers, 0)}
}

// Tuning sizes the assessment's transactions (the assess command's
// --batch and --workers; zero values: the defaults).
type Tuning struct {
	// Batch is how many employers one assessment transaction covers
	// (0: BatchSize, or larger where transactions write in parallel).
	Batch int
	// Workers is how many batches run at once on PostgreSQL (0: one per
	// CPU); SQLite always runs one.
	Workers int
}

// Get returns a bill with its lines, per-scheme totals and "how computed"
// for each line, if a may see it.
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*Bill, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	b, err := load(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	if err := Can(a, SeeBill, b); err != nil {
		return nil, err
	}
	if err := loadLines(ctx, s.db.Read(), b); err != nil {
		return nil, err
	}
	if b.PaymentRef != "" {
		if b.PayTo, err = s.policy.ReceivingAccount(ctx, clock.Today(s.clock)); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// ListForEmployer lists an employer's bills, newest month first (the
// employer itself, or 统筹科 / 基金管理科 staff).
func (s *Service) ListForEmployer(ctx context.Context, a *access.Actor, employerID int64) ([]Bill, error) {
	if err := a.RequireEmployer(employerID); err != nil && !a.In(access.Fund) {
		return nil, err
	}
	return queryBills(ctx, s.db.Read(), 600, `b.employer_id = $1 AND b.payer_kind = 'employer'`, employerID)
}

// StaffListLimit caps a staff queue page.
const StaffListLimit = 200

// List is the staff queue of employer bills in a status (all when ""),
// optionally of one fee month, for 统筹科 and 基金管理科.
func (s *Service) List(ctx context.Context, a *access.Actor, status Status, month string) ([]Bill, error) {
	if err := a.RequireSection(access.Coordination); err != nil && !a.In(access.Fund) {
		return nil, err
	}
	q, args, err := listSQL(status, month)
	if err != nil {
		return nil, err
	}
	r := s.db.Read()
	if status == "" {
		out, err := db.Collect(ctx, r, db.Deref(scanBill), q, args...)
		return out, errs.Wrap(err, "list bills")
	}
	ids, err := db.Collect(ctx, r, db.Scalar[int64], q, args...)
	if err != nil || len(ids) == 0 {
		return nil, errs.Wrap(err, "list bills")
	}
	cond, arg := s.db.Dialect.AnyID("b.id", 1, ids)
	list, err := db.Collect(ctx, r, db.Deref(scanBill), `SELECT `+billCols+billFrom+`WHERE `+cond, arg)
	if err != nil {
		return nil, errs.Wrap(err, "list bills")
	}
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	sort.Slice(list, func(i, j int) bool { return at[list[i].ID] < at[list[j].ID] })
	return list, nil
}

// listSQL is the staff queue's query: each combination of filters reads
// one index range in the queue's order (newest month first, then bill)
// and stops after a page, so a page costs the same however many months
// have been assessed. Without a status it reads the page's bills through
// bills_list (migration 090). With one it reads the page's bill ids from
// bill_states (migration 166), whose index holds the status, so that no
// index of bills names status and paying a bill is a heap-only update on
// PostgreSQL; List then reads those bills by id (joined in one statement,
// PostgreSQL may choose to walk the whole of bills instead).
func listSQL(status Status, month string) (string, []any, error) {
	where, args := []string{`s.payer_kind = 'employer'`}, []any{}
	if status != "" {
		if !status.Valid() {
			return "", nil, errs.New(errs.Invalid, "bad_status", "状态不正确："+string(status))
		}
		args = append(args, string(status))
		where = append(where, "s.status = $"+strconv.Itoa(len(args)))
	}
	if month != "" {
		if _, err := policy.ParseMonth(month); err != nil {
			return "", nil, errs.New(errs.Invalid, "bad_month", "费款所属期格式应为 YYYY-MM，如 2024-01")
		}
		args = append(args, month)
		where = append(where, "s.fee_month = $"+strconv.Itoa(len(args)))
	}
	cond := strings.Join(where, " AND ")
	if status == "" {
		return billsSQL(StaffListLimit, strings.ReplaceAll(cond, "s.", "b.")), args, nil
	}
	return `SELECT s.bill_id FROM bill_states s WHERE ` + cond + ` ORDER BY s.fee_month DESC, s.bill_id LIMIT ` +
		strconv.Itoa(StaffListLimit), args, nil
}

// ownBill loads bill id in tx for its employer and checks the version
// and that it is in status want.
func (s *Service) ownBill(ctx context.Context, tx *sql.Tx, a *access.Actor, id, version int64, want Status) (*Bill, error) {
	b, err := load(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if a == nil || a.Role != access.RoleEmployer || a.EmployerID != b.EmployerID || b.EmployerID == 0 {
		if err := Can(a, SeeBill, b); err != nil {
			return nil, err
		}
		return nil, errs.New(errs.Forbidden, "employer_only", "只有参保单位本身可以核对、确认本单位的缴费核定单")
	}
	if b.Version != version {
		return nil, errs.StaleVersion()
	}
	if b.Status != want {
		return nil, errs.New(errs.Conflict, "bad_status", "该核定单当前状态为“"+b.Status.Name()+"”，不能办理此操作，请刷新")
	}
	return b, nil
}

// setStatus moves a bill under optimistic locking; extra sets more columns.
func setStatus(ctx context.Context, tx *sql.Tx, id, version int64, to Status, extra string, args ...any) error {
	q := `UPDATE bills SET status = $1, version = version + 1` + extra + ` WHERE id = $2 AND version = $3`
	res, err := tx.ExecContext(ctx, q, append([]any{string(to), id, version}, args...)...)
	if err != nil {
		return errs.Wrap(err, "update bill")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	return nil
}

type billAudit struct {
	BillNo     string `json:"bill_no"`
	Month      string `json:"fee_month"`
	Status     Status `json:"status"`
	TotalFen   int64  `json:"total_fen"`
	PaymentRef string `json:"payment_ref,omitempty"`
	DueOn      string `json:"due_on,omitempty"`
	Flags      string `json:"flags,omitempty"`
	Note       string `json:"note,omitempty"`
	Version    int64  `json:"version"`
}

func auditOf(b *Bill) billAudit {
	return billAudit{BillNo: b.BillNo, Month: b.FeeMonth, Status: b.Status, TotalFen: int64(b.Total),
		PaymentRef: b.PaymentRef, DueOn: b.DueOn, Flags: b.Flags, Note: b.CorrectionNote, Version: b.Version}
}

func (s *Service) record(ctx context.Context, tx *sql.Tx, a *access.Actor, action string, before *Bill, id int64, note string) error {
	after, err := load(ctx, tx, id)
	if err != nil {
		return err
	}
	var b any
	if before != nil {
		b = auditOf(before)
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: action, Entity: "bill", EntityID: strconv.FormatInt(id, 10),
		Before: b, After: auditOf(after), Note: note})
}

// Confirm is the employer's confirmation (核对无误) of its draft at
// version: the bill gets a payment reference, the due date of the fee
// month (extended where an emergency says so, with the basis) and, when an
// emergency waives late fees on the due date, a note of the waiver and its
// basis. The note decides nothing: the late fee is computed when the money
// arrives (payment.ComputeLateFee), and the waiver ends with the make-up
// window.
func (s *Service) Confirm(ctx context.Context, a *access.Actor, id, version int64) (*Bill, error) {
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		b, err := s.ownBill(ctx, tx, a, id, version, Draft)
		if err != nil {
			return err
		}
		due, basis, err := s.policy.CollectionDue(ctx, b.FeeMonth)
		if err != nil {
			return err
		}
		waived, waiver := false, ""
		if e, err := s.policy.MeasureInForce(ctx, due, policy.MeasureLateFeeWaived); err != nil {
			return err
		} else if e != nil {
			waived, waiver = true, e.Title+"：应急期内的逾期天数免收滞纳金，须在应急期结束后的补办期限内缴清，"+
				"逾期未缴清的自原缴费期限次日起计收（依据："+e.LegalBasis+"）"
		}
		flags, flagBasis, err := s.lateDeclared(ctx, b, due)
		if err != nil {
			return err
		}
		err = setStatus(ctx, tx, id, version, Confirmed, `, payment_ref = $4, due_on = $5, due_basis = $6,
			late_fee_waived = $7, waiver_basis = $8, confirmed_at = $9, confirmed_by = $10, flags = $11, flag_basis = $12`,
			NewPaymentRef(), due.Format("2006-01-02"), basis, waived, waiver, s.clock.Now(), a.UserID, flags, flagBasis)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, a, "contribution.bill.confirm", b, id, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// lateDeclared flags a bill confirmed after its due date while an
// emergency accepts late business (疫情逾期受理), with the basis; it
// returns the bill's flags and flag basis otherwise unchanged.
func (s *Service) lateDeclared(ctx context.Context, b *Bill, due time.Time) (flags, basis string, err error) {
	today := clock.Today(s.clock)
	e, err := s.policy.LateAccepting(ctx, due, today)
	if err != nil || e == nil {
		return b.Flags, b.FlagBasis, err
	}
	return WithFlag(b.Flags, FlagLateAccepted), LateAcceptedBasis(*e, "申报", today, due), nil
}

// MaxReasonRunes caps a correction request or refusal reason.
const MaxReasonRunes = 500

func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	var f errs.Fields
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		f.Add("reason", "请说明需要更正的内容，如“张三已于1月离职，请删除”")
	case n > MaxReasonRunes:
		f.Add("reason", "说明不能超过500字")
	}
	return reason, f.Err()
}

// RequestCorrection is the employer asking 统筹科 to correct its draft,
// with a reason: the bill waits in the coordination queue.
func (s *Service) RequestCorrection(ctx context.Context, a *access.Actor, id, version int64, reason string) (*Bill, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		b, err := s.ownBill(ctx, tx, a, id, version, Draft)
		if err != nil {
			return err
		}
		if err := setStatus(ctx, tx, id, version, CorrectionRequested, `, correction_note = $4`, "单位："+reason); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "contribution.bill.correction_request", b, id, reason)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// staffBill loads a bill awaiting correction for 统筹科 at version.
func (s *Service) staffBill(ctx context.Context, tx *sql.Tx, a *access.Actor, id, version int64) (*Bill, error) {
	if err := Can(a, ReviewCorrection, nil); err != nil {
		return nil, err
	}
	b, err := load(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := Can(a, ReviewCorrection, b); err != nil {
		return nil, err
	}
	if b.Version != version {
		return nil, errs.StaleVersion()
	}
	if b.Status != CorrectionRequested && b.Status != Draft {
		return nil, errs.New(errs.Conflict, "bad_status", "该核定单当前状态为“"+b.Status.Name()+"”，已确认的核定单不能重新核定")
	}
	return b, nil
}

// Reassess is 统筹科 recomputing a draft or a bill awaiting correction
// from the current employments and rules; it goes back to the employer as
// a draft.
func (s *Service) Reassess(ctx context.Context, a *access.Actor, id, version int64) (*Bill, error) {
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		b, err := s.staffBill(ctx, tx, a, id, version)
		if err != nil {
			return err
		}
		month, err := clock.ParseMonth(b.FeeMonth)
		if err != nil {
			return errs.Wrap(err, "stored fee month")
		}
		p, err := LoadParams(ctx, s.policy, month)
		if err != nil {
			return err
		}
		if err := setStatus(ctx, tx, id, version, Draft, ""); err != nil {
			return err
		}
		if _, err := assessRange(ctx, tx, s.db.Dialect, p, b.EmployerID, b.EmployerID, s.clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "contribution.bill.reassess", b, id, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// RejectCorrection is 统筹科 refusing a correction request with a reason:
// the bill goes back to the employer unchanged, as a draft.
func (s *Service) RejectCorrection(ctx context.Context, a *access.Actor, id, version int64, reason string) (*Bill, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		b, err := s.staffBill(ctx, tx, a, id, version)
		if err != nil {
			return err
		}
		if b.Status != CorrectionRequested {
			return errs.New(errs.Conflict, "bad_status", "该核定单没有待处理的更正申请")
		}
		note := b.CorrectionNote + "\n统筹科不予更正：" + reason
		if err := setStatus(ctx, tx, id, version, Draft, `, correction_note = $4`, note); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "contribution.bill.correction_reject", b, id, reason)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}
