package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

type slotsReply struct {
	Items []struct {
		ID        int64  `json:"id"`
		Start     string `json:"start"`
		Remaining int    `json:"remaining"`
	} `json:"items"`
}

type bookingReply struct {
	Code   string `json:"code"`
	Status string `json:"status"`
}

// healthy answers "no" to every health question of a booking.
var healthy = map[string]bool{"fever": false, "cough": false, "contact": false}

type apiErr struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// TestAppointmentJourney: 办公室 opens slots over the Spring Festival
// holiday (only the 调休 Sunday and the Monday after are working days),
// people book, the slot fills, cancelling frees it, the counter lists it.
func TestAppointmentJourney(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		office := env.LoginAs(t, apptest.Staff(access.Office))
		clerk := env.LoginAs(t, apptest.Staff(access.Coordination))
		pa := env.LoginAs(t, apptest.PersonA)
		pb := env.LoginAs(t, apptest.PersonB)
		emp := env.LoginAs(t, apptest.EmployerA)
		anon := env.Anon(t)

		form := url.Values{"from": {"2024-02-10"}, "to": {"2024-02-19"}, "periods": {"09:00-10:00"}, "minutes": {"30"},
			"capacity": {"1"}, "counter": {"1号窗口"}}
		clerk.PostForm(t, "/staff/appointments/slots", copyForm(form)).WantStatus(t, http.StatusForbidden)
		pa.PostForm(t, "/staff/appointments/slots", copyForm(form)).WantStatus(t, http.StatusForbidden)
		office.PostForm(t, "/staff/appointments/slots", form).WantRedirect(t, "/staff/appointments/slots")
		page := office.Get(t, "/staff/appointments/slots?from=2024-02-10&to=2024-02-19").WantStatus(t, http.StatusOK)
		page.WantBody(t, "2024-02-18", "2024-02-19", "09:30—10:00")
		if strings.Contains(page.Body, "2024-02-12") {
			t.Fatal("slots opened on a Spring Festival holiday")
		}

		anon.Get(t, "/appointments").WantStatus(t, http.StatusOK).WantBody(t, "请优先网上办理", "加盖印章的缴费证明", "登录")
		anon.Get(t, "/appointments/book").WantRedirect(t, "/login")
		office.Get(t, "/staff").WantBody(t, "公告管理", "预约时段管理", "大厅预约名单")
		// The booking page explains to prefer online business and shows places.
		pa.Get(t, "/appointments").WantStatus(t, http.StatusOK).WantBody(t, "请优先网上办理；确需到大厅的业务请预约")
		pa.Get(t, "/appointments/book?service=stamped_certificate&date=2024-02-18").WantStatus(t, http.StatusOK).
			WantBody(t, "余 1 个名额", "加盖印章的缴费证明")
		var slots slotsReply
		anon.Get(t, "/api/v1/appointments/slots?service=stamped_certificate&date=2024-02-18").WantStatus(t, http.StatusOK).JSON(t, &slots)
		if len(slots.Items) != 2 || slots.Items[0].Start != "09:00" || slots.Items[0].Remaining != 1 {
			t.Fatalf("slots %+v", slots)
		}
		slot := fmt.Sprint(slots.Items[0].ID)

		// Person A books through the form; person B finds the slot full.
		r := pa.PostForm(t, "/appointments", url.Values{"service": {"stamped_certificate"}, "date": {"2024-02-18"},
			"slot_id": {slot}, "name": {"张伟"}, "phone": {"13800138000"},
			"screen_fever": {"no"}, "screen_cough": {"no"}, "screen_contact": {"no"}})
		r.WantRedirect(t, "/appointments")
		mine := pa.Get(t, "/appointments").WantBody(t, "预约成功", "138****8000", "已预约")
		var list struct{ Items []bookingReply }
		pa.Get(t, "/api/v1/appointments/mine").WantStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || !strings.Contains(mine.Body, list.Items[0].Code) {
			t.Fatalf("mine %+v", list)
		}
		code := list.Items[0].Code
		var e apiErr
		pb.PostJSON(t, "/api/v1/appointments", map[string]any{"service": "originals", "slot_id": slots.Items[0].ID,
			"name": "李娜", "phone": "13800138001", "screening": healthy}).WantStatus(t, http.StatusConflict).JSON(t, &e)
		if e.Error.Code != "slot_full" || e.Error.Message != "该时段已约满，请选择其他时段" {
			t.Fatalf("full: %+v", e)
		}
		// The form shows the refusal too, and keeps what was typed.
		pb.PostForm(t, "/appointments", url.Values{"service": {"originals"}, "date": {"2024-02-18"}, "slot_id": {slot},
			"name": {"李娜"}, "phone": {"13800138001"}, "screen_fever": {"no"}, "screen_cough": {"no"}, "screen_contact": {"no"}}).
			WantStatus(t, http.StatusConflict).WantBody(t, "该时段已约满", "李娜")

		// B can neither see nor cancel A's booking; staff cannot book.
		pb.Get(t, "/appointments/"+code+"/cancel").WantStatus(t, http.StatusNotFound)
		pb.PostForm(t, "/appointments/"+code+"/cancel", nil).WantStatus(t, http.StatusNotFound)
		pb.SendJSON(t, http.MethodDelete, "/api/v1/appointments/"+code, nil).WantStatus(t, http.StatusNotFound)
		clerk.PostJSON(t, "/api/v1/appointments", map[string]any{"service": "originals", "slot_id": slots.Items[1].ID,
			"name": "x", "phone": "13800138001"}).WantStatus(t, http.StatusForbidden)
		anon.Get(t, "/api/v1/appointments/mine").WantStatus(t, http.StatusUnauthorized)

		// A cancels after a confirmation step; the place is free for B.
		pa.Get(t, "/appointments/"+code+"/cancel").WantStatus(t, http.StatusOK).WantBody(t, "确认取消", code)
		pa.PostForm(t, "/appointments/"+code+"/cancel", nil).WantRedirect(t, "/appointments")
		var b bookingReply
		pb.PostJSON(t, "/api/v1/appointments", map[string]any{"service": "originals", "slot_id": slots.Items[0].ID,
			"name": "李娜", "phone": "13800138001", "note": "<b>原件</b>", "screening": healthy}).WantStatus(t, http.StatusCreated).JSON(t, &b)
		emp.PostJSON(t, "/api/v1/appointments", map[string]any{"service": "stamped_certificate", "slot_id": slots.Items[1].ID,
			"name": "王经办", "phone": "010-12345678", "screening": healthy}).WantStatus(t, http.StatusCreated)

		// The counter's day list: staff only, phones masked, notes escaped.
		pa.Get(t, "/staff/appointments?date=2024-02-18").WantStatus(t, http.StatusForbidden)
		day := clerk.Get(t, "/staff/appointments?date=2024-02-18").WantStatus(t, http.StatusOK)
		day.WantBody(t, b.Code, "李娜", "138****8001", "&lt;b&gt;原件&lt;/b&gt;", "王经办")
		if strings.Contains(day.Body, "13800138001") || strings.Contains(day.Body, "<b>原件") {
			t.Fatal("day list shows a clear phone or raw HTML")
		}
		// Attendance is marked on the day only.
		clerk.PostForm(t, "/staff/appointments/"+b.Code+"/mark", url.Values{"status": {"attended"}}).WantStatus(t, http.StatusConflict)
		env.Clock.Set(apptest.Start.AddDate(0, 0, 8))              // 2024-02-18 09:00
		clerk = env.LoginAs(t, apptest.Staff(access.Coordination)) // the old session has expired
		clerk.PostForm(t, "/staff/appointments/"+b.Code+"/mark", url.Values{"status": {"attended"}}).WantRedirect(t, "/staff/appointments")
		clerk.Get(t, "/staff/appointments?date=2024-02-18").WantBody(t, "已到场")
	})
}

// TestSlotCapacityEdit: capacity cannot drop below the bookings.
func TestSlotCapacityEdit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		office := env.LoginAs(t, apptest.Staff(access.Office))
		pa := env.LoginAs(t, apptest.PersonA)
		office.PostJSON(t, "/api/v1/staff/appointments/slots", map[string]any{"from": "2024-02-19", "to": "2024-02-19",
			"periods": "14:00-14:30", "capacity": 2}).WantStatus(t, http.StatusCreated)
		var slots slotsReply
		pa.Get(t, "/api/v1/appointments/slots?date=2024-02-19").JSON(t, &slots)
		if len(slots.Items) != 1 || slots.Items[0].Remaining != 2 {
			t.Fatalf("slots %+v", slots)
		}
		id := fmt.Sprint(slots.Items[0].ID)
		pa.PostJSON(t, "/api/v1/appointments", map[string]any{"service": "social_card", "slot_id": slots.Items[0].ID,
			"name": "张伟", "phone": "13800138000", "screening": healthy}).WantStatus(t, http.StatusCreated)
		pa.PostForm(t, "/staff/appointments/slots/"+id+"/capacity", url.Values{"capacity": {"5"}, "version": {"1"}}).
			WantStatus(t, http.StatusForbidden)
		office.PostForm(t, "/staff/appointments/slots/"+id+"/capacity", url.Values{"capacity": {"0"}, "version": {"1"}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "不能少于 1")
		office.PostForm(t, "/staff/appointments/slots/"+id+"/capacity", url.Values{"capacity": {"1"}, "version": {"1"}}).
			WantRedirect(t, "/staff/appointments/slots")
		pa.Get(t, "/api/v1/appointments/slots?date=2024-02-19").JSON(t, &slots)
		if slots.Items[0].Remaining != 0 {
			t.Fatalf("remaining %d after capacity 1", slots.Items[0].Remaining)
		}
	})
}

// copyForm copies a form, so each client's PostForm adds its own _csrf.
func copyForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// TestAppointmentsForStaff: the public appointments page offers staff the
// counter's booking list, and the booking page (where the login link
// leads) sends them there instead of answering 403; bookers and anonymous
// visitors keep their flow.
func TestAppointmentsForStaff(t *testing.T) {
	env := apptest.New(t, "sqlite")
	for _, key := range []string{apptest.Staff(access.Injury), apptest.Staff(access.Office), apptest.Admin} {
		c := env.LoginAs(t, key)
		page := c.Get(t, "/appointments").WantStatus(t, http.StatusOK).WantBody(t, `href="/staff/appointments"`, "大厅预约名单")
		if strings.Contains(page.Body, "/login?next=") {
			t.Errorf("%s: the appointments page still offers staff the login link", key)
		}
		c.Get(t, "/appointments/book?service=stamped_certificate").WantRedirect(t, "/staff/appointments")
		c.Get(t, "/staff/appointments").WantStatus(t, http.StatusOK).WantBody(t, "经办人员不办理预约", "大厅预约名单")
	}
	anon := env.Anon(t)
	page := anon.Get(t, "/appointments").WantStatus(t, http.StatusOK).WantBody(t, "/login?next=/appointments/book")
	if strings.Contains(page.Body, `href="/staff/appointments"`) {
		t.Error("anonymous visitors are offered the staff list")
	}
	anon.Get(t, "/appointments/book").WantRedirect(t, "/login")
	pa := env.LoginAs(t, apptest.PersonA)
	pa.Get(t, "/appointments").WantStatus(t, http.StatusOK).WantBody(t, `href="/appointments/book"`)
	pa.Get(t, "/appointments/book").WantStatus(t, http.StatusOK).WantBody(t, "预约到大厅办理")
	env.LoginAs(t, apptest.EmployerA).Get(t, "/appointments/book").WantStatus(t, http.StatusOK)
}
