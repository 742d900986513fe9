package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/policy"
)

var (
	// actionLiteral finds an audit action written in the source: an
	// Entry's Action, a variable named action, or a helper's argument.
	actionLiteral = regexp.MustCompile(`(?:Action:\s*|action\s*:?=\s*|, a, )"([a-z_]+(?:\.[a-z_]+)+)"`)
	entityLiteral = regexp.MustCompile(`Entity:\s*"([a-z_]+)"`)
	formatLiteral = regexp.MustCompile(`"(csv-[a-z0-9]+)"`)
)

// dynamicActions are the actions built from a fixed prefix and a state:
// casework's claim/release, staff conflicts and quarantined mail.
var dynamicActions = []string{"case.claim", "case.release", "staff.conflict.resolved", "staff.conflict.rejected",
	"mail.quarantine.released", "mail.quarantine.deleted"}

// sourceCodes collects the codes matched by re in the non-test Go files
// of the internal packages.
func sourceCodes(t *testing.T, re *regexp.Regexp) map[string]string {
	t.Helper()
	found := map[string]string{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			found[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestEveryKnownCodeHasALabel fails when a code the packages write into a
// record that pages show has no Chinese label in labels.go.
func TestEveryKnownCodeHasALabel(t *testing.T) {
	actions := sourceCodes(t, actionLiteral)
	if len(actions) < 50 {
		t.Fatalf("found only %d audit actions in the source: the pattern is stale", len(actions))
	}
	t.Logf("%d audit actions, %d objects in the source", len(actions), len(sourceCodes(t, entityLiteral)))
	for _, a := range dynamicActions {
		actions[a] = "dynamic"
	}
	entities := sourceCodes(t, entityLiteral)
	formats := sourceCodes(t, formatLiteral)
	formats["xlsx"] = "payment/parse.go"
	want := map[labelKind]map[string]string{labelAction: actions, labelEntity: entities, labelFormat: formats,
		labelActor: {access.System.Name(): "access", (*access.Actor)(nil).Name(): "access"}}
	want[labelUnit] = map[string]string{}
	for _, k := range policy.Keys {
		want[labelUnit][string(k.Unit)] = "policy.Keys"
	}
	for kind, codes := range want {
		for code, where := range codes {
			if _, ok := labels[kind][code]; !ok {
				t.Errorf("%s %q (%s) has no label in labels.go", kind, code, where)
			}
		}
	}
}

func TestLabelNeverShowsTheCode(t *testing.T) {
	for _, c := range []struct {
		kind       labelKind
		code, want string
	}{
		{labelAction, "employer.application.submit", "提交参保登记申请"},
		{labelAction, "case.new_step", "案件操作"},
		{labelAction, "zzz.unknown", "其他操作"},
		{labelEntity, "no_such_table", "其他对象"},
		{labelFormat, "csv-utf8", "逗号分隔文本（.csv，编码 UTF-8）"},
		{labelUnit, "fen", "金额，元"},
		{labelActor, "system", "系统（自动）"},
		{labelActor, "tongchou", "tongchou"},
	} {
		if got := label(c.kind, c.code); got != c.want {
			t.Errorf("label(%s, %s) = %q, want %q", c.kind, c.code, got, c.want)
		}
	}
}
