package web

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTextProblem(t *testing.T) {
	cases := []struct {
		field, value string
		bad          bool
	}{
		{"name", "张三", false},
		{"name", "Zhang San · 张三 😀", false},
		{"name", "", false},
		{"name", "张\x00三", true},
		{"name", "\xff\xfe", true},
		{"name", "\xd6\xd0\xce\xc4", true}, // GBK 中文
		{"name", "a\x1bb", true},
		{"name", "a\x7fb", true},
		{"name", "a\u0085b", true}, // C1 control
		{"name", "a\tb", true},
		{"name", "a\nb", true},
		{"comment", "第一行\r\n\t第二行", false},
		{"comment", "a\x00", true},
		{"applicant.name", "a\nb", true},
		{"items[1]", "a", false},
	}
	for _, c := range cases {
		if got := textProblem(c.field, c.value) != ""; got != c.bad {
			t.Errorf("textProblem(%q, %q) bad=%v, want %v", c.field, c.value, got, c.bad)
		}
	}
}

func TestJSONTextNamesFields(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"a":"ok","b":[1,"x",{"c":"\u0000"}]}`, "b[2].c"},
		{"{\"items\":[\"ok\",\"\xd6\xd0\"]}", "items[1]"},
		{`{"applicant":{"kind":"person","name":"a\u001fb"},"n":null}`, "applicant.name"},
		{`{"note":"a\nb","q":"x\ty"}`, "q"},
		{"{\"\xff\":\"v\"}", "\uFFFD"},
		{`["\u0001"]`, "[0]"},
	}
	for _, c := range cases {
		var k textChecker
		k.jsonText([]byte(c.body))
		if len(k.fields) != 1 || k.fields[0].Field != c.want {
			t.Errorf("%q: fields %+v, want one for %q", c.body, k.fields, c.want)
		}
	}
	for _, ok := range []string{`{"text":"第一行\n第二行","n":1.5,"b":true,"x":null}`, `not json \u0000`, ``} {
		var k textChecker
		k.jsonText([]byte(ok))
		if len(k.fields) != 0 {
			t.Errorf("%q: unexpected %+v", ok, k.fields)
		}
	}
	if l := fieldLabel("applicant.name"); l != "名称" {
		t.Errorf("label %q", l)
	}
	if l := fieldLabel("items[3]"); l != "材料项目" {
		t.Errorf("label %q", l)
	}
}

// FuzzJSONText: whatever the body, the check does not panic, and a valid
// JSON document it passes holds only valid UTF-8 text without controls
// other than tab and line breaks.
func FuzzJSONText(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":"\u0000"}`, "{\"a\":\"\xff\"}", `[{"x":[1,"\u001b"]}]`, `"x"`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var k textChecker
		k.jsonText(body)
		if len(k.fields) > 0 || !json.Valid(body) {
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("passed invalid UTF-8: %q", body)
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return
		}
		walkStrings(v, func(s string) {
			if strings.ContainsFunc(s, func(c rune) bool {
				return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f || (c >= 0x80 && c <= 0x9f)
			}) {
				t.Fatalf("passed a control character: %q in %q", s, body)
			}
		})
	})
}

func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case map[string]any:
		for k, e := range x {
			fn(k)
			walkStrings(e, fn)
		}
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	}
}
