package policy_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

func newestFile(t *testing.T) policy.RulesFile {
	t.Helper()
	files, err := policy.EmbeddedFiles()
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded files: %v", err)
	}
	return files[len(files)-1]
}

func TestShippedFileCoversEveryKey(t *testing.T) {
	f := newestFile(t)
	if f.Version < 1 || f.Title == "" {
		t.Fatalf("file header: %d %q", f.Version, f.Title)
	}
	for _, k := range policy.Keys {
		if slices.Contains(policy.LocalKeys, k.Key) {
			if slices.ContainsFunc(f.Rules, func(r policy.RuleInput) bool { return r.Key == k.Key }) {
				t.Errorf("the file ships a value for the local key %s", k.Key)
			}
			continue
		}
		scopes := k.Scopes
		if scopes == nil {
			scopes = []string{""}
		}
		for _, sc := range scopes {
			if !slices.ContainsFunc(f.Rules, func(r policy.RuleInput) bool { return r.Key == k.Key && r.Scope == sc }) {
				t.Errorf("no shipped value for %s scope %q", k.Key, sc)
			}
		}
	}
	for _, r := range f.Rules {
		if _, ok := policy.KeyByName(r.Key); !ok {
			t.Errorf("unknown key %s in the file", r.Key)
		}
	}
}

func TestSeedDefaultsIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newestFile(t)
		s, _ := newService(t, d, "2024-02-10")
		rules := count(t, d, `SELECT COUNT(*) FROM rule_values`)
		days := count(t, d, `SELECT COUNT(*) FROM calendar_days`)
		if rules != len(f.Rules) || days < 100 {
			t.Fatalf("seeded %d rules (file has %d), %d days", rules, len(f.Rules), days)
		}
		if v := count(t, d, `SELECT file_version FROM policy_state WHERE id = 1`); int64(v) != f.Version {
			t.Fatalf("file version %d", v)
		}
		audits := count(t, d, `SELECT COUNT(*) FROM audit_log`)
		if err := s.SeedDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		if count(t, d, `SELECT COUNT(*) FROM audit_log`) != audits {
			t.Fatal("second SeedDefaults wrote something")
		}
		rep, err := s.LoadFile(ctx, admin, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Added != 0 || rep.Updated != 0 || rep.Unchanged != len(f.Rules) || rep.DaysAdded != 0 || rep.DaysUpdated != 0 {
			t.Fatalf("re-run report %+v", rep)
		}
		if count(t, d, `SELECT COUNT(*) FROM rule_values`) != rules || count(t, d, `SELECT COUNT(*) FROM calendar_days`) != days {
			t.Fatal("re-run added rows")
		}
		_, err = s.LoadFile(ctx, admin, 99)
		wantKind(t, err, errs.NotFound)
	})
}

func TestNewerFileAddsWhatChanged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		v2 := newestFile(t)
		v2.Version++
		v2.Rules = slices.Clone(v2.Rules)
		for i, r := range v2.Rules {
			if r.Key == policy.KeyPensionCalcBase && r.From == "2025-01-01" {
				v2.Rules[i].Note = "2025 年计发基数已公布"
			}
		}
		v2.Rules = append(v2.Rules, policy.RuleInput{Key: policy.KeyAvgWage, From: "2026-07-01", Value: "7900", LegalBasis: "省人社厅 2026 年缴费基数通知（演示）"})
		v2.Calendar = append(slices.Clone(v2.Calendar), policy.HolidayRun{Name: "元旦", LegalBasis: "国办发明电〔2025〕7号", OffFrom: "2026-01-01", OffTo: "2026-01-03", Workdays: []string{"2026-01-04"}})
		rep, err := s.Import(ctx, admin, v2, true)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Added != 1 || rep.Updated != 1 || rep.DaysAdded != 4 || rep.Skipped {
			t.Fatalf("v2 report %+v", rep)
		}
		prev, _ := s.InForce(ctx, policy.KeyAvgWage, "", date(t, "2026-06-30"))
		if prev.ToDay() != "2026-06-30" || prev.Value != "764600" {
			t.Fatalf("previous A not closed: %+v", prev)
		}
		if ok, _ := s.IsWorkingDay(ctx, date(t, "2026-01-04")); !ok {
			t.Fatal("2026-01-04 make-up workday not imported")
		}
		// Re-running v2 adds nothing; v1 with onlyIfNewer is skipped; v1
		// forced leaves the closed period closed.
		if rep, err = s.Import(ctx, admin, v2, false); err != nil || rep.Added+rep.Updated+rep.DaysAdded+rep.DaysUpdated != 0 {
			t.Fatalf("v2 again: %+v %v", rep, err)
		}
		if rep, err = s.Import(ctx, admin, newestFile(t), true); err != nil || !rep.Skipped {
			t.Fatalf("v1 after v2: %+v %v", rep, err)
		}
		if rep, err = s.LoadFile(ctx, admin, newestFile(t).Version); err != nil || rep.Added != 0 || rep.Updated != 1 {
			t.Fatalf("forced v1: %+v %v", rep, err)
		}
		if r, _ := s.InForce(ctx, policy.KeyAvgWage, "", date(t, "2026-06-30")); r.ToDay() != "2026-06-30" {
			t.Fatalf("forced v1 reopened a closed period: %s", r.Period())
		}
		if v := count(t, d, `SELECT file_version FROM policy_state WHERE id = 1`); int64(v) != v2.Version {
			t.Fatalf("file version went back to %d", v)
		}
	})
}

func TestServersStartingTogetherSeedOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newestFile(t)
		var wg sync.WaitGroup
		errc := make(chan error, 3)
		for i := 0; i < 3; i++ {
			s := bare(t, d)
			wg.Add(1)
			go func() { defer wg.Done(); errc <- s.SeedDefaults(context.Background()) }()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM rule_values`); n != len(f.Rules) {
			t.Fatalf("%d rules, want %d", n, len(f.Rules))
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'policy.rules.import'`); n != 1 {
			t.Fatalf("imported %d times", n)
		}
	})
}
