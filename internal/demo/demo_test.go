package demo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/demo"
	"shebao/internal/employer"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/policy"
)

var small = demo.Options{Employers: 20, Persons: 300, Seed: 7, Chunk: 128}

func deps(t *testing.T, d *db.DB) demo.Deps {
	t.Helper()
	c := clock.NewFixed(time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC)) // 09:00 in Shanghai
	au := audit.NewService(d, c)
	acc := account.New(d, c, au, account.Options{HashParams: account.TestHashParams})
	pol := policy.NewService(d, c, au)
	if err := pol.SeedDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	return demo.Deps{DB: d, Clock: c, Audit: au, Accounts: acc, Policy: pol,
		Employers: employer.NewService(d, c, au, acc, pol)}
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// digest hashes the generated persons and employments, so two runs (or two
// engines) can be compared.
func digest(t *testing.T, d *db.DB) string {
	t.Helper()
	h := sha256.New()
	rows, err := d.R.Query(`SELECT p.id_number, p.name, p.gender, p.birth_date, p.phone, p.kind, COALESCE(p.flex_base_fen, 0),
		COALESCE(m.start_month, ''), COALESCE(m.end_month, ''), COALESCE(m.base_fen, 0), COALESCE(e.uscc, '')
		FROM persons p LEFT JOIN employments m ON m.person_id = p.id LEFT JOIN employers e ON e.id = m.employer_id
		ORDER BY p.id_number, m.start_month`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b, c, dd, e, f, h1, i, j, l string
		var g, k int64
		if err := rows.Scan(&a, &b, &c, &dd, &e, &f, &g, &h1, &i, &k, &l); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(h, a, b, c, dd, e, f, g, h1, i, j, k, l)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestGenerateSmall(t *testing.T) {
	digests := map[db.Dialect]string{}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dp := deps(t, d)
		res, err := demo.Generate(ctx, dp, small)
		if err != nil {
			t.Fatal(err)
		}
		if res.Employers != 20 || res.Persons != 300 || res.Flexible != 18 || res.Applications != 5 || !res.Emergency {
			t.Fatalf("result %+v", res)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM employers`); n != 20 {
			t.Errorf("%d employers", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM persons WHERE kind = 'flexible' AND flex_base_fen > 0 AND flex_since IS NOT NULL`); n != 18+3 {
			t.Errorf("%d flexible workers with a base", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM employments`); n != res.Employments || n < 282 {
			t.Errorf("%d employments, result says %d", n, res.Employments)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM employer_applications WHERE status = 'submitted'`); n != 5 {
			t.Errorf("%d pending applications", n)
		}
		checkIdentifiers(t, d)
		checkEmployments(t, d)
		checkNearRetirement(t, d, res)
		checkLogins(t, dp, res)
		checkPosts(t, dp)
		checkEmergency(t, dp)
		if e, err := dp.Audit.Verify(ctx); err != nil || !e.OK() {
			t.Errorf("audit chain after demo: %+v %v", e, err)
		}
		digests[d.Dialect] = digest(t, d)

		_, err = demo.Generate(ctx, dp, small)
		if errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second run without force: %v", err)
		}
		more := small
		more.Force = true
		res2, err := demo.Generate(ctx, dp, more)
		if err != nil {
			t.Fatal(err)
		}
		// Each run adds 300 insured persons; the 6 near retirement come once.
		if n := count(t, d, `SELECT COUNT(*) FROM persons`); n != 606 || res2.Persons != 300 {
			t.Errorf("after --force: %d persons", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM users WHERE username = 'admin'`); n != 1 || len(res2.APIKeys) != 0 {
			t.Errorf("force run recreated admin (%d) or API clients (%d)", n, len(res2.APIKeys))
		}
		if n := count(t, d, `SELECT COUNT(*) FROM employers`); n != 40 {
			t.Errorf("after --force: %d employers", n)
		}
		checkIdentifiers(t, d)
	})
	if len(digests) == 2 && digests[db.SQLite] != digests[db.Postgres] {
		t.Errorf("same seed, different data: sqlite %s postgres %s", digests[db.SQLite], digests[db.Postgres])
	}
}

func checkIdentifiers(t *testing.T, d *db.DB) {
	t.Helper()
	rows, err := d.R.Query(`SELECT id_number, gender, birth_date, name FROM persons`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var no, g, b, name string
		rows.Scan(&no, &g, &b, &name)
		id, err := ident.ParseID(no)
		if err != nil || id.Number != no || id.Birth.Format("2006-01-02") != b || id.Male != (g == "M") {
			t.Errorf("person %s (%s %s): %v", ident.MaskID(no), g, b, err)
		}
		if n := len([]rune(name)); n < 2 || n > 4 {
			t.Errorf("implausible name %q", name)
		}
	}
	rows.Close()
	rows, err = d.R.Query(`SELECT uscc, risk_class, industry FROM employers UNION ALL SELECT uscc, risk_class, industry FROM employer_applications`)
	if err != nil {
		t.Fatal(err)
	}
	classes := map[int]bool{}
	industries := map[string]bool{}
	for rows.Next() {
		var code, industry string
		var class int
		rows.Scan(&code, &class, &industry)
		if got, err := ident.ParseUSCC(code); err != nil || got != code {
			t.Errorf("credit code %s: %v", code, err)
		}
		classes[class], industries[industry] = true, true
	}
	rows.Close()
	if len(classes) < 2 || len(industries) < 5 {
		t.Errorf("too little variety: classes %v, %d industries", classes, len(industries))
	}
}

func checkEmployments(t *testing.T, d *db.DB) {
	t.Helper()
	if n := count(t, d, `SELECT COUNT(*) FROM employments m JOIN employers e ON e.id = m.employer_id
		WHERE m.start_month < substr(e.registered_on, 1, 7) AND m.start_month > '2005-01'`); n != 0 {
		t.Errorf("%d employments start before the employer registered", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM employments WHERE start_month > '2024-01' OR end_month > '2024-01'`); n != 0 {
		t.Errorf("%d employments in the future", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM employments a JOIN employments b ON a.person_id = b.person_id AND a.id < b.id
		WHERE a.start_month <= COALESCE(b.end_month, '9999-12') AND b.start_month <= COALESCE(a.end_month, '9999-12')`); n != 0 {
		t.Errorf("%d overlapping employments of one person", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM persons p WHERE p.kind = 'flexible' AND EXISTS
		(SELECT 1 FROM employments m WHERE m.person_id = p.id AND (m.end_month IS NULL OR m.end_month >= p.flex_since))`); n != 0 {
		t.Errorf("%d flexible workers still employed", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM employments WHERE base_fen % 100 <> 0 OR base_fen < 350000`); n != 0 {
		t.Errorf("%d bases not whole yuan or implausibly low", n)
	}
}

func checkLogins(t *testing.T, dp demo.Deps, res *demo.Result) {
	t.Helper()
	ctx := context.Background()
	for _, s := range access.Sections {
		if n := count(t, dp.DB, `SELECT COUNT(*) FROM users u JOIN user_sections s ON s.user_id = u.id
			WHERE s.section = $1 AND u.role = 'staff'`, string(s)); n == 0 {
			t.Errorf("no staff account in %s", s.Name())
		}
	}
	roles := map[string]int{}
	for _, l := range res.Logins {
		roles[l.Role]++
		sess, err := dp.Accounts.Login(ctx, l.Username, l.Password, "127.0.0.1")
		if err != nil {
			t.Errorf("demo login %s (%s): %v", l.Username, l.Role, err)
			continue
		}
		if sess.MustChangePassword {
			t.Errorf("demo login %s must change its password", l.Username)
		}
	}
	if roles["管理员"] != 1 || roles["经办人员"] != 8 || roles["参保单位"] != 3 || roles["参保人"] != 5 || roles["医院经办人员"] != 1 {
		t.Errorf("logins by role: %v", roles)
	}
	if len(res.APIKeys) != 2 || !strings.HasPrefix(res.APIKeys[0].Key, "sbk_") {
		t.Errorf("API keys %+v", res.APIKeys)
	}
	// The hospital login acts for the demo hospital (its API client).
	if n := count(t, dp.DB, `SELECT COUNT(*) FROM users u JOIN api_clients c ON c.user_id = u.hospital_id
		WHERE u.role = 'hospital' AND c.kind = 'hospital'`); n != 1 {
		t.Errorf("%d hospital logins act for the demo hospital", n)
	}
	// The person logins point at persons who can read their own profile.
	if n := count(t, dp.DB, `SELECT COUNT(*) FROM users u JOIN persons p ON p.id = u.person_id AND p.id_number = u.username
		WHERE u.role = 'person'`); n != 5 {
		t.Errorf("%d person logins match their person", n)
	}
}

func checkEmergency(t *testing.T, dp demo.Deps) {
	t.Helper()
	list, err := dp.Policy.Emergencies(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("emergencies %v %v", list, err)
	}
	e := list[0]
	if e.StartDay() != "2024-01-23" || e.End != nil || e.LegalBasis != "人社厅明电〔2024〕7号" || len(e.Measures) != len(policy.AllMeasures) {
		t.Errorf("emergency %+v", e)
	}
	p := e.Params[policy.MeasureCollectionExtended]
	if p.Due != "2024-03-31" || strings.Join(p.FeeMonths, ",") != "2024-01,2024-02" {
		t.Errorf("collection extension %+v", p)
	}
	if b, _ := dp.Policy.Banner(context.Background()); b == nil {
		t.Error("no banner while the emergency is open")
	}
	acct, err := dp.Policy.ReceivingAccount(context.Background(), clock.DateOf(dp.Clock.Now()))
	if err != nil || acct == nil || acct.Name != demo.ReceivingAccount[0] || acct.NumberGrouped() != demo.ReceivingAccount[1] ||
		acct.Bank != demo.ReceivingAccount[2] {
		t.Errorf("demo receiving account %+v %v", acct, err)
	}
}

func TestDeterministic(t *testing.T) {
	a, b := dbtest.SQLite(t), dbtest.SQLite(t)
	for _, d := range []*db.DB{a, b} {
		if _, err := demo.Generate(context.Background(), deps(t, d), small); err != nil {
			t.Fatal(err)
		}
	}
	if digest(t, a) != digest(t, b) {
		t.Fatal("the same seed made different districts")
	}
	c := dbtest.SQLite(t)
	other := small
	other.Seed = 8
	if _, err := demo.Generate(context.Background(), deps(t, c), other); err != nil {
		t.Fatal(err)
	}
	if digest(t, a) == digest(t, c) {
		t.Fatal("another seed made the same district")
	}
}

func TestSeedIfEmpty(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dp := deps(t, d)
		res, seeded, err := demo.SeedIfEmpty(ctx, dp, small, "s1")
		if err != nil || !seeded || res.Persons != 300 {
			t.Fatalf("first: %+v %v %v", res, seeded, err)
		}
		var out strings.Builder
		demo.PrintLogins(&out, res)
		for _, want := range []string{"tongchou", "bangongshi", "admin", demo.Password, "统筹科", "办公室", "sbk_"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("printed logins lack %q:\n%s", want, out.String())
			}
		}
		for i := 0; i < 2; i++ {
			_, seeded, err = demo.SeedIfEmpty(ctx, dp, small, "s2")
			if err != nil || seeded {
				t.Fatalf("again: %v %v", seeded, err)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM persons`); n != 306 {
			t.Errorf("%d persons after three calls", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM job_runs WHERE name = 'demo.seed' AND finished_at IS NOT NULL`); n != 1 {
			t.Errorf("demo.seed claim rows: %d", n)
		}
	})
}

// checkNearRetirement: the demo has people reaching the retirement month
// in the next months (ID area 110108), some with records short of the
// minimum years, and the self-employed applicant of the e-mail sample.
func checkNearRetirement(t *testing.T, d *db.DB, res *demo.Result) {
	t.Helper()
	if res.Near == nil || res.Near.Added != 6 || res.Near.Applicant.IDNumber == "" {
		t.Fatalf("near retirement: %+v", res.Near)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM persons p WHERE p.hukou_area = '110108' AND p.name IN ('陈国栋', '林建华', '黄秀珍', '高志明', '罗桂英', '邓永强')
		AND (SELECT COUNT(*) FROM contribution_records r WHERE r.person_id = p.id AND r.paid = TRUE) < 180`); n != 2 {
		t.Errorf("%d near-retirement people with short records, want 2", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM persons p WHERE p.hukou_area = '110108' AND p.kind = 'employee' AND p.name IN ('陈国栋', '林建华', '黄秀珍', '高志明', '罗桂英', '邓永强')
		AND EXISTS (SELECT 1 FROM employments m WHERE m.person_id = p.id AND m.end_month IS NULL)`); n != 3 {
		t.Errorf("%d near-retirement employees employed, want 3", n)
	}
}

// checkPosts: the reporting chain of sensitive matters has a holder at every
// level, so a demo user can flag a matter and see it climb.
func checkPosts(t *testing.T, dp demo.Deps) {
	t.Helper()
	ctx := context.Background()
	for _, sec := range access.Sections {
		if ids, err := dp.Accounts.Holders(ctx, nil, account.PostSectionHead, sec); err != nil || len(ids) != 1 {
			t.Errorf("head of %s: %v %v", sec, ids, err)
		}
	}
	for _, p := range []account.Post{account.PostOfficeHead, account.PostAgencyHead} {
		if ids, err := dp.Accounts.Holders(ctx, nil, p, ""); err != nil || len(ids) != 1 {
			t.Errorf("%s: %v %v", p, ids, err)
		}
	}
}
