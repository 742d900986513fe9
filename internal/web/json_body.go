package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"shebao/internal/errs"
)

// maxJSON bounds an ordinary JSON request body.
const maxJSON = 1 << 20

// decodeJSON reads a JSON body (at most 1 MiB) into v, rejecting unknown fields.
func decodeJSON(r *http.Request, v any) error { return decodeJSONMax(r, v, maxJSON) }

// decodeJSONMax reads one JSON value of at most max bytes into v. A body
// that cannot be read into v is an Invalid error in Chinese naming the
// offending field; the decoder's English text is kept for the log only.
func decodeJSONMax(r *http.Request, v any, max int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonInputError(err, max)
	}
	if dec.More() {
		return badJSON("", "请求体只能是一个 JSON 对象，对象之后还有多余内容", nil)
	}
	return nil
}

// jsonInputError turns an encoding/json error into the API's Invalid error.
func jsonInputError(err error, max int64) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var sizeErr *http.MaxBytesError
	switch {
	case errors.As(err, &typeErr):
		return badJSON(typeErr.Field, fmt.Sprintf("应为%s，收到的是%s", jsonKind(typeErr.Type), jsonValueKind(typeErr.Value)), err)
	case errors.As(err, &syntaxErr):
		return badJSON("", fmt.Sprintf("请求体不是有效的 JSON：第 %d 个字节附近有语法错误", syntaxErr.Offset), err)
	case errors.As(err, &sizeErr):
		return &errs.Error{Kind: errs.TooLarge, Code: "body_too_large", Err: err,
			Message: "提交的内容过大：不能超过 " + sizeText(max) + "，请缩小后重新提交"}
	case errors.Is(err, io.EOF):
		return badJSON("", "请求体为空：应为一个 JSON 对象", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badJSON("", "请求体不完整：JSON 在结束前被截断", err)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badJSON(strings.Trim(name, `"`), "接口不认识这个字段，请对照接口文档检查字段名", err)
	}
	return badJSON("", "请求体不是有效的 JSON，请对照接口文档检查", err)
}

// badJSON is the bad_json error; with a field, the message names it and
// the field is listed.
func badJSON(field, msg string, cause error) *errs.Error {
	e := &errs.Error{Kind: errs.Invalid, Code: "bad_json", Message: msg, Err: cause}
	if field != "" {
		e.Message = "字段 " + field + " " + msg
		e.Fields = []errs.FieldError{{Field: field, Message: msg}}
	}
	return e
}

// jsonKind names in Chinese the JSON value a Go type expects.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "其他类型"
	}
	switch t.Kind() {
	case reflect.String:
		return "文本（加引号的字符串）"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "整数"
	case reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.Bool:
		return "true 或 false"
	case reflect.Slice, reflect.Array:
		return "数组"
	case reflect.Struct, reflect.Map:
		return "对象"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "其他类型"
}

// jsonValueKind names in Chinese the JSON value the decoder met, which it
// describes as "string", "number", "number 1.5", "bool", "array" or "object".
func jsonValueKind(v string) string {
	kind, detail, _ := strings.Cut(v, " ")
	names := map[string]string{"string": "文本", "number": "数字", "bool": "true/false", "array": "数组", "object": "对象"}
	name, ok := names[kind]
	if !ok {
		return "其他值"
	}
	if detail != "" {
		name += " " + detail + "（不是整数或超出范围）"
	}
	return name
}
