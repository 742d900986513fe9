package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
)

// Get returns case no if the actor may see it: its applicant (the employer
// or person) or staff of its section. Others get NotFound.
func (s *Service) Get(ctx context.Context, a *access.Actor, no string) (*Case, error) {
	c, _, err := s.load(ctx, s.db.Read(), a, no)
	return c, err
}

// Detail returns the case with its history (applicants see only public
// lines), documents, owed originals, commitments and the actions the actor
// may take. Errors: Unauthenticated, NotFound.
func (s *Service) Detail(ctx context.Context, a *access.Actor, no string) (*View, error) {
	q := s.db.Read()
	c, p, err := s.load(ctx, q, a, no)
	if err != nil {
		return nil, err
	}
	t := s.typeOf(c)
	v := &View{Case: c, Type: t, IsStaff: p == ByStaff, Actions: t.Allowed(c.State, p)}
	for _, tr := range v.Actions {
		v.ActionsTo = append(v.ActionsTo, tr.To)
	}
	if v.IsStaff && !c.State.Final() {
		v.CanClaim = c.AssigneeID != a.UserID
		v.CanRelease = c.AssigneeID == a.UserID
	}
	if v.Events, err = loadEvents(ctx, q, c.ID, p != ByStaff); err != nil {
		return nil, err
	}
	if v.Documents, err = loadDocuments(ctx, q, c.ID); err != nil {
		return nil, err
	}
	if v.Owed, err = s.owedOf(ctx, q, c.ID); err != nil {
		return nil, err
	}
	if v.Commitments, err = commitmentsOf(ctx, q, c.ID); err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, d := range v.Documents {
		have[d.Item] = true
	}
	for _, it := range t.Checklist {
		if !have[it.Key] {
			v.Missing = append(v.Missing, it)
		}
	}
	return v, nil
}

// HasDocument reports whether document id is attached to a case the actor
// may see (for the document viewer). Errors: NotFound.
func (s *Service) HasDocument(ctx context.Context, a *access.Actor, no string, docID int64) error {
	c, _, err := s.load(ctx, s.db.Read(), a, no)
	if err != nil {
		return err
	}
	var n int
	err = s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM case_documents WHERE case_id = $1 AND document_id = $2`,
		c.ID, docID).Scan(&n)
	if err != nil {
		return errs.Wrap(err, "case document")
	}
	if n == 0 {
		return errs.NotFoundf("本业务没有该材料")
	}
	return nil
}

// Claim makes the actor (staff of the section) the case's assignee.
// Errors: NotFound, Forbidden, Conflict (stale version, final state).
func (s *Service) Claim(ctx context.Context, a *access.Actor, no string, version int64) (*Case, error) {
	return s.assign(ctx, a, no, version, true)
}

// Release puts the case back in the unassigned queue. Only the assignee
// may release it. Errors as Claim.
func (s *Service) Release(ctx context.Context, a *access.Actor, no string, version int64) (*Case, error) {
	return s.assign(ctx, a, no, version, false)
}

func (s *Service) assign(ctx context.Context, a *access.Actor, no string, version int64, claim bool) (*Case, error) {
	var out *Case
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, p, err := s.load(ctx, tx, a, no)
		if err != nil {
			return err
		}
		if p != ByStaff {
			return errs.Forbid()
		}
		if c.State.Final() {
			return errs.New(errs.Conflict, "case_final", "该业务已"+c.State.Name()+"，不能领取")
		}
		if !claim && c.AssigneeID != a.UserID {
			return errs.New(errs.Conflict, "not_assignee", "只有领取人可以退回队列")
		}
		before := c.AssigneeName
		if err := bump(ctx, tx, c, version, s.now(), staleCase()); err != nil {
			return err
		}
		kind, id, name := "claim", a.UserID, a.Name()
		if !claim {
			kind, id, name = "release", 0, ""
		}
		if err := setAssignee(ctx, tx, c.ID, id, name); err != nil {
			return err
		}
		c.AssigneeID, c.AssigneeName = id, name
		if err := s.event(ctx, tx, a, c.ID, Event{Kind: kind}); err != nil {
			return err
		}
		out = c
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "case." + kind, Entity: "case", EntityID: c.No,
			Before: map[string]any{"assignee": before}, After: map[string]any{"assignee": name}})
	})
	return out, err
}

// Transition moves the case to state to, if the type's machine allows
// the actor's party that move from the current state. version is the
// version the actor saw: when another clerk acted first, the second gets
// Conflict "该业务已由其他经办人员办结，请刷新". A staff transition on an
// unassigned case assigns it to the actor. comment is shown to the
// applicant. Errors: NotFound, Forbidden, Conflict.
func (s *Service) Transition(ctx context.Context, a *access.Actor, no string, version int64, to State, comment string) (*Case, error) {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > 2000 {
		return nil, errs.New(errs.Invalid, "comment_too_long", "说明不能超过 2000 字")
	}
	var out *Case
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, p, err := s.load(ctx, tx, a, no)
		if err != nil {
			return err
		}
		if c.Version != version {
			return staleDecision()
		}
		t := s.typeOf(c)
		tr, ok := t.find(c.State, to, p)
		if !ok {
			return errs.New(errs.Conflict, "bad_transition", "该业务当前为“"+c.State.Name()+"”，不能"+verb(to))
		}
		if to == Returned && comment == "" {
			return errs.New(errs.Invalid, "comment_required", "退回补正时请写明需要补充的材料或信息")
		}
		return s.move(ctx, tx, a, c, t, tr, comment, p, &out)
	})
	if err != nil {
		return nil, err
	}
	s.afterMove(ctx, out)
	return out, nil
}

func (s *Service) move(ctx context.Context, tx *sql.Tx, a *access.Actor, c *Case, t *Type, tr Transition, comment string, p Party, out **Case) error {
	now := s.now()
	if err := bump(ctx, tx, c, c.Version, now, staleDecision()); err != nil {
		return err
	}
	from := c.State
	c.State = tr.To
	switch tr.To {
	case Decided:
		c.DecidedAt = &now
	case Closed, Withdrawn:
		c.ClosedAt = &now
	}
	if err := setState(ctx, tx, c); err != nil {
		return err
	}
	if p == ByStaff && c.AssigneeID == 0 && !c.State.Final() {
		if err := setAssignee(ctx, tx, c.ID, a.UserID, a.Name()); err != nil {
			return err
		}
		c.AssigneeID, c.AssigneeName = a.UserID, a.Name()
	}
	body := tr.Label
	if comment != "" {
		body += "：" + comment
	}
	if err := s.event(ctx, tx, a, c.ID, Event{Kind: "transition", From: from, To: c.State, Public: true, Body: body}); err != nil {
		return err
	}
	*out = c
	s.derive(c)
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "case.transition", Entity: "case", EntityID: c.No,
		Before: map[string]any{"state": from}, After: map[string]any{"state": c.State}, Note: clip(comment, 200)})
}

// verb is the Chinese action for moving to state to (error messages).
func verb(to State) string {
	switch to {
	case Accepted:
		return "受理"
	case Returned:
		return "退回补正"
	case InReview:
		return "开始审核"
	case Decided:
		return "办结"
	case Closed:
		return "归档"
	case Resubmitted:
		return "重新提交"
	case Withdrawn:
		return "撤回"
	}
	return "变更为“" + to.Name() + "”"
}

// Comment adds a comment: internal (staff only) or public (shown to the
// applicant). Applicants' comments are always public. Errors: NotFound,
// Invalid (empty or too long).
func (s *Service) Comment(ctx context.Context, a *access.Actor, no, text string, public bool) error {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > 2000 {
		var f errs.Fields
		f.Add("text", "请填写留言（2000 字以内）")
		return f.Err()
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, p, err := s.load(ctx, tx, a, no)
		if err != nil {
			return err
		}
		if p == ByApplicant {
			public = true
		}
		if err := s.event(ctx, tx, a, c.ID, Event{Kind: "comment", Public: public, Body: text}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "case.comment", Entity: "case", EntityID: c.No,
			After: map[string]any{"public": public, "length": utf8.RuneCountInString(text)}})
	})
}

// AddDocument links a stored document to the case under checklist item
// (or "" for other material). Applicants may add while the case is open.
// Errors: NotFound, Invalid (unknown item), Conflict (final state, already linked).
func (s *Service) AddDocument(ctx context.Context, a *access.Actor, no string, docID int64, item string) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, _, err := s.load(ctx, tx, a, no)
		if err != nil {
			return err
		}
		if c.State.Final() {
			return errs.New(errs.Conflict, "case_final", "该业务已"+c.State.Name()+"，不能再添加材料")
		}
		if _, ok := s.typeOf(c).Item(item); !ok && item != "" {
			return errs.New(errs.Invalid, "bad_item", "材料清单中没有“"+item+"”")
		}
		if err := linkDocument(ctx, tx, c.ID, docID, item, actorID(a), s.now()); err != nil {
			return err
		}
		label := item
		if label == "" {
			label = "其他材料"
		}
		if err := s.event(ctx, tx, a, c.ID, Event{Kind: "document", Public: true, Body: label}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "case.document", Entity: "case", EntityID: c.No,
			After: map[string]any{"document_id": docID, "item": item}})
	})
}

// Update is what a case type's UpdateData mutation returns: the new data,
// the public history line, and the audited values (masked; never the
// whole data, which may hold names and phone numbers).
type Update struct {
	Data          json.RawMessage
	Line          string
	Before, After any
}

// UpdateData lets a case type change its type-specific data (e.g. the
// employer recording the recognition reference): mutate receives the case
// and returns the new data. Only the applicant or section staff may;
// version guards against lost updates.
// Errors: NotFound, Conflict, and whatever mutate returns.
func (s *Service) UpdateData(ctx context.Context, a *access.Actor, no string, version int64, action string,
	mutate func(c *Case) (Update, error)) (*Case, error) {
	var out *Case
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, _, err := s.load(ctx, tx, a, no)
		if err != nil {
			return err
		}
		u, err := mutate(c)
		if err != nil {
			return err
		}
		if err := bump(ctx, tx, c, version, s.now(), staleCase()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET data = $2 WHERE id = $1`, c.ID, string(u.Data)); err != nil {
			return errs.Wrap(err, "case data")
		}
		c.Data = u.Data
		if err := s.event(ctx, tx, a, c.ID, Event{Kind: "data", Public: true, Body: u.Line}); err != nil {
			return err
		}
		out = c
		s.derive(c)
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: action, Entity: "case", EntityID: c.No,
			Before: u.Before, After: u.After})
	})
	return out, err
}

// MoveTx moves a case to state to inside the caller's transaction, as the
// type's staff machine allows from its current state, for a service whose
// own decision settles the case (a pension determination checked by a
// second clerk). It does nothing when the case is already in state to.
// Errors: NotFound, Forbidden, Conflict (no such move).
func (s *Service) MoveTx(ctx context.Context, tx *sql.Tx, a *access.Actor, no string, to State, comment string) (*Case, error) {
	c, p, err := s.load(ctx, tx, a, no)
	if err != nil || c.State == to {
		return c, err
	}
	t := s.typeOf(c)
	tr, ok := t.find(c.State, to, p)
	if !ok {
		return nil, errs.New(errs.Conflict, "bad_transition", "该业务当前为“"+c.State.Name()+"”，不能"+verb(to))
	}
	var out *Case
	err = s.move(ctx, tx, a, c, t, tr, comment, p, &out)
	return out, err
}
