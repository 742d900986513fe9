package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestFAQPublic: the seeded answers are found by a word inside longer
// words, filtered by business; each shows its last check date and linked
// notice; HTML in a search is shown as text.
func TestFAQPublic(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		anon := env.Anon(t)
		anon.Get(t, "/").WantBody(t, `<a href="/faq">常见问题</a>`)
		anon.Get(t, "/faq").WantStatus(t, http.StatusOK).WantBody(t, "共 33 条", "最后核对日期：", "新成立的企业怎样办理社保参保登记？")
		body := anon.Get(t, "/faq?q="+url.QueryEscape("退休")).WantStatus(t, http.StatusOK).
			WantBody(t, "与“退休”相关的答复", "新退休人员的退休金发到哪里？", "职工到了退休年龄，单位怎样办理退休待遇核定？",
				`<a href="/notices/`, "相关公告", "保险福利科").Body
		if strings.Contains(body, "新成立的企业怎样办理社保参保登记？") {
			t.Fatal("an answer without 退休 was listed")
		}
		death := anon.Get(t, "/faq?category=death&q="+url.QueryEscape("退休")).WantBody(t, "相关的答复共 2 条").Body
		if strings.Contains(death, "新退休人员的退休金发到哪里？") {
			t.Fatal("category filter ignored")
		}
		anon.Get(t, "/faq?q="+url.QueryEscape("<script>宠物</script>")).WantStatus(t, http.StatusOK).
			WantBody(t, "没有找到与“&lt;script&gt;宠物&lt;/script&gt;”相关的答复")
		anon.Get(t, "/faq/1").WantStatus(t, http.StatusOK).WantBody(t, "新成立的企业怎样办理社保参保登记？", "最后核对日期")
		anon.Get(t, "/faq/99999").WantStatus(t, http.StatusNotFound)
	})
}

// TestFAQEditing: a section drafts a question without an answer (kept,
// publishing refused with the reason), answers and publishes it; another
// section may not touch it; stale versions are refused; retiring hides
// it; 办公室 sees the searches that recur without an answer.
func TestFAQEditing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		inj := env.LoginAs(t, apptest.Staff(access.Injury))
		coord := env.LoginAs(t, apptest.Staff(access.Coordination))
		office := env.LoginAs(t, apptest.Staff(access.Office))
		pa := env.LoginAs(t, apptest.PersonA)
		anon := env.Anon(t)
		form := url.Values{"question": {"工伤职工出院后怎样报销康复费用？"}, "category": {"accident"}, "section": {"injury"}}
		pa.PostForm(t, "/staff/faq", copyForm(form)).WantStatus(t, http.StatusForbidden)
		bad := copyForm(form)
		bad.Set("section", "welfare")
		inj.PostForm(t, "/staff/faq", bad).WantStatus(t, http.StatusForbidden)
		r := inj.PostForm(t, "/staff/faq", copyForm(form)).WantRedirect(t, "/staff/faq/")
		id := strings.TrimPrefix(r.Location(), "/staff/faq/")
		inj.PostForm(t, "/staff/faq/"+id+"/publish", url.Values{"version": {"1"}}).WantStatus(t, http.StatusUnprocessableEntity).
			WantBody(t, "请先填写答复再发布", "工伤职工出院后怎样报销康复费用？")
		inj.Get(t, "/staff/faq?status=draft").WantBody(t, "工伤职工出院后怎样报销康复费用？", "草稿")
		anon.Get(t, "/faq/"+id).WantStatus(t, http.StatusNotFound)

		form.Set("answer", "凭康复机构的费用清单和发票，随工伤待遇申报一并递交。")
		form.Set("keywords", "康复 报销")
		form.Set("version", "1")
		coord.PostForm(t, "/staff/faq/"+id, copyForm(form)).WantStatus(t, http.StatusForbidden)
		inj.PostForm(t, "/staff/faq/"+id, copyForm(form)).WantRedirect(t, "/staff/faq/"+id)
		inj.PostForm(t, "/staff/faq/"+id, copyForm(form)).WantStatus(t, http.StatusConflict)
		coord.PostForm(t, "/staff/faq/"+id+"/publish", url.Values{"version": {"2"}}).WantStatus(t, http.StatusForbidden)
		inj.PostForm(t, "/staff/faq/"+id+"/publish", url.Values{"version": {"2"}}).WantRedirect(t, "/staff/faq/"+id)
		anon.Get(t, "/faq?q="+url.QueryEscape("康复")).WantBody(t, "工伤职工出院后怎样报销康复费用？", "工伤保险待遇科")
		office.PostForm(t, "/staff/faq/"+id+"/retire", url.Values{"version": {"3"}}).WantRedirect(t, "/staff/faq/"+id)
		anon.Get(t, "/faq/"+id).WantStatus(t, http.StatusNotFound)
		env.LoginAs(t, apptest.Staff(access.Audit)).Get(t, "/staff/audit?entity=faqs").WantStatus(t, http.StatusOK).
			WantBody(t, "新建常见问题", "发布常见问题", "停用常见问题")

		// Searches without an answer, twice, reach 办公室's list.
		for range 2 {
			anon.Get(t, "/faq?q="+url.QueryEscape("生育津贴怎么领"))
		}
		anon.Get(t, "/faq?q="+url.QueryEscape("只搜一次的问题"))
		inj.Get(t, "/staff/faq/misses").WantStatus(t, http.StatusForbidden)
		m := office.Get(t, "/staff/faq/misses").WantStatus(t, http.StatusOK).WantBody(t, "生育津贴怎么领", "补充答复").Body
		if strings.Contains(m, "只搜一次的问题") {
			t.Fatal("a single miss listed as recurring")
		}
		office.Get(t, "/staff/faq/new?question="+url.QueryEscape("生育津贴怎么领")).WantBody(t, `value="生育津贴怎么领"`)
	})
}
