package ident

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"shebao/internal/errs"
)

// wantErr asserts that err is an errs.Invalid with the code and, when msg is
// not empty, exactly the message.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	e := errs.As(err)
	if e == nil {
		t.Fatalf("want error %s, got %v", code, err)
	}
	if !errors.Is(err, errs.E(errs.Invalid)) {
		t.Errorf("kind = %s, want invalid", e.Kind)
	}
	if e.Code != code {
		t.Errorf("code = %s (%s), want %s", e.Code, e.Message, code)
	}
	if msg != "" && e.Message != msg {
		t.Errorf("message = %q, want %q", e.Message, msg)
	}
}

// TestEveryCodeReached proves each exported error code has an input that
// produces it, and that IsChecksumOnly is true for exactly the check
// character codes.
func TestEveryCodeReached(t *testing.T) {
	id := func(s string) func() error { return func() error { _, err := ParseID(s); return err } }
	uscc := func(s string) func() error { return func() error { _, err := ParseUSCC(s); return err } }
	phone := func(s string) func() error { return func() error { _, err := ParsePhone(s); return err } }
	today := time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		code     string
		run      func() error
		checksum bool
	}{
		{CodeIDEmpty, id("  "), false},
		{CodeIDLength, id("1101051949"), false},
		{CodeIDChar, id("11010519491231002Y"), false},
		{CodeIDRegion, id(MakeID("990105", date(1949, 12, 31), 2, false)), false},
		{CodeIDBirth, id("110105194913310021"), false},
		{CodeIDFuture, func() error {
			_, err := ParseIDOn(MakeID("110105", date(2024, 2, 11), 2, false), today)
			return err
		}, false},
		{CodeIDChecksum, id("110105194912310023"), true},
		{CodeUSCCEmpty, uscc(""), false},
		{CodeUSCCLength, uscc("9135020077604965"), false},
		{CodeUSCCChar, uscc("91350200776O49653A"), false},
		{CodeUSCCChecksum, uscc("91350200776049653B"), true},
		{CodeUSCCOrgChecksum, uscc(withFinalCheck("91350200776049654")), true},
		{CodePhoneEmpty, phone(""), false},
		{CodePhoneMobile, phone("1281234567"), false},
		{CodePhoneLandline, phone("010-1234"), false},
		{CodePhoneInvalid, phone("abc"), false},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			err := c.run()
			wantErr(t, err, c.code, "")
			if got := IsChecksumOnly(err); got != c.checksum {
				t.Errorf("IsChecksumOnly = %v, want %v", got, c.checksum)
			}
		})
	}
}

func TestIsChecksumOnlyForeignErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("id_checksum"), errs.New(errs.Conflict, CodeIDChecksum, "x")} {
		if IsChecksumOnly(err) {
			t.Errorf("IsChecksumOnly(%v) = true", err)
		}
	}
}

// withFinalCheck appends the credit-code check character to a 17-char body.
func withFinalCheck(body string) string {
	c, err := USCCCheckChar(body)
	if err != nil {
		panic(err)
	}
	return body + string(c)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// randomArea returns a 6-digit area code with a valid province prefix.
func randomArea(r *rand.Rand) string {
	var ps []int
	for p, ok := range provinces {
		if ok {
			ps = append(ps, p)
		}
	}
	p := ps[r.IntN(len(ps))]
	const d = "0123456789"
	b := []byte{byte('0' + p/10), byte('0' + p%10), 0, 0, 0, 0}
	for i := 2; i < 6; i++ {
		b[i] = d[r.IntN(10)]
	}
	return string(b)
}

// randomBirth returns a date between MinBirthYear and 2024.
func randomBirth(r *rand.Rand) time.Time {
	start := date(MinBirthYear, 1, 1)
	days := int(date(2024, 12, 31).Sub(start).Hours() / 24)
	return start.AddDate(0, 0, r.IntN(days+1))
}
