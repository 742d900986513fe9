package ident

import (
	"math/rand/v2"
	"testing"
)

func TestParseUSCCValid(t *testing.T) {
	cases := map[string]string{
		"91350200776049653A":   "91350200776049653A",
		" 91350200776049653a ": "91350200776049653A",
		"９１３５０２００７７６０４９６５３Ａ":                 "91350200776049653A",
		MakeUSCC("92", "110105", "MA01XQ0J"): MakeUSCC("92", "110105", "MA01XQ0J"),
	}
	for in, want := range cases {
		got, err := ParseUSCC(in)
		if err != nil || got != want {
			t.Errorf("ParseUSCC(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestParseUSCCErrors(t *testing.T) {
	cases := []struct{ in, code, msg string }{
		{" ", CodeUSCCEmpty, "请填写统一社会信用代码"},
		{"9135020077604965", CodeUSCCLength, "统一社会信用代码应为18位，当前为16位"},
		{"91350200776049653A0", CodeUSCCLength, "统一社会信用代码应为18位，当前为19位"},
		{"913502007760I9653A", CodeUSCCChar, "统一社会信用代码第13位不能是字母“I”（代码中不使用I、O、S、V、Z），请核对"},
		{"913502007760o9653A", CodeUSCCChar, "统一社会信用代码第13位不能是字母“O”（代码中不使用I、O、S、V、Z），请核对"},
		{"S1350200776049653A", CodeUSCCChar, "统一社会信用代码第1位不能是字母“S”（代码中不使用I、O、S、V、Z），请核对"},
		{"9135020077604965Z3", CodeUSCCChar, "统一社会信用代码第17位不能是字母“Z”（代码中不使用I、O、S、V、Z），请核对"},
		{"91350200776049653V", CodeUSCCChar, "统一社会信用代码第18位不能是字母“V”（代码中不使用I、O、S、V、Z），请核对"},
		{"9135020077604965#A", CodeUSCCChar, "统一社会信用代码第17位“#”无效，只能是数字或大写字母（不含I、O、S、V、Z）"},
		{"91350200776049653码", CodeUSCCChar, "统一社会信用代码第18位“码”无效，只能是数字或大写字母（不含I、O、S、V、Z）"},
		{"91350200776049653B", CodeUSCCChecksum, "统一社会信用代码校验位错误：应为A，实际为B"},
		{withFinalCheck("91350200776049654"), CodeUSCCOrgChecksum, "统一社会信用代码中的组织机构代码校验位（第17位）错误：应为3，实际为4"},
	}
	for _, c := range cases {
		got, err := ParseUSCC(c.in)
		t.Run(c.in, func(t *testing.T) {
			wantErr(t, err, c.code, c.msg)
			if got != "" {
				t.Errorf("returned %q with an error", got)
			}
		})
	}
}

// TestOrgCheck covers the organisation-code rule's edge values: the
// docs/rules.md §1.2 example, a result of 10 (X) and of 11 (0), and letters that
// count A=10 … Z=35 over the full Latin alphabet.
func TestOrgCheck(t *testing.T) {
	cases := map[string]byte{
		"77604965": '3', // S = 250, 11 - 8 = 3 (docs/rules.md §1.2)
		"00000000": '0', // S = 0, 11 - 0 = 11 -> 0
		"00000005": '1', // S = 10, 11 - 10 = 1
		"00000006": 'X', // S = 12, 11 - 1 = 10 -> X
		"A0000000": '3', // A = 10: S = 30, 11 - 8 = 3
		"Z0000000": '5', // Z = 35: S = 105, 11 - 6 = 5
		"M0001QAY": '9', // a code issued in the wild that fails its check (docs/rules.md §1.2)
	}
	for in, want := range cases {
		if got := orgCheck(in); got != want {
			t.Errorf("orgCheck(%q) = %c, want %c", in, got, want)
		}
	}
}

func TestUSCCCheckChar(t *testing.T) {
	c, err := USCCCheckChar("91350200776049653")
	if err != nil || c != 'A' {
		t.Errorf("USCCCheckChar = %c, %v; want A", c, err)
	}
	_, err = USCCCheckChar("91350200776049653A")
	wantErr(t, err, CodeUSCCLength, "统一社会信用代码应为17位，当前为18位")
	_, err = USCCCheckChar("9135020077604965I")
	wantErr(t, err, CodeUSCCChar, "")
}

func TestMakeUSCC(t *testing.T) {
	if got := MakeUSCC("91", "350200", "77604965"); got != "91350200776049653A" {
		t.Errorf("MakeUSCC = %s, want 91350200776049653A", got)
	}
	for _, parts := range [][3]string{{"9", "350200", "77604965"}, {"91", "350200", "7760496I"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MakeUSCC%v did not panic", parts)
				}
			}()
			MakeUSCC(parts[0], parts[1], parts[2])
		}()
	}
}

// randomUSCC builds a valid code from random parts.
func randomUSCC(r *rand.Rand) string {
	pick := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = usccAlphabet[r.IntN(len(usccAlphabet))]
		}
		return string(b)
	}
	return MakeUSCC(pick(2), pick(6), pick(8))
}

func TestMakeUSCCRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20000; i++ {
		c := randomUSCC(r)
		got, err := ParseUSCC(c)
		if err != nil || got != c {
			t.Fatalf("ParseUSCC(%s) = %s, %v", c, got, err)
		}
	}
}

// TestUSCCMutations: any single substitution with another alphabet
// character, and any swap of two different adjacent characters, is
// detected by the MOD 31 check character.
func TestUSCCMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	valid := []string{"91350200776049653A"}
	for i := 0; i < 100; i++ {
		valid = append(valid, randomUSCC(r))
	}
	for _, c := range valid {
		for pos := 0; pos < 18; pos++ {
			for i := 0; i < len(usccAlphabet); i++ {
				ch := usccAlphabet[i]
				if ch == c[pos] {
					continue
				}
				m := c[:pos] + string(ch) + c[pos+1:]
				if _, err := ParseUSCC(m); err == nil {
					t.Fatalf("mutation %s of %s accepted", m, c)
				}
			}
			if pos < 17 && c[pos] != c[pos+1] {
				m := c[:pos] + string(c[pos+1]) + string(c[pos]) + c[pos+2:]
				if _, err := ParseUSCC(m); err == nil {
					t.Fatalf("transposition %s of %s accepted", m, c)
				}
			}
		}
	}
}

func TestNormalizeUSCC(t *testing.T) {
	if got := NormalizeUSCC(" 91350200776049653b "); got != "91350200776049653B" {
		t.Errorf("NormalizeUSCC = %q", got)
	}
}
