package pdfdoc

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
)

// Poster is a one-page notice for the service hall and notice boards:
// a large title, the text, two QR codes (the notice itself and the online
// service) and the hotline, on A3 or A4.
type Poster struct {
	Size     string // "A3" or "A4"
	Agency   string // who posts it
	Title    string
	Lines    []string // paragraphs; what does not fit is left to the QR code
	Date     string   // shown under the title
	NoticeQR string   // address of the notice
	ServeQR  string   // address of the online service
	Hotline  string   // e.g. "人社服务热线 12333"
	Created  time.Time
}

// Bytes renders the poster. Sizes scale with the paper (A3 is √2 × A4).
func (pst Poster) Bytes() ([]byte, error) {
	ttf, err := loadFont(FontPath())
	if err != nil {
		return nil, err
	}
	runes := map[rune]bool{}
	for _, s := range append([]string{pst.Agency, pst.Title, pst.Date, pst.Hotline, "扫码查看公告全文", "扫码进入网上服务", "…"}, pst.Lines...) {
		for _, r := range s {
			runes[r] = true
		}
	}
	font, err := subsetFont(ttf, runes)
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: font subset: %w", err)
	}
	size, k := "A4", 1.0
	if pst.Size == "A3" {
		size, k = "A3", 1.4142
	}
	p := fpdf.New("P", "mm", size, "")
	W, H := p.GetPageSize()
	m := 18 * k
	w := W - 2*m
	p.SetMargins(m, m, m)
	p.SetAutoPageBreak(false, 0)
	if !pst.Created.IsZero() {
		p.SetCreationDate(pst.Created)
		p.SetModificationDate(pst.Created)
	}
	p.AddUTF8FontFromBytes(family, "", font)
	p.SetTitle(pst.Title, true)
	p.SetCreator("Shebao", false)
	p.AddPage()
	// A red band with the agency.
	p.SetFillColor(180, 20, 20)
	p.Rect(0, 0, W, 22*k, "F")
	p.SetTextColor(255, 255, 255)
	p.SetFont(family, "", 16*k)
	p.SetXY(m, 5*k)
	p.CellFormat(w, 12*k, pst.Agency, "", 0, "C", false, 0, "")
	p.SetTextColor(0, 0, 0)
	// The title, as large as fits in three lines.
	p.SetY(34 * k)
	ts := 40 * k
	p.SetFont(family, "", ts)
	for ts > 20*k && len(wrap(p, pst.Title, w)) > 3 {
		ts -= 2 * k
		p.SetFont(family, "", ts)
	}
	para(p, m, w, ts*0.4762, pst.Title, "C")
	p.Ln(3 * k)
	p.SetFont(family, "", 12*k)
	p.SetTextColor(90, 90, 90)
	para(p, m, w, 7*k, pst.Date, "C")
	p.SetTextColor(0, 0, 0)
	p.Ln(6 * k)
	// The text down to the QR band.
	qrTop := H - m - 62*k
	p.SetFont(family, "", 14*k)
	lineH := 8.5 * k
	for _, l := range pst.Lines {
		for _, line := range wrap(p, l, w) {
			if p.GetY()+lineH > qrTop-6*k {
				p.SetX(m)
				p.CellFormat(w, lineH, "…", "", 1, "L", false, 0, "")
				goto qr
			}
			p.SetX(m)
			p.CellFormat(w, lineH, line, "", 1, "L", false, 0, "")
		}
		p.Ln(2 * k)
	}
qr:
	p.SetDrawColor(180, 20, 20)
	p.SetLineWidth(0.6 * k)
	p.Line(m, qrTop, W-m, qrTop)
	p.SetLineWidth(0.2)
	p.SetDrawColor(0, 0, 0)
	qs := 42 * k
	for i, q := range []struct{ url, caption string }{{pst.NoticeQR, "扫码查看公告全文"}, {pst.ServeQR, "扫码进入网上服务"}} {
		png, err := qrcode.Encode(q.url, qrcode.Medium, 512)
		if err != nil {
			return nil, fmt.Errorf("pdfdoc: qr: %w", err)
		}
		name := fmt.Sprintf("qr%d", i)
		p.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
		x := m + float64(i)*(qs+14*k)
		p.ImageOptions(name, x, qrTop+5*k, qs, qs, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		p.SetFont(family, "", 10*k)
		p.SetXY(x, qrTop+6*k+qs)
		p.CellFormat(qs, 6*k, q.caption, "", 0, "C", false, 0, "")
	}
	// The hotline beside the codes.
	hx := m + 2*(qs+14*k)
	p.SetFont(family, "", 18*k)
	p.SetXY(hx, qrTop+14*k)
	para(p, hx, W-m-hx, 10*k, pst.Hotline, "L")
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdfdoc: %w", err)
	}
	return buf.Bytes(), nil
}
