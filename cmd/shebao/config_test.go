package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"shebao/internal/clock"
)

func parseCommon(t *testing.T, args ...string) commonFlags {
	t.Helper()
	var c commonFlags
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRetirementSwitchIsConfigured: the first day of the internal push is
// the seed's 2024-02-03 unless the flag or the environment says otherwise;
// a malformed date is refused naming the flag.
func TestRetirementSwitchIsConfigured(t *testing.T) {
	t.Setenv("SHEBAO_RETIREMENT_SWITCH", "")
	c := parseCommon(t)
	cfg, err := c.config()
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 2, 3, 0, 0, 0, 0, clock.Shanghai); !cfg.RetirementSwitch.Equal(want) {
		t.Fatalf("default switch %v, want %v", cfg.RetirementSwitch, want)
	}
	t.Setenv("SHEBAO_RETIREMENT_SWITCH", "2024-05-01")
	c = parseCommon(t)
	if cfg, _ = c.config(); cfg.RetirementSwitch.Format(time.DateOnly) != "2024-05-01" {
		t.Fatalf("env switch %v", cfg.RetirementSwitch)
	}
	c = parseCommon(t, "--retirement-switch", "2025-01-02")
	if cfg, _ = c.config(); cfg.RetirementSwitch.Format(time.DateOnly) != "2025-01-02" {
		t.Fatalf("flag switch %v", cfg.RetirementSwitch)
	}
	c = parseCommon(t, "--retirement-switch", "2024/02/03")
	if _, err := c.config(); err == nil || !strings.Contains(err.Error(), "--retirement-switch") {
		t.Fatalf("bad date: %v", err)
	}
}
