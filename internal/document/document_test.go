package document_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/document"
	"shebao/internal/errs"
)

var (
	jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{7}, 2000)...)
	png  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 100)...)
	pdf  = []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
	exe  = append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
)

var clerk = &access.Actor{UserID: 7, Username: "clerk", Role: access.RoleStaff}

func newStore(t *testing.T, d *db.DB) (*document.Store, string) {
	return newStoreWith(t, d, document.Options{})
}

// newStoreWith returns a store with o, its Dir a fresh folder.
func newStoreWith(t *testing.T, d *db.DB, o document.Options) (*document.Store, string) {
	o.Dir = filepath.Join(t.TempDir(), "documents")
	return document.New(d, clock.NewFixed(time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC)), o), o.Dir
}

func TestPutOpenRoundTripAndDedup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, dir := newStore(t, d)
		cases := []struct {
			name, want string
			body       []byte
		}{{"photo.jpg", "image/jpeg", jpeg}, {"scan.png", "image/png", png}, {"form.pdf", "application/pdf", pdf}}
		for _, c := range cases {
			doc, err := s.Put(ctx, clerk, c.name, bytes.NewReader(c.body))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if doc.ContentType != c.want || doc.Size != int64(len(c.body)) || doc.UploadedBy != 7 || doc.ID == 0 {
				t.Fatalf("%s: got %+v", c.name, doc)
			}
			rc, got, err := s.Open(ctx, doc.ID)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(b, c.body) || got.Name != c.name || !got.CreatedAt.Equal(doc.CreatedAt) {
				t.Fatalf("%s: round trip differs: %+v", c.name, got)
			}
		}
		// The same content again under another name: a new row, one file.
		a, _ := s.Put(ctx, clerk, "a.jpg", bytes.NewReader(jpeg))
		b, err := s.Put(ctx, nil, "b.jpg", bytes.NewReader(jpeg))
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == b.ID || a.SHA256 != b.SHA256 || b.UploadedBy != 0 {
			t.Fatalf("dedup rows: %+v %+v", a, b)
		}
		if n := countFiles(t, dir); n != 3 {
			t.Fatalf("want 3 stored files (dedup), got %d", n)
		}
		if _, err := os.Stat(filepath.Join(dir, a.SHA256[:2], a.SHA256[2:])); err != nil {
			t.Fatalf("content address layout: %v", err)
		}
	})
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		if err == nil && !e.IsDir() && !strings.HasPrefix(rel, "tmp"+string(filepath.Separator)) {
			n++
		}
		return nil
	})
	return n
}

func TestPutRefusesBadFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, dir := newStoreWith(t, d, document.Options{MaxSize: 4096})
		cases := []struct {
			name, code string
			body       []byte
		}{
			{"virus.jpg", "document_type", exe},
			{"page.pdf", "document_type", []byte("<html><script>alert(1)</script></html>")},
			{"empty.png", "document_empty", nil},
			{"huge.jpg", "document_too_large", append(append([]byte{}, jpeg...), make([]byte, 4096)...)},
		}
		for _, c := range cases {
			_, err := s.Put(ctx, clerk, c.name, bytes.NewReader(c.body))
			e := errs.As(err)
			if e == nil || e.Kind != errs.Invalid || e.Code != c.code {
				t.Fatalf("%s: want %s, got %v", c.name, c.code, err)
			}
		}
		_, err := s.Put(ctx, clerk, "virus.jpg", bytes.NewReader(exe))
		if !strings.Contains(errs.As(err).Message, "JPEG/PNG/PDF") {
			t.Fatalf("message: %v", err)
		}
		var n int
		d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM documents`).Scan(&n)
		if n != 0 || countFiles(t, dir) != 0 {
			t.Fatalf("refused files left rows=%d files=%d", n, countFiles(t, dir))
		}
		// An exactly-at-limit file is accepted.
		at := append(append([]byte{}, jpeg...), make([]byte, 4096-len(jpeg))...)
		if _, err := s.Put(ctx, clerk, "ok.jpg", bytes.NewReader(at)); err != nil {
			t.Fatalf("file at the limit: %v", err)
		}
	})
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd":     "passwd",
		`C:\Users\x\照片.jpg`:    "照片.jpg",
		"/abs/path/scan.pdf":   "scan.pdf",
		"..":                   "未命名文件",
		"":                     "未命名文件",
		"a\x00b\nc.png":        "abc.png",
		"工伤事故报告表.pdf":          "工伤事故报告表.pdf",
		"dir/../../../x/y.png": "y.png",
	} {
		if got := document.CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCorruptionDetected(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, dir := newStore(t, d)
		doc, err := s.Put(ctx, clerk, "x.pdf", bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, doc.SHA256[:2], doc.SHA256[2:])
		os.Chmod(p, 0o640)
		b, _ := os.ReadFile(p)
		b[10] ^= 0x01
		if err := os.WriteFile(p, b, 0o640); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Open(ctx, doc.ID)
		if errs.KindOf(err) != errs.Internal || !errors.Is(err, document.ErrCorrupt) {
			t.Fatalf("flipped byte: want internal ErrCorrupt, got %v", err)
		}
		os.Remove(p)
		if _, _, err = s.Open(ctx, doc.ID); !errors.Is(err, document.ErrCorrupt) {
			t.Fatalf("missing file: got %v", err)
		}
		if _, _, err = s.Open(ctx, 9999); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("unknown id: %v", err)
		}
	})
}

// memBlobs is a non-seekable store, as an object store would be.
type memBlobs map[string][]byte

func (m memBlobs) Put(_ context.Context, sha string, r io.Reader) error {
	b, err := io.ReadAll(r)
	m[sha] = b
	return err
}

func (m memBlobs) Get(_ context.Context, sha string) (io.ReadCloser, error) {
	b, ok := m[sha]
	if !ok {
		return nil, document.ErrNoBlob
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func TestStreamingVerificationWithOtherBlobs(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	m := memBlobs{}
	s, _ := newStoreWith(t, d, document.Options{Blobs: m})
	doc, err := s.Put(ctx, clerk, "x.png", bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	m[doc.SHA256][20] ^= 0xff
	rc, _, err := s.Open(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(rc); !errors.Is(err, document.ErrCorrupt) {
		t.Fatalf("streaming read of corrupted blob: %v", err)
	}
}

func TestFolderPutRefusesWrongSHA(t *testing.T) {
	f := document.NewFolder(t.TempDir())
	sha := strings.Repeat("ab", 32)
	if err := f.Put(context.Background(), sha, bytes.NewReader(pdf)); err == nil {
		t.Fatal("content with another hash stored")
	}
	if _, err := f.Get(context.Background(), sha); !errors.Is(err, document.ErrNoBlob) {
		t.Fatalf("got %v", err)
	}
}
