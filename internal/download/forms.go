package download

import "shebao/internal/access"

var (
	signed    = Field{"填表人签名", "打印后签名；以照片或扫描件发送的，签名须清晰"}
	filledOn  = Field{"填表日期", "例如 2024-02-10"}
	idNumber  = Field{"公民身份号码", "18 位，末位 X 用大写"}
	phone     = Field{"联系电话", "手机号码，便于经办人员联系核实"}
	empName   = Field{"单位名称", "与营业执照一致"}
	empNumber = Field{"单位社保编号", "即单位网上申报的用户名"}
)

// catalog lists the generated forms. The accident report's fields are those
// of the online report (/employer/injury/reports/new); the other forms have no
// online twin yet and carry the fields of the paper form.
var catalog = []Form{
	{Key: "accident-report", Title: "工伤事故报告表", Section: access.Injury, Audiences: []Audience{Employer},
		Purpose: "职工发生工伤事故后，用人单位须在 24 小时内报告。", Online: "/employer/injury/reports/new",
		Submit: "请优先在单位网上服务在线填报；不能在线填报的，填好后发送至工伤保险待遇科电子邮箱并电话告知，职工住院的附住院照片。",
		Fields: []Field{empName, empNumber, {"受伤职工姓名", ""}, {"受伤职工公民身份号码", "18 位，末位 X 用大写"},
			{"事故发生时间", "精确到分钟，例如 2024-02-09 08:30"}, {"事故发生地点", ""}, {"事故经过", "简要写明时间、地点、原因和经过"},
			{"受伤部位及伤情", ""}, {"就诊医院", "住院的写明医院名称"}, {"单位联系人", ""}, {"联系人电话", "手机号码"}, filledOn, {"单位盖章", ""}}},
	{Key: "retirement-confirmation", Title: "企业职工正常退休资格确认表", Section: access.Welfare, Audiences: []Audience{Employer},
		Purpose: "职工维护完缴费信息并通过退休确认后，用于核定退休待遇。",
		Submit:  "填好后通过电子邮件发送至保险福利科，或电话告知后按要求发送，不需到大厅。",
		Fields: []Field{empName, empNumber, {"职工姓名", ""}, {"性别", "男或女"}, idNumber, {"出生日期", "例如 1964-02-01"},
			{"参加工作时间", "年月，例如 1984-07"}, {"参保缴费起始时间", "年月"}, {"累计缴费年限", "含视同缴费年限"},
			{"退休类别", "正常退休"}, {"申请退休时间", "年月"}, {"养老金发放社保卡（银行卡）号", "尚未领到社保卡的，请到代发银行开卡"},
			phone, {"单位经办人", ""}, filledOn, {"单位盖章", ""}}},
	{Key: "continued-treatment", Title: "工伤职工继续治疗申请表", Section: access.Injury, Audiences: []Audience{Employer, Partner},
		Purpose: "工伤职工需要二次住院（继续治疗）时使用。",
		Submit:  "应急期间由定点医疗机构填写后即可住院治疗，待申报工伤待遇时一并递交本表补办审批。",
		Fields: []Field{empName, {"职工姓名", ""}, idNumber, {"工伤认定书文号", ""}, {"受伤日期", ""}, {"伤情及诊断", ""},
			{"原治疗医院", ""}, {"继续治疗的定点医疗机构", ""}, {"继续治疗原因及方案", "由医疗机构填写"},
			{"预计住院时间", "天数"}, {"医疗机构意见", "医师签字并加盖医疗机构印章"}, phone, filledOn, {"单位盖章", ""}}},
	{Key: "self-employed-retirement", Title: "灵活就业人员和个体工商户退休申请书", Section: access.SelfEmployed, Audiences: []Audience{Person},
		Purpose: "灵活就业人员、个体工商户到达退休年龄，申报退休时使用。",
		Submit:  "填好后连同二代身份证正反面照片发送至个体参保科电子邮箱，或电话告知后发送；退休申报审批后次月纳入统筹。",
		Fields: []Field{{"姓名", ""}, {"性别", "男或女"}, idNumber, {"出生日期", ""}, {"参保身份", "灵活就业人员或个体工商户"},
			{"开始缴费时间", "年月"}, {"户籍地址", ""}, {"手机号码一", "必填"}, {"手机号码二", "必填，另一个可联系到本人或家属的号码"},
			{"养老金发放社保卡（银行卡）号", ""}, {"申请退休时间", "年月"}, signed, filledOn}},
	{Key: "pension-transfer", Title: "基本养老保险关系转移申请表", Section: access.Account, Audiences: []Audience{Person, Employer},
		Purpose: "基本养老保险关系转往外地（跨统筹区）时使用；市内转移不再办理手续。",
		Submit:  "非特殊情况请待应急期结束后办理；确有特殊情况的，填好后连同参保缴费凭证、身份证正反面照片发送至个人账户科电子邮箱。",
		Fields: []Field{{"姓名", ""}, {"性别", "男或女"}, idNumber, {"本地参保缴费起止时间", "年月至年月"},
			{"转入地社会保险经办机构", "名称和地址"}, {"转入地新参保单位", "灵活就业的写“灵活就业”"}, {"转移原因", ""},
			phone, {"通讯地址", "接收转移凭证的地址"}, signed, filledOn}},
}
