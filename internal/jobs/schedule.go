// Package jobs runs scheduled jobs (purging expired sessions, verifying the
// audit chain …) so that several servers sharing one database run each job
// once per time slot: a server runs a job only after it has inserted the
// (job, slot) row into job_runs, and the database lets exactly one insert
// win.
package jobs

import (
	"fmt"
	"time"

	"shebao/internal/clock"
)

// Schedule says which time slot an instant belongs to and whether the job
// is due in it yet.
type Schedule interface {
	// Slot returns the name of the slot containing t and whether the job is
	// due in it at t.
	Slot(t time.Time) (slot string, due bool)
	// String describes the schedule for logs and pages.
	String() string
}

// Hourly runs once an hour, at minute past the hour (Shanghai time).
func Hourly(minute int) Schedule { return hourly{minute: minute % 60} }

type hourly struct{ minute int }

func (h hourly) Slot(t time.Time) (string, bool) {
	s := t.In(clock.Shanghai)
	return s.Format("2006-01-02T15"), s.Minute() >= h.minute
}

func (h hourly) String() string { return fmt.Sprintf("每小时 %02d 分", h.minute) }

// Daily runs once a day at hour:minute Shanghai time. A server that starts
// after that time the same day runs the day's slot at once, so a slot missed
// while every server was down is caught up the same day.
func Daily(hour, minute int) Schedule { return daily{hour: hour % 24, minute: minute % 60} }

type daily struct{ hour, minute int }

func (d daily) Slot(t time.Time) (string, bool) {
	s := t.In(clock.Shanghai)
	return s.Format("2006-01-02"), s.Hour()*60+s.Minute() >= d.hour*60+d.minute
}

func (d daily) String() string { return fmt.Sprintf("每天 %02d:%02d", d.hour, d.minute) }

// Every runs once in each period d (slots are UTC instants truncated to a
// multiple of d, so every server agrees on them); d is at least a second.
// Periods that divide a day evenly start at midnight UTC.
func Every(d time.Duration) Schedule {
	if d < time.Second {
		d = time.Second
	}
	return every{d: d}
}

type every struct{ d time.Duration }

func (e every) Slot(t time.Time) (string, bool) {
	return t.UTC().Truncate(e.d).Format("2006-01-02T15:04:05Z"), true
}

func (e every) String() string { return "每 " + e.d.String() }

// PerKey runs s's slots separately for each key (e.g. a program's source
// version): a new key is due again at once, even in a slot already run.
func PerKey(key string, s Schedule) Schedule { return perKey{key: key, s: s} }

type perKey struct {
	key string
	s   Schedule
}

func (p perKey) Slot(t time.Time) (string, bool) {
	slot, due := p.s.Slot(t)
	return p.key + "/" + slot, due
}

func (p perKey) String() string { return p.s.String() }
