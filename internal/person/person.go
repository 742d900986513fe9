// Package person holds insured persons (参保人) and their employments
// (参保经历): one record per person across employers, found by the resident
// ID number, with the periods the person was insured through an employer
// and, for flexible workers (灵活就业人员), the base they chose.
package person

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// Kind is how a person is insured now.
type Kind string

// Kinds of person.
const (
	Employee Kind = "employee" // 职工：通过参保单位参保
	Flexible Kind = "flexible" // 灵活就业人员：自选基数个人缴费
	Retiree  Kind = "retiree"  // 退休人员
	Survivor Kind = "survivor" // 遗属（领取待遇）
)

var kindNames = map[Kind]string{Employee: "在职职工", Flexible: "灵活就业人员", Retiree: "退休人员", Survivor: "遗属"}

// Name returns the Chinese name of the kind.
func (k Kind) Name() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kindNames[k]; return ok }

// Status is the state of a person's record.
type Status string

// Statuses.
const (
	Active      Status = "active"      // 正常
	Suspended   Status = "suspended"   // 暂停
	Deceased    Status = "deceased"    // 死亡
	Transferred Status = "transferred" // 已转出
)

var statusNames = map[Status]string{Active: "正常", Suspended: "暂停", Deceased: "死亡", Transferred: "已转出"}

// Name returns the Chinese name of the status.
func (s Status) Name() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return string(s)
}

// Person is an insured person's record.
type Person struct {
	ID        int64     `json:"id"`
	IDNumber  string    `json:"id_number"`
	Name      string    `json:"name"`
	Gender    string    `json:"gender"`     // "M" or "F", from the ID number
	BirthDate string    `json:"birth_date"` // YYYY-MM-DD, from the ID number
	Phone     string    `json:"phone"`
	Kind      Kind      `json:"kind"`
	HukouArea string    `json:"hukou_area"` // 户籍地区划代码 (6 digits) or ""
	Status    Status    `json:"status"`
	FlexBase  money.Fen `json:"flex_base_fen,omitempty"` // chosen base of a flexible worker
	FlexSince string    `json:"flex_since,omitempty"`    // YYYY-MM the flexible insurance began
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

// GenderName returns 男 or 女.
func (p *Person) GenderName() string {
	if p.Gender == "F" {
		return "女"
	}
	return "男"
}

// Masked returns a copy with the ID and phone numbers masked, for lists,
// other actors and audit entries.
func (p Person) Masked() Person {
	p.IDNumber = ident.MaskID(p.IDNumber)
	p.Phone = ident.MaskPhone(p.Phone)
	return p
}

// Employment is one period a person is insured through an employer.
type Employment struct {
	ID           int64     `json:"id"`
	PersonID     int64     `json:"person_id"`
	EmployerID   int64     `json:"employer_id"`
	EmployerNo   string    `json:"employer_no,omitempty"`   // filled by reads that join employers
	EmployerName string    `json:"employer_name,omitempty"` // filled by reads that join employers
	StartMonth   string    `json:"start_month"`             // YYYY-MM
	EndMonth     string    `json:"end_month,omitempty"`     // YYYY-MM inclusive; "" while it lasts
	Base         money.Fen `json:"base_fen"`
	EndReason    string    `json:"end_reason,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	Version      int64     `json:"version"`
}

// Open reports whether the employment lasts (no end month).
func (e *Employment) Open() bool { return e.EndMonth == "" }

// NewPerson is the input for registering a person.
type NewPerson struct {
	IDNumber  string
	Name      string
	Phone     string
	Kind      Kind
	HukouArea string
	FlexBase  money.Fen // required for Flexible
	FlexSince string    // YYYY-MM, required for Flexible
}

var (
	monthRe = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)
	areaRe  = regexp.MustCompile(`^[1-9][0-9]{5}$`)
)

// validate normalises in and returns the parsed ID number, or an Invalid
// error listing every field that is wrong. today is the agency's date (a
// birth date after it is refused).
func (in *NewPerson) validate(today time.Time) (ident.ID, error) {
	var f errs.Fields
	in.IDNumber = strings.ToUpper(strings.TrimSpace(in.IDNumber))
	id, err := ident.ParseIDOn(in.IDNumber, today)
	if err != nil {
		f.Add("id_number", idMessage(err))
	} else if len(id.Number) != 18 {
		f.Add("id_number", "公民身份号码应为18位")
	}
	in.Name = strings.TrimSpace(in.Name)
	validateName(&f, in.Name)
	if in.Phone = strings.TrimSpace(in.Phone); in.Phone != "" {
		if p, err := ident.ParsePhone(in.Phone); err != nil {
			f.Add("phone", phoneMessage(err))
		} else {
			in.Phone = p
		}
	}
	if in.Kind == "" {
		in.Kind = Employee
	}
	if !in.Kind.Valid() {
		f.Add("kind", "参保身份应为在职职工、灵活就业人员、退休人员或遗属")
	}
	in.HukouArea = strings.TrimSpace(in.HukouArea)
	if in.HukouArea != "" && !areaRe.MatchString(in.HukouArea) {
		f.Add("hukou_area", "户籍地区划代码应为6位数字，如 110105")
	}
	if in.Kind == Flexible {
		validateFlex(&f, in.FlexBase, in.FlexSince)
	} else if in.FlexBase != 0 || in.FlexSince != "" {
		f.Add("flex_base", "只有灵活就业人员才能选择缴费基数")
	}
	return id, f.Err()
}

func idMessage(err error) string {
	if e := errs.As(err); e != nil && e.Message != "" {
		return e.Message
	}
	return "公民身份号码有误：" + err.Error()
}

func phoneMessage(err error) string {
	if e := errs.As(err); e != nil && e.Message != "" {
		return e.Message
	}
	return "请填写11位手机号码或带区号的固定电话，如 13812345678 或 010-12345678"
}

func validateName(f *errs.Fields, name string) {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		f.Add("name", "请填写姓名")
	case n > 40:
		f.Add("name", "姓名不能超过40个字")
	case strings.ContainsAny(name, "<>\"'&;\\/\r\n\t"):
		f.Add("name", "姓名含有不允许的字符")
	}
}

func validateFlex(f *errs.Fields, base money.Fen, since string) {
	if base <= 0 {
		f.Add("flex_base", "请选择缴费基数（元），须大于0")
	} else if base%100 != 0 {
		f.Add("flex_base", "缴费基数应为整数元")
	}
	if !monthRe.MatchString(since) {
		f.Add("flex_since", "请填写开始缴费月份，格式 YYYY-MM，如 2024-01")
	}
}

// ValidMonth reports whether s is a month written YYYY-MM.
func ValidMonth(s string) bool { return monthRe.MatchString(s) }
