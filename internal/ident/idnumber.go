package ident

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// MinBirthYear is the earliest birth year ParseID accepts. ID numbers were
// first issued in 1984, and the published example 440524188001010014 is
// born in 1880, so 1900 would be wrong. 1850 still catches century typos
// such as 0949 or 1049 for 1949 without rejecting any person who could
// have been alive, and registered, when numbers were issued.
const MinBirthYear = 1850

// idWeights are 2^(18-i) mod 11 for the 17 body digits (ISO 7064 MOD 11-2).
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps S mod 11 to the check character.
const idCheckChars = "10X98765432"

// provinces marks the valid two-digit province prefixes (GB/T 2260).
var provinces = func() (t [100]bool) {
	for _, r := range [][2]int{{11, 15}, {21, 23}, {31, 37}, {41, 46}, {50, 54}, {61, 65}} {
		for p := r[0]; p <= r[1]; p++ {
			t[p] = true
		}
	}
	return t
}()

// ID is a parsed resident ID number.
type ID struct {
	Number string    // 18 characters, check character upper case
	Birth  time.Time // date of birth (UTC midnight)
	Male   bool
}

// Age returns the age in full years on a day (the calendar date of on in
// its own location). Someone born on 29 February turns a year older on
// 1 March in common years.
func (id ID) Age(on time.Time) int {
	y, m, d := on.Date()
	age := y - id.Birth.Year()
	if m < id.Birth.Month() || (m == id.Birth.Month() && d < id.Birth.Day()) {
		age--
	}
	return age
}

// Masked returns the number masked for lists and logs (see MaskID).
func (id ID) Masked() string { return MaskID(id.Number) }

// ParseID checks an 18-digit (or legacy 15-digit) resident ID number and
// returns it as 18 upper-case characters with the birth date and gender.
// It trims spaces, accepts a lower-case x and full-width digits, and
// converts 15-digit numbers (inserting "19" and the check character).
// It does not know today's date: services use ParseIDOn.
//
// Errors are kind errs.Invalid with code id_empty, id_length, id_char,
// id_region, id_birth or id_checksum.
// The rule: docs/rules.md §1.1.
func ParseID(s string) (ID, error) { return parseID(s, 0) }

// ParseIDOn is ParseID that also rejects a birth date after today (code
// id_future). today is taken as a calendar date in its own location: pass
// clock.Today(c), the agency's date, not a UTC instant.
func ParseIDOn(s string, today time.Time) (ID, error) {
	y, m, d := today.Date()
	return parseID(s, y*10000+int(m)*100+d)
}

// parseID parses s; todayYMD (yyyymmdd) > 0 enables the future check.
func parseID(s string, todayYMD int) (ID, error) {
	s = clean(s)
	if len(s) == 18 {
		return parse18(s, todayYMD)
	}
	if len(s) == 15 {
		return parse15(s, todayYMD)
	}
	return ID{}, idShapeError(s)
}

// parse18 checks an 18-byte number. It allocates only to upper-case x.
func parse18(s string, todayYMD int) (ID, error) {
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return ID{}, idShapeError(s)
		}
		sum += int(c-'0') * idWeights[i]
	}
	last := s[17]
	if last == 'x' {
		last = 'X'
	} else if (last < '0' || last > '9') && last != 'X' {
		return ID{}, idShapeError(s)
	}
	if err := checkRegion(s); err != nil {
		return ID{}, err
	}
	birth, err := checkBirth(s[6:14], todayYMD)
	if err != nil {
		return ID{}, err
	}
	if want := idCheckChars[sum%11]; want != last {
		return ID{}, invalid(CodeIDChecksum, fmt.Sprintf("公民身份号码校验位错误：应为%c，实际为%c", want, last))
	}
	if s[17] == 'x' {
		s = s[:17] + "X"
	}
	return ID{Number: s, Birth: birth, Male: (s[16]-'0')%2 == 1}, nil
}

// parse15 checks and converts a legacy 15-digit number (GB 11643-1989).
func parse15(s string, todayYMD int) (ID, error) {
	for i := 0; i < 15; i++ {
		if s[i] < '0' || s[i] > '9' {
			return ID{}, idShapeError(s)
		}
	}
	if err := checkRegion(s); err != nil {
		return ID{}, err
	}
	var b [18]byte
	copy(b[:6], s[:6])
	b[6], b[7] = '1', '9'
	copy(b[8:17], s[6:])
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(b[i]-'0') * idWeights[i]
	}
	b[17] = idCheckChars[sum%11]
	n := string(b[:])
	birth, err := checkBirth(n[6:14], todayYMD)
	if err != nil {
		return ID{}, err
	}
	return ID{Number: n, Birth: birth, Male: (s[14]-'0')%2 == 1}, nil
}

// idShapeError explains a number of the wrong length or with a wrong
// character, counting characters (not bytes) so that a stray Chinese
// character is named rather than miscounted.
func idShapeError(s string) error {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return invalid(CodeIDEmpty, "请填写公民身份号码")
	}
	if n != 18 && n != 15 {
		return invalid(CodeIDLength, fmt.Sprintf("公民身份号码应为18位，当前为%d位", n))
	}
	pos := 0
	for _, r := range s {
		pos++
		if r >= '0' && r <= '9' {
			continue
		}
		if n == 18 && pos == 18 {
			if r == 'X' || r == 'x' {
				continue
			}
			return invalid(CodeIDChar, fmt.Sprintf("公民身份号码第18位%s无效，应为数字或X", quoteRune(r)))
		}
		return invalid(CodeIDChar, fmt.Sprintf("公民身份号码第%d位%s不是数字", pos, quoteRune(r)))
	}
	// Unreachable for the inputs parse18/parse15 reject; kept as a safe answer.
	return invalid(CodeIDChar, "公民身份号码含有无效字符")
}

// checkRegion checks the province prefix of a number known to start with
// two digits.
func checkRegion(s string) error {
	p := int(s[0]-'0')*10 + int(s[1]-'0')
	if provinces[p] {
		return nil
	}
	msg := fmt.Sprintf("公民身份号码前两位“%s”不是有效的省级行政区划代码", s[:2])
	switch {
	case p >= 81 && p <= 83:
		msg += "（港澳台居民居住证号码请选择相应证件类型）"
	case p >= 90:
		msg += "（外国人永久居留身份证号码请选择相应证件类型）"
	}
	return invalid(CodeIDRegion, msg)
}

// checkBirth checks an 8-digit YYYYMMDD date (digits already checked).
func checkBirth(ymd string, todayYMD int) (time.Time, error) {
	y := digits(ymd[0:4])
	m := digits(ymd[4:6])
	d := digits(ymd[6:8])
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return time.Time{}, invalid(CodeIDBirth, fmt.Sprintf("公民身份号码中的出生日期%s不是有效日期", ymd))
	}
	if y < MinBirthYear {
		return time.Time{}, invalid(CodeIDBirth, fmt.Sprintf("公民身份号码中的出生日期%s早于%d年，请核对", ymd, MinBirthYear))
	}
	if todayYMD > 0 && y*10000+m*100+d > todayYMD {
		return time.Time{}, invalid(CodeIDFuture, fmt.Sprintf("公民身份号码中的出生日期%s晚于今天，请核对", ymd))
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

// digits converts a short string of ASCII digits to an int.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// daysIn returns the number of days in month m of year y (Gregorian).
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// IDCheckChar returns the ISO 7064 MOD 11-2 check character ('0'–'9' or
// 'X') for a 17-digit body, or 0 if body17 is not 17 ASCII digits.
func IDCheckChar(body17 string) byte {
	if len(body17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := body17[i]
		if c < '0' || c > '9' {
			return 0
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// MakeID builds a valid 18-character ID number from a 6-digit area code,
// a birth date (its calendar date in its own location), a sequence number
// (taken mod 1000; its last digit is adjusted to be odd for men, even for
// women) and the check character. It is for the demo generator and tests.
// It does not check the area code (ParseID rejects unknown province
// prefixes) and panics if area is not 6 digits or the year has not 4 digits.
func MakeID(area string, birth time.Time, seq int, male bool) string {
	if len(area) != 6 || digitsOnly(area) != 6 {
		panic("ident.MakeID: area code must be 6 digits")
	}
	y, m, d := birth.Date()
	if y < 1000 || y > 9999 {
		panic("ident.MakeID: birth year must have 4 digits")
	}
	seq = (seq%1000 + 1000) % 1000
	if (seq%2 == 1) != male {
		seq ^= 1
	}
	body := fmt.Sprintf("%s%04d%02d%02d%03d", area, y, int(m), d, seq)
	return body + string(IDCheckChar(body))
}

// digitsOnly counts the leading ASCII digits of s.
func digitsOnly(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return len(s)
}
