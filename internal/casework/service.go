package casework

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/policy"
)

// Service runs cases of every registered type.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	audit    *audit.Service
	policy   *policy.Service
	mu       sync.RWMutex
	types    map[string]*Type
	notifier Notifier
}

// NewService returns the case service and registers its emergency-end
// listener, which recomputes owed originals' due dates in the transaction
// that sets the end. n is where notices and reminders go besides case
// events (nil: nowhere).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, p *policy.Service, n Notifier) *Service {
	s := &Service{db: d, clock: c, audit: a, policy: p, types: map[string]*Type{}, notifier: n}
	p.OnEndChanged(s.emergencyEndChanged)
	return s
}

// Register adds a case type; call it while wiring. It panics on a
// duplicate code or prefix (a programming error).
func (s *Service) Register(t *Type) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.types[t.Code]; dup || t.Code == MailType {
		panic("casework: duplicate case type " + t.Code)
	}
	for _, o := range s.types {
		if o.Prefix == t.Prefix {
			panic("casework: duplicate case prefix " + t.Prefix)
		}
	}
	s.types[t.Code] = t
}

// Type returns the registered type with code, or nil.
func (s *Service) Type(code string) *Type {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.types[code]
}

// Types returns the registered types (not the mail draft type), by
// section in the usual order, then by name.
func (s *Service) Types() []*Type {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Type, 0, len(s.types))
	for _, t := range s.types {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *Type) int {
		if c := slices.Index(access.Sections, a.Section) - slices.Index(access.Sections, b.Section); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out
}

// GenericTypes returns the types the generic forms may open or confirm a
// draft as: of section (every section when ""), without the types that
// have their own form.
func (s *Service) GenericTypes(section access.Section) []*Type {
	var out []*Type
	for _, t := range s.Types() {
		if !t.OwnForm && (section == "" || t.Section == section) {
			out = append(out, t)
		}
	}
	return out
}

// typeOf returns the type of a stored case.
func (s *Service) typeOf(c *Case) *Type {
	if c.Type == MailType {
		return mailType(c.Section)
	}
	if t := s.Type(c.Type); t != nil {
		return t
	}
	return &Type{Code: c.Type, Name: c.Type, Section: c.Section}
}

// IDHash is the search key stored for an ID number: the SHA-256 of the
// normalised number, so queues can match an exact ID number without
// keeping or scanning it in clear. "" when s is not an ID number.
func IDHash(s string) string {
	id, err := ident.ParseID(s)
	if err != nil && !ident.IsChecksumOnly(err) {
		return ""
	}
	n := id.Number
	if n == "" {
		return ""
	}
	h := sha256.Sum256([]byte("shebao-case-subject:" + n))
	return hex.EncodeToString(h[:])
}

// party says how the actor stands towards case c: as its applicant, as
// staff of its section, or not at all (NotFound, so other applicants
// cannot learn that the case exists).
func party(a *access.Actor, c *Case) (Party, error) {
	if a == nil {
		return "", errs.LoginRequired()
	}
	switch {
	case a.In(c.Section):
		return ByStaff, nil
	case a.Role == access.RoleEmployer && c.Applicant.EmployerID != 0 && a.EmployerID == c.Applicant.EmployerID:
		return ByApplicant, nil
	case a.Role == access.RolePerson && c.Applicant.PersonID != 0 && a.PersonID == c.Applicant.PersonID:
		return ByApplicant, nil
	}
	return "", errs.NotFoundf("未找到业务 %s", c.No)
}

// load reads case no (or id when no is "") visible to a.
func (s *Service) load(ctx context.Context, q db.Querier, a *access.Actor, no string) (*Case, Party, error) {
	c, err := caseByNo(ctx, q, no)
	if err != nil {
		return nil, "", err
	}
	p, err := party(a, c)
	if err != nil {
		return nil, "", err
	}
	s.derive(c)
	return c, p, nil
}

// derive sets the computed fields of c.
func (s *Service) derive(c *Case) {
	t := s.typeOf(c)
	c.TypeName = t.Name
	c.Overdue = slices.Contains(agencyStates, c.State) && c.DeadlineAt != nil && s.clock.Now().After(*c.DeadlineAt)
	c.Reopened = c.State == InReview && c.DecidedAt != nil
}

// event appends a history line inside tx.
func (s *Service) event(ctx context.Context, tx *sql.Tx, a *access.Actor, caseID int64, e Event) error {
	role := ""
	if a != nil {
		role = string(a.Role)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, at, actor_id, actor_name, actor_role, kind,
		from_state, to_state, public, body) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
		caseID, s.now(), actorID(a), a.Name(), role, e.Kind, string(e.From), string(e.To), e.Public, e.Body)
	return errs.Wrap(err, "case event")
}

func actorID(a *access.Actor) int64 {
	if a == nil {
		return 0
	}
	return a.UserID
}

// now is the clock's instant in whole seconds (stored times compare as text on SQLite).
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }
