package payout

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// Posting kinds (payout_postings.kind). Each posts per scheme and
// charged account (DebitAccount of the benefit: benefit expense, or
// 应退款项 for a contribution refund):
//
//	approve: Dr charged account       / Cr benefits payable
//	cancel:  Dr benefits payable      / Cr charged account   (an approved line cancelled)
//	file:    Dr benefits payable      / Cr payout in transit (lines sent to the bank)
//	paid:    Dr payout in transit     / Cr payout bank       (the bank paid)
//	failed:  Dr payout in transit     / Cr benefits payable, then
//	         Dr benefits payable      / Cr charged account   (the failure reverses the charge)
const (
	postApprove = "approve"
	postCancel  = "cancel"
	postFile    = "file"
	postPaid    = "paid"
	postFailed  = "failed"
)

// bucket is what a posting sums lines by: the scheme and the account
// the lines are charged to.
type bucket struct {
	scheme string
	debit  ledger.Account
}

// bucketOf is the bucket of a line of a benefit in a scheme.
func bucketOf(scheme, benefit string) bucket { return bucket{scheme, DebitAccount(benefit)} }

// sums are amounts per bucket.
type sums map[bucket]money.Fen

// total is the sum over the buckets.
func (m sums) total() money.Fen {
	var t money.Fen
	for _, v := range m {
		t += v
	}
	return t
}

// byScheme is the audit view: fen per scheme.
func (m sums) byScheme() map[string]int64 {
	out := map[string]int64{}
	for k, v := range m {
		out[k.scheme] += int64(v)
	}
	return out
}

// post writes one payout posting for lines: a payout_postings row and
// its balanced ledger entries, one pair (or two) per bucket.
func (s *Service) post(ctx context.Context, tx *sql.Tx, a *access.Actor, kind string, batchID int64, lines []Line) error {
	if len(lines) == 0 {
		return nil
	}
	per := sums{}
	for i := range lines {
		per[bucketOf(lines[i].Scheme, lines[i].Benefit)] += lines[i].Amount
	}
	return s.postAmounts(ctx, tx, a, kind, batchID, int64(len(lines)), per)
}

// postAmounts is post with the amounts per bucket already summed.
func (s *Service) postAmounts(ctx context.Context, tx *sql.Tx, a *access.Actor, kind string, batchID, n int64, per sums) error {
	sum := per.total()
	if n == 0 || sum == 0 {
		return nil
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO payout_postings (kind, batch_id, lines, total_fen, posted_on, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, kind, nullID(batchID), n, int64(sum), s.today(), a.Name(),
		s.clock.Now()).Scan(&id); err != nil {
		return errs.Wrap(err, "payout posting")
	}
	p := ledger.Posting{PayoutPostingID: id, Step: 1, PostedOn: s.today()}
	keys := make([]bucket, 0, len(per))
	for k := range per {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].scheme < keys[j].scheme || keys[i].scheme == keys[j].scheme && keys[i].debit < keys[j].debit
	})
	for _, k := range keys {
		moves(&p, kind, k, per[k])
	}
	return ledger.Write(ctx, tx, s.db.Dialect, s.clock.Now(), []ledger.Posting{p})
}

func moves(p *ledger.Posting, kind string, k bucket, amt money.Fen) {
	scheme, charged := k.scheme, k.debit
	if charged == "" {
		charged = ledger.BenefitExpense
	}
	switch kind {
	case postApprove:
		p.Move(charged, ledger.BenefitPayable, scheme, 0, amt)
	case postCancel:
		p.Move(ledger.BenefitPayable, charged, scheme, 0, amt)
	case postFile:
		p.Move(ledger.BenefitPayable, ledger.PayoutInTransit, scheme, 0, amt)
	case postPaid:
		p.Move(ledger.PayoutInTransit, ledger.PayoutBank, scheme, 0, amt)
	case postFailed:
		p.Move(ledger.PayoutInTransit, ledger.BenefitPayable, scheme, 0, amt)
		p.Move(ledger.BenefitPayable, charged, scheme, 0, amt)
	default:
		panic(fmt.Sprintf("payout: unknown posting kind %q", kind))
	}
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// forUpdate locks the rows read on PostgreSQL; SQLite's write
// transactions are exclusive already (immediate).
func (s *Service) forUpdate() string {
	return s.db.Dialect.ForUpdateOf("payout_lines")
}

// inList returns the placeholders $start… for the lines' ids and the args.
func inList(lines []Line, start int) (string, []any) {
	ids := make([]int64, len(lines))
	for i := range lines {
		ids[i] = lines[i].ID
	}
	return inIDs(ids, start)
}

func inIDs(ids []int64, start int) (string, []any) {
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i] = "$" + strconv.Itoa(start+i)
		args[i] = id
	}
	return strings.Join(ph, ","), args
}

func uniq(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// joinIDs is the audit entity id of several lines (the first 20, then a count).
func joinIDs(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i == 20 {
			fmt.Fprintf(&b, "…（共%d笔）", len(ids))
			break
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(idStr(id))
	}
	return b.String()
}
