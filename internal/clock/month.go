package clock

import (
	"fmt"
	"time"
)

// Month is a calendar month (a fee month, a birth month, a retirement
// month). Parse it once at the edge with ParseMonth; the zero value is not
// a valid month.
type Month struct {
	Year int
	Mon  time.Month
}

// ParseMonth parses "YYYY-MM". It returns an error for anything else,
// including months outside 1900-01 … 2199-12.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 || t.Year() < 1900 || t.Year() > 2199 {
		return Month{}, fmt.Errorf("bad month %q", s)
	}
	return Month{t.Year(), t.Month()}, nil
}

// MonthOf returns the Shanghai calendar month of t.
func MonthOf(t time.Time) Month {
	s := t.In(Shanghai)
	return Month{s.Year(), s.Month()}
}

// Index counts months from year 0, so that differences are month counts.
func (m Month) Index() int { return m.Year*12 + int(m.Mon) - 1 }

// FromIndex is the inverse of Index.
func FromIndex(i int) Month { return Month{i / 12, time.Month(i%12 + 1)} }

// Add returns the month n months later (earlier for negative n).
func (m Month) Add(n int) Month { return FromIndex(m.Index() + n) }

// Sub returns the number of months from o to m.
func (m Month) Sub(o Month) int { return m.Index() - o.Index() }

// Before reports whether m is earlier than o.
func (m Month) Before(o Month) bool { return m.Index() < o.Index() }

// IsZero reports whether m is the zero value.
func (m Month) IsZero() bool { return m.Year == 0 && m.Mon == 0 }

// String formats m as "YYYY-MM".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Mon)) }

// Chinese formats m as "2026年7月".
func (m Month) Chinese() string { return fmt.Sprintf("%d年%d月", m.Year, int(m.Mon)) }

// First returns the first day of m in Shanghai.
func (m Month) First() time.Time { return time.Date(m.Year, m.Mon, 1, 0, 0, 0, 0, Shanghai) }
