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
	gen    int                    // bumped by clear: a load begun before an edit is not kept
}

// clear drops the list after an edit.
func (c *coveredList) clear() {
	c.mu.Lock()
	c.spans = nil
	c.gen++
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
	spans, loaded, gen := c.spans, c.loaded, c.gen
	c.mu.Unlock()
	if spans != nil && now.Sub(loaded) < coveredTTL && !now.Before(loaded) {
		return spans, nil
	}
	// The list is read without holding the mutex: q may be a transaction
	// holding the only write connection while another caller waits, and a
	// caller holding the mutex while it waits for a connection would
	// deadlock with it.
	spans, err := loadCovered(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.spans, c.loaded = spans, now
	}
	c.mu.Unlock()
	return spans, nil
}

func loadCovered(ctx context.Context, q db.Querier) (map[string][][2]string, error) {
	spans := map[string][][2]string{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var code, from, to string
		if err := r.Scan(&code, &from, &to); err != nil {
			return err
		}
		spans[code] = append(spans[code], [2]string{from, to})
		return nil
	}, `SELECT code, valid_from, valid_to FROM injury_covid_items`)
	if err != nil {
		return nil, errs.Wrap(err, "covered items")
	}
	return spans, nil
}
