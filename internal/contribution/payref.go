package contribution

import (
	"crypto/rand"
	"strings"
)

// refAlphabet is Crockford's base32 (no I, L, O, U): easy to read out and
// type from a bank slip.
const refAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// refRandom is how many random characters a payment reference has (55
// bits); one check character follows.
const refRandom = 11

// NewPaymentRef returns an unguessable payment reference such as
// "SB7Q2M9XK4D1PZ": "SB", 11 random base32 characters and a check
// character that catches mistyped characters and swapped neighbours.
// The rule: docs/rules.md §1.3.
func NewPaymentRef() string {
	buf := make([]byte, refRandom)
	if _, err := rand.Read(buf); err != nil {
		panic("contribution: no randomness: " + err.Error())
	}
	var b strings.Builder
	b.WriteString("SB")
	for _, x := range buf {
		b.WriteByte(refAlphabet[int(x)%len(refAlphabet)])
	}
	body := b.String()[2:]
	return "SB" + body + string(refCheck(body))
}

// refCheck is the Luhn mod 32 check character of body: it catches every
// single mistyped character and almost every swap of neighbours.
func refCheck(body string) byte {
	const n = len(refAlphabet)
	factor, sum := 2, 0
	for i := len(body) - 1; i >= 0; i-- {
		add := factor * strings.IndexByte(refAlphabet, body[i])
		sum += add/n + add%n
		factor = 3 - factor
	}
	return refAlphabet[(n-sum%n)%n]
}

// NormalizeRef upper-cases a reference and drops spaces and dashes, so what
// a payer typed on a slip can be looked up.
func NormalizeRef(ref string) string {
	ref = strings.ToUpper(strings.TrimSpace(ref))
	return strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(ref)
}

// ValidPaymentRef reports whether ref (normalized) has the form and the
// check character of a payment reference.
func ValidPaymentRef(ref string) bool {
	ref = NormalizeRef(ref)
	if len(ref) != 2+refRandom+1 || !strings.HasPrefix(ref, "SB") {
		return false
	}
	body := ref[2 : 2+refRandom]
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(refAlphabet, body[i]) < 0 {
			return false
		}
	}
	return ref[len(ref)-1] == refCheck(body)
}
