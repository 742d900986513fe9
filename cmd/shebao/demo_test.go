package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shebao/internal/app"
	"shebao/internal/clock"
	"shebao/internal/errs"
)

func TestDemoCommand(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"--data", data, "--employers", "5", "--persons", "40", "--now", "2024-02-10"}
	if err := runDemo(ctx, args); err != nil {
		t.Fatal(err)
	}
	err := runDemo(ctx, args)
	if e := errs.As(err); e == nil || e.Code != "demo_not_empty" || !strings.Contains(e.Message, "--force") {
		t.Fatalf("second run on a non-empty database: %v", err)
	}
	if err := runDemo(ctx, append(args, "--force")); err != nil {
		t.Fatalf("--force: %v", err)
	}
	a, err := app.Open(ctx, app.Config{DataDir: data, LogOut: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var n int
	a.DB.R.QueryRow(`SELECT COUNT(*) FROM persons`).Scan(&n)
	if n != 80 {
		t.Fatalf("%d persons after a run and a --force run, want 80", n)
	}
	if err := runDemo(ctx, []string{"--data", data, "--persons", "-3"}); err == nil {
		t.Fatal("negative --persons accepted")
	}
	if err := runDemo(ctx, []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
}

func TestServeDemoSeedsOnce(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), LogOut: io.Discard,
		Clock: clock.NewFixed(time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var first, second strings.Builder
	if err := seedDemoIfEmpty(ctx, a, &first); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5000 名参保人员", "tongchou", "bangongshi", "admin", "Demo@2024", "统筹科", "无需首次登录改密", "sbk_"} {
		if !strings.Contains(first.String(), want) {
			t.Errorf("first start output lacks %q", want)
		}
	}
	start := time.Now()
	if err := seedDemoIfEmpty(ctx, a, &second); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("already-seeded check took %v", took)
	}
	if !strings.HasPrefix(second.String(), "演示数据已存在") || strings.Count(second.String(), "\n") != 1 {
		t.Errorf("second start output: %q", second.String())
	}
}
