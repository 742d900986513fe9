package logredact

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
)

// Handler wraps another slog.Handler and masks ID numbers and mobile
// numbers in the message and in every attribute before passing the record
// on: strings, integers of ten or more digits, errors, Stringers and other
// values (through their JSON or fmt form), inside groups too. A value that
// needs masking is replaced by its masked string; records that hold nothing
// to mask are passed on untouched.
type Handler struct {
	next slog.Handler
}

// New returns a masking handler in front of next.
func New(next slog.Handler) *Handler { return &Handler{next: next} }

// Enabled reports whether the wrapped handler handles level l.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle masks r and passes it to the wrapped handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	msg := Text(r.Message)
	changed := msg != r.Message
	var buf [8]slog.Attr
	attrs := buf[:0]
	r.Attrs(func(a slog.Attr) bool {
		m, ch := redactAttr(a)
		changed = changed || ch
		attrs = append(attrs, m)
		return true
	})
	if !changed {
		return h.next.Handle(ctx, r)
	}
	nr := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	nr.AddAttrs(attrs...)
	return h.next.Handle(ctx, nr)
}

// WithAttrs masks attrs once and returns a handler that adds them.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i], _ = redactAttr(a)
	}
	return &Handler{next: h.next.WithAttrs(out)}
}

// WithGroup returns a handler that opens group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name)}
}

// redactAttr returns a with its value masked and whether it changed.
func redactAttr(a slog.Attr) (slog.Attr, bool) {
	v := a.Value
	if v.Kind() == slog.KindLogValuer {
		v = v.Resolve()
	}
	switch v.Kind() {
	case slog.KindString:
		return maskedString(a, v.String())
	case slog.KindInt64:
		if n := v.Int64(); n >= 1e10 || n <= -1e10 {
			return maskedString(a, strconv.FormatInt(n, 10))
		}
	case slog.KindUint64:
		if n := v.Uint64(); n >= 1e10 {
			return maskedString(a, strconv.FormatUint(n, 10))
		}
	case slog.KindGroup:
		return redactGroup(a.Key, v.Group())
	case slog.KindAny:
		return maskedString(a, anyText(v.Any()))
	}
	return a, false
}

// maskedString returns a unchanged when s needs no masking, else an
// attribute holding the masked s.
func maskedString(a slog.Attr, s string) (slog.Attr, bool) {
	m := Text(s)
	if m == s {
		return a, false
	}
	return slog.String(a.Key, m), true
}

func redactGroup(key string, attrs []slog.Attr) (slog.Attr, bool) {
	out := make([]slog.Attr, len(attrs))
	changed := false
	for i, a := range attrs {
		var ch bool
		out[i], ch = redactAttr(a)
		changed = changed || ch
	}
	if !changed {
		return slog.Attr{Key: key, Value: slog.GroupValue(attrs...)}, false
	}
	return slog.Attr{Key: key, Value: slog.GroupValue(out...)}, true
}

// anyText is the text a handler would write for v, near enough to find
// what needs masking.
func anyText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	case []byte:
		return string(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
