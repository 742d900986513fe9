package logredact

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"no digits", "申请已受理", "申请已受理"},
		{"id 18 digits", "身份证 110101199003077777 已登记", "身份证 1101**********7777 已登记"},
		{"id with X", "id=11010519491231002X.", "id=1101**********002X."},
		{"id with lower x", "11010519491231002x", "1101**********002x"},
		{"id glued to letters", "ID110101199003077777abc", "ID1101**********7777abc"},
		{"legacy 15", "旧号码 110105491231002 转换", "旧号码 1101*******1002 转换"},
		{"mobile", "电话13812345678", "电话138****5678"},
		{"mobile 19x", "19912345678", "199****5678"},
		{"mobile +86", "+8613812345678", "+86138****5678"},
		{"mobile 86 no plus", "8613812345678", "86138****5678"},
		{"mobile dashes", "tel 138-1234-5678 end", "tel 138-****-5678 end"},
		{"mobile spaces", "138 1234 5678", "138 **** 5678"},
		{"mixed separators not a phone", "138-1234 5678", "138-1234 5678"},
		{"two in one line", "a 13812345678 b 110101199003077777", "a 138****5678 b 1101**********7777"},
		{"landline 11 digits not mobile", "01012345678", "01012345678"},
		{"12 not a phone", "138123456789", "138123456789"},
		{"10 digits", "1381234567", "1381234567"},
		{"16 digits untouched", "1234567890123456", "1234567890123456"},
		{"19 digits untouched", "6222021234567890123", "6222021234567890123"},
		{"17 digits no X", "11010119900307777", "11010119900307777"},
		{"amount", "金额 12345.67 元", "金额 12345.67 元"},
		{"date", "2024-02-10 09:00", "2024-02-10 09:00"},
		{"chinese around", "张三（110101199003077777）电话：13912345678。", "张三（1101**********7777）电话：139****5678。"},
		{"at end after digits run", "x12", "x12"},
		{"short dashed tail", "138-1234-567", "138-1234-567"},
		{"dashed with longer last", "138-1234-56789", "138-1234-56789"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := Contains(tt.in); got != (tt.in != tt.want) {
				t.Errorf("Contains(%q) = %v", tt.in, got)
			}
		})
	}
}

func TestTextKeepsLength(t *testing.T) {
	in := "110101199003077777 13812345678 110105491231002"
	if got := Text(in); len(got) != len(in) || strings.ContainsAny(got[5:14], "0123456789") {
		t.Fatalf("Text(%q) = %q", in, got)
	}
}

func TestTextNoAllocWhenClean(t *testing.T) {
	s := "GET /staff/queue 200 1.234ms request_id=9f3a0c1d2e4b5a69 employer=42"
	if n := testing.AllocsPerRun(100, func() { _ = Text(s) }); n != 0 {
		t.Fatalf("allocs = %v, want 0", n)
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clean untouched", `{"b":1,"a":"x"}`, `{"b":1,"a":"x"}`},
		{"string value", `{"id_number":"110101199003077777","name":"张*"}`, `{"id_number":"1101**********7777","name":"张*"}`},
		{"number phone becomes string", `{"phone":13812345678,"n":5}`, `{"n":5,"phone":"138****5678"}`},
		{"nested and arrays", `{"p":[{"m":"13812345678"}]}`, `{"p":[{"m":"138****5678"}]}`},
		{"key masked", `{"110101199003077777":true}`, `{"1101**********7777":true}`},
		{"not json", `phone 13812345678 {`, `phone 138****5678 {`},
		{"top-level string", `"13812345678"`, `"138****5678"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := JSON(tt.in); got != tt.want {
				t.Errorf("JSON(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"110101199003077777", "138-1234-5678", "+8613812345678", "11010519491231002X", "138 1234",
		"170 0000 000000000000000"} { // the last: a masked run must not complete a grouped phone
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Text(s)
		if len(m) != len(s) {
			t.Fatalf("length changed: %q -> %q", s, m)
		}
		if Contains(m) {
			t.Fatalf("Text(%q) = %q still holds something to mask", s, m)
		}
		if Text(m) != m {
			t.Fatalf("not idempotent: %q", s)
		}
	})
}

var sink string

func BenchmarkTextClean(b *testing.B) {
	s := `method=POST path=/staff/employer/applications/1234/approve status=303 duration=2.5ms request_id=9f3a0c1d2e4b5a69`
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		sink = Text(s)
	}
}

func BenchmarkTextDirty(b *testing.B) {
	s := `unique violation: Key (id_number)=(110101199003077777) already exists; contact 13812345678`
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		sink = Text(s)
	}
}
