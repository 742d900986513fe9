// Package pdfdoc writes short Chinese A4 documents (receipts, payment
// certificates) as PDF: a title, key-value tables, a lines table with
// right-aligned amounts, and a footer with a verification code and a QR
// code. The CJK font comes from the system (fonts-wqy-microhei), is loaded
// once per process and embedded as a subset; without it New returns
// ErrNoFont and callers offer their printable HTML version.
package pdfdoc

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
)

const (
	family   = "cjk"
	margin   = 20.0  // mm
	width    = 170.0 // A4 width 210 mm minus margins
	rowH     = 7.5
	bodySize = 11.0
)

// KV is one row of a key-value table.
type KV struct {
	Key, Value string
}

// Column describes one column of a lines table. Width is in millimetres
// (the widths should add up to at most 170); Right aligns the column to
// the right, for amounts.
type Column struct {
	Title string
	Width float64
	Right bool
}

// Doc is a document being written. Blocks are laid out in the order they
// are added; Bytes renders the PDF.
type Doc struct {
	ttf    []byte
	title  string
	date   time.Time
	blocks []func(p *fpdf.Fpdf)
	runes  map[rune]bool
	footer *footer
	seal   *seal
}

type footer struct {
	code, url, note string
}

type seal struct {
	agency, hash string
}

// New starts a document, loading the CJK font on first use. It returns an
// error wrapping ErrNoFont when the font is missing or unreadable.
func New() (*Doc, error) {
	ttf, err := loadFont(FontPath())
	if err != nil {
		return nil, err
	}
	return &Doc{ttf: ttf, runes: map[rune]bool{}}, nil
}

func (d *Doc) use(ss ...string) {
	for _, s := range ss {
		for _, r := range s {
			d.runes[r] = true
		}
	}
}

// SetDate sets the document's creation date (the PDF metadata), so the
// same document renders to the same bytes.
func (d *Doc) SetDate(t time.Time) { d.date = t }

// Title writes the centred document title (also the PDF title).
func (d *Doc) Title(s string) {
	d.title = s
	d.use(s)
	d.blocks = append(d.blocks, func(p *fpdf.Fpdf) {
		p.SetFont(family, "", 20)
		p.CellFormat(width, 14, s, "", 1, "C", false, 0, "")
		p.Ln(4)
	})
}

// NewPage starts a new page, for a document that binds several short
// ones (a print edition): the blocks added next begin at its top.
func (d *Doc) NewPage() {
	d.blocks = append(d.blocks, func(p *fpdf.Fpdf) { p.AddPage() })
}

// Heading writes a section heading.
func (d *Doc) Heading(s string) {
	d.use(s)
	d.blocks = append(d.blocks, func(p *fpdf.Fpdf) {
		p.Ln(2)
		p.SetFont(family, "", 13)
		p.CellFormat(width, 9, s, "", 1, "L", false, 0, "")
	})
}

// Text writes a paragraph, wrapped to the page width.
func (d *Doc) Text(s string) {
	d.use(s)
	d.blocks = append(d.blocks, func(p *fpdf.Fpdf) {
		p.SetFont(family, "", bodySize)
		p.MultiCell(width, 6, fitted(p, s, width), "", "L", false)
		p.Ln(1)
	})
}

// fitted is s broken into lines that fit a cell of width w (wrap, less
// the cell margins), joined by newlines: fpdf's own wrapping drops a
// character at each break of a line without spaces (Chinese).
func fitted(p *fpdf.Fpdf, s string, w float64) string {
	return strings.Join(wrap(p, s, w-2*p.GetCellMargin()), "\n")
}

// KeyValues writes a two-column bordered table of labels and values.
func (d *Doc) KeyValues(rows []KV) {
	for _, r := range rows {
		d.use(r.Key, r.Value)
	}
	d.blocks = append(d.blocks, func(p *fpdf.Fpdf) {
		p.SetFont(family, "", bodySize)
		for _, r := range rows {
			p.SetFillColor(242, 242, 242)
			if p.GetStringWidth(r.Value) <= width-45-2*p.GetCellMargin() {
				p.CellFormat(45, rowH, r.Key, "1", 0, "L", true, 0, "")
				p.CellFormat(width-45, rowH, r.Value, "1", 1, "L", false, 0, "")
				continue
			}
			// A value wider than its cell: wrapped, the label as tall.
			v := fitted(p, r.Value, width-45)
			p.CellFormat(45, rowH*float64(strings.Count(v, "\n")+1), r.Key, "1", 0, "L", true, 0, "")
			p.MultiCell(width-45, rowH, v, "1", "L", false)
		}
		p.Ln(3)
	})
}

// Lines writes a table with a header row, the rows and an optional total
// row (nil for none). Cells in Right columns are right-aligned.
func (d *Doc) Lines(cols []Column, rows [][]string, total []string) {
	for _, c := range cols {
		d.use(c.Title)
	}
	for _, r := range rows {
		d.use(r...)
	}
	d.use(total...)
	d.blocks = append(d.blocks, func(p *fpdf.Fpdf) {
		p.SetFont(family, "", 10)
		p.SetFillColor(230, 230, 230)
		for _, c := range cols {
			p.CellFormat(c.Width, rowH, c.Title, "1", 0, "C", true, 0, "")
		}
		p.Ln(-1)
		for _, r := range rows {
			writeRow(p, cols, r, false)
		}
		if total != nil {
			writeRow(p, cols, total, true)
		}
		p.Ln(3)
	})
}

func writeRow(p *fpdf.Fpdf, cols []Column, r []string, fill bool) {
	p.SetFillColor(242, 242, 242)
	for i, c := range cols {
		v := ""
		if i < len(r) {
			v = r[i]
		}
		align := "L"
		if c.Right {
			align = "R"
		}
		p.CellFormat(c.Width, rowH-1, v, "1", 0, align, fill, 0, "")
	}
	p.Ln(-1)
}

// Footer sets the verification footer: the code in readable groups, a
// note (e.g. where to check it) and a QR code encoding url.
func (d *Doc) Footer(code, url, note string) {
	d.use("验证码：", code, note)
	d.footer = &footer{code: code, url: url, note: note}
}

// Seal draws a red circular seal with the agency's name and prints the
// signature hash under it. It is a visual mark only, not a legal
// electronic seal.
func (d *Doc) Seal(agency, hash string) {
	d.use(agency, "电子印章校验值：", hash, "★")
	d.seal = &seal{agency: agency, hash: hash}
}

// Bytes renders the PDF.
func (d *Doc) Bytes() ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, 45)
	if !d.date.IsZero() {
		p.SetCreationDate(d.date)
		p.SetModificationDate(d.date)
	}
	font, err := subsetFont(d.ttf, d.runes)
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: font subset: %w", err)
	}
	p.AddUTF8FontFromBytes(family, "", font)
	p.SetTitle(d.title, true)
	p.SetCreator("Shebao", false)
	if d.footer != nil {
		f := d.footer
		q, err := qrcode.New(f.url, qrcode.Medium)
		if err != nil {
			return nil, fmt.Errorf("pdfdoc: qr: %w", err)
		}
		bm := q.Bitmap()
		runs := qrRuns(bm)
		p.SetFooterFunc(func() { drawFooter(p, f, len(bm), runs) })
	}
	p.AddPage()
	for _, b := range d.blocks {
		b(p)
	}
	if d.seal != nil {
		drawSeal(p, d.seal)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdfdoc: %w", err)
	}
	return buf.Bytes(), nil
}

// qrRun is a horizontal run of dark modules of a QR code: row y, from
// column x, w modules wide.
type qrRun struct{ x, y, w int }

// qrRuns turns a QR bitmap (quiet zone included) into its dark runs, so
// the footer draws the code as filled rectangles: no image to encode or
// embed, sharp at any scale.
func qrRuns(bm [][]bool) []qrRun {
	var out []qrRun
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			out = append(out, qrRun{x: start, y: y, w: x - start})
		}
	}
	return out
}

// drawQR draws the runs of an n-module QR code in a size mm square at
// (x, y).
func drawQR(p *fpdf.Fpdf, x, y, size float64, n int, runs []qrRun) {
	m := size / float64(n)
	p.SetFillColor(0, 0, 0)
	for _, r := range runs {
		p.Rect(x+float64(r.x)*m, y+float64(r.y)*m, float64(r.w)*m, m, "F")
	}
	p.SetFillColor(255, 255, 255)
}

func drawFooter(p *fpdf.Fpdf, f *footer, modules int, runs []qrRun) {
	top := 297 - 42.0
	p.SetDrawColor(150, 150, 150)
	p.Line(margin, top, margin+width, top)
	drawQR(p, margin+width-30, top+3, 30, modules, runs)
	p.SetXY(margin, top+5)
	p.SetFont(family, "", 12)
	p.CellFormat(width-35, 8, "验证码："+f.code, "", 2, "L", false, 0, "")
	p.SetFont(family, "", 9)
	p.MultiCell(width-35, 5, f.note, "", "L", false)
	p.SetDrawColor(0, 0, 0)
}

func drawSeal(p *fpdf.Fpdf, s *seal) {
	x, y := margin+width-45, p.GetY()+22
	if y > 297-70 {
		y = 297 - 70
	}
	p.SetDrawColor(200, 0, 0)
	p.SetTextColor(200, 0, 0)
	p.SetLineWidth(1)
	p.Circle(x, y, 20, "D")
	p.SetLineWidth(0.3)
	p.Circle(x, y, 18, "D")
	p.SetFont(family, "", 22)
	p.SetXY(x-10, y-8)
	p.CellFormat(20, 10, "★", "", 0, "C", false, 0, "")
	// Fit the name on one line inside the ring: a CJK character is about
	// one em wide (size in points × 0.3528 mm).
	size := min(9, 30/(float64(len([]rune(s.agency)))*0.3528))
	p.SetFont(family, "", size)
	p.SetXY(x-16, y+3)
	p.CellFormat(32, 5, s.agency, "", 0, "C", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetDrawColor(0, 0, 0)
	p.SetXY(margin, y+22)
	p.SetFont(family, "", 8)
	p.MultiCell(width, 4, "电子印章校验值："+s.hash, "", "R", false)
}

// QR returns a PNG of a QR code encoding url (medium error correction),
// size pixels square: the same code the PDF footer prints, for web pages.
func QR(url string, size int) ([]byte, error) {
	png, err := qrcode.Encode(url, qrcode.Medium, size)
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: qr: %w", err)
	}
	return png, nil
}
