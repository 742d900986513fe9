package logredact

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
)

type person struct {
	Name  string
	Phone string
}

type idValuer string

func (v idValuer) LogValue() slog.Value { return slog.StringValue(string(v)) }

type stringer struct{}

func (stringer) String() string { return "contact 13812345678" }

func newLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(New(slog.NewJSONHandler(buf, nil)))
}

func TestHandlerMasksEverywhere(t *testing.T) {
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		want string
	}{
		{"message", func(l *slog.Logger) { l.Info("looked up 110101199003077777") }, `"msg":"looked up 1101**********7777"`},
		{"string attr", func(l *slog.Logger) { l.Info("x", "phone", "13812345678") }, `"phone":"138****5678"`},
		{"int attr", func(l *slog.Logger) { l.Info("x", "phone", 13812345678) }, `"phone":"138****5678"`},
		{"uint attr", func(l *slog.Logger) { l.Info("x", slog.Uint64("phone", 13812345678)) }, `"phone":"138****5678"`},
		{"error", func(l *slog.Logger) {
			l.Error("x", "err", errors.New(`duplicate key (id_number)=(110101199003077777)`))
		}, `"err":"duplicate key (id_number)=(1101**********7777)"`},
		{"stringer", func(l *slog.Logger) { l.Info("x", "s", stringer{}) }, `"s":"contact 138****5678"`},
		{"struct", func(l *slog.Logger) { l.Info("x", "p", person{"张*", "13812345678"}) }, `138****5678`},
		{"log valuer", func(l *slog.Logger) { l.Info("x", "id", idValuer("110101199003077777")) }, `"id":"1101**********7777"`},
		{"group", func(l *slog.Logger) {
			l.Info("x", slog.Group("who", slog.String("id", "110101199003077777"), slog.Int("n", 3)))
		}, `"who":{"id":"1101**********7777","n":3}`},
		{"with attrs", func(l *slog.Logger) { l.With("phone", "13812345678").Info("x") }, `"phone":"138****5678"`},
		{"with group", func(l *slog.Logger) { l.WithGroup("g").Info("x", "phone", "13812345678") }, `"g":{"phone":"138****5678"}`},
		{"many attrs", func(l *slog.Logger) {
			l.Info("x", "a", 1, "b", 2, "c", 3, "d", 4, "e", 5, "f", 6, "g", 7, "h", 8, "i", 9, "phone", "13812345678")
		}, `"i":9,"phone":"138****5678"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(newLogger(&buf))
			out := buf.String()
			if !strings.Contains(out, tt.want) {
				t.Fatalf("log line %s does not contain %s", out, tt.want)
			}
			for _, clear := range []string{"110101199003077777", "13812345678"} {
				if strings.Contains(out, clear) {
					t.Fatalf("log line holds %s in clear: %s", clear, out)
				}
			}
		})
	}
}

func TestHandlerLeavesCleanRecordsAlone(t *testing.T) {
	var buf bytes.Buffer
	newLogger(&buf).Info("request", "status", 200, "employer_id", int64(12345678901), "path", "/x")
	// 12345678901 is 11 digits but not a mobile number: kept as a number.
	if !strings.Contains(buf.String(), `"status":200,"employer_id":12345678901,"path":"/x"`) {
		t.Fatalf("unexpected change: %s", buf.String())
	}
}

func TestHandlerEnabledFollowsWrapped(t *testing.T) {
	h := New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelError) {
		t.Fatal("Enabled does not follow the wrapped handler")
	}
}

func BenchmarkHandlerClean(b *testing.B) {
	l := slog.New(New(slog.NewJSONHandler(io.Discard, nil)))
	ctx := context.Background()
	for b.Loop() {
		l.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", "9f3a0c1d2e4b5a69"),
			slog.String("method", "GET"), slog.String("path", "/employer"), slog.Int("status", 200))
	}
}

func BenchmarkHandlerDirty(b *testing.B) {
	l := slog.New(New(slog.NewJSONHandler(io.Discard, nil)))
	ctx := context.Background()
	for b.Loop() {
		l.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", "9f3a0c1d2e4b5a69"),
			slog.String("method", "GET"), slog.String("path", "/person/110101199003077777"), slog.Int("status", 200))
	}
}

func BenchmarkPlainJSONHandler(b *testing.B) {
	l := slog.New(slog.NewJSONHandler(io.Discard, nil))
	ctx := context.Background()
	for b.Loop() {
		l.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", "9f3a0c1d2e4b5a69"),
			slog.String("method", "GET"), slog.String("path", "/employer"), slog.Int("status", 200))
	}
}
