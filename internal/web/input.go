package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/errs"
)

// input reads typed values out of a submitted form or a query string. Each
// value that is not what its field takes adds a field error in Chinese
// naming the field; the handler reads every field, then asks Err once. So a
// mistyped number is "invalid input" and never a silent zero.
//
//	in := formInput(r)
//	version := in.Version()
//	slot := in.Int64("slot_id", "预约时段")
//	if err := in.Err(); err != nil { ... }
type input struct {
	values url.Values
	fields errs.Fields
}

// formInput reads the form body (parseForms has parsed it already, except
// in tests of one area without the middleware).
func formInput(r *http.Request) *input {
	if r.PostForm == nil {
		_ = r.ParseMultipartForm(32 << 20) // as r.PostFormValue would
	}
	return &input{values: r.PostForm}
}

// queryInput reads the URL's query string.
func queryInput(r *http.Request) *input { return &input{values: r.URL.Query()} }

// Int64 reads a required whole number; label is the field's Chinese name.
func (in *input) Int64(name, label string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(in.values.Get(name)), 10, 64)
	if err != nil {
		in.fields.Add(name, label+"应为整数")
		return 0
	}
	return n
}

// Int reads a required whole number that fits an int.
func (in *input) Int(name, label string) int {
	n, err := strconv.Atoi(strings.TrimSpace(in.values.Get(name)))
	if err != nil {
		in.fields.Add(name, label+"应为整数")
		return 0
	}
	return n
}

// OptionalInt reads a whole number that may be left empty (then 0, and the
// service says whether it was needed); anything else than digits is an error.
func (in *input) OptionalInt(name, label string) int {
	if strings.TrimSpace(in.values.Get(name)) == "" {
		return 0
	}
	return in.Int(name, label)
}

// OptionalInt64 is OptionalInt for 64-bit numbers such as record ids.
func (in *input) OptionalInt64(name, label string) int64 {
	if strings.TrimSpace(in.values.Get(name)) == "" {
		return 0
	}
	return in.Int64(name, label)
}

// Int64s reads every value of a repeated field (ticked checkboxes) as
// whole numbers; one that is not adds a single field error.
func (in *input) Int64s(name, label string) []int64 {
	var out []int64
	for _, v := range in.values[name] {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			in.fields.Add(name, label+"不正确，请刷新页面后重新选择")
			return nil
		}
		out = append(out, n)
	}
	return out
}

// Version reads the record version a form was rendered with (the hidden
// "version" field of optimistic locking).
func (in *input) Version() int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(in.values.Get("version")), 10, 64)
	if err != nil || n < 0 {
		in.fields.Add("version", "版本号缺失或不是整数，请刷新页面后重新提交")
		return 0
	}
	return n
}

// OptionalVersion is Version where the service takes 0 for "do not check"
// (an empty field); anything else than digits is still an error.
func (in *input) OptionalVersion() int64 {
	if strings.TrimSpace(in.values.Get("version")) == "" {
		return 0
	}
	return in.Version()
}

// Err is the Invalid error listing every bad field, or nil. Its message
// names the fields, for pages that show only the message.
func (in *input) Err() error {
	if len(in.fields) == 0 {
		return nil
	}
	msgs := make([]string, len(in.fields))
	for i, f := range in.fields {
		msgs[i] = f.Message
	}
	return &errs.Error{Kind: errs.Invalid, Code: "invalid_input", Message: strings.Join(msgs, "；"),
		Fields: append([]errs.FieldError(nil), in.fields...)}
}

// formVersion reads just the form's version.
func formVersion(r *http.Request) (int64, error) {
	in := formInput(r)
	v := in.Version()
	return v, in.Err()
}

// idAndVersion reads the route's {id} (malformed: NotFound) and the form's
// version (malformed: Invalid), for the many "act on this record" posts.
func idAndVersion(r *http.Request) (id, version int64, err error) {
	if id, err = pathID(r); err != nil {
		return 0, 0, err
	}
	version, err = formVersion(r)
	return id, version, err
}

// pageID reads the route's {id} for a page; a malformed one shows the
// error page (NotFound) and pageID reports false.
func (s *Server) pageID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return 0, false
	}
	return id, true
}

// pageIDAndVersion reads {id} and the form's version (idAndVersion); a
// malformed one shows the error page and it reports false.
func (s *Server) pageIDAndVersion(w http.ResponseWriter, r *http.Request) (id, version int64, ok bool) {
	id, version, err := idAndVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return 0, 0, false
	}
	return id, version, true
}
