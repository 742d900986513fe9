package notice

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/errs"
)

// seedNotice is one notice SeedDefaults publishes once.
type seedNotice struct {
	key      string
	category Category
	pinned   bool
	title    string
	body     string
}

// DemoPhone and DemoMailbox give a section's contact details. They are
// demonstration values (0000- numbers, the reserved .example domain) that
// 办公室 replaces by editing the contacts notice.
func DemoPhone(x access.Section) string {
	for i, s := range access.Sections {
		if s == x {
			return fmt.Sprintf("0000-12345%02d", i+1)
		}
	}
	return "0000-1234500"
}

// DemoMailbox is the section's public mailbox (demo value).
func DemoMailbox(x access.Section) string {
	names := map[access.Section]string{access.Coordination: "tongchou", access.Injury: "gongshang", access.Welfare: "fuli",
		access.Fund: "jijin", access.Audit: "shenji", access.SelfEmployed: "geti", access.Account: "zhanghu", access.Office: "bangongshi"}
	return names[x] + "@shebao.example"
}

func contactsBody() string {
	var b strings.Builder
	b.WriteString("以下电话和邮箱为演示数据，正式使用前请由办公室修改本公告。\n")
	b.WriteString("工作日 8:30—12:00、13:30—17:00 接听电话；电子邮箱全天接收，工作日内回复。\n")
	for _, x := range access.Sections {
		fmt.Fprintf(&b, "%s：电话 %s，电子邮箱 %s\n", x.Name(), DemoPhone(x), DemoMailbox(x))
	}
	b.WriteString("邮件请在主题中写明单位名称或本人姓名和所办业务；附件可用照片或扫描件。")
	return b.String()
}

func guide(x access.Section, no, title, body string) seedNotice {
	return seedNotice{key: "guide-" + string(x), category: Guide, title: no + "、" + title + "（" + x.Name() + "）",
		body: body + fmt.Sprintf("\n咨询电话：%s；电子邮箱：%s。", DemoPhone(x), DemoMailbox(x))}
}

func seedNotices() []seedNotice {
	return []seedNotice{
		{key: "emergency-measures", category: Emergency, pinned: true, title: "应急期间社保业务“不见面”办理的措施",
			body: "为减少人员聚集、保障大家健康，应急期间本机构的社会保险业务一律优先通过网上服务、电话、电子邮箱和微信公众号办理，尽量不到大厅。\n" +
				"单位逾期办理职工参保登记、缴费的，我们照常受理；灵活就业人员、个体工商户和失业人员缴纳养老保险的时限放宽，应急期结束后三个月内可以补缴，补缴月份不影响个人权益记录，也不收滞纳金。\n" +
				"需要递交原件的材料，可先发送电子版或邮寄办理（容缺受理、告知承诺），原件在应急期结束后补交。弄虚作假骗取社保待遇的，一经查实依法处理。\n" +
				"大厅暂不收取现金，缴费请转账或刷卡。确需到大厅办理的业务，请先在网上预约时段，按时到场并佩戴口罩。\n" +
				"各科室电话和邮箱见“联系方式”公告。"},
		{key: "contacts", category: Contact, pinned: true, title: "各科室联系电话和电子邮箱", body: contactsBody()},
		guide(access.Coordination, "一", "参保登记、人员增减、申报缴费和证明打印",
			"新企业参保登记：在本网站“企业参保登记”网上申报，或致电统筹科提供统一社会信用代码，审核通过后取得单位社保编号和登录密码。\n"+
				"人员增减：单位用社保编号登录网上服务自行办理，操作方法见《单位网上服务使用手册》。\n"+
				"申报缴费：办完人员增减后致电统筹科核对缴费基数和金额，再与基金管理科联系缴费。\n"+
				"查询和证明：单位和个人可在网上查询缴费情况、打印缴费证明；需要加盖印章的，请在网上预约后到大厅领取。"),
		guide(access.Injury, "二", "工伤事故报告和工伤待遇",
			"发生工伤事故后 24 小时内，单位在网上提交《工伤事故报告表》（或发送到工伤保险待遇科邮箱），附上职工住院照片，注明单位名称和职工姓名，并致电告知。单位还应按规定向区人社局申请工伤认定。\n"+
				"需要现场递交的材料可邮寄，或先容缺受理、签署告知承诺，原件在应急期结束后补交。\n"+
				"因履行工作职责感染的医护人员等，认定工伤后走快捷通道报销；不能联网结算的，单位可把费用清单、发票扫描件发到邮箱办理。\n"+
				"工伤职工需要再次住院的，由定点医院填写《工伤职工继续治疗申请表》后即可住院，申报待遇时补交该表。"),
		guide(access.Welfare, "三", "退休待遇和死亡待遇核定",
			"已通过退休确认的人员，单位把《企业职工正常退休资格确认表》通过电话、电子邮件报保险福利科，我们在系统内审核待遇。\n"+
				"职工死亡的，单位通过电话、电子邮件报告死亡信息，我们通过民政共享信息核实后核定死亡待遇。\n"+
				"新退休人员的养老金发放到社保卡；还没有社保卡的，请到代发银行开卡，银行邮寄或自取。"),
		guide(access.Fund, "四", "缴费、发票和征收期",
			"应急期间社保费征收期按上级规定延长，在延长期内缴清即可享受相关待遇和权益。\n"+
				"核定应缴金额后请转账缴费（此账户不接收医疗和生育保险费）。纸质发票可在应急期结束后领取；急需的，把收件人、电话、地址发到基金管理科邮箱，我们邮寄。\n"+
				"大厅暂不收现金，请刷卡缴费。"),
		guide(access.Audit, "五", "延期办理和投诉举报",
			"因应急情况逾期办理参保登记、缴费等业务的，经办机构及时受理，逾期缴费不影响个人权益记录；灵活就业人员的补缴应在应急期结束后三个月内完成，系统内标识为应急期补缴。\n"+
				"对社保业务有投诉、举报的，请致电或发邮件给审计科，我们及时答复处理。"),
		guide(access.SelfEmployed, "六", "灵活就业人员、个体工商户退休申报",
			"到达退休年龄、因应急情况不能来大厅的，可通过电子邮箱申报：发送身份证正反面电子版、退休申请书和两个联系电话到个体参保科邮箱，也可先电话咨询。\n"+
				"退休申报审批后，从次月起纳入统筹发放。"),
		guide(access.Account, "七", "社保关系转移和个人账户",
			"异地转移不影响正常缴费的，非特殊情况请在应急期结束后办理；确有特殊情况，把参保缴费凭证和身份证正反面电子版发到个人账户科邮箱即可。市内转移不再办理转移手续。\n"+
				"退休人员缴费记录维护、个人账户清单打印由退休受理科室集中办理，无需来大厅排队。确需来办理的，请先电话咨询流程。"),
		guide(access.Office, "八", "综合服务和预约",
			"本网站、微信公众号、微信企业群和公开咨询电话提供答疑，我们倡导“不见面”办理。\n"+
				"确需到大厅办理的业务（如领取加盖印章的证明、递交原件），请先在网上预约时段；大厅内请佩戴口罩，配合测温，有发热、干咳等症状的请改期办理。"),
	}
}

// SeedDefaults publishes the default notices that were never seeded (by
// seed key), so running it at every start adds each once; notices 办公室
// has since edited or withdrawn are left alone. Like migrations, seeding
// is not written to the audit log; every later change is.
func (s *Service) SeedDefaults(ctx context.Context) error {
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for i, x := range seedNotices() {
			// One second apart, in list order, so lists show them in that order.
			at := now.Add(-time.Duration(i) * time.Second)
			_, err := tx.ExecContext(ctx, `INSERT INTO notices (title, body, category, pinned, status, published_at, author_id,
				author_name, seed_key, created_at, updated_at) VALUES ($1, $2, $3, $4, 'published', $5, 0, $6, $7, $5, $5)
				ON CONFLICT (seed_key) DO NOTHING`, x.title, x.body, string(x.category), x.pinned, at, access.System.Name(), x.key)
			if err != nil {
				return errs.Wrap(err, "seed notice")
			}
		}
		return nil
	})
}
