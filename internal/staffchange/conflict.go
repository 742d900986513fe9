package staffchange

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/person"
)

// Conflict statuses.
const (
	ConflictOpen     = "open"
	ConflictResolved = "resolved"
	ConflictRejected = "rejected"
)

// Conflict is an employer's request to 统筹科 to resolve a person still
// insured by another employer.
type Conflict struct {
	ID             int64      `json:"id"`
	PersonID       int64      `json:"person_id"`
	IDNumber       string     `json:"id_number"`
	Name           string     `json:"name"`
	EmployerID     int64      `json:"employer_id"`
	EmployerName   string     `json:"employer_name"`
	HolderID       int64      `json:"holder_employer_id"`
	HolderName     string     `json:"holder_employer_name"`
	HolderEmpID    int64      `json:"holder_employment_id"`
	HolderStart    string     `json:"holder_start_month"`
	HolderEnd      string     `json:"holder_end_month,omitempty"`
	StartMonth     string     `json:"start_month"`
	Declared       money.Fen  `json:"declared_fen"`
	Phone          string     `json:"phone,omitempty"`
	Note           string     `json:"note"`
	Status         string     `json:"status"`
	EndMonth       string     `json:"end_month,omitempty"`
	ResolutionNote string     `json:"resolution_note,omitempty"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	Version        int64      `json:"version"`
}

// OtherEmployer stands for the holder in what an employer sees.
const OtherEmployer = "其他单位"

// StatusName returns the Chinese name of the status.
func (c Conflict) StatusName() string {
	switch c.Status {
	case ConflictOpen:
		return "待处理"
	case ConflictResolved:
		return "已协调"
	}
	return "已驳回"
}

const conflictCols = `c.id, c.person_id, p.id_number, p.name, c.employer_id, e.name, c.holder_employer_id, h.name,
	c.holder_employment_id, m.start_month, COALESCE(m.end_month, ''), c.start_month, c.declared_fen, c.phone, c.note,
	c.status, COALESCE(c.end_month, ''), c.resolution_note, c.resolved_at, c.created_at, c.version`

const conflictFrom = ` FROM staff_conflicts c JOIN persons p ON p.id = c.person_id
	JOIN employers e ON e.id = c.employer_id JOIN employers h ON h.id = c.holder_employer_id
	JOIN employments m ON m.id = c.holder_employment_id`

func scanConflict(row interface{ Scan(...any) error }) (*Conflict, error) {
	var c Conflict
	var at sql.NullTime
	err := row.Scan(&c.ID, &c.PersonID, &c.IDNumber, &c.Name, &c.EmployerID, &c.EmployerName, &c.HolderID, &c.HolderName,
		&c.HolderEmpID, &c.HolderStart, &c.HolderEnd, &c.StartMonth, &c.Declared, &c.Phone, &c.Note,
		&c.Status, &c.EndMonth, &c.ResolutionNote, &at, &c.CreatedAt, &c.Version)
	if at.Valid {
		c.ResolvedAt = &at.Time
	}
	return &c, err
}

func loadConflict(ctx context.Context, q db.Querier, id int64) (*Conflict, error) {
	c, err := scanConflict(q.QueryRowContext(ctx, `SELECT `+conflictCols+conflictFrom+` WHERE c.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该协调申请")
	}
	return c, errs.Wrap(err, "load conflict")
}

// conflictAudit is the masked audit record of a conflict request.
type conflictAudit struct {
	IDNumber   string `json:"id_number"`
	Employer   int64  `json:"employer_id"`
	Holder     int64  `json:"holder_employer_id"`
	StartMonth string `json:"start_month"`
	Status     string `json:"status"`
	EndMonth   string `json:"end_month,omitempty"`
}

func (c *Conflict) audit() conflictAudit {
	return conflictAudit{IDNumber: ident.MaskID(c.IDNumber), Employer: c.EmployerID, Holder: c.HolderID,
		StartMonth: c.StartMonth, Status: c.Status, EndMonth: c.EndMonth}
}

// RequestCoordination asks 统筹科 to resolve a person the employer wants to
// add who is still insured by another employer for the start month. The
// input is that of Add (with Note); resolving the request adds the person.
// Errors: Unauthenticated, Forbidden, Invalid, Conflict (not held by
// another employer, a request already open).
func (s *Service) RequestCoordination(ctx context.Context, a *access.Actor, employerID int64, in AddInput) (*Conflict, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	e, err := loadEmployer(ctx, s.db.Read(), employerID)
	if err != nil {
		return nil, err
	}
	r, c, err := s.prepareAdd(ctx, e, in, nil)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := person.FindByIDNumber(ctx, tx, r.id.Number)
		if errs.KindOf(err) == errs.NotFound {
			return errs.New(errs.Conflict, "not_held", "该人员尚未在其他单位参保，请直接办理增员")
		}
		if err != nil {
			return err
		}
		if p.Name != r.name {
			var f errs.Fields
			f.Add("name", "姓名“"+r.name+"”与该身份号码登记的姓名不一致，请核对")
			return f.Err()
		}
		ms, err := overlapping(ctx, tx, p.ID, r.month)
		if err != nil {
			return err
		}
		if len(ms) == 0 || ms[0].EmployerID == employerID {
			return errs.New(errs.Conflict, "not_held", "该人员目前未由其他单位参保，请直接办理增员")
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO staff_conflicts (person_id, employer_id, holder_employer_id,
			holder_employment_id, start_month, declared_fen, phone, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, p.ID, employerID, ms[0].EmployerID, ms[0].ID,
			r.month, int64(c.Declared), r.phone, r.note, s.clock.Now()).Scan(&id)
		if db.IsUniqueViolation(err) {
			return errs.New(errs.Conflict, "conflict_open", "该人员的协调申请已提交，统筹科正在处理，请勿重复申请")
		}
		if err != nil {
			return errs.Wrap(err, "insert conflict")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "staff.conflict.request", Entity: "staff_conflict",
			EntityID: strconv.FormatInt(id, 10), After: conflictAudit{IDNumber: ident.MaskID(p.IDNumber), Employer: employerID,
				Holder: ms[0].EmployerID, StartMonth: r.month, Status: ConflictOpen}})
	})
	if err != nil {
		return nil, err
	}
	return loadConflict(ctx, s.db.W, id)
}

// Conflicts lists coordination requests with status ("" = all), oldest
// first, to 统筹科. Errors: Unauthenticated, Forbidden.
func (s *Service) Conflicts(ctx context.Context, a *access.Actor, status string) ([]Conflict, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	where, args := "", []any{}
	if status != "" {
		where, args = ` WHERE c.status = $1`, append(args, status)
	}
	return s.queryConflicts(ctx, where+` ORDER BY c.created_at, c.id LIMIT 500`, args...)
}

// EmployerConflicts lists the employer's own coordination requests, the
// latest first, without the holder (only "another employer") and with
// the ID number masked.
func (s *Service) EmployerConflicts(ctx context.Context, a *access.Actor, employerID int64) ([]Conflict, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	cs, err := s.queryConflicts(ctx, ` WHERE c.employer_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT 100`, employerID)
	for i := range cs {
		cs[i].HolderID, cs[i].HolderEmpID, cs[i].HolderName = 0, 0, OtherEmployer
		cs[i].HolderStart, cs[i].HolderEnd = "", ""
		cs[i].IDNumber = ident.MaskID(cs[i].IDNumber)
	}
	return cs, err
}

func (s *Service) queryConflicts(ctx context.Context, tail string, args ...any) ([]Conflict, error) {
	var out []Conflict
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		c, err := scanConflict(r)
		if err != nil {
			return errs.Wrap(err, "scan conflict")
		}
		out = append(out, *c)
		return nil
	}, `SELECT `+conflictCols+conflictFrom+tail, args...)
	return out, errs.Wrap(err, "list conflicts")
}

// Conflict returns one coordination request to 统筹科.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) Conflict(ctx context.Context, a *access.Actor, id int64) (*Conflict, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	return loadConflict(ctx, s.db.Read(), id)
}

// openConflict loads a request for a decision under optimistic locking.
func openConflict(ctx context.Context, tx *sql.Tx, id, version int64) (*Conflict, error) {
	c, err := loadConflict(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if c.Status != ConflictOpen {
		return nil, errs.New(errs.Conflict, "conflict_closed", "该协调申请已处理（"+c.StatusName()+"）")
	}
	if version != c.Version {
		return nil, errs.StaleVersion()
	}
	return c, nil
}

func checkNote(f *errs.Fields, note string) string {
	note = strings.TrimSpace(note)
	if n := utf8.RuneCountInString(note); n == 0 || n > 500 {
		f.Add("note", "请填写处理说明（500字以内）")
	}
	return note
}

// ResolveConflict ends the holder's employment at endMonth (before the
// requested start month) and adds the person to the requesting employer,
// in one transaction. Coordination section only. Errors: Unauthenticated,
// Forbidden, NotFound, Invalid, Conflict (closed, stale, still held).
func (s *Service) ResolveConflict(ctx context.Context, a *access.Actor, id, version int64, endMonth, note string) (*Conflict, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	var f errs.Fields
	end := checkMonth(&f, "end_month", "原单位终止月份", endMonth, s.thisMonth())
	note = checkNote(&f, note)
	if err := f.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := openConflict(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if err := s.endHolder(ctx, tx, a, c, end); err != nil {
			return err
		}
		p, err := person.Load(ctx, tx, c.PersonID)
		if err != nil {
			return err
		}
		cl, err := s.clamp(ctx, nil, c.StartMonth, c.Declared)
		if err != nil {
			return err
		}
		flag, err := s.lateFlag(ctx, c.StartMonth)
		if err != nil {
			return err
		}
		id, _ := ident.ParseID(p.IDNumber)
		r := addRow{id: id, name: p.Name, month: c.StartMonth, declared: c.Declared, phone: c.Phone}
		if _, err := s.addTx(ctx, tx, a, c.EmployerID, r, cl, flag); err != nil {
			return err
		}
		return s.closeConflict(ctx, tx, a, c, ConflictResolved, end, note)
	})
	if err != nil {
		return nil, err
	}
	return loadConflict(ctx, s.db.W, id)
}

// endHolder ends the holder's employment at end unless it already ends
// before the requested start.
func (s *Service) endHolder(ctx context.Context, tx *sql.Tx, a *access.Actor, c *Conflict, end string) error {
	var f errs.Fields
	switch {
	case end >= c.StartMonth:
		f.Add("end_month", "原单位终止月份须早于新单位参保起始月份（"+c.StartMonth+"）")
	case end < c.HolderStart:
		f.Add("end_month", "原单位终止月份不能早于其参保起始月份（"+c.HolderStart+"）")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if c.HolderEnd != "" && c.HolderEnd < c.StartMonth {
		return nil // the holder already removed the person
	}
	st, err := loadStaff(ctx, tx, c.HolderID, c.HolderEmpID)
	if err != nil {
		return err
	}
	if st.EndMonth != "" {
		if err := s.shortenTx(ctx, tx, st, end); err != nil {
			return err
		}
	} else if err := s.removeTx(ctx, tx, a, st, end, "其他", 0); err != nil {
		return err
	}
	return nil
}

// shortenTx moves the end month of an ended employment back to end.
func (s *Service) shortenTx(ctx context.Context, tx *sql.Tx, st *Staff, end string) error {
	return person.ShortenEmployment(ctx, tx, st.EmploymentID, st.Version, end, s.clock.Now())
}

// RejectConflict refuses a coordination request with a note.
// Coordination section only. Errors: Unauthenticated, Forbidden,
// NotFound, Invalid, Conflict.
func (s *Service) RejectConflict(ctx context.Context, a *access.Actor, id, version int64, note string) (*Conflict, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	var f errs.Fields
	note = checkNote(&f, note)
	if err := f.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := openConflict(ctx, tx, id, version)
		if err != nil {
			return err
		}
		return s.closeConflict(ctx, tx, a, c, ConflictRejected, "", note)
	})
	if err != nil {
		return nil, err
	}
	return loadConflict(ctx, s.db.W, id)
}

func (s *Service) closeConflict(ctx context.Context, tx *sql.Tx, a *access.Actor, c *Conflict, status, end, note string) error {
	var endArg any
	if end != "" {
		endArg = end
	}
	res, err := tx.ExecContext(ctx, `UPDATE staff_conflicts SET status = $1, end_month = $2, resolution_note = $3,
		resolved_by = $4, resolved_at = $5, version = version + 1 WHERE id = $6 AND version = $7`,
		status, endArg, note, a.UserID, s.clock.Now(), c.ID, c.Version)
	if err != nil {
		return errs.Wrap(err, "close conflict")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	before := c.audit()
	c.Status, c.EndMonth = status, end
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "staff.conflict." + status, Entity: "staff_conflict",
		EntityID: strconv.FormatInt(c.ID, 10), Before: before, After: c.audit(), Note: note})
}
