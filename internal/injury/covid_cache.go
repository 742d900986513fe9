package injury

import (
	"context"
	"sync"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// coveredTTL is how long the covered list is kept in memory: an edit on
// this server clears it at once; one made on another server is seen
// within this time.
const coveredTTL = 30 * time.Second

// coveredList keeps the dated COVID covered list in memory, so a
// settlement of many items looks none of them up (the list is small and
// read on every settlement).
type coveredList struct {
	mu     sync.Mutex
	loaded time.Time
	spans  map[string][][2]string // code → [from, to] periods (to "" = open)
}

// clear drops the list after an edit.
func (c *coveredList) clear() {
	c.mu.Lock()
	c.spans = nil
	c.mu.Unlock()
}

// covered returns which of codes are covered on day.
func (c *coveredList) covered(ctx context.Context, q db.Querier, clk clock.Clock, codes []string, day string) (map[string]bool, error) {
	spans, err := c.current(ctx, q, clk)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(codes))
	for _, code := range codes {
		for _, s := range spans[code] {
			if s[0] <= day && (s[1] == "" || s[1] >= day) {
				out[code] = true
				break
			}
		}
	}
	return out, nil
}

func (c *coveredList) current(ctx context.Context, q db.Querier, clk clock.Clock) (map[string][][2]string, error) {
	now := clk.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spans != nil && now.Sub(c.loaded) < coveredTTL && !now.Before(c.loaded) {
		return c.spans, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT code, valid_from, valid_to FROM injury_covid_items`)
	if err != nil {
		return nil, errs.Wrap(err, "covered items")
	}
	defer rows.Close()
	spans := map[string][][2]string{}
	for rows.Next() {
		var code, from, to string
		if err := rows.Scan(&code, &from, &to); err != nil {
			return nil, errs.Wrap(err, "covered items")
		}
		spans[code] = append(spans[code], [2]string{from, to})
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "covered items")
	}
	c.spans, c.loaded = spans, now
	return spans, nil
}
