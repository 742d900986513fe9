package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Blobs keeps content by its SHA-256 (lower-case hex). Put never replaces
// existing content: storing the same bytes twice keeps one copy. The folder
// implementation is the default; an S3-compatible object store can
// implement the same two methods for deployments with several servers (see
// docs/decisions/0006-documents.md).
type Blobs interface {
	// Put stores the content of r under sha. It must fail, storing
	// nothing, if the content's SHA-256 is not sha.
	Put(ctx context.Context, sha string, r io.Reader) error
	// Get returns the stored content of sha; ErrNoBlob if there is none.
	// Callers verify the checksum (Store.Open does).
	Get(ctx context.Context, sha string) (io.ReadCloser, error)
}

// ErrNoBlob is returned by Get for content that is not stored.
var ErrNoBlob = errors.New("document: blob not found")

// Folder stores blobs as files dir/ab/cdef… (the first two hex digits name
// a subfolder). Files are written to dir/tmp, fsynced, then renamed into
// place, so a crash never leaves a partial file under a content address.
type Folder struct {
	Dir string
}

// NewFolder returns the folder blob store rooted at dir.
func NewFolder(dir string) *Folder { return &Folder{Dir: dir} }

// ValidSHA reports whether s is 64 lower-case hex digits.
func ValidSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Path returns the file that holds sha.
func (f *Folder) Path(sha string) string { return filepath.Join(f.Dir, sha[:2], sha[2:]) }

// Put implements Blobs.
func (f *Folder) Put(ctx context.Context, sha string, r io.Reader) error {
	if !ValidSHA(sha) {
		return fmt.Errorf("document: bad sha %q", sha)
	}
	if _, err := os.Stat(f.Path(sha)); err == nil {
		return nil // same content already stored
	}
	tmp, err := f.tempFile()
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil && hex.EncodeToString(h.Sum(nil)) != sha {
		err = fmt.Errorf("document: content does not match sha %s", sha)
	}
	if err != nil {
		tmp.Close()
		return err
	}
	return f.commit(tmp, sha)
}

// Get implements Blobs. The returned file is an *os.File (seekable).
func (f *Folder) Get(ctx context.Context, sha string) (io.ReadCloser, error) {
	if !ValidSHA(sha) {
		return nil, ErrNoBlob
	}
	file, err := os.Open(f.Path(sha))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoBlob
	}
	return file, err
}

// tempFile opens a new file in dir/tmp (same file system as the blobs, so
// the final rename is atomic).
func (f *Folder) tempFile() (*os.File, error) {
	tmpDir := filepath.Join(f.Dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return nil, fmt.Errorf("document: create folder: %w", err)
	}
	return os.CreateTemp(tmpDir, "put-*")
}

// commit fsyncs and closes tmp and renames it to the content address,
// unless that content is already there. tmp's content must hash to sha.
func (f *Folder) commit(tmp *os.File, sha string) error {
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("document: fsync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	final := f.Path(sha)
	if _, err := os.Stat(final); err == nil {
		return os.Remove(tmp.Name())
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return fmt.Errorf("document: create folder: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o440); err != nil {
		return err
	}
	// Rename replaces atomically; a concurrent writer of the same sha
	// wrote identical bytes, so either file is correct.
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("document: store: %w", err)
	}
	return syncDir(filepath.Dir(final))
}

// syncDir makes a rename durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !strings.Contains(err.Error(), "invalid argument") {
		return fmt.Errorf("document: fsync folder: %w", err)
	}
	return nil
}

// verifyingReader hashes what is read and, at EOF, returns an error instead
// of io.EOF if the content does not match want.
type verifyingReader struct {
	r    io.ReadCloser
	h    hashWriter
	want string
	bad  func()
}

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(v.h.Sum(nil)) != v.want {
		v.bad()
		return n, ErrCorrupt
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.r.Close() }

// ErrCorrupt reports stored content whose checksum no longer matches.
var ErrCorrupt = errors.New("document: stored content does not match its checksum")
