package payment

import (
	"context"
	"strings"
	"sync"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// ReceiptCheck is what the public check page shows of a receipt: masked
// payer, period, date and amount.
type ReceiptCheck struct {
	Code     string    `json:"code"`
	Payer    string    `json:"payer"` // masked
	FeeMonth string    `json:"fee_month"`
	PaidOn   string    `json:"paid_on"`
	Total    money.Fen `json:"total_fen"`
	Issuer   string    `json:"issuer"`
}

// Check limits: per client address, checkLimit checks per checkWindow.
const (
	checkLimit  = 30
	checkWindow = 10 * time.Minute
)

// checkLimiter counts recent checks per client address.
type checkLimiter struct {
	mu   sync.Mutex
	seen map[string][]time.Time
}

func (l *checkLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil || len(l.seen) > 10_000 {
		l.seen = map[string][]time.Time{}
	}
	recent := l.seen[ip][:0]
	for _, t := range l.seen[ip] {
		if now.Sub(t) < checkWindow {
			recent = append(recent, t)
		}
	}
	if len(recent) >= checkLimit {
		l.seen[ip] = recent
		return false
	}
	l.seen[ip] = append(recent, now)
	return true
}

// normalizeCode uppercases a code and drops spaces and dashes.
func normalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
}

// CheckReceipt looks a receipt up by its verification code for anyone,
// at most 30 times per 10 minutes per client address. Errors: Invalid
// (malformed code), TooMany, NotFound.
// The rule: docs/rules.md §10.
func (s *Service) CheckReceipt(ctx context.Context, ip, code string) (*ReceiptCheck, error) {
	code = normalizeCode(code)
	if len(code) != 16 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		return nil, errs.New(errs.Invalid, "bad_code", "验证码应为收据上的 16 位字母和数字")
	}
	if !s.checks.allow(ip, s.clock.Now()) {
		return nil, errs.New(errs.TooMany, "too_many_checks", "核验过于频繁：每个网络地址 10 分钟内最多核验 30 次，请稍后再试")
	}
	c := &ReceiptCheck{Code: code, Issuer: "社会保险经办机构基金管理科"}
	var emp, person int64
	var applied, fee int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT COALESCE(p.employer_id, 0), COALESCE(p.person_id, 0), COALESCE(b.fee_month, ''),
		p.paid_on, p.applied_fen, p.late_fee_fen FROM payments p LEFT JOIN bills b ON b.id = p.bill_id WHERE p.receipt_code = $1`, code).
		Scan(&emp, &person, &c.FeeMonth, &c.PaidOn, &applied, &fee)
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有找到该验证码对应的收据，请核对后重试")
	}
	if err != nil {
		return nil, errs.Wrap(err, "check receipt")
	}
	c.Total = money.Fen(applied + fee)
	var name string
	if emp != 0 {
		_ = s.db.Read().QueryRowContext(ctx, `SELECT name FROM employers WHERE id = $1`, emp).Scan(&name)
		c.Payer = maskOrg(name)
	} else if person != 0 {
		_ = s.db.Read().QueryRowContext(ctx, `SELECT name FROM persons WHERE id = $1`, person).Scan(&name)
		c.Payer = ident.MaskName(name)
	}
	return c, nil
}

// maskOrg keeps the first two and last two characters of an employer's
// name: "北京***公司".
func maskOrg(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return string(r[:min(1, len(r))]) + "***"
	}
	return string(r[:2]) + "***" + string(r[len(r)-2:])
}
