package web

import (
	_ "embed"
	"encoding/json"
)

// openAPIInjury holds the work-injury benefit endpoints (the bureau's push,
// hospitals' settlements, continued-treatment forms and payouts), merged
// into the OpenAPI document at start.
//
//go:embed openapi_injury.json
var openAPIInjury []byte

// withInjuryDoc adds the paths and tags of openapi_injury.json to doc.
func withInjuryDoc(doc []byte) ([]byte, error) {
	var m, part map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(openAPIInjury, &part); err != nil {
		return nil, err
	}
	paths, _ := m["paths"].(map[string]any)
	if paths == nil {
		return doc, nil
	}
	for k, v := range part["paths"].(map[string]any) {
		paths[k] = v
	}
	tags, _ := m["tags"].([]any)
	m["tags"] = append(tags, part["tags"].([]any)...)
	return json.Marshal(m)
}
