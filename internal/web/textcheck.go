package web

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"shebao/internal/errs"
)

// Text hygiene at the edge. Every text a request carries (the path, query
// values, form and multipart fields, file names, JSON keys and strings) must
// be valid UTF-8 without control characters; tab and line breaks are allowed
// only in the multi-line fields. Anything else is answered 422 naming the
// field, before a handler or a database sees it: PostgreSQL refuses such
// bytes (an error, not a stored value) and SQLite would store them raw.

// multilineFields may hold tabs and line breaks (the textareas).
var multilineFields = map[string]bool{
	"answer": true,
	"body":   true, "comment": true, "note": true, "notes": true, "reason": true, "reasons": true,
	"summary": true, "text": true, "what": true, "description": true, "remark": true,
	"resolution_note": true, "correction_note": true, "reject_reason": true, "return_reasons": true,
	"wages_fen": true, "dependants": true, // the calculators' lists, one per line
	"items": true, "wages": true, // the injury claim's items and entered wages, one per line
	"years": true, "advice": true, "follow_up": true, // the transfer form's years and the consultation log
	"feedback_text": true, "agreement": true, "instruction": true, // complaints, mediations, sensitive matters
	"finding": true, "rectification": true, // the audit sampling's check
}

// fieldLabels names the fields in Chinese for error messages.
var fieldLabels = map[string]string{
	"other_agency": "对方经办机构", "other_region": "行政区划代码", "other_letter": "联系函编号", "pay_name": "收款户名",
	"pay_account": "收款账号", "pay_bank": "开户银行", "bank_serial": "交易流水号", "caller_name": "来电人", "topic": "咨询事项",
	"pooled_fen": "统筹基金转移额", "account_fen": "个人账户储存额",
	"feedback_text": "异议理由", "agreement": "协议内容", "parties": "参加各方", "held_on": "调解日期",
	"target_name": "被投诉举报方", "target_employer": "单位编号", "target_id_number": "公民身份号码", "reporter_name": "投诉举报人姓名",
	"reporter_contact": "联系方式", "source_ref": "来源", "instruction": "批示意见", "subject_ref": "事项编号",
	"temperature": "体温", "symptoms": "症状", "area": "区域", "cough": "咳嗽",
	"screen_fever": "是否发热", "screen_cough": "是否有呼吸道症状", "screen_contact": "是否有接触史",
	"_csrf": "页面令牌", "accident_at": "事故发生时间", "answer": "答复", "question": "问题", "keywords": "关键词",
	"valid_from": "生效日期", "valid_until": "失效日期", "notices": "关联公告", "account_no": "账号", "action": "处理方式", "actor": "操作人",
	"address": "地址", "agree": "同意声明", "all": "全部", "amount": "金额", "amount_fen": "金额", "app_no": "申请编号",
	"applicant": "申请人", "applicant_email": "申请人电子邮箱", "applicant_kind": "申请人类型", "applicant_name": "申请人名称",
	"applicant_phone": "申请人电话", "applied_on": "申请日期", "bank_account": "银行账号", "bank_name": "开户银行",
	"bill_no": "核定单号", "body": "正文", "capacity": "名额", "card_last4": "卡号后四位", "case_no": "业务编号",
	"category": "类别", "channel": "渠道", "code": "验证码", "collection_due": "征收期限", "comment": "说明",
	"confirm": "确认", "confirm_password": "确认密码", "contact_email": "联系人电子邮箱", "contact_name": "联系人",
	"contact_phone": "联系电话", "content_base64": "照片内容", "coordinate": "统筹", "counter": "窗口", "courier": "快递公司",
	"date": "日期", "day": "日期", "decided_on": "决定日期", "decision_no": "决定书文号", "description": "描述",
	"display_name": "显示名称", "effective_from": "生效日期", "effective_to": "失效日期", "email": "电子邮箱",
	"employer_id": "单位编号", "end": "结束日期", "end_month": "终止月份", "end_reason": "终止原因", "entity": "对象类型",
	"entity_id": "对象编号", "established_on": "成立日期", "expires_on": "有效期", "fee_months": "缴费月数", "file": "文件",
	"flex_base": "缴费基数", "flex_since": "开始缴费月份", "from": "起始", "gender": "性别", "hospital": "医院",
	"id_number": "公民身份号码", "industry": "行业", "injury": "伤情", "item": "材料项目", "items": "材料项目",
	"key": "参数", "kind": "类型", "late": "逾期", "legal_basis": "依据文号", "legal_rep": "法定代表人",
	"limit": "条数", "measures": "应急措施", "method": "方式", "minutes": "时长", "month": "费款所属期", "name": "名称",
	"new_password": "新密码", "next": "跳转地址", "note": "说明", "notes": "说明", "offset": "起始位置",
	"old_password": "原密码", "originals_days": "原件补交天数", "outcome": "结果", "page": "页码", "password": "密码",
	"path": "网址", "periods": "期数", "person_id": "人员编号", "phone": "电话", "photos": "照片", "pinned": "置顶",
	"place": "地点", "plan": "方案", "public": "公开", "q": "搜索关键词", "reason": "原因", "reasons": "原因",
	"recipient": "收件人", "reference": "受理编号", "remark": "备注", "risk_class": "风险类别", "role": "角色",
	"scope": "范围", "section": "科室", "sections": "科室", "service": "业务", "slot_id": "时段", "start": "开始日期",
	"start_month": "起始月份", "state": "状态", "status": "状态", "subject": "主题", "subject_id_number": "涉及人员身份证号码",
	"summary": "摘要", "terminal_ref": "终端流水号", "text": "留言", "title": "标题", "to": "终止", "tracking_no": "快递单号",
	"type": "业务类型", "username": "用户名", "uscc": "统一社会信用代码", "value": "取值", "version": "版本",
	"via": "送达方式", "view": "视图", "wage": "工资", "what": "事项", "worker_id_number": "职工身份证号码",
	"year": "年度", "x-request-id": "请求编号",
}

// fieldLabel is the Chinese name of a field (its last key for nested JSON).
func fieldLabel(field string) string {
	key := field
	if i := strings.LastIndexAny(key, ".["); i >= 0 {
		key = strings.TrimSuffix(key[i+1:], "]")
		if _, err := strconv.Atoi(key); err == nil {
			return fieldLabel(field[:i])
		}
	}
	if l, ok := fieldLabels[key]; ok {
		return l
	}
	return "提交的内容"
}

// textProblem says what is wrong with s as a value of field, "" if nothing.
func textProblem(field, s string) string {
	if !utf8.ValidString(s) {
		return "含有无法识别的字符（不是 UTF-8 编码的文字），请重新输入"
	}
	multiline := multilineFields[lastKey(field)]
	for _, c := range s {
		switch {
		case c == '\t' || c == '\n' || c == '\r':
			if !multiline {
				return "不能含有换行或制表符，请在一行内填写"
			}
		case isControl(c):
			return "含有不可见的控制字符，请删除后重新输入"
		}
	}
	return ""
}

// isControl reports a C0 or C1 control character or DEL.
func isControl(c rune) bool { return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) }

func lastKey(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	return field
}

// maxTextFields bounds the field errors of one answer.
const maxTextFields = 20

// textChecker collects the field errors of one request.
type textChecker struct{ fields errs.Fields }

// value checks one value of field.
func (c *textChecker) value(field, s string) {
	if len(c.fields) >= maxTextFields || c.fields.Has(field) {
		return
	}
	if p := textProblem(field, s); p != "" {
		c.fields.Add(field, fieldLabel(field)+p)
	}
}

// key checks a field name itself; a bad one is reported under a cleaned name.
func (c *textChecker) key(k string) bool {
	if textProblem("", k) == "" {
		return true
	}
	if len(c.fields) < maxTextFields {
		c.fields.Add(cleanKey(k), "字段名含有无法识别的字符或控制字符，请检查提交的内容")
	}
	return false
}

// cleanKey makes a bad field name printable for the error answer.
func cleanKey(k string) string {
	k = strings.ToValidUTF8(k, "\uFFFD")
	return strings.Map(func(c rune) rune {
		if isControl(c) {
			return '\uFFFD'
		}
		return c
	}, k)
}

// values checks a url.Values-like map in key order.
func (c *textChecker) values(m map[string][]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !c.key(k) {
			continue
		}
		for _, v := range m[k] {
			c.value(k, v)
		}
	}
}

// jsonText checks every key and string of a JSON document. A document
// that does not parse is left to the handler's decoder, which says so.
func (c *textChecker) jsonText(body []byte) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var w jsonWalk
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return
		}
		// The raw bytes of the token: the decoder silently replaces
		// invalid UTF-8 in strings, so validity is checked on the source.
		raw := body[start:dec.InputOffset()]
		s, isString := tok.(string)
		switch {
		case tok == json.Delim('{') || tok == json.Delim('['):
			w.open(tok == json.Delim('{'))
		case tok == json.Delim('}') || tok == json.Delim(']'):
			w.close()
		case isString && w.wantKey():
			s = sourceString(s, raw)
			if c.key(s) {
				w.setKey(s)
			} else {
				w.setKey(cleanKey(s))
			}
		case isString:
			c.value(w.path(), sourceString(s, raw))
			w.next()
		default:
			w.next()
		}
	}
}

// sourceString is the decoded string s, or, when its source bytes raw are
// not valid UTF-8 (which the decoder silently replaced), the raw text
// between the quotes so that the check sees them.
func sourceString(s string, raw []byte) string {
	if utf8.Valid(raw) {
		return s
	}
	i, j := bytes.IndexByte(raw, '"'), bytes.LastIndexByte(raw, '"')
	if i < 0 || j <= i {
		return string(raw)
	}
	return string(raw[i+1 : j])
}

// jsonWalk tracks where a token stream is: the path of the current value.
type jsonWalk struct{ frames []jsonFrame }

type jsonFrame struct {
	object  bool
	key     string
	index   int
	wantKey bool
}

func (w *jsonWalk) open(object bool) {
	w.frames = append(w.frames, jsonFrame{object: object, wantKey: object})
}

func (w *jsonWalk) close() {
	if len(w.frames) > 0 {
		w.frames = w.frames[:len(w.frames)-1]
	}
	w.next()
}

func (w *jsonWalk) wantKey() bool {
	return len(w.frames) > 0 && w.frames[len(w.frames)-1].wantKey
}

func (w *jsonWalk) setKey(k string) {
	f := &w.frames[len(w.frames)-1]
	f.key, f.wantKey = k, false
}

// next moves past a finished value.
func (w *jsonWalk) next() {
	if len(w.frames) == 0 {
		return
	}
	f := &w.frames[len(w.frames)-1]
	if f.object {
		f.wantKey = true
	} else {
		f.index++
	}
}

// path names the current value: "applicant.name", "items[2]".
func (w *jsonWalk) path() string {
	var b strings.Builder
	for _, f := range w.frames {
		if f.object {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		} else {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	return b.String()
}

// maxJSONText bounds a JSON body read for checking: the largest JSON the
// API takes (an accident report with its photos). Longer bodies pass
// unchecked to their handler, whose own limit refuses them.
const maxJSONText = 32 << 20

// checkRequestText checks the text of a request; nil when it is clean.
func checkRequestText(w http.ResponseWriter, r *http.Request) error {
	var c textChecker
	c.value("path", r.URL.Path)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" { // parseForms parsed every multipart form a handler reads
		_ = r.ParseForm() // a bad body is the handler's to answer
	}
	c.values(r.Form)
	if r.MultipartForm != nil {
		for field, files := range r.MultipartForm.File {
			for _, f := range files {
				c.value(field, f.Filename)
			}
		}
	}
	if hasJSONBody(r, ct) {
		if body, ok := bufferBody(r); ok {
			c.jsonText(body)
		}
	}
	if len(c.fields) == 0 {
		return nil
	}
	return &errs.Error{Kind: errs.Invalid, Code: "bad_text", Message: badTextMessage(c.fields), Fields: c.fields}
}

// hasJSONBody reports a body the handler will read as JSON: a JSON content
// type, or any non-form body on the API (its decoders do not look at the type).
func hasJSONBody(r *http.Request, ct string) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return false
	}
	return ct == "application/json" || (isAPI(r) && ct != "application/x-www-form-urlencoded" && ct != "multipart/form-data")
}

// bufferBody reads the body (at most maxJSONText) and puts it back for the
// handler; false when it is too long or unreadable (it is then passed on as is).
func bufferBody(r *http.Request) ([]byte, bool) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxJSONText+1))
	rest := r.Body
	switch {
	case err != nil:
		r.Body = readCloser{io.MultiReader(bytes.NewReader(data), errReader{err}), rest}
		return nil, false
	case len(data) > maxJSONText:
		r.Body = readCloser{io.MultiReader(bytes.NewReader(data), rest), rest}
		return nil, false
	}
	r.Body = readCloser{bytes.NewReader(data), rest}
	return data, true
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// badTextMessage names the fields in Chinese, for pages that show no field list.
func badTextMessage(f errs.Fields) string {
	var labels []string
	seen := map[string]bool{}
	for _, e := range f {
		l := fieldLabel(e.Field)
		if !seen[l] {
			seen[l] = true
			labels = append(labels, "「"+l+"」")
		}
	}
	return "以下内容含有无法识别的字符（如乱码、不可见的控制字符）或不允许的换行，请删除后重新提交：" + strings.Join(labels, "、")
}

// checkText answers 422 to a request carrying bad text (see above): the
// JSON field list on the API, a Chinese error page naming the fields otherwise.
func (s *Server) checkText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bypassesSession(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		err := checkRequestText(w, r)
		if err == nil {
			next.ServeHTTP(w, r)
			return
		}
		if isAPI(r) {
			s.apiFail(w, r, err)
			return
		}
		e := *errs.As(err)
		e.Fields = nil // the page shows the message, which names the fields in Chinese
		s.fail(w, r, &e)
	})
}
