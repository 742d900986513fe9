package personalaccount

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Kind is the kind of an account entry.
type Kind string

// Entry kinds (account_entries.kind).
const (
	KindOpening     Kind = "opening"      // balance brought over from before Shebao
	KindCredit      Kind = "credit"       // the individual share of a paid month
	KindReversal    Kind = "reversal"     // a credit taken back (payment refunded)
	KindCorrection  Kind = "correction"   // a clerk's correction with its reason
	KindInterest    Kind = "interest"     // the year-end interest
	KindTransferIn  Kind = "transfer_in"  // balance received from another region
	KindTransferOut Kind = "transfer_out" // balance paid to another region
)

var kindNames = map[Kind]string{KindOpening: "期初余额（原系统）", KindCredit: "个人缴费记账", KindReversal: "退款冲销",
	KindCorrection: "更正", KindInterest: "年度记账利息", KindTransferIn: "转入", KindTransferOut: "转出"}

// Name is the kind in Chinese.
func (k Kind) Name() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "其他"
}

// Entry is one line of a personal account.
type Entry struct {
	ID       int64     `json:"id"`
	PersonID int64     `json:"person_id"`
	Kind     Kind      `json:"kind"`
	Year     int       `json:"year"`
	PostedOn string    `json:"posted_on"`
	FeeMonth string    `json:"fee_month,omitempty"`
	Amount   money.Fen `json:"amount_fen"`
	Reason   string    `json:"reason,omitempty"`
}

// CreditPaidBills posts, inside the caller's transaction, the personal
// account credit of every person on the given bills that are now fully
// paid: the individual share of the pension line (8% of the base for an
// employee, 8 of the 20 points for a flexible worker), dated on (the day
// the payment was posted; on is that moment). Bills not paid are skipped; a bill credited
// before adds nothing (docs/rules.md "Personal account ledger"). The
// payment service calls it whenever it writes bills.
func CreditPaidBills(ctx context.Context, tx *sql.Tx, dialect db.Dialect, billIDs []int64, on time.Time) error {
	day := clock.DateOf(on)
	for start := 0; start < len(billIDs); start += creditChunk {
		inBills, ids := dialect.AnyID("l.bill_id", 4, billIDs[start:min(start+creditChunk, len(billIDs))])
		_, err := tx.ExecContext(ctx, `INSERT INTO account_entries (person_id, kind, year, posted_on, fee_month, amount_fen,
			bill_id, source_key, created_at)
			SELECT l.person_id, 'credit', $1, $2, l.fee_month, SUM(l.individual_fen), l.bill_id,
				'credit:' || CAST(l.bill_id AS TEXT) || ':' || CAST(l.person_id AS TEXT) || COALESCE((SELECT ':' || CAST(COUNT(*) AS TEXT)
					FROM account_entries r WHERE r.person_id = l.person_id AND r.bill_id = l.bill_id AND r.kind = 'reversal'
					HAVING COUNT(*) > 0), ''), $3
			FROM bill_lines l JOIN bills b ON b.id = l.bill_id
			WHERE `+inBills+` AND b.status = 'paid' AND l.scheme = 'pension' AND l.individual_fen > 0
			GROUP BY l.bill_id, l.person_id, l.fee_month
			ON CONFLICT (source_key) DO NOTHING`, day.Year(), day.Format(time.DateOnly), on, ids)
		if err != nil {
			return errs.Wrap(err, "credit personal accounts")
		}
	}
	return nil
}

// creditChunk is how many bills one crediting statement reads: the same
// statement text for every chunk, planned once.
const creditChunk = 2000

// ReverseBill takes back, inside the caller's transaction, the credits a
// bill posted (its payment was refunded), dated on, once: a person whose
// credits of the bill are already reversed gets nothing more. A bill paid
// again after a refund is credited again (the keys count the reversals),
// and a second refund reverses that credit.
func ReverseBill(ctx context.Context, tx *sql.Tx, billID int64, on time.Time, reason string) error {
	day := clock.DateOf(on)
	_, err := tx.ExecContext(ctx, `INSERT INTO account_entries (person_id, kind, year, posted_on, fee_month, amount_fen,
		bill_id, source_key, reason, created_at)
		SELECT e.person_id, 'reversal', $1, $2, MAX(e.fee_month), -SUM(e.amount_fen), e.bill_id,
			'reversal:' || CAST(e.bill_id AS TEXT) || ':' || CAST(e.person_id AS TEXT) ||
			CASE WHEN SUM(CASE WHEN e.kind = 'reversal' THEN 1 ELSE 0 END) = 0 THEN ''
				ELSE ':' || CAST(SUM(CASE WHEN e.kind = 'reversal' THEN 1 ELSE 0 END) AS TEXT) END, $3, $4
		FROM account_entries e WHERE e.bill_id = $5 AND e.kind IN ('credit', 'reversal')
		GROUP BY e.bill_id, e.person_id HAVING SUM(e.amount_fen) <> 0
		ON CONFLICT (source_key) DO NOTHING`, day.Year(), day.Format(time.DateOnly), reason, on, billID)
	return errs.Wrap(err, "reverse personal account credits")
}

// BalanceAt is the balance of a person's account at the end of day (the
// sum of the entries dated on or before it), read with q (another
// service's transaction, or the read pool). A person without entries has
// a balance of zero.
func BalanceAt(ctx context.Context, q db.Querier, personID int64, day time.Time) (money.Fen, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_fen), 0) FROM account_entries
		WHERE person_id = $1 AND posted_on <= $2`, personID, day.Format(time.DateOnly)).Scan(&v)
	return money.Fen(v), errs.Wrap(err, "account balance")
}

// insertEntry writes one entry; an entry with the same source key is a
// Conflict.
func insertEntry(ctx context.Context, tx *sql.Tx, e *Entry, key string, actorID int64, now time.Time) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO account_entries (person_id, kind, year, posted_on, fee_month, amount_fen,
		source_key, reason, actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.PersonID, string(e.Kind), e.Year, e.PostedOn, e.FeeMonth, int64(e.Amount), key, e.Reason, actorID, now).Scan(&e.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "entry_exists", "该笔记账已经存在，未重复记账")
	}
	return errs.Wrap(err, "insert account entry")
}

// listEntries returns a person's entries, oldest first.
func listEntries(ctx context.Context, q db.Querier, personID int64) ([]Entry, error) {
	var out []Entry
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var e Entry
		var k string
		var amt int64
		if err := r.Scan(&e.ID, &e.PersonID, &k, &e.Year, &e.PostedOn, &e.FeeMonth, &amt, &e.Reason); err != nil {
			return err
		}
		e.Kind, e.Amount = Kind(k), money.Fen(amt)
		out = append(out, e)
		return nil
	}, `SELECT id, person_id, kind, year, posted_on, fee_month, amount_fen, reason
		FROM account_entries WHERE person_id = $1 ORDER BY year, posted_on, id`, personID)
	return out, errs.Wrap(err, "list account entries")
}

// yearSums reads a person's totals per account year and kind.
func yearSums(ctx context.Context, q db.Querier, personID int64) (map[int]map[Kind]money.Fen, error) {
	out := map[int]map[Kind]money.Fen{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var y int
		var k string
		var v int64
		if err := r.Scan(&y, &k, &v); err != nil {
			return err
		}
		if out[y] == nil {
			out[y] = map[Kind]money.Fen{}
		}
		out[y][Kind(k)] = money.Fen(v)
		return nil
	}, `SELECT year, kind, SUM(amount_fen) FROM account_entries WHERE person_id = $1
		GROUP BY year, kind`, personID)
	return out, errs.Wrap(err, "account years")
}

// yearSumsOf is yearSums for several persons in one read (ids given as
// the placeholders $1… of in and their args).
func yearSumsOf(ctx context.Context, q db.Querier, in string, args []any) (map[int64]map[int]map[Kind]money.Fen, error) {
	out := map[int64]map[int]map[Kind]money.Fen{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var id int64
		var y int
		var k string
		var v int64
		if err := r.Scan(&id, &y, &k, &v); err != nil {
			return err
		}
		if out[id] == nil {
			out[id] = map[int]map[Kind]money.Fen{}
		}
		if out[id][y] == nil {
			out[id][y] = map[Kind]money.Fen{}
		}
		out[id][y][Kind(k)] = money.Fen(v)
		return nil
	}, `SELECT person_id, year, kind, SUM(amount_fen) FROM account_entries
		WHERE person_id IN (`+in+`) GROUP BY person_id, year, kind`, args...)
	return out, errs.Wrap(err, "account years")
}
