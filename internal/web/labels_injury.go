package web

// The labels of the work-injury benefit line, kept apart from the shared
// table so the areas do not edit one map.
func init() {
	for k, v := range map[string]string{
		"injury.recognition.record": "登记工伤认定结论", "injury.appraisal.record": "登记劳动能力鉴定结论",
		"injury.appraisal.reappraisal": "登记再次鉴定申请", "injury.own_wage.set": "核定本人工资",
		"injury.claim.file": "工伤待遇申报", "injury.claim.review": "审核待遇申报明细", "injury.claim.complete": "待遇申报审核完成",
		"injury.claim.check": "待遇申报复核", "injury.claim.stop": "停止支付工伤待遇", "injury.claim.items": "录入申报费用明细",
		"injury.covid_item.add": "新增新冠肺炎覆盖项目", "injury.covid_item.end": "截止新冠肺炎覆盖项目",
		"injury.settlement.accept": "医院联网结算", "injury.continued.file": "医院填报继续治疗申请表",
		"injury.hospital_account.register": "登记医院收款账户",
	} {
		labels[labelAction][k] = v
	}
	for k, v := range map[string]string{
		"injury_recognition": "工伤认定结论", "injury_claim": "工伤待遇申报", "injury_covid_item": "新冠肺炎覆盖项目",
		"injury_settlement": "联网结算单", "injury_continued": "继续治疗申请表",
		"hospital": "医疗机构",
	} {
		labels[labelEntity][k] = v
	}
	for k, v := range map[string]string{
		"decision_no": "认定决定书编号", "worker": "工伤职工", "result": "认定结论", "source": "来源",
		"conclusion_no": "鉴定结论书编号", "grade": "伤残等级", "nursing": "生活护理等级", "asked_on": "再次鉴定申请日期",
		"appraisal": "鉴定结论", "own_wage_fen": "本人工资（分）", "months": "月数", "benefit": "待遇项目", "items": "明细项数",
		"claimed_fen": "申报金额（分）", "fast_track": "快捷通道", "uninsured": "单位未参保", "approved_fen": "核准金额（分）",
		"threshold_fen": "复核金额起点（分）", "agree": "复核同意", "recover_fen": "应追回金额（分）", "added": "新增项数",
		"patient": "患者", "invoice_no": "发票号码", "accepted_fen": "核准金额（分）", "admitted_on": "入院日期",
		"code": "项目编码", "valid_to": "截止日期", "basis": "依据", "line": "序号", "decision": "审核结论",
		"discharged_on": "出院日期", "released_lines": "放行支付笔数", "released_fen": "放行金额（分）",
	} {
		if _, ok := labels[labelField][k]; !ok {
			labels[labelField][k] = v
		}
	}
}
