package injury

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/casework"
	"shebao/internal/certificate"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// ItemDecision is the clerk's decision on one line: approved, reduced
// (with the approved amount and the reason) or refused (with the reason).
type ItemDecision struct {
	Line      int    `json:"line"`
	Decision  string `json:"decision"`
	AmountFen int64  `json:"approved_fen"`
	Reason    string `json:"reason"`
}

// ReviewItems records the clerk's decisions on lines of a claim in review.
// 工伤保险待遇科 only. Errors: Forbidden, NotFound, Invalid (fields name the
// lines), Conflict (not in review; stale version).
// The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) ReviewItems(ctx context.Context, a *access.Actor, claimID, version int64, ds []ItemDecision) error {
	if err := a.RequireSection(access.Injury); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := loadClaim(ctx, tx, "c.id = $1", claimID, true)
		if err != nil {
			return err
		}
		if c.Status != StatusReview {
			return errs.New(errs.Conflict, "not_in_review", "该申报已"+c.StatusName()+"，不能再修改审核意见")
		}
		byLine := map[int]Item{}
		for _, it := range c.Items {
			byLine[it.Line] = it
		}
		var f errs.Fields
		for _, d := range ds {
			it, ok := byLine[d.Line]
			approved := checkDecision(&f, it, ok, &d)
			if _, err := tx.ExecContext(ctx, `UPDATE injury_claim_items SET decision = $3, approved_fen = $4, reason = $5
				WHERE claim_id = $1 AND line = $2`, claimID, d.Line, d.Decision, int64(approved), d.Reason); err != nil {
				return errs.Wrap(err, "review item")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := bumpClaim(ctx, tx, claimID, version); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.claim.review", Entity: "injury_claim",
			EntityID: c.CaseNo, After: ds})
	})
}

// checkDecision validates one decision and returns the approved amount.
func checkDecision(f *errs.Fields, it Item, ok bool, d *ItemDecision) money.Fen {
	field := fmt.Sprintf("items[%d]", d.Line)
	d.Reason = strings.TrimSpace(d.Reason)
	switch {
	case !ok:
		f.Add(field, fmt.Sprintf("没有第 %d 项", d.Line))
	case utf8.RuneCountInString(d.Reason) > 200:
		f.Add(field, fmt.Sprintf("第 %d 项：理由不能超过 200 字", d.Line))
	case d.Decision == DecisionApproved:
		return it.Claimed
	case d.Decision == DecisionReduced:
		if d.AmountFen <= 0 || d.AmountFen >= int64(it.Claimed) {
			f.Add(field, fmt.Sprintf("第 %d 项：核减后金额应大于 0 且小于申报金额 %s 元", d.Line, it.Claimed))
		}
		if d.Reason == "" {
			f.Add(field, fmt.Sprintf("第 %d 项：请填写核减理由", d.Line))
		}
		return money.Fen(d.AmountFen)
	case d.Decision == DecisionRefused:
		if d.Reason == "" {
			f.Add(field, fmt.Sprintf("第 %d 项：请填写不予支付的理由", d.Line))
		}
		return 0
	case d.Decision == DecisionPending:
		return 0
	default:
		f.Add(field, fmt.Sprintf("第 %d 项：请选择核准、核减或不予支付", d.Line))
	}
	return 0
}

func bumpClaim(ctx context.Context, tx *sql.Tx, claimID, version int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE injury_claims SET version = version + 1 WHERE id = $1 AND version = $2`, claimID, version)
	if err != nil {
		return errs.Wrap(err, "claim version")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.New(errs.Conflict, "stale_claim", "该申报已由其他经办人员修改，请刷新后再操作")
	}
	return nil
}

// ContinuedDecision is the decision on the claim's continued-treatment form.
type ContinuedDecision struct {
	Approve bool
	Note    string
}

// CompleteReview ends the review once every line is decided: the approved
// total is summed; above the dated threshold injury_second_check_fen the
// claim waits for a second clerk's check, otherwise it is approved and its
// payout lines are made. A claim with a continued-treatment form approves
// or refuses the form here. Errors: Forbidden, NotFound, Invalid, Conflict.
// The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) CompleteReview(ctx context.Context, a *access.Actor, claimID, version int64, cd *ContinuedDecision) (*Claim, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	threshold, _, err := s.policy.Amount(ctx, policy.KeyInjurySecondCheck, "", clock.Today(s.clock))
	if err != nil {
		return nil, err
	}
	var out *Claim
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := loadClaim(ctx, tx, "c.id = $1", claimID, true)
		if err != nil {
			return err
		}
		if err := readyToComplete(c, cd); err != nil {
			return err
		}
		for _, it := range c.Items {
			c.Approved += it.Approved
		}
		if err := bumpClaim(ctx, tx, claimID, version); err != nil {
			return err
		}
		c.Version = version + 1
		if err := s.decideContinued(ctx, tx, c, cd); err != nil {
			return err
		}
		c.ReviewedBy, c.ReviewedName = a.UserID, a.Name()
		c.Status = StatusCheck
		if c.Approved <= threshold {
			c.Status = StatusApproved
		}
		if _, err := tx.ExecContext(ctx, `UPDATE injury_claims SET status = $2, approved_fen = $3, reviewed_by = $4,
			reviewed_name = $5 WHERE id = $1`, claimID, c.Status, int64(c.Approved), c.ReviewedBy, c.ReviewedName); err != nil {
			return errs.Wrap(err, "complete review")
		}
		if c.Status == StatusApproved {
			if err := s.approve(ctx, tx, a, c); err != nil {
				return err
			}
		}
		out = c
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.claim.complete", Entity: "injury_claim",
			EntityID: c.CaseNo, After: map[string]any{"approved_fen": c.Approved, "status": c.Status,
				"threshold_fen": threshold}})
	})
	if err != nil {
		return nil, err
	}
	if out.Status == StatusApproved {
		s.finishCase(ctx, a, out.CaseNo, "待遇核准："+out.Approved.String()+" 元")
		s.deliverLetter(ctx, out)
	}
	return out, nil
}

func readyToComplete(c *Claim, cd *ContinuedDecision) error {
	if c.Status != StatusReview {
		return errs.New(errs.Conflict, "not_in_review", "该申报已"+c.StatusName()+"，不能再次提交审核结果")
	}
	var f errs.Fields
	for _, it := range c.Items {
		if it.Decision == DecisionPending {
			f.Add(fmt.Sprintf("items[%d]", it.Line), fmt.Sprintf("第 %d 项尚未审核", it.Line))
		}
	}
	if len(c.Items) == 0 {
		f.Add("items", "该申报还没有费用明细，请先录入")
	}
	if c.ContinuedID != 0 && cd == nil {
		f.Add("continued", "请对《工伤职工继续治疗申请表》作出批准或不予批准的决定")
	}
	if c.ContinuedID != 0 && cd != nil && !cd.Approve && strings.TrimSpace(cd.Note) == "" {
		f.Add("continued_note", "不予批准继续治疗的，请填写理由")
	}
	return f.Err()
}

func (s *Service) decideContinued(ctx context.Context, tx *sql.Tx, c *Claim, cd *ContinuedDecision) error {
	if c.ContinuedID == 0 || cd == nil {
		return nil
	}
	status := ContinuedApproved
	if !cd.Approve {
		status = ContinuedRefused
	}
	_, err := tx.ExecContext(ctx, `UPDATE injury_continued SET status = $2, decision_note = $3, decided_at = $4 WHERE id = $1`,
		c.ContinuedID, status, strings.TrimSpace(cd.Note), s.clock.Now().UTC())
	return errs.Wrap(err, "decide continued treatment")
}

// SecondCheck is the second clerk's check of a claim above the threshold:
// agree approves it (payout lines made), disagree sends it back to review
// with the note. The checker must not be the reviewer. Errors: Forbidden,
// NotFound, Invalid, Conflict.
func (s *Service) SecondCheck(ctx context.Context, a *access.Actor, claimID, version int64, agree bool, note string) (*Claim, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	var out *Claim
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := loadClaim(ctx, tx, "c.id = $1", claimID, true)
		if err != nil {
			return err
		}
		switch {
		case c.Status != StatusCheck:
			return errs.New(errs.Conflict, "not_in_check", "该申报不在待复核状态")
		case c.ReviewedBy == a.UserID:
			return errs.New(errs.Forbidden, "same_clerk", "复核须由审核人以外的另一名经办人员办理")
		case !agree && note == "":
			var f errs.Fields
			f.Add("note", "退回重审的，请填写复核意见")
			return f.Err()
		}
		if err := bumpClaim(ctx, tx, claimID, version); err != nil {
			return err
		}
		c.Version = version + 1
		c.Status, c.CheckedBy, c.CheckedName = StatusApproved, a.UserID, a.Name()
		if !agree {
			c.Status, c.CheckedBy, c.CheckedName = StatusReview, 0, ""
		}
		if _, err := tx.ExecContext(ctx, `UPDATE injury_claims SET status = $2, checked_by = $3, checked_name = $4
			WHERE id = $1`, claimID, c.Status, c.CheckedBy, c.CheckedName); err != nil {
			return errs.Wrap(err, "second check")
		}
		if agree {
			if err := s.approve(ctx, tx, a, c); err != nil {
				return err
			}
		}
		out = c
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.claim.check", Entity: "injury_claim",
			EntityID: c.CaseNo, After: map[string]any{"agree": agree, "note": note}})
	})
	if err != nil {
		return nil, err
	}
	if agree {
		s.finishCase(ctx, a, out.CaseNo, "待遇核准（已复核）："+out.Approved.String()+" 元")
		s.deliverLetter(ctx, out)
	}
	return out, nil
}

// approve sets the letter's verification code and hands the approved
// amounts to the payouts: one line per one-time item, and for monthly
// allowances one line per month from the first month to the current one.
func (s *Service) approve(ctx context.Context, tx *sql.Tx, a *access.Actor, c *Claim) error {
	now := s.clock.Now().UTC()
	c.DecidedAt, c.LetterCode = &now, certificate.NewCode()
	if _, err := tx.ExecContext(ctx, `UPDATE injury_claims SET letter_code = $2, decided_at = $3 WHERE id = $1`,
		c.ID, c.LetterCode, now); err != nil {
		return errs.Wrap(err, "approve claim")
	}
	return s.payouts.Ready(ctx, tx, a, s.claimLines(c, clock.MonthOf(clock.Today(s.clock))))
}

// claimLines are the payout lines of an approved claim up to month through.
func (s *Service) claimLines(c *Claim, through clock.Month) []PayLine {
	payee, ref, name := PayeeWorker, c.PersonID, c.PersonName
	if c.Payee == PayeeEmployer {
		payee, ref, name = PayeeEmployer, c.EmployerID, c.EmployerName
	}
	var out []PayLine
	for _, it := range c.Items {
		if it.Approved <= 0 {
			continue
		}
		base := PayLine{Key: fmt.Sprintf("injury:claim:%d:item:%d", c.ID, it.Line), Benefit: it.Kind, Source: c.CaseNo,
			PersonID: c.PersonID, PayeeKind: payee, PayeeRef: ref, PayeeName: name, BankAccount: c.BankAccount, BankName: c.BankName,
			Part: fmt.Sprintf("item-%d", it.Line), Amount: it.Approved}
		if !it.Monthly {
			out = append(out, base)
			continue
		}
		first, err := clock.ParseMonth(it.FirstMonth)
		if err != nil {
			continue
		}
		for m := first; !through.Before(m); m = m.Add(1) {
			l := base
			l.Key, l.Period = base.Key+":"+m.String(), m.String()
			out = append(out, l)
		}
	}
	return out
}

// PayMonth makes the payout lines of every approved monthly allowance
// (grades 1–4 disability allowance, nursing, dependants' pensions) up to
// month, catching up months no run made: each claim in a transaction of
// its own, each person+item+month once (a line already made, even one the
// fund section rejected, is not made again). A run stopped half-way and
// run again makes exactly the lines the stopped run did not. It returns
// how many lines it made. For the monthly job (docs/rules.md
// "Work-injury benefit line").
func (s *Service) PayMonth(ctx context.Context, a *access.Actor, month clock.Month) (int, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return 0, err
	}
	ids, err := s.monthlyClaims(ctx, month)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		made, err := s.payClaimMonths(ctx, a, id, month)
		if err != nil {
			return n, err
		}
		n += made
	}
	return n, nil
}

// monthlyClaims are the approved claims with a monthly item due by month.
func (s *Service) monthlyClaims(ctx context.Context, month clock.Month) ([]int64, error) {
	var ids []int64
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}, `SELECT DISTINCT c.id FROM injury_claims c JOIN injury_claim_items i
		ON i.claim_id = c.id WHERE c.status = 'approved' AND i.monthly = TRUE AND i.approved_fen > 0 AND i.first_month <= $1
		ORDER BY c.id`, month.String())
	return ids, errs.Wrap(err, "monthly claims")
}

// payClaimMonths makes a claim's monthly lines up to month not made yet.
func (s *Service) payClaimMonths(ctx context.Context, a *access.Actor, claimID int64, month clock.Month) (int, error) {
	var lines []PayLine
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := loadClaim(ctx, tx, "c.id = $1", claimID, true)
		if err != nil || c.Status != StatusApproved {
			return err
		}
		made, err := madeKeys(ctx, tx, c.CaseNo)
		if err != nil {
			return err
		}
		for _, l := range s.claimLines(c, month) {
			if l.Period != "" && !made[l.Key] {
				lines = append(lines, l)
			}
		}
		return s.payouts.Ready(ctx, tx, a, lines)
	})
	if err != nil {
		return 0, err
	}
	return len(lines), nil
}

// madeKeys are the business keys of the monthly lines already made for a
// claim (its case number).
func madeKeys(ctx context.Context, tx *sql.Tx, source string) (map[string]bool, error) {
	made := map[string]bool{}
	err := db.Each(ctx, tx, func(r db.Scanner) error {
		var k string
		if err := r.Scan(&k); err != nil {
			return err
		}
		made[k] = true
		return nil
	}, `SELECT business_key FROM injury_payables WHERE source = $1 AND period <> ''`, source)
	return made, errs.Wrap(err, "monthly lines made")
}

// finishCase moves the claim's case to decided (办结) after approval; a
// failure leaves the case for the clerk's buttons and is not an error of
// the approval.
func (s *Service) finishCase(ctx context.Context, a *access.Actor, no, comment string) {
	for _, to := range []casework.State{casework.Accepted, casework.InReview, casework.Decided} {
		c, err := s.cases.Get(ctx, a, no)
		if err != nil || c.State == casework.Decided || c.State.Final() {
			return
		}
		if c.State == to || (to == casework.Accepted && c.State == casework.InReview) {
			continue
		}
		if _, err := s.cases.Transition(ctx, a, no, c.Version, to, comment); err != nil {
			return
		}
	}
}

// StopPayment stops a claim's payment after a commitment (告知承诺) of its
// case was found false: lines not yet paid are stopped and what was paid
// is recorded for recovery. Errors: Forbidden, NotFound, Conflict (no false
// commitment on the case; already stopped).
// The rule: docs/rules.md "Work-injury benefit line".
func (s *Service) StopPayment(ctx context.Context, a *access.Actor, claimID, version int64, note string) (money.Fen, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return 0, err
	}
	c, err := loadClaim(ctx, s.db.Read(), "c.id = $1", claimID, false)
	if err != nil {
		return 0, err
	}
	v, err := s.cases.Detail(ctx, a, c.CaseNo)
	if err != nil {
		return 0, err
	}
	found := false
	for _, cm := range v.Commitments {
		found = found || cm.FoundFalse
	}
	if !found {
		return 0, errs.New(errs.Conflict, "no_false_commitment", "该申报没有被认定不实的告知承诺；请先在告知承诺中登记核查结果")
	}
	var recovered money.Fen
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if c.Status == StatusStopped {
			return errs.New(errs.Conflict, "already_stopped", "该申报已停止支付")
		}
		if err := bumpClaim(ctx, tx, claimID, version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE injury_claims SET status = 'stopped', refusal = $2 WHERE id = $1`, claimID,
			"告知承诺不实，停止支付并追回已支付待遇"); err != nil {
			return errs.Wrap(err, "stop claim")
		}
		if recovered, err = s.payouts.Stop(ctx, tx, a, c.CaseNo); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.claim.stop", Entity: "injury_claim", EntityID: c.CaseNo,
			Before: map[string]any{"status": c.Status}, After: map[string]any{"status": StatusStopped, "recover_fen": recovered},
			Note: strings.TrimSpace(note)})
	})
	return recovered, err
}

// AddItems appends lines a clerk keys from scanned documents to a claim in
// review. Errors: Forbidden, NotFound, Invalid, Conflict.
func (s *Service) AddItems(ctx context.Context, a *access.Actor, claimID, version int64, in []ItemInput) error {
	if err := a.RequireSection(access.Injury); err != nil {
		return err
	}
	c, err := loadClaim(ctx, s.db.Read(), "c.id = $1", claimID, true)
	if err != nil {
		return err
	}
	if c.Status != StatusReview || c.Benefit != BenefitMedical {
		return errs.New(errs.Conflict, "not_in_review", "只能向审核中的医疗费用申报录入明细")
	}
	first := len(c.Items)
	n := &Claim{FastTrack: c.FastTrack}
	if err := s.medicalItems(ctx, n, in); err != nil {
		return err
	}
	var added money.Fen
	for i := range n.Items {
		n.Items[i].Line += first
		added += n.Items[i].Claimed
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := bumpClaim(ctx, tx, claimID, version); err != nil {
			return err
		}
		if err := insertItems(ctx, tx, claimID, n.Items); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE injury_claims SET claimed_fen = claimed_fen + $2 WHERE id = $1`, claimID,
			int64(added)); err != nil {
			return errs.Wrap(err, "claim total")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "injury.claim.items", Entity: "injury_claim", EntityID: c.CaseNo,
			After: map[string]any{"added": len(n.Items), "amount_fen": added}})
	})
}
