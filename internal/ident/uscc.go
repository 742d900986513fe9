package ident

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// usccAlphabet lists the 31 characters of GB 32100-2015 in value order.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccValues maps a byte to its value in usccAlphabet, or -1.
var usccValues = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(usccAlphabet); i++ {
		t[usccAlphabet[i]] = int8(i)
	}
	return t
}()

// usccWeights are 3^(i-1) mod 31 for the 17 body characters.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgWeights are the GB 11714 organisation-code weights.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// ParseUSCC checks a unified social credit code and returns it normalised
// (trimmed, upper case, full-width characters folded). It checks the
// length, the alphabet (no I, O, S, V, Z), the check character at position
// 18 and the organisation-code check character at position 17.
//
// Errors are kind errs.Invalid with code uscc_empty, uscc_length,
// uscc_char, uscc_checksum or uscc_org_checksum; IsChecksumOnly tells the
// last two apart from the rest.
// The rule: docs/rules.md §1.2.
func ParseUSCC(s string) (string, error) {
	s = NormalizeUSCC(s)
	if len(s) != 18 {
		return "", usccShapeError(s, 18)
	}
	if err := usccChars(s); err != nil {
		return "", err
	}
	want := usccCheck(s[:17])
	if want != s[17] {
		return "", invalid(CodeUSCCChecksum, fmt.Sprintf("统一社会信用代码校验位错误：应为%c，实际为%c", want, s[17]))
	}
	if org := orgCheck(s[8:16]); org != s[16] {
		return "", invalid(CodeUSCCOrgChecksum, fmt.Sprintf("统一社会信用代码中的组织机构代码校验位（第17位）错误：应为%c，实际为%c", org, s[16]))
	}
	return s, nil
}

// NormalizeUSCC trims a credit code, folds full-width characters and
// upper-cases it, without checking anything. The employer service uses it
// to store a code accepted by an audited override (see IsChecksumOnly).
func NormalizeUSCC(s string) string {
	s = clean(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

// USCCCheckChar returns the check character (position 18) for a 17-character
// body. Errors are kind errs.Invalid with code uscc_length or uscc_char.
func USCCCheckChar(body17 string) (byte, error) {
	body17 = NormalizeUSCC(body17)
	if len(body17) != 17 {
		return 0, usccShapeError(body17, 17)
	}
	if err := usccChars(body17); err != nil {
		return 0, err
	}
	return usccCheck(body17), nil
}

// MakeUSCC builds a valid credit code from the registration authority and
// entity type (prefix2, e.g. "91"), the region code (region6) and the first
// 8 characters of the organisation code (org8): it appends the organisation
// check character and the final check character. It is for the demo
// generator and tests, and panics if a part has the wrong length or a
// character outside the credit-code alphabet.
func MakeUSCC(prefix2, region6, org8 string) string {
	if len(prefix2) != 2 || len(region6) != 6 || len(org8) != 8 {
		panic("ident.MakeUSCC: want 2 + 6 + 8 characters")
	}
	body := strings.ToUpper(prefix2 + region6 + org8)
	body += string(orgCheck(body[8:16]))
	if usccChars(body) != nil {
		panic("ident.MakeUSCC: character outside the credit-code alphabet")
	}
	return body + string(usccCheck(body))
}

// usccChars checks that every byte of s is in the alphabet.
func usccChars(s string) error {
	for i := 0; i < len(s); i++ {
		if usccValues[s[i]] < 0 {
			return usccShapeError(s, len(s))
		}
	}
	return nil
}

// usccShapeError explains a code of the wrong length or with a wrong
// character, counting characters rather than bytes.
func usccShapeError(s string, want int) error {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return invalid(CodeUSCCEmpty, "请填写统一社会信用代码")
	}
	if n != want {
		return invalid(CodeUSCCLength, fmt.Sprintf("统一社会信用代码应为%d位，当前为%d位", want, n))
	}
	pos := 0
	for _, r := range s {
		pos++
		if r < utf8.RuneSelf && usccValues[r] >= 0 {
			continue
		}
		switch r {
		case 'I', 'O', 'S', 'V', 'Z':
			return invalid(CodeUSCCChar, fmt.Sprintf("统一社会信用代码第%d位不能是字母“%c”（代码中不使用I、O、S、V、Z），请核对", pos, r))
		}
		return invalid(CodeUSCCChar, fmt.Sprintf("统一社会信用代码第%d位%s无效，只能是数字或大写字母（不含I、O、S、V、Z）", pos, quoteRune(r)))
	}
	return invalid(CodeUSCCChar, "统一社会信用代码含有无效字符")
}

// usccCheck computes the check character for 17 alphabet characters.
func usccCheck(body string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(usccValues[body[i]]) * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31]
}

// orgCheck computes the GB 11714 check character for 8 characters, with
// A=10 … Z=35 over the full Latin alphabet.
func orgCheck(code string) byte {
	sum := 0
	for i := 0; i < 8; i++ {
		c := code[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}
