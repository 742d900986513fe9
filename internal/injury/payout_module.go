package injury

import (
	"context"
	"database/sql"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// payoutBenefits maps claim item kinds to the payouts module's benefit codes.
var payoutBenefits = map[string]string{
	"medical": "injury_medical", "food": "injury_hospital_meals", "settlement": "injury_medical",
	"disability_lump": "injury_disability_lump", "disability_monthly": "injury_disability_allowance",
	"nursing_monthly": "injury_nursing", "leaving_medical": "injury_medical_lump", "death_subsidy": "injury_death_lump",
	"funeral": "injury_funeral", "dependant_monthly": "injury_survivor",
}

// HospitalAccountHold is why a hospital's line waits: the agency records the
// hospital's receiving account with the fund section before paying.
const HospitalAccountHold = "医院收款账户待基金管理科登记"

// PayoutModule keeps the ready-to-pay lines (for the payees' and the
// section's lists) and prepares each as a payout line of the payouts
// module in the same transaction, with the same idempotency: a key made
// twice pays once.
func PayoutModule(p *payout.Service, c clock.Clock) Payouts {
	return payoutModule{p: p, local: readyLines{clock: c}}
}

type payoutModule struct {
	p     *payout.Service
	local readyLines
}

// preparer is the actor that prepares the lines: the deciding clerk, or for
// a hospital's settlement (which no clerk decides) the system on the
// section's behalf.
func preparer(a *access.Actor) *access.Actor {
	if a != nil && a.In(access.Injury) {
		return a
	}
	return access.System
}

func (m payoutModule) Ready(ctx context.Context, tx *sql.Tx, a *access.Actor, lines []PayLine) error {
	if err := m.local.Ready(ctx, tx, a, lines); err != nil {
		return err
	}
	for _, l := range lines {
		if l.Amount <= 0 {
			continue
		}
		r := payoutRequest(l)
		if l.PayeeKind == PayeeHospital {
			acct, err := hospitalAccount(ctx, tx, l.PayeeRef)
			if err != nil {
				return err
			}
			pause("settlement.account_read")
			withHospitalAccount(&r, acct)
		}
		if _, _, err := m.p.PrepareTx(ctx, tx, preparer(a), r); err != nil {
			return err
		}
	}
	return nil
}

// withHospitalAccount prepares a hospital's line to its registered
// account; without one the line stays held.
func withHospitalAccount(r *payout.Request, acct *HospitalAccountInput) {
	if acct == nil {
		return
	}
	r.AccountName, r.AccountNo, r.BankName, r.NameConfirmed = acct.AccountName, acct.AccountNo, acct.BankName, acct.NameConfirmed
	r.HoldReason = ""
}

// Release prepares the hospital's lines held for its account.
func (m payoutModule) Release(ctx context.Context, tx *sql.Tx, a *access.Actor, hospitalID int64, acct HospitalAccountInput) (int, money.Fen, error) {
	return m.p.ReleasePayee(ctx, tx, a, payout.PayeeHospital, hospitalID, HospitalAccountHold, payout.Request{
		AccountKind: payout.AccountCorporate, AccountName: acct.AccountName, AccountNo: acct.AccountNo, BankName: acct.BankName,
		NameConfirmed: acct.NameConfirmed})
}

// Held counts a hospital's lines held for its account.
func (m payoutModule) Held(ctx context.Context, hospitalID int64) (int, money.Fen) {
	n, sum, err := m.p.HeldOf(ctx, payout.PayeeHospital, hospitalID, HospitalAccountHold)
	if err != nil {
		return 0, 0
	}
	return n, sum
}

// payoutRequest is the payouts module's request for a ready line.
func payoutRequest(l PayLine) payout.Request {
	r := payout.Request{PayeeName: l.PayeeName, AccountName: l.PayeeName, AccountNo: l.BankAccount, BankName: l.BankName,
		Amount: l.Amount, Benefit: payoutBenefits[l.Benefit], SourceKind: "injury_claim", SourceID: l.Source,
		Period: l.Period, Part: l.Part, PayeeID: l.PayeeRef, Memo: ItemKindName(l.Benefit)}
	if r.Benefit == "" {
		r.Benefit = "injury_other"
	}
	switch l.PayeeKind {
	case PayeeWorker:
		r.PayeeKind, r.AccountKind = payout.PayeePerson, payout.AccountCard
	case PayeeEmployer:
		r.PayeeKind, r.AccountKind = payout.PayeeEmployer, payout.AccountCorporate
	case PayeeHospital:
		r.PayeeKind, r.AccountKind, r.SourceKind, r.HoldReason = payout.PayeeHospital, payout.AccountCorporate,
			"injury_settlement", HospitalAccountHold
		r.AccountNo, r.AccountName = "", ""
	}
	return r
}

// Stop cancels the source's lines not yet approved and returns what was
// approved, sent or paid (to recover).
func (m payoutModule) Stop(ctx context.Context, tx *sql.Tx, a *access.Actor, source string) (money.Fen, error) {
	if _, err := m.local.Stop(ctx, tx, a, source); err != nil {
		return 0, err
	}
	lines, err := m.p.OfSource(ctx, tx, "injury_claim", source)
	if err != nil {
		return 0, err
	}
	var recover money.Fen
	for _, l := range lines {
		switch l.Status {
		case payout.Held, payout.Prepared:
			if err := m.p.CancelTx(ctx, tx, a, l.ID, 0, "告知承诺不实，停止支付"); err != nil {
				return 0, err
			}
		case payout.Approved, payout.InFile, payout.Paid:
			recover += money.Fen(l.Amount)
		}
	}
	return recover, nil
}

// Status returns the payouts module's status of a ready line, in Chinese.
func (m payoutModule) Status(ctx context.Context, l PayLine) string {
	r := payoutRequest(l)
	line, err := m.p.ByKey(ctx, nil, r.Key())
	if err != nil || line == nil {
		return ""
	}
	return payout.StatusName(line.Status)
}
