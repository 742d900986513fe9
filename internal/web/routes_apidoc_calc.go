package web

import (
	"encoding/json"

	"shebao/internal/calc"
)

// withCalcDoc adds POST /api/v1/calc/{name} to the OpenAPI document,
// generated from the calculators' own field lists so that it cannot drift
// from what the API accepts.
func withCalcDoc(doc []byte, cs []*calc.Calculator) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, err
	}
	paths, _ := m["paths"].(map[string]any)
	if paths == nil {
		return doc, nil
	}
	var names []string
	var bodies []any
	examples := map[string]any{}
	desc := "公开，无需登录，按客户端限流（超出返回 429）。金额以分为单位的整数（*_fen），比例为十进制字符串，月份为 \"YYYY-MM\"，日期为 \"YYYY-MM-DD\"。每个结果都带有 steps（计算步骤，text 为中文说明，basis 为政策依据）和 params（使用的参数及来源）。输入错误返回 422，fields 列出每个字段的问题。\n\n"
	for _, c := range cs {
		names = append(names, c.Name)
		props, required, example := map[string]any{}, []string{}, map[string]any{}
		for _, f := range c.Fields {
			props[f.Name] = fieldSchema(f)
			if f.Required {
				required = append(required, f.Name)
			}
			if f.Example != nil {
				example[f.Name] = f.Example
			}
		}
		schema := map[string]any{"title": c.Name, "type": "object", "description": c.Title + "：" + c.Intro, "properties": props, "additionalProperties": false}
		if len(required) > 0 {
			schema["required"] = required
		}
		bodies = append(bodies, schema)
		examples[c.Name] = map[string]any{"summary": c.Title + "（POST /api/v1/calc/" + c.Name + "）", "value": example}
		desc += "- `" + c.Name + "`：" + c.Title + "\n"
	}
	paths["/api/v1/calc/{name}"] = map[string]any{"post": map[string]any{
		"tags": []string{"待遇测算"}, "operationId": "calculate", "summary": "待遇测算（公开）", "description": desc,
		"security":   []any{},
		"parameters": []any{map[string]any{"name": "name", "in": "path", "required": true, "schema": map[string]any{"type": "string", "enum": names}}},
		"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"oneOf": bodies}, "examples": examples}}},
		"responses": map[string]any{
			"200": map[string]any{"description": "测算结果：各输出字段，另有 steps 与 params", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
				"type": "object", "properties": map[string]any{
					"calculator": map[string]any{"type": "string"},
					"steps":      map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{"text": map[string]any{"type": "string"}, "basis": map[string]any{"type": "string"}}}},
					"params":     map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
				}, "additionalProperties": true}}}},
			"404": map[string]any{"description": "没有这个测算工具"},
			"413": map[string]any{"description": "请求体超过 64KB"},
			"422": map[string]any{"description": "输入错误或不符合规定（message 说明禁止的规定，fields 列出字段）"},
			"429": map[string]any{"description": "请求过于频繁"},
		}}}
	return json.MarshalIndent(m, "", "  ")
}

func fieldSchema(f calc.Field) map[string]any {
	s := map[string]any{"description": f.Label}
	if f.Hint != "" {
		s["description"] = f.Label + "（" + f.Hint + "）"
	}
	switch f.Kind {
	case calc.KMoney:
		s["type"], s["minimum"] = "integer", 0
		s["description"] = s["description"].(string) + "，单位：分"
	case calc.KMoneys:
		s["type"], s["items"] = "array", map[string]any{"type": "integer", "minimum": 0}
		s["description"] = s["description"].(string) + "，单位：分"
	case calc.KInt:
		s["type"], s["minimum"] = "integer", 0
	case calc.KRatio:
		s["type"], s["pattern"] = "string", `^\d+(\.\d{1,6})?%?$`
	case calc.KMonth:
		s["type"], s["pattern"] = "string", `^\d{4}-\d{2}$`
	case calc.KDate:
		s["type"], s["format"] = "string", "date"
	case calc.KChoice:
		var vs []string
		for _, c := range f.Choices {
			vs = append(vs, c.Value)
		}
		s["type"], s["enum"] = "string", vs
	case calc.KDeps:
		kinds := []string{"spouse", "child", "parent", "other"}
		s["type"] = "array"
		s["items"] = map[string]any{"oneOf": []any{
			map[string]any{"type": "string", "enum": kinds},
			map[string]any{"type": "object", "properties": map[string]any{"kind": map[string]any{"type": "string", "enum": kinds}, "lone": map[string]any{"type": "boolean", "description": "孤寡老人或孤儿，加发 10%"}}, "required": []string{"kind"}},
		}}
	}
	return s
}
