package audit

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestCanonicalJSON(t *testing.T) {
	type inner struct {
		Z int `json:"z"`
		A int `json:"a"`
	}
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, `null`},
		{"struct fields sorted", struct {
			B string `json:"b"`
			A inner  `json:"a"`
		}{"x", inner{1, 2}}, `{"a":{"a":2,"z":1},"b":"x"}`},
		{"map sorted", map[string]any{"b": 1, "a": []any{map[string]int{"y": 1, "x": 2}}}, `{"a":[{"x":2,"y":1}],"b":1}`},
		{"big integer kept", map[string]int64{"fen": 9007199254740993}, `{"fen":9007199254740993}`},
		{"raw message", json.RawMessage(`{"b": 1, "a": 2}`), `{"a":2,"b":1}`},
		{"string", "直接文字", `"直接文字"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := canonicalJSON(tt.in)
			if err != nil || string(got) != tt.want {
				t.Fatalf("canonicalJSON = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestHashCoversEveryField(t *testing.T) {
	base := Record{Seq: 3, At: t0, ActorID: 7, ActorUsername: "u", ActorRole: "staff", Action: "a.b",
		Entity: "e", EntityID: "1", Before: []byte(`{"a":1}`), After: []byte(`{"a":2}`), Note: "n",
		RequestID: "r", PrevHash: Genesis}
	h := computeHash(&base)
	if len(h) != 64 || h != computeHash(&base) {
		t.Fatalf("hash %q not stable", h)
	}
	changes := map[string]func(r *Record){
		"seq":       func(r *Record) { r.Seq++ },
		"at":        func(r *Record) { r.At = r.At.Add(time.Microsecond) },
		"actor id":  func(r *Record) { r.ActorID++ },
		"username":  func(r *Record) { r.ActorUsername += "x" },
		"role":      func(r *Record) { r.ActorRole = "admin" },
		"action":    func(r *Record) { r.Action += "x" },
		"entity":    func(r *Record) { r.Entity += "x" },
		"entity id": func(r *Record) { r.EntityID += "x" },
		"before":    func(r *Record) { r.Before = []byte(`{"a":3}`) },
		"after":     func(r *Record) { r.After = []byte(`{"a":3}`) },
		"note":      func(r *Record) { r.Note += "x" },
		"request":   func(r *Record) { r.RequestID += "x" },
		"prev hash": func(r *Record) { r.PrevHash = "1" + r.PrevHash[1:] },
		// Length prefixes keep field boundaries: moving a byte from one
		// field to the next changes the hash.
		"boundary": func(r *Record) { r.Entity, r.EntityID = "e1", "" },
	}
	for name, change := range changes {
		r := base
		change(&r)
		if computeHash(&r) == h {
			t.Errorf("changing %s does not change the hash", name)
		}
	}
	r := base
	r.At = t0.In(time.FixedZone("CST", 8*3600))
	if computeHash(&r) != h {
		t.Error("the same instant in another zone hashes differently")
	}
}

func TestRequestIDContext(t *testing.T) {
	if RequestID(context.Background()) != "" {
		t.Fatal("empty context has a request ID")
	}
	if got := RequestID(WithRequestID(context.Background(), "abc")); got != "abc" {
		t.Fatalf("got %q", got)
	}
}

func TestDiff(t *testing.T) {
	type emp struct {
		Name    string `json:"name"`
		Phone   string `json:"phone"`
		Version int    `json:"version"`
	}
	tests := []struct {
		name       string
		before     any
		after      any
		wantBefore any
		wantAfter  any
	}{
		{"changed fields only", emp{"甲公司", "138****5678", 1}, emp{"甲公司", "139****0000", 2},
			map[string]any{"phone": "138****5678", "version": json.Number("1")},
			map[string]any{"phone": "139****0000", "version": json.Number("2")}},
		{"added and removed keys", map[string]any{"a": 1, "gone": true}, map[string]any{"a": 1, "new": "x"},
			map[string]any{"gone": true}, map[string]any{"new": "x"}},
		{"nested change kept whole", map[string]any{"addr": map[string]string{"city": "A", "street": "1"}},
			map[string]any{"addr": map[string]string{"city": "A", "street": "2"}},
			map[string]any{"addr": map[string]any{"city": "A", "street": "1"}},
			map[string]any{"addr": map[string]any{"city": "A", "street": "2"}}},
		{"nothing changed", emp{"甲", "x", 1}, emp{"甲", "x", 1}, map[string]any{}, map[string]any{}},
		{"nil before kept", nil, emp{"甲", "x", 1}, nil, emp{"甲", "x", 1}},
		{"not objects kept", "old", "new", "old", "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, a := Diff(tt.before, tt.after)
			if !reflect.DeepEqual(b, tt.wantBefore) || !reflect.DeepEqual(a, tt.wantAfter) {
				t.Fatalf("Diff = %#v, %#v; want %#v, %#v", b, a, tt.wantBefore, tt.wantAfter)
			}
		})
	}
}

func TestRecordFields(t *testing.T) {
	tests := []struct {
		name          string
		before, after string
		want          []Field
	}{
		{"objects side by side", `{"a":1,"b":"x"}`, `{"b":"y","c":true}`, []Field{
			{Name: "a", Before: "1", Changed: true},
			{Name: "b", Before: `"x"`, After: `"y"`, Changed: true},
			{Name: "c", After: "true", Changed: true},
		}},
		{"unchanged field", `{"a":1,"b":2}`, `{"a":1,"b":3}`, []Field{
			{Name: "a", Before: "1", After: "1"},
			{Name: "b", Before: "2", After: "3", Changed: true},
		}},
		{"created", `null`, `{"a":1}`, []Field{{Name: "a", After: "1", Changed: true}}},
		{"both null", `null`, `null`, []Field{}},
		{"not objects", `"old"`, `[1]`, []Field{{Before: `"old"`, After: `[1]`, Changed: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Record{Before: json.RawMessage(tt.before), After: json.RawMessage(tt.after)}.Fields()
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Fields = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A flat map of scalars takes the one-pass path; it must give exactly the
// bytes of the two-pass canonical encoding (the chain's hashes depend on
// them), and anything else must not take it.
func TestFlatScalarsOnePassIsCanonical(t *testing.T) {
	twoPass := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		g, err := decodeJSON(b)
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	flat := []map[string]any{
		{"id_number": "110105********001X", "date": "2026-03-10", "source": "civil", "overpaid_fen": int64(600_000), "late": false},
		{"z": 1, "a": int32(-7), "m": nil, "html": "<b>&\"引号\"</b>", "ctl": "a\tb\n\u2028", "big": int64(9007199254740993), "t": true},
		{},
	}
	for _, v := range flat {
		if !flatScalars(v) {
			t.Fatalf("%v not flat", v)
		}
		got, err := canonicalJSON(v)
		if err != nil || string(got) != twoPass(v) {
			t.Fatalf("one pass %s, two passes %s (%v)", got, twoPass(v), err)
		}
	}
	for _, v := range []any{
		map[string]any{"bad": "\xff"},
		map[string]any{"f": 1.5},
		map[string]any{"n": map[string]any{"b": 1}},
		map[string]int64{"a": 1},
		struct{ A int }{1},
	} {
		if flatScalars(v) {
			t.Fatalf("%#v taken as flat", v)
		}
	}
}
