package ident

import "strings"

// MaskID shows an ID number for lists and logs as 1101**********002X: the
// first 4 and last 4 characters, one star for each hidden one. Input of
// another length keeps at most a quarter of it at each end, so never more
// than half is shown; fewer than 4 characters become all stars.
func MaskID(s string) string {
	r := []rune(strings.TrimSpace(s))
	return keepEnds(r, min(4, len(r)/4), min(4, len(r)/4))
}

// MaskPhone shows a phone number for lists and logs: an 11-digit mobile
// number as 138****5678 (the usual national form); anything else of at
// least 10 characters keeps the first 3 and last 2 (010*******78); shorter
// input becomes all stars, so never more than half is shown.
func MaskPhone(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch {
	case len(r) == 11 && digitsOnly(string(r)) == 11:
		return keepEnds(r, 3, 4)
	case len(r) >= 10:
		return keepEnds(r, 3, 2)
	}
	return keepEnds(r, 0, 0)
}

// MaskName shows a person's name for lists and logs: the first character
// and one star for each other (张*, 欧***); a single character becomes *.
func MaskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) < 2 {
		return keepEnds(r, 0, 0)
	}
	return keepEnds(r, 1, 0)
}

// MaskNameEnds shows a name on a public check page, where the reader
// holds the document and compares it: the first and the last character
// with one star for each in between (张*明, 欧**娜); a two-character name
// keeps only the first (张*), a single character becomes *.
func MaskNameEnds(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) < 3 {
		return MaskName(s)
	}
	return keepEnds(r, 1, 1)
}

// keepEnds keeps head characters at the start and tail at the end of r and
// replaces the rest with stars.
func keepEnds(r []rune, head, tail int) string {
	if head+tail > len(r) {
		head, tail = 0, 0
	}
	var b strings.Builder
	b.Grow(len(r) + 8)
	for i, c := range r {
		if i < head || i >= len(r)-tail {
			b.WriteRune(c)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}
