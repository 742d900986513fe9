package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestHealthCheckInPages: a clerk checks in for himself only, a fever
// tells him to stay home; only 办公室 reads the day's health data; the
// duty log takes rounds of the signed-in clerk.
func TestHealthCheckInPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		office := env.LoginAs(t, apptest.Staff(access.Office))
		fund := env.LoginAs(t, apptest.Staff(access.Fund))
		other := env.User(t, apptest.Staff(access.Fund))

		clerk.Get(t, "/staff/health").WantStatus(t, http.StatusOK).WantBody(t, "每日健康打卡", "尚未打卡", "干咳", "嗅觉或味觉减退")
		clerk.PostForm(t, "/staff/health", url.Values{"temperature": {"36.5"}, "user_id": {strconv.FormatInt(other.ID, 10)}}).
			WantStatus(t, http.StatusForbidden).WantBody(t, "不能替其他工作人员填报")
		clerk.PostForm(t, "/staff/health", url.Values{"temperature": {"三十六"}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请填写今天的体温")
		clerk.PostForm(t, "/staff/health", url.Values{"temperature": {"37.8"}, "symptoms": {"dry_cough"}}).WantRedirect(t, "/staff/health")
		clerk.Get(t, "/staff/health").WantStatus(t, http.StatusOK).WantBody(t, "请居家休息", "37.8", "干咳")

		fund.Get(t, "/staff/health/day").WantStatus(t, http.StatusForbidden)
		day := office.Get(t, "/staff/health/day").WantStatus(t, http.StatusOK).WantBody(t, "居家休息 1 人", "37.8", "干咳", "工伤保险待遇科")
		if strings.Contains(day.Body, "dry_cough") || strings.Contains(day.Body, "injury") {
			t.Fatalf("a code shows on the office's page:\n%s", day.Body)
		}

		fund.PostForm(t, "/staff/hall-duty", url.Values{"kind": {"disinfection"}, "area": {"一楼服务大厅"},
			"user_id": {strconv.FormatInt(env.User(t, apptest.Staff(access.Office)).ID, 10)}}).WantStatus(t, http.StatusForbidden)
		fund.PostForm(t, "/staff/hall-duty", url.Values{"kind": {"posters"}, "area": {""}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请填写区域")
		fund.PostForm(t, "/staff/hall-duty", url.Values{"kind": {"disinfection"}, "area": {"一楼服务大厅"}, "note": {"含自助机"}}).
			WantRedirect(t, "/staff/hall-duty")
		office.Get(t, "/staff/hall-duty").WantStatus(t, http.StatusOK).WantBody(t, "一楼服务大厅", "消毒", "含自助机")
		env.LoginAs(t, apptest.PersonA).Get(t, "/staff/health").WantStatus(t, http.StatusForbidden)
	})
}

// TestAppointmentScreening: a "yes" at booking refuses it with the offer
// of remote handling; at the counter a fever turns the visitor away, frees
// the place and tells the booker.
func TestAppointmentScreening(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		office := env.LoginAs(t, apptest.Staff(access.Office))
		pa := env.LoginAs(t, apptest.PersonA)
		office.PostForm(t, "/staff/appointments/slots", url.Values{"from": {"2024-02-19"}, "to": {"2024-02-19"},
			"periods": {"09:00-09:30"}, "minutes": {"30"}, "capacity": {"2"}}).WantRedirect(t, "/staff/appointments/slots")
		var slots slotsReply
		pa.Get(t, "/api/v1/appointments/slots?date=2024-02-19").JSON(t, &slots)
		slot := strconv.FormatInt(slots.Items[0].ID, 10)
		form := url.Values{"service": {"originals"}, "date": {"2024-02-19"}, "slot_id": {slot}, "name": {"张伟"},
			"phone": {"13800138000"}, "screen_fever": {"no"}, "screen_cough": {"yes"}, "screen_contact": {"no"}}
		pa.PostForm(t, "/appointments", form).WantStatus(t, http.StatusConflict).WantBody(t, "暂不能预约到大厅办理", "网上办理", "重新预约")
		missing := copyForm(form)
		missing.Del("screen_contact")
		pa.PostForm(t, "/appointments", missing).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请回答健康筛查问题")
		var list struct{ Items []bookingReply }
		pa.Get(t, "/api/v1/appointments/mine").JSON(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("a refused booking was kept: %+v", list)
		}
		var e apiErr
		pa.PostJSON(t, "/api/v1/appointments", map[string]any{"service": "originals", "slot_id": slots.Items[0].ID, "name": "张伟",
			"phone": "13800138000", "screening": map[string]bool{"fever": true, "cough": false, "contact": false}}).
			WantStatus(t, http.StatusConflict).JSON(t, &e)
		if e.Error.Code != "screening_failed" {
			t.Fatalf("API refusal %+v", e)
		}
		form.Set("screen_cough", "no")
		pa.PostForm(t, "/appointments", form).WantRedirect(t, "/appointments")
		pa.Get(t, "/api/v1/appointments/mine").JSON(t, &list)
		code := list.Items[0].Code

		env.Clock.Set(apptest.Start.AddDate(0, 0, 9).Add(-30 * 60e9)) // 2024-02-19 08:30
		clerk := env.LoginAs(t, apptest.Staff(access.Coordination))
		clerk.Get(t, "/staff/appointments?date=2024-02-19").WantStatus(t, http.StatusOK).WantBody(t, "健康筛查", code)
		clerk.PostForm(t, "/staff/appointments/"+code+"/screen", url.Values{"temperature": {"38.1"}}).
			WantRedirect(t, "/staff/appointments?date=2024-02-19")
		clerk.Get(t, "/staff/appointments?date=2024-02-19").WantStatus(t, http.StatusOK).WantBody(t, "已劝离")
		pa = env.LoginAs(t, apptest.PersonA)
		pa.Get(t, "/messages").WantStatus(t, http.StatusOK).WantBody(t, "健康筛查未通过", "重新预约")
		pa.Get(t, "/api/v1/appointments/slots?date=2024-02-19").JSON(t, &slots)
		if slots.Items[0].Remaining != 2 {
			t.Fatalf("the place was not freed: %+v", slots)
		}
		office = env.LoginAs(t, apptest.Staff(access.Office))
		office.Get(t, "/staff/health/day?date=2024-02-19").WantStatus(t, http.StatusOK).WantBody(t, "劝离 1 人", "38.1", code)
	})
}
