package document

import (
	"bytes"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"
)

// sniffBuf keeps the first 512 bytes written to it (what content sniffing needs).
type sniffBuf struct{ b []byte }

func (s *sniffBuf) Write(p []byte) (int, error) {
	if room := 512 - len(s.b); room > 0 {
		s.b = append(s.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// Allowed content types, by what the bytes are, never by the file name.
var allowed = map[string]bool{"image/jpeg": true, "image/png": true, "application/pdf": true}

// sniff returns the content type of a file starting with head, or "" when
// it is not an allowed type.
func sniff(head []byte) string {
	if bytes.HasPrefix(head, []byte("%PDF-")) {
		return "application/pdf"
	}
	ct := http.DetectContentType(head)
	if allowed[ct] {
		return ct
	}
	return ""
}

// Sniff returns the allowed content type of a file starting with head
// (JPEG, PNG, PDF), or "" when the bytes are none of them.
func Sniff(head []byte) string { return sniff(head) }

// CleanName reduces an uploaded file name to its last path element without
// control characters: "../../etc/passwd" → "passwd", `C:\a\b.jpg` → "b.jpg".
// It never returns "", "." or "..".
func CleanName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(path.Clean("/" + name))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(strings.TrimLeft(name, "."))
	if name == "" || name == "/" {
		return "未命名文件"
	}
	if r := []rune(name); len(r) > 120 {
		name = string(r[len(r)-120:])
	}
	return name
}
