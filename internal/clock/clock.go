// Package clock provides the injected time source used by every deadline
// rule, so that tests and the demo can live on a chosen date.
package clock

import (
	"sync"
	"time"
)

// Shanghai is the agency's time zone; all times on screen are shown in it.
var Shanghai = mustLoad()

func mustLoad() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// tzdata may be missing on minimal systems; China has had no DST since 1991.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the real clock.
type System struct{}

// Now returns the current time in UTC.
func (System) Now() time.Time { return time.Now().UTC() }

// Offset is a clock that starts at a chosen instant and then runs forward
// with real time (used by --now for the demo).
type Offset struct{ d time.Duration }

// NewOffset returns a clock whose Now() is start at the moment of the call.
func NewOffset(start time.Time) *Offset { return &Offset{d: time.Until(start)} }

// Now returns the shifted time in UTC.
func (o *Offset) Now() time.Time { return time.Now().Add(o.d).UTC() }

// Fixed is a manual clock for tests.
type Fixed struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixed returns a clock stopped at t.
func NewFixed(t time.Time) *Fixed { return &Fixed{t: t.UTC()} }

// Now returns the stopped time.
func (f *Fixed) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }

// Set moves the clock to t.
func (f *Fixed) Set(t time.Time) { f.mu.Lock(); f.t = t.UTC(); f.mu.Unlock() }

// Advance moves the clock forward by d.
func (f *Fixed) Advance(d time.Duration) { f.mu.Lock(); f.t = f.t.Add(d); f.mu.Unlock() }

// Today returns the calendar date of t in Shanghai as midnight UTC-free Date.
func Today(c Clock) time.Time { return DateOf(c.Now()) }

// DateOf returns the Shanghai calendar date of t, as midnight in Shanghai.
func DateOf(t time.Time) time.Time {
	s := t.In(Shanghai)
	return time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, Shanghai)
}

// DateText is how pages, letters' lines and messages show a calendar day:
// YYYY-MM-DD of t in Shanghai ("" for the zero time), the same as the
// templates' date function. Months are shown in Chinese (Month.Chinese).
func DateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Shanghai).Format(time.DateOnly)
}

// ParseDate parses YYYY-MM-DD as a Shanghai calendar date.
func ParseDate(s string) (time.Time, error) { return time.ParseInLocation("2006-01-02", s, Shanghai) }

// ParseWhen parses a --now value: a date (YYYY-MM-DD, taken as 09:00 Shanghai)
// or an RFC 3339 instant.
func ParseWhen(s string) (time.Time, error) {
	if d, err := ParseDate(s); err == nil {
		return d.Add(9 * time.Hour), nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, Shanghai); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
