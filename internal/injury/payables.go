package injury

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// Payees of injury benefits.
const (
	PayeeEmployer = "employer" // it advanced the costs
	PayeeWorker   = "worker"   // the worker's own bank account
	PayeeHospital = "hospital" // direct settlement
)

// PayLine is an approved amount ready to pay. Key is the business key
// (one per claim item, settlement, or month of a monthly allowance):
// handing the same key twice pays once.
type PayLine struct {
	Key         string
	Benefit     string // e.g. medical, disability_monthly
	Source      string // the claim's case number or the settlement number
	PersonID    int64
	PayeeKind   string
	PayeeRef    int64 // employer id, person id, or the hospital's API user id
	PayeeName   string
	BankAccount string
	BankName    string
	Period      string // YYYY-MM for monthly allowances
	Part        string // e.g. "item-3": one line per claim item
	Amount      money.Fen
}

// Payouts receives approved amounts in the approving transaction. The
// payouts module implements it; until then readyLines keeps them.
type Payouts interface {
	Ready(ctx context.Context, tx *sql.Tx, a *access.Actor, lines []PayLine) error
	// Stop stops the lines of source not yet paid and returns what was
	// already paid (to recover).
	Stop(ctx context.Context, tx *sql.Tx, a *access.Actor, source string) (recover money.Fen, err error)
	// Release gives a hospital's held lines its registered account and
	// returns how many lines and their total.
	Release(ctx context.Context, tx *sql.Tx, a *access.Actor, hospitalID int64, acct HospitalAccountInput) (int, money.Fen, error)
}

// readyLines stores approved amounts in injury_payables.
type readyLines struct{ clock clock.Clock }

func (r readyLines) Ready(ctx context.Context, tx *sql.Tx, _ *access.Actor, lines []PayLine) error {
	now := r.clock.Now().UTC()
	for _, l := range lines {
		if l.Amount <= 0 {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO injury_payables (business_key, benefit, source, person_id, payee_kind,
			payee_ref, payee_name, bank_account, period, amount_fen, status, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'ready',$11) ON CONFLICT (business_key) DO NOTHING`,
			l.Key, l.Benefit, l.Source, l.PersonID, l.PayeeKind, l.PayeeRef, l.PayeeName, l.BankAccount, l.Period,
			int64(l.Amount), now)
		if err != nil {
			return errs.Wrap(err, "payable")
		}
	}
	return nil
}

func (readyLines) Stop(ctx context.Context, tx *sql.Tx, _ *access.Actor, source string) (money.Fen, error) {
	_, err := tx.ExecContext(ctx, `UPDATE injury_payables SET status = 'stopped' WHERE source = $1 AND status = 'ready'`, source)
	return 0, errs.Wrap(err, "stop payables")
}

// Release: the ready lines need no account.
func (readyLines) Release(context.Context, *sql.Tx, *access.Actor, int64, HospitalAccountInput) (int, money.Fen, error) {
	return 0, 0, nil
}

// Payable is a ready-to-pay line as its payee sees it.
type Payable struct {
	Key         string    `json:"business_key"`
	Benefit     string    `json:"benefit"`
	BenefitName string    `json:"benefit_name"`
	Source      string    `json:"source"`
	Worker      string    `json:"worker_id_masked"`
	PayeeKind   string    `json:"payee_kind"`
	PayeeName   string    `json:"payee_name"`
	Period      string    `json:"period,omitempty"`
	Amount      money.Fen `json:"amount_fen"`
	Status      string    `json:"status"`
	PayoutState string    `json:"payout_status,omitempty"` // in the payouts module, in Chinese
	CreatedAt   time.Time `json:"created_at"`
}

// AmountText is the amount in 元.
func (p Payable) AmountText() string { return p.Amount.String() }

// StatusName is the status in Chinese.
func (p Payable) StatusName() string {
	if p.Status == "stopped" {
		return "已停止支付"
	}
	return "待支付"
}

// Payables lists ready-to-pay lines: a hospital its own, 工伤保险待遇科
// those of a source (claim or settlement number, "" for all), newest first.
func (s *Service) Payables(ctx context.Context, a *access.Actor, source string, page int) ([]Payable, error) {
	where, args := "", []any{}
	switch {
	case a.Hospital() != 0:
		where, args = ` WHERE y.payee_kind = 'hospital' AND y.payee_ref = $1`, []any{a.Hospital()}
	case a.In(access.Injury):
		if source != "" {
			where, args = ` WHERE y.source = $1`, []any{source}
		}
	default:
		return nil, errs.Forbid()
	}
	page = max(page, 1)
	args = append(args, PageSize, (page-1)*PageSize)
	var out []Payable
	var refs []int64
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var p Payable
		var idNo string
		var payeeRef int64
		if err := r.Scan(&p.Key, &p.Benefit, &p.Source, &idNo, &p.PayeeKind, &p.PayeeName, &p.Period, &p.Amount,
			&p.Status, &p.CreatedAt, &payeeRef); err != nil {
			return err
		}
		p.Worker, p.BenefitName = ident.MaskID(idNo), ItemKindName(p.Benefit)
		if p.PayeeKind == PayeeWorker {
			p.PayeeName = ident.MaskName(p.PayeeName)
		}
		out = append(out, p)
		refs = append(refs, payeeRef)
		return nil
	}, `SELECT y.business_key, y.benefit, y.source, p.id_number, y.payee_kind,
		y.payee_name, y.period, y.amount_fen, y.status, y.created_at, y.payee_ref FROM injury_payables y JOIN persons p ON p.id = y.person_id`+
		where+` ORDER BY y.id DESC LIMIT `+placeholder(len(args)-1)+` OFFSET `+placeholder(len(args)), args...)
	if err != nil {
		return nil, errs.Wrap(err, "payables")
	}
	if st, ok := s.payouts.(interface {
		Status(context.Context, PayLine) string
	}); ok {
		for i := range out {
			p := &out[i]
			out[i].PayoutState = st.Status(ctx, PayLine{Key: p.Key, Benefit: p.Benefit, Source: p.Source, PayeeKind: p.PayeeKind,
				PayeeRef: refs[i], Period: p.Period, Part: partOfKey(p.Key)})
		}
	}
	return out, nil
}

// partOfKey is the payout part of a claim item's key
// ("injury:claim:<id>:item:<line>[:<month>]" → "item-<line>").
func partOfKey(key string) string {
	f := strings.Split(key, ":")
	if len(f) >= 5 && f[1] == "claim" && f[3] == "item" {
		return "item-" + f[4]
	}
	return ""
}

func placeholder(n int) string { return "$" + itoa(n) }

// clientName is the name the actor's hospital was registered with (its
// full name), for pages and payout lines.
func (s *Service) clientName(ctx context.Context, a *access.Actor) string {
	var name string
	if err := s.db.Read().QueryRowContext(ctx, `SELECT name FROM api_clients WHERE user_id = $1`, a.Hospital()).Scan(&name); err != nil {
		return "医院"
	}
	return name
}
