package build_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"shebao/internal/app/apptest"
	"shebao/internal/manual"
	"shebao/internal/manual/build"
	"shebao/internal/pdfdoc"
)

// TestFreshServerPublishesTheManuals: on a database where no manual was
// ever published, the downloads page says the manuals are being made;
// the background job (claimed by one of two servers sharing the
// database) publishes a text-only edition of every manual from this
// program's source without a browser, and the employers' page then
// offers the employer manual as PDF and web page. Run again it does
// nothing; only the illustrated editions are still to make.
func TestFreshServerPublishesTheManuals(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		anon := env.Anon(t)
		before := anon.Get(t, "/downloads/employer").WantStatus(t, http.StatusOK).
			WantBody(t, "《单位网上服务使用手册》：使用手册正在生成，请稍后刷新").Body
		if strings.Contains(before, "/downloads/v/") {
			t.Fatal("a manual offered before any was published")
		}

		peer := env.Peer(t)
		env.App.Jobs.Add(build.Job(env.App, false))
		peer.App.Jobs.Add(build.Job(peer.App, false))
		ran, err := env.App.Jobs.Tick(ctx)
		if errors.Is(err, pdfdoc.ErrNoFont) || strings.Contains(env.Logs.String(), pdfdoc.ErrNoFont.Error()) {
			if os.Getenv("SHEBAO_TEST_PDF") != "" {
				t.Fatalf("CJK font required (SHEBAO_TEST_PDF set): %v", err)
			}
			t.Skip("CJK font not installed; set SHEBAO_TEST_PDF=1 to require it")
		}
		if err != nil || !contains(ran, build.JobName) {
			t.Fatalf("first server ran %v, err %v", ran, err)
		}
		if ran, err := peer.App.Jobs.Tick(ctx); err != nil || contains(ran, build.JobName) {
			t.Fatalf("second server ran %v (err %v): the job is claimed once", ran, err)
		}

		page := anon.Get(t, "/downloads/employer").WantStatus(t, http.StatusOK).
			WantBody(t, "《单位网上服务使用手册》", manual.TextOnlyMark, "下载（PDF）", "在线阅读").Body
		if strings.Contains(page, "使用手册正在生成") {
			t.Fatal("still says the manual is being made")
		}
		if strings.Contains(page, "《个人网上服务使用手册》") {
			t.Fatal("the persons' manual on the employers' page")
		}
		// The version is the edition's number and the date its own column, no digest of the source.
		hash := manual.SourceHash()
		if !strings.Contains(page, "<td>第1版（文字版）</td><td>"+env.Clock.Now().Format("2006-01-02")+"</td>") ||
			strings.Contains(strings.ToUpper(page), strings.ToUpper(hash[:6])) {
			t.Fatalf("the version is not 第1版（文字版） with its date, or shows the source's digest:\n%s", page)
		}
		v := regexp.MustCompile(`/downloads/v/(\d+)/file`).FindString(page)
		if pdf := anon.Get(t, v).WantStatus(t, http.StatusOK).Body; !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("not a PDF: %.20q", pdf)
		}
		anon.Get(t, strings.TrimSuffix(v, "/file")+"/web").WantStatus(t, http.StatusOK).
			WantBody(t, "单位网上服务使用手册", "为文字版", manual.NoShotNote, "版本：第1版（文字版）")

		noText, noShots, err := build.Stale(ctx, env.App, hash)
		if err != nil || len(noText) != 0 || len(noShots) != len(manual.Manuals) {
			t.Fatalf("after text-only: no text %v, no shots %v, err %v", noText, noShots, err)
		}
		if res, err := build.Refresh(ctx, env.App, hash, false); err != nil || strings.Contains(res, "text-only") {
			t.Fatalf("second refresh: %q %v", res, err)
		}
		it, err := env.App.Downloads.ByKey(ctx, "manual-employer")
		if err != nil || it == nil || len(it.Versions) != 1 {
			t.Fatalf("employer manual %+v, err %v", it, err)
		}
		// A new source (an upgrade) makes the next edition, 第2版, still text-only.
		if _, err := build.Refresh(ctx, env.App, strings.Repeat("ab", 32), false); err != nil {
			t.Fatal(err)
		}
		if it, err = env.App.Downloads.ByKey(ctx, "manual-employer"); err != nil || len(it.Versions) != 2 || it.Versions[0].Label != "第2版（文字版）" {
			t.Fatalf("after a new source: %+v, err %v", it, err)
		}
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
