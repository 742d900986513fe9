package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

type noticeList struct {
	Items []struct {
		ID       int64  `json:"id"`
		Title    string `json:"title"`
		Category string `json:"category"`
	} `json:"items"`
	Total int `json:"total"`
	Page  int `json:"page"`
}

// TestNoticesPublic: the seeded notices are on the home page, the list
// (with category filter and search) and the API.
func TestNoticesPublic(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		anon := env.Anon(t)
		anon.Get(t, "/").WantStatus(t, http.StatusOK).WantBody(t, "最新公告", "应急期间社保业务“不见面”办理的措施", "各科室联系电话和电子邮箱")
		anon.Get(t, "/notices").WantStatus(t, http.StatusOK).WantBody(t, "统筹科", "工伤保险待遇科", "共 10 条")
		var l noticeList
		anon.Get(t, "/api/v1/notices?category=contact").WantStatus(t, http.StatusOK).JSON(t, &l)
		if l.Total != 1 || len(l.Items) != 1 {
			t.Fatalf("contacts %+v", l)
		}
		anon.Get(t, "/notices/"+itoa(l.Items[0].ID)).WantStatus(t, http.StatusOK).
			WantBody(t, "tongchou@shebao.example", "bangongshi@shebao.example", "演示数据")
		anon.Get(t, "/api/v1/notices?q="+url.QueryEscape("工伤事故报告")).JSON(t, &l)
		if l.Total != 1 || !strings.Contains(l.Items[0].Title, "工伤保险待遇科") {
			t.Fatalf("search %+v", l)
		}
		anon.Get(t, "/notices/99999").WantStatus(t, http.StatusNotFound)
		anon.Get(t, "/api/v1/notices/abc").WantStatus(t, http.StatusNotFound)
	})
}

// TestNoticeLifecycleWeb: 办公室 drafts, publishes after confirming,
// withdraws; HTML in the text is shown as text; others may not edit.
func TestNoticeLifecycleWeb(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		office := env.LoginAs(t, apptest.Staff(access.Office))
		clerk := env.LoginAs(t, apptest.Staff(access.Coordination))
		pa := env.LoginAs(t, apptest.PersonA)
		anon := env.Anon(t)
		form := url.Values{"title": {"<script>alert(1)</script>大厅消毒"}, "category": {"emergency"},
			"body": {"第一段 <img src=x onerror=alert(1)>\r\n\r\n第二段"}, "pinned": {"1"}}
		clerk.PostForm(t, "/staff/notices", copyForm(form)).WantStatus(t, http.StatusForbidden)
		pa.Get(t, "/staff/notices").WantStatus(t, http.StatusForbidden)
		office.PostForm(t, "/staff/notices", url.Values{"title": {""}, "category": {"emergency"}, "body": {"x"}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请填写标题")
		r := office.PostForm(t, "/staff/notices", form).WantRedirect(t, "/staff/notices/")
		id := strings.TrimPrefix(r.Location(), "/staff/notices/")
		anon.Get(t, "/notices/"+id).WantStatus(t, http.StatusNotFound)

		office.Get(t, "/staff/notices/"+id+"/publish").WantStatus(t, http.StatusOK).WantBody(t, "确认发布")
		clerk.PostForm(t, "/staff/notices/"+id+"/publish", url.Values{"version": {"1"}}).WantStatus(t, http.StatusForbidden)
		office.PostForm(t, "/staff/notices/"+id+"/publish", url.Values{"version": {"1"}}).WantRedirect(t, "/staff/notices/"+id)
		office.PostForm(t, "/staff/notices/"+id+"/publish", url.Values{"version": {"1"}}).WantStatus(t, http.StatusConflict)

		page := anon.Get(t, "/notices/"+id).WantStatus(t, http.StatusOK)
		page.WantBody(t, "&lt;script&gt;alert(1)&lt;/script&gt;大厅消毒", "<p>第一段 &lt;img src=x onerror=alert(1)&gt;</p>", "<p>第二段</p>")
		if strings.Contains(page.Body, "<script>alert") || strings.Contains(page.Body, "<img src=x") {
			t.Fatal("notice HTML not escaped")
		}
		// Pinned: first on the home page.
		home := anon.Get(t, "/").Body
		if strings.Index(home, "大厅消毒") < 0 || strings.Index(home, "大厅消毒") > strings.Index(home, "各科室联系电话") {
			t.Fatal("pinned new notice not first on the home page")
		}
		// Edit keeps it published; the stale version is refused.
		form.Set("title", "大厅消毒安排")
		form.Set("version", "1")
		office.PostForm(t, "/staff/notices/"+id, form).WantStatus(t, http.StatusConflict)
		form.Set("version", "2")
		office.PostForm(t, "/staff/notices/"+id, form).WantRedirect(t, "/staff/notices/"+id)
		anon.Get(t, "/notices/"+id).WantBody(t, "大厅消毒安排")

		office.Get(t, "/staff/notices/"+id+"/withdraw").WantBody(t, "确认撤回")
		office.PostForm(t, "/staff/notices/"+id+"/withdraw", url.Values{"version": {"3"}}).WantRedirect(t, "/staff/notices/"+id)
		anon.Get(t, "/notices/"+id).WantStatus(t, http.StatusNotFound)
		office.Get(t, "/staff/notices?status=withdrawn").WantStatus(t, http.StatusOK).WantBody(t, "大厅消毒安排", "已撤回")
		env.LoginAs(t, apptest.Staff(access.Audit)).Get(t, "/staff/audit?entity=notices").WantStatus(t, http.StatusOK)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestNoticePoster: a published notice prints as an A4 or A3 poster with
// its title, the hotline and two QR codes; drafts stay hidden from the
// public.
func TestNoticePoster(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	anon := env.Anon(t)
	anon.Get(t, "/notices/1").WantStatus(t, http.StatusOK).WantBody(t, `href="/notices/1/poster.pdf?size=A3"`)
	for size, wantPts := range map[string]string{"A3": "841.89 x 1190.55", "a4": "595.28 x 841.89"} {
		r := anon.Get(t, "/notices/1/poster.pdf?size="+size)
		if r.Status == http.StatusServiceUnavailable {
			if os.Getenv("SHEBAO_TEST_PDF") != "" {
				t.Fatal("no font for the poster")
			}
			t.Skip("CJK font not installed")
		}
		r.WantStatus(t, http.StatusOK)
		if !strings.HasPrefix(r.Body, "%PDF-") || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("poster %s is not a PDF", size)
		}
		if _, err := exec.LookPath("pdfinfo"); err != nil {
			continue
		}
		f := filepath.Join(t.TempDir(), "p.pdf")
		os.WriteFile(f, []byte(r.Body), 0o600)
		info, _ := exec.Command("pdfinfo", f).Output()
		if !strings.Contains(string(info), wantPts) || !strings.Contains(string(info), "Pages:           1") {
			t.Errorf("poster %s:\n%s", size, info)
		}
		txt, _ := exec.Command("pdftotext", f, "-").Output()
		text := strings.Join(strings.Fields(string(txt)), "")
		n, _ := env.App.Notices.Get(context.Background(), nil, 1)
		if !strings.Contains(text, strings.Join(strings.Fields(n.Title), "")) || !strings.Contains(text, "12333") ||
			!strings.Contains(text, "扫码查看公告全文") || !strings.Contains(text, "扫码进入网上服务") {
			t.Errorf("poster %s text:\n%s", size, txt)
		}
	}
	anon.Get(t, "/notices/999999/poster.pdf").WantStatus(t, http.StatusNotFound)
}
