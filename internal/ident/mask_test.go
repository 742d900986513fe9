package ident

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMaskID(t *testing.T) {
	cases := map[string]string{
		"11010519491231002X":  "1101**********002X",
		" 11010519491231002X": "1101**********002X",
		"110105491231002":     "110*********002",
		"1101051949":          "11******49",
		"1234567":             "1*****7",
		"123":                 "***",
		"":                    "",
		"张三李四王五赵六":            "张三****赵六",
	}
	for in, want := range cases {
		if got := MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	cases := map[string]string{
		"13812345678":      "138****5678",
		"010-12345678":     "010*******78",
		"0571-8888888-123": "057***********23",
		"1381234567":       "138*****67",
		"123456789":        "*********",
		"12":               "**",
		"":                 "",
		"138 1234 5678":    "138********78",
	}
	for in, want := range cases {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskName(t *testing.T) {
	cases := map[string]string{
		"张三":   "张*",
		"欧阳娜娜": "欧***",
		"李":    "*",
		" 王小明": "王**",
		"":     "",
		"Li":   "L*",
	}
	for in, want := range cases {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskNameEnds(t *testing.T) {
	cases := map[string]string{"张三明": "张*明", "欧阳娜娜": "欧**娜", "张三": "张*", "李": "*", " 王小明 ": "王*明", "": ""}
	for in, want := range cases {
		if got := MaskNameEnds(in); got != want {
			t.Errorf("MaskNameEnds(%q) = %q, want %q", in, got, want)
		}
	}
}

// shown counts the characters a mask left visible.
func shown(masked string) int { return utf8.RuneCountInString(masked) - strings.Count(masked, "*") }

// FuzzMask: masks never panic, keep the (trimmed) length and never show
// more than half, except the national 138****5678 form for mobiles and
// the check page's 张*明 (first and last character only).
func FuzzMask(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "13812345678", "张三", "", "\xff\xfe", "a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := utf8.RuneCountInString(strings.TrimSpace(s))
		if strings.Contains(s, "*") {
			return // stars in the input would be counted as hidden
		}
		for name, m := range map[string]func(string) string{"MaskID": MaskID, "MaskPhone": MaskPhone, "MaskName": MaskName,
			"MaskNameEnds": MaskNameEnds} {
			got := m(s)
			if utf8.RuneCountInString(got) != n {
				t.Fatalf("%s(%q) = %q: length %d, want %d", name, s, got, utf8.RuneCountInString(got), n)
			}
			mobile := name == "MaskPhone" && n == 11 && digitsOnly(strings.TrimSpace(s)) == 11
			if name == "MaskNameEnds" && shown(got) > 2 {
				t.Fatalf("%s(%q) = %q shows more than the first and last character", name, s, got)
			}
			if !mobile && name != "MaskNameEnds" && 2*shown(got) > n {
				t.Fatalf("%s(%q) = %q shows more than half", name, s, got)
			}
		}
	})
}
