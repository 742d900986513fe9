package contribution

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
	"shebao/internal/policy"
)

// confirmManyRows is how many bills one UPDATE statement confirms (five
// parameters a bill, well under SQLite's limit).
const confirmManyRows = 500

// ConfirmMany confirms the draft employer bills ids of fee month as their
// employers would have (the demo generator's months of history, where
// confirming a million bills one request at a time would take hours): each
// bill gets its own payment reference and the due date, late-fee waiver
// and late-acceptance flag Confirm gives on the same day. Bills that are
// not drafts of the month are left alone. One transaction and one audit
// entry (the month and the count) per call; only the system actor may
// call it. It returns how many bills were confirmed.
func (s *Service) ConfirmMany(ctx context.Context, a *access.Actor, month string, ids []int64) (int, error) {
	if a != access.System {
		return 0, errs.Forbid()
	}
	due, basis, err := s.policy.CollectionDue(ctx, month)
	if err != nil {
		return 0, err
	}
	waived, waiver := false, ""
	if e, err := s.policy.MeasureInForce(ctx, due, policy.MeasureLateFeeWaived); err != nil {
		return 0, err
	} else if e != nil {
		waived, waiver = true, e.Title+"：应急期内的逾期天数免收滞纳金，须在应急期结束后的补办期限内缴清，"+
			"逾期未缴清的自原缴费期限次日起计收（依据："+e.LegalBasis+"）"
	}
	today := clock.Today(s.clock)
	late, err := s.policy.LateAccepting(ctx, due, today)
	if err != nil {
		return 0, err
	}
	set := confirmSet{due: due.Format("2006-01-02"), basis: basis, waived: waived, waiver: waiver,
		at: s.clock.Now()}
	if late != nil {
		set.lateBasis = LateAcceptedBasis(*late, "申报", today, due)
	}
	n := 0
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for len(ids) > 0 {
			k := min(confirmManyRows, len(ids))
			done, err := confirmDrafts(ctx, tx, month, ids[:k], set)
			if err != nil {
				return err
			}
			n, ids = n+done, ids[k:]
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "contribution.bill.confirm", Entity: "bill",
			After: map[string]any{"fee_month": month, "confirmed": n, "due_on": set.due},
			Note:  "按单位确认批量确认历史月份核定单"})
	})
	return n, err
}

// confirmSet is what every bill of a ConfirmMany call gets.
type confirmSet struct {
	due, basis, waiver, lateBasis string
	waived                        bool
	at                            any
}

// confirmDrafts confirms the drafts among ids of month in one statement
// and returns how many it changed.
func confirmDrafts(ctx context.Context, tx *sql.Tx, month string, ids []int64, set confirmSet) (int, error) {
	flags, bases, err := draftFlags(ctx, tx, month, ids)
	if err != nil || len(flags) == 0 {
		return 0, err
	}
	args := []any{set.due, set.basis, set.waived, set.waiver, set.at}
	var rows []string
	for id, f := range flags {
		fb := bases[id]
		if set.lateBasis != "" {
			f, fb = WithFlag(f, FlagLateAccepted), set.lateBasis
		}
		n := len(args)
		rows = append(rows, "(CAST($"+strconv.Itoa(n+1)+" AS BIGINT), $"+strconv.Itoa(n+2)+", $"+strconv.Itoa(n+3)+
			", $"+strconv.Itoa(n+4)+")")
		args = append(args, id, NewPaymentRef(), f, fb)
	}
	res, err := tx.ExecContext(ctx, `WITH v (id, ref, flags, flag_basis) AS (VALUES `+strings.Join(rows, ", ")+`)
		UPDATE bills SET status = 'confirmed', version = version + 1, payment_ref = v.ref, due_on = $1,
			due_basis = $2, late_fee_waived = $3, waiver_basis = $4, confirmed_at = $5, flags = v.flags,
			flag_basis = v.flag_basis
		FROM v WHERE bills.id = v.id AND bills.status = 'draft'`, args...)
	if err != nil {
		return 0, errs.Wrap(err, "confirm bills")
	}
	done, _ := res.RowsAffected()
	return int(done), nil
}

// draftFlags reads the flags and flag bases of the drafts among ids.
func draftFlags(ctx context.Context, q db.Querier, month string, ids []int64) (map[int64]string, map[int64]string, error) {
	args := []any{month}
	marks := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		marks[i] = "$" + strconv.Itoa(i+2)
	}
	flags, bases := map[int64]string{}, map[int64]string{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var id int64
		var f, fb string
		if err := r.Scan(&id, &f, &fb); err != nil {
			return err
		}
		flags[id], bases[id] = f, fb
		return nil
	}, `SELECT id, flags, flag_basis FROM bills WHERE fee_month = $1
		AND payer_kind = 'employer' AND status = 'draft' AND id IN (`+strings.Join(marks, ", ")+`)`, args...)
	return flags, bases, errs.Wrap(err, "draft bills")
}
