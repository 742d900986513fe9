package repocheck

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dialectCheck matches a test of the engine: d.Dialect == db.Postgres,
// dialect != db.SQLite and the like.
var dialectCheck = regexp.MustCompile(`(?:[!=]=\s*db\.(?:Postgres|SQLite)\b)|(?:\bdb\.(?:Postgres|SQLite)\s*[!=]=)`)

// maxDialectChecks bounds the engine tests outside internal/db: engine
// differences live there (bulk inserts, SQL helpers such as Clamp and
// TimeParam), so a new one needs a reason.
const maxDialectChecks = 4

// TestEngineDifferencesLiveInDB counts the tests of the engine in non-test
// Go code outside internal/db: at most maxDialectChecks, each with a
// comment on its line or the line above saying why.
func TestEngineDifferencesLiveInDB(t *testing.T) {
	dir := root(t)
	var found []string
	for _, f := range files(t, dir) {
		if !strings.HasSuffix(f, ".go") || strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "internal/db/") {
			continue
		}
		s, ok := text(t, filepath.Join(dir, f))
		if !ok {
			continue
		}
		found = append(found, dialectChecks(t, f, s)...)
	}
	if len(found) > maxDialectChecks {
		t.Errorf("%d tests of the engine outside internal/db (at most %d; put the difference in internal/db):\n%s",
			len(found), maxDialectChecks, strings.Join(found, "\n"))
	}
}

// dialectChecks returns "file:line" of each engine test in s, and reports
// those without a comment.
func dialectChecks(t *testing.T, file, s string) []string {
	var out []string
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if !dialectCheck.MatchString(l) {
			continue
		}
		at := file + ":" + itoa(i+1)
		out = append(out, at)
		above := ""
		if i > 0 {
			above = strings.TrimSpace(lines[i-1])
		}
		if !strings.Contains(l, "//") && !strings.HasPrefix(above, "//") {
			t.Errorf("%s: test of the engine without a comment saying why", at)
		}
	}
	return out
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

func TestDialectCheckPattern(t *testing.T) {
	for s, want := range map[string]bool{
		`if d.Dialect == db.Postgres {`: true, `if dialect != db.SQLite {`: true, `if db.SQLite == d {`: true,
		`return db.Postgres`: false, `Dialect: db.SQLite,`: false,
	} {
		if got := dialectCheck.MatchString(s); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}
