package payroll

import (
	"context"
	"database/sql"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/payout"
)

// Card statuses.
const (
	CardListed = "listed" // on a card-opening list sent to the bank
	CardIssued = "issued" // the bank made the card: mailed or at the branch
	CardActive = "active" // activated: pensions are paid to it
)

var cardNames = map[string]string{CardListed: "已报送银行开卡", CardIssued: "银行已制卡，待领取激活", CardActive: "已激活"}

// Card is a person's social security card.
type Card struct {
	PersonID   int64  `json:"person_id"`
	Status     string `json:"status"`
	BankCode   string `json:"bank_code"`
	BankName   string `json:"bank_name"`
	AccountNo  string `json:"-"`
	Delivery   string `json:"delivery"`
	TrackingNo string `json:"tracking_no,omitempty"`
	Branch     string `json:"branch,omitempty"`
	IssuedOn   string `json:"issued_on,omitempty"`
	Version    int64  `json:"version"`
}

// StatusName is the card status in Chinese.
func (c *Card) StatusName() string { return cardNames[c.Status] }

// MaskedAccount is the card's financial account, last four digits shown.
func (c *Card) MaskedAccount() string { return payout.MaskAccount(c.AccountNo) }

// DeliveryText says how the card reaches the person.
func (c *Card) DeliveryText() string {
	switch c.Delivery {
	case "mail":
		return "邮寄（运单号 " + c.TrackingNo + "）"
	case "branch":
		return "到银行网点领取（" + c.Branch + "）"
	}
	return ""
}

func cardOf(ctx context.Context, q db.Querier, personID int64) (*Card, error) {
	c := &Card{PersonID: personID}
	err := q.QueryRowContext(ctx, `SELECT status, bank_code, bank_name, account_no, delivery, tracking_no, branch, issued_on, version
		FROM ss_cards WHERE person_id = $1`, personID).Scan(&c.Status, &c.BankCode, &c.BankName, &c.AccountNo, &c.Delivery,
		&c.TrackingNo, &c.Branch, &c.IssuedOn, &c.Version)
	if db.IsNoRows(err) {
		return nil, nil
	}
	return c, errs.Wrap(err, "card")
}

// CardOf returns a person's card (nil when none) to the person or to
// staff who may view the register.
func (s *Service) CardOf(ctx context.Context, a *access.Actor, personID int64) (*Card, error) {
	if !(a != nil && a.Role == access.RolePerson && a.PersonID == personID) {
		if err := MayView(a); err != nil {
			return nil, err
		}
	}
	return cardOf(ctx, s.db.Read(), personID)
}

// ListForCards puts every pensioner without a card on a card-opening list
// for an agent bank and returns the list id and how many: 基金管理科.
func (s *Service) ListForCards(ctx context.Context, a *access.Actor, bankCode string) (int64, int64, error) {
	if err := MayRun(a); err != nil {
		return 0, 0, err
	}
	var id, n int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM payout_banks WHERE code = $1 AND active`, bankCode).Scan(&name); err != nil {
			if db.IsNoRows(err) {
				return errs.Fields{{Field: "bank_code", Message: "请选择代发银行"}}.Err()
			}
			return errs.Wrap(err, "bank")
		}
		now := s.clock.Now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO ss_card_lists (bank_code, persons, created_by, created_at) VALUES ($1, 0, $2, $3) RETURNING id`,
			bankCode, a.Name(), now).Scan(&id); err != nil {
			return errs.Wrap(err, "card list")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO ss_cards (person_id, status, bank_code, bank_name, list_id, updated_by, updated_at)
			SELECT p.person_id, 'listed', $1, $2, $3, $4, $5 FROM pensioners p
			WHERE p.status = 'active' AND NOT EXISTS (SELECT 1 FROM ss_cards c WHERE c.person_id = p.person_id)`, bankCode, name, id, a.Name(), now)
		if err != nil {
			return errs.Wrap(err, "card list")
		}
		n, _ = res.RowsAffected()
		if n == 0 {
			return errs.Fields{{Field: "bank_code", Message: "没有需要开卡的退休人员"}}.Err()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ss_card_lists SET persons = $1 WHERE id = $2`, n, id); err != nil {
			return errs.Wrap(err, "card list")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "card.list", Entity: "ss_card_list", EntityID: idStr(id),
			After: map[string]any{"bank": bankCode, "persons": n}})
	})
	return id, n, err
}

// CardIssue is the bank's answer for one person.
type CardIssue struct {
	PersonID   int64
	CardNo     string
	AccountNo  string
	Delivery   string // mail | branch
	TrackingNo string
	Branch     string
	IssuedOn   string
}

// RecordIssued records the bank's answer: the card and how it reaches the
// person. 基金管理科 or 保险福利科. Invalid names the field.
func (s *Service) RecordIssued(ctx context.Context, a *access.Actor, in CardIssue) error {
	if MayRun(a) != nil {
		if err := MayManage(a); err != nil {
			return err
		}
	}
	var f errs.Fields
	in.AccountNo = payout.CleanAccountNo(in.AccountNo)
	payout.CheckAccount(&f, "account_no", payout.AccountCard, in.AccountNo)
	switch in.Delivery {
	case "mail":
		if strings.TrimSpace(in.TrackingNo) == "" {
			f.Add("tracking_no", "邮寄的请填写运单号")
		}
	case "branch":
		if strings.TrimSpace(in.Branch) == "" {
			f.Add("branch", "网点领取的请填写领取网点")
		}
	default:
		f.Add("delivery", "请选择领取方式（邮寄或网点领取）")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ss_cards SET status = 'issued', card_no = $1, account_no = $2, delivery = $3,
			tracking_no = $4, branch = $5, issued_on = $6, updated_by = $7, updated_at = $8, version = version + 1
			WHERE person_id = $9 AND status = 'listed'`, in.CardNo, in.AccountNo, in.Delivery, strings.TrimSpace(in.TrackingNo),
			strings.TrimSpace(in.Branch), in.IssuedOn, a.Name(), s.clock.Now(), in.PersonID)
		if err != nil {
			return errs.Wrap(err, "card issued")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.New(errs.Conflict, "card_not_listed", "该人员不在待开卡名单中")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "card.issued", Entity: "ss_card", EntityID: idStr(in.PersonID),
			After: map[string]any{"account": payout.MaskAccount(in.AccountNo), "delivery": in.Delivery}})
	})
}

// Activate marks a person's issued card active and releases the pension
// lines held for it (they are approved with the next batch).
func (s *Service) Activate(ctx context.Context, a *access.Actor, personID int64) (int, error) {
	if MayRun(a) != nil {
		if err := MayManage(a); err != nil {
			return 0, err
		}
	}
	var n int
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := pensionerByPerson(ctx, tx, personID)
		if err != nil {
			return err
		}
		c, err := cardOf(ctx, tx, personID)
		if err != nil {
			return err
		}
		if c == nil || c.Status != CardIssued {
			return errs.New(errs.Conflict, "card_not_issued", "该人员的社保卡尚未由银行制卡，不能激活")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ss_cards SET status = 'active', activated_on = $1, updated_by = $2, updated_at = $3,
			version = version + 1 WHERE person_id = $4`, s.clock.Now().Format("2006-01-02"), a.Name(), s.clock.Now(), personID); err != nil {
			return errs.Wrap(err, "card active")
		}
		if n, err = s.payouts.Release(ctx, tx, a, personID, "card", payout.Request{AccountKind: payout.AccountCard,
			AccountName: p.Name, AccountNo: c.AccountNo, BankName: c.BankName, BankCode: c.BankCode}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "card.activate", Entity: "ss_card", EntityID: idStr(personID),
			After: map[string]any{"released": n}})
	})
	return n, err
}
