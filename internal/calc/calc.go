// Package calc is the public benefit calculators (养老金测算 and the
// others): each calculator names its fields, fills what the caller left
// out from the dated rules in force, calls the formula of the domain
// package that owns the amount (pension, personalaccount, transfer,
// injury, contribution, flexible, payment) and returns the amounts with
// the steps and parameters that produced them. Nothing here computes an
// amount itself.
package calc

import (
	"context"
	"sync"
	"time"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// Calculator is one public calculator.
type Calculator struct {
	Name   string // in the API path: /api/v1/calc/{name}
	Title  string
	Intro  string
	Fields []Field
	run    func(ctx context.Context, s *Service, v Values) (*Result, error)
}

// Output is one computed value.
type Output struct {
	Key   string // JSON name
	Label string // Chinese
	Value any    // JSON value (fen as integers, ratios as strings)
	Text  string // as shown on the page
}

// Result is a calculator's answer.
type Result struct {
	Name    string
	Title   string
	Outputs []Output
	Extra   map[string]any // further JSON-only values (lists)
	formula.Trace
}

func (r *Result) out(key, label string, value any, text string) {
	r.Outputs = append(r.Outputs, Output{Key: key, Label: label, Value: value, Text: text})
}

// money adds an amount: integer fen in JSON, 元 on the page.
func (r *Result) money(key, label string, f money.Fen) { r.out(key, label, int64(f), formula.Yuan(f)) }

// JSON is the API answer: every output by key, plus steps and params.
func (r *Result) JSON() map[string]any {
	m := map[string]any{"calculator": r.Name, "steps": r.Steps, "params": r.Params}
	if r.Steps == nil {
		m["steps"] = []formula.Step{}
	}
	if r.Params == nil {
		m["params"] = []formula.Param{}
	}
	for _, o := range r.Outputs {
		m[o.Key] = o.Value
	}
	for k, v := range r.Extra {
		m[k] = v
	}
	return m
}

// Service runs the calculators.
type Service struct {
	pol   *policy.Service
	clock clock.Clock
	lim   *limiter
}

// NewService returns the calculators, reading rules from pol. Each client
// may make burst requests at once and rate a second after that.
func NewService(pol *policy.Service, c clock.Clock, burst int, rate float64) *Service {
	return &Service{pol: pol, clock: c, lim: newLimiter(burst, rate)}
}

// All lists the calculators in display order.
func (s *Service) All() []*Calculator { return calculators }

// Get returns the calculator called name, or NotFound.
func (s *Service) Get(name string) (*Calculator, error) {
	for _, c := range calculators {
		if c.Name == name {
			return c, nil
		}
	}
	return nil, errs.NotFoundf("没有名为“%s”的测算工具", name)
}

// Allow reports whether client may make another request now; it returns a
// TooMany error when it may not.
func (s *Service) Allow(client string) error {
	if !s.lim.allow(client, time.Now()) {
		return errs.New(errs.TooMany, "calc_rate_limited", "测算请求过于频繁，请稍后再试")
	}
	return nil
}

// Run computes calculator c on vals.
func (s *Service) Run(ctx context.Context, c *Calculator, vals Values) (*Result, error) {
	r, err := c.run(ctx, s, vals)
	if err != nil {
		return nil, err
	}
	r.Name, r.Title = c.Name, c.Title
	return r, nil
}

func (s *Service) today() time.Time { return clock.Today(s.clock) }

// limiter is a token bucket per client, kept in memory: a public
// calculator needs no shared state across servers, and the buckets are
// swept when full.
type limiter struct {
	mu      sync.Mutex
	burst   float64
	rate    float64
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(burst int, rate float64) *limiter {
	return &limiter{burst: float64(burst), rate: rate, buckets: map[string]*bucket{}}
}

func (l *limiter) allow(client string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	b, ok := l.buckets[client]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[client] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep forgets clients whose bucket has refilled.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}

// SetLimit changes the per-client limit (benchmarks and load tests that
// send from one address).
func (s *Service) SetLimit(burst int, rate float64) { s.lim = newLimiter(burst, rate) }
