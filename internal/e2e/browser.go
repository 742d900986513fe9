// Package e2e holds the browser journeys: a real Chromium (Debian's
// package) driven by chromedp against a full Shebao served on loopback.
package e2e

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvRequireBrowser makes a missing Chromium a test failure instead of a skip (CI sets it).
const EnvRequireBrowser = "SHEBAO_TEST_BROWSER"

// chromiumPath finds the browser binary.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts a headless Chromium for the test and returns a chromedp
// context; it skips the test when no browser is installed, unless
// SHEBAO_TEST_BROWSER=1, in which case that is a failure.
func Browser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv(EnvRequireBrowser) != "" {
			t.Fatal("Chromium not found but SHEBAO_TEST_BROWSER is set: apt-get install chromium")
		}
		t.Skip("Chromium not installed; set SHEBAO_TEST_BROWSER=1 to require it")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1200, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelCtx := chromedp.NewContext(actx)
	// The first run starts the browser; it must not carry a timeout, which
	// would stop the whole browser (chromedp's rule).
	if err := chromedp.Do(bctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}
