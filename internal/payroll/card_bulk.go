package payroll

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// MayActivate reports whether a may record cards as activated: staff of
// 基金管理科 or 保险福利科.
func MayActivate(a *access.Actor) error {
	if MayRun(a) == nil {
		return nil
	}
	return MayManage(a)
}

// CardChoice is the cards chosen for activation: the persons ticked, or
// all the retirees in pay whose card the bank has issued. Count, when
// set, is how many the clerk confirmed: a different number now means the
// list changed since (Conflict, confirm again).
type CardChoice struct {
	PersonIDs []int64
	All       bool
	Count     int
}

// IssuedCards lists the chosen cards that the bank has issued and are
// not active yet, with the pension lines held for each (the confirmation
// step of a bulk activation). A ticked person whose card is not issued
// (any more) is a Conflict naming how many; nothing chosen is Invalid.
func (s *Service) IssuedCards(ctx context.Context, a *access.Actor, ch CardChoice) ([]AwaitingCard, error) {
	if err := MayActivate(a); err != nil {
		return nil, err
	}
	return s.issuedCards(ctx, s.db.Read(), ch, "")
}

// ActivateMany records the chosen cards as activated in one transaction
// (all or none) and releases the pension lines held for them: they are
// approved with the next batch. Audited once for the whole choice and
// once per person whose lines are released. It returns the cards and the
// lines released.
func (s *Service) ActivateMany(ctx context.Context, a *access.Actor, ch CardChoice) (cards, released int, err error) {
	if err := MayActivate(a); err != nil {
		return 0, 0, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		list, err := s.issuedCards(ctx, tx, ch, s.db.Dialect.ForUpdate())
		if err != nil {
			return err
		}
		if ch.Count > 0 && ch.Count != len(list) {
			return errs.New(errs.Conflict, "cards_changed", "待激活的社保卡已有变化（确认时 "+strconv.Itoa(ch.Count)+
				" 张，现为 "+strconv.Itoa(len(list))+" 张），请重新确认")
		}
		now := s.clock.Now()
		for start := 0; start < len(list); start += 500 {
			chunk := list[start:min(start+500, len(list))]
			ph, args := personList(chunk, 4)
			res, err := tx.ExecContext(ctx, `UPDATE ss_cards SET status = 'active', activated_on = $1, updated_by = $2, updated_at = $3,
				version = version + 1 WHERE status = 'issued' AND person_id IN (`+ph+`)`,
				append([]any{now.Format("2006-01-02"), a.Name(), now}, args...)...)
			if err != nil {
				return errs.Wrap(err, "cards active")
			}
			if n, _ := res.RowsAffected(); int(n) != len(chunk) {
				return errs.New(errs.Conflict, "cards_changed", "部分社保卡已被他人处理，请刷新后重试")
			}
		}
		var total money.Fen
		for i := range list {
			c := list[i].Card
			n, err := s.payouts.Release(ctx, tx, a, c.PersonID, payout.HoldCard, payout.Request{AccountKind: payout.AccountCard,
				AccountName: list[i].Name, AccountNo: c.AccountNo, BankName: c.BankName, BankCode: c.BankCode})
			if err != nil {
				return err
			}
			released += n
			if n > 0 {
				total += list[i].HeldTotal
			}
		}
		cards = len(list)
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "card.activate_many", Entity: "ss_card", EntityID: cardIDs(list),
			After: map[string]any{"cards": cards, "released": released, "released_fen": int64(total), "all": ch.All}})
	})
	if err != nil {
		return 0, 0, err
	}
	return cards, released, nil
}

// issuedCards reads the chosen issued cards (lock appended to the query
// inside a transaction).
func (s *Service) issuedCards(ctx context.Context, q db.Querier, ch CardChoice, lock string) ([]AwaitingCard, error) {
	ids := uniqIDs(ch.PersonIDs)
	if !ch.All && len(ids) == 0 {
		return nil, errs.Fields{{Field: "person", Message: "请勾选要登记激活的社保卡，或选择“全部已制卡待激活的”"}}.Err()
	}
	if !ch.All && len(ids) > 5000 {
		return nil, errs.Fields{{Field: "person", Message: "一次最多勾选5000人；人数更多时请选择“全部已制卡待激活的”"}}.Err()
	}
	where, args := `c.status = 'issued' AND p.status = 'active'`, []any{}
	if !ch.All {
		var ph []string
		for _, id := range ids {
			args = append(args, id)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		where = `c.status = 'issued' AND c.person_id IN (` + strings.Join(ph, ", ") + `)`
	}
	rows, err := q.QueryContext(ctx, `SELECT c.person_id, p.name, p.id_number, p.first_month, c.bank_code, c.bank_name, c.account_no,
		c.delivery, c.tracking_no, c.branch, c.version
		FROM ss_cards c JOIN pensioners p ON p.person_id = c.person_id WHERE `+where+` ORDER BY c.person_id`+lock, args...)
	if err != nil {
		return nil, errs.Wrap(err, "issued cards")
	}
	out, err := scanIssued(rows)
	if err != nil {
		return nil, err
	}
	if !ch.All && len(out) != len(ids) {
		return nil, errs.New(errs.Conflict, "cards_not_issued", "所选人员中有 "+strconv.Itoa(len(ids)-len(out))+
			" 人的社保卡尚未由银行制卡或已激活，请刷新后重新勾选")
	}
	if len(out) == 0 {
		return nil, errs.Fields{{Field: "person", Message: "没有已制卡待激活的社保卡"}}.Err()
	}
	return out, s.heldOf(ctx, q, out)
}

func scanIssued(rows *sql.Rows) ([]AwaitingCard, error) {
	defer rows.Close()
	var out []AwaitingCard
	for rows.Next() {
		var w AwaitingCard
		var first string
		c := &Card{Status: CardIssued}
		if err := rows.Scan(&c.PersonID, &w.Name, &w.IDNumber, &first, &c.BankCode, &c.BankName, &c.AccountNo, &c.Delivery,
			&c.TrackingNo, &c.Branch, &c.Version); err != nil {
			return nil, errs.Wrap(err, "issued cards")
		}
		w.PersonID, w.Card = c.PersonID, c
		w.First, _ = clock.ParseMonth(first)
		out = append(out, w)
	}
	return out, errs.Wrap(rows.Err(), "issued cards")
}

// heldOf fills in the pension lines held for each card.
func (s *Service) heldOf(ctx context.Context, q db.Querier, list []AwaitingCard) error {
	at := map[int64]int{}
	for i := range list {
		at[list[i].PersonID] = i
	}
	for start := 0; start < len(list); start += 500 {
		chunk := list[start:min(start+500, len(list))]
		ph, args := personList(chunk, 1)
		rows, err := q.QueryContext(ctx, `SELECT payee_id, COUNT(*), COALESCE(SUM(amount_fen), 0) FROM payout_lines
			WHERE payee_kind = 'person' AND status = 'held' AND payee_id IN (`+ph+`) GROUP BY payee_id`, args...)
		if err != nil {
			return errs.Wrap(err, "held lines")
		}
		for rows.Next() {
			var id, n, sum int64
			if err := rows.Scan(&id, &n, &sum); err != nil {
				rows.Close()
				return errs.Wrap(err, "held lines")
			}
			list[at[id]].Held, list[at[id]].HeldTotal = n, money.Fen(sum)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "held lines")
		}
	}
	return nil
}

func personList(list []AwaitingCard, first int) (string, []any) {
	ph := make([]string, len(list))
	args := make([]any, len(list))
	for i := range list {
		ph[i] = "$" + strconv.Itoa(first+i)
		args[i] = list[i].PersonID
	}
	return strings.Join(ph, ", "), args
}

func cardIDs(list []AwaitingCard) string {
	var b strings.Builder
	for i := range list {
		if i == 20 {
			b.WriteString(",…")
			break
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(list[i].PersonID, 10))
	}
	return b.String()
}

func uniqIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
