package injury_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/injury"
)

// pngBytes is a small real PNG.
func pngBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// employ makes person-a an employee of employer-a since 2023-01 and
// returns person-a's ID number.
func employ(t testing.TB, env *apptest.Env) string {
	t.Helper()
	ctx := context.Background()
	u := env.User(t, apptest.PersonA)
	now := env.Clock.Now()
	if _, err := env.App.DB.W.ExecContext(ctx, `INSERT INTO employments (person_id, employer_id, start_month, base_fen,
		created_at, updated_at) VALUES ($1, $2, '2023-01', 800000, $3, $3)`, u.PersonID,
		env.User(t, apptest.EmployerA).EmployerID, now); err != nil {
		t.Fatal(err)
	}
	var id string
	if err := env.App.DB.R.QueryRowContext(ctx, `SELECT id_number FROM persons WHERE id = $1`, u.PersonID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// reportForm posts the accident report form with photos as multipart.
func reportForm(t *testing.T, c *apptest.Client, fields url.Values, photos map[string][]byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", c.CSRF)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, data := range photos {
		fw, err := mw.CreateFormFile("photos", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return c.Do(t, http.MethodPost, "/employer/injury/reports/new", &body,
		http.Header{"Content-Type": {mw.FormDataContentType()}})
}

func accident(workerID string) url.Values {
	return url.Values{"worker_id_number": {workerID}, "accident_at": {"2024-02-09T08:00"},
		"place": {"二号车间"}, "what": {"搬运货物时被叉车撞伤"}, "injury": {"左腿骨折"},
		"hospital": {"区人民医院"}, "contact_name": {"李丽"}, "contact_phone": {"13800138001"}}
}

var caseNoRe = regexp.MustCompile(`/cases/(GS\d{8}-\d{4})`)

// TestAccidentReportJourney: reported at hour 25 → accepted, flagged
// "迟报 1 小时"; the injury clerk returns it for more, the employer
// resubmits, the clerk accepts; the employer sees the recognition reminder
// and records the bureau's reference and then the outcome.
func TestAccidentReportJourney(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		boss := env.LoginAs(t, apptest.EmployerA)
		r := reportForm(t, boss, accident(workerID), map[string][]byte{"病房.png": pngBytes(t)})
		r.WantRedirect(t, "/cases/GS20240210-")
		no := caseNoRe.FindStringSubmatch(r.Location())[1]
		boss.Get(t, "/cases/"+no).WantStatus(t, 200).WantBody(t, "迟报 1 小时", "已提交", "左腿骨折", "住院照片")
		boss.Get(t, "/employer/injury/reports").WantBody(t, no, "迟报 1 小时")

		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		clerk.Get(t, "/staff/cases?section=injury&view=unassigned").WantStatus(t, 200).WantBody(t, no, "待领取（1）")
		page := clerk.Get(t, "/staff/cases/"+no).WantStatus(t, 200).WantBody(t, "受理", "退回补正", "已通知工伤保险待遇科")
		docLink := regexp.MustCompile(`/staff/cases/` + no + `/documents/\d+`).FindString(page.Body)
		doc := clerk.Get(t, docLink).WantStatus(t, 200)
		if doc.Header.Get("Content-Type") != "image/png" || doc.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(doc.Header.Get("Content-Disposition"), "inline") {
			t.Errorf("document headers %v", doc.Header)
		}
		clerk.PostForm(t, "/cases/"+no+"/transition", url.Values{"version": {"1"}, "to": {"returned"},
			"comment": {"请补充盖章的事故报告表"}}).WantRedirect(t, "/staff/cases/"+no)
		boss.Get(t, "/cases/"+no).WantBody(t, "退回补正", "请补充盖章的事故报告表")
		boss.PostForm(t, "/cases/"+no+"/transition", url.Values{"version": {"2"}, "to": {"resubmitted"}}).
			WantRedirect(t, "/cases/"+no)
		// A stale form (version 2) loses.
		clerk.PostForm(t, "/cases/"+no+"/transition", url.Values{"version": {"2"}, "to": {"accepted"}}).
			WantStatus(t, http.StatusConflict).WantBody(t, "该业务已由其他经办人员办结，请刷新")
		clerk.PostForm(t, "/cases/"+no+"/transition", url.Values{"version": {"3"}, "to": {"accepted"}}).
			WantRedirect(t, "/staff/cases/"+no)

		boss.Get(t, "/cases/"+no).WantBody(t, "已受理", "区人社局工伤科提出工伤认定申请", "2024-03-10")
		boss.PostForm(t, "/cases/"+no+"/recognition", url.Values{"version": {"4"}, "reference": {"RSJ-GS-2024-017"},
			"applied_on": {"2024-02-10"}, "outcome": {"pending"}}).WantRedirect(t, "/cases/"+no)
		got := boss.Get(t, "/cases/"+no).WantBody(t, "RSJ-GS-2024-017", "认定中")
		if strings.Contains(got.Body, "区人社局工伤科提出工伤认定申请") {
			t.Error("reminder still shown after the application was recorded")
		}
		boss.PostForm(t, "/cases/"+no+"/recognition", url.Values{"version": {"5"}, "reference": {"RSJ-GS-2024-017"},
			"applied_on": {"2024-02-10"}, "outcome": {"recognised"}}).WantStatus(t, http.StatusUnprocessableEntity)
		boss.PostForm(t, "/cases/"+no+"/recognition", url.Values{"version": {"5"}, "reference": {"RSJ-GS-2024-017"},
			"applied_on": {"2024-02-10"}, "outcome": {"recognised"}, "decision_no": {"朝人社工伤认字〔2024〕17号"},
			"decided_on": {"2024-02-10"}}).WantRedirect(t, "/cases/"+no)
		boss.Get(t, "/cases/"+no).WantBody(t, "认定为工伤", "朝人社工伤认字〔2024〕17号")
	})
}

// TestReportRefusals: a worker of another employer, a file that is not an
// image, and no photo at all are refused with the form re-rendered.
func TestReportRefusals(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		other := env.LoginAs(t, apptest.EmployerB)
		reportForm(t, other, accident(workerID), map[string][]byte{"a.png": pngBytes(t)}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "不是本单位的参保职工", "二号车间")
		boss := env.LoginAs(t, apptest.EmployerA)
		reportForm(t, boss, accident(workerID), map[string][]byte{"photo.jpg": []byte("<html>not a photo</html>")}).
			WantStatus(t, http.StatusUnprocessableEntity)
		reportForm(t, boss, accident(workerID), nil).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请上传职工住院照片")
		var n int
		env.App.DB.R.QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&n)
		if n != 0 {
			t.Errorf("%d cases stored from refused reports", n)
		}
	})
}

// TestCaseVisibility: another employer, a person and another section's
// clerk get 404 for the case, in HTML and JSON; HTML in a comment is
// escaped on display.
func TestCaseVisibility(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		boss := env.LoginAs(t, apptest.EmployerA)
		no := caseNoRe.FindStringSubmatch(reportForm(t, boss, accident(workerID),
			map[string][]byte{"a.png": pngBytes(t)}).WantStatus(t, http.StatusSeeOther).Location())[1]
		for _, key := range []string{apptest.EmployerB, apptest.PersonA, apptest.Staff(access.Welfare)} {
			c := env.LoginAs(t, key)
			c.Get(t, "/cases/"+no).WantStatus(t, http.StatusNotFound)
			c.Get(t, "/api/v1/cases/"+no).WantStatus(t, http.StatusNotFound)
			c.PostForm(t, "/cases/"+no+"/comment", url.Values{"text": {"hi"}}).WantStatus(t, http.StatusNotFound)
		}
		boss.PostForm(t, "/cases/"+no+"/comment", url.Values{"text": {`<script>alert("x")</script>`}}).
			WantRedirect(t, "/cases/"+no)
		page := boss.Get(t, "/cases/"+no).WantBody(t, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
		if strings.Contains(page.Body, `<script>alert`) {
			t.Error("comment HTML not escaped")
		}
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		clerk.PostForm(t, "/cases/"+no+"/comment", url.Values{"text": {"内部：核实医院"}}).WantRedirect(t, "/staff/cases/"+no)
		if strings.Contains(boss.Get(t, "/cases/"+no).Body, "内部：核实医院") {
			t.Error("internal comment shown to the applicant")
		}
	})
}

// TestReportAPI: the JSON report with a base64 photo, then transitions
// through the API; a forbidden move is a 409 with a Chinese message.
func TestReportAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		boss := env.LoginAs(t, apptest.EmployerA)
		body := map[string]any{"worker_id_number": workerID, "accident_at": "2024-02-10 07:00", "place": "仓库",
			"what": "滑倒", "injury": "手腕扭伤", "hospital": "区医院", "contact_name": "李丽", "contact_phone": "13800138001",
			"photos": []map[string]string{{"name": "a.png", "content_base64": b64(pngBytes(t))}}}
		var c casework.Case
		boss.PostJSON(t, "/api/v1/injury/reports", body).WantStatus(t, http.StatusCreated).JSON(t, &c)
		if c.Late || c.State != casework.Submitted || c.Type != injury.TypeCode {
			t.Fatalf("case %+v", c)
		}
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		clerk.PostJSON(t, "/api/v1/cases/"+c.No+"/transitions", map[string]any{"version": c.Version, "to": "closed"}).
			WantStatus(t, http.StatusConflict).WantBody(t, "不能归档")
		clerk.PostJSON(t, "/api/v1/cases/"+c.No+"/transitions", map[string]any{"version": c.Version, "to": "accepted"}).
			WantStatus(t, http.StatusOK)
		var list struct {
			Items  []casework.Case `json:"items"`
			Counts map[string]int  `json:"counts"`
		}
		clerk.Get(t, "/api/v1/cases?section=injury&view=mine").WantStatus(t, 200).JSON(t, &list)
		if len(list.Items) != 1 || list.Counts["mine"] != 1 {
			t.Errorf("queue %+v", list)
		}
	})
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TestStaffAPI: claim, a second claim on the stale version, and 容缺
// acceptance through the JSON API.
func TestStaffAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		boss := env.LoginAs(t, apptest.EmployerA)
		no := caseNoRe.FindStringSubmatch(reportForm(t, boss, accident(workerID),
			map[string][]byte{"a.png": pngBytes(t)}).WantStatus(t, http.StatusSeeOther).Location())[1]
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		var c casework.Case
		clerk.PostJSON(t, "/api/v1/cases/"+no+"/claim", map[string]any{"version": 1}).WantStatus(t, 200).JSON(t, &c)
		if c.AssigneeName != env.User(t, apptest.Staff(access.Injury)).Username || c.Version != 2 {
			t.Fatalf("claimed %+v", c)
		}
		clerk.PostJSON(t, "/api/v1/cases/"+no+"/claim", map[string]any{"version": 1}).WantStatus(t, http.StatusConflict)
		boss.PostJSON(t, "/api/v1/cases/"+no+"/claim", map[string]any{"version": 2}).WantStatus(t, http.StatusForbidden)
		clerk.PostJSON(t, "/api/v1/cases/"+no+"/accept-missing", map[string]any{"version": 2,
			"items": []string{"工伤事故报告表"}}).WantStatus(t, 200).JSON(t, &c)
		if c.State != casework.Accepted || !c.Deferred || c.Owing != 1 {
			t.Errorf("after 容缺: %+v", c)
		}
	})
}
