package web

import (
	"net/http"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/errs"
)

// queueLink is one work queue or tool on the staff console.
type queueLink struct {
	Path, Label string
}

// sectionQueues lists each section's queues on the staff console home.
// Areas add their queues here as later issues build them; a section with
// none shows a "建设中" note.
var sectionQueues = map[access.Section][]queueLink{
	access.Coordination: {
		{"/staff/registrations", "企业参保登记审核"},
		{"/staff/employer-changes", "单位信息变更审核"},
		{"/staff/staff-conflicts", "参保冲突协调（人员增减）"},
		{"/staff/assessments", "缴费核定（按月核定、重新核定）"},
		{"/staff/bills?status=correction_requested", "缴费核定更正申请"},
		{"/staff/contribution-records", "导入历史缴费记录（本系统启用前）"},
		{"/staff/certificates", "缴费证明查询与撤销"},
		{"/staff/injury/uninsured", "未参保单位工伤待遇拒付清单"},
	},
	access.Injury: {
		{"/staff/cases?section=injury", "业务队列（工伤事故报告等）"},
		{"/staff/injury/reports/new", "登记电话、邮寄报告的工伤事故"},
		{"/staff/injury/benefits", "工伤认定、鉴定与待遇申报审核"},
		{"/staff/cases?section=injury&type=injury_covid_claim", "快捷通道（新冠肺炎医护人员）"},
		{"/staff/injury/continued", "继续治疗暂不审批登记簿"},
		{"/staff/injury/settlements", "医院联网结算"},
		{"/staff/injury/covid-items", "新冠肺炎诊疗方案覆盖项目"},
	},
	access.Welfare: {
		{"/staff/cases?section=welfare", "业务队列（退休、死亡待遇核定）"},
		{"/staff/retirement/upcoming", "即将退休人员名单"},
		{"/staff/retirement/qualifications", "退休资格确认与待遇核定"},
		{"/staff/deaths", "死亡待遇与多发养老金追回"},
		{"/staff/deaths/civil", "民政死亡数据导入与核对"},
		{"/staff/upkeep", "退休人员缴费记录维护（已提请的维护单）"},
	},
	access.Account: {
		{"/staff/cases?section=account", "业务队列（转移接续、个人账户清单）"},
		{"/staff/accounts", "个人账户（查询、更正、期初余额导入、年度计息）"},
		{"/staff/transfers", "转移接续（转入、转出，各环节期限）"},
		{"/staff/consultations", "电话咨询登记"},
		{"/staff/upkeep", "退休人员缴费记录维护（集中处理、批次复核）"},
	},
	access.Fund: {
		{"/staff/statements", "银行对账单导入"},
		{"/staff/payments/queue", "待处理款项（未匹配、少缴、多缴、待退回）"},
		{"/staff/payments/card", "大厅刷卡缴费登记"},
		{"/staff/payments/refunds", "已入账缴费退款（冲销个人账户记账）"},
		{"/staff/invoices", "发票邮寄申请"},
		{"/staff/ledger", "基金总账（试算平衡）"},
		{"/staff/payroll", "月度养老金发放（生成、进度、与上月对比）"},
		{"/staff/payouts?status=prepared", "待审核拨付（双人审核）"},
		{"/staff/payout-batches", "代发批次、银行文件与回盘"},
		{"/staff/payouts?status=failed", "支付失败待重新拨付"},
		{"/staff/fund-report", "基金收支月报（按险种）"},
	},
	access.Audit: {
		{"/staff/complaints", "投诉举报（受理、调查、答复）"},
		{"/staff/complaints?overdue=1", "逾期未受理、未答复的投诉举报"},
		{"/staff/audit", "审计日志"},
		{"/staff/originals", "待补原件（容缺受理）"},
		{"/staff/commitments", "告知承诺不实清单"},
		{"/staff/deferred", "延期业务登记（应急期补办期限、提醒、逾期移交）"},
		{"/staff/sampling", "稽核抽查（每月随机抽查办结案件、整改跟踪）"},
		{"/staff/dashboard", "全局运行情况（图表、导出）"},
	},
	access.SelfEmployed: {
		{"/staff/flexible", "灵活就业人员参保与缴费单"},
		{"/staff/retirement/qualifications?status=submitted", "个体退休申报审批"},
		{"/staff/deferred", "延期业务登记（应急期补办期限、提醒、逾期移交）"},
	},
	access.Office: {
		{"/staff/complaints/new", "登记电话、邮件、微信、来访的投诉举报"},
		{"/staff/notices", "公告管理"},
		{"/staff/faq/misses", "未找到答复的常见搜索"},
		{"/staff/downloads", "常用下载维护（手册、文件、公告附件）"},
		{"/staff/appointments/slots", "预约时段管理"},
		{"/staff/health/day", "工作人员健康情况与来访人筛查（每日）"},
		{"/staff/outbox", "通知发件箱（邮件、短信、微信）"},
		{"/staff/mail/quarantine", "邮件隔离区"},
	},
}

// staffTools are open to all staff whatever their section.
var staffTools = []queueLink{
	{"/staff/health", "每日健康打卡（本人）"},
	{"/staff/hall-duty", "大厅值班记录（消毒、海报检查）"},
	{"/staff/persons", "参保人查询"},
	{"/staff/lookup", "查找单位或人员（按名称、证件号码、单位编号）"},
	{"/staff/appointments", "大厅预约名单"},
	{"/staff/cases", "本科室业务队列（含邮件来件、代为登记）"},
	{"/staff/dashboard", "运行情况统计（图表、导出）"},
	{"/staff/deferred", "延期业务登记（本科室）"},
	{"/staff/complaints", "分派本科室调查的投诉举报"},
	{"/staff/sensitive", "重大敏感事项请示报告"},
	{"/staff/faq", "常见问题维护"},
}

// sectionCard is one section on the console home.
type sectionCard struct {
	Section access.Section
	Name    string
	Queues  []queueLink
	Work    *sectionWork
}

type staffHomeView struct {
	Sections []sectionCard
	Tools    []queueLink
}

// staffHome: GET /staff, the console home with the actor's sections.
func (s *Server) staffHome(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if !a.IsStaff() {
		s.fail(w, r, errs.Forbid())
		return
	}
	v := staffHomeView{Tools: staffTools}
	for _, x := range access.Sections {
		if a.In(x) {
			work, err := s.sectionWorkOf(r.Context(), a, x)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			v.Sections = append(v.Sections, sectionCard{Section: x, Name: x.Name(), Queues: sectionQueues[x], Work: work})
		}
	}
	s.render(w, r, "staff_home", &Page{Title: "经办工作台", Data: v})
}

// adminLinks are the administrator's tools on GET /admin.
var adminLinks = []queueLink{
	{"/admin/users", "用户管理（经办人员、单位、个人账户）"},
	{"/admin/api-clients", "接口客户端（医院、银行）"},
	{"/admin/retirement/approvers", "退休资格审批权限"},
	{"/admin/posts", "职务设置（科室负责人、办公室主任、中心主任）"},
	{"/admin/policy", "政策参数"},
	{"/admin/emergencies", "应急期管理"},
	{"/staff/audit", "审计日志"},
}

// adminHomeView is the data of GET /admin: the tools and the accounts that
// wait for an administrator's unlock.
type adminHomeView struct {
	Links  []queueLink
	Locked []*account.User
	// Unheld names the posts of the sensitive-matter chain nobody holds.
	Unheld []string
}

// adminHome: GET /admin.
func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if err := a.RequireAdmin(); err != nil {
		s.fail(w, r, err)
		return
	}
	locked, err := s.Accounts.ListLocked(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var unheld []string
	if s.Sensitive != nil {
		if unheld, err = s.Sensitive.MissingHolders(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, "admin_home", &Page{Title: "系统管理", Data: adminHomeView{Links: adminLinks, Locked: locked, Unheld: unheld}})
}
