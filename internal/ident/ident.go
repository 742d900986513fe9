// Package ident parses and checks Chinese identifiers: resident ID numbers
// (GB 11643-1999), unified social credit codes (GB 32100-2015) and phone
// numbers, and masks personal data for lists and logs.
//
// Every parse error is an *errs.Error of kind errs.Invalid with a stable
// code (id_length, uscc_checksum, phone_invalid, …) and a Chinese message
// that says exactly what is wrong. Messages never repeat a whole ID number
// or phone number, so they are safe to log.
package ident

import (
	"strings"
	"unicode/utf8"

	"shebao/internal/errs"
)

// Error codes returned by this package.
const (
	CodeIDEmpty         = "id_empty"
	CodeIDLength        = "id_length"
	CodeIDChar          = "id_char"
	CodeIDRegion        = "id_region"
	CodeIDBirth         = "id_birth"
	CodeIDFuture        = "id_future"
	CodeIDChecksum      = "id_checksum"
	CodeUSCCEmpty       = "uscc_empty"
	CodeUSCCLength      = "uscc_length"
	CodeUSCCChar        = "uscc_char"
	CodeUSCCChecksum    = "uscc_checksum"
	CodeUSCCOrgChecksum = "uscc_org_checksum"
	CodePhoneEmpty      = "phone_empty"
	CodePhoneInvalid    = "phone_invalid"
	CodePhoneMobile     = "phone_mobile"
	CodePhoneLandline   = "phone_landline"
)

// IsChecksumOnly reports whether err says that the only problem with an ID
// number or credit code is a check character (codes id_checksum,
// uscc_checksum, uscc_org_checksum): length, characters, region and birth
// date are all fine. Case search uses it to keep a number whose only fault
// is its check character searchable. A clerk override for credit codes
// known to be invalid in the wild (docs/rules.md §1.2) would use it too;
// note that a single mistyped character anywhere also shows up as a
// check-character error, so an override must follow a comparison with the
// original document.
func IsChecksumOnly(err error) bool {
	e := errs.As(err)
	if e == nil || e.Kind != errs.Invalid {
		return false
	}
	switch e.Code {
	case CodeIDChecksum, CodeUSCCChecksum, CodeUSCCOrgChecksum:
		return true
	}
	return false
}

// invalid builds the package's one error shape.
func invalid(code, msg string) error { return errs.New(errs.Invalid, code, msg) }

// clean folds full-width characters to ASCII (users of Chinese input methods
// often type ＩＤ digits as １２３) and trims white space. ASCII input is
// returned as a substring without allocating.
func clean(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.TrimSpace(foldWidth(s))
		}
	}
	return strings.TrimSpace(s)
}

// foldWidth maps full-width forms U+FF01–U+FF5E to ASCII and the
// ideographic space U+3000 to a space.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFF01 + '!'
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// quoteRune shows a character for a message: “A”, or a description for
// characters that would be invisible.
func quoteRune(r rune) string {
	switch {
	case r == ' ' || r == 0x3000:
		return "空格"
	case r == '\t' || r == '\n' || r == '\r':
		return "空白字符"
	case r < ' ' || r == utf8.RuneError:
		return "不可见字符"
	}
	return "“" + string(r) + "”"
}
