package app_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"shebao/internal/app/apptest"
)

// TestServeWarnsOnceWithoutPublicURL: a server without SHEBAO_PUBLIC_URL
// says once, when it starts, that production should set it; requests for
// certificates do not repeat it.
func TestServeWarnsOnceWithoutPublicURL(t *testing.T) {
	t.Setenv("SHEBAO_PUBLIC_URL", "")
	env := apptest.New(t, "sqlite")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- env.App.Serve(ctx, ln) }()
	for i := 0; i < 3; i++ {
		resp, err := http.Get("http://" + ln.Addr().String() + "/certificate/check?code=ABCD-EFGH-JKLM-NPQR-STUV")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(env.Logs.String(), "SHEBAO_PUBLIC_URL is not set"); n != 1 {
		t.Fatalf("warning logged %d times, want once:\n%s", n, env.Logs.String())
	}
}
