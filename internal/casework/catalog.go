package casework

import (
	"shebao/internal/access"
	"shebao/internal/policy"
)

// Catalog returns the everyday business of every section that arrives by
// phone, post, e-mail or WeChat and that a clerk records as a case (or
// files a mail draft as), each on the standard machine. The service areas
// follow the agency's emergency work plan: 统筹科 checks bases and amounts
// and stamps certificates, 工伤保险待遇科 takes medical claims and continued
// treatment (its accident report is internal/injury's own type), 保险福利科
// sets retirement and death benefits, 基金管理科 confirms wired payments,
// 审计科 takes complaints, 个体参保科 the retirement of the self-employed,
// 个人账户科 transfers and account statements, 办公室 enquiries. Deadlines
// come from the dated rules where the law sets one; the others have none.
func Catalog() []*Type {
	std := StandardTransitions
	processing := DeadlineRule{Kind: WorkingDays, Key: policy.KeyPensionProcessingDays, Default: 20}
	return []*Type{
		{Code: "contribution_check", Name: "缴费基数及金额核对", Section: access.Coordination, Prefix: "HD", Transitions: std()},
		{Code: "stamped_certificate", Name: "加盖印章的缴费证明", Section: access.Coordination, Prefix: "GZ", Transitions: std()},
		{Code: "injury_medical_claim", Name: "工伤医疗费用报销", Section: access.Injury, Prefix: "YL", Transitions: std(),
			Checklist: []ChecklistItem{{Key: "住院费用汇总明细清单", Name: "住院费用汇总明细清单", Required: true},
				{Key: "住院发票", Name: "住院发票", Required: true}}},
		{Code: "injury_continued_treatment", Name: "工伤职工继续治疗申请", Section: access.Injury, Prefix: "JZ", Transitions: std(),
			Checklist: []ChecklistItem{{Key: "继续治疗申请表", Name: "工伤职工继续治疗申请表", Required: true}}},
		{Code: "retirement_benefit", Name: "退休待遇核定", Section: access.Welfare, Prefix: "TD", Transitions: std(),
			Deadline: processing, RemindDeadline: true,
			Checklist: []ChecklistItem{{Key: "退休资格确认表", Name: "企业职工正常退休资格确认表", Required: true}}},
		{Code: "death_benefit", Name: "死亡待遇核定", Section: access.Welfare, Prefix: "SW", Transitions: std(),
			Deadline: processing, RemindDeadline: true},
		{Code: "payment_confirmation", Name: "电汇缴费到账确认", Section: access.Fund, Prefix: "DZ", Transitions: std()},
		{Code: "complaint", Name: "举报投诉", Section: access.Audit, Prefix: "TS", Transitions: std()},
		{Code: "flexible_retirement", Name: "个体及灵活就业人员退休申报", Section: access.SelfEmployed, Prefix: "GT",
			Transitions: std(), Deadline: processing, RemindDeadline: true,
			Checklist: []ChecklistItem{{Key: "身份证", Name: "身份证正反面电子版", Required: true},
				{Key: "退休申请书", Name: "退休申请书", Required: true}}},
		{Code: "pension_transfer", Name: "养老保险关系转移接续", Section: access.Account, Prefix: "ZY", Transitions: std(),
			Deadline: DeadlineRule{Kind: WorkingDays, Key: policy.KeyTransferStepDays, Default: 15}, RemindDeadline: true,
			Checklist: []ChecklistItem{{Key: "参保缴费凭证", Name: "基本养老保险参保缴费凭证", Required: true},
				{Key: "身份证", Name: "身份证正反面电子版", Required: true}}},
		{Code: "account_statement", Name: "个人账户清单打印", Section: access.Account, Prefix: "ZH", Transitions: std()},
		{Code: "enquiry", Name: "咨询与意见", Section: access.Office, Prefix: "ZX", Transitions: std()},
	}
}
