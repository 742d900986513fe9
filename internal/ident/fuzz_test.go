package ident

import (
	"strings"
	"testing"
	"time"

	"shebao/internal/errs"
)

// wantInvalid fails unless err is an errs.Invalid with a code and a message.
func wantInvalid(t *testing.T, in string, err error) {
	t.Helper()
	e := errs.As(err)
	if e == nil || e.Kind != errs.Invalid || e.Code == "" || e.Message == "" {
		t.Fatalf("%q: error %#v is not an Invalid with code and message", in, err)
	}
}

// FuzzParseID: ParseID never panics, fails only with Invalid errors, and
// whatever it accepts is a canonical 18-character number with a correct
// check character that re-parses to the same ID.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "440524188001010014", "110105491231002",
		"110105194912310023", "110105194913310021", "990105194912310021", "", " ", "1101051949123100张X",
		"１１０１０５１９４９１２３１００２Ｘ", "\xff1010519491231002X", "110105190002290021",
	} {
		f.Add(s)
	}
	today := time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			wantInvalid(t, s, err)
			return
		}
		n := id.Number
		if len(n) != 18 || IDCheckChar(n[:17]) != n[17] {
			t.Fatalf("%q accepted as %q with a bad check character", s, n)
		}
		if c := clean(s); len(c) == 18 && n != strings.ToUpper(c) {
			t.Fatalf("%q accepted as %q, not its upper-case form", s, n)
		}
		again, err := ParseID(n)
		if err != nil || again != id {
			t.Fatalf("%q -> %+v re-parses to %+v, %v", s, id, again, err)
		}
		if id.Birth.Year() < MinBirthYear || n[6:14] != id.Birth.Format("20060102") {
			t.Fatalf("%q: birth %s does not match the number", s, id.Birth)
		}
		if id.Male != ((n[16]-'0')%2 == 1) {
			t.Fatalf("%q: gender does not match position 17", s)
		}
		if _, err := ParseIDOn(s, today); (err == nil) == id.Birth.After(today) {
			t.Fatalf("%q: ParseIDOn future check wrong (%v)", s, err)
		}
	})
}

// FuzzParseUSCC: ParseUSCC never panics, fails only with Invalid errors,
// and whatever it accepts is 18 alphabet characters with both check
// characters right, re-parsing to itself.
func FuzzParseUSCC(f *testing.F) {
	for _, s := range []string{
		"91350200776049653A", "91350200776049653a", "91350200776049653B", "913502007760I9653A",
		withFinalCheck("91350200776049654"), "", "9135020077604965", "９１３５０２００７７６０４９６５３Ａ",
		"\xff1350200776049653A", "91350200776049653码",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseUSCC(s)
		if err != nil {
			wantInvalid(t, s, err)
			return
		}
		if len(c) != 18 || c != NormalizeUSCC(s) {
			t.Fatalf("%q accepted as %q, not its normal form", s, c)
		}
		if want, err := USCCCheckChar(c[:17]); err != nil || want != c[17] {
			t.Fatalf("%q accepted with check character %c, want %c (%v)", s, c[17], want, err)
		}
		if orgCheck(c[8:16]) != c[16] {
			t.Fatalf("%q accepted with a bad organisation check character", s)
		}
		if again, err := ParseUSCC(c); err != nil || again != c {
			t.Fatalf("%q -> %q re-parses to %q, %v", s, c, again, err)
		}
	})
}

// FuzzParsePhone: ParsePhone never panics and its output is a fixed point.
func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138 1234 5678", "0571-8888888-123", "(010)12345678", "", "0", "1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhone(s)
		if err != nil {
			wantInvalid(t, s, err)
			return
		}
		if again, err := ParsePhone(p); err != nil || again != p {
			t.Fatalf("%q -> %q re-parses to %q, %v", s, p, again, err)
		}
	})
}
