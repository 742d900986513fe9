package pdfdoc

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
)

// Book is a longer A4 document — a manual: a cover with its version and
// date, a table of contents with page numbers, chapters starting on a new
// page, sections, numbered steps, screenshots scaled to the text width and
// a page number on every page but the cover. It uses the same CJK font as
// Doc.
type Book struct {
	ttf    []byte
	runes  map[rune]bool
	title  string
	cover  []string
	date   time.Time
	blocks []bookBlock
}

type bookBlock struct {
	kind  int // chapter, section, text, step, image, table, note
	text  string
	n     int
	image []byte
	rows  [][2]string
}

const (
	bChapter = iota
	bSection
	bText
	bStep
	bImage
	bTable
	bNote
)

// NewBook starts a book; errors wrap ErrNoFont like New.
func NewBook(title string, cover ...string) (*Book, error) {
	ttf, err := loadFont(FontPath())
	if err != nil {
		return nil, err
	}
	b := &Book{ttf: ttf, runes: map[rune]bool{}, title: title, cover: cover}
	b.use(title, "目录", "第", "页", "共", "/")
	b.use(cover...)
	b.use("0123456789")
	return b, nil
}

func (b *Book) use(ss ...string) {
	for _, s := range ss {
		for _, r := range s {
			b.runes[r] = true
		}
	}
}

// SetDate sets the PDF's creation date.
func (b *Book) SetDate(t time.Time) { b.date = t }

// Chapter starts a chapter on a new page (listed in the contents).
func (b *Book) Chapter(title string) {
	b.use(title)
	b.blocks = append(b.blocks, bookBlock{kind: bChapter, text: title})
}

// Section writes a section heading (listed in the contents).
func (b *Book) Section(title string) {
	b.use(title)
	b.blocks = append(b.blocks, bookBlock{kind: bSection, text: title})
}

// Text writes a paragraph.
func (b *Book) Text(s string) {
	b.use(s)
	b.blocks = append(b.blocks, bookBlock{kind: bText, text: s})
}

// Note writes a smaller grey paragraph (e.g. a picture's caption).
func (b *Book) Note(s string) {
	b.use(s)
	b.blocks = append(b.blocks, bookBlock{kind: bNote, text: s})
}

// Step writes step n.
func (b *Book) Step(n int, s string) {
	b.use(s, strconv.Itoa(n), ".")
	b.blocks = append(b.blocks, bookBlock{kind: bStep, text: s, n: n})
}

// Image places a JPEG scaled to the text width (or less, for tall ones).
func (b *Book) Image(jpg []byte) {
	b.blocks = append(b.blocks, bookBlock{kind: bImage, image: jpg})
}

// Table writes two-column rows with a header row.
func (b *Book) Table(head [2]string, rows [][2]string) {
	b.use(head[0], head[1])
	for _, r := range rows {
		b.use(r[0], r[1])
	}
	b.blocks = append(b.blocks, bookBlock{kind: bTable, rows: append([][2]string{head}, rows...)})
}

// tocEntry is a chapter or section and its page.
type tocEntry struct {
	level int
	text  string
	page  int
}

const tocPerPage = 34

// Bytes renders the book. It lays the book out twice: the first pass
// finds each chapter's and section's page, the second prints them in the
// contents (whose length is known before, from the number of entries).
func (b *Book) Bytes() ([]byte, error) {
	font, err := subsetFont(b.ttf, b.runes)
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: font subset: %w", err)
	}
	var n int
	for _, bl := range b.blocks {
		if bl.kind == bChapter || bl.kind == bSection {
			n++
		}
	}
	tocPages := max(1, (n+tocPerPage-1)/tocPerPage)
	toc, _, err := b.render(font, nil, tocPages)
	if err != nil {
		return nil, err
	}
	_, out, err := b.render(font, toc, tocPages)
	return out, err
}

func (b *Book) render(font []byte, toc []tocEntry, tocPages int) ([]tocEntry, []byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, 20)
	if !b.date.IsZero() {
		p.SetCreationDate(b.date)
		p.SetModificationDate(b.date)
	}
	p.AddUTF8FontFromBytes(family, "", font)
	p.SetTitle(b.title, true)
	p.SetCreator("Shebao", false)
	p.SetFooterFunc(func() {
		if p.PageNo() == 1 {
			return
		}
		p.SetY(-14)
		p.SetFont(family, "", 9)
		p.SetTextColor(100, 100, 100)
		p.CellFormat(width, 6, b.title+"    第 "+strconv.Itoa(p.PageNo())+" 页", "", 0, "C", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	b.drawCover(p)
	b.drawTOC(p, toc, tocPages)
	var found []tocEntry
	imgs := 0
	for _, bl := range b.blocks {
		switch bl.kind {
		case bChapter:
			p.AddPage()
			p.Bookmark(bl.text, 0, -1)
			found = append(found, tocEntry{0, bl.text, p.PageNo()})
			p.SetFont(family, "", 18)
			para(p, margin, width, 10, bl.text, "L")
			p.Ln(3)
		case bSection:
			if p.GetY() > 297-60 {
				p.AddPage()
			}
			p.Ln(3)
			p.Bookmark(bl.text, 1, -1)
			found = append(found, tocEntry{1, bl.text, p.PageNo()})
			p.SetFont(family, "", 14)
			para(p, margin, width, 8, bl.text, "L")
			p.Ln(1)
		case bText:
			p.SetFont(family, "", bodySize)
			para(p, margin, width, 6, bl.text, "L")
			p.Ln(1.5)
		case bNote:
			p.SetFont(family, "", 9)
			p.SetTextColor(90, 90, 90)
			para(p, margin, width, 5, bl.text, "L")
			p.SetTextColor(0, 0, 0)
			p.Ln(1)
		case bStep:
			p.SetFont(family, "", bodySize)
			p.CellFormat(8, 6, strconv.Itoa(bl.n)+".", "", 0, "L", false, 0, "")
			para(p, margin+8, width-8, 6, bl.text, "L")
			p.Ln(1)
		case bImage:
			imgs++
			if err := drawImage(p, "img"+strconv.Itoa(imgs), bl.image); err != nil {
				return nil, nil, err
			}
		case bTable:
			drawTable(p, bl.rows)
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, nil, fmt.Errorf("pdfdoc: %w", err)
	}
	return found, buf.Bytes(), nil
}

func (b *Book) drawCover(p *fpdf.Fpdf) {
	p.AddPage()
	p.SetY(90)
	p.SetFont(family, "", 28)
	para(p, margin, width, 14, b.title, "C")
	p.Ln(20)
	p.SetFont(family, "", 14)
	for _, l := range b.cover {
		para(p, margin, width, 9, l, "C")
	}
}

func (b *Book) drawTOC(p *fpdf.Fpdf, toc []tocEntry, pages int) {
	first := 0
	for i := 0; i < pages; i++ {
		p.AddPage()
		if i == 0 {
			p.SetFont(family, "", 18)
			p.CellFormat(width, 12, "目录", "", 1, "C", false, 0, "")
			p.Ln(2)
		}
		for j := first; j < len(toc) && j < first+tocPerPage; j++ {
			e := toc[j]
			indent := float64(e.level) * 8
			size := 12.0 - float64(e.level)
			p.SetFont(family, "", size)
			p.SetX(margin + indent)
			p.CellFormat(width-indent-15, 6.8, e.text, "", 0, "L", false, 0, "")
			p.CellFormat(15, 6.8, strconv.Itoa(e.page), "", 1, "R", false, 0, "")
		}
		first += tocPerPage
	}
}

// drawImage places a screenshot at the full text width (170 mm: a
// 960-pixel window prints at about 145 dpi, its 14-pixel text at about
// 7 points, legible on paper), or less
// when that would make it taller than 120 mm, with a thin border.
func drawImage(p *fpdf.Fpdf, name string, jpg []byte) error {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg))
	if err != nil {
		return fmt.Errorf("pdfdoc: screenshot: %w", err)
	}
	w := width
	h := w * float64(cfg.Height) / float64(cfg.Width)
	if h > 120 {
		h = 120
		w = h * float64(cfg.Width) / float64(cfg.Height)
	}
	if p.GetY()+h > 297-22 {
		p.AddPage()
	}
	p.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(jpg))
	x, y := margin+(width-w)/2, p.GetY()
	p.ImageOptions(name, x, y, w, h, false, fpdf.ImageOptions{ImageType: "JPG"}, 0, "")
	p.SetDrawColor(160, 160, 160)
	p.Rect(x, y, w, h, "D")
	p.SetDrawColor(0, 0, 0)
	p.SetY(y + h + 3)
	return nil
}

// wrap breaks s into lines no wider than w at the current font, between
// any two characters (Chinese needs no spaces) but keeping a Latin word
// whole where it fits; fpdf's own wrapping drops a character at each
// break when a line has no space.
func wrap(p *fpdf.Fpdf, s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		rs := []rune(para)
		start := 0
		for start < len(rs) {
			end := start
			for end < len(rs) && p.GetStringWidth(string(rs[start:end+1])) <= w {
				end++
			}
			if end == start {
				end = start + 1 // one character wider than the line
			}
			if end < len(rs) && isWordRune(rs[end]) && isWordRune(rs[end-1]) {
				// Do not cut a Latin word or number when it can move down whole.
				k := end
				for k > start && isWordRune(rs[k-1]) {
					k--
				}
				if k > start {
					end = k
				}
			}
			// A closing mark never starts a line: take the character before it down too.
			if end < len(rs) && end-start > 1 && strings.ContainsRune("，。、；：！？）」』”’》", rs[end]) {
				end--
			}
			lines = append(lines, string(rs[start:end]))
			start = end
		}
		if len(rs) == 0 {
			lines = append(lines, "")
		}
	}
	return lines
}

func isWordRune(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' || r == '.' || r == '_' || r == '-')
}

// para writes s wrapped to w at x, lineH per line.
func para(p *fpdf.Fpdf, x, w, lineH float64, s, align string) {
	for _, l := range wrap(p, s, w) {
		p.SetX(x)
		p.CellFormat(w, lineH, l, "", 2, align, false, 0, "")
	}
}

func drawTable(p *fpdf.Fpdf, rows [][2]string) {
	p.SetFont(family, "", 10)
	w0, w1 := 70.0, width-70
	for i, r := range rows {
		fill := i == 0
		p.SetFillColor(235, 235, 235)
		// Height of the row: the taller of the two wrapped cells.
		l0 := len(wrap(p, r[0], w0-2))
		l1 := len(wrap(p, r[1], w1-2))
		h := float64(max(l0, l1, 1)) * 5.5
		if p.GetY()+h > 297-22 {
			p.AddPage()
		}
		x, y := p.GetX(), p.GetY()
		p.Rect(x, y, w0, h, map[bool]string{true: "FD", false: "D"}[fill])
		p.Rect(x+w0, y, w1, h, map[bool]string{true: "FD", false: "D"}[fill])
		p.SetXY(x+1, y)
		para(p, x+1, w0-2, 5.5, r[0], "L")
		p.SetXY(x+w0+1, y)
		para(p, x+w0+1, w1-2, 5.5, r[1], "L")
		p.SetXY(x, y+h)
	}
	p.Ln(3)
}
