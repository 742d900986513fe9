package policy

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// RuleInput is a new dated value as entered by an administrator or read
// from the rules file: Value in yuan for money, percent for rates.
type RuleInput struct {
	Key        string `json:"key"`
	Scope      string `json:"scope"`
	From       string `json:"from"`         // YYYY-MM-DD
	To         string `json:"to,omitempty"` // YYYY-MM-DD, "" = until replaced
	Value      string `json:"value"`
	LegalBasis string `json:"legal_basis"`
	Note       string `json:"note,omitempty"`
}

// rule validates the input and returns it as a Rule (not yet stored).
func (in RuleInput) rule() (Rule, error) {
	var f errs.Fields
	in.Key, in.Scope = strings.TrimSpace(in.Key), strings.TrimSpace(in.Scope)
	k, ok := KeyByName(in.Key)
	if !ok {
		f.Add("key", "请选择政策参数")
	} else if !k.ScopeAllowed(in.Scope) {
		if k.Scopes == nil {
			f.Add("scope", "该参数不分范围，请留空")
		} else {
			f.Add("scope", "请填写范围："+strings.Join(k.Scopes, "、"))
		}
	}
	from := checkDay(&f, "effective_from", "生效日期", strings.TrimSpace(in.From), true)
	to := checkDay(&f, "effective_to", "截止日期", strings.TrimSpace(in.To), false)
	if from != "" && to != "" && to < from {
		f.Add("effective_to", "截止日期不能早于生效日期")
	}
	var value string
	if ok {
		v, err := ParseValue(k.Unit, in.Value)
		if err == nil && k.Key == KeyReceivingAccountNo {
			v, err = parseAccountNo(v)
		}
		if err == nil && k.Key == KeyBaseRounding {
			v, err = parseRounding(v)
		}
		if err != nil {
			f.Add("value", errs.As(err).Message)
		}
		value = v
	}
	in.LegalBasis = strings.TrimSpace(in.LegalBasis)
	if in.LegalBasis == "" {
		f.Add("legal_basis", "请填写依据文号，如 国办发〔2019〕13号")
	} else if len([]rune(in.LegalBasis)) > 200 {
		f.Add("legal_basis", "依据文号不超过200字")
	}
	if len([]rune(in.Note)) > 500 {
		f.Add("note", "备注不超过500字")
	}
	if err := f.Err(); err != nil {
		return Rule{}, err
	}
	r := Rule{Key: in.Key, Scope: in.Scope, Value: value, Unit: k.Unit, LegalBasis: in.LegalBasis, Note: strings.TrimSpace(in.Note)}
	var tp *string
	if to != "" {
		tp = &to
	}
	r.setPeriod(from, tp)
	return r, nil
}

// ruleAudit is what the audit log keeps of a rule.
type ruleAudit struct {
	Key, Scope, From, To, Value, LegalBasis, Note string
}

func auditOf(r Rule) ruleAudit {
	return ruleAudit{r.Key, r.Scope, r.FromDay(), r.ToDay(), r.Display(), r.LegalBasis, r.Note}
}

// overlapError names the clashing period in Chinese.
func overlapError(clash Rule) error {
	msg := fmt.Sprintf("与已有的有效期 %s（取值 %s，依据：%s）重叠：同一参数、同一范围在同一天只能有一个取值。请调整生效日期或填写截止日期。",
		clash.Period(), clash.Display(), clash.LegalBasis)
	return &errs.Error{Kind: errs.Conflict, Code: "rule_overlap", Message: msg,
		Fields: []errs.FieldError{{Field: "effective_from", Message: "与 " + clash.Period() + " 的取值重叠"}}}
}

// place checks r against the existing periods of its key and scope. When
// the open period started before r, it is closed the day before r starts
// and returned so the caller stores it. Any remaining overlap is a
// Conflict naming the clashing period.
func place(existing []Rule, r Rule) (closed *Rule, err error) {
	for _, e := range existing {
		if e.ID == r.ID && r.ID != 0 {
			continue
		}
		if r.ID == 0 && e.To == nil && e.FromDay() < r.FromDay() {
			c := e
			end := shiftDay(r.FromDay(), -1)
			c.setPeriod(e.FromDay(), &end)
			closed, e = &c, c
		}
		if overlaps(e, r) {
			return nil, overlapError(e)
		}
	}
	return closed, nil
}

// addRuleTx stores r inside tx, closing the previous open period. With
// record false (a file import, audited once as a whole) it writes no audit
// entries itself.
func (s *Service) addRuleTx(ctx context.Context, tx *sql.Tx, a *access.Actor, r *Rule, record bool) error {
	existing, err := rulesOf(ctx, tx, r.Key, r.Scope)
	if err != nil {
		return err
	}
	closed, err := place(existing, *r)
	if err != nil {
		return err
	}
	if closed != nil {
		if err := updateRule(ctx, tx, closed, closed.Version); err != nil {
			return err
		}
		if record {
			before := existingByID(existing, closed.ID)
			if err := s.audit.Record(ctx, tx, a, audit.Entry{Action: "policy.rule.close", Entity: "rule_value",
				EntityID: strconv.FormatInt(closed.ID, 10), Before: auditOf(before), After: auditOf(*closed),
				Note: "新取值自 " + r.FromDay() + " 起生效，原取值自动截止"}); err != nil {
				return err
			}
		}
	}
	r.CreatedBy, r.CreatedAt = a.Name(), s.clock.Now()
	if err := insertRule(ctx, tx, r); err != nil {
		return err
	}
	if !record {
		return nil
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "policy.rule.add", Entity: "rule_value",
		EntityID: strconv.FormatInt(r.ID, 10), After: auditOf(*r)})
}

func existingByID(rs []Rule, id int64) Rule {
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	return Rule{}
}

// AddRule stores a new dated value (administrators only). The open period
// of the same key and scope that started earlier is closed the day before;
// any other overlap is refused. Errors: Forbidden, Invalid (fields),
// Conflict (overlap).
func (s *Service) AddRule(ctx context.Context, a *access.Actor, in RuleInput) (Rule, error) {
	if err := a.RequireAdmin(); err != nil {
		return Rule{}, err
	}
	r, err := in.rule()
	if err != nil {
		return Rule{}, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := bumpRevision(ctx, tx); err != nil {
			return err
		}
		return s.addRuleTx(ctx, tx, a, &r, true)
	})
	if err != nil {
		return Rule{}, err
	}
	s.changed(ctx)
	return r, nil
}

// UpdateRule corrects a stored value: its value, end date, basis and note
// (key, scope and start stay; add a new value to change them). version is
// the version the administrator saw. Errors: Forbidden, NotFound, Invalid,
// Conflict (overlap or stale version).
func (s *Service) UpdateRule(ctx context.Context, a *access.Actor, id, version int64, in RuleInput) (Rule, error) {
	if err := a.RequireAdmin(); err != nil {
		return Rule{}, err
	}
	var out Rule
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := bumpRevision(ctx, tx); err != nil {
			return err
		}
		old, err := ruleByID(ctx, tx, id)
		if err != nil {
			return err
		}
		in.Key, in.Scope, in.From = old.Key, old.Scope, old.FromDay()
		r, err := in.rule()
		if err != nil {
			return err
		}
		r.ID, r.CreatedBy, r.CreatedAt = old.ID, old.CreatedBy, old.CreatedAt
		existing, err := rulesOf(ctx, tx, r.Key, r.Scope)
		if err != nil {
			return err
		}
		if _, err := place(existing, r); err != nil {
			return err
		}
		if err := updateRule(ctx, tx, &r, version); err != nil {
			return err
		}
		out = r
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "policy.rule.update", Entity: "rule_value",
			EntityID: strconv.FormatInt(id, 10), Before: auditOf(old), After: auditOf(r)})
	})
	if err != nil {
		return Rule{}, err
	}
	s.changed(ctx)
	return out, nil
}

func ruleByID(ctx context.Context, q db.Querier, id int64) (Rule, error) {
	rs, err := queryRules(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return Rule{}, err
	}
	if len(rs) == 0 {
		return Rule{}, errs.NotFoundf("没有编号为 %d 的政策参数记录", id)
	}
	return rs[0], nil
}

// RuleByID returns one stored value, read fresh from the database (staff
// only). Errors: Forbidden, NotFound.
func (s *Service) RuleByID(ctx context.Context, a *access.Actor, id int64) (Rule, error) {
	if err := requireStaff(a); err != nil {
		return Rule{}, err
	}
	return ruleByID(ctx, s.db.Read(), id)
}

// RuleFilter narrows ListRules: by key, scope, and to the values in force
// on Day ('YYYY-MM-DD'); empty fields do not filter.
type RuleFilter struct {
	Key   string
	Scope string
	Day   string
}

// ListRules returns the stored values matching f, newest period first
// within each key (staff only). Errors: Forbidden, Invalid (bad day).
func (s *Service) ListRules(ctx context.Context, a *access.Actor, f RuleFilter) ([]Rule, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	var fe errs.Fields
	day := checkDay(&fe, "date", "日期", strings.TrimSpace(f.Day), false)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	var out []Rule
	for _, rules := range sn.rules {
		for _, r := range rules {
			if (f.Key == "" || r.Key == f.Key) && (f.Scope == "" || r.Scope == f.Scope) && (day == "" || r.Covers(day)) {
				out = append(out, r)
			}
		}
	}
	sortRules(out)
	return out, nil
}

// requireStaff returns Unauthenticated or Forbidden unless a works for the
// agency: the rule history and the admin pages are for staff.
func requireStaff(a *access.Actor) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if !a.IsStaff() {
		return errs.Forbid()
	}
	return nil
}
