package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The API reference page (接口说明) renders the OpenAPI document the API
// serves as a Chinese web page for the technical staff of hospitals and
// banks: per area, each endpoint with what it is for, who may call it, its
// parameters and fields, an example and the answers it gives. It is made
// from the same document as /api/v1/openapi.json, so it cannot drift from it.

// apiRef is the parsed reference.
type apiRef struct {
	Tags []apiRefTag
}

type apiRefTag struct {
	Name, Anchor string
	Desc         template.HTML
	Ops          []apiRefOp
}

type apiRefOp struct {
	Anchor       string
	Method, Path string
	Summary      string
	SummaryHTML  template.HTML
	Desc         template.HTML
	Access       []string // 无需登录, 网页登录, 接口密钥
	WithKey      bool     // callable with an API key
	Params       []apiRefField
	BodyKind     string
	BodyType     string // the content type
	Body         []apiRefField
	BodyExample  string
	Responses    []apiRefResp
	ReplyFields  []apiRefField
	ReplyExample string
}

type apiRefField struct {
	Name     string
	Depth    int
	In       string
	Type     string
	Required bool
	Desc     template.HTML
}

type apiRefResp struct {
	Status, Meaning string
	Desc            template.HTML
}

// apiRefOnce reads the document once, at the page's first request (it
// takes a while: servers and tests that never show the page skip it).
type apiRefOnce struct {
	once sync.Once
	ref  *apiRef
	err  error
}

func (o *apiRefOnce) get(doc []byte) (*apiRef, error) {
	o.once.Do(func() {
		if doc == nil { // a Server made without New, in tests
			doc = openAPI
		}
		o.ref, o.err = buildAPIRef(doc)
	})
	return o.ref, o.err
}

// apiRefView is what the page shows: all areas or only what a key may call.
type apiRefView struct {
	Tags    []apiRefTag
	KeyOnly bool
	Count   int
}

func (s *Server) apiReference(w http.ResponseWriter, r *http.Request) {
	ref, err := s.apiRef.get(s.apiDoc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := apiRefView{KeyOnly: r.URL.Query().Get("for") == "key"}
	for _, t := range ref.Tags {
		if v.KeyOnly {
			ops := t.Ops[:0:0]
			for _, o := range t.Ops {
				if o.WithKey {
					ops = append(ops, o)
				}
			}
			t.Ops = ops
		}
		if len(t.Ops) > 0 {
			v.Tags = append(v.Tags, t)
			v.Count += len(t.Ops)
		}
	}
	s.render(w, r, "api_reference", &Page{Title: "接口说明", Data: v})
}

// oaDoc is the part of an OpenAPI 3 document the page reads.
type oaDoc struct {
	Tags       []struct{ Name, Description string }  `json:"tags"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]*oaSchema `json:"schemas"`
	} `json:"components"`
}

type oaOp struct {
	Tags        []string           `json:"tags"`
	OperationID string             `json:"operationId"`
	Summary     string             `json:"summary"`
	Description string             `json:"description"`
	Security    []map[string]any   `json:"security"`
	Parameters  []oaParam          `json:"parameters"`
	RequestBody *oaBody            `json:"requestBody"`
	Responses   map[string]*oaBody `json:"responses"`
}

type oaParam struct {
	Name, In, Description string
	Required              bool
	Schema                *oaSchema
}

type oaBody struct {
	Description string                `json:"description"`
	Content     map[string]*oaContent `json:"content"`
}

type oaContent struct {
	Schema   *oaSchema                      `json:"schema"`
	Example  any                            `json:"example"`
	Examples map[string]struct{ Value any } `json:"examples"`
}

type oaSchema struct {
	Ref         string               `json:"$ref"`
	Type        string               `json:"type"`
	Format      string               `json:"format"`
	Title       string               `json:"title"`
	Description string               `json:"description"`
	Enum        []any                `json:"enum"`
	Example     any                  `json:"example"`
	Items       *oaSchema            `json:"items"`
	Properties  map[string]*oaSchema `json:"properties"`
	Required    []string             `json:"required"`
	OneOf       []*oaSchema          `json:"oneOf"`
	AllOf       []*oaSchema          `json:"allOf"`
	Nullable    bool                 `json:"nullable"`
	MaxLength   *int                 `json:"maxLength"`
}

var methodOrder = map[string]int{"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}

// buildAPIRef reads the OpenAPI document into the page's areas, in the
// document's tag order (areas it does not list come last).
func buildAPIRef(doc []byte) (*apiRef, error) {
	var d oaDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	rb := refBuilder{schemas: d.Components.Schemas}
	byTag := map[string][]apiRefOp{}
	var paths []string
	for p := range d.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		var methods []string
		for m := range d.Paths[p] {
			if _, ok := methodOrder[m]; ok {
				methods = append(methods, m)
			}
		}
		sort.Slice(methods, func(i, j int) bool { return methodOrder[methods[i]] < methodOrder[methods[j]] })
		for _, m := range methods {
			var o oaOp
			if err := json.Unmarshal(d.Paths[p][m], &o); err != nil {
				return nil, err
			}
			tag := "其他"
			if len(o.Tags) > 0 {
				tag = o.Tags[0]
			}
			byTag[tag] = append(byTag[tag], rb.op(strings.ToUpper(m), p, &o))
		}
	}
	ref := &apiRef{}
	seen := map[string]bool{}
	add := func(name, desc string) {
		if seen[name] || len(byTag[name]) == 0 {
			return
		}
		seen[name] = true
		ref.Tags = append(ref.Tags, apiRefTag{Name: name, Desc: docText(desc), Anchor: "area-" + strconv.Itoa(len(ref.Tags)+1), Ops: byTag[name]})
	}
	for _, t := range d.Tags {
		add(t.Name, t.Description)
	}
	var rest []string
	for name := range byTag {
		rest = append(rest, name)
	}
	sort.Strings(rest)
	for _, name := range rest {
		add(name, "")
	}
	n := 0
	for i := range ref.Tags {
		for j := range ref.Tags[i].Ops {
			n++
			if ref.Tags[i].Ops[j].Anchor == "" {
				ref.Tags[i].Ops[j].Anchor = "api-" + strconv.Itoa(n)
			}
		}
	}
	return ref, nil
}

type refBuilder struct {
	schemas map[string]*oaSchema
}

func (rb refBuilder) op(method, path string, o *oaOp) apiRefOp {
	// The anchor is the operation's id, so a manual can link an endpoint.
	op := apiRefOp{Anchor: anchorOf(o.OperationID), Method: method, Path: path, Summary: o.Summary, SummaryHTML: docText(o.Summary), Desc: docText(o.Description)}
	op.Access, op.WithKey = accessOf(o.Security)
	for _, p := range o.Parameters {
		desc := p.Description
		if desc == "" && p.Schema != nil {
			desc = p.Schema.Description
		}
		f := apiRefField{Name: p.Name, In: paramPlace[p.In], Required: p.Required, Type: rb.typeName(p.Schema), Desc: fieldText(p.Name, desc, p.Schema)}
		op.Params = append(op.Params, f)
	}
	if b := o.RequestBody; b != nil {
		if ct, c := firstContent(b.Content); c != nil {
			op.BodyKind, op.BodyType = contentKind(ct), ct
			op.Body = rb.fields(c.Schema, 0, map[string]bool{})
			op.BodyExample = rb.example(c)
			if len(op.Body) == 0 {
				op.Body = rb.exampleFields(c, 0)
			}
		}
	}
	var codes []string
	for code := range o.Responses {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		b := o.Responses[code]
		op.Responses = append(op.Responses, apiRefResp{Status: code, Meaning: statusMeaning[code], Desc: docText(b.Description)})
		if strings.HasPrefix(code, "2") && op.ReplyFields == nil {
			if _, c := firstContent(b.Content); c != nil {
				op.ReplyFields = rb.fields(c.Schema, 0, map[string]bool{})
				op.ReplyExample = rb.example(c)
				if len(op.ReplyFields) == 0 {
					op.ReplyFields = rb.exampleFields(c, 0)
				}
			}
		}
	}
	return op
}

var anchorSafe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

func anchorOf(operationID string) string {
	if !anchorSafe.MatchString(operationID) {
		return ""
	}
	return "op-" + operationID
}

// accessOf says who may call an operation from its security list.
func accessOf(sec []map[string]any) (names []string, withKey bool) {
	has := map[string]bool{}
	for _, alt := range sec {
		if len(alt) == 0 {
			has["public"] = true
		}
		for k := range alt {
			has[k] = true
		}
	}
	if len(sec) == 0 || has["public"] {
		names = append(names, "无需登录")
	}
	if has["cookieSession"] {
		names = append(names, "网页登录后调用")
	}
	if has["bearerKey"] {
		names = append(names, "接口密钥")
	}
	return names, has["bearerKey"] || len(sec) == 0 || has["public"]
}

var paramPlace = map[string]string{"path": "路径", "query": "查询参数", "header": "请求头", "cookie": "浏览器会话"}

var statusMeaning = map[string]string{
	"200": "成功", "201": "已创建", "204": "成功，无内容", "400": "请求格式有误", "401": "未登录或密钥无效",
	"403": "无权办理", "404": "未找到，或无权查看", "409": "冲突",
	"413": "提交的内容过大", "422": "输入有误", "429": "请求过于频繁，请稍后重试", "500": "系统内部错误",
}

func firstContent(m map[string]*oaContent) (string, *oaContent) {
	for _, ct := range []string{"application/json", "multipart/form-data", "application/x-www-form-urlencoded"} {
		if c, ok := m[ct]; ok && c != nil {
			return ct, c
		}
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return "", nil
	}
	return keys[0], m[keys[0]]
}

func contentKind(ct string) string {
	switch ct {
	case "application/json":
		return "JSON"
	case "multipart/form-data":
		return "文件上传"
	case "application/x-www-form-urlencoded":
		return "表单"
	}
	return ct
}

func (rb refBuilder) resolve(s *oaSchema) *oaSchema {
	for i := 0; s != nil && s.Ref != "" && i < 8; i++ {
		s = rb.schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	return s
}

// fields lists a schema's properties, nested objects and list items
// indented one level deeper (at most three levels).
func (rb refBuilder) fields(s *oaSchema, depth int, seen map[string]bool) []apiRefField {
	if s == nil || depth > 2 {
		return nil
	}
	if s.Ref != "" {
		if seen[s.Ref] {
			return nil
		}
		seen = copySeen(seen, s.Ref)
	}
	s = rb.resolve(s)
	if s == nil {
		return nil
	}
	if s.Type == "array" {
		return rb.fields(s.Items, depth, seen)
	}
	var out []apiRefField
	for _, alt := range s.AllOf {
		out = append(out, rb.fields(alt, depth, seen)...)
	}
	for _, alt := range s.OneOf {
		a := rb.resolve(alt)
		if a == nil {
			continue
		}
		out = append(out, apiRefField{Name: a.Title, Depth: depth, Type: "以下字段组之一", Desc: docText(a.Description)})
		out = append(out, rb.fields(alt, depth+1, seen)...)
	}
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	var names []string
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if req[names[i]] != req[names[j]] {
			return req[names[i]]
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		p := s.Properties[n]
		rp := rb.resolve(p)
		desc := ""
		if rp != nil {
			desc = rp.Description
		}
		if p.Description != "" {
			desc = p.Description
		}
		out = append(out, apiRefField{Name: n, Depth: depth, Required: req[n], Type: rb.typeName(p), Desc: fieldText(n, desc, rp)})
		if rp != nil && (rp.Type == "object" || rp.Type == "array" || len(rp.Properties) > 0) {
			out = append(out, rb.fields(p, depth+1, seen)...)
		}
	}
	return out
}

// exampleFields lists the fields of a content whose schema names none,
// from its example (the schema's required list marks the required ones).
func (rb refBuilder) exampleFields(c *oaContent, depth int) []apiRefField {
	var ex any
	if c.Example != nil {
		ex = c.Example
	} else if s := rb.resolve(c.Schema); s != nil {
		ex = s.Example
	}
	req := map[string]bool{}
	if s := rb.resolve(c.Schema); s != nil {
		for _, r := range s.Required {
			req[r] = true
		}
	}
	return valueFields(ex, depth, req)
}

func valueFields(v any, depth int, req map[string]bool) []apiRefField {
	if l, ok := v.([]any); ok && len(l) > 0 {
		v = l[0]
	}
	m, ok := v.(map[string]any)
	if !ok || depth > 2 {
		return nil
	}
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if req[names[i]] != req[names[j]] {
			return req[names[i]]
		}
		return names[i] < names[j]
	})
	var out []apiRefField
	for _, n := range names {
		out = append(out, apiRefField{Name: n, Depth: depth, Required: req[n], Type: valueType(m[n]), Desc: fieldText(n, "", nil)})
		out = append(out, valueFields(m[n], depth+1, nil)...)
	}
	return out
}

// valueType names the type of an example value in Chinese.
func valueType(v any) string {
	switch x := v.(type) {
	case string:
		return "文本"
	case float64:
		if x == float64(int64(x)) {
			return "整数"
		}
		return "数字"
	case bool:
		return "是否"
	case []any:
		if len(x) > 0 {
			return valueType(x[0]) + "的列表"
		}
		return "列表"
	case map[string]any:
		return "对象"
	}
	return ""
}

func copySeen(seen map[string]bool, ref string) map[string]bool {
	c := make(map[string]bool, len(seen)+1)
	for k := range seen {
		c[k] = true
	}
	c[ref] = true
	return c
}

// typeName names a schema's type in Chinese.
func (rb refBuilder) typeName(s *oaSchema) string {
	s = rb.resolve(s)
	if s == nil {
		return ""
	}
	switch s.Type {
	case "string":
		switch s.Format {
		case "date":
			return "日期文本"
		case "date-time":
			return "时间文本"
		case "binary":
			return "文件"
		}
		return "文本"
	case "integer":
		return "整数"
	case "number":
		return "数字"
	case "boolean":
		return "是否"
	case "array":
		if it := rb.typeName(s.Items); it != "" {
			return it + "的列表"
		}
		return "列表"
	case "object", "":
		if len(s.OneOf) > 0 {
			return "对象（几种之一）"
		}
		return "对象"
	}
	return s.Type
}

// fieldMeanings explain fields the document leaves undescribed, by name.
var fieldMeanings = map[string]string{
	"id": "编号", "version": "版本号：修改时原样带回，别人已修改时返回 409", "status": "状态代码",
	"status_name": "状态（中文）", "created_at": "创建时间", "updated_at": "最后修改时间", "note": "备注",
	"reason": "原因", "phone": "联系电话", "id_number": "公民身份号码（列表中遮挡）", "name": "名称或姓名",
	"employer_no": "单位社保编号", "employer_id": "参保单位编号", "person_id": "参保人员编号",
	"title": "标题", "kind": "类别代码", "page": "页码", "size": "每页条数", "total": "总数",
	"month": "月份（年-月）", "fee_month": "费款所属期（年-月）", "period": "所属期（年-月）",
	"file": "上传的文件", "message": "中文说明", "code": "代码", "field": "出错的字段",
	"date": "日期（年-月-日）", "start": "开始", "end": "结束", "items": "明细", "lines": "明细或行数",
	"amount_fen": "金额（分）", "bank_account": "银行账号", "bank_name": "开户银行", "address": "地址",
	"contact_name": "联系人", "contact_email": "联系人电子邮箱", "app_no": "受理编号", "uscc": "统一社会信用代码",
	"employer_name": "单位名称", "person_name": "姓名", "hospital": "医院", "case_no": "业务编号",
	"patient_id_number": "患者公民身份号码", "admitted_on": "入院日期", "discharged_on": "出院日期",
	"invoice_no": "发票号码", "quantity": "数量", "service_date": "费用发生日期", "settlement_no": "结算单号",
	"approved_fen": "核准金额（分）", "rejected_fen": "不予结算金额（分）", "diagnosis": "诊断",
	"updated_by": "最后修改人", "created_by": "创建人", "recorded_by": "登记人", "reviewer_id": "审核人编号", "total_fen": "合计金额（分）", "base_fen": "缴费基数（分）",
}

// fieldText is a field's explanation: the document's, else the meaning of
// its name; plus its allowed values, format and limits.
func fieldText(name, desc string, s *oaSchema) template.HTML {
	if desc == "" {
		desc = fieldMeanings[name]
	}
	if desc == "" && strings.HasSuffix(name, "_fen") {
		desc = "金额（分）"
	}
	if desc == "" && strings.HasSuffix(name, "_at") {
		desc = "时间"
	}
	if desc == "" && strings.HasSuffix(name, "_on") {
		desc = "日期（年-月-日）"
	}
	var extra []string
	if s != nil {
		if len(s.Enum) > 0 {
			vals := make([]string, len(s.Enum))
			for i, e := range s.Enum {
				vals[i] = "`" + jsonText(e) + "`"
			}
			extra = append(extra, "取值："+strings.Join(vals, "、"))
		}
		if s.Format == "date" {
			extra = append(extra, "格式 `2024-02-10`")
		}
		if s.MaxLength != nil {
			extra = append(extra, "最多 "+strconv.Itoa(*s.MaxLength)+" 个字")
		}
		if s.Nullable {
			extra = append(extra, "可为空（`null`）")
		}
	}
	if len(extra) > 0 {
		if desc != "" {
			desc += "。"
		}
		desc += strings.Join(extra, "；")
	}
	return docText(desc)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// example is the content's example: the document's own, else one made
// from the schema.
func (rb refBuilder) example(c *oaContent) string {
	v := c.Example
	if v == nil && len(c.Examples) > 0 {
		var keys []string
		for k := range c.Examples {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		v = c.Examples[keys[0]].Value
	}
	if v == nil {
		if s := rb.resolve(c.Schema); s != nil && s.Example != nil {
			v = s.Example
		} else {
			v = rb.sample(c.Schema, "", 0, map[string]bool{})
		}
	}
	if v == nil {
		return ""
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// sample makes an example value of a schema.
func (rb refBuilder) sample(s *oaSchema, name string, depth int, seen map[string]bool) any {
	if s == nil || depth > 4 || (s.Ref != "" && seen[s.Ref]) {
		return nil
	}
	if s.Ref != "" {
		seen = copySeen(seen, s.Ref)
	}
	s = rb.resolve(s)
	if s == nil {
		return nil
	}
	switch {
	case s.Example != nil:
		return s.Example
	case len(s.Enum) > 0:
		return s.Enum[0]
	case len(s.OneOf) > 0:
		return rb.sample(s.OneOf[0], name, depth, seen)
	}
	switch s.Type {
	case "string":
		switch s.Format {
		case "date":
			return "2024-02-10"
		case "date-time":
			return "2024-02-10T09:00:00+08:00"
		case "binary":
			return nil
		}
		if strings.HasSuffix(name, "month") {
			return "2024-01"
		}
		return "……"
	case "integer", "number":
		if strings.HasSuffix(name, "_fen") {
			return 123456
		}
		return 1
	case "boolean":
		return false
	case "array":
		if it := rb.sample(s.Items, name, depth+1, seen); it != nil {
			return []any{it}
		}
		return []any{}
	}
	m := map[string]any{}
	for n, p := range s.Properties {
		if v := rb.sample(p, n, depth+1, seen); v != nil {
			m[n] = v
		}
	}
	for _, alt := range s.AllOf {
		if sub, ok := rb.sample(alt, name, depth, seen).(map[string]any); ok {
			for k, v := range sub {
				m[k] = v
			}
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

var (
	kindInParens = regexp.MustCompile(`（[A-Z][A-Za-z]+）`)
	backquoted   = regexp.MustCompile("`[^`]+`")
	codeToken    = regexp.MustCompile(`[A-Za-z_$*][A-Za-z0-9_./:{}*$<>\-]*`)
)

// docText turns the document's text into HTML: the error kinds' English
// names dropped, `code` and identifiers (field names, codes, paths) set as
// code, lines kept.
func docText(s string) template.HTML {
	s = kindInParens.ReplaceAllString(strings.ReplaceAll(s, "bearer key", "接口密钥"), "")
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if i > 0 {
			b.WriteString("<br>")
		}
		last := 0
		for _, m := range backquoted.FindAllStringIndex(line, -1) {
			b.WriteString(codeWrap(line[last:m[0]]))
			b.WriteString("<code>" + template.HTMLEscapeString(line[m[0]+1:m[1]-1]) + "</code>")
			last = m[1]
		}
		b.WriteString(codeWrap(line[last:]))
	}
	return template.HTML(b.String())
}

// codeWrap escapes s and sets the identifiers in it (words with a lower
// case letter: field names, codes, paths) as code.
func codeWrap(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range codeToken.FindAllStringIndex(s, -1) {
		w := s[m[0]:m[1]]
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		if strings.ToUpper(w) != w {
			b.WriteString("<code>" + template.HTMLEscapeString(w) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(w))
		}
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return b.String()
}
