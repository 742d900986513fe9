package web

import (
	"fmt"
	"sort"
	"strings"
)

// This file is the one place where a code kept as a plain string in a
// record (audit actions and objects, the special actor names, bank
// statement formats, rule units, audit field names) gets the Chinese label
// pages show. Templates show such a code only through the label function;
// codes with a Go type of their own are named by that type's Name method
// (contribution.Status, access.Section …). TestEveryKnownCodeHasALabel
// fails when a code the packages write has no label here.

// labelKind names a family of codes.
type labelKind string

const (
	labelAction labelKind = "action" // audit actions, e.g. employer.application.submit
	labelEntity labelKind = "entity" // audit objects (mostly table names)
	labelActor  labelKind = "actor"  // actor names that are not people: system, anonymous
	labelFormat labelKind = "format" // bank statement file formats
	labelUnit   labelKind = "unit"   // units of policy rule values
	labelField  labelKind = "field"  // field names in audit before/after records
)

var labels = map[labelKind]map[string]string{
	labelAction: {
		"account.create": "创建账户", "account.disable": "停用账户", "account.enable": "启用账户", "account.lock": "账户锁定", "account.unlock": "解除账户锁定",
		"account.password.change": "修改密码", "account.password.reset": "重置密码", "account.sections": "调整所属科室",
		"api_client.create": "创建接口客户端", "api_client.revoke": "吊销接口密钥",
		"appointment.book": "预约大厅办理", "appointment.cancel": "取消预约", "appointment.mark": "登记预约到场情况",
		"appointment.reminder": "发送预约提醒", "appointment.slot.capacity": "调整预约时段容量", "appointment.slots.create": "开放预约时段",
		"audit.checkpoint": "审计日志签名检查点", "audit.verify": "校验审计日志",
		"transfer.open": "受理转移接续", "transfer.letter": "出具转移联系函", "transfer.refuse": "转移不予受理",
		"transfer.form": "登记转出地信息表", "transfer.funds": "转移基金到账匹配", "transfer.merge": "合并转入记录",
		"transfer.form.issue": "出具转移信息表", "transfer.payout": "转移基金划转", "transfer.close": "转出办结",
		"transfer.consultation": "登记电话咨询", "transfer.apply": "网上申请转入",
		"recovery.sync": "更新延期业务登记", "recovery.handover": "逾期未补办事项移交科室", "recovery.remind": "发送延期业务补办提醒",
		"recovery.resolve": "登记逾期事项处置结果", "dashboard.refresh": "刷新运行情况统计",
		"sampling.draw": "抽取稽核样本", "sampling.check": "登记稽核检查结果", "sampling.rectify": "登记稽核整改结果",
		"account.correct": "个人账户更正", "account.opening.import": "导入个人账户期初余额",
		"account.interest.start": "开始个人账户年度计息", "account.interest.credit": "个人账户年度计息记账",
		"case.claim": "认领案件", "case.release": "放回待办案件", "case.comment": "案件留言", "case.commit": "告知承诺",
		"case.commitment.false": "认定承诺不实", "case.confirm": "确认草稿案件", "case.deadline": "调整办理期限",
		"case.document": "上传案件材料", "case.draft": "生成草稿案件", "case.open": "受理案件",
		"case.original.receive": "收到补交原件", "case.transition": "案件状态变更", "case.data": "修改案件信息",
		"certificate.issue": "开具缴费证明", "certificate.revoke": "作废缴费证明",
		"contribution.assess": "月度缴费核定", "contribution.assess.start": "开始月度缴费核定", "contribution.records.import": "导入历史缴费记录", "contribution.bill.confirm": "单位确认核定单",
		"contribution.bill.correction_reject": "不予更正核定单", "contribution.bill.correction_request": "申请更正核定单",
		"contribution.bill.reassess": "重新核定", "demo.accounts": "创建演示账户", "demo.certifications": "登记演示退休人员以往的待遇资格认证", "demo.generate": "生成演示数据",
		"document.put":                 "保存材料文件",
		"employer.application.approve": "参保登记申请审核通过", "employer.application.return": "参保登记申请退回补正",
		"employer.application.submit": "提交参保登记申请", "employer.register.approve": "参保登记申请审核通过",
		"employer.register.return": "参保登记申请退回补正", "employer.register.submit": "提交参保登记申请",
		"employer.change.approve": "单位信息变更通过", "employer.change.reject": "单位信息变更驳回",
		"employer.change.request": "申请变更单位信息", "employer.create": "建立单位参保档案",
		"employer.search": "查找参保单位",
		"flexible.bill":   "灵活就业人员缴费核定", "flexible.self_register": "灵活就业人员自助参保登记",
		"injury.recognition": "工伤认定", "mail.ack": "邮件受理回执",
		"mail.quarantine.released": "放行隔离邮件", "mail.quarantine.deleted": "删除隔离邮件",
		"faq.check": "核对常见问题", "faq.create": "新建常见问题", "faq.publish": "发布常见问题", "faq.retire": "停用常见问题", "faq.use": "电话咨询采用常见问题答复",
		"faq.update":   "修改常见问题",
		"download.add": "新增下载", "download.replace": "发布下载新版本", "download.retire": "停止提供下载",
		"download.publish": "发布使用手册",
		"notice.create":    "新建公告", "notice.publish": "发布公告", "notice.update": "修改公告", "notice.withdraw": "撤回公告",
		"outbox.retry":        "重发通知",
		"notify.prefs":        "修改通知方式",
		"payment.card.record": "登记刷卡缴费", "payment.invoice.mailed": "登记票据已寄出", "payment.invoice.request": "申请邮寄票据",
		"payout.prepare": "登记拨付", "payout.approve": "审核通过拨付", "payout.reject": "退回拨付", "payout.cancel": "作废拨付",
		"payout.release": "解除暂停发放", "payout.prepare.bulk": "批量登记拨付",
		"payout.batch.create": "生成代发批次", "payout.batch.download": "下载代发文件", "payout.return.import": "导入银行回盘文件",
		"payout.reissue": "修改账户重新拨付",
		"card.list":      "报送社保卡开卡名单", "card.list.file": "下载社保卡开卡名单文件", "card.answer.import": "导入银行开卡回复", "card.issued": "登记银行制卡结果", "card.activate": "社保卡激活", "card.activate_many": "社保卡批量登记激活",
		"payroll.enrol": "纳入养老金发放", "payroll.stop": "停发养老金", "payroll.resume": "恢复发放养老金",
		"payroll.change": "变更养老金金额", "payroll.run.start": "开始生成月度养老金", "payroll.run.done": "月度养老金生成完成",
		"payroll.deduction.add": "登记多发扣回", "payroll.adjustment.add": "登记养老金调整（调待）", "payout.bank.save": "保存代发银行及文件格式",
		"payment.settle.assign": "到账款核销", "payment.settle.refund": "到账款退回", "payment.refund.paid": "已入账缴费退款", "payment.statement.import": "导入银行对账单",
		"person.contact.change": "修改联系方式", "person.flexible": "灵活就业参保登记", "person.register": "建立个人参保档案",
		"person.search":       "查找参保人员",
		"policy.calendar.set": "设置工作日历", "policy.emergency.declare": "宣布应急期", "policy.emergency.end": "结束应急期",
		"policy.emergency.update": "调整应急期",
		"policy.rule.add":         "新增政策参数取值", "policy.rule.close": "截止政策参数取值", "policy.rule.update": "更正政策参数取值",
		"policy.rules.import": "导入政策参数文件",
		"staff.add":           "增员", "staff.base": "调整缴费基数", "staff.conflict.request": "申请跨单位参保协调",
		"staff.conflict.resolved": "跨单位参保协调完成", "staff.conflict.rejected": "跨单位参保协调驳回",
		"staff.import": "Excel 批量增减员", "staff.remove": "减员",
		"retirement.plan":        "登记弹性退休",
		"statement.batch.create": "生成个人权益记录单批次", "statement.batch.download": "下载个人权益记录单批次",
		"complaint.file": "提交投诉举报", "complaint.accept": "受理投诉举报", "complaint.transfer": "转办投诉举报",
		"complaint.reject": "投诉举报不予受理", "complaint.assign": "改派投诉举报", "complaint.answer": "书面答复投诉举报",
		"complaint.close": "办结投诉举报", "complaint.note": "登记投诉举报调查记录", "complaint.satisfied": "投诉举报人反馈满意",
		"complaint.objection": "投诉举报人提出异议", "complaint.mediate": "登记争议调解结果", "complaint.conclude": "登记投诉举报调查结论",
		"complaint.link": "投诉举报关联业务", "account.post": "调整职务",
		"health.checkin": "每日健康打卡", "health.purge": "删除保存期满的健康打卡", "hall.round": "登记大厅值班巡查",
		"appointment.turn_away": "健康筛查未通过劝离", "appointment.screenings_purge": "删除保存期满的来访人筛查记录",
		"sensitive.flag": "报告重大敏感事项", "sensitive.acknowledge": "批示重大敏感事项", "sensitive.escalate": "重大敏感事项逾期上报",
		"death.record": "登记死亡", "death.report.submit": "提交亲属死亡申报", "death.report.accept": "受理亲属死亡申报", "death.report.reject": "退回亲属死亡申报", "death.civil.import": "导入民政死亡数据", "death.civil.resolve": "核对民政死亡记录",
		"death.heir.add": "登记继承人", "death.claim.open": "计算死亡待遇", "death.claim.review": "复核死亡待遇",
		"death.claim.decide": "复审核定死亡待遇", "death.overpayment.repay": "登记多发养老金退回", "retirement.certify": "待遇资格认证", "retirement.certify_civil": "按民政数据比对待遇资格认证", "retirement.selfemployed.submit": "登记个体退休申报", "retirement.approver": "调整退休资格审批权限",
		"retirement.qualification.submit": "提交退休资格确认", "retirement.qualification.approve": "确认退休资格",
		"retirement.qualification.reject": "不予确认退休资格", "retirement.determination.compute": "计算养老金待遇",
		"retirement.determination.recompute": "缴费记录维护后重新计算养老金", "upkeep.correction.raise": "提请缴费记录维护", "case.reopen": "缴费记录维护后重新打开已办结业务",
		"upkeep.batch.prepare": "编制缴费记录维护批次", "upkeep.batch.check": "复核缴费记录维护批次",
		"upkeep.batch.apply": "执行缴费记录维护批次", "upkeep.batch.dissolve": "撤销缴费记录维护批次",
		"retirement.determination.review": "复核养老金待遇", "retirement.determination.decide": "复审核定养老金待遇",
	},
	labelEntity: {
		"account_entry": "个人账户记账", "account_entries": "个人账户记账", "account_import": "个人账户期初余额导入",
		"account_interest_run": "个人账户计息批次", "transfer": "转移接续", "consultation": "电话咨询",
		"statement_batch": "个人权益记录单批次",
		"api_client":      "接口客户端", "appt_bookings": "预约", "assess_run": "月度核定批次", "record_import": "历史缴费记录导入", "appt_slots": "预约时段", "audit_checkpoint": "审计检查点",
		"pensioner": "养老金领取人员", "ss_card": "社保卡", "ss_card_list": "社保卡开卡名单", "payroll_run": "月度养老金发放", "pension_deduction": "多发扣回",
		"recovery_register": "延期业务登记", "recovery_item": "延期业务事项", "dashboard": "运行情况统计",
		"audit_sample": "稽核抽样", "audit_sample_item": "稽核抽查案件",
		"pension_adjustment": "养老金调整（调待）", "payout_line": "拨付记录", "payout_bank": "代发银行", "payout_batch": "代发批次", "payout_return": "银行回盘文件",
		"bank_statement": "银行对账单", "bill": "缴费核定单", "bills": "缴费核定单", "calendar_day": "工作日历",
		"case": "案件", "certificate": "缴费证明", "demo": "演示数据", "document": "材料文件", "emergency": "应急期",
		"employer": "参保单位", "employer_application": "参保登记申请", "employer_change_request": "单位信息变更申请",
		"employment": "参保关系", "faqs": "常见问题", "downloads": "常用下载", "invoice_request": "票据邮寄申请", "mail_quarantine": "隔离邮件", "notices": "公告",
		"outbox": "通知", "notify_prefs": "通知方式", "payment": "到账款", "person": "参保人", "policy_rule": "政策参数", "rule_value": "政策参数取值",
		"rules_file": "政策参数文件", "staff_conflict": "跨单位参保协调", "staff_import": "批量增减员", "user": "账户",
		"complaint": "投诉举报", "sensitive_matter": "重大敏感事项",
		"health_checkins": "健康打卡", "hall_duty_rounds": "大厅值班记录", "appt_screenings": "来访人健康筛查",
		"retirement_qualification": "退休资格确认", "death": "死亡登记", "certification": "待遇资格认证", "death_claim": "死亡待遇申领", "civil_import": "民政死亡数据文件", "civil_record": "民政死亡记录", "death_report": "亲属死亡申报", "pension_determination": "养老金待遇核定",
		"record_correction": "退休人员缴费记录维护单", "record_correction_batch": "缴费记录维护批次",
	},
	labelActor:  {"system": "系统（自动）", "anonymous": "未登录访客"},
	labelFormat: {"csv-utf8": "逗号分隔文本（.csv，编码 UTF-8）", "csv-gbk": "逗号分隔文本（.csv，编码 GBK）", "xlsx": "Excel 表格（.xlsx）"},
	labelUnit: {
		"fen": "金额，元", "rate_ppm": "比例，%", "int": "整数", "days": "天数", "months": "月数", "hours": "小时数", "text": "文字",
	},
	labelField: {
		"question": "问题", "keywords": "关键词", "valid_from": "生效日期", "valid_until": "失效日期", "checked_on": "最后核对日期",
		"answer_chars": "答复字数", "section": "科室", "category": "类别", "notices": "关联公告",
		"account": "账号", "address": "地址", "app_no": "申请编号", "bank_account": "银行账号", "bank_name": "开户银行",
		"channel": "渠道", "contact_name": "联系人", "contact_phone": "联系电话", "employer_no": "单位编号",
		"established_on": "成立日期", "industry": "行业", "late": "逾期办理", "legal_rep": "法定代表人", "risk_class": "风险类别",
		"uscc": "统一社会信用代码", "return_reason": "退回原因", "amount_fen": "金额（分）", "assignee": "经办人", "base_fen": "缴费基数（分）", "bill_no": "核定单号",
		"case_no": "案件编号", "disabled": "已停用", "file": "文件", "format": "文件格式", "hash": "哈希值", "id_number": "身份证号",
		"key": "参数", "lines": "行数", "month": "月份", "name": "名称", "note": "备注", "phone": "手机号码", "reason": "原因",
		"took_ms": "用时（毫秒）", "rate_ppm": "抽查比例（百万分之）", "seed": "随机种子", "sections": "科室数",
		"finding": "发现的问题", "false_commitment": "承诺不实", "added": "新增事项", "made_up": "已补办", "handed_over": "移交科室", "step": "提前天数", "deadline": "补办期限",
		"seq": "序号", "status": "状态", "from": "起始月份", "to": "截止月份", "paid": "到账状态", "evidence": "证明材料份数",
		"corrections": "维护单数", "persons": "人数", "difference_fen": "差额（分）", "total_fen": "合计（分）", "username": "用户名", "value": "取值", "version": "版本",
	},
}

// label returns the Chinese label of code in family kind. A code without
// one reads "其他（…）" with its family named, never the bare code; the
// audit action of an unknown family member is built from its known
// prefix, e.g. "case.xyz" as 案件操作.
func label(kind labelKind, code string) string {
	if l, ok := labels[kind][code]; ok {
		return l
	}
	if code == "" {
		return ""
	}
	if kind == labelActor {
		return code // a person's or client's username
	}
	if kind == labelAction {
		if obj, _, ok := strings.Cut(code, "."); ok {
			if l, ok := labels[labelEntity][obj]; ok {
				return l + "操作"
			}
		}
	}
	return "其他" + labelFamilies[kind]
}

var labelFamilies = map[labelKind]string{labelAction: "操作", labelEntity: "对象", labelFormat: "文件格式",
	labelUnit: "单位", labelField: "字段"}

// labelFunc is the template function: {{label "action" .Action}}. Codes
// of a named string type (policy.Unit) are accepted as they are.
func labelFunc(kind string, code any) string { return label(labelKind(kind), fmt.Sprint(code)) }

// labelOption is one choice of a select listing a family of codes.
type labelOption struct{ Code, Label string }

// labelOptions lists the codes of a family with their labels, ordered by
// label, for a select: {{range labelOptions "action" $current}}. A current
// value that is not a known code (a prefix typed into the address) is
// listed too, so the select keeps it.
func labelOptions(kind, current string) []labelOption {
	seen := map[string]bool{}
	var out []labelOption
	for code, l := range labels[labelKind(kind)] {
		if !seen[l] { // codes sharing a label (an old and a new name) are listed once
			seen[l] = true
			out = append(out, labelOption{code, l})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	if _, known := labels[labelKind(kind)][current]; current != "" && !known {
		out = append([]labelOption{{current, label(labelKind(kind), current)}}, out...)
	}
	return out
}
