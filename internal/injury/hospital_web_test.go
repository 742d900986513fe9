package injury_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/app/apptest"
	"shebao/internal/injury"
	"shebao/internal/money"
)

// TestHospitalWebUser: a hospital's web user files the continued-treatment
// form on the web and sees only its own hospital's forms, settlements and
// payments (amounts in 元 with separators, ID numbers masked); another
// hospital's settlement stays out of its pages; bad input names the field.
func TestHospitalWebUser(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		pushCovid(t, env, workerID, "京朝人社工伤认字〔2024〕021号")
		covidItems(t, env, "XG001")
		var own, other injury.SettlementAnswer
		settle(t, env.LoginAs(t, apptest.APIHospital), "k-1", settlement(workerID, "INV-A1", injury.SettlementItem{
			Code: "XG001", Name: "抗病毒药物", Quantity: "1", AmountFen: 1234567})).WantStatus(t, http.StatusCreated).JSON(t, &own)
		settle(t, env.LoginAs(t, apptest.APIHospital2), "k-1", settlement(workerID, "INV-B1", injury.SettlementItem{
			Code: "XG001", Name: "抗病毒药物", Quantity: "1", AmountFen: 7654321})).WantStatus(t, http.StatusCreated).JSON(t, &other)

		web := env.LoginAs(t, apptest.HospitalWeb)
		web.Get(t, "/hospital").WantStatus(t, 200).WantBody(t, "北京市测试医院", "/hospital/continued")
		web.PostForm(t, "/hospital/continued", url.Values{"patient_id_number": {"123"}, "admitted_on": {""}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "患者身份证号码有误", "请填写诊断")
		web.PostForm(t, "/hospital/continued", url.Values{"patient_id_number": {workerID}, "admitted_on": {"2024-02-09"},
			"diagnosis": {"肺纤维化"}, "reason": {"复查肺功能下降，需再次住院"}}).WantStatus(t, http.StatusSeeOther)
		list := web.Get(t, "/hospital/continued").WantStatus(t, 200).WantBody(t, "肺纤维化", "暂不审批")
		if strings.Contains(list.Body, workerID) {
			t.Fatal("full ID number on the hospital's list")
		}
		forms, err := env.App.Injury.ContinuedForms(t.Context(), env.Actor(t, apptest.APIHospital2), "", 1)
		if err != nil || len(forms) != 0 {
			t.Fatalf("another hospital sees the form: %d %v", len(forms), err)
		}
		s := web.Get(t, "/hospital/settlements").WantStatus(t, 200).WantBody(t, own.SettlementNo, money.Fen(1234567).String())
		p := web.Get(t, "/hospital/payments").WantStatus(t, 200).WantBody(t, own.SettlementNo, "12,345.67", "暂停发放")
		for _, body := range []string{s.Body, p.Body} {
			if strings.Contains(body, other.SettlementNo) || strings.Contains(body, "76,543.21") {
				t.Fatal("the hospital's pages show another hospital's settlement")
			}
		}
		// The hospital's web user has no staff or employer pages.
		web.Get(t, "/staff/injury/settlements").WantStatus(t, http.StatusForbidden)
		web.Get(t, "/employer/injury/claims").WantStatus(t, http.StatusForbidden)
	})
}
