// Package logredact masks personal identifiers in free text before it is
// written to a log or shown in a list: 18-digit resident ID numbers (17
// digits and a check digit or X), legacy 15-digit ID numbers and 11-digit
// mainland mobile numbers (also written 138-1234-5678, 138 1234 5678 or
// with a +86 / 86 prefix).
//
// The scanner is hand-written: it looks only at runs of ASCII digits and
// never allocates when a string holds nothing to mask. A run is masked when
// its whole length matches a pattern; digits glued to letters count (a run
// is bounded by any non-digit), so "ID110101199003077777" is masked too.
// It errs on the side of masking: an 18-digit number that is not an ID
// number (a purely numeric credit code, say) is masked as well.
package logredact

// Text returns s with every ID number and mobile number masked the way
// ident.MaskID and ident.MaskPhone show them: 1101**********002X,
// 1101*******0021 for legacy 15-digit numbers, 138****5678 (86138****5678
// with a country prefix, 138-****-5678 when written in groups).
func Text(s string) string {
	var b []byte // nil until the first mask
	last := 0    // bytes of s before last are already copied into b
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		start := i
		k, end := classify(s, start, scanDigits(s, start))
		if k != kindNone {
			if b == nil {
				b = make([]byte, 0, len(s))
			}
			b = append(b, s[last:start]...)
			b = appendMasked(b, s[start:end], k)
			last = end
		}
		i = end
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}

// Contains reports whether s holds anything Text would mask.
func Contains(s string) bool {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		kind, end := classify(s, i, scanDigits(s, i))
		if kind != kindNone {
			return true
		}
		i = end
	}
	return false
}

type kind int

const (
	kindNone    kind = iota
	kindID18         // 17 digits + digit or X
	kindID15         // legacy, all digits
	kindPhone        // 1[3-9] + 9 digits
	kindPhone86      // 86 + phone, +86 included in the text before
	kindPhoneSp      // 3-4-4 digits separated by '-' or ' '
)

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanDigits returns the end of the digit run starting at i.
func scanDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// classify decides what the digit run s[start:end] is and returns the end
// of the text to mask (which may extend past the run: a trailing X, or the
// further groups of a spaced phone number).
func classify(s string, start, end int) (kind, int) {
	n := end - start
	switch {
	case n == 17 && end < len(s) && (s[end] == 'X' || s[end] == 'x'):
		return kindID18, end + 1
	case n == 18:
		return kindID18, end
	case n == 15:
		return kindID15, end
	case n == 11 && isMobile(s[start:end]):
		return kindPhone, end
	case n == 13 && s[start] == '8' && s[start+1] == '6' && isMobile(s[start+2:end]):
		return kindPhone86, end
	case n == 3 && s[start] == '1' && s[start+1] >= '3' && s[start+1] <= '9':
		if e, ok := spacedPhone(s, end); ok {
			return kindPhoneSp, e
		}
	}
	return kindNone, end
}

// isMobile reports whether an 11-digit string is a mainland mobile number.
func isMobile(d string) bool { return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' }

// spacedPhone matches the rest of "138-1234-5678" or "138 1234 5678" after
// the first group ending at i; the separator must be the same both times.
func spacedPhone(s string, i int) (int, bool) {
	if i+10 > len(s) {
		return 0, false
	}
	sep := s[i]
	if sep != '-' && sep != ' ' {
		return 0, false
	}
	if scanDigits(s, i+1) != i+5 || s[i+5] != sep || scanDigits(s, i+6) != i+10 {
		return 0, false
	}
	if i+10 < len(s) && s[i+10] == '*' { // part of an already masked number
		return 0, false
	}
	return i + 10, true
}

// appendMasked appends the masked form of t, which classify matched.
func appendMasked(b []byte, t string, k kind) []byte {
	switch k {
	case kindID18:
		return keepEnds(b, t, 4, 4)
	case kindID15:
		return keepEnds(b, t, 4, 4)
	case kindPhone:
		return keepEnds(b, t, 3, 4)
	case kindPhone86:
		return keepEnds(b, t, 5, 4)
	case kindPhoneSp:
		b = append(b, t[:4]...) // "138-"
		b = append(b, "****"...)
		return append(b, t[8:]...) // "-5678"
	}
	return append(b, t...)
}

// keepEnds appends t with all but the first head and last tail bytes
// replaced by '*'.
func keepEnds(b []byte, t string, head, tail int) []byte {
	b = append(b, t[:head]...)
	for range len(t) - head - tail {
		b = append(b, '*')
	}
	return append(b, t[len(t)-tail:]...)
}
