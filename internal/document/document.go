// Package document stores uploaded scans, photos and mail attachments:
// content-addressed files with checksums verified on read, never lost or
// overwritten. The folder store is the default; the Blobs interface lets a
// deployment with several servers use an S3-compatible object store.
package document

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// DefaultMaxSize is the largest file Put accepts unless Options.MaxSize says otherwise.
const DefaultMaxSize = 10 << 20

// Document is the record of one stored file.
type Document struct {
	ID          int64
	SHA256      string // hex; the content address
	Name        string // the uploader's file name, cleaned (no path)
	ContentType string // sniffed from the content: image/jpeg, image/png, application/pdf
	Size        int64
	UploadedBy  int64 // user id, 0 for mail intake
	CreatedAt   time.Time
}

// Store keeps documents: rows in the documents table, content in Blobs.
type Store struct {
	db      *db.DB
	clock   clock.Clock
	dir     string
	blobs   Blobs
	maxSize int64
	log     *slog.Logger
	audit   *audit.Service
}

// Options are what a Store needs besides the database and the clock; only
// Dir is required.
type Options struct {
	Dir     string         // the folder of the content (content-addressed, see Folder)
	Blobs   Blobs          // another blob store (e.g. S3-compatible); nil: the folder Dir
	MaxSize int64          // the largest accepted file in bytes; 0: DefaultMaxSize
	Log     *slog.Logger   // where corruption is reported; nil: slog.Default()
	Audit   *audit.Service // when set, Put records each stored document
}

// NewStore returns a store keeping files under dir, with no audit and the
// default logger and size limit.
func NewStore(d *db.DB, c clock.Clock, dir string) *Store { return New(d, c, Options{Dir: dir}) }

// New returns a store with the options o.
func New(d *db.DB, c clock.Clock, o Options) *Store {
	s := &Store{db: d, clock: c, dir: o.Dir, blobs: o.Blobs, maxSize: o.MaxSize, log: o.Log, audit: o.Audit}
	if s.blobs == nil {
		s.blobs = NewFolder(o.Dir)
	}
	if s.maxSize <= 0 {
		s.maxSize = DefaultMaxSize
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// MaxSize returns the largest accepted file in bytes.
func (s *Store) MaxSize() int64 { return s.maxSize }

// Put checks and stores the content of r under name and records it.
// The content is streamed to a temp file while it is hashed and measured,
// so memory use does not grow with the file. Errors: Invalid (empty, too
// large, type not allowed — checked by content).
func (s *Store) Put(ctx context.Context, a *access.Actor, name string, r io.Reader) (*Document, error) {
	return s.put(ctx, a, name, "", r)
}

// PutTyped stores content the caller has already identified by its bytes
// as contentType (e.g. an Excel workbook it opened through internal/sheet,
// or a page Shebao generated itself). The size checks of Put apply; the
// type is not sniffed again. Errors: Invalid (empty, too large, no type).
func (s *Store) PutTyped(ctx context.Context, a *access.Actor, name, contentType string, r io.Reader) (*Document, error) {
	if contentType == "" {
		return nil, errs.New(errs.Invalid, "document_type", "无法识别文件类型")
	}
	return s.put(ctx, a, name, contentType, r)
}

func (s *Store) put(ctx context.Context, a *access.Actor, name, contentType string, r io.Reader) (*Document, error) {
	tmp, err := s.tempFile()
	if err != nil {
		return nil, errs.Wrap(err, "document temp file")
	}
	defer os.Remove(tmp.Name()) // gone already when adopted by rename
	h := sha256.New()
	var head sniffBuf
	n, err := io.Copy(io.MultiWriter(tmp, h, &head), io.LimitReader(r, s.maxSize+1))
	if err != nil {
		tmp.Close()
		return nil, errs.New(errs.Invalid, "document_read", "文件上传中断，请重新上传")
	}
	if contentType == "" {
		contentType = sniff(head.b)
	}
	if err := s.check(n, contentType); err != nil {
		tmp.Close()
		return nil, err
	}
	doc := &Document{
		SHA256: hex.EncodeToString(h.Sum(nil)), Name: CleanName(name), ContentType: contentType,
		Size: n, CreatedAt: s.clock.Now(),
	}
	if a != nil {
		doc.UploadedBy = a.UserID
	}
	if err := s.keep(ctx, tmp, doc.SHA256); err != nil {
		return nil, errs.Wrap(err, "document store")
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO documents (sha256, name, content_type, size, uploaded_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			doc.SHA256, doc.Name, doc.ContentType, doc.Size, doc.UploadedBy, doc.CreatedAt).Scan(&doc.ID); err != nil {
			return errs.Wrap(err, "insert document")
		}
		if s.audit == nil {
			return nil
		}
		return s.audit.Record(ctx, tx, actorOrSystem(a), audit.Entry{
			Action: "document.put", Entity: "document", EntityID: fmt.Sprint(doc.ID),
			After: map[string]any{"sha256": doc.SHA256, "name": doc.Name, "content_type": doc.ContentType, "size": doc.Size},
		})
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

func actorOrSystem(a *access.Actor) *access.Actor {
	if a == nil {
		return access.System
	}
	return a
}

// check refuses empty, oversized and disallowed content.
func (s *Store) check(n int64, contentType string) error {
	switch {
	case n == 0:
		return errs.New(errs.Invalid, "document_empty", "文件是空的（0 字节），请重新选择文件")
	case n > s.maxSize:
		return errs.New(errs.Invalid, "document_too_large",
			fmt.Sprintf("文件超过 %d MB 的上限，请压缩或分成几份上传", s.maxSize>>20))
	case contentType == "":
		return errs.New(errs.Invalid, "document_type", "文件内容不是 JPEG/PNG/PDF，请上传扫描件或照片")
	}
	return nil
}

// tempFile opens the spool file in the store's folder.
func (s *Store) tempFile() (*os.File, error) {
	if f, ok := s.blobs.(*Folder); ok {
		return f.tempFile()
	}
	dir := filepath.Join(s.dir, "tmp")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return os.CreateTemp(dir, "put-*")
}

// keep hands the spooled, hashed file to the blob store: the folder adopts
// it with a rename; another store reads it back.
func (s *Store) keep(ctx context.Context, tmp *os.File, sha string) error {
	if f, ok := s.blobs.(*Folder); ok {
		return f.commit(tmp, sha)
	}
	defer tmp.Close()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return s.blobs.Put(ctx, sha, tmp)
}

// Get returns the record of document id. Errors: NotFound.
func (s *Store) Get(ctx context.Context, id int64) (*Document, error) {
	d := &Document{ID: id}
	err := s.db.Read().QueryRowContext(ctx, `SELECT sha256, name, content_type, size, uploaded_by, created_at
		FROM documents WHERE id = $1`, id).
		Scan(&d.SHA256, &d.Name, &d.ContentType, &d.Size, &d.UploadedBy, &d.CreatedAt)
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("文件不存在")
	}
	if err != nil {
		return nil, errs.Wrap(err, "get document")
	}
	return d, nil
}

// Open returns the content of document id, verifying its checksum.
//
// Verification strategy: when the blob is seekable (the folder store), the
// whole file is hashed BEFORE anything is returned, so a corrupted file is
// never served (a browser would otherwise get a truncated response with a
// 200 status). For other stores the reader verifies as it streams and
// returns ErrCorrupt instead of io.EOF on a mismatch. Either way corruption
// is logged at ERROR level and reported as an Internal error. Open does not
// check who may see the document: the caller (e.g. casework) does.
func (s *Store) Open(ctx context.Context, id int64) (io.ReadCloser, *Document, error) {
	d, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.blobs.Get(ctx, d.SHA256)
	if errors.Is(err, ErrNoBlob) {
		s.corrupt(d, "content missing")
		return nil, nil, errs.Wrap(ErrCorrupt, "document content missing")
	}
	if err != nil {
		return nil, nil, errs.Wrap(err, "open document")
	}
	seeker, ok := rc.(io.ReadSeeker)
	if !ok {
		return &verifyingReader{r: rc, h: sha256.New(), want: d.SHA256, bad: func() { s.corrupt(d, "checksum mismatch") }}, d, nil
	}
	h := sha256.New()
	n, err := io.Copy(h, seeker)
	if err == nil && (hex.EncodeToString(h.Sum(nil)) != d.SHA256 || n != d.Size) {
		err = ErrCorrupt
		s.corrupt(d, "checksum mismatch")
	}
	if err == nil {
		_, err = seeker.Seek(0, io.SeekStart)
	}
	if err != nil {
		rc.Close()
		return nil, nil, errs.Wrap(err, "verify document")
	}
	return rc, d, nil
}

// corrupt logs a damaged or missing blob loudly: it needs an operator.
func (s *Store) corrupt(d *Document, what string) {
	s.log.Error("DOCUMENT CORRUPTED: restore the file from backup", "what", what,
		"document_id", d.ID, "sha256", d.SHA256, "size", d.Size)
}
