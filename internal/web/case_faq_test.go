package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/faq"
)

// TestPhoneConsultationPicksAnAnswer: a clerk logging a phone call as a
// case finds a common question's answer and picks it; the case keeps the
// answer and the use is counted. A question without a published answer is
// refused with the reason next to the field, and no case is created.
func TestPhoneConsultationPicksAnAnswer(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		page := clerk.Get(t, "/staff/cases/new?faq_q="+url.QueryEscape("工伤")).WantStatus(t, http.StatusOK).Body
		ids := between(page, `name="faq_id" value="`, `"`)
		if len(ids) == 0 {
			t.Fatalf("no answers offered for 工伤:\n%s", page)
		}
		office := env.Actor(t, apptest.Staff(access.Office))
		draft, err := env.App.FAQ.Create(ctx, office, faq.Input{Question: "工伤职工出院后复查要办什么手续？", Category: faq.Accident, Section: access.Injury})
		if err != nil {
			t.Fatal(err)
		}
		form := func(id string) url.Values {
			return url.Values{"type": {"injury_medical_claim"}, "channel": {"phone"}, "applicant_kind": {"anonymous"},
				"applicant_name": {"张先生"}, "title": {"电话咨询：工伤复查"}, "faq_id": {id}}
		}
		r := clerk.PostForm(t, "/staff/cases/new", form(strconv.FormatInt(draft.ID, 10))).WantStatus(t, http.StatusUnprocessableEntity)
		r.WantBody(t, "没有已发布的答复（还是草稿），不能选用", `value="电话咨询：工伤复查"`)
		clerk.PostForm(t, "/staff/cases/new", url.Values{"type": {"injury_medical_claim"}, "channel": {"phone"},
			"applicant_kind": {"anonymous"}, "applicant_name": {"张先生"}, "title": {"x"}, "faq_ref": {"999999"}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "没有编号为 999999 的常见问题")
		var cases int
		env.App.DB.W.QueryRow(`SELECT COUNT(*) FROM cases WHERE title = '电话咨询：工伤复查'`).Scan(&cases)
		if cases != 0 {
			t.Fatal("a case was created with an unpublished answer")
		}

		id, _ := strconv.ParseInt(ids[0], 10, 64)
		loc := clerk.PostForm(t, "/staff/cases/new", form(ids[0])).WantRedirect(t, "/staff/cases/").Location()
		f, _ := env.App.FAQ.Get(ctx, office, id)
		clerk.Get(t, loc).WantStatus(t, http.StatusOK).WantBody(t, "已按常见问题第 "+ids[0]+" 号答复", f.Question)
		if n, err := env.App.FAQ.Uses(ctx, id); err != nil || n != 1 {
			t.Fatalf("uses of answer %d: %d %v", id, n, err)
		}
	})
}

// between returns every text between start and end in s.
func between(s, start, end string) []string {
	var out []string
	for {
		i := strings.Index(s, start)
		if i < 0 {
			return out
		}
		s = s[i+len(start):]
		j := strings.Index(s, end)
		if j < 0 {
			return out
		}
		out = append(out, s[:j])
		s = s[j:]
	}
}
