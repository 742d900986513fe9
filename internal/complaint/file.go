package complaint

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/idempotency"
	"shebao/internal/ident"
	"shebao/internal/policy"
)

// Upload is an attached file as received; its bytes decide whether it is
// an image or a PDF (the document store sniffs them).
type Upload struct {
	Name string
	Data io.Reader
}

// Input is what a complaint says.
type Input struct {
	Category        string
	Channel         string // clerk-recorded filings: one of ClerkChannels
	Subject         string
	Body            string
	ReporterName    string // clerk-recorded filings; empty = anonymous
	ReporterContact string
	TargetName      string // the employer or person reported, as given
	TargetEmployer  string // optional employer number (单位编号)
	TargetIDNumber  string // optional ID number of the person reported
	SourceRef       string // the mail draft's case number, a WeChat message …
	// Draft is the mail draft (邮件来件) the filing is recorded from: it is
	// closed with a note naming the complaint, and its attachments become
	// the complaint's. Clerks of 审计科 or 办公室 only.
	Draft       string
	Attachments []Upload
}

// Filed is the answer to a filing: the number and, for an anonymous
// reporter, the tracking code shown once and never stored.
type Filed struct {
	ID             int64
	No             string
	TrackingCode   string
	AcknowledgeDue string
	AnswerDue      string
}

// FileAnonymous files an anonymous complaint from the public form,
// counted first against the client's limit. Errors: TooMany, Invalid.
func (s *Service) FileAnonymous(ctx context.Context, clientAddr string, in Input) (*Filed, error) {
	if err := s.throttleAnonymous(ctx, clientAddr); err != nil {
		return nil, err
	}
	in, kind, _ := s.filer(nil, in)
	return s.file(ctx, nil, in, kind, nil)
}

// File files a complaint signed in: a person or an employer for itself
// (channel web), or a clerk of 审计科 or 办公室 recording a call, a mail,
// a WeChat message or a visit (anonymous when no reporter name is given:
// the caller is then told the tracking code). Errors: Unauthenticated,
// Forbidden, Invalid.
func (s *Service) File(ctx context.Context, a *access.Actor, in Input) (*Filed, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	in, kind, err := s.filer(a, in)
	if err != nil {
		return nil, err
	}
	return s.file(ctx, a, in, kind, nil)
}

// AnonymousKeyMin is the shortest idempotency key of an anonymous filing:
// its answer carries the tracking code, so the key must not be guessable.
const AnonymousKeyMin = 16

// KeyKept is how long the idempotency key of an API filing is kept: a
// retry within it gets the first answer back; PurgeKeys deletes older
// keys, so a key sent again after that files a new complaint.
const KeyKept = 7 * 24 * time.Hour

// PurgeKeys deletes the idempotency keys of API filings (with the sealed
// answers kept for retries) older than KeyKept; the scheduled job
// complaints.keys_purge calls it. It returns how many were deleted.
func (s *Service) PurgeKeys(ctx context.Context) (int64, error) {
	return purgeRequestKeys(ctx, s.db.W, s.now().Add(-KeyKept))
}

// FileOnce files a complaint through the JSON API under the client's
// idempotency key, anonymously (a == nil, counted against the client's
// limit) or signed in as File. The same key with the same request returns
// the first answer, tracking code included (replayed = true), and files
// nothing, also when the retry races the first request; the same key with
// another request is a Conflict. Errors: as FileAnonymous and File; Invalid
// naming the Idempotency-Key header when the key is missing.
func (s *Service) FileOnce(ctx context.Context, a *access.Actor, clientAddr, key string, in Input) (*Filed, bool, error) {
	in, kind, err := s.filer(a, in)
	if err != nil {
		return nil, false, err
	}
	scope, min := "anonymous", AnonymousKeyMin
	if a != nil {
		scope, min = "user:"+strconv.FormatInt(a.UserID, 10), 1
	}
	if key, err = idempotency.Key(key, min); err != nil {
		return nil, false, err
	}
	k := &keyed{key: key, keyHash: idempotency.KeyHash(scope, key), hash: idempotency.Hash(requestOf(in))}
	if f, err := replay(ctx, s.db.Read(), k); f != nil || err != nil {
		return f, true, err
	}
	if a == nil {
		if err := s.throttleAnonymous(ctx, clientAddr); err != nil {
			return nil, false, err
		}
	}
	f, err := s.file(ctx, a, in, kind, k)
	if k.replayed != nil {
		return k.replayed, true, nil
	}
	return f, false, err
}

func (s *Service) throttleAnonymous(ctx context.Context, clientAddr string) error {
	return s.throttle.Throttle(ctx, "complaint-file", clientAddr, AnonymousFilingLimit, "匿名投诉举报提交过于频繁")
}

// filer checks who files (nil: anonymous) and returns the input with the
// channel and reporter it may have, and the kind of reporter.
func (s *Service) filer(a *access.Actor, in Input) (Input, string, error) {
	switch {
	case a == nil:
		in.Channel, in.ReporterName, in.ReporterContact, in.Draft = ChannelAnonymous, "", "", ""
		return in, "anonymous", nil
	case a.Role == access.RolePerson || a.Role == access.RoleEmployer:
		in.Channel, in.ReporterName, in.Draft = ChannelWeb, "", ""
		return in, string(a.Role), nil
	case CanRecord(a):
		if in.Draft = strings.TrimSpace(in.Draft); in.Draft != "" && strings.TrimSpace(in.SourceRef) == "" {
			in.SourceRef = in.Draft
		}
		if !slices.Contains(ClerkChannels, in.Channel) {
			return in, "", fieldErr("channel", "请选择来件渠道（电话、电子邮件、微信或来访）")
		}
		if strings.TrimSpace(in.ReporterName) == "" {
			return in, "anonymous", nil
		}
		return in, "named", nil
	}
	return in, "", errs.New(errs.Forbidden, "complaint_file_forbidden", "投诉举报由参保人、参保单位网上提交，或由审计科、办公室登记")
}

// keyed is an API filing's idempotency key; replayed is set when a
// concurrent request with the key committed first.
type keyed struct {
	key, keyHash, hash string
	replayed           *Filed
}

// errReplayed rolls back a filing whose key another request took.
var errReplayed error = errs.New(errs.Conflict, "idempotent_replay", "重复提交")

// requestOf is what identifies a filing's request (attachments aside).
func requestOf(in Input) any {
	return []string{in.Category, in.Channel, in.Subject, in.Body, in.ReporterName, in.ReporterContact, in.TargetName,
		in.TargetEmployer, in.TargetIDNumber, in.SourceRef, in.Draft}
}

func (s *Service) file(ctx context.Context, a *access.Actor, in Input, reporterKind string, k *keyed) (*Filed, error) {
	c, err := s.check(ctx, a, in, reporterKind)
	if err != nil {
		return nil, err
	}
	docs, err := s.store(ctx, a, in.Attachments)
	if err != nil {
		return nil, err
	}
	code, hash := "", ""
	if reporterKind == "anonymous" {
		code = NewTrackingCode()
		hash = TrackingHash(code)
	}
	var filed *Filed
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if k != nil {
			if ok, err := claimKey(ctx, tx, k.keyHash, k.hash, c.FiledAt); err != nil || !ok {
				if err == nil {
					k.replayed, err = replay(ctx, tx, k)
				}
				return cmp.Or(err, errReplayed)
			}
		}
		if err := insert(ctx, tx, c, hash); err != nil {
			return err
		}
		fromDraft, err := s.closeDraft(ctx, tx, a, in.Draft, c)
		if err != nil {
			return err
		}
		filed = &Filed{ID: c.ID, No: c.No, TrackingCode: code, AcknowledgeDue: c.AcknowledgeDue, AnswerDue: c.AnswerDue}
		if k != nil {
			if err := keepAnswer(ctx, tx, k.keyHash, c.ID, sealFiled(k.key, filed)); err != nil {
				return err
			}
		}
		return s.insertFiled(ctx, tx, a, c, docs, in.Draft, fromDraft)
	})
	if err != nil {
		return nil, err
	}
	return filed, nil
}

func sealFiled(key string, f *Filed) string {
	b, _ := json.Marshal(f)
	return idempotency.Seal(key, b)
}

// replay returns the first answer to a request with the key; nil when the
// key is new.
func replay(ctx context.Context, q db.Querier, k *keyed) (*Filed, error) {
	stored, sealed, err := requestByKey(ctx, q, k.keyHash)
	if err != nil || stored == "" {
		return nil, err
	}
	if err := idempotency.Check(stored, k.hash, "投诉举报"); err != nil {
		return nil, err
	}
	b, err := idempotency.Open(k.key, sealed)
	if err != nil {
		return nil, err
	}
	var f Filed
	return &f, errs.Wrap(json.Unmarshal(b, &f), "complaint answer")
}

// closeDraft closes the mail draft the complaint is recorded from (none:
// nothing) and returns its attachments, which become the complaint's.
func (s *Service) closeDraft(ctx context.Context, tx *sql.Tx, a *access.Actor, draft string, c *Complaint) ([]int64, error) {
	draft = strings.TrimSpace(draft)
	if draft == "" {
		return nil, nil
	}
	return s.drafts.CloseDraftTx(ctx, tx, a, draft, "已转为投诉举报登记", "投诉举报编号 "+c.No+"，请在“投诉举报”中办理")
}

// insertFiled writes the filing's events and audit entry: the reporter's
// attachments and those of the mail draft it was recorded from.
func (s *Service) insertFiled(ctx context.Context, tx *sql.Tx, a *access.Actor, c *Complaint, docs []int64, draft string,
	fromDraft []int64) error {
	if err := insertEvent(ctx, tx, Event{ComplaintID: c.ID, At: c.FiledAt, ActorID: c.FiledBy, Kind: "filed",
		Text: "已收到，编号 " + c.No, Public: true}); err != nil {
		return err
	}
	for _, d := range docs {
		if err := insertEvent(ctx, tx, Event{ComplaintID: c.ID, At: c.FiledAt, ActorID: c.FiledBy, Kind: "document",
			Text: "投诉举报人提交的材料", DocumentID: d, Public: true}); err != nil {
			return err
		}
	}
	for _, d := range fromDraft {
		if err := insertEvent(ctx, tx, Event{ComplaintID: c.ID, At: c.FiledAt, ActorID: c.FiledBy, Kind: "document",
			Text: "来件 " + draft + " 所附材料", DocumentID: d, Public: true}); err != nil {
			return err
		}
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "complaint.file", Entity: "complaint", EntityID: c.No,
		After: map[string]any{"category": c.Category, "channel": c.Channel, "reporter": c.ReporterKind,
			"documents": len(docs) + len(fromDraft), "draft": draft}})
}

// check validates the input and builds the row with its deadlines.
func (s *Service) check(ctx context.Context, a *access.Actor, in Input, reporterKind string) (*Complaint, error) {
	var f errs.Fields
	if !slices.Contains(Categories, in.Category) {
		f.Add("category", "请选择投诉举报类别")
	}
	subject, body := strings.TrimSpace(in.Subject), strings.TrimSpace(in.Body)
	if subject == "" || utf8.RuneCountInString(subject) > MaxSubject {
		f.Add("subject", fmt.Sprintf("请填写标题（%d 字以内）", MaxSubject))
	}
	if utf8.RuneCountInString(body) < 10 || utf8.RuneCountInString(body) > MaxBody {
		f.Add("body", fmt.Sprintf("请写明投诉举报的事实（10 至 %d 字）", MaxBody))
	}
	if utf8.RuneCountInString(in.TargetName) > 100 {
		f.Add("target_name", "被投诉举报的单位或个人名称不超过 100 字")
	}
	if utf8.RuneCountInString(in.ReporterName) > 50 || utf8.RuneCountInString(in.ReporterContact) > 100 {
		f.Add("reporter_name", "投诉举报人姓名不超过 50 字，联系方式不超过 100 字")
	}
	if len(in.Attachments) > MaxAttachments {
		f.Add("attachments", fmt.Sprintf("最多上传 %d 个附件", MaxAttachments))
	}
	c := &Complaint{Category: in.Category, Channel: in.Channel, Status: Received, Subject: subject, Body: body,
		ReporterKind: reporterKind, ReporterName: strings.TrimSpace(in.ReporterName),
		ReporterContact: strings.TrimSpace(in.ReporterContact), TargetName: strings.TrimSpace(in.TargetName),
		SourceRef: strings.TrimSpace(in.SourceRef), Section: access.Audit, FiledAt: s.now()}
	if a != nil {
		c.FiledBy = a.UserID
		if reporterKind == "person" || reporterKind == "employer" {
			c.ReporterUserID = a.UserID
		}
	}
	s.target(ctx, &f, c, strings.TrimSpace(in.TargetEmployer), strings.TrimSpace(in.TargetIDNumber))
	if err := f.Err(); err != nil {
		return nil, err
	}
	return c, s.deadlines(ctx, c)
}

// target links the reported employer or person when a number is given.
func (s *Service) target(ctx context.Context, f *errs.Fields, c *Complaint, employerNo, idNumber string) {
	q := s.db.Read()
	if employerNo != "" {
		var name string
		err := q.QueryRowContext(ctx, `SELECT id, name FROM employers WHERE employer_no = $1`, employerNo).Scan(&c.TargetEmployerID, &name)
		if err != nil {
			f.Add("target_employer", "未找到该单位编号，请核对；不知道编号可只填写单位名称")
		} else if c.TargetName == "" {
			c.TargetName = name
		}
	}
	if idNumber != "" {
		id, err := ident.ParseID(idNumber)
		if err != nil {
			f.Add("target_id_number", "公民身份号码格式不正确（18 位），不知道可不填")
			return
		}
		idNumber = id.Number
		var name string
		if err := q.QueryRowContext(ctx, `SELECT id, name FROM persons WHERE id_number = $1`, idNumber).Scan(&c.TargetPersonID, &name); err == nil && c.TargetName == "" {
			c.TargetName = name
		}
	}
}

// deadlines sets the acknowledgement and answer deadlines from the dated
// rules in force on the filing day, in working days (docs/rules.md
// "Complaints: deadlines").
func (s *Service) deadlines(ctx context.Context, c *Complaint) error {
	day := clock.DateOf(c.FiledAt)
	ackN, ackBasis := s.days(ctx, policy.KeyComplaintAckDays, day, DefaultAckDays)
	ansN, ansBasis := s.days(ctx, policy.KeyComplaintAnswerDays, day, DefaultAnswerDays)
	ack, err := s.policy.AddWorkingDays(ctx, day, ackN)
	if err != nil {
		return err
	}
	ans, err := s.policy.AddWorkingDays(ctx, day, ansN)
	if err != nil {
		return err
	}
	c.AcknowledgeDue, c.AnswerDue = ack.Format(time.DateOnly), ans.Format(time.DateOnly)
	c.DueBasis = fmt.Sprintf("自 %s 起 %d 个工作日内受理（%s），%d 个工作日内答复（%s）", day.Format(time.DateOnly), ackN, ackBasis, ansN, ansBasis)
	return nil
}

func (s *Service) days(ctx context.Context, key string, day time.Time, def int) (int, string) {
	n, rule, err := s.policy.Int(ctx, key, "", day)
	if err != nil || n <= 0 {
		return def, "本机构默认时限"
	}
	return int(n), rule.LegalBasis
}

// store keeps the attachments; anything but an image or a PDF is refused
// by its bytes. Errors: Invalid naming the file.
func (s *Service) store(ctx context.Context, a *access.Actor, ups []Upload) ([]int64, error) {
	var ids []int64
	for _, u := range ups {
		d, err := s.docs.Put(ctx, a, u.Name, u.Data)
		if err != nil {
			if errs.KindOf(err) == errs.Invalid {
				return nil, fieldErr("attachments", "附件“"+clean(u.Name)+"”："+errs.As(err).Message)
			}
			return nil, err
		}
		ids = append(ids, d.ID)
	}
	return ids, nil
}

func clean(name string) string {
	if utf8.RuneCountInString(name) > 40 {
		return string([]rune(name)[:40]) + "…"
	}
	return name
}

var trackingEnc = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTrackingCode returns a fresh tracking code: 100 random bits as 20
// letters and digits in groups of four (docs/rules.md "Complaints:
// anonymous filing").
func NewTrackingCode() string {
	b := make([]byte, 13)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	s := trackingEnc.EncodeToString(b)[:20]
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20]
}

// NormalizeTrackingCode removes spaces and dashes and upper-cases; "" when
// it cannot be a code.
func NormalizeTrackingCode(code string) string {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "", "\t", "").Replace(code))
	if len(c) != 20 {
		return ""
	}
	for _, r := range c {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return ""
		}
	}
	return c
}

// TrackingHash is what is stored of a code.
func TrackingHash(code string) string {
	sum := sha256.Sum256([]byte("complaint-tracking\x00" + NormalizeTrackingCode(code)))
	return hex.EncodeToString(sum[:])
}

var _ db.Querier = (*sql.Tx)(nil)
