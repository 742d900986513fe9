package audit

import (
	"bytes"
	"encoding/json"
	"sort"
)

// Diff keeps only what changed between two values that marshal to JSON
// objects: it returns two maps holding the top-level fields whose values
// differ (a field present on one side only appears on that side), ready for
// Entry.Before and Entry.After. Values that are not both objects, or that
// cannot be marshalled, are returned unchanged.
func Diff(before, after any) (any, any) {
	b, okB := asObject(before)
	a, okA := asObject(after)
	if !okB || !okA {
		return before, after
	}
	ob, oa := map[string]any{}, map[string]any{}
	for k, bv := range b {
		if av, ok := a[k]; !ok || !sameJSON(bv, av) {
			ob[k] = bv
		}
	}
	for k, av := range a {
		if bv, ok := b[k]; !ok || !sameJSON(bv, av) {
			oa[k] = av
		}
	}
	return ob, oa
}

// asObject returns v as a decoded JSON object.
func asObject(v any) (map[string]any, bool) {
	if v == nil {
		return nil, false
	}
	raw, err := canonicalJSON(v)
	if err != nil {
		return nil, false
	}
	d, err := decodeJSON(raw)
	if err != nil {
		return nil, false
	}
	m, ok := d.(map[string]any)
	return m, ok
}

func sameJSON(x, y any) bool {
	bx, err1 := json.Marshal(x)
	by, err2 := json.Marshal(y)
	return err1 == nil && err2 == nil && bytes.Equal(bx, by)
}

// Field is one row of a side-by-side view of an entry's values.
type Field struct {
	Name    string // top-level key, "" when the values are not objects
	Before  string // compact JSON of the value, "" when absent
	After   string
	Changed bool
}

// Fields lays out r's Before and After side by side: one row per top-level
// key (sorted) when both are JSON objects or null, else one row holding the
// whole values.
func (r Record) Fields() []Field {
	b, okB := objectOrNull(r.Before)
	a, okA := objectOrNull(r.After)
	if !okB || !okA {
		return []Field{{Before: string(r.Before), After: string(r.After), Changed: !bytes.Equal(r.Before, r.After)}}
	}
	keys := make([]string, 0, len(b)+len(a))
	for k := range b {
		keys = append(keys, k)
	}
	for k := range a {
		if _, dup := b[k]; !dup {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]Field, 0, len(keys))
	for _, k := range keys {
		f := Field{Name: k, Before: compact(b[k]), After: compact(a[k])}
		f.Changed = f.Before != f.After
		out = append(out, f)
	}
	return out
}

// objectOrNull decodes raw as a JSON object; null or empty gives an empty map.
func objectOrNull(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]json.RawMessage{}, true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

func compact(raw json.RawMessage) string {
	if raw == nil {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}
