package complaint

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/contribution"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Finding is 审计科's conclusion on a report of fraud, arrears or missing
// registration (docs/rules.md "Complaints: confirmed reports").
type Finding struct {
	Version   int64
	Confirmed bool
	Amount    money.Fen // overpaid benefits to recover (fraud)
	Employer  string    // employer number, when the report named none
	IDNumber  string    // the person who received the benefits, when none yet
	Note      string
}

// Conclude records whether the report was confirmed. A confirmed report of
// benefit fraud records a recovery item of the overpaid amount; a
// confirmed report of arrears or missing registration hands the
// employer's open bills to enforcement (each linked with what is still
// owed, late fees included by the bill). Errors: Forbidden, NotFound,
// Invalid, Conflict.
func (s *Service) Conclude(ctx context.Context, a *access.Actor, id int64, in Finding) (*Complaint, error) {
	if err := a.RequireSection(access.Audit); err != nil {
		return nil, err
	}
	var out *Complaint
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status != Accepted && c.Status != Objected {
			return errs.New(errs.Conflict, "complaint_state", "只有调查中的投诉举报可以登记调查结论")
		}
		if err := s.linkTarget(ctx, tx, c, in); err != nil {
			return err
		}
		ls, err := s.consequences(ctx, c, in)
		if err != nil {
			return err
		}
		if err := s.writeFinding(ctx, tx, a, c, in, ls); err != nil {
			return err
		}
		out, err = byID(ctx, tx, id)
		return err
	})
	return out, err
}

// linkTarget records the employer or person named in the finding.
func (s *Service) linkTarget(ctx context.Context, tx *sql.Tx, c *Complaint, in Finding) error {
	var f errs.Fields
	probe := &Complaint{TargetName: c.TargetName}
	s.target(ctx, &f, probe, strings.TrimSpace(in.Employer), strings.TrimSpace(in.IDNumber))
	if err := f.Err(); err != nil {
		return err
	}
	if probe.TargetEmployerID != 0 {
		c.TargetEmployerID = probe.TargetEmployerID
	}
	if probe.TargetPersonID != 0 {
		c.TargetPersonID = probe.TargetPersonID
	}
	_, err := tx.ExecContext(ctx, `UPDATE complaints SET target_employer_id = $2, target_person_id = $3, target_name = $4 WHERE id = $1`,
		c.ID, nullID(c.TargetEmployerID), nullID(c.TargetPersonID), probe.TargetName)
	return errs.Wrap(err, "complaint target")
}

// consequences are the links a confirmed finding starts.
func (s *Service) consequences(ctx context.Context, c *Complaint, in Finding) ([]Link, error) {
	if !in.Confirmed {
		return nil, nil
	}
	switch c.Category {
	case CatFraud:
		if in.Amount <= 0 {
			return nil, fieldErr("amount", "查实骗取待遇的，请填写应追回的金额（元）")
		}
		return []Link{{Kind: "recovery", Ref: c.No, Amount: in.Amount, Note: "多领待遇追回"}}, nil
	case CatArrears, CatUnregistered:
		if c.TargetEmployerID == 0 {
			return nil, fieldErr("employer", "请填写被举报单位的单位编号，以便移交欠费追缴")
		}
		return s.openBills(ctx, c.TargetEmployerID)
	}
	return nil, nil
}

// openBills are the employer's bills still owing, from contribution.
func (s *Service) openBills(ctx context.Context, employerID int64) ([]Link, error) {
	bills, err := s.bills.ListForEmployer(ctx, access.System, employerID)
	if err != nil {
		return nil, err
	}
	var out []Link
	for _, b := range bills {
		if b.Status != contribution.Confirmed && b.Status != contribution.PartiallyPaid && b.Status != contribution.Draft {
			continue
		}
		out = append(out, Link{Kind: "bill", Ref: b.BillNo, Amount: b.Total - b.PaidFen, Note: b.FeeMonth + " " + b.StatusName})
	}
	return out, nil
}

func (s *Service) writeFinding(ctx context.Context, tx *sql.Tx, a *access.Actor, c *Complaint, in Finding, ls []Link) error {
	now := s.now()
	outcome, text := "unfounded", "经调查，反映的问题未查实"
	var recovery money.Fen
	if in.Confirmed {
		outcome, text = "confirmed", "经调查，反映的问题属实，已依法处理"
	}
	for _, l := range ls {
		if err := insertLink(ctx, tx, c.ID, l, now); err != nil {
			return err
		}
		recovery += l.Amount
	}
	if err := update(ctx, tx, c.ID, in.Version, `outcome = $3, recovery_fen = $4`, outcome, recovery); err != nil {
		return err
	}
	if n := strings.TrimSpace(in.Note); n != "" && utf8.RuneCountInString(n) <= MaxBody {
		if err := insertEvent(ctx, tx, Event{ComplaintID: c.ID, At: now, ActorID: a.UserID, Kind: "note", Text: n}); err != nil {
			return err
		}
	}
	if err := insertEvent(ctx, tx, Event{ComplaintID: c.ID, At: now, ActorID: a.UserID, Kind: "confirmed", Text: text, Public: true}); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "complaint.conclude", Entity: "complaint", EntityID: c.No,
		After: map[string]any{"outcome": outcome, "links": len(ls), "amount_fen": int64(recovery)}})
}

// LinkCase links a case the report concerns (审计科). Errors: Forbidden,
// NotFound, Invalid.
func (s *Service) LinkCase(ctx context.Context, a *access.Actor, id int64, caseNo string) error {
	if err := a.RequireSection(access.Audit); err != nil {
		return err
	}
	caseNo = strings.TrimSpace(caseNo)
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := linkCaseTx(ctx, tx, c.ID, caseNo, "举报涉及的业务", s.now()); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, Event{ComplaintID: c.ID, At: s.now(), ActorID: a.UserID, Kind: "linked", Text: "关联业务 " + caseNo}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "complaint.link", Entity: "complaint", EntityID: c.No,
			After: map[string]any{"case_no": caseNo}})
	})
}

// linkCaseTx links an existing case to the complaint.
func linkCaseTx(ctx context.Context, tx *sql.Tx, id int64, caseNo, note string, now time.Time) error {
	var typ string
	if err := tx.QueryRowContext(ctx, `SELECT type FROM cases WHERE case_no = $1`, caseNo).Scan(&typ); err != nil {
		return fieldErr("case_no", "未找到该业务编号，请核对后重新输入")
	}
	return insertLink(ctx, tx, id, Link{Kind: "case", Ref: caseNo, Note: note}, now)
}

// FollowUp is a suspicion of fraud found inside the agency (an audit
// sample's false commitment, a clerk's check) handed to 审计科.
type FollowUp struct {
	Subject    string
	Body       string
	EmployerID int64
	PersonID   int64
	CaseNo     string // the case concerned, linked
	SourceRef  string // e.g. the sample and item it came from
}

// OpenFraudFollowUpTx opens a report of fraud (channel 内部移送, reporter
// the agency) inside the caller's transaction, waiting for 审计科's
// triage. Errors: Unauthenticated, Forbidden (only staff), Invalid.
func (s *Service) OpenFraudFollowUpTx(ctx context.Context, tx *sql.Tx, a *access.Actor, in FollowUp) (*Filed, error) {
	if !a.IsStaff() {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.Forbid()
	}
	c, err := s.check(ctx, a, Input{Category: CatFraud, Channel: ChannelReferral, Subject: in.Subject, Body: in.Body,
		SourceRef: in.SourceRef}, "agency")
	if err != nil {
		return nil, err
	}
	c.TargetEmployerID, c.TargetPersonID = in.EmployerID, in.PersonID
	if err := insert(ctx, tx, c, ""); err != nil {
		return nil, err
	}
	if in.CaseNo != "" {
		if err := linkCaseTx(ctx, tx, c.ID, in.CaseNo, "移送来源业务", c.FiledAt); err != nil {
			return nil, err
		}
	}
	if err := insertEvent(ctx, tx, Event{ComplaintID: c.ID, At: c.FiledAt, ActorID: a.UserID, Kind: "filed", Text: "内部移送：" + c.SourceRef}); err != nil {
		return nil, err
	}
	if err := s.audit.Record(ctx, tx, a, audit.Entry{Action: "complaint.file", Entity: "complaint", EntityID: c.No,
		After: map[string]any{"category": c.Category, "channel": c.Channel, "reporter": c.ReporterKind, "case_no": in.CaseNo}}); err != nil {
		return nil, err
	}
	return &Filed{ID: c.ID, No: c.No, AcknowledgeDue: c.AcknowledgeDue, AnswerDue: c.AnswerDue}, nil
}
