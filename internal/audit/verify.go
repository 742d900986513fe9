package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// VerifyResult is the outcome of walking the chain.
type VerifyResult struct {
	Checked  int64  `json:"checked"`   // rows checked and found good (all before FirstBad)
	FirstBad int64  `json:"first_bad"` // seq of the first row found bad; 0 if none
	Reason   string `json:"reason"`    // why it is bad, in Chinese; "" if none
	HeadSeq  int64  `json:"head_seq"`  // last seq of the chain when the walk began
	HeadHash string `json:"head_hash"` // its hash: note it down to anchor the chain outside the database
	// Anchor says whether signed checkpoints were compared (they reveal a
	// removed tail) and lists checkpoint files that failed their check.
	Anchor AnchorStatus `json:"anchor"`
}

// OK reports whether the chain is unbroken and every checkpoint file is
// valid.
func (v VerifyResult) OK() bool { return v.FirstBad == 0 && len(v.Anchor.Invalid) == 0 }

// columns is the column list scanRecord reads, in order.
const columns = `seq, at, actor_id, actor_username, actor_role, action, entity, entity_id,
	before_json, after_json, note, request_id, prev_hash, hash`

// scanRecord reads one row selected with columns.
func scanRecord(sc interface{ Scan(...any) error }) (Record, error) {
	var r Record
	var before, after string
	err := sc.Scan(&r.Seq, &r.At, &r.ActorID, &r.ActorUsername, &r.ActorRole, &r.Action, &r.Entity,
		&r.EntityID, &before, &after, &r.Note, &r.RequestID, &r.PrevHash, &r.Hash)
	r.At = r.At.UTC()
	r.Before, r.After = json.RawMessage(before), json.RawMessage(after)
	return r, err
}

// Verify walks the whole chain in seq order, streaming the rows, and
// reports the first row that was changed, deleted, inserted or moved: a
// missing seq, a prev_hash that is not the hash of the row before, or a
// hash that does not match the row's content. With an anchor (NewAnchored)
// it also compares the chain with every signed checkpoint: a row whose hash
// differs from its checkpoint's, or a checkpoint beyond the head (the tail
// was removed), is reported too. Rows appended while it runs
// are left for the next run. It returns an Internal error only when the
// database fails; a broken chain is a result, not an error. Callers acting
// for a user use VerifyFor.
func (s *Service) Verify(ctx context.Context) (VerifyResult, error) {
	var res VerifyResult
	cps, err := s.checkAnchor(&res)
	if err != nil {
		return res, err
	}
	err = s.db.Read().QueryRowContext(ctx, `SELECT seq, last_hash FROM audit_head WHERE id = 1`).
		Scan(&res.HeadSeq, &res.HeadHash)
	if db.IsNoRows(err) {
		res.FirstBad, res.Reason = 1, "哈希链的链头记录（audit_head）缺失"
		return res, nil
	}
	if err != nil {
		return res, errs.Wrap(err, "audit head")
	}
	rows, err := s.db.Read().QueryContext(ctx,
		`SELECT `+columns+` FROM audit_log WHERE seq <= $1 ORDER BY seq`, res.HeadSeq)
	if err != nil {
		return res, errs.Wrap(err, "audit verify")
	}
	defer rows.Close()
	prev, want := Genesis, int64(1)
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return res, errs.Wrap(err, "audit verify")
		}
		if bad, why := checkRow(&r, want, prev); bad != 0 {
			res.FirstBad, res.Reason = bad, why
			return res, nil
		}
		if why := checkpointMismatch(&r, cps); why != "" {
			res.FirstBad, res.Reason = r.Seq, why
			return res, nil
		}
		res.Checked++
		prev, want = r.Hash, want+1
	}
	if err := rows.Err(); err != nil {
		return res, errs.Wrap(err, "audit verify")
	}
	switch {
	case want <= res.HeadSeq:
		res.FirstBad = want
		res.Reason = fmt.Sprintf("第 %d 条至第 %d 条记录缺失（已被删除）", want, res.HeadSeq)
	case prev != res.HeadHash:
		res.FirstBad, res.Checked = res.HeadSeq, res.HeadSeq-1
		res.Reason = fmt.Sprintf("链头哈希与第 %d 条记录的哈希不符（最后一条记录被改动或替换）", res.HeadSeq)
	default:
		truncatedTail(&res)
	}
	return res, nil
}

// checkRow checks r, expected to be row want following a row whose hash
// is prev; it returns the seq of the bad row and why, or 0.
func checkRow(r *Record, want int64, prev string) (int64, string) {
	switch {
	case r.Seq != want:
		return want, fmt.Sprintf("第 %d 条记录缺失（已被删除或改了序号）", want)
	case r.PrevHash != prev:
		if want == 1 {
			return want, "第 1 条记录的前一哈希不是链的起点（记录被改动或链被截断）"
		}
		return want, fmt.Sprintf("本条记录的前一哈希与第 %d 条记录的哈希不符（第 %d 条被改动，或有记录被删除、插入或调换）", want-1, want-1)
	case computeHash(r) != r.Hash:
		return want, "记录内容与其哈希不符（本条记录被改动）"
	}
	return 0, ""
}

// VerifyFor runs Verify on behalf of a: only staff of the audit section
// and administrators may. It returns Unauthenticated, Forbidden or
// Internal errors.
func (s *Service) VerifyFor(ctx context.Context, a *access.Actor) (VerifyResult, error) {
	if err := a.RequireSection(access.Audit); err != nil {
		return VerifyResult{}, err
	}
	return s.Verify(ctx)
}
