package ident

import "testing"

func TestParsePhoneValid(t *testing.T) {
	cases := map[string]string{
		"13812345678":          "13812345678",
		" 19912345678 ":        "19912345678",
		"138 1234 5678":        "13812345678",
		"138-1234-5678":        "13812345678",
		"+86 13812345678":      "13812345678",
		"+86-138-1234-5678":    "13812345678",
		"008613812345678":      "13812345678",
		"１３８１２３４５６７８":          "13812345678",
		"010-12345678":         "010-12345678",
		"010-1234567":          "010-1234567",
		"0571-8888888":         "0571-8888888",
		"0571-8888888-123":     "0571-8888888-123",
		"0571-88888888转6":      "0571-88888888-6",
		"021 62345678":         "021-62345678",
		"(010)12345678":        "010-12345678",
		"（0755）2345678":        "0755-2345678",
		"01012345678":          "010-12345678",
		"075523456789":         "0755-23456789",
		"010 - 12345678 - 123": "010-12345678-123",
	}
	for in, want := range cases {
		got, err := ParsePhone(in)
		if err != nil || got != want {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
		if !ValidPhone(in) {
			t.Errorf("ValidPhone(%q) = false", in)
		}
	}
}

func TestParsePhoneErrors(t *testing.T) {
	cases := []struct{ in, code, msg string }{
		{"", CodePhoneEmpty, "请填写联系电话"},
		{"1381234567", CodePhoneMobile, "手机号码应为11位，当前为10位"},
		{"138123456789", CodePhoneMobile, "手机号码应为11位，当前为12位"},
		{"12812345678", CodePhoneMobile, "手机号码应以13至19开头"},
		{"1381234567a", CodePhoneMobile, "手机号码只能包含数字"},
		{"+8601012345678", CodePhoneMobile, "手机号码应以13至19开头"},
		{"010-123456", CodePhoneLandline, "固定电话号码（区号之后）应为7至8位数字，且不以0开头"},
		{"010-123456789", CodePhoneLandline, "固定电话号码（区号之后）应为7至8位数字，且不以0开头"},
		{"010-02345678", CodePhoneLandline, "固定电话号码（区号之后）应为7至8位数字，且不以0开头"},
		{"0123-2345678", CodePhoneLandline, "固定电话区号无效：应为以0开头的3至4位数字，如010、021、0571"},
		{"01-2345678", CodePhoneLandline, "固定电话区号无效：应为以0开头的3至4位数字，如010、021、0571"},
		{"010-2345678-1234567", CodePhoneLandline, "分机号应为1至6位数字"},
		{"010-2345678-1-2", CodePhoneLandline, "固定电话应写成“区号-号码”，如010-12345678或0571-8888888，分机号用“-”连接"},
		{"010", CodePhoneLandline, "固定电话应写成“区号-号码”，如010-12345678或0571-8888888，分机号用“-”连接"},
		{"010-2345678a", CodePhoneLandline, "固定电话只能包含数字和“-”"},
		{"12333", CodePhoneMobile, ""},
		{"95588", CodePhoneInvalid, ""},
		{"phone", CodePhoneInvalid, ""},
	}
	for _, c := range cases {
		got, err := ParsePhone(c.in)
		t.Run(c.in, func(t *testing.T) {
			wantErr(t, err, c.code, c.msg)
			if got != "" || ValidPhone(c.in) {
				t.Errorf("accepted: %q", got)
			}
		})
	}
}
