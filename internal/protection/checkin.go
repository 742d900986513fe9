package protection

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/notify"
)

// CheckInInput is a clerk's daily health check-in. ForUser is whom the
// form says it is for: 0 or the clerk himself (anyone else is refused).
type CheckInInput struct {
	ForUser     int64
	Temperature string // "36.5"
	Symptoms    []string
}

// CheckIn is one day's check-in of a clerk.
type CheckIn struct {
	UserID      int64
	Username    string
	DisplayName string
	Sections    []access.Section
	Day         string
	Tenths      int
	Symptoms    []string
	Fit         bool
	RecordedAt  time.Time
	Version     int64
	// Notified lists who heard that the clerk stays home (set by Record).
	Notified []string
}

// Temperature is the temperature as "37.3".
func (c CheckIn) Temperature() string { return FormatTenths(c.Tenths) }

// SymptomNames is the symptoms in Chinese ("无" when none).
func (c CheckIn) SymptomNames() string {
	if len(c.Symptoms) == 0 {
		return "无"
	}
	names := make([]string, len(c.Symptoms))
	for i, s := range c.Symptoms {
		names[i] = SymptomName(s)
	}
	return strings.Join(names, "、")
}

// Fails reports whether a temperature and symptoms fail a check-in.
func Fails(tenths int, symptoms []string) bool { return tenths >= FeverTenths || len(symptoms) > 0 }

func (in CheckInInput) validate() (int, []string, error) {
	var f errs.Fields
	t, ok := ParseTenths(in.Temperature)
	if !ok || t < 340 || t > 430 {
		f.Add("temperature", "请填写今天的体温，如 36.5（34.0 至 43.0 摄氏度，保留一位小数）")
	}
	syms, ok := symptomList(in.Symptoms)
	if !ok {
		f.Add("symptoms", "请从列出的症状中勾选")
	}
	return t, syms, f.Err()
}

// Record stores the signed-in clerk's check-in for today (a second one
// the same day corrects the first). A failed check-in tells the clerk to
// stay home and notifies the head of each of his sections (办公室 when a
// section has no head) in the same transaction.
// Errors: Unauthenticated, Forbidden (not staff; own_entry_only), Invalid.
func (s *Service) Record(ctx context.Context, a *access.Actor, in CheckInInput) (*CheckIn, error) {
	if err := requireClerk(a, in.ForUser); err != nil {
		return nil, err
	}
	tenths, syms, err := in.validate()
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	c := &CheckIn{UserID: a.UserID, Username: a.Username, Sections: a.Sections, Day: s.today(), Tenths: tenths,
		Symptoms: syms, Fit: !Fails(tenths, syms), RecordedAt: now}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		before, err := checkInOf(ctx, tx, a.UserID, c.Day)
		if err != nil {
			return err
		}
		if err := upsertCheckIn(ctx, tx, c, before); err != nil {
			return err
		}
		if !c.Fit && (before == nil || before.Fit) {
			if c.Notified, err = s.notifyHeads(ctx, tx, a); err != nil {
				return err
			}
		}
		// The audit trail says that a check-in was made, never the health data.
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "health.checkin", Entity: "health_checkins",
			EntityID: a.Username + "/" + c.Day, After: map[string]any{"stay_home": !c.Fit}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func upsertCheckIn(ctx context.Context, tx *sql.Tx, c *CheckIn, before *CheckIn) error {
	if before != nil {
		c.Version = before.Version + 1
		_, err := tx.ExecContext(ctx, `UPDATE health_checkins SET temperature_tenths = $1, symptoms = $2, fit = $3,
			recorded_at = $4, version = version + 1 WHERE user_id = $5 AND day = $6`,
			c.Tenths, strings.Join(c.Symptoms, ","), c.Fit, c.RecordedAt, c.UserID, c.Day)
		return errs.Wrap(err, "update check-in")
	}
	c.Version = 1
	_, err := tx.ExecContext(ctx, `INSERT INTO health_checkins (user_id, day, temperature_tenths, symptoms, fit, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, c.UserID, c.Day, c.Tenths, strings.Join(c.Symptoms, ","), c.Fit, c.RecordedAt)
	return errs.Wrap(err, "insert check-in")
}

// notifyHeads tells the heads of the clerk's sections that he stays home;
// a section without a head is told through 办公室. Returns who was told.
func (s *Service) notifyHeads(ctx context.Context, tx *sql.Tx, a *access.Actor) ([]string, error) {
	name := displayName(ctx, tx, a)
	msg := notify.Message{Kind: "health.stay_home", Subject: "工作人员居家休息：" + name,
		Body: name + " 今日健康打卡未通过，已告知其居家休息、暂不到岗，请安排好替岗。具体情况由办公室掌握。"}
	sent := map[int64]bool{a.UserID: true}
	var told []string
	for _, sec := range a.Sections {
		ids, err := s.holders.Holders(ctx, tx, account.PostSectionHead, sec)
		if err != nil {
			return nil, err
		}
		who := sec.Name() + "负责人"
		if len(ids) == 0 {
			if ids, err = officeUsers(ctx, tx); err != nil {
				return nil, err
			}
			who = access.Office.Name() + "（" + sec.Name() + "负责人无人担任）"
		}
		n := 0
		for _, id := range ids {
			if sent[id] {
				continue
			}
			sent[id] = true
			n++
			if err := s.notifier.NotifyTx(ctx, tx, notify.Recipient{UserID: id}, msg); err != nil {
				return nil, err
			}
		}
		if n > 0 {
			told = append(told, who)
		}
	}
	return told, nil
}

func displayName(ctx context.Context, q db.Querier, a *access.Actor) string {
	var name string
	if err := q.QueryRowContext(ctx, `SELECT display_name FROM users WHERE id = $1`, a.UserID).Scan(&name); err != nil || name == "" {
		return a.Username
	}
	return name
}

func officeUsers(ctx context.Context, q db.Querier) ([]int64, error) {
	ids, err := db.Collect(ctx, q, db.Scalar[int64], `SELECT u.id FROM users u JOIN user_sections us ON us.user_id = u.id
		WHERE us.section = $1 AND u.role = 'staff' AND NOT u.disabled ORDER BY u.id`, string(access.Office))
	return ids, errs.Wrap(err, "office users")
}

const checkInCols = `c.user_id, u.username, u.display_name, c.day, c.temperature_tenths, c.symptoms, c.fit, c.recorded_at, c.version`

func scanCheckIn(row interface{ Scan(...any) error }) (*CheckIn, error) {
	var c CheckIn
	var syms string
	if err := row.Scan(&c.UserID, &c.Username, &c.DisplayName, &c.Day, &c.Tenths, &syms, &c.Fit, &c.RecordedAt, &c.Version); err != nil {
		return nil, err
	}
	if syms != "" {
		c.Symptoms = strings.Split(syms, ",")
	}
	c.RecordedAt = c.RecordedAt.UTC()
	return &c, nil
}

func checkInOf(ctx context.Context, q db.Querier, userID int64, day string) (*CheckIn, error) {
	c, err := scanCheckIn(q.QueryRowContext(ctx, `SELECT `+checkInCols+` FROM health_checkins c JOIN users u ON u.id = c.user_id
		WHERE c.user_id = $1 AND c.day = $2`, userID, day))
	if db.IsNoRows(err) {
		return nil, nil
	}
	return c, errs.Wrap(err, "check-in")
}

// Mine returns the signed-in clerk's check-in of today (nil when none yet).
func (s *Service) Mine(ctx context.Context, a *access.Actor) (*CheckIn, error) {
	if err := requireClerk(a, 0); err != nil {
		return nil, err
	}
	return checkInOf(ctx, s.db.Read(), a.UserID, s.today())
}

// DayView is 办公室's view of one day: every check-in and the staff who
// have not checked in.
type DayView struct {
	Day       string
	CheckIns  []CheckIn
	StayHome  int
	Missing   []CheckIn // staff without a check-in (UserID, names, sections)
	Cutoff    string    // data before this day has been deleted
	Retention int
}

// Day lists a day's check-ins (办公室 only). Errors: Unauthenticated,
// Forbidden, Invalid (date).
func (s *Service) Day(ctx context.Context, a *access.Actor, day string) (*DayView, error) {
	if err := CanReadHealth(a); err != nil {
		return nil, err
	}
	if day == "" {
		day = s.today()
	}
	if _, err := time.Parse("2006-01-02", day); err != nil {
		var f errs.Fields
		f.Add("date", "请填写日期，如 2026-03-01")
		return nil, f.Err()
	}
	v := &DayView{Day: day, Cutoff: s.Cutoff(s.clock.Now()), Retention: s.retention}
	q := s.db.Read()
	err := db.Each(ctx, q, func(r db.Scanner) error {
		c, err := scanCheckIn(r)
		if err != nil {
			return err
		}
		if !c.Fit {
			v.StayHome++
		}
		v.CheckIns = append(v.CheckIns, *c)
		return nil
	}, `SELECT `+checkInCols+` FROM health_checkins c JOIN users u ON u.id = c.user_id
		WHERE c.day = $1 ORDER BY c.fit, u.username`, day)
	if err != nil {
		return nil, errs.Wrap(err, "check-ins")
	}
	if v.Missing, err = missing(ctx, q, day); err != nil {
		return nil, err
	}
	return v, s.sectionsOf(ctx, q, v)
}

// missing lists the enabled clerks (role staff) without a check-in that day.
func missing(ctx context.Context, q db.Querier, day string) ([]CheckIn, error) {
	out, err := db.Collect(ctx, q, db.Fields(func(c *CheckIn) []any { return []any{&c.UserID, &c.Username, &c.DisplayName} }), `SELECT u.id, u.username, u.display_name FROM users u
		WHERE u.role = 'staff' AND NOT u.disabled
		AND NOT EXISTS (SELECT 1 FROM health_checkins c WHERE c.user_id = u.id AND c.day = $1) ORDER BY u.username`, day)
	return out, errs.Wrap(err, "missing check-ins")
}

// sectionsOf fills the sections of every listed clerk.
func (s *Service) sectionsOf(ctx context.Context, q db.Querier, v *DayView) error {
	rows, err := q.QueryContext(ctx, `SELECT user_id, section FROM user_sections ORDER BY user_id, section`)
	if err != nil {
		return errs.Wrap(err, "sections")
	}
	defer rows.Close()
	secs := map[int64][]access.Section{}
	for rows.Next() {
		var id int64
		var sec string
		if err := rows.Scan(&id, &sec); err != nil {
			return errs.Wrap(err, "sections")
		}
		secs[id] = append(secs[id], access.Section(sec))
	}
	for i := range v.CheckIns {
		v.CheckIns[i].Sections = secs[v.CheckIns[i].UserID]
	}
	for i := range v.Missing {
		v.Missing[i].Sections = secs[v.Missing[i].UserID]
	}
	return errs.Wrap(rows.Err(), "sections")
}

// Purge deletes the check-ins of days before the retention cutoff.
// Returns the number deleted.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	cutoff := s.Cutoff(s.clock.Now())
	var n int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM health_checkins WHERE day < $1`, cutoff)
		if err != nil {
			return errs.Wrap(err, "purge check-ins")
		}
		if n, err = r.RowsAffected(); err != nil || n == 0 {
			return errs.Wrap(err, "purge check-ins")
		}
		return s.audit.Record(ctx, tx, access.System, audit.Entry{Action: "health.purge", Entity: "health_checkins",
			EntityID: cutoff, After: map[string]any{"deleted": n, "before": cutoff}})
	})
	return n, err
}
