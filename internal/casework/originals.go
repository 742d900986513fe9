package casework

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// AcceptDeferred accepts the case although the listed checklist items
// are missing (容缺受理): each becomes an owed original, due by default
// N days after the end of the emergency whose deferred-originals measure
// is in force (no date while it is open), otherwise 30 days from today.
// Errors: NotFound, Forbidden, Invalid, Conflict.
func (s *Service) AcceptDeferred(ctx context.Context, a *access.Actor, no string, version int64, items []string, comment string) (*Case, error) {
	items = cleanItems(items)
	if len(items) == 0 {
		var f errs.Fields
		f.Add("items", "请选择容缺的材料")
		return nil, f.Err()
	}
	due, err := s.owedDue(ctx)
	if err != nil {
		return nil, err
	}
	var out *Case
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, p, err := s.load(ctx, tx, a, no)
		if err != nil {
			return err
		}
		if c.Version != version {
			return staleDecision()
		}
		t := s.typeOf(c)
		tr, ok := t.find(c.State, Accepted, p)
		if !ok || p != ByStaff {
			return errs.New(errs.Conflict, "bad_transition", "该业务当前为“"+c.State.Name()+"”，不能受理")
		}
		for _, it := range items {
			if err := s.addOwed(ctx, tx, a, c.ID, it, due); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET deferred = TRUE WHERE id = $1`, c.ID); err != nil {
			return errs.Wrap(err, "case deferred")
		}
		c.Deferred, c.Owing = true, c.Owing+int64(len(items))
		line := "容缺受理，原件后补：" + strings.Join(items, "、") + "（" + due.text() + "）"
		if comment = strings.TrimSpace(comment); comment != "" {
			line += "。" + comment
		}
		return s.move(ctx, tx, a, c, t, tr, line, p, &out)
	})
	if err != nil {
		return nil, err
	}
	s.afterMove(ctx, out)
	return out, nil
}

// owedRule is when new owed originals are due.
type owedRule struct {
	dueOn       *string
	emergencyID int64
	days        int
	rule        string
}

func (r owedRule) text() string {
	if r.dueOn != nil {
		return "原件须于 " + *r.dueOn + " 前提交；" + r.rule
	}
	return "原件须于" + r.rule + "提交"
}

// owedDue is when originals owed from today are due (docs/rules.md §7.4).
func (s *Service) owedDue(ctx context.Context) (owedRule, error) {
	today := clock.Today(s.clock)
	e, err := s.policy.MeasureInForce(ctx, today, policy.MeasureDeferredOriginals)
	if err != nil {
		return owedRule{}, err
	}
	if e == nil {
		d := today.AddDate(0, 0, policy.DefaultOriginalsDays).Format("2006-01-02")
		return owedRule{dueOn: &d, days: policy.DefaultOriginalsDays,
			rule: fmt.Sprintf("受理后%d日内", policy.DefaultOriginalsDays)}, nil
	}
	days := e.Params[policy.MeasureDeferredOriginals].DaysAfterEnd
	if days <= 0 {
		days = policy.DefaultOriginalsDays
	}
	due, rule := originalsDue(*e, days)
	return owedRule{dueOn: due, emergencyID: e.ID, days: days, rule: rule}, nil
}

func (s *Service) addOwed(ctx context.Context, tx *sql.Tx, a *access.Actor, caseID int64, item string, r owedRule) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_owed_originals WHERE case_id = $1 AND item = $2
		AND received_at IS NULL`, caseID, item).Scan(&n); err != nil {
		return errs.Wrap(err, "owed originals")
	}
	if n > 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_owed_originals (case_id, item, due_on, emergency_id, due_days,
		due_rule, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`, caseID, item, r.dueOn, nullable(r.emergencyID), r.days,
		r.rule, s.now())
	if err != nil {
		return errs.Wrap(err, "owed original")
	}
	return refreshOwing(ctx, tx, caseID)
}

func cleanItems(items []string) []string {
	var out []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" && !slices.Contains(out, it) && utf8.RuneCountInString(it) <= 100 {
			out = append(out, it)
		}
	}
	return out
}

// CommitmentText is the commitment (告知承诺) shown to the applicant for
// one missing item; Commit records exactly this text.
func CommitmentText(item string) string {
	return "本单位（本人）承诺：所报“" + item + "”的内容真实、准确、完整，原件将于疫情结束后按规定提交社保经办机构。" +
		"如有弄虚作假、骗取社会保险待遇的行为，愿依法依规承担相应责任，并退还已领取的待遇。"
}

// Commit records the applicant's commitment for a missing item, with the
// text shown, the account and the time; the item's original becomes owed.
// Errors: NotFound, Forbidden (staff), Invalid, Conflict (final state).
func (s *Service) Commit(ctx context.Context, a *access.Actor, no, item string) error {
	if items := cleanItems([]string{item}); len(items) == 0 {
		var f errs.Fields
		f.Add("item", "请选择承诺的材料")
		return f.Err()
	}
	due, err := s.owedDue(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, p, err := s.load(ctx, tx, a, no)
		if err != nil {
			return err
		}
		if p != ByApplicant {
			return errs.New(errs.Forbidden, "applicant_only", "告知承诺须由申请人本人（单位）作出")
		}
		if c.State.Final() {
			return errs.New(errs.Conflict, "case_final", "该业务已"+c.State.Name())
		}
		if _, ok := s.typeOf(c).Item(item); !ok {
			return errs.New(errs.Invalid, "bad_item", "材料清单中没有“"+item+"”")
		}
		text := CommitmentText(item)
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_commitments (case_id, item, text_shown, accepted_by,
			accepted_name, accepted_at) VALUES ($1,$2,$3,$4,$5,$6)`, c.ID, item, text, a.UserID, a.Name(), s.now()); err != nil {
			return errs.Wrap(err, "commitment")
		}
		if err := s.addOwed(ctx, tx, a, c.ID, item, due); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET deferred = TRUE WHERE id = $1`, c.ID); err != nil {
			return errs.Wrap(err, "case deferred")
		}
		if err := s.event(ctx, tx, a, c.ID, Event{Kind: "commitment", Public: true, Body: "作出告知承诺：" + item}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "case.commit", Entity: "case", EntityID: c.No,
			After: map[string]any{"item": item, "text": text}})
	})
}

// ReceiveOriginal ticks off an owed original received by post or at the
// counter (staff of the case's section). Errors: NotFound, Forbidden,
// Invalid (via), Conflict (already received).
func (s *Service) ReceiveOriginal(ctx context.Context, a *access.Actor, owedID int64, via string) error {
	if via != "post" && via != "counter" {
		return errs.New(errs.Invalid, "bad_via", "请选择原件收取方式：邮寄或窗口")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var no, item string
		var received sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT c.case_no, o.item, o.received_at FROM case_owed_originals o
			JOIN cases c ON c.id = o.case_id WHERE o.id = $1`, owedID).Scan(&no, &item, &received)
		if db.IsNoRows(err) {
			return errs.NotFoundf("未找到该待补原件")
		} else if err != nil {
			return errs.Wrap(err, "owed original")
		}
		c, p, err := s.load(ctx, tx, a, no)
		if err != nil {
			return err
		}
		if p != ByStaff {
			return errs.Forbid()
		}
		if received.Valid {
			return errs.New(errs.Conflict, "already_received", "该原件已登记收到")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_owed_originals SET received_at = $2, received_by = $3, via = $4
			WHERE id = $1`, owedID, s.now(), a.Name(), via); err != nil {
			return errs.Wrap(err, "receive original")
		}
		if err := refreshOwing(ctx, tx, c.ID); err != nil {
			return err
		}
		how := map[string]string{"post": "邮寄", "counter": "窗口"}[via]
		if err := s.event(ctx, tx, a, c.ID, Event{Kind: "original", Public: true, Body: "已收到原件（" + how + "）：" + item}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "case.original.receive", Entity: "case", EntityID: c.No,
			After: map[string]any{"owed_id": owedID, "item": item, "via": via}})
	})
}

// MarkCommitmentFalse flags a commitment found false (fraud) with the
// follow-up taken (staff of the audit section or the case's section).
// Errors: NotFound, Forbidden, Invalid (note), Conflict (already flagged).
func (s *Service) MarkCommitmentFalse(ctx context.Context, a *access.Actor, commitmentID int64, note string) error {
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 2000 {
		var f errs.Fields
		f.Add("note", "请写明核查情况和处理措施（2000 字以内）")
		return f.Err()
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var no, section string
		var flagged bool
		err := tx.QueryRowContext(ctx, `SELECT c.case_no, c.section, m.found_false FROM case_commitments m
			JOIN cases c ON c.id = m.case_id WHERE m.id = $1`, commitmentID).Scan(&no, &section, &flagged)
		if db.IsNoRows(err) {
			return errs.NotFoundf("未找到该承诺")
		} else if err != nil {
			return errs.Wrap(err, "commitment")
		}
		if !a.In(access.Audit) && !a.In(access.Section(section)) {
			return errs.Forbid()
		}
		if flagged {
			return errs.New(errs.Conflict, "already_flagged", "该承诺已标记为不实")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_commitments SET found_false = TRUE, follow_up = $2,
			flagged_by = $3, flagged_at = $4 WHERE id = $1`, commitmentID, note, a.Name(), s.now()); err != nil {
			return errs.Wrap(err, "flag commitment")
		}
		var caseID int64
		if err := tx.QueryRowContext(ctx, `SELECT case_id FROM case_commitments WHERE id = $1`, commitmentID).Scan(&caseID); err != nil {
			return errs.Wrap(err, "commitment")
		}
		if err := s.event(ctx, tx, a, caseID, Event{Kind: "commitment_false", Body: note}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "case.commitment.false", Entity: "case", EntityID: no,
			After: map[string]any{"commitment_id": commitmentID}, Note: clip(note, 200)})
	})
}

const owedColumns = `o.id, o.case_id, c.case_no, c.section, c.applicant_name, o.item, COALESCE(o.due_on, ''), o.due_rule,
	o.received_at, o.received_by, o.via`

func (s *Service) scanOwed(rows *sql.Rows) ([]Owed, error) {
	defer rows.Close()
	today := clock.Today(s.clock).Format("2006-01-02")
	var out []Owed
	for rows.Next() {
		var o Owed
		var rec sql.NullTime
		if err := rows.Scan(&o.ID, &o.CaseID, &o.CaseNo, &o.Section, &o.Applicant, &o.Item, &o.DueOn, &o.DueRule,
			&rec, &o.ReceivedBy, &o.Via); err != nil {
			return nil, errs.Wrap(err, "owed originals")
		}
		o.ReceivedAt = timePtr(rec)
		o.Overdue = o.ReceivedAt == nil && o.DueOn != "" && o.DueOn < today
		out = append(out, o)
	}
	return out, errs.Wrap(rows.Err(), "owed originals")
}

func (s *Service) owedOf(ctx context.Context, q db.Querier, caseID int64) ([]Owed, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+owedColumns+` FROM case_owed_originals o JOIN cases c ON c.id = o.case_id
		WHERE o.case_id = $1 ORDER BY o.id`, caseID)
	if err != nil {
		return nil, errs.Wrap(err, "owed originals")
	}
	return s.scanOwed(rows)
}

// DeferredDocuments lists outstanding originals, the earliest due first: of
// every section for the audit section, of their own sections for other
// staff (at most 500). Errors: Forbidden.
func (s *Service) DeferredDocuments(ctx context.Context, a *access.Actor) ([]Owed, error) {
	where, args, err := sectionScope(a)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+owedColumns+` FROM case_owed_originals o
		JOIN cases c ON c.id = o.case_id WHERE o.received_at IS NULL`+where+`
		ORDER BY COALESCE(o.due_on, '9999-12-31'), o.id LIMIT 500`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "owed originals")
	}
	return s.scanOwed(rows)
}

// sectionScope limits a cross-section list to the actor's sections; the
// audit section sees all.
func sectionScope(a *access.Actor) (string, []any, error) {
	if !a.IsStaff() {
		return "", nil, errs.Forbid()
	}
	if a.In(access.Audit) {
		return "", nil, nil
	}
	var ph []string
	var args []any
	for i, x := range a.Sections {
		ph = append(ph, "$"+strconv.Itoa(i+1))
		args = append(args, string(x))
	}
	if len(ph) == 0 {
		return "", nil, errs.Forbid()
	}
	return " AND c.section IN (" + strings.Join(ph, ",") + ")", args, nil
}

const commitmentColumns = `m.id, m.case_id, c.case_no, m.item, m.text_shown, m.accepted_name, m.accepted_at,
	m.found_false, m.follow_up, m.flagged_by, m.flagged_at`

func scanCommitment(r db.Scanner) (Commitment, error) {
	var m Commitment
	var fl sql.NullTime
	err := r.Scan(&m.ID, &m.CaseID, &m.CaseNo, &m.Item, &m.Text, &m.AcceptedName, &m.AcceptedAt,
		&m.FoundFalse, &m.FollowUp, &m.FlaggedBy, &fl)
	m.FlaggedAt = timePtr(fl)
	return m, err
}

func commitmentsOf(ctx context.Context, q db.Querier, caseID int64) ([]Commitment, error) {
	out, err := db.Collect(ctx, q, scanCommitment, `SELECT `+commitmentColumns+` FROM case_commitments m JOIN cases c ON c.id = m.case_id
		WHERE m.case_id = $1 ORDER BY m.id`, caseID)
	return out, errs.Wrap(err, "commitments")
}

// FalseCommitments lists commitments found false, newest first (audit
// section: all; other staff: their sections). Errors: Forbidden.
func (s *Service) FalseCommitments(ctx context.Context, a *access.Actor) ([]Commitment, error) {
	where, args, err := sectionScope(a)
	if err != nil {
		return nil, err
	}
	out, err := db.Collect(ctx, s.db.Read(), scanCommitment, `SELECT `+commitmentColumns+` FROM case_commitments m
		JOIN cases c ON c.id = m.case_id WHERE m.found_false = TRUE`+where+` ORDER BY m.flagged_at DESC, m.id DESC LIMIT 500`, args...)
	return out, errs.Wrap(err, "commitments")
}
