package faq

import (
	"context"
	"database/sql"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// seedFAQ is one answer SeedDefaults publishes once.
type seedFAQ struct {
	key      string
	category Category
	section  access.Section
	keywords string
	q, a     string
}

// notice is the seed key of the notice a seeded answer links to.
func (f seedFAQ) notice() string {
	if f.category == Emergency {
		return "emergency-measures"
	}
	return "guide-" + string(f.section)
}

var (
	co = access.Coordination
	in = access.Injury
	we = access.Welfare
	fu = access.Fund
	se = access.SelfEmployed
	ac = access.Account
	of = access.Office
)

func seedFAQs() []seedFAQ {
	return []seedFAQ{
		{"reg-new", Registration, co, "新企业 首次参保 统一社会信用代码", "新成立的企业怎样办理社保参保登记？",
			"新企业首次参保时，拨打统筹科业务电话，提供统一社会信用代码和单位基本信息；统筹科维护好单位信息后，单位用社保编号登录服务网，自行办理人员新增。\n也可以在服务网“单位参保登记”在线提交申请，审核通过后以短信告知社保编号和初始密码。"},
		{"reg-login", Registration, co, "社保编号 用户名 密码 登录", "单位网上申报的用户名是什么？忘记密码怎么办？",
			"单位网上申报的用户名是单位的社保编号。忘记密码的，请拨打统筹科业务电话，核实单位信息后重置初始密码，首次登录须修改密码。"},
		{"reg-late", Registration, co, "逾期 参保登记 应急期", "应急期间单位逾期办理职工参保登记，还能受理吗？",
			"能。因受疫情等突发事件影响，用人单位逾期办理职工参保登记、缴费等业务的，经办机构及时受理，系统内予以标识，不影响职工的个人权益记录。"},
		{"sc-online", StaffChange, co, "人员新增 减员 增员 网上申报", "单位怎样在网上办理人员增减？",
			"登录服务网单位网上服务，在“人员增减”中逐人填写，或下载职工导入模板（Excel）批量导入。导入模板可在单位网上服务的“常用下载”页面下载。提交后缴费基数按当年上下限自动核定。"},
		{"sc-template", StaffChange, co, "Excel 模板 批量导入 身份证号", "批量导入职工时提示身份证号有误怎么办？",
			"请核对身份证号码是否为 18 位、最后一位校验码是否正确（X 请用大写），并确认没有多余空格。导入结果会逐行说明哪一行、哪一栏有误，改正后重新导入即可，已成功的行不会重复登记。"},
		{"sc-base", StaffChange, co, "缴费基数 上限 下限 工资", "职工的缴费基数怎样确定？工资低于下限怎么办？",
			"缴费基数按职工上年度月平均工资申报；低于当年缴费基数下限的按下限核定，高于上限的按上限核定。上下限以上年度全市在岗职工月平均工资为基础确定，每年公布。"},
		{"as-amount", Assessment, co, "缴费金额 核对 前台电话", "办完人员增减后，怎样确认当月应缴金额？",
			"办完人员增减后，可在服务网“缴费核定”查看当月的核定单，逐人列明缴费基数、费率和金额；也可拨打前台业务电话核对缴费基数及缴费金额。确认无误后按核定单缴费。"},
		{"as-pay", Assessment, fu, "电汇 缴费 账户 基金管理科", "单位怎样缴纳社保费？可以交现金吗？",
			"核定金额后请以电汇方式缴入社保费收入户，附言注明社保编号和所属月份。应急期间大厅暂不收取现金，到大厅缴费的请刷银行卡。此账户不接收医疗和生育保险费。"},
		{"as-extend", Assessment, fu, "征收期 延长 一季度 权益", "应急期间征收期延长了，晚交会影响待遇吗？",
			"应急期间征收期按上级通知延长（例如 2024 年 1 月、2 月的社保费延长至 3 月底）。在延长期内缴纳的，不加收滞纳金，享受相关社保待遇及权益不受影响。"},
		{"as-invoice", Assessment, fu, "发票 邮寄 票据", "缴费后急需发票，可以邮寄吗？",
			"可以。请在服务网提交票据邮寄申请，或把收件人、电话、地址发送至基金管理科邮箱，基金管理科会尽快邮寄；不急需的可在应急期结束后到大厅领取纸质发票。"},
		{"ce-print", Certificate, co, "缴费证明 打印 查询 验证码", "个人怎样打印社保缴费证明？",
			"登录服务网，在“缴费证明”中选择起止月份即可打印，证明上有验证码和二维码，办事单位可在本网站“证明核验”页面核对真伪。"},
		{"ce-seal", Certificate, co, "盖章 公章 预约", "缴费证明需要加盖社保部门印章怎么办？",
			"网上打印的证明带验证码，一般可直接使用。如办事单位坚持要求加盖印章，请拨打前台电话或在网上预约，按预约时间到大厅办理。"},
		{"ac-24h", Accident, in, "工伤 事故 24小时 报告表 邮箱", "职工发生工伤事故，单位应在多长时间内报告？",
			"事故发生后 24 小时内，单位应在服务网填报《工伤事故报告表》，或将报告表发送至工伤保险待遇科邮箱并电话告知。职工住院的，把住院照片一并发至邮箱，注明单位名称和职工姓名。"},
		{"ac-recognition", Accident, in, "工伤认定 申请 人社局", "报告了工伤事故，还需要申请工伤认定吗？",
			"需要。事故报告只是告知经办机构；用人单位还应按规定向区人社局工伤科提出工伤认定申请，认定为工伤后才能申报工伤保险待遇。"},
		{"ac-second", Accident, in, "二次住院 继续治疗 申请表", "工伤职工需要二次住院，要先审批吗？",
			"应急期间暂不需要先审批：由定点医疗机构填写《工伤职工继续治疗申请表》后即可住院治疗，待申报待遇时再递交该表补办审批。"},
		{"ac-originals", Accident, in, "原件 邮寄 容缺 承诺", "办理工伤业务需要的材料原件，现在必须送到窗口吗？",
			"不必。应急期间可邮寄递交或容缺受理、告知承诺；所缺原件在应急期结束后由用人单位按规定补交。弄虚作假骗取待遇的，一经发现依法处理。"},
		{"ac-medical", Accident, in, "医护人员 感染 报销 联网结算", "医护人员因工作感染被认定工伤，医疗费怎样报销？",
			"诊疗方案覆盖的药品和医疗服务项目全部由工伤保险基金支付。符合联网结算条件的由医院直接与经办机构结算；不符合的，单位把住院费用明细清单、住院发票扫描后发至工伤保险经办机构邮箱，审核后直接拨付到单位或职工本人银行账户。"},
		{"re-confirm", Retirement, we, "退休 资格确认表 待遇核定", "职工到了退休年龄，单位怎样办理退休待遇核定？",
			"维护完缴费信息并通过退休确认后，单位把《企业职工正常退休资格确认表》通过电话或电子邮件报保险福利科，保险福利科在系统内审核并核定退休待遇，无需到大厅。"},
		{"re-card", Retirement, we, "退休金 社保卡 发放 代发银行", "新退休人员的退休金发到哪里？没有社保卡怎么办？",
			"新增退休人员的养老金通过社保卡发放。还没有拿到社保卡的，请到代发银行新开卡，可选择邮寄或自取社保卡。"},
		{"re-self", Retirement, se, "个体 灵活就业 退休申报 邮箱 身份证", "个体工商户、灵活就业人员到了退休年龄不方便来大厅，怎样申报退休？",
			"可以通过邮箱或电话申报：把退休人员二代身份证正反面照片、退休申请书和两个手机号码发送至个体参保科邮箱。退休申报审批后，次月起纳入统筹发放养老金。"},
		{"re-records", Retirement, ac, "缴费记录 维护 个人账户 清单", "退休人员缴费记录维护和个人账户清单打印怎样办理？",
			"由退休申请受理科室统一收集后集中办理，不需要本人到大厅排队；办理结果会电话告知。"},
		{"de-report", Death, we, "死亡 丧葬费 抚恤金 待遇", "参保职工或退休人员去世，家属或单位要怎样办理死亡待遇？",
			"用人单位或家属把死亡人员的姓名、身份证号和死亡日期通过电话或电子邮件报保险福利科。保险福利科通过民政部门共享信息核实后，核定丧葬补助金、抚恤金等死亡待遇。"},
		{"de-stop", Death, we, "停发 多领 退回 养老金", "退休人员去世后，养老金多发了怎么办？",
			"养老金发放到死亡当月。核实死亡后多发的金额，由保险福利科告知家属退回的金额和账户，可在核定死亡待遇时抵扣。"},
		{"tr-out", Transfer, ac, "转移 外地 异地 参保缴费凭证", "养老保险要转到外地，应急期间怎么办？",
			"异地转移不影响正常缴费的，非特殊情况请在应急期结束后办理。确有特殊情况的，把本人基本养老保险参保缴费凭证、身份证正反面照片发送至个人账户科邮箱即可办理。"},
		{"tr-city", Transfer, ac, "市内 转移 手续", "在本市不同区之间换工作，养老保险需要办转移吗？",
			"市内养老保险关系不再办理转移手续，新单位办理人员新增后即接续缴费，缴费年限合并计算。"},
		{"fl-pay", Flexible, se, "灵活就业 个体 缴费 档次", "灵活就业人员怎样缴纳养老保险？",
			"灵活就业人员登录服务网，在“灵活就业”中选择缴费档次，按月或按季生成缴费单，通过银行卡缴纳。缴费档次在当年缴费基数上下限之间选择。"},
		{"fl-makeup", Flexible, se, "补缴 疫情 三个月 标识", "灵活就业人员应急期间没能按时缴费，之后还能补缴吗？",
			"能。未能及时缴费的，允许在应急期结束后补缴，系统内予以标识，不影响个人权益记录；补缴须在应急期解除后三个月内完成。"},
		{"em-contactless", Emergency, of, "不见面 网上办理 电话 邮箱", "应急期间哪些业务可以不到大厅办理？",
			"参保登记、人员增减、缴费核定、缴费证明打印、工伤事故报告、退休和死亡待遇申报、个体退休申报等都可以通过服务网、电话或电子邮箱办理。各科室电话和邮箱见“联系方式”公告。"},
		{"em-hall", Emergency, of, "大厅 口罩 体温 现场", "确需到大厅办理业务，要注意什么？",
			"请先预约，按预约时间到大厅，全程佩戴口罩，配合测量体温；有发热、干咳等症状的请勿前来，改用电话或邮箱办理。"},
		{"em-deadline", Emergency, of, "期限 延期 逾期 应急期结束", "应急期间耽误了办理期限，会有什么影响？",
			"应急期间允许参保单位和个人延期办理业务，逾期办理参保登记、缴费不影响个人权益记录。需要补交的材料原件和补办手续，一般在应急期结束后三个月内完成。"},
		{"ap-book", Appointment, of, "预约 时段 大厅 取消", "怎样预约到大厅办理业务？",
			"登录服务网，在“预约”中选择业务、日期和时段即可，每个时段名额有限。预约成功后会收到提醒；不能前来的，请在预约时间前取消，以便他人预约。"},
		{"ap-which", Appointment, of, "必须到场 哪些业务", "哪些业务必须预约到大厅办理？",
			"大多数业务都可以不见面办理。确需现场核验原件、加盖印章或本人签字的，请先电话咨询，再预约到大厅办理。"},
		{"ot-contact", Other, of, "电话 邮箱 联系 咨询", "各科室的咨询电话和电子邮箱是多少？",
			"各科室的电话和电子邮箱见“联系方式”公告。工作日 8:30—12:00、13:30—17:00 接听电话；电子邮箱全天接收，工作日内回复。"},
	}
}

// SeedDefaults publishes the shipped answers once each, linked to the
// seeded notice of their section (or the emergency measures).
// Errors: Internal.
func (s *Service) SeedDefaults(ctx context.Context) error {
	now, today := s.clock.Now(), s.today()
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for _, x := range seedFAQs() {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM faqs WHERE seed_key = $1`, x.key).Scan(&n); err != nil {
				return errs.Wrap(err, "seed faq")
			}
			if n > 0 {
				continue
			}
			in := Input{Question: x.q, Answer: x.a, Category: x.category, Section: x.section, Keywords: x.keywords}
			if id, err := noticeBySeed(ctx, tx, x.notice()); err != nil {
				return err
			} else if id != 0 {
				in.noticeIDs = []int64{id}
			}
			if _, err := insertFAQ(ctx, tx, &in, Published, today, x.key, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func noticeBySeed(ctx context.Context, q db.Querier, key string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM notices WHERE seed_key = $1`, key).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, errs.Wrap(err, "seed notice link")
}
