package ident

import (
	"fmt"
	"strings"
)

// ValidPhone reports whether ParsePhone accepts s.
func ValidPhone(s string) bool {
	_, err := ParsePhone(s)
	return err == nil
}

// ParsePhone checks a mainland contact number and returns it in one form:
//   - mobile: 11 digits starting 13–19, returned as 13812345678; spaces,
//     dashes and a +86 or 0086 prefix are removed;
//   - landline: area code (010, 02x, or 4 digits 03xx–09xx), a 7–8 digit
//     local number not starting with 0, and an optional extension of
//     1–6 digits, returned as 010-12345678 or 0571-8888888-123. Spaces,
//     “(010)” and “转” for the extension are accepted.
//
// Errors are kind errs.Invalid with code phone_empty, phone_mobile (looks
// like a mobile number but is not one), phone_landline or phone_invalid.
func ParsePhone(s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", invalid(CodePhoneEmpty, "请填写联系电话")
	}
	for _, p := range []string{"+86", "0086"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return parseMobile(strings.TrimLeft(rest, " -"))
		}
	}
	switch s[0] {
	case '1':
		return parseMobile(s)
	case '0', '(':
		return parseLandline(s)
	}
	return "", invalid(CodePhoneInvalid, "联系电话应为11位手机号码或“区号-号码”形式的固定电话，如13812345678、010-12345678")
}

// parseMobile checks a mobile number, ignoring spaces and dashes.
func parseMobile(s string) (string, error) {
	d := strings.NewReplacer(" ", "", "-", "").Replace(s)
	switch {
	case digitsOnly(d) != len(d):
		return "", invalid(CodePhoneMobile, "手机号码只能包含数字")
	case len(d) != 11:
		return "", invalid(CodePhoneMobile, fmt.Sprintf("手机号码应为11位，当前为%d位", len(d)))
	case d[0] != '1' || d[1] < '3':
		return "", invalid(CodePhoneMobile, "手机号码应以13至19开头")
	}
	return d, nil
}

// parseLandline checks area code, local number and extension.
func parseLandline(s string) (string, error) {
	s = strings.NewReplacer("(", "", ")", "-", "转", "-").Replace(s)
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == ' ' })
	if len(parts) == 1 {
		parts = splitArea(parts[0])
	}
	if len(parts) < 2 || len(parts) > 3 {
		return "", invalid(CodePhoneLandline, "固定电话应写成“区号-号码”，如010-12345678或0571-8888888，分机号用“-”连接")
	}
	for _, p := range parts {
		if digitsOnly(p) != len(p) {
			return "", invalid(CodePhoneLandline, "固定电话只能包含数字和“-”")
		}
	}
	if !validArea(parts[0]) {
		return "", invalid(CodePhoneLandline, "固定电话区号无效：应为以0开头的3至4位数字，如010、021、0571")
	}
	if l := parts[1]; len(l) < 7 || len(l) > 8 || l[0] == '0' {
		return "", invalid(CodePhoneLandline, "固定电话号码（区号之后）应为7至8位数字，且不以0开头")
	}
	if len(parts) == 3 && (len(parts[2]) < 1 || len(parts[2]) > 6) {
		return "", invalid(CodePhoneLandline, "分机号应为1至6位数字")
	}
	return strings.Join(parts, "-"), nil
}

// splitArea splits a landline written without a dash after its area code.
func splitArea(s string) []string {
	n := 4
	if strings.HasPrefix(s, "010") || strings.HasPrefix(s, "02") {
		n = 3
	}
	if len(s) <= n {
		return []string{s}
	}
	return []string{s[:n], s[n:]}
}

// validArea accepts 010, 020–029 and 4-digit codes 0300–0999.
func validArea(a string) bool {
	switch len(a) {
	case 3:
		return a == "010" || a[:2] == "02"
	case 4:
		return a[0] == '0' && a[1] >= '3'
	}
	return false
}
