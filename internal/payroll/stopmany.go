package payroll

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// StopItem is one pension of a batch stop: the person and the last month
// paid (e.g. the month of death).
type StopItem struct {
	PersonID int64
	Last     clock.Month
}

// StopManyTx stops many pensions at once inside the caller's transaction,
// each after its own last month, with the effects StopTx has for each one
// (status, last month, reason, an event, lines of later months not yet
// sent cancelled, those sent or paid reported as overpaid, one audit
// record per pension), set-based: the items are staged in one bulk insert,
// the pensioners changed and their lines read in one statement each, the
// events and audit records written in bulk. Persons not in pay are left
// out of the answer (StopTx's NotFound). Invalid names the field (kind,
// reason, a missing month, a person listed twice).
func (s *Service) StopManyTx(ctx context.Context, tx *sql.Tx, a *access.Actor, kind, reason string, items []StopItem) (map[int64]*StopResult, error) {
	if err := MayManage(a); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := checkStopMany(kind, reason, items); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return map[int64]*StopResult{}, nil
	}
	batch, err := stageStops(ctx, tx, s.db.Dialect, items)
	if err != nil {
		return nil, err
	}
	inPay, err := stagedPensioners(ctx, tx, batch)
	if err != nil {
		return nil, err
	}
	status := Stopped
	if kind == StopSuspension {
		status = Suspended
	}
	now := s.clock.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE pensioners SET status = $1, last_month = i.last_month, stop_kind = $3, stop_reason = $4, updated_at = $5,
		version = pensioners.version + 1 FROM pension_stop_items i WHERE i.batch = $2 AND i.person_id = pensioners.person_id`, status, batch, kind, reason, now); err != nil {
		return nil, errs.Wrap(err, "stop pensioners")
	}
	res, err := s.stopStagedLines(ctx, tx, batch, inPay, reason)
	if err != nil {
		return nil, err
	}
	if err := s.stopEvents(ctx, tx, a, inPay, kind, reason); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pension_stop_items WHERE batch = $1`, batch); err != nil {
		return nil, errs.Wrap(err, "stop items")
	}
	return res, s.audit.RecordMany(ctx, tx, a, stopEntries(inPay, res, status, reason))
}

func checkStopMany(kind, reason string, items []StopItem) error {
	var f errs.Fields
	if _, ok := stopNames[kind]; !ok {
		f.Add("kind", "请选择停发原因类别")
	}
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		f.Add("reason", "请填写停发原因（不超过200字）")
	}
	seen := make(map[int64]bool, len(items))
	for _, it := range items {
		if it.Last.IsZero() {
			f.Add("last_month", "请填写最后发放月份（YYYY-MM）")
			break
		}
		if seen[it.PersonID] {
			f.Add("person_id", "同一人员在停发名单中出现多次")
			break
		}
		seen[it.PersonID] = true
	}
	return f.Err()
}

// staged is a pensioner of a batch stop.
type staged struct {
	id, personID int64
	last         clock.Month
}

// stageStops writes the items under a new batch key.
func stageStops(ctx context.Context, tx *sql.Tx, d db.Dialect, items []StopItem) (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", errs.Wrap(err, "stop batch")
	}
	batch := hex.EncodeToString(b[:])
	err := db.BulkInsert(ctx, tx, d, db.Insert{Table: "pension_stop_items",
		Columns: []db.Column{{Name: "batch", Type: db.Text}, {Name: "person_id", Type: db.BigInt}, {Name: "last_month", Type: db.Text}},
		Rows:    len(items),
		Row:     func(i int) []any { return []any{batch, items[i].PersonID, items[i].Last.String()} }})
	return batch, errs.Wrap(err, "stop items")
}

// stagedPensioners returns the batch's persons in pay, by pensioner id.
func stagedPensioners(ctx context.Context, tx *sql.Tx, batch string) ([]staged, error) {
	var out []staged
	err := db.Each(ctx, tx, func(r db.Scanner) error {
		var p staged
		var last string
		if err := r.Scan(&p.id, &p.personID, &last); err != nil {
			return err
		}
		p.last, _ = clock.ParseMonth(last)
		out = append(out, p)
		return nil
	}, `SELECT p.id, p.person_id, i.last_month FROM pension_stop_items i
		JOIN pensioners p ON p.person_id = i.person_id WHERE i.batch = $1 ORDER BY p.id`, batch)
	return out, errs.Wrap(err, "stop pensioners")
}

// stopStagedLines does stopLines for every staged pensioner: their pension
// lines after their last month, read in one statement, cancelled when not
// yet sent and summed when sent or paid.
func (s *Service) stopStagedLines(ctx context.Context, tx *sql.Tx, batch string, inPay []staged, reason string) (map[int64]*StopResult, error) {
	res := make(map[int64]*StopResult, len(inPay))
	for _, p := range inPay {
		res[p.personID] = &StopResult{}
	}
	// An approved line with a batch row is in a bank file (the status the
	// payout service shows).
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.payee_id, l.period,
		CASE WHEN l.status = 'approved' AND bl.line_id IS NOT NULL THEN 'in_file' ELSE l.status END, l.amount_fen
		FROM pension_stop_items i JOIN payout_lines l ON l.payee_kind = $2 AND l.payee_id = i.person_id AND l.period > i.last_month
		LEFT JOIN payout_batch_lines bl ON bl.line_id = l.id
		WHERE i.batch = $1 AND l.benefit IN ('pension', 'pension_backpay') ORDER BY l.payee_id, l.id`, batch, payout.PayeePerson)
	if err != nil {
		return nil, errs.Wrap(err, "stop lines")
	}
	var cancel []int64
	for rows.Next() {
		var id, person int64
		var period, status string
		var amount money.Fen
		if err := rows.Scan(&id, &person, &period, &status, &amount); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "stop lines")
		}
		r := res[person]
		if r == nil { // a person listed but not in pay
			continue
		}
		switch status {
		case payout.Held, payout.Prepared, payout.Approved, payout.Failed:
			cancel = append(cancel, id)
			r.Cancelled++
		case payout.InFile, payout.Paid:
			r.Overpaid += amount
			r.Months = append(r.Months, period)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "stop lines")
	}
	for _, id := range cancel {
		if err := s.payouts.CancelTx(ctx, tx, access.System, id, 0, "停发："+reason); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// stopEvents writes the stop event of every staged pensioner.
func (s *Service) stopEvents(ctx context.Context, tx *sql.Tx, a *access.Actor, inPay []staged, kind, reason string) error {
	now, by, note := s.clock.Now(), a.Name(), StopKindName(kind)+"："+reason
	err := db.BulkInsert(ctx, tx, s.db.Dialect, db.Insert{Table: "pensioner_events",
		Columns: []db.Column{{Name: "pensioner_id", Type: db.BigInt}, {Name: "kind", Type: db.Text}, {Name: "month", Type: db.Text},
			{Name: "note", Type: db.Text}, {Name: "created_by", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}},
		Rows: len(inPay),
		Row: func(i int) []any {
			return []any{inPay[i].id, "stop", inPay[i].last.Add(1).String(), note, by, now}
		}})
	return errs.Wrap(err, "pensioner events")
}

// stopEntries are StopTx's audit records of the batch.
func stopEntries(inPay []staged, res map[int64]*StopResult, status, reason string) []audit.Entry {
	out := make([]audit.Entry, len(inPay))
	for i, p := range inPay {
		r := res[p.personID]
		out[i] = audit.Entry{Action: "payroll.stop", Entity: "pensioner", EntityID: idStr(p.id),
			After: map[string]any{"status": status, "last_month": p.last.String(), "cancelled": r.Cancelled,
				"overpaid_fen": int64(r.Overpaid)}, Note: reason}
	}
	return out
}
