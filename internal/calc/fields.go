package calc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/injury"
	"shebao/internal/money"
)

// Kind is how a field is entered: in JSON (money in fen) and on the page
// (money in 元).
type Kind string

// The field kinds.
const (
	KMoney  Kind = "money"  // JSON integer fen; page 元
	KMoneys Kind = "moneys" // JSON list of integer fen; page 元, one per line
	KInt    Kind = "int"    // integer
	KRatio  Kind = "ratio"  // decimal string
	KMonth  Kind = "month"  // YYYY-MM
	KDate   Kind = "date"   // YYYY-MM-DD
	KChoice Kind = "choice" // one of Choices
	KDeps   Kind = "deps"   // dependants: JSON list; page one per line
)

// Choice is an allowed value of a choice field.
type Choice struct {
	Value, Label string
}

// Field is one input of a calculator.
type Field struct {
	Name     string
	Label    string
	Kind     Kind
	Required bool
	Hint     string
	Choices  []Choice
	Range    [2]int64 // allowed integers (KInt), when set
	Example  any      // for the API documentation
}

// Values are parsed inputs by field name: money.Fen, []money.Fen, int64,
// formula.PPM (ratios), clock.Month, time.Time (dates), string (choices),
// []injury.Dependant.
type Values map[string]any

func (v Values) has(name string) bool { _, ok := v[name]; return ok }

func (v Values) fen(name string) money.Fen   { f, _ := v[name].(money.Fen); return f }
func (v Values) int(name string) int64       { n, _ := v[name].(int64); return n }
func (v Values) ppm(name string) formula.PPM { p, _ := v[name].(formula.PPM); return p }
func (v Values) month(name string) clock.Month {
	m, _ := v[name].(clock.Month)
	return m
}
func (v Values) date(name string) time.Time { d, _ := v[name].(time.Time); return d }
func (v Values) str(name string) string     { s, _ := v[name].(string); return s }

// ParseJSON reads a JSON object into the calculator's values. Unknown
// fields, wrong types and bad values are field errors in Chinese.
func (c *Calculator) ParseJSON(body []byte) (Values, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, errs.New(errs.Invalid, "bad_json", "请求体应为 JSON 对象")
	}
	var f errs.Fields
	vals := Values{}
	for name := range raw {
		if c.field(name) == nil {
			f.Add(name, "未知字段")
		}
	}
	for _, fd := range c.Fields {
		r, ok := raw[fd.Name]
		if !ok || string(r) == "null" {
			continue
		}
		v, err := fd.fromJSON(r)
		if err == nil {
			err = fd.inRange(v)
		}
		if err != nil {
			f.Add(fd.Name, err.Error())
			continue
		}
		vals[fd.Name] = v
	}
	return vals, c.required(vals, f)
}

// ParseForm reads the page's form (money in 元) into values. Empty fields
// are left out so that the rule in force applies.
func (c *Calculator) ParseForm(form url.Values) (Values, error) {
	var f errs.Fields
	vals := Values{}
	for _, fd := range c.Fields {
		s := strings.TrimSpace(form.Get(fd.Name))
		if s == "" {
			continue
		}
		v, err := fd.fromText(s)
		if err == nil {
			err = fd.inRange(v)
		}
		if err != nil {
			f.Add(fd.Name, err.Error())
			continue
		}
		vals[fd.Name] = v
	}
	return vals, c.required(vals, f)
}

func (fd *Field) inRange(v any) error {
	n, ok := v.(int64)
	if !ok || fd.Range == [2]int64{} || (n >= fd.Range[0] && n <= fd.Range[1]) {
		return nil
	}
	return fieldErr(fmt.Sprintf("%s应在 %d 至 %d 之间", fd.Label, fd.Range[0], fd.Range[1]))
}

func (c *Calculator) field(name string) *Field {
	for i := range c.Fields {
		if c.Fields[i].Name == name {
			return &c.Fields[i]
		}
	}
	return nil
}

func (c *Calculator) required(vals Values, f errs.Fields) error {
	for _, fd := range c.Fields {
		if fd.Required && !vals.has(fd.Name) && !f.Has(fd.Name) {
			f.Add(fd.Name, "请填写"+fd.Label)
		}
	}
	return f.Err()
}

type fieldErr string

func (e fieldErr) Error() string { return string(e) }

func (fd *Field) fromJSON(r json.RawMessage) (any, error) {
	switch fd.Kind {
	case KMoney:
		var n json.Number
		if json.Unmarshal(r, &n) != nil {
			return nil, fieldErr("应为整数金额（单位：分）")
		}
		return fenOf(string(n))
	case KMoneys:
		var ns []json.Number
		if json.Unmarshal(r, &ns) != nil {
			return nil, fieldErr("应为整数金额（单位：分）的数组")
		}
		out := make([]money.Fen, 0, len(ns))
		for i, n := range ns {
			v, err := fenOf(string(n))
			if err != nil {
				return nil, fieldErr(fmt.Sprintf("第 %d 项：%s", i+1, err))
			}
			out = append(out, v.(money.Fen))
		}
		return out, nil
	case KInt:
		var n json.Number
		if json.Unmarshal(r, &n) != nil {
			return nil, fieldErr("应为整数")
		}
		return intOf(string(n))
	case KDeps:
		return depsFromJSON(r)
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		var n json.Number
		if fd.Kind != KRatio || json.Unmarshal(r, &n) != nil {
			return nil, fieldErr("应为字符串")
		}
		s = string(n)
	}
	return fd.fromText(s)
}

func (fd *Field) fromText(s string) (any, error) {
	switch fd.Kind {
	case KMoney:
		f, err := money.ParseYuan(s)
		if err != nil || f < 0 {
			return nil, fieldErr("请输入不为负数的金额（元），最多两位小数")
		}
		return f, nil
	case KMoneys:
		var out []money.Fen
		for i, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '，' || r == ';' || r == '；' || r == ' ' }) {
			f, err := money.ParseYuan(part)
			if err != nil || f < 0 {
				return nil, fieldErr(fmt.Sprintf("第 %d 项“%s”不是不为负数的金额（元，最多两位小数）", i+1, part))
			}
			out = append(out, f)
		}
		return out, nil
	case KInt:
		return intOf(s)
	case KRatio:
		p, err := formula.ParsePPM(strings.TrimSuffix(s, "%"), 6)
		if err != nil {
			return nil, fieldErr("应为不为负数的小数（最多六位小数），如 0.8")
		}
		if strings.HasSuffix(s, "%") {
			p = p / 100
		}
		return p, nil
	case KMonth:
		m, err := clock.ParseMonth(s)
		if err != nil {
			return nil, fieldErr("月份格式应为 YYYY-MM，如 2026-07")
		}
		return m, nil
	case KDate:
		d, err := clock.ParseDate(s)
		if err != nil {
			return nil, fieldErr("日期格式应为 YYYY-MM-DD，如 2024-03-01")
		}
		return d, nil
	case KChoice:
		for _, c := range fd.Choices {
			if s == c.Value || s == c.Label {
				return c.Value, nil
			}
		}
		var labels []string
		for _, c := range fd.Choices {
			labels = append(labels, c.Label+"（"+c.Value+"）")
		}
		return nil, fieldErr("应为以下之一：" + strings.Join(labels, "、"))
	case KDeps:
		return depsFromText(s)
	}
	return nil, fieldErr("无法识别")
}

func fenOf(s string) (any, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if strings.ContainsAny(s, ".eE") {
			return nil, fieldErr("金额以分为单位，应为整数")
		}
		return nil, fieldErr("应为整数金额（单位：分）")
	}
	if n < 0 {
		return nil, fieldErr("金额不能为负数")
	}
	if n > 1_000_000_000_000 {
		return nil, fieldErr("金额过大")
	}
	return money.Fen(n), nil
}

func intOf(s string) (any, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return nil, fieldErr("应为整数")
	}
	if n < 0 || n > 1_000_000 {
		return nil, fieldErr("应为 0 至 1000000 之间的整数")
	}
	return n, nil
}

// depsFromJSON accepts ["spouse", {"kind": "child", "lone": true}, …]
// ("type" or "relation" may name the kind).
func depsFromJSON(r json.RawMessage) (any, error) {
	var items []json.RawMessage
	if json.Unmarshal(r, &items) != nil {
		return nil, fieldErr("应为供养亲属的数组，如 [\"spouse\", {\"kind\": \"child\", \"lone\": true}]")
	}
	out := make([]injury.Dependant, 0, len(items))
	for i, it := range items {
		var d injury.Dependant
		var s string
		if json.Unmarshal(it, &s) == nil {
			d.Kind = s
		} else {
			var o struct {
				Kind, Type, Relation string
				Lone                 bool
			}
			if json.Unmarshal(it, &o) != nil {
				return nil, fieldErr(fmt.Sprintf("第 %d 项应为字符串或对象", i+1))
			}
			d = injury.Dependant{Kind: o.Kind + o.Type + o.Relation, Lone: o.Lone}
		}
		if injury.DependantLabel(d.Kind) == "" {
			return nil, fieldErr(fmt.Sprintf("第 %d 项：供养亲属类别应为 spouse（配偶）、child（子女）、parent（父母）或 other（其他）", i+1))
		}
		out = append(out, d)
	}
	return out, nil
}

// depsFromText reads one dependant a line: 配偶, 子女, 父母, 其他, with
// 孤寡 or 孤儿 for the +10%.
func depsFromText(s string) (any, error) {
	kinds := map[string]string{"配偶": "spouse", "子女": "child", "父母": "parent", "其他": "other"}
	var out []injury.Dependant
	for i, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '，' || r == '、' }) {
		line = strings.TrimSpace(line)
		lone := strings.Contains(line, "孤寡") || strings.Contains(line, "孤儿")
		kind := ""
		for label, k := range kinds {
			if strings.HasPrefix(line, label) || strings.HasPrefix(line, k) {
				kind = k
			}
		}
		if kind == "" {
			return nil, fieldErr(fmt.Sprintf("第 %d 行“%s”：请写配偶、子女、父母或其他，孤寡老人或孤儿后加“孤寡”或“孤儿”", i+1, line))
		}
		out = append(out, injury.Dependant{Kind: kind, Lone: lone})
	}
	return out, nil
}
