package policy

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
)

//go:embed rules/*.json
var rulesFS embed.FS

// RulesFile is a versioned set of rule values and calendar days shipped
// with Shebao. A newer file holds the whole set, not a diff.
type RulesFile struct {
	Version  int64        `json:"version"`
	Title    string       `json:"title"`
	Rules    []RuleInput  `json:"rules"`
	Calendar []HolidayRun `json:"calendar"`
}

// HolidayRun is one announced holiday: the days off (a range) and the
// weekend days worked in lieu.
type HolidayRun struct {
	Name       string   `json:"name"`
	LegalBasis string   `json:"legal_basis"`
	OffFrom    string   `json:"off_from"`
	OffTo      string   `json:"off_to"`
	Workdays   []string `json:"workdays,omitempty"`
}

// days expands the run into calendar days.
func (h HolidayRun) days() ([]CalendarDay, error) {
	from, err1 := ParseDay(h.OffFrom)
	to, err2 := ParseDay(h.OffTo)
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from).Hours() > 24*31 {
		return nil, fmt.Errorf("holiday %s: bad range %s..%s", h.Name, h.OffFrom, h.OffTo)
	}
	var out []CalendarDay
	for t := from; !t.After(to); t = t.AddDate(0, 0, 1) {
		out = append(out, CalendarDay{Day: t.Format(dayLayout), Kind: DayHoliday, Name: h.Name, LegalBasis: h.LegalBasis})
	}
	for _, w := range h.Workdays {
		if _, err := ParseDay(w); err != nil {
			return nil, fmt.Errorf("holiday %s: bad workday %s", h.Name, w)
		}
		out = append(out, CalendarDay{Day: w, Kind: DayWorkday, Name: h.Name + "调休上班", LegalBasis: h.LegalBasis})
	}
	return out, nil
}

// ParseDay parses 'YYYY-MM-DD' as a Shanghai date. Errors: Invalid.
func ParseDay(s string) (t time.Time, err error) {
	var f errs.Fields
	d := checkDay(&f, "day", "日期", s, true)
	if err := f.Err(); err != nil {
		return t, errs.New(errs.Invalid, "bad_date", f[0].Message)
	}
	return dayTime(d), nil
}

// EmbeddedFiles returns the rules files shipped in the binary, oldest first.
func EmbeddedFiles() ([]RulesFile, error) {
	names, err := fs.Glob(rulesFS, "rules/*.json")
	if err != nil {
		return nil, err
	}
	var out []RulesFile
	for _, n := range names {
		b, err := rulesFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var f RulesFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// ImportReport says what an import changed.
type ImportReport struct {
	Version     int64
	Added       int
	Updated     int
	Unchanged   int
	DaysAdded   int
	DaysUpdated int
	Skipped     bool // the database already had this or a newer version
}

// LoadFile imports the embedded rules file of the given version (0 = the
// newest) — administrators only. It is idempotent: a value already stored
// for the same key, scope and start date is left alone when it matches and
// corrected when the file differs, so re-running adds nothing and a newer
// file adds what changed. Errors: Forbidden, NotFound (no such version),
// Conflict (the file overlaps an administrator's value).
func (s *Service) LoadFile(ctx context.Context, a *access.Actor, version int64) (ImportReport, error) {
	if err := a.RequireAdmin(); err != nil {
		return ImportReport{}, err
	}
	files, err := EmbeddedFiles()
	if err != nil {
		return ImportReport{}, errs.Wrap(err, "rules files")
	}
	for i := len(files) - 1; i >= 0; i-- {
		if version == 0 || files[i].Version == version {
			return s.Import(ctx, a, files[i], false)
		}
	}
	return ImportReport{}, errs.NotFoundf("没有版本为 %d 的政策参数文件", version)
}

// SeedDefaults imports the newest embedded rules file unless the database
// already has it or a newer one: on an existing database it costs one
// query. Several servers starting at once import it once.
func (s *Service) SeedDefaults(ctx context.Context) error {
	files, err := EmbeddedFiles()
	if err != nil || len(files) == 0 {
		return fmt.Errorf("rules files: %v", err)
	}
	newest := files[len(files)-1]
	var have int64
	if err := s.db.Read().QueryRowContext(ctx, `SELECT file_version FROM policy_state WHERE id = 1`).Scan(&have); err != nil {
		return errs.Wrap(err, "policy file version")
	}
	if have >= newest.Version {
		return nil
	}
	_, err = s.Import(ctx, access.System, newest, true)
	return err
}

// Import stores the values and calendar days of f in one transaction. With
// onlyIfNewer it does nothing when the database already has version
// f.Version or newer. Errors: Forbidden, Invalid (a bad entry), Conflict.
func (s *Service) Import(ctx context.Context, a *access.Actor, f RulesFile, onlyIfNewer bool) (ImportReport, error) {
	if err := a.RequireAdmin(); err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Version: f.Version}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		rep = ImportReport{Version: f.Version}
		if err := bumpRevision(ctx, tx); err != nil {
			return err
		}
		var have int64
		if err := tx.QueryRowContext(ctx, `SELECT file_version FROM policy_state WHERE id = 1`).Scan(&have); err != nil {
			return errs.Wrap(err, "policy file version")
		}
		if onlyIfNewer && have >= f.Version {
			rep.Skipped = true
			return nil
		}
		if err := s.importRules(ctx, tx, a, f, &rep); err != nil {
			return err
		}
		if err := importCalendar(ctx, tx, a, s.clock.Now(), f, &rep); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE policy_state SET file_version = $1 WHERE id = 1 AND file_version < $1`, f.Version); err != nil {
			return errs.Wrap(err, "policy file version")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "policy.rules.import", Entity: "rules_file",
			EntityID: strconv.FormatInt(f.Version, 10), After: rep, Note: f.Title})
	})
	if err != nil {
		return ImportReport{}, err
	}
	s.changed(ctx)
	return rep, nil
}

func (s *Service) importRules(ctx context.Context, tx *sql.Tx, a *access.Actor, f RulesFile, rep *ImportReport) error {
	rules := make([]Rule, 0, len(f.Rules))
	for i, in := range f.Rules {
		r, err := in.rule()
		if err != nil {
			return fileEntryError(i, in, err)
		}
		rules = append(rules, r)
	}
	sort.SliceStable(rules, func(i, j int) bool {
		a, b := rules[i], rules[j]
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if a.Scope != b.Scope {
			return a.Scope < b.Scope
		}
		return a.FromDay() < b.FromDay()
	})
	for _, r := range rules {
		if err := s.importRule(ctx, tx, a, r, rep); err != nil {
			return fmt.Errorf("rules file %d, %s/%s from %s: %w", f.Version, r.Key, r.Scope, r.FromDay(), err)
		}
	}
	return nil
}

// importRule adds r, or corrects the stored value with the same key, scope
// and start when the file differs from it.
func (s *Service) importRule(ctx context.Context, tx *sql.Tx, a *access.Actor, r Rule, rep *ImportReport) error {
	existing, err := rulesOf(ctx, tx, r.Key, r.Scope)
	if err != nil {
		return err
	}
	for _, e := range existing {
		if e.FromDay() != r.FromDay() {
			continue
		}
		if r.To == nil && e.To != nil { // closed since by a newer value: keep the end
			r.setPeriod(r.FromDay(), &e.to)
		}
		if e.Value == r.Value && e.Unit == r.Unit && e.LegalBasis == r.LegalBasis && e.Note == r.Note && e.ToDay() == r.ToDay() {
			rep.Unchanged++
			return nil
		}
		r.ID, r.CreatedBy, r.CreatedAt = e.ID, e.CreatedBy, e.CreatedAt
		if _, err := place(existing, r); err != nil {
			return err
		}
		if err := updateRule(ctx, tx, &r, e.Version); err != nil {
			return err
		}
		rep.Updated++
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "policy.rule.update", Entity: "rule_value",
			EntityID: strconv.FormatInt(e.ID, 10), Before: auditOf(e), After: auditOf(r), Note: "政策参数文件更新"})
	}
	rep.Added++
	return s.addRuleTx(ctx, tx, a, &r, false)
}

func fileEntryError(i int, in RuleInput, err error) error {
	msg := fmt.Sprintf("政策参数文件第 %d 条（%s %s）有误", i+1, in.Key, in.From)
	if e := errs.As(err); e != nil {
		for _, fe := range e.Fields {
			msg += "；" + fe.Field + "：" + fe.Message
		}
	}
	return errs.New(errs.Invalid, "bad_rules_file", msg)
}

// importCalendar adds the file's days that are missing or differ.
func importCalendar(ctx context.Context, tx *sql.Tx, a *access.Actor, now time.Time, f RulesFile, rep *ImportReport) error {
	have, err := queryCalendar(ctx, tx, "")
	if err != nil {
		return err
	}
	byDay := map[string]CalendarDay{}
	for _, c := range have {
		byDay[c.Day] = c
	}
	for _, h := range f.Calendar {
		days, err := h.days()
		if err != nil {
			return errs.New(errs.Invalid, "bad_rules_file", "政策参数文件的节假日有误："+err.Error())
		}
		for _, c := range days {
			old, ok := byDay[c.Day]
			if ok && old.Kind == c.Kind && old.Name == c.Name && old.LegalBasis == c.LegalBasis {
				continue
			}
			c.CreatedBy, c.CreatedAt = a.Name(), now
			if err := upsertDay(ctx, tx, c); err != nil {
				return err
			}
			byDay[c.Day] = c
			if ok {
				rep.DaysUpdated++
			} else {
				rep.DaysAdded++
			}
		}
	}
	return nil
}
