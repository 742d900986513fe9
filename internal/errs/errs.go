// Package errs defines the small set of error kinds every Shebao service
// returns. The web layer maps kinds to HTTP status in exactly one place
// (internal/web/errors.go); users read Message, which is Chinese and says
// what to fix; internals are logged once and never shown.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error for the caller.
type Kind string

// The kinds. Keep this list short.
const (
	Invalid         Kind = "invalid"         // input is wrong; Fields says where
	NotFound        Kind = "not_found"       // no such record (or not visible to the actor)
	Conflict        Kind = "conflict"        // duplicate or concurrent change
	Forbidden       Kind = "forbidden"       // actor may not do this
	Unauthenticated Kind = "unauthenticated" // no or bad credentials
	TooMany         Kind = "too_many"        // rate limited or locked out
	TooLarge        Kind = "too_large"       // the request body is over its route's limit
	Internal        Kind = "internal"        // a bug or an outage; details logged, not shown
)

// FieldError names one form or JSON field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the one error type services return for expected failures.
type Error struct {
	Kind    Kind
	Code    string       // stable machine code, e.g. "uscc_duplicate"
	Message string       // Chinese, for the user
	Fields  []FieldError // per-field problems, for forms and the API
	Err     error        // wrapped cause, for logs only

	// RetryAfter, for TooMany, is how long to wait before trying again
	// (the Retry-After header); zero when unknown.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, errs.E(kind)) match by kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == "" && t.Message == "" && t.Kind == e.Kind
}

// E returns a bare error of a kind, for errors.Is comparisons.
func E(k Kind) error { return &Error{Kind: k} }

// New builds an error of a kind with a code and a Chinese message.
func New(k Kind, code, msg string) *Error { return &Error{Kind: k, Code: code, Message: msg} }

// Wrap builds an Internal error around a cause.
func Wrap(err error, msg string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: Internal, Code: "internal", Message: "系统内部错误，请稍后重试", Err: fmt.Errorf("%s: %w", msg, err)}
}

// KindOf returns the kind of err, Internal for foreign errors.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the *Error inside err, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Fields collects field errors while validating a form.
type Fields []FieldError

// Add records a problem with a field.
func (f *Fields) Add(field, msg string) { *f = append(*f, FieldError{Field: field, Message: msg}) }

// Has reports whether a field already has a problem.
func (f Fields) Has(field string) bool {
	for _, e := range f {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Err returns an Invalid error listing the fields, or nil if there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Code: "invalid_input", Message: "提交的信息有误，请按提示修改", Fields: append([]FieldError(nil), f...)}
}

// NotFoundf is a NotFound with a message.
func NotFoundf(format string, a ...any) error {
	return &Error{Kind: NotFound, Code: "not_found", Message: fmt.Sprintf(format, a...)}
}

// Forbid is the standard Forbidden error.
func Forbid() error {
	return &Error{Kind: Forbidden, Code: "forbidden", Message: "您无权办理此项业务"}
}

// LoginRequired is the error of every request that needs a signed-in
// actor and has none: one value, so the message reads the same everywhere.
func LoginRequired() error {
	return &Error{Kind: Unauthenticated, Code: "login_required", Message: "请先登录"}
}

// StaleVersion is the standard optimistic-lock conflict.
func StaleVersion() error {
	return &Error{Kind: Conflict, Code: "stale_version", Message: "该记录已被他人修改或处理，请刷新后重试"}
}
