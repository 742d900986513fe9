package repocheck

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outside are the ways a file can point at documents that are not in the
// repository (the team's shared folder next to it). Built from parts so
// this file does not match itself.
var outside = []string{".." + "/shared", "/work" + "/shared", "domain" + "-rules"}

// root returns the repository root (the folder holding go.mod).
func root(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("go.mod not found above the test's folder")
		}
		dir = up
	}
}

// files lists the repository's tracked files (git ls-files), or, without
// git, every file below the root except .git and the ignored data folders.
func files(t *testing.T, dir string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = dir
	if out, err := cmd.Output(); err == nil && len(out) > 0 {
		var list []string
		for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil { // deleted but not yet committed
				list = append(list, filepath.ToSlash(f))
			}
		}
		return list
	}
	var list []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch rel {
			case ".git", "data", "bench-out":
				return filepath.SkipDir
			}
			return nil
		}
		list = append(list, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// text reads a file, or returns false for binary and very large files.
func text(t *testing.T, path string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 4<<20 || bytes.IndexByte(b, 0) >= 0 {
		return "", false
	}
	return string(b), true
}

// outsideRefs returns the forbidden references in s.
func outsideRefs(s string) []string {
	var found []string
	for _, o := range outside {
		if strings.Contains(s, o) {
			found = append(found, o)
		}
	}
	return found
}

func TestNoReferenceOutsideTheRepository(t *testing.T) {
	dir := root(t)
	n := 0
	for _, f := range files(t, dir) {
		if strings.HasSuffix(f, "_test.go") {
			continue // tests may quote what they check; this one must
		}
		s, ok := text(t, filepath.Join(dir, f))
		if !ok {
			continue
		}
		n++
		for _, o := range outsideRefs(s) {
			t.Errorf("%s refers to %q, outside the repository: state the fact in docs/rules.md and cite its section", f, o)
		}
	}
	if n < 50 {
		t.Fatalf("only %d files checked: the file list is wrong", n)
	}
}

// heading is one heading of docs/rules.md: its section number (may be
// empty) and its text without the number.
type heading struct{ num, text string }

var numbered = regexp.MustCompile(`^(\d+(?:\.\d+)*)\.?\s+(.*)$`)

// headings returns the headings of a Markdown text.
func headings(md string) []heading {
	var out []heading
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(line, "#"))
		if m := numbered.FindStringSubmatch(h); m != nil {
			out = append(out, heading{num: m[1], text: m[2]})
		} else {
			out = append(out, heading{text: h})
		}
	}
	return out
}

// A citation of docs/rules.md: by number, by the quoted beginning of a
// heading, or by anchor.
var (
	joinLines = regexp.MustCompile(`\s*\n[ \t]*(?://|--|#+|\*)?[ \t]*`)
	citeNum   = regexp.MustCompile(`docs/rules\.md,?\s*§\s*(\d+(?:\.\d+)*)`)
	citeQuote = regexp.MustCompile(`docs/rules\.md,?\s*["“]([^"”{}();]{1,100})["”]`)
	citeAnch  = regexp.MustCompile("docs/rules\\.md#([^\\s)\\]`'\"，。；]+)")
	spaces    = regexp.MustCompile(`\s+`)
)

// badCitations returns the citations in s that name no heading in hs.
func badCitations(s string, hs []heading) []string {
	s = joinLines.ReplaceAllString(s, " ")
	var bad []string
	for _, m := range citeNum.FindAllStringSubmatch(s, -1) {
		if !hasHeading(hs, func(h heading) bool { return h.num == m[1] }) {
			bad = append(bad, m[0])
		}
	}
	for _, m := range citeQuote.FindAllStringSubmatch(s, -1) {
		q := spaces.ReplaceAllString(strings.TrimSpace(m[1]), " ")
		if !hasHeading(hs, func(h heading) bool {
			return strings.HasPrefix(h.text, q) || strings.HasPrefix(strings.TrimSpace(h.num+" "+h.text), q)
		}) {
			bad = append(bad, m[0])
		}
	}
	for _, m := range citeAnch.FindAllStringSubmatch(s, -1) {
		a := anchor(m[1])
		if !hasHeading(hs, func(h heading) bool { return a == anchor(h.text) || a == anchor(h.num+" "+h.text) }) {
			bad = append(bad, m[0])
		}
	}
	return bad
}

func hasHeading(hs []heading, ok func(heading) bool) bool {
	for _, h := range hs {
		if ok(h) {
			return true
		}
	}
	return false
}

// anchor is a heading's text as a link fragment: lower case, spaces to
// hyphens, punctuation dropped.
func anchor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case r == ' ' || r == '-':
			b.WriteRune('-')
		case r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 0x2E7F && r < 0xFF00:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestRulesCitationsExist(t *testing.T) {
	dir := root(t)
	md, ok := text(t, filepath.Join(dir, "docs", "rules.md"))
	if !ok {
		t.Fatal("docs/rules.md missing")
	}
	hs := headings(md)
	if len(hs) < 20 {
		t.Fatalf("docs/rules.md has %d headings", len(hs))
	}
	cited := 0
	for _, f := range files(t, dir) {
		if strings.HasPrefix(f, "internal/repocheck/") {
			continue // the checker's own examples
		}
		s, ok := text(t, filepath.Join(dir, f))
		if !ok || !strings.Contains(s, "docs/rules.md") {
			continue
		}
		cited++
		for _, c := range badCitations(s, hs) {
			t.Errorf("%s cites %q, which is not a section of docs/rules.md", f, c)
		}
	}
	if cited < 5 {
		t.Fatalf("only %d files cite docs/rules.md", cited)
	}
}

// TestCheckersCatchMistakes shows the two checks are not vacuous.
func TestCheckersCatchMistakes(t *testing.T) {
	hs := headings("# Rules\n## 5. 滞纳金 Late fees\n### 5.1 计算 The late fee\n## Late fee and its waiver (滞纳金及应急期免收)\n")
	good := "// fee (docs/rules.md §5.1)\n// and (docs/rules.md, \"Late fee and its\n// waiver\") or docs/rules.md#5-滞纳金-late-fees\n-- docs/rules.md §5"
	if bad := badCitations(good, hs); len(bad) != 0 {
		t.Fatalf("good citations refused: %q", bad)
	}
	// Built with Replace so that this file itself cites nothing missing.
	wrong := strings.ReplaceAll("// RULES §5.2 and RULES \"Late fees and waivers\" and RULES#滞纳金的疫情减免", "RULES", "docs/rules.md")
	if bad := badCitations(wrong, hs); len(bad) != 3 {
		t.Fatalf("bad citations found: %q, want all three", bad)
	}
	if refs := outsideRefs("see ../" + "shared/docs/x.md and domain" + "-rules §2.3"); len(refs) != 2 {
		t.Fatalf("outside references found: %q", refs)
	}
}
