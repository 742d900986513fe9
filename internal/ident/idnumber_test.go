package ident

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"shebao/internal/clock"
)

func TestParseIDValid(t *testing.T) {
	cases := []struct {
		in, number string
		birth      time.Time
		male       bool
	}{
		{"11010519491231002X", "11010519491231002X", date(1949, 12, 31), false},
		{" 11010519491231002x\t", "11010519491231002X", date(1949, 12, 31), false},
		{"１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", date(1949, 12, 31), false},
		{"440524188001010014", "440524188001010014", date(1880, 1, 1), true},
		{"110105491231002", "11010519491231002X", date(1949, 12, 31), false}, // legacy
		{"110105491231001", MakeID("110105", date(1949, 12, 31), 1, true), date(1949, 12, 31), true},
		{MakeID("650102", date(2000, 2, 29), 17, true), MakeID("650102", date(2000, 2, 29), 17, true), date(2000, 2, 29), true},
		{MakeID("110105", date(MinBirthYear, 1, 1), 0, false), MakeID("110105", date(MinBirthYear, 1, 1), 0, false), date(MinBirthYear, 1, 1), false},
	}
	for _, c := range cases {
		id, err := ParseID(c.in)
		if err != nil {
			t.Errorf("ParseID(%q): %v", c.in, err)
			continue
		}
		if id.Number != c.number || !id.Birth.Equal(c.birth) || id.Male != c.male {
			t.Errorf("ParseID(%q) = %+v, want %s %s male=%v", c.in, id, c.number, c.birth, c.male)
		}
		if id.Birth.Location() != time.UTC {
			t.Errorf("birth location = %v, want UTC", id.Birth.Location())
		}
	}
}

func TestParseIDErrors(t *testing.T) {
	cases := []struct{ in, code, msg string }{
		{"", CodeIDEmpty, "请填写公民身份号码"},
		{"11010519491231002", CodeIDLength, "公民身份号码应为18位，当前为17位"},
		{"11010519491231002X1", CodeIDLength, "公民身份号码应为18位，当前为19位"},
		{"1101051949123100张X", CodeIDChar, "公民身份号码第17位“张”不是数字"},
		{"1101051949123 002X", CodeIDChar, "公民身份号码第14位空格不是数字"},
		{"11010519491231002Y", CodeIDChar, "公民身份号码第18位“Y”无效，应为数字或X"},
		{"X10105491231002", CodeIDChar, "公民身份号码第1位“X”不是数字"},
		{"11010519491231002-", CodeIDChar, "公民身份号码第18位“-”无效，应为数字或X"},
		{"990105194912310021", CodeIDRegion, "公民身份号码前两位“99”不是有效的省级行政区划代码（外国人永久居留身份证号码请选择相应证件类型）"},
		{"810000199001010010", CodeIDRegion, "公民身份号码前两位“81”不是有效的省级行政区划代码（港澳台居民居住证号码请选择相应证件类型）"},
		{"160105194912310021", CodeIDRegion, "公民身份号码前两位“16”不是有效的省级行政区划代码"},
		{"110105194913310021", CodeIDBirth, "公民身份号码中的出生日期19491331不是有效日期"},
		{"110105194900310021", CodeIDBirth, "公民身份号码中的出生日期19490031不是有效日期"},
		{"110105194912000021", CodeIDBirth, "公民身份号码中的出生日期19491200不是有效日期"},
		{"110105190002290021", CodeIDBirth, "公民身份号码中的出生日期19000229不是有效日期"},
		{"110105194904310021", CodeIDBirth, "公民身份号码中的出生日期19490431不是有效日期"},
		{"110105184912310021", CodeIDBirth, "公民身份号码中的出生日期18491231早于1850年，请核对"},
		{"990105491231002", CodeIDRegion, "公民身份号码前两位“99”不是有效的省级行政区划代码（外国人永久居留身份证号码请选择相应证件类型）"},
		{"1101051949\t231002X", CodeIDChar, "公民身份号码第11位空白字符不是数字"},
		{"1101051949\x01231002X", CodeIDChar, "公民身份号码第11位不可见字符不是数字"},
		{"110105491331002", CodeIDBirth, "公民身份号码中的出生日期19491331不是有效日期"},
		{"110105194912310023", CodeIDChecksum, "公民身份号码校验位错误：应为X，实际为3"},
		{"110105194912310020", CodeIDChecksum, "公民身份号码校验位错误：应为X，实际为0"},
	}
	for _, c := range cases {
		_, err := ParseID(c.in)
		t.Run(c.in, func(t *testing.T) { wantErr(t, err, c.code, c.msg) })
	}
}

// TestParseIDChecksOrder: a number with a bad region, date and check
// character reports the region; the message says the first thing to fix.
func TestParseIDChecksOrder(t *testing.T) {
	_, err := ParseID("990105194913310023")
	wantErr(t, err, CodeIDRegion, "")
	_, err = ParseID("110105194913310023")
	wantErr(t, err, CodeIDBirth, "")
}

func TestParseIDOnFuture(t *testing.T) {
	// 2024-02-10 00:30 in Shanghai is still 2024-02-09 in UTC: the agency's
	// date (clock.DateOf) is what counts.
	now := time.Date(2024, 2, 9, 16, 30, 0, 0, time.UTC)
	today := clock.DateOf(now)
	if _, err := ParseIDOn(MakeID("110105", date(2024, 2, 10), 1, true), today); err != nil {
		t.Errorf("born today rejected: %v", err)
	}
	_, err := ParseIDOn(MakeID("110105", date(2024, 2, 11), 1, true), today)
	wantErr(t, err, CodeIDFuture, "公民身份号码中的出生日期20240211晚于今天，请核对")
	_, err = ParseIDOn(MakeID("110105", date(2031, 1, 1), 1, true), today)
	wantErr(t, err, CodeIDFuture, "")
	// Without a date, ParseID cannot know the future.
	if _, err := ParseID(MakeID("110105", date(2031, 1, 1), 1, true)); err != nil {
		t.Errorf("ParseID rejected a future date: %v", err)
	}
}

func TestIDCheckChar(t *testing.T) {
	cases := map[string]byte{
		"11010519491231002":  'X',
		"44052418800101001":  '4',
		"1101051949123100":   0,
		"110105194912310021": 0,
		"1101051949123100A":  0,
	}
	for in, want := range cases {
		if got := IDCheckChar(in); got != want {
			t.Errorf("IDCheckChar(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMakeIDRoundTrip: numbers built for many random areas, births and
// sequences parse back to the same number, birth and gender.
func TestMakeIDRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		area, birth, seq, male := randomArea(r), randomBirth(r), r.IntN(2000)-500, r.IntN(2) == 0
		n := MakeID(area, birth, seq, male)
		id, err := ParseID(n)
		if err != nil {
			t.Fatalf("MakeID(%s, %s, %d, %v) = %s: %v", area, birth, seq, male, n, err)
		}
		if id.Number != n || !id.Birth.Equal(birth) || id.Male != male || n[:6] != area {
			t.Fatalf("round trip %s: got %+v, want birth %s male %v", n, id, birth, male)
		}
	}
}

func TestMakeIDGenderAndSequence(t *testing.T) {
	b := date(1990, 5, 6)
	cases := []struct {
		seq  int
		male bool
		want string
	}{
		{1, true, "001"}, {1, false, "000"}, {2, false, "002"}, {2, true, "003"},
		{999, true, "999"}, {999, false, "998"}, {1234, true, "235"}, {-1, true, "999"},
	}
	for _, c := range cases {
		if got := MakeID("110105", b, c.seq, c.male)[14:17]; got != c.want {
			t.Errorf("MakeID seq %d male %v: sequence %s, want %s", c.seq, c.male, got, c.want)
		}
	}
}

func TestMakeIDPanicsOnBadArea(t *testing.T) {
	for _, area := range []string{"11010", "11010A", "1101050"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MakeID(%q) did not panic", area)
				}
			}()
			MakeID(area, date(1990, 1, 1), 1, true)
		}()
	}
	defer func() {
		if recover() == nil {
			t.Error("MakeID with a 5-digit year did not panic")
		}
	}()
	MakeID("110105", date(10000, 1, 1), 1, true)
}

// TestIDSingleDigitMutations: changing any one character of a valid number
// to any other allowed character is detected (MOD 11-2 guarantees it), and
// so is swapping two different adjacent characters.
func TestIDSingleDigitMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	valid := []string{"11010519491231002X", "440524188001010014"}
	for i := 0; i < 200; i++ {
		valid = append(valid, MakeID(randomArea(r), randomBirth(r), r.IntN(1000), r.IntN(2) == 0))
	}
	for _, n := range valid {
		for pos := 0; pos < 18; pos++ {
			for _, c := range []byte("0123456789X") {
				if c == n[pos] || (c == 'X' && pos < 17) {
					continue
				}
				m := n[:pos] + string(c) + n[pos+1:]
				if _, err := ParseID(m); err == nil {
					t.Fatalf("mutation %s of %s accepted", m, n)
				}
			}
			if pos < 17 && n[pos] != n[pos+1] {
				m := n[:pos] + string(n[pos+1]) + string(n[pos]) + n[pos+2:]
				if _, err := ParseID(m); err == nil {
					t.Fatalf("transposition %s of %s accepted", m, n)
				}
			}
		}
	}
}

func TestAge(t *testing.T) {
	id := ID{Birth: date(1949, 12, 31)}
	leap := ID{Birth: date(2000, 2, 29)}
	cases := []struct {
		id   ID
		on   time.Time
		want int
	}{
		{id, date(2024, 12, 30), 74},
		{id, date(2024, 12, 31), 75},
		{id, time.Date(2024, 12, 31, 0, 30, 0, 0, clock.Shanghai), 75},
		{leap, date(2023, 2, 28), 22},
		{leap, date(2023, 3, 1), 23},
		{leap, date(2024, 2, 29), 24},
		{leap, date(2000, 2, 29), 0},
	}
	for _, c := range cases {
		if got := c.id.Age(c.on); got != c.want {
			t.Errorf("Age(%s) born %s = %d, want %d", c.on, c.id.Birth, got, c.want)
		}
	}
}

func TestIDMaskedHidesDigits(t *testing.T) {
	id, err := ParseID("11010519491231002X")
	if err != nil {
		t.Fatal(err)
	}
	if got := id.Masked(); got != "1101**********002X" || strings.Contains(got, "1949") {
		t.Errorf("Masked = %s", got)
	}
}
