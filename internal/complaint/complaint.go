// Package complaint is the agency's complaints and reports (举报投诉):
// anyone files one — signed in, anonymously with a tracking code, or
// through a clerk who records a call, a mail or a WeChat message — and
// 审计科 triages it (accept, transfer to the competent body, reject),
// assigns it to a section, investigates, answers in writing and follows
// the reporter's satisfaction or objection; a dispute about rights can end
// in a recorded mediation, and a confirmed report of fraud or arrears
// starts recovery or enforcement (docs/rules.md "Complaints and reports").
// The reporter's identity is visible only to 审计科.
package complaint

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/document"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// Categories of a complaint or report.
const (
	CatArrears      = "arrears"      // 单位欠缴社会保险费
	CatUnregistered = "unregistered" // 单位未为职工参保登记
	CatFraud        = "fraud"        // 骗取社会保险待遇
	CatService      = "service"      // 经办服务
	CatLabour       = "labour"       // 劳动关系权益争议
	CatOther        = "other"        // 其他
)

// Categories lists the categories in display order.
var Categories = []string{CatArrears, CatUnregistered, CatFraud, CatService, CatLabour, CatOther}

var categoryNames = map[string]string{CatArrears: "单位欠缴社会保险费", CatUnregistered: "单位未为职工参保登记",
	CatFraud: "骗取社会保险待遇", CatService: "经办服务投诉", CatLabour: "劳动关系权益争议", CatOther: "其他"}

// CategoryName is the Chinese name of a category.
func CategoryName(c string) string { return nameOr(categoryNames, c) }

// Channels a complaint arrives by.
const (
	ChannelWeb       = "web"       // 网上实名
	ChannelAnonymous = "anonymous" // 网上匿名
	ChannelPhone     = "phone"     // 电话
	ChannelEmail     = "email"     // 电子邮件
	ChannelWeChat    = "wechat"    // 微信
	ChannelVisit     = "visit"     // 来访
	ChannelReferral  = "referral"  // 内部移送（稽核等发现）
)

// ClerkChannels are the channels a clerk records.
var ClerkChannels = []string{ChannelPhone, ChannelEmail, ChannelWeChat, ChannelVisit}

var channelNames = map[string]string{ChannelWeb: "网上实名", ChannelAnonymous: "网上匿名", ChannelPhone: "电话",
	ChannelEmail: "电子邮件", ChannelWeChat: "微信", ChannelVisit: "来访", ChannelReferral: "内部移送"}

// ChannelName is the Chinese name of a channel.
func ChannelName(c string) string { return nameOr(channelNames, c) }

// Statuses of a complaint.
const (
	Received    = "received"    // 待受理
	Accepted    = "accepted"    // 已受理，调查中
	Answered    = "answered"    // 已答复
	Objected    = "objected"    // 有异议，复查中
	Closed      = "closed"      // 已办结
	Rejected    = "rejected"    // 不予受理
	Transferred = "transferred" // 已转办
)

// Statuses lists the statuses in display order.
var Statuses = []string{Received, Accepted, Answered, Objected, Closed, Rejected, Transferred}

var statusNames = map[string]string{Received: "待受理", Accepted: "已受理，调查中", Answered: "已答复",
	Objected: "有异议，复查中", Closed: "已办结", Rejected: "不予受理", Transferred: "已转办"}

// StatusName is the Chinese name of a status.
func StatusName(s string) string { return nameOr(statusNames, s) }

var outcomeNames = map[string]string{"": "", "confirmed": "查实", "unfounded": "未查实", "mediated": "调解结案"}

var feedbackNames = map[string]string{"": "", "satisfied": "满意", "objection": "有异议"}

var reporterNames = map[string]string{"anonymous": "匿名", "person": "参保人（实名登录）", "employer": "参保单位（实名登录）",
	"named": "实名（经办人员登记）", "agency": "本机构内部移送"}

var linkNames = map[string]string{"case": "关联业务", "bill": "欠费核定单（移交追缴）", "recovery": "多领待遇追回"}

var eventNames = map[string]string{"filed": "提交", "accepted": "受理", "transferred": "转办", "rejected": "不予受理",
	"assigned": "分派", "note": "调查记录", "document": "调查材料", "answered": "书面答复", "satisfied": "反馈满意",
	"objection": "提出异议", "closed": "办结", "mediated": "调解结案", "confirmed": "查实", "linked": "关联业务"}

// EventName is the Chinese name of a timeline entry's kind.
func EventName(k string) string { return nameOr(eventNames, k) }

func nameOr(m map[string]string, k string) string {
	if n, ok := m[k]; ok {
		return n
	}
	return "未知"
}

// Throttle counts public attempts per client address (the login
// throttle's counters; account.Service.Throttle).
type Throttle interface {
	Throttle(ctx context.Context, scope, source string, limit int, message string) error
}

// Bills lists an employer's bills (contribution's read API).
type Bills interface {
	ListForEmployer(ctx context.Context, a *access.Actor, employerID int64) ([]contribution.Bill, error)
}

// Drafts closes a mail draft that became a complaint and hands over its
// attachments (casework's service).
type Drafts interface {
	CloseDraftTx(ctx context.Context, tx *sql.Tx, a *access.Actor, no, label, note string) ([]int64, error)
}

// Limits of public use.
const (
	AnonymousFilingLimit = 5  // anonymous filings per client address per 10 minutes
	TrackingLookupLimit  = 20 // tracking-code lookups per client address per 10 minutes
	MaxAttachments       = 3  // files per filing or note
	MaxSubject           = 60 // runes
	MaxBody              = 5000
	PageSize             = 20
)

// Default deadlines when no dated rule is in force (docs/rules.md
// "Complaints: deadlines").
const (
	DefaultAckDays    = 5
	DefaultAnswerDays = 60
)

// Service runs complaints.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	audit    *audit.Service
	policy   *policy.Service
	docs     *document.Store
	throttle Throttle
	bills    Bills
	drafts   Drafts
	notifier Notifier
}

// NewService returns the service. n tells reporters of answers and
// decisions (nil: no one; the reporter then reads them on the tracking
// page).
func NewService(d *db.DB, c clock.Clock, au *audit.Service, p *policy.Service, docs *document.Store, t Throttle, b Bills,
	drafts Drafts, n Notifier) *Service {
	return &Service{db: d, clock: c, audit: au, policy: p, docs: docs, throttle: t, bills: b, drafts: drafts, notifier: n}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

func fieldErr(field, msg string) error {
	var f errs.Fields
	f.Add(field, msg)
	return f.Err()
}

func errNotFound() error {
	return errs.New(errs.NotFound, "complaint_not_found", "未找到该投诉举报")
}
