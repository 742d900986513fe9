// Package sampling runs 审计科's monthly audit sampling (稽核): a random
// sample of each section's cases closed in a month, drawn at a
// configurable rate (at least one case per section that closed any) from
// a recorded seed, checked against the checklist, with findings and the
// required rectification followed until done; a false commitment found
// starts the fraud follow-up (docs/rules.md "Audit sampling").
package sampling

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"math"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// DefaultRatePPM is the default sampling rate: 5%.
const DefaultRatePPM = 50_000

// Checklist is what a checker confirms for each sampled case.
var Checklist = []struct{ Code, Name string }{
	{"complete", "材料齐全、与受理清单一致"},
	{"eligible", "符合办理条件，依据正确"},
	{"amount", "金额计算正确（无金额的业务视为符合）"},
	{"deadline", "在办理时限内办结"},
	{"signed", "审核、审批签字或电子确认齐全"},
	{"commitment", "告知承诺事项已核实属实（无承诺的视为符合）"},
}

// Item statuses.
const (
	Pending   = "pending"   // 待检查
	Passed    = "passed"    // 检查无问题
	Finding   = "finding"   // 发现问题，待整改
	Rectified = "rectified" // 已整改
)

var statusNames = map[string]string{Pending: "待检查", Passed: "检查无问题", Finding: "发现问题，待整改", Rectified: "已整改"}

// StatusName is the status in Chinese.
func StatusName(s string) string { return statusNames[s] }

// Sample is one section's draw of a month.
type Sample struct {
	ID         int64
	Month      string
	Section    access.Section
	RatePPM    int64
	Seed       int64
	Population int64
	DrawnBy    string
	DrawnAt    time.Time
	Items      []Item
}

// RateText is the rate as a percentage.
func (s Sample) RateText() string {
	return strconv.FormatFloat(float64(s.RatePPM)/10_000, 'f', -1, 64) + "%"
}

// Item is one sampled case.
type Item struct {
	ID, SampleID, CaseID   int64
	CaseNo, Status         string
	Checklist              string
	Finding, Rectification string
	FalseCommitment        bool
	CheckedBy, Rectified   string
	Version                int64
}

// StatusName is the item's status in Chinese.
func (it Item) StatusName() string { return StatusName(it.Status) }

// FraudFollowUp starts the fraud follow-up of a false commitment found in
// the case numbered caseNo, inside the check's transaction tx (the
// complaints line provides it: a fraud report waiting for 审计科's triage).
type FraudFollowUp func(ctx context.Context, tx *sql.Tx, a *access.Actor, caseNo, finding string) error

// Service runs the sampling.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service
	fraud FraudFollowUp
}

// NewService returns the sampling service; fraud starts the follow-up of a
// false commitment (nil: none is started).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, fraud FraudFollowUp) *Service {
	return &Service{db: d, clock: c, audit: a, fraud: fraud}
}

// May reports whether a runs the sampling: 审计科.
func May(a *access.Actor) error {
	if a == nil {
		return errs.LoginRequired()
	}
	return a.RequireSection(access.Audit)
}

// Pick returns k of the n ids chosen by seed and section: the same ids,
// seed and section always give the same sample. ids must be sorted.
func Pick(ids []int64, seed int64, section access.Section, k int) []int64 {
	var h uint64 = 1469598103934665603
	for _, c := range []byte(section) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	r := mrand.New(mrand.NewPCG(uint64(seed), h))
	perm := r.Perm(len(ids))
	out := make([]int64, 0, k)
	for _, i := range perm[:min(k, len(ids))] {
		out = append(out, ids[i])
	}
	slices.Sort(out)
	return out
}

// SampleSize is how many of n closed cases are drawn at rate (ppm): the
// rate rounded up, at least one when n > 0.
func SampleSize(n int, ratePPM int64) int {
	if n == 0 {
		return 0
	}
	return max(1, int(math.Ceil(float64(n)*float64(ratePPM)/1e6)))
}

// Draw draws month's sample of every section (审计科). ratePPM 0 means
// DefaultRatePPM; seed 0 means a new random seed, recorded. A section
// already drawn that month is Conflict. Errors: Forbidden, Invalid.
func (s *Service) Draw(ctx context.Context, a *access.Actor, month string, ratePPM, seed int64) ([]Sample, error) {
	if err := May(a); err != nil {
		return nil, err
	}
	var f errs.Fields
	m, err := clock.ParseMonth(month)
	if err != nil {
		f.Add("month", "抽查月份格式应为 YYYY-MM，如 2024-03")
	} else if !m.Before(clock.MonthOf(s.clock.Now())) {
		f.Add("month", "只能抽查已结束的月份")
	}
	if ratePPM == 0 {
		ratePPM = DefaultRatePPM
	}
	if ratePPM < 1_000 || ratePPM > 1_000_000 {
		f.Add("rate", "抽查比例应在 0.1% 至 100% 之间")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		seed = int64(binary.LittleEndian.Uint64(b[:]) >> 1)
	}
	from, to := m.First().UTC(), m.Add(1).First().UTC()
	var out []Sample
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for _, x := range access.Sections {
			sm, err := s.drawSection(ctx, tx, a, m.String(), x, ratePPM, seed, from, to)
			if err != nil {
				return err
			}
			if sm != nil {
				out = append(out, *sm)
			}
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "sampling.draw", Entity: "audit_sample", EntityID: m.String(),
			After: map[string]any{"month": m.String(), "rate_ppm": ratePPM, "seed": seed, "sections": len(out)}})
	})
	return out, err
}

func (s *Service) drawSection(ctx context.Context, tx *sql.Tx, a *access.Actor, month string, x access.Section, rate, seed int64, from, to time.Time) (*Sample, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, case_no FROM cases WHERE section = $1 AND closed_at >= $2 AND closed_at < $3 ORDER BY id`,
		string(x), from, to)
	if err != nil {
		return nil, errs.Wrap(err, "sampling population")
	}
	var ids []int64
	nos := map[int64]string{}
	for rows.Next() {
		var id int64
		var no string
		if err := rows.Scan(&id, &no); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "sampling population")
		}
		ids, nos[id] = append(ids, id), no
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, errs.Wrap(err, "sampling population")
	}
	sm := &Sample{Month: month, Section: x, RatePPM: rate, Seed: seed, Population: int64(len(ids)), DrawnBy: a.Name(), DrawnAt: s.clock.Now()}
	err = tx.QueryRowContext(ctx, `INSERT INTO audit_samples (month, section, rate_ppm, seed, population, drawn_by, drawn_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, month, string(x), rate, seed, sm.Population, sm.DrawnBy, sm.DrawnAt).Scan(&sm.ID)
	if db.IsUniqueViolation(err) {
		return nil, errs.New(errs.Conflict, "already_drawn", month+" 已抽查过"+x.Name()+"，不能重复抽查")
	}
	if err != nil {
		return nil, errs.Wrap(err, "sampling draw")
	}
	for _, id := range Pick(ids, seed, x, SampleSize(len(ids), rate)) {
		it := Item{SampleID: sm.ID, CaseID: id, CaseNo: nos[id], Status: Pending, Version: 1}
		if err := tx.QueryRowContext(ctx, `INSERT INTO audit_sample_items (sample_id, case_id, case_no) VALUES ($1, $2, $3) RETURNING id`,
			sm.ID, id, it.CaseNo).Scan(&it.ID); err != nil {
			return nil, errs.Wrap(err, "sampling draw")
		}
		sm.Items = append(sm.Items, it)
	}
	return sm, nil
}

// CheckInput is a checker's result for one sampled case.
type CheckInput struct {
	Confirmed       []string // checklist codes confirmed
	Finding         string   // required when something is not confirmed
	Rectification   string   // what the section must do (required with a finding)
	FalseCommitment bool     // a commitment (告知承诺) found false
}

// Check records the check of item id (审计科). Everything confirmed and no
// finding: passed; otherwise a finding with the rectification required. A
// false commitment starts the fraud follow-up in the same transaction.
// Errors: Forbidden, NotFound, Invalid, Conflict (stale, already checked).
func (s *Service) Check(ctx context.Context, a *access.Actor, id, version int64, in CheckInput) (*Item, error) {
	if err := May(a); err != nil {
		return nil, err
	}
	in.Finding, in.Rectification = strings.TrimSpace(in.Finding), strings.TrimSpace(in.Rectification)
	var f errs.Fields
	known := map[string]bool{}
	for _, c := range Checklist {
		known[c.Code] = true
	}
	for _, c := range in.Confirmed {
		if !known[c] {
			f.Add("confirmed", "检查项不在清单内")
		}
	}
	ok := len(in.Confirmed) == len(Checklist) && in.Finding == "" && !in.FalseCommitment
	if !ok && (in.Finding == "" || in.Rectification == "") {
		f.Add("finding", "有检查项未确认或承诺不实时，请填写发现的问题和整改要求")
	}
	if len([]rune(in.Finding)) > 1000 || len([]rune(in.Rectification)) > 1000 {
		f.Add("finding", "问题和整改要求各不能超过 1000 个字")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	status := Passed
	if !ok {
		status = Finding
	}
	var out *Item
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		it, err := getItem(ctx, tx, id)
		if err != nil {
			return err
		}
		if it.Version != version {
			return errs.StaleVersion()
		}
		if it.Status != Pending {
			return errs.New(errs.Conflict, "already_checked", "该案件已检查")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_sample_items SET status = $1, checklist = $2, finding = $3, rectification = $4,
			false_commitment = $5, checked_by = $6, checked_at = $7, version = version + 1 WHERE id = $8`,
			status, strings.Join(in.Confirmed, ","), in.Finding, in.Rectification, in.FalseCommitment, a.Name(), s.clock.Now(), id); err != nil {
			return errs.Wrap(err, "sampling check")
		}
		if in.FalseCommitment && s.fraud != nil {
			if err := s.fraud(ctx, tx, a, it.CaseNo, in.Finding); err != nil {
				return err
			}
		}
		it.Status, it.Finding, it.Rectification, it.FalseCommitment, it.Version = status, in.Finding, in.Rectification, in.FalseCommitment, it.Version+1
		out = it
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "sampling.check", Entity: "audit_sample_item", EntityID: strconv.FormatInt(id, 10),
			After: map[string]any{"status": status, "finding": in.Finding, "false_commitment": in.FalseCommitment}})
	})
	return out, err
}

// Rectify records that the rectification of a finding is done (审计科,
// after following it up). Errors: Forbidden, NotFound, Invalid, Conflict.
func (s *Service) Rectify(ctx context.Context, a *access.Actor, id, version int64, note string) (*Item, error) {
	if err := May(a); err != nil {
		return nil, err
	}
	if note = strings.TrimSpace(note); note == "" || len([]rune(note)) > 1000 {
		return nil, errs.Fields{{Field: "note", Message: "请填写整改结果（不超过 1000 个字）"}}.Err()
	}
	var out *Item
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		it, err := getItem(ctx, tx, id)
		if err != nil {
			return err
		}
		if it.Version != version {
			return errs.StaleVersion()
		}
		if it.Status != Finding {
			return errs.New(errs.Conflict, "no_finding", "只有发现问题、待整改的案件才能登记整改结果")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_sample_items SET status = 'rectified', rectified_note = $1, rectified_at = $2,
			version = version + 1 WHERE id = $3`, note, s.clock.Now(), id); err != nil {
			return errs.Wrap(err, "sampling rectify")
		}
		it.Status, it.Rectified, it.Version = Rectified, note, it.Version+1
		out = it
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "sampling.rectify", Entity: "audit_sample_item", EntityID: strconv.FormatInt(id, 10),
			After: map[string]any{"status": Rectified, "note": note}})
	})
	return out, err
}

const itemCols = `id, sample_id, case_id, case_no, status, checklist, finding, rectification, false_commitment, checked_by, rectified_note, version`

func scanItem(r interface{ Scan(...any) error }) (Item, error) {
	var it Item
	err := r.Scan(&it.ID, &it.SampleID, &it.CaseID, &it.CaseNo, &it.Status, &it.Checklist, &it.Finding, &it.Rectification,
		&it.FalseCommitment, &it.CheckedBy, &it.Rectified, &it.Version)
	return it, err
}

func getItem(ctx context.Context, q db.Querier, id int64) (*Item, error) {
	it, err := scanItem(q.QueryRowContext(ctx, `SELECT `+itemCols+` FROM audit_sample_items WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有找到这条抽查记录")
	}
	return &it, errs.Wrap(err, "sampling item")
}

// Month returns the samples of month with their items (审计科).
func (s *Service) Month(ctx context.Context, a *access.Actor, month string) ([]Sample, error) {
	if err := May(a); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, month, section, rate_ppm, seed, population, drawn_by, drawn_at
		FROM audit_samples WHERE month = $1 ORDER BY id`, month)
	if err != nil {
		return nil, errs.Wrap(err, "samples")
	}
	var out []Sample
	for rows.Next() {
		var sm Sample
		if err := rows.Scan(&sm.ID, &sm.Month, &sm.Section, &sm.RatePPM, &sm.Seed, &sm.Population, &sm.DrawnBy, &sm.DrawnAt); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "samples")
		}
		out = append(out, sm)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "samples")
	}
	for i := range out {
		items, err := s.items(ctx, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Items = items
	}
	return out, nil
}

func (s *Service) items(ctx context.Context, sampleID int64) ([]Item, error) {
	var out []Item
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		it, err := scanItem(r)
		if err != nil {
			return err
		}
		out = append(out, it)
		return nil
	}, `SELECT `+itemCols+` FROM audit_sample_items WHERE sample_id = $1 ORDER BY case_id`, sampleID)
	return out, errs.Wrap(err, "sample items")
}
