package app_test

import (
	"testing"
	"time"

	"shebao/internal/app/apptest"
	"shebao/internal/retirement"
)

// TestRetirementSwitchFromConfig: the switch date of the internal push
// comes from the configuration; without one it is the default.
func TestRetirementSwitchFromConfig(t *testing.T) {
	t.Setenv("SHEBAO_RETIREMENT_SWITCH", "")
	env := apptest.New(t, "sqlite")
	if got := env.App.Retirement.SwitchDate(); !got.Equal(retirement.DefaultSwitchDate) {
		t.Fatalf("default switch %v", got)
	}
	t.Setenv("SHEBAO_RETIREMENT_SWITCH", "2024-06-01")
	env = apptest.New(t, "sqlite")
	if got := env.App.Retirement.SwitchDate().Format(time.DateOnly); got != "2024-06-01" {
		t.Fatalf("configured switch %s", got)
	}
}
