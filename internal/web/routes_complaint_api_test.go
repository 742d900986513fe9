package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/complaint"
	"shebao/internal/db"
)

type apiFiled struct {
	ID             int64  `json:"id"`
	No             string `json:"no"`
	TrackingCode   string `json:"tracking_code"`
	AcknowledgeDue string `json:"acknowledge_due"`
	AnswerDue      string `json:"answer_due"`
}

type apiComplaint struct {
	ID         int64  `json:"id"`
	No         string `json:"no"`
	Status     string `json:"status"`
	StatusName string `json:"status_name"`
	Answer     string `json:"answer"`
	Events     []struct {
		KindName string `json:"kind_name"`
	} `json:"events"`
}

type apiError struct {
	Error struct {
		Code   string `json:"code"`
		Fields []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

func wantField(t *testing.T, r *apptest.Response, field string) {
	t.Helper()
	r.WantStatus(t, http.StatusUnprocessableEntity)
	var e apiError
	r.JSON(t, &e)
	for _, f := range e.Error.Fields {
		if f.Field == field && f.Message != "" {
			return
		}
	}
	t.Fatalf("no error on %s: %s", field, r.Body)
}

var apiReport = map[string]string{"category": complaint.CatArrears, "subject": "某公司未给职工缴纳社保",
	"body": "北京某科技有限公司 2024 年以来未给 30 名职工缴纳社会保险费。", "target_name": "北京某科技有限公司"}

// TestComplaintAPI: anonymous filing with a tracking code, the answer read
// by the code; a signed-in reporter's own complaints; field errors; another
// party refused and never told who reported.
func TestComplaintAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		visitor := env.Anon(t)
		wantField(t, visitor.PostKeyed(t, "/api/v1/complaints", newKey(), map[string]string{"category": "nope", "subject": "标题", "body": "内容"}), "category")
		var anon apiFiled
		visitor.PostKeyed(t, "/api/v1/complaints", newKey(), apiReport).WantStatus(t, http.StatusCreated).JSON(t, &anon)
		if anon.TrackingCode == "" || anon.No == "" || anon.ID != 0 || anon.AnswerDue == "" {
			t.Fatalf("anonymous filing answer %+v", anon)
		}
		wantField(t, visitor.PostJSON(t, "/api/v1/complaints/track", map[string]string{"code": "12"}), "code")
		visitor.PostJSON(t, "/api/v1/complaints/track", map[string]string{"code": "ABCD-EFGH-JKLM-NPQR-STUV"}).WantStatus(t, http.StatusNotFound)

		pa := env.LoginAs(t, apptest.PersonA)
		mineIn := map[string]string{"category": complaint.CatFraud, "subject": "有人冒领养老金",
			"body": "邻居去世两年，家属仍在领取养老金，请核查。", "target_name": "王某", "reporter_contact": "13912345678"}
		var mine apiFiled
		pa.PostKeyed(t, "/api/v1/complaints", newKey(), mineIn).WantStatus(t, http.StatusCreated).JSON(t, &mine)
		if mine.ID == 0 || mine.TrackingCode != "" {
			t.Fatalf("signed-in filing answer %+v", mine)
		}

		auditor := env.Actor(t, apptest.Staff(access.Audit))
		for _, id := range []int64{anon.ID, mine.ID} {
			if id == 0 {
				id = mustComplaintID(t, env, anon.No)
			}
			c, err := env.App.Complaints.Act(ctx, auditor, id, complaint.Action{Kind: "accept", Version: 1, Section: access.Coordination})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.Complaints.Act(ctx, auditor, id, complaint.Action{Kind: "answer", Version: c.Version,
				Text: "经查属实，已依法处理。"}); err != nil {
				t.Fatal(err)
			}
		}
		var got apiComplaint
		visitor.PostJSON(t, "/api/v1/complaints/track", map[string]string{"code": anon.TrackingCode}).WantStatus(t, http.StatusOK).JSON(t, &got)
		if got.No != anon.No || got.Answer != "经查属实，已依法处理。" || got.StatusName == "" || len(got.Events) == 0 {
			t.Fatalf("tracked %+v", got)
		}

		var list struct{ Items []apiComplaint }
		r := pa.Get(t, "/api/v1/complaints/mine").WantStatus(t, http.StatusOK)
		r.JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != mine.ID {
			t.Fatalf("mine %+v", list)
		}
		path := "/api/v1/complaints/" + strconv.FormatInt(mine.ID, 10)
		r = pa.Get(t, path).WantStatus(t, http.StatusOK)
		r.JSON(t, &got)
		if got.No != mine.No || got.Answer == "" {
			t.Fatalf("own complaint %+v", got)
		}
		// Another person, the employer and the anonymous visitor are refused
		// and never told who reported.
		for _, c := range []*apptest.Client{env.LoginAs(t, apptest.PersonB), env.LoginAs(t, apptest.EmployerA)} {
			r := c.Get(t, path).WantStatus(t, http.StatusNotFound)
			if strings.Contains(r.Body, "13912345678") || strings.Contains(r.Body, mine.No) {
				t.Fatalf("another party's answer names the complaint or its reporter: %s", r.Body)
			}
			var other struct{ Items []apiComplaint }
			c.Get(t, "/api/v1/complaints/mine").WantStatus(t, http.StatusOK).JSON(t, &other)
			if len(other.Items) != 0 {
				t.Fatalf("another party lists %+v", other.Items)
			}
		}
		visitor.Get(t, path).WantStatus(t, http.StatusUnauthorized)
		env.LoginAs(t, apptest.Staff(access.Fund)).PostKeyed(t, "/api/v1/complaints", newKey(), apiReport).WantStatus(t, http.StatusForbidden)
		// The reporter's own view carries no reporter fields either.
		for _, body := range []string{r.Body, pa.Get(t, path).Body} {
			if strings.Contains(body, "13912345678") || strings.Contains(body, "reporter") {
				t.Fatalf("reporter in the answer: %s", body)
			}
		}

		// Satisfaction or objection: by the tracking code, by the reporter.
		track := "/api/v1/complaints/track/feedback"
		wantField(t, visitor.PostJSON(t, track, map[string]any{"code": anon.TrackingCode, "satisfied": false}), "feedback_text")
		visitor.PostJSON(t, track, map[string]any{"code": anon.TrackingCode, "satisfied": true}).WantStatus(t, http.StatusOK).JSON(t, &got)
		if got.Status != complaint.Closed {
			t.Fatalf("after satisfaction %+v", got)
		}
		visitor.PostJSON(t, track, map[string]any{"code": anon.TrackingCode, "satisfied": true}).WantStatus(t, http.StatusConflict)
		objection := map[string]any{"satisfied": false, "feedback_text": "单位至今仍未补缴，请再查。"}
		env.LoginAs(t, apptest.PersonB).PostJSON(t, path+"/feedback", objection).WantStatus(t, http.StatusNotFound)
		pa.PostJSON(t, path+"/feedback", objection).WantStatus(t, http.StatusOK).JSON(t, &got)
		if got.Status != complaint.Objected || got.ID != mine.ID {
			t.Fatalf("after objection %+v", got)
		}
	})
}

func complaintForm(m map[string]string) url.Values {
	f := url.Values{}
	for k, v := range m {
		f.Set(k, v)
	}
	return f
}

func mustComplaintID(t *testing.T, env *apptest.Env, no string) int64 {
	t.Helper()
	au := env.Actor(t, apptest.Staff(access.Audit))
	page, err := env.App.Complaints.Queue(context.Background(), au, complaint.Filter{Q: no})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("find %s: %v %+v", no, err, page)
	}
	return page.Items[0].ID
}

// TestComplaintAPIThrottle: anonymous filings through the API count on the
// same limit as the web form.
func TestComplaintAPIThrottle(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		visitor := env.Anon(t)
		for i := 0; i < complaint.AnonymousFilingLimit-1; i++ {
			visitor.PostKeyed(t, "/api/v1/complaints", newKey(), apiReport).WantStatus(t, http.StatusCreated)
		}
		// The web form shares the count.
		env.Anon(t).PostForm(t, "/complaints/new", complaintForm(apiReport)).WantStatus(t, http.StatusOK)
		r := visitor.PostKeyed(t, "/api/v1/complaints", newKey(), apiReport).WantStatus(t, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		var e apiError
		r.JSON(t, &e)
		if e.Error.Code == "" {
			t.Fatalf("throttle answer %s", r.Body)
		}
		// A signed-in reporter is not throttled by the anonymous limit.
		env.LoginAs(t, apptest.PersonA).PostKeyed(t, "/api/v1/complaints", newKey(), apiReport).WantStatus(t, http.StatusCreated)
	})
}

// newKey is a fresh random idempotency key.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func countFiled(t *testing.T, env *apptest.Env, subject string) int {
	t.Helper()
	var n int
	if err := env.App.DB.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM complaints WHERE subject = $1`, subject).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestComplaintAPIIdempotencyKey: the key is required; a retry with the
// same key and body gets the first answer (the same tracking code, the
// same id) and files nothing, also when retries race the first request;
// the same key with another body is refused in Chinese; keys of one user
// do not collide with another's.
func TestComplaintAPIIdempotencyKey(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		const path = "/api/v1/complaints"
		visitor := env.Anon(t)
		wantField(t, visitor.PostKeyed(t, path, "", apiReport), "Idempotency-Key")
		wantField(t, visitor.PostKeyed(t, path, "short-key", apiReport), "Idempotency-Key")

		key := newKey()
		var first, again apiFiled
		visitor.PostKeyed(t, path, key, apiReport).WantStatus(t, http.StatusCreated).JSON(t, &first)
		r := env.Anon(t).PostKeyed(t, path, key, apiReport).WantStatus(t, http.StatusOK)
		r.JSON(t, &again)
		if again != first || first.TrackingCode == "" || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry answered %+v (%s), first %+v", again, r.Header.Get("Idempotent-Replayed"), first)
		}
		if n := countFiled(t, env, apiReport["subject"]); n != 1 {
			t.Fatalf("%d complaints after a retry", n)
		}
		other := maps.Clone(apiReport)
		other["body"] = "另一件事：某公司拖欠 12 名职工工资并未缴纳社会保险费。"
		r = visitor.PostKeyed(t, path, key, other).WantStatus(t, http.StatusConflict)
		var e struct {
			Error struct{ Code, Message string }
		}
		r.JSON(t, &e)
		if e.Error.Code != "idempotency_key_reused" || !strings.Contains(e.Error.Message, "幂等键") {
			t.Fatalf("reused key answered %s", r.Body)
		}

		// Signed in: the same id back; the anonymous key is another scope.
		pa := env.LoginAs(t, apptest.PersonA)
		mine := maps.Clone(apiReport)
		mine["subject"] = "本人单位未缴社保"
		var a1, a2 apiFiled
		pa.PostKeyed(t, path, key, mine).WantStatus(t, http.StatusCreated).JSON(t, &a1)
		pa.PostKeyed(t, path, key, mine).WantStatus(t, http.StatusOK).JSON(t, &a2)
		if a1.ID == 0 || a1 != a2 || a1.TrackingCode != "" {
			t.Fatalf("signed-in retry %+v, first %+v", a2, a1)
		}
		if n := countFiled(t, env, mine["subject"]); n != 1 {
			t.Fatalf("%d signed-in complaints after a retry", n)
		}
		var b1 apiFiled
		env.LoginAs(t, apptest.PersonB).PostKeyed(t, path, key, mine).WantStatus(t, http.StatusCreated).JSON(t, &b1)
		if b1.ID == a1.ID {
			t.Fatal("another person's key replayed the first person's filing")
		}

		// Retries racing the first request: one filing, one answer.
		raced := maps.Clone(apiReport)
		raced["subject"] = "同时重试的举报"
		rkey := newKey()
		body, _ := json.Marshal(raced)
		const n = 3 // within the anonymous limit: each racer is counted before the first commits
		type result struct {
			status int
			filed  apiFiled
			err    error
		}
		results := make(chan result, n)
		var start sync.WaitGroup
		start.Add(1)
		for i := 0; i < n; i++ {
			go func() {
				start.Wait()
				req, _ := http.NewRequest(http.MethodPost, env.Server.URL+path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", rkey)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					results <- result{err: err}
					return
				}
				defer resp.Body.Close()
				var f apiFiled
				err = json.NewDecoder(resp.Body).Decode(&f)
				results <- result{status: resp.StatusCode, filed: f, err: err}
			}()
		}
		start.Done()
		created, codes := 0, map[string]bool{}
		for i := 0; i < n; i++ {
			res := <-results
			if res.err != nil || (res.status != http.StatusCreated && res.status != http.StatusOK) {
				t.Fatalf("raced request: %d %v", res.status, res.err)
			}
			if res.status == http.StatusCreated {
				created++
			}
			codes[res.filed.No+" "+res.filed.TrackingCode] = true
		}
		if created != 1 || len(codes) != 1 {
			t.Fatalf("%d created, answers %v", created, codes)
		}
		if got := countFiled(t, env, raced["subject"]); got != 1 {
			t.Fatalf("%d complaints from raced retries", got)
		}
	})
}

// TestComplaintAPIReferenceNamesTheKey: /help/api tells how to send the
// Idempotency-Key of a filing and what a retry gets.
func TestComplaintAPIReferenceNamesTheKey(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	page := env.Anon(t).Get(t, "/help/api").WantStatus(t, http.StatusOK).Body
	_, op, ok := strings.Cut(page, `id="op-complaintFile"`)
	op, _, _ = strings.Cut(op, `id="op-`)
	if !ok || !strings.Contains(op, "Idempotency-Key") || !strings.Contains(op, "请求头") || !strings.Contains(op, "相同幂等键") ||
		!strings.Contains(op, "409") {
		t.Fatalf("the filing's reference does not explain the key:\n%s", op)
	}
}
