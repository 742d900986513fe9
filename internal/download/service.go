package download

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/document"
	"shebao/internal/errs"
	"shebao/internal/sheet"
)

// MaxFileBytes is the largest file 办公室 may publish.
const MaxFileBytes = 10 << 20

// Status of a download.
type Status string

// Statuses.
const (
	Active  Status = "active"
	Retired Status = "retired"
)

var statusNames = map[Status]string{Active: "提供中", Retired: "已停止提供"}

// Name is the Chinese label.
func (s Status) Name() string { return statusNames[s] }

// Item is a download 办公室 keeps (or Shebao publishes, Key set).
type Item struct {
	ID        int64
	Title     string
	Note      string
	Audiences []Audience
	NoticeID  int64 // the notice it is attached to, 0 for none
	Status    Status
	Key       string // e.g. "manual-employer" for a generated manual
	UpdatedAt time.Time
	Version   int64
	// Versions, newest first (filled by the service's readers).
	Versions []Version
}

// Current is the newest version (nil when there is none).
func (it *Item) Current() *Version {
	if len(it.Versions) == 0 {
		return nil
	}
	return &it.Versions[0]
}

// For reports whether the item is for audience a.
func (it *Item) For(a Audience) bool {
	for _, x := range it.Audiences {
		if x == a {
			return true
		}
	}
	return false
}

// AudienceNames lists the audiences in Chinese.
func (it *Item) AudienceNames() string {
	var s []string
	for _, a := range it.Audiences {
		s = append(s, a.Name())
	}
	return strings.Join(s, "、")
}

// Version is one file of a download.
type Version struct {
	ID            int64
	DownloadID    int64
	Label         string // e.g. 2024版
	IssuedOn      string // YYYY-MM-DD
	DocumentID    int64
	WebDocumentID int64  // the web version (manuals), 0 for none
	SourceHash    string // the manual source the files were generated from
	CreatedBy     int64
	CreatedAt     time.Time
	// Kind is the file's type in Chinese (PDF, Excel, 图片), filled by readers.
	Kind string
}

// Input is the form to add a download or a new version of it.
type Input struct {
	Title     string
	Note      string
	Audiences []Audience
	Notice    string // the notice number it is attached to, "" for none
	Label     string // the version
	IssuedOn  string // YYYY-MM-DD, today when empty

	noticeID int64
}

func (in *Input) validateVersion(today string, f *errs.Fields) {
	in.Label = strings.TrimSpace(in.Label)
	if n := utf8.RuneCountInString(in.Label); n == 0 || n > 20 {
		f.Add("label", "请填写版本（不超过 20 个字，例如 2024版、V1.1）")
	}
	in.IssuedOn = strings.TrimSpace(in.IssuedOn)
	if in.IssuedOn == "" {
		in.IssuedOn = today
	}
	if _, err := clock.ParseDate(in.IssuedOn); err != nil {
		f.Add("issued_on", "请按 2024-03-31 的格式填写发布日期")
	}
}

func (in *Input) validate(today string) error {
	var f errs.Fields
	in.Title = strings.TrimSpace(in.Title)
	in.Note = strings.TrimSpace(in.Note)
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > 80 {
		f.Add("title", "请填写名称（不超过 80 个字）")
	}
	if utf8.RuneCountInString(in.Note) > 300 {
		f.Add("note", "说明不能超过 300 个字")
	}
	seen := map[Audience]bool{}
	var aud []Audience
	for _, a := range in.Audiences {
		if a.Valid() && !seen[a] {
			seen[a] = true
			aud = append(aud, a)
		}
	}
	in.Audiences = aud
	if len(aud) == 0 {
		f.Add("audiences", "请至少选择一类使用者（用人单位、个人或医院银行）")
	}
	in.noticeID = 0
	if s := strings.TrimSpace(in.Notice); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			f.Add("notice", "所属公告请填写公告编号（数字），或留空")
		}
		in.noticeID = n
	}
	in.validateVersion(today, &f)
	return f.Err()
}

// File is an uploaded file.
type File struct {
	Name string
	Data []byte
}

// Kind names the type of the file in Chinese for lists.
func Kind(contentType string) string {
	switch {
	case contentType == "application/pdf":
		return "PDF"
	case contentType == xlsxType:
		return "Excel"
	case strings.HasPrefix(contentType, "image/"):
		return "图片"
	case strings.HasPrefix(contentType, "text/html"):
		return "网页"
	}
	return "文件"
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Sniff returns the content type of an upload by its bytes — PDF, an
// Excel workbook (.xlsx, opened through internal/sheet), JPEG or PNG —
// or a field error saying what is accepted. The file's name plays no part.
func Sniff(data []byte) (string, error) {
	var f errs.Fields
	switch {
	case len(data) == 0:
		f.Add("file", "文件是空的（0 字节），请重新选择文件")
		return "", f.Err()
	case len(data) > MaxFileBytes:
		f.Add("file", fmt.Sprintf("文件超过 %d MB 的上限", MaxFileBytes>>20))
		return "", f.Err()
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf", nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		b, err := sheet.Open(data, sheet.Limits{MaxFileBytes: MaxFileBytes})
		if err != nil {
			f.Add("file", "文件不是可以打开的 Excel 工作簿（.xlsx）："+errs.As(err).Message)
			return "", f.Err()
		}
		b.Close()
		return xlsxType, nil
	}
	if ct := http.DetectContentType(data); ct == "image/png" || ct == "image/jpeg" {
		return ct, nil
	}
	f.Add("file", "只能上传 PDF、Excel 工作簿（.xlsx）或 JPEG、PNG 图片；这个文件的内容不是其中任何一种（与文件名无关）")
	return "", f.Err()
}

// Service keeps the downloads.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service
	docs  *document.Store
}

// NewService returns the service.
func NewService(d *db.DB, c clock.Clock, a *audit.Service, docs *document.Store) *Service {
	return &Service{db: d, clock: c, audit: a, docs: docs}
}

func (s *Service) today() string { return clock.Today(s.clock).Format("2006-01-02") }

func duplicateVersion(title, label string) error {
	var f errs.Fields
	f.Add("label", fmt.Sprintf("《%s》已有版本“%s”，同一名称和版本不能发布两次；请填写新的版本号（已上传的文件未保存）", title, label))
	return f.Err()
}

func auditView(it *Item) map[string]any {
	return map[string]any{"title": it.Title, "audiences": joinAudiences(it.Audiences), "notice": it.NoticeID,
		"status": it.Status, "version": it.Version}
}

func versionView(v *Version, ct string) map[string]any {
	return map[string]any{"label": v.Label, "issued_on": v.IssuedOn, "document": v.DocumentID, "content_type": ct}
}

// store sniffs and keeps the uploaded file.
func (s *Service) store(ctx context.Context, a *access.Actor, file File) (*document.Document, error) {
	ct, err := Sniff(file.Data)
	if err != nil {
		return nil, err
	}
	return s.docs.PutTyped(ctx, a, file.Name, ct, bytes.NewReader(file.Data))
}

// Add publishes a new download with its first version. Only 办公室.
// A title already in use is refused (a new file for it is a replacement),
// as is the same title and version. Errors: Unauthenticated, Forbidden,
// Invalid.
func (s *Service) Add(ctx context.Context, a *access.Actor, in Input, file File) (*Item, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	if err := in.validate(s.today()); err != nil {
		return nil, err
	}
	if err := s.checkFree(ctx, in.Title, in.Label); err != nil {
		return nil, err
	}
	doc, err := s.store(ctx, a, file)
	if err != nil {
		return nil, err
	}
	var out *Item
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkNotice(ctx, tx, in.noticeID); err != nil {
			return err
		}
		id, err := insertItem(ctx, tx, &in, "", s.clock.Now())
		if db.IsUniqueViolation(err) {
			return s.checkFree(ctx, in.Title, in.Label)
		}
		if err != nil {
			return err
		}
		v := &Version{Label: in.Label, IssuedOn: in.IssuedOn, DocumentID: doc.ID, CreatedBy: a.UserID, CreatedAt: s.clock.Now()}
		if v.ID, err = insertVersion(ctx, tx, id, v); err != nil {
			return err
		}
		if out, err = itemByID(ctx, tx, id); err != nil {
			return err
		}
		after := auditView(out)
		after["file"] = versionView(v, doc.ContentType)
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "download.add", Entity: "downloads",
			EntityID: strconv.FormatInt(id, 10), After: after})
	})
	return out, err
}

// checkFree refuses a title in use, naming what to do.
func (s *Service) checkFree(ctx context.Context, title, label string) error {
	id, err := itemIDByTitle(ctx, s.db.Read(), title)
	if err != nil || id == 0 {
		return err
	}
	taken, err := labelTaken(ctx, s.db.Read(), id, label)
	if err != nil {
		return err
	}
	if taken {
		return duplicateVersion(title, label)
	}
	var f errs.Fields
	f.Add("title", fmt.Sprintf("已有名为《%s》的下载；要发布它的新版本，请在该下载的页面选择“替换为新版本”", title))
	return f.Err()
}

func (s *Service) checkNotice(ctx context.Context, tx *sql.Tx, id int64) error {
	if id == 0 {
		return nil
	}
	ok, err := noticeExists(ctx, tx, id)
	if err != nil || ok {
		return err
	}
	var f errs.Fields
	f.Add("notice", fmt.Sprintf("没有编号为 %d 的公告，请核对", id))
	return f.Err()
}

// Replace publishes a new version of download id (version is the one the
// page showed); the older versions stay reachable and say they were
// superseded. A retired download is offered again. Only 办公室.
// Errors: Forbidden, NotFound, Invalid (same version), Conflict (stale).
func (s *Service) Replace(ctx context.Context, a *access.Actor, id, version int64, in Input, file File) (*Item, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	var f errs.Fields
	in.validateVersion(s.today(), &f)
	if err := f.Err(); err != nil {
		return nil, err
	}
	before, err := itemByID(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	if taken, err := labelTaken(ctx, s.db.Read(), id, in.Label); err != nil || taken {
		if err == nil {
			err = duplicateVersion(before.Title, in.Label)
		}
		return nil, err
	}
	doc, err := s.store(ctx, a, file)
	if err != nil {
		return nil, err
	}
	v := &Version{Label: in.Label, IssuedOn: in.IssuedOn, DocumentID: doc.ID, CreatedBy: a.UserID, CreatedAt: s.clock.Now()}
	return s.change(ctx, a, id, "download.replace", func(tx *sql.Tx, before *Item) error {
		if err := touch(ctx, tx, id, version, s.clock.Now(), Active); err != nil {
			return err
		}
		_, err := insertVersion(ctx, tx, id, v)
		if db.IsUniqueViolation(err) {
			return duplicateVersion(before.Title, in.Label)
		}
		return err
	}, versionView(v, doc.ContentType))
}

// Retire stops offering download id on the download pages; its links
// still work and say so. Only 办公室.
// Errors: Forbidden, NotFound, Conflict (already retired, stale).
func (s *Service) Retire(ctx context.Context, a *access.Actor, id, version int64) (*Item, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, "download.retire", func(tx *sql.Tx, before *Item) error {
		if before.Status == Retired {
			return errs.New(errs.Conflict, "already_retired", "这个下载已停止提供")
		}
		return touch(ctx, tx, id, version, s.clock.Now(), Retired)
	}, nil)
}

func (s *Service) change(ctx context.Context, a *access.Actor, id int64, action string,
	fn func(tx *sql.Tx, before *Item) error, file map[string]any) (*Item, error) {
	var out *Item
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		before, err := itemByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(tx, before); err != nil {
			return err
		}
		if out, err = itemByID(ctx, tx, id); err != nil {
			return err
		}
		after := auditView(out)
		if file != nil {
			after["file"] = file
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: action, Entity: "downloads",
			EntityID: strconv.FormatInt(id, 10), Before: auditView(before), After: after})
	})
	return out, err
}

// Generated is a file Shebao made itself (a manual): its PDF and web page.
type Generated struct {
	Key, Title, Note string
	Audiences        []Audience
	Label, IssuedOn  string
	SourceHash       string
	PDF, HTML        []byte
}

// Publish stores a generated manual as a new version of the download
// named by its key (created on first use). Publishing the same version
// label again is refused like any duplicate. Only 办公室 (or the system,
// for the command line).
func (s *Service) Publish(ctx context.Context, a *access.Actor, g Generated) (*Item, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	in := Input{Title: g.Title, Note: g.Note, Audiences: g.Audiences, Label: g.Label, IssuedOn: g.IssuedOn}
	if err := in.validate(s.today()); err != nil {
		return nil, err
	}
	id, err := itemIDByKey(ctx, s.db.Read(), g.Key)
	if err != nil {
		return nil, err
	}
	if id != 0 {
		if taken, err := labelTaken(ctx, s.db.Read(), id, in.Label); err != nil || taken {
			if err == nil {
				err = duplicateVersion(g.Title, in.Label)
			}
			return nil, err
		}
	}
	name := g.Title + " " + g.Label
	pdf, err := s.docs.PutTyped(ctx, a, name+".pdf", "application/pdf", bytes.NewReader(g.PDF))
	if err != nil {
		return nil, err
	}
	page, err := s.docs.PutTyped(ctx, a, name+".html", "text/html; charset=utf-8", bytes.NewReader(g.HTML))
	if err != nil {
		return nil, err
	}
	var out *Item
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if id == 0 {
			if id, err = insertItem(ctx, tx, &in, g.Key, s.clock.Now()); err != nil {
				return err
			}
		}
		v := &Version{Label: in.Label, IssuedOn: in.IssuedOn, DocumentID: pdf.ID, WebDocumentID: page.ID,
			SourceHash: g.SourceHash, CreatedBy: a.UserID, CreatedAt: s.clock.Now()}
		if _, err := insertVersion(ctx, tx, id, v); err != nil {
			if db.IsUniqueViolation(err) {
				return duplicateVersion(g.Title, in.Label)
			}
			return err
		}
		if out, err = itemByID(ctx, tx, id); err != nil {
			return err
		}
		after := auditView(out)
		after["file"] = versionView(v, "application/pdf")
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "download.publish", Entity: "downloads",
			EntityID: strconv.FormatInt(id, 10), After: after})
	})
	return out, err
}

// withVersions fills the items' versions and their kinds.
func (s *Service) withVersions(ctx context.Context, items []Item) ([]Item, error) {
	if len(items) == 0 {
		return items, nil
	}
	ids := make([]string, len(items))
	at := map[int64]int{}
	for i, it := range items {
		ids[i] = strconv.FormatInt(it.ID, 10)
		at[it.ID] = i
	}
	vs, err := versionsOf(ctx, s.db.Read(), "v.download_id IN ("+strings.Join(ids, ",")+")")
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		i := at[v.DownloadID]
		items[i].Versions = append(items[i].Versions, v)
	}
	return items, nil
}

// Offered lists the downloads offered to audience a ("" for all), with
// their versions.
func (s *Service) Offered(ctx context.Context, a Audience) ([]Item, error) {
	items, err := listItems(ctx, s.db.Read(), `status = 'active'`)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, it := range items {
		if a == "" || it.For(a) {
			out = append(out, it)
		}
	}
	return s.withVersions(ctx, out)
}

// Attachments lists the downloads attached to notice id (retired ones
// left out).
func (s *Service) Attachments(ctx context.Context, noticeID int64) ([]Item, error) {
	items, err := listItems(ctx, s.db.Read(), `status = 'active' AND notice_id = $1`, noticeID)
	if err != nil {
		return nil, err
	}
	return s.withVersions(ctx, items)
}

// All lists every download for 办公室, retired ones too.
func (s *Service) All(ctx context.Context, a *access.Actor) ([]Item, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	items, err := listItems(ctx, s.db.Read(), `1 = 1`)
	if err != nil {
		return nil, err
	}
	return s.withVersions(ctx, items)
}

// Get returns download id with its versions (public: retired downloads
// too, so old links keep working).
func (s *Service) Get(ctx context.Context, id int64) (*Item, error) {
	it, err := itemByID(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	items, err := s.withVersions(ctx, []Item{*it})
	if err != nil {
		return nil, err
	}
	return &items[0], nil
}

// ByKey returns the download Shebao publishes under key (a manual), nil
// when it has not been published yet.
func (s *Service) ByKey(ctx context.Context, key string) (*Item, error) {
	id, err := itemIDByKey(ctx, s.db.Read(), key)
	if err != nil || id == 0 {
		return nil, err
	}
	return s.Get(ctx, id)
}

// VersionOf returns version vid of its download, with the download.
func (s *Service) VersionOf(ctx context.Context, vid int64) (*Item, *Version, error) {
	v, err := versionByID(ctx, s.db.Read(), vid)
	if err != nil {
		return nil, nil, err
	}
	it, err := s.Get(ctx, v.DownloadID)
	if err != nil {
		return nil, nil, err
	}
	for i := range it.Versions {
		if it.Versions[i].ID == vid {
			return it, &it.Versions[i], nil
		}
	}
	return nil, nil, errs.NotFoundf("没有这个文件版本")
}

// Open returns the content of a version's file (web: its web page).
func (s *Service) Open(ctx context.Context, v *Version, web bool) (io.ReadCloser, *document.Document, error) {
	id := v.DocumentID
	if web {
		if v.WebDocumentID == 0 {
			return nil, nil, errs.NotFoundf("这个版本没有网页版")
		}
		id = v.WebDocumentID
	}
	return s.docs.Open(ctx, id)
}
