package policy

import (
	"fmt"
	"strconv"
	"strings"

	"shebao/internal/errs"
	"shebao/internal/money"
)

// Unit says how a rule value is stored and shown.
type Unit string

// The units. Values are stored as the canonical integer in the unit
// (fen, millionths, days …) or as text; people enter and read them in
// yuan and percent.
const (
	UnitFen    Unit = "fen"      // money; entered and shown in yuan
	UnitRate   Unit = "rate_ppm" // a rate in millionths; entered and shown in percent
	UnitInt    Unit = "int"      // a plain integer
	UnitDays   Unit = "days"     // a number of days (working days where the key says so)
	UnitMonths Unit = "months"   // a number of months
	UnitHours  Unit = "hours"    // a number of hours
	UnitText   Unit = "text"     // free text, e.g. "yuan" or "1.0,1.2,1.5"
)

// Rule keys. Later issues add their own here, next to their meaning.
const (
	KeyAvgWage                = "avg_wage"                        // province average monthly wage A (fen)
	KeyBaseFloorPct           = "base_floor_pct"                  // base floor as a share of A (60%)
	KeyBaseCeilingPct         = "base_ceiling_pct"                // base ceiling as a share of A (300%)
	KeyBaseRounding           = "base_rounding"                   // "yuan" or "fen": rounding of limits and bases
	KeyPensionEmployerRate    = "pension_employer_rate"           // 16%
	KeyPensionIndividualRate  = "pension_individual_rate"         // 8%
	KeyUnemploymentEmployer   = "unemployment_employer_rate"      // 0.5%
	KeyUnemploymentIndividual = "unemployment_individual_rate"    // 0.5%
	KeyInjuryClassRate        = "injury_class_rate"               // scope = risk class "1".."8"
	KeyInjuryFloat            = "injury_float"                    // scope = risk class; allowed factors "1.0,1.2,1.5"
	KeyFlexibleRate           = "flexible_rate"                   // flexible worker pension 20%
	KeyFlexibleAccountShare   = "flexible_account_share"          // of which to the personal account 8%
	KeyLateFeeDailyRate       = "late_fee_daily_rate"             // 0.05% a day
	KeyCollectionDueDay       = "collection_due_day"              // day of the next month a fee month is due
	KeyAssessmentDay          = "assessment_day"                  // day of the month its bills are assessed by the scheduled job
	KeyMakeUpWindowMonths     = "makeup_window_months"            // make-up allowed this long after an emergency
	KeyAccidentReportHours    = "accident_report_hours"           // work accident report deadline
	KeyAccountInterestRate    = "account_interest_rate"           // personal account interest rate of the year
	KeyPensionCalcBase        = "pension_calc_base"               // C (fen)
	KeyProvinceUrbanIncome    = "province_urban_income"           // previous-year per-capita disposable income, yearly (fen); I = ÷12
	KeyNationalUrbanIncome    = "national_urban_income"           // previous-year national figure, yearly (fen)
	KeyTransferStepDays       = "transfer_step_working_days"      // 15 working days per transfer step
	KeyPensionProcessingDays  = "pension_processing_working_days" // 20 working days
	KeyStopNoticeDays         = "stop_notice_working_days"        // 20 working days to report a death
	KeyEmployerRegistration   = "employer_registration_days"      // 30 days after establishment to register the unit
	KeyHireRegistrationDays   = "hire_registration_days"          // 30 days to register a new hire
	KeyInjuryRecognitionDays  = "injury_recognition_days"         // 30 days for the employer to apply
	KeyInjuryFastTrackDays    = "injury_fast_track_working_days"  // COVID fast track: 3 working days from complete documents
	KeyPensionPayDay          = "pension_pay_day"                 // day of the month the monthly pension is paid
	KeyInjurySecondCheck      = "injury_second_check_fen"         // claims above this amount need a second clerk's check
	KeyInjuryLeavingMonths    = "injury_leaving_medical_months"   // scope = grade "5".."10": months of the area's average wage
	KeyComplaintAckDays       = "complaint_ack_working_days"      // complaints: decide on acceptance within 5 working days
	KeyComplaintAnswerDays    = "complaint_answer_working_days"   // complaints: answer within 60 working days
	KeyReceivingAccountName   = "receiving_account_name"          // the agency's receiving account: account name (开户名称)
	KeyReceivingAccountNo     = "receiving_account_no"            // … account number (银行账号), digits
	KeyReceivingAccountBank   = "receiving_account_bank"          // … bank and branch (开户银行)
)

// KeyInfo describes a rule key: its Chinese name, unit and allowed scopes.
type KeyInfo struct {
	Key    string
	Name   string
	Unit   Unit
	Scopes []string // allowed scopes; nil means only ""
}

// injuryGrades are the disability grades with a one-time medical subsidy
// on leaving the job.
var injuryGrades = []string{"5", "6", "7", "8", "9", "10"}

// riskClasses are the scopes of the work-injury keys.
var riskClasses = []string{"1", "2", "3", "4", "5", "6", "7", "8"}

// Keys lists every known rule key in display order.
var Keys = []KeyInfo{
	{KeyAvgWage, "全口径城镇单位就业人员月平均工资（A）", UnitFen, nil},
	{KeyBaseFloorPct, "缴费基数下限比例", UnitRate, nil},
	{KeyBaseCeilingPct, "缴费基数上限比例", UnitRate, nil},
	{KeyBaseRounding, "基数上下限取整方式（按元取整或保留到分）", UnitText, nil},
	{KeyPensionEmployerRate, "养老保险单位费率", UnitRate, nil},
	{KeyPensionIndividualRate, "养老保险个人费率", UnitRate, nil},
	{KeyUnemploymentEmployer, "失业保险单位费率", UnitRate, nil},
	{KeyUnemploymentIndividual, "失业保险个人费率", UnitRate, nil},
	{KeyInjuryClassRate, "工伤保险行业基准费率（按风险类别）", UnitRate, riskClasses},
	{KeyInjuryFloat, "工伤保险浮动档次（按风险类别）", UnitText, riskClasses},
	{KeyFlexibleRate, "灵活就业人员养老保险费率", UnitRate, nil},
	{KeyFlexibleAccountShare, "灵活就业人员计入个人账户比例", UnitRate, nil},
	{KeyLateFeeDailyRate, "滞纳金日费率", UnitRate, nil},
	{KeyCollectionDueDay, "征收期截止日（次月几日）", UnitInt, nil},
	{KeyAssessmentDay, "每月自动核定日（当月几日核定本月）", UnitInt, nil},
	{KeyMakeUpWindowMonths, "应急期结束后补办期限", UnitMonths, nil},
	{KeyAccidentReportHours, "工伤事故报告时限", UnitHours, nil},
	{KeyAccountInterestRate, "个人账户记账利率", UnitRate, nil},
	{KeyPensionCalcBase, "基本养老金计发基数（C）", UnitFen, nil},
	{KeyProvinceUrbanIncome, "全省上年城镇居民人均可支配收入（年）", UnitFen, nil},
	{KeyNationalUrbanIncome, "全国上年城镇居民人均可支配收入（年）", UnitFen, nil},
	{KeyTransferStepDays, "转移接续每个环节办理时限（工作日）", UnitDays, nil},
	{KeyPensionProcessingDays, "养老金申领办理时限（工作日）", UnitDays, nil},
	{KeyStopNoticeDays, "停发待遇报告时限（工作日）", UnitDays, nil},
	{KeyEmployerRegistration, "单位成立后参保登记时限（日）", UnitDays, nil},
	{KeyHireRegistrationDays, "新招用职工参保登记时限（日）", UnitDays, nil},
	{KeyInjuryRecognitionDays, "单位申请工伤认定时限（日）", UnitDays, nil},
	{KeyInjuryFastTrackDays, "工伤待遇快捷通道办理时限（工作日）", UnitDays, nil},
	{KeyPensionPayDay, "养老金发放日（每月几日）", UnitInt, nil},
	{KeyInjurySecondCheck, "工伤待遇复核金额起点", UnitFen, nil},
	{KeyInjuryLeavingMonths, "一次性工伤医疗补助金月数（按伤残等级）", UnitMonths, injuryGrades},
	{KeyComplaintAckDays, "投诉举报受理时限（工作日）", UnitDays, nil},
	{KeyComplaintAnswerDays, "投诉举报答复时限（工作日）", UnitDays, nil},
	{KeyReceivingAccountName, "社保费收款账户开户名称", UnitText, nil},
	{KeyReceivingAccountNo, "社保费收款账户银行账号", UnitText, nil},
	{KeyReceivingAccountBank, "社保费收款账户开户银行", UnitText, nil},
}

// LocalKeys are the keys each agency sets for itself, so the rules file
// ships no value for them: its own receiving account.
var LocalKeys = []string{KeyReceivingAccountName, KeyReceivingAccountNo, KeyReceivingAccountBank}

// KeyByName returns the description of key, or false if it is unknown.
func KeyByName(key string) (KeyInfo, bool) {
	for _, k := range Keys {
		if k.Key == key {
			return k, true
		}
	}
	return KeyInfo{}, false
}

// ScopeAllowed reports whether scope is valid for the key.
func (k KeyInfo) ScopeAllowed(scope string) bool {
	if k.Scopes == nil {
		return scope == ""
	}
	for _, s := range k.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// ParseValue turns what a person enters (yuan for money, percent for
// rates) into the canonical stored text of unit u. It returns an Invalid
// error saying what is expected.
func ParseValue(u Unit, s string) (string, error) {
	s = strings.TrimSpace(s)
	switch u {
	case UnitFen:
		f, err := money.ParseYuan(s)
		if err != nil || f < 0 {
			return "", errs.New(errs.Invalid, "bad_value", "金额格式不正确：请输入元，最多两位小数，如 7646 或 7646.50")
		}
		return strconv.FormatInt(int64(f), 10), nil
	case UnitRate:
		r, err := money.Percent(s)
		if err != nil || r < 0 || r > 10_000_000 {
			return "", errs.New(errs.Invalid, "bad_value", "比例格式不正确：请输入百分数，最多四位小数，如 16 或 0.05")
		}
		return strconv.FormatInt(int64(r), 10), nil
	case UnitInt, UnitDays, UnitMonths, UnitHours:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > 1_000_000 {
			return "", errs.New(errs.Invalid, "bad_value", "请输入非负整数，如 15")
		}
		return strconv.FormatInt(n, 10), nil
	case UnitText:
		if s == "" || len([]rune(s)) > 200 {
			return "", errs.New(errs.Invalid, "bad_value", "请填写取值（不超过200字）")
		}
		return s, nil
	}
	return "", errs.New(errs.Invalid, "bad_unit", "未知的计量单位："+string(u))
}

// FormatValue shows a canonical value for people: "7,646.00 元", "16%",
// "15 日", "24 小时".
func FormatValue(u Unit, v string) string {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil && u != UnitText {
		return v
	}
	switch u {
	case UnitFen:
		return money.Fen(n).String() + " 元"
	case UnitRate:
		return money.Rate(n).String()
	case UnitDays:
		return fmt.Sprintf("%d 日", n)
	case UnitMonths:
		return fmt.Sprintf("%d 个月", n)
	case UnitHours:
		return fmt.Sprintf("%d 小时", n)
	case UnitInt:
		return strconv.FormatInt(n, 10)
	}
	return v
}

// InputValue shows a canonical value the way a person would type it back
// into the form: yuan without separators, percent without the sign.
func InputValue(u Unit, v string) string {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return v
	}
	switch u {
	case UnitFen:
		return money.Fen(n).Plain()
	case UnitRate:
		return strings.TrimSuffix(money.Rate(n).String(), "%")
	}
	return v
}
