package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/complaint"
)

type staffItem struct {
	ID              int64  `json:"id"`
	No              string `json:"no"`
	Status          string `json:"status"`
	SectionName     string `json:"section_name"`
	ReporterName    string `json:"reporter_name"`
	ReporterContact string `json:"reporter_contact"`
	Version         int64  `json:"version"`
	Answer          string `json:"answer"`
	TransferTo      string `json:"transfer_to"`
	Events          []struct {
		KindName string `json:"kind_name"`
		Internal bool   `json:"internal"`
	} `json:"events"`
}

// TestComplaintStaffAPI: 审计科 lists and filters the queue, reads a
// complaint with its reporter, accepts it for a section, reassigns and
// answers it, transfers another — through the same service as the pages
// (the page shows the API's steps); the section assigned sees it without
// the reporter and may not triage; another section sees nothing; field
// errors and stale versions are answered in Chinese.
func TestComplaintStaffAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		auditor := env.Actor(t, apptest.Staff(access.Audit))
		named, err := env.App.Complaints.File(ctx, auditor, complaint.Input{Category: complaint.CatArrears, Channel: complaint.ChannelPhone,
			Subject: "某公司欠缴社保", Body: "北京某科技有限公司连续 6 个月未缴社会保险费。", ReporterName: "张三", ReporterContact: "13912345678",
			TargetName: "北京某科技有限公司"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := env.App.Complaints.File(ctx, auditor, complaint.Input{Category: complaint.CatLabour, Channel: complaint.ChannelVisit,
			Subject: "拖欠工资", Body: "某餐馆拖欠工资三个月，要求补发。"})
		if err != nil {
			t.Fatal(err)
		}
		au := env.LoginAs(t, apptest.Staff(access.Audit))
		var list struct {
			Items []staffItem `json:"items"`
			Total int         `json:"total"`
		}
		au.Get(t, "/api/v1/staff/complaints").WantStatus(t, http.StatusOK).JSON(t, &list)
		if list.Total != 2 || len(list.Items) != 2 {
			t.Fatalf("queue %+v", list)
		}
		au.Get(t, "/api/v1/staff/complaints?status=received&category=arrears&q=某科技").WantStatus(t, http.StatusOK).JSON(t, &list)
		if list.Total != 1 || list.Items[0].No != named.No || list.Items[0].ReporterName != "张三" || list.Items[0].ReporterContact != "13912345678" {
			t.Fatalf("filtered queue %+v", list)
		}
		wantField(t, au.Get(t, "/api/v1/staff/complaints?page=x"), "page")

		path := "/api/v1/staff/complaints/" + strconv.FormatInt(named.ID, 10)
		var c staffItem
		au.Get(t, path).WantStatus(t, http.StatusOK).JSON(t, &c)
		if c.ReporterName != "张三" || c.Version != 1 || len(c.Events) == 0 {
			t.Fatalf("auditor's view %+v", c)
		}
		wantField(t, au.PostJSON(t, path+"/triage", map[string]any{"action": "reject", "version": 1, "reason": ""}), "reason")
		wantField(t, au.PostJSON(t, path+"/triage", map[string]any{"action": "close", "version": 1}), "action")
		wantField(t, au.PostJSON(t, path+"/triage", map[string]any{"action": "accept"}), "version")
		wantField(t, au.PostJSON(t, path+"/triage", map[string]any{"action": "accept", "version": 1}), "section")
		au.PostJSON(t, path+"/triage", map[string]any{"action": "accept", "version": 1, "section": string(access.Coordination)}).
			WantStatus(t, http.StatusOK).JSON(t, &c)
		if c.Status != complaint.Accepted || c.SectionName != access.Coordination.Name() || c.Version != 2 {
			t.Fatalf("after acceptance %+v", c)
		}
		au.PostJSON(t, path+"/triage", map[string]any{"action": "accept", "version": 2, "section": string(access.Coordination)}).
			WantStatus(t, http.StatusConflict)

		// The section investigating sees it without the reporter and may not triage.
		co := env.LoginAs(t, apptest.Staff(access.Coordination))
		r := co.Get(t, "/api/v1/staff/complaints").WantStatus(t, http.StatusOK)
		r.JSON(t, &list)
		if list.Total != 1 || strings.Contains(r.Body, "张三") || strings.Contains(r.Body, "13912345678") {
			t.Fatalf("section's queue %s", r.Body)
		}
		r = co.Get(t, path).WantStatus(t, http.StatusOK)
		if strings.Contains(r.Body, "张三") || strings.Contains(r.Body, "13912345678") || strings.Contains(r.Body, "reporter_name") {
			t.Fatalf("the section reads the reporter: %s", r.Body)
		}
		co.PostJSON(t, path+"/answer", map[string]any{"version": 2, "text": "经调查，情况属实，已责令补缴。"}).WantStatus(t, http.StatusForbidden)
		fund := env.LoginAs(t, apptest.Staff(access.Fund))
		fund.Get(t, path).WantStatus(t, http.StatusForbidden)
		fund.Get(t, "/api/v1/staff/complaints").WantStatus(t, http.StatusOK).JSON(t, &list)
		if list.Total != 0 {
			t.Fatalf("another section lists %+v", list)
		}
		env.LoginAs(t, apptest.PersonA).Get(t, path).WantStatus(t, http.StatusForbidden)

		// Reassign to 基金管理科, then answer.
		au.PostJSON(t, path+"/assign", map[string]any{"version": 2, "section": string(access.Fund)}).WantStatus(t, http.StatusOK).JSON(t, &c)
		if c.SectionName != access.Fund.Name() {
			t.Fatalf("after reassignment %+v", c)
		}
		fund.Get(t, path).WantStatus(t, http.StatusOK)
		wantField(t, au.PostJSON(t, path+"/answer", map[string]any{"version": c.Version, "text": "已处理"}), "text")
		au.PostJSON(t, path+"/answer", map[string]any{"version": c.Version, "text": "经调查，该单位已补缴 6 个月社会保险费。"}).
			WantStatus(t, http.StatusOK).JSON(t, &c)
		if c.Status != complaint.Answered || c.Answer == "" {
			t.Fatalf("after the answer %+v", c)
		}
		// The page shows the steps the API took (one service).
		au.Get(t, "/staff/complaints/"+strconv.FormatInt(named.ID, 10)).WantStatus(t, http.StatusOK).
			WantBody(t, "已答复", "经调查，该单位已补缴 6 个月社会保险费。", "改由"+access.Fund.Name()+"调查")

		opath := "/api/v1/staff/complaints/" + strconv.FormatInt(other.ID, 10) + "/triage"
		au.PostJSON(t, opath, map[string]any{"action": "transfer", "version": 1, "to": "区劳动保障监察大队",
			"reason": "属于劳动报酬争议，由劳动保障监察部门处理"}).WantStatus(t, http.StatusOK).JSON(t, &c)
		if c.Status != complaint.Transferred || c.TransferTo != "区劳动保障监察大队" {
			t.Fatalf("after the transfer %+v", c)
		}
	})
}
