package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/app"
	"shebao/internal/clock"
	"shebao/internal/download"
	"shebao/internal/jobs"
	"shebao/internal/manual"
	"shebao/internal/pdfdoc"
)

// Agency issues the manuals.
const Agency = "区社会保险事业管理中心"

// NewEdition is the edition made at now: its version is the date
// (2026-12-05 版, 2026-12-05 版（文字版） when it has no screenshots) until
// Number gives each manual its edition number (第N版). The source's hash
// is kept with each published version (to know it is current), never in
// the version people read.
func NewEdition(now time.Time, textOnly bool) manual.Edition {
	ed := manual.Edition{Date: now.In(clock.Shanghai), Agency: Agency, TextOnly: textOnly}
	ed.Version = clock.DateText(ed.Date) + " 版"
	if textOnly {
		ed.Version += "（" + manual.TextOnlyMark + "）"
	}
	return ed
}

// Number gives each manual of keys (all when empty) its edition number:
// one more than the versions of its download already published.
func Number(ctx context.Context, a *app.App, ed *manual.Edition, keys []string) error {
	ed.Numbers = map[string]int{}
	for _, m := range manual.Manuals {
		if !wanted(keys, m.Key) {
			continue
		}
		it, err := a.Downloads.ByKey(ctx, "manual-"+m.Key)
		if err != nil {
			return err
		}
		n := 1
		if it != nil {
			n += len(it.Versions)
		}
		ed.Numbers[m.Key] = n
	}
	return nil
}

// Publish stores each output as a new version of its download
// (manual-<key>), issued on the edition's date.
func Publish(ctx context.Context, a *app.App, outs []Output, ed manual.Edition, hash string) error {
	for _, o := range outs {
		g := download.Generated{Key: "manual-" + o.Manual.Key, Title: o.Manual.Title, Note: "网页版可在线阅读；PDF 可打印。",
			Audiences: []download.Audience{download.Audience(o.Manual.Audience)}, Label: ed.VersionOf(o.Manual.Key),
			IssuedOn: ed.Date.Format("2006-01-02"), SourceHash: hash, PDF: o.PDF, HTML: o.HTML}
		if _, err := a.Downloads.Publish(ctx, access.System, g); err != nil {
			return fmt.Errorf("%s: %w", o.Manual.Title, err)
		}
	}
	return nil
}

// TextOnly renders the manuals with keys (all when empty) without
// screenshots: no browser and no demo needed, so it takes a moment.
func TextOnly(keys []string, ed manual.Edition) ([]Output, error) {
	ms, err := manual.Load()
	if err != nil {
		return nil, err
	}
	var out []Output
	for _, m := range ms {
		if !wanted(keys, m.Key) {
			continue
		}
		res, err := Render(m, ed, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Title, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// Stale lists the manuals with no published version of source hash
// (noText) and those with no illustrated one (noShots, a superset).
func Stale(ctx context.Context, a *app.App, hash string) (noText, noShots []string, err error) {
	for _, m := range manual.Manuals {
		it, err := a.Downloads.ByKey(ctx, "manual-"+m.Key)
		if err != nil {
			return nil, nil, err
		}
		var cur *download.Version
		if it != nil && it.Status == download.Active {
			cur = it.Current()
		}
		if cur == nil || cur.SourceHash != hash {
			noText = append(noText, m.Key)
		}
		if cur == nil || cur.SourceHash != hash || strings.Contains(cur.Label, manual.TextOnlyMark) {
			noShots = append(noShots, m.Key)
		}
	}
	return noText, noShots, nil
}

// JobName is the job that keeps the published manuals current.
const JobName = "manual.publish"

// Job returns the scheduled job that publishes the manuals of this
// program's source when they are not yet published (decision 0031): at
// once a text-only edition of each missing manual, then, when Chromium is
// installed, the illustrated edition of each manual that lacks it. Its
// slots are per source and day, so one server of those sharing the
// database does it, once, after an upgrade, and a failed attempt is
// retried the next day. withShots false never starts the browser.
func Job(a *app.App, withShots bool) jobs.Job {
	hash := manual.SourceHash()
	return jobs.Job{Name: JobName, Schedule: jobs.PerKey(hash[:12], jobs.Daily(0, 0)), Lease: 30 * time.Minute,
		Run: func(ctx context.Context) (string, error) { return Refresh(ctx, a, hash, withShots) }}
}

// Refresh publishes what Stale finds missing; see Job.
func Refresh(ctx context.Context, a *app.App, hash string, withShots bool) (string, error) {
	noText, noShots, err := Stale(ctx, a, hash)
	if err != nil || len(noShots) == 0 {
		return "manuals up to date", err
	}
	var done []string
	if len(noText) > 0 {
		ed := NewEdition(a.Clock.Now(), true)
		if err := Number(ctx, a, &ed, noText); err != nil {
			return "", err
		}
		outs, err := TextOnly(noText, ed)
		if errors.Is(err, pdfdoc.ErrNoFont) {
			return "", fmt.Errorf("text-only manuals: %w", err)
		}
		if err == nil {
			err = Publish(ctx, a, outs, ed, hash)
		}
		if err != nil {
			return "", err
		}
		done = append(done, fmt.Sprintf("text-only %s", strings.Join(noText, ",")))
	}
	if !withShots || ChromiumPath() == "" {
		return strings.Join(append(done, "no browser: illustrated manuals not made"), "; "), nil
	}
	work, err := os.MkdirTemp("", "shebao-manual-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	ed := NewEdition(a.Clock.Now(), false)
	if err := Number(ctx, a, &ed, noShots); err != nil {
		return "", err
	}
	outs, err := Run(ctx, Options{Only: noShots, Edition: ed, Work: work})
	if err == nil {
		err = Publish(ctx, a, outs, ed, hash)
	}
	if err != nil {
		return "", fmt.Errorf("illustrated manuals: %w", err)
	}
	return strings.Join(append(done, "illustrated "+strings.Join(noShots, ",")), "; "), nil
}
