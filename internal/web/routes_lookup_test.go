package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/ident"
)

// TestStaffLookup: staff find persons by full name or ID number and
// employers by part of the name, number or credit code; results are
// masked; wildcards in the query are literal; other roles are refused.
func TestStaffLookup(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		a := env.User(t, apptest.PersonA)
		clerk := env.LoginAs(t, apptest.Staff(access.Welfare))
		clerk.Get(t, "/staff/lookup").WantStatus(t, http.StatusOK).WantBody(t, "查找单位或人员")
		r := clerk.Get(t, "/staff/lookup?kind=person&q="+url.QueryEscape("张伟")).WantStatus(t, http.StatusOK).
			WantBody(t, "找到 1 条", "张*", ident.MaskID(a.Username))
		if strings.Contains(r.Body, a.Username) || strings.Contains(r.Body, ">张伟<") {
			t.Fatal("the search shows clear data")
		}
		clerk.Get(t, "/staff/lookup?kind=person&q="+a.Username).WantBody(t, "找到 1 条", ident.MaskID(a.Username))
		clerk.Get(t, "/staff/lookup?kind=person&q="+url.QueryEscape("张")).WantBody(t, "请输入完整的姓名")
		emp := env.User(t, apptest.EmployerA)
		clerk.Get(t, "/staff/lookup?kind=employer&q="+url.QueryEscape("测试科技")).WantBody(t, "找到 1 条", "北京甲测试科技有限公司")
		clerk.Get(t, "/staff/lookup?kind=employer&q="+emp.Username).WantBody(t, "找到 1 条", "北京甲测试科技有限公司")
		clerk.Get(t, "/staff/lookup?kind=employer&q="+url.QueryEscape("%%")).WantBody(t, "找到 0 条")
		clerk.Get(t, "/staff/lookup?kind=employer&q="+url.QueryEscape("北京")).WantBody(t, "北京甲测试科技有限公司", "北京乙")
		// The count comes with the page; past the last page it is still said.
		all := clerk.Get(t, "/staff/lookup?kind=employer&q="+url.QueryEscape("北京")).Body
		found := all[strings.Index(all, "找到 "):]
		found = found[:strings.Index(found, "条")+len("条")]
		clerk.Get(t, "/staff/lookup?kind=employer&page=50&q="+url.QueryEscape("北京")).WantBody(t, found)
		if found == "找到 0 条" {
			t.Fatal("no employer named 北京… was counted")
		}
		for _, key := range []string{apptest.EmployerA, apptest.PersonA} {
			env.LoginAs(t, key).Get(t, "/staff/lookup?kind=person&q="+url.QueryEscape("张伟")).WantStatus(t, http.StatusForbidden)
		}
		env.Anon(t).Get(t, "/staff/lookup?kind=person&q="+url.QueryEscape("张伟")).WantRedirect(t, "/login")
	})
}
