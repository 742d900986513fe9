package logredact

import (
	"bytes"
	"encoding/json"
)

// JSON masks a JSON document and returns valid JSON: strings and object
// keys are masked with Text, and numbers that would be masked (a phone
// number stored as a number) become masked strings. Object keys come out
// sorted. Text that is not valid JSON is masked as plain text.
func JSON(raw string) string {
	if !Contains(raw) {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return Text(raw)
	}
	b, err := json.Marshal(maskValue(v))
	if err != nil {
		return Text(raw)
	}
	return string(b)
}

func maskValue(v any) any {
	switch x := v.(type) {
	case string:
		return Text(x)
	case json.Number:
		if m := Text(string(x)); m != string(x) {
			return m
		}
		return x
	case []any:
		for i := range x {
			x[i] = maskValue(x[i])
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[Text(k)] = maskValue(e)
		}
		return out
	}
	return v
}
