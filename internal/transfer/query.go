package transfer

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/person"
)

// Get returns one transfer with its 信息表 years, for 个人账户科.
// Errors: Forbidden, NotFound.
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*Transfer, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	return loadTransfer(ctx, s.db.Read(), id)
}

// OfCase is the transfer opened on a case, for the case page of 个人账户科
// (nil when none, or for an actor of another section).
func (s *Service) OfCase(ctx context.Context, a *access.Actor, caseNo string) (*Transfer, error) {
	if a == nil || !a.In(access.Account) || caseNo == "" {
		return nil, nil
	}
	return transferOfCase(ctx, s.db.Read(), caseNo)
}

// List returns the queue, the nearest deadline first, 50 a page.
// Errors: Forbidden.
func (s *Service) List(ctx context.Context, a *access.Actor, f Filter) ([]Transfer, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	return listTransfers(ctx, s.db.Read(), f)
}

// Consultation is one advice call logged by the section.
type Consultation struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id,omitempty"`
	CallerName string    `json:"caller_name"`
	Phone      string    `json:"phone"`
	Topic      string    `json:"topic"`
	Advice     string    `json:"advice"`
	FollowUp   string    `json:"follow_up"`
	TakenName  string    `json:"taken_name"`
	CreatedAt  time.Time `json:"created_at"`
}

// MaskedPhone is the phone number masked, for lists.
func (c *Consultation) MaskedPhone() string { return ident.MaskPhone(c.Phone) }

// ConsultInput is a call to log; IDNumber links it to an insured person
// (optional: callers do not always give it).
type ConsultInput struct {
	IDNumber   string `json:"id_number"`
	CallerName string `json:"caller_name"`
	Phone      string `json:"phone"`
	Topic      string `json:"topic"`
	Advice     string `json:"advice"`
	FollowUp   string `json:"follow_up"`
}

// LogConsultation records an advice call (电话咨询). Errors: Forbidden,
// Invalid (fields).
func (s *Service) LogConsultation(ctx context.Context, a *access.Actor, in ConsultInput) (*Consultation, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	c := &Consultation{CallerName: strings.TrimSpace(in.CallerName), Topic: strings.TrimSpace(in.Topic),
		Advice: strings.TrimSpace(in.Advice), FollowUp: strings.TrimSpace(in.FollowUp), TakenName: a.Name(), CreatedAt: s.clock.Now()}
	var f errs.Fields
	if n := len([]rune(c.CallerName)); n < 1 || n > 30 {
		f.Add("caller_name", "请填写来电人姓名（30 字以内）")
	}
	if p := strings.TrimSpace(in.Phone); p != "" {
		ph, err := ident.ParsePhone(p)
		if err != nil {
			f.Add("phone", "联系电话格式不正确")
		}
		c.Phone = ph
	}
	if n := len([]rune(c.Topic)); n < 2 || n > 100 {
		f.Add("topic", "请填写咨询事项（2 至 100 字）")
	}
	if n := len([]rune(c.Advice)); n < 2 || n > 1000 {
		f.Add("advice", "请填写给出的答复（2 至 1000 字）")
	}
	if len([]rune(c.FollowUp)) > 500 {
		f.Add("follow_up", "后续事项不超过 500 字")
	}
	idn := strings.ToUpper(strings.TrimSpace(in.IDNumber))
	if idn != "" {
		if _, err := ident.ParseID(idn); err != nil {
			f.Add("id_number", "公民身份号码不正确（不知道可不填）")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var pid any
		if idn != "" {
			p, err := person.FindByIDNumber(ctx, tx, idn)
			if err != nil && errs.KindOf(err) != errs.NotFound {
				return err
			}
			if p != nil {
				c.PersonID, pid = p.ID, p.ID
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO consultations (person_id, caller_name, phone, topic, advice, follow_up,
			taken_by, taken_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			pid, c.CallerName, c.Phone, c.Topic, c.Advice, c.FollowUp, a.UserID, c.TakenName, c.CreatedAt).Scan(&c.ID); err != nil {
			return errs.Wrap(err, "insert consultation")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "transfer.consultation", Entity: "consultation",
			EntityID: strconv.FormatInt(c.ID, 10), After: map[string]any{"phone": ident.MaskPhone(c.Phone), "topic": c.Topic,
				"person": ident.MaskID(idn)}})
	})
	return c, err
}

// Consultations lists the latest calls, or a person's (personID > 0),
// newest first. Errors: Forbidden.
func (s *Service) Consultations(ctx context.Context, a *access.Actor, personID int64) ([]Consultation, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	where, args := "", []any{}
	if personID > 0 {
		where, args = "WHERE person_id = $1", append(args, personID)
	}
	var out []Consultation
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var c Consultation
		if err := r.Scan(&c.ID, &c.PersonID, &c.CallerName, &c.Phone, &c.Topic, &c.Advice, &c.FollowUp, &c.TakenName, &c.CreatedAt); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	}, `SELECT id, COALESCE(person_id, 0), caller_name, phone, topic, advice, follow_up,
		taken_name, created_at FROM consultations `+where+` ORDER BY created_at DESC, id DESC LIMIT 100`, args...)
	return out, errs.Wrap(err, "consultations")
}
