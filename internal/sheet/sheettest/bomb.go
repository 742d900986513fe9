// Package sheettest builds hostile workbooks for tests: zip packages whose
// parts unpack to far more than they weigh. The deflate data of a repeated
// part is compressed once and repeated block by block, so a 2 GB worksheet
// costs a few milliseconds to build and about 2 MB to hold.
package sheettest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"strings"
)

// Part is one file of a package: Head, then Body repeated Times, then Tail.
type Part struct {
	Name             string
	Head, Body, Tail string
	Times            int64
	// DeclaredSize, when not zero, is written as the unzipped size instead
	// of the true one (a lying central directory).
	DeclaredSize uint64
}

// Size is the unzipped size of the part.
func (p Part) Size() int64 {
	return int64(len(p.Head)) + int64(len(p.Body))*p.Times + int64(len(p.Tail))
}

const (
	contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
	rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`

	// SheetHead opens a worksheet and its data.
	SheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	// SheetTail closes what SheetHead opened.
	SheetTail = `</sheetData></worksheet>`
)

// Workbook returns an .xlsx package with one worksheet, sheet1, and the
// extra parts (a part named like a default one replaces it).
func Workbook(sheet Part, extra ...Part) []byte {
	sheet.Name = "xl/worksheets/sheet1.xml"
	parts := []Part{{Name: "[Content_Types].xml", Head: contentTypes}, {Name: "_rels/.rels", Head: rootRels},
		{Name: "xl/workbook.xml", Head: workbook}, {Name: "xl/_rels/workbook.xml.rels", Head: workbookRels}, sheet}
	for _, e := range extra {
		replaced := false
		for i := range parts {
			if parts[i].Name == e.Name {
				parts[i], replaced = e, true
			}
		}
		if !replaced {
			parts = append(parts, e)
		}
	}
	return Zip(parts...)
}

// Rows returns a worksheet part: a header row with one cell, then row
// repeated n times.
func Rows(row string, n int64) Part {
	return Part{Head: SheetHead + `<row r="1"><c r="A1" t="inlineStr"><is><t>表头</t></is></c></row>`,
		Body: row, Times: n, Tail: SheetTail}
}

// EmptyRows is a workbook whose worksheet unpacks to about size bytes of
// empty rows (<row/>), the shape of the upload that took the server down.
func EmptyRows(size int64) []byte {
	return Workbook(Rows("<row/>", size/int64(len("<row/>"))))
}

// Zip writes the parts as a zip package, deflated.
func Zip(parts ...Part) []byte {
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, p := range parts {
		data, crc := deflate(p)
		size := uint64(p.Size())
		if p.DeclaredSize != 0 {
			size = p.DeclaredSize
		}
		h := &zip.FileHeader{Name: p.Name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(data)), UncompressedSize64: size}
		fw, err := w.CreateRaw(h)
		if err != nil {
			panic(fmt.Sprintf("sheettest: %v", err))
		}
		fw.Write(data)
	}
	if err := w.Close(); err != nil {
		panic(fmt.Sprintf("sheettest: %v", err))
	}
	return out.Bytes()
}

// chunk is how much of a repeated body one deflate block holds.
const chunk = 1 << 20

// deflate compresses a part: Head, Body and Tail each as their own flushed
// blocks (so a block never refers back into another), the block holding a
// chunk of Body repeated as often as needed, then an empty final block.
// It returns the data and the CRC-32 of the unzipped part.
func deflate(p Part) ([]byte, uint32) {
	var out bytes.Buffer
	var sum crc
	block := func(s string) []byte {
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, flate.BestCompression)
		fw.Write([]byte(s))
		fw.Flush()
		return b.Bytes()
	}
	emit := func(s string) {
		if s != "" {
			out.Write(block(s))
			sum = sum.then(crcOf(s))
		}
	}
	emit(p.Head)
	if p.Times > 0 && p.Body != "" {
		per := max(int64(1), int64(chunk/len(p.Body)))
		full := strings.Repeat(p.Body, int(min(per, p.Times)))
		b := block(full)
		for range p.Times / per {
			out.Write(b)
		}
		sum = sum.then(crcOf(full).times(p.Times / per))
		emit(strings.Repeat(p.Body, int(p.Times%per)))
	}
	emit(p.Tail)
	fw, _ := flate.NewWriter(&out, flate.BestCompression)
	fw.Close()
	return out.Bytes(), sum.sum
}

// crc is the CRC-32 (IEEE) of some bytes and their length, so that the
// CRC of a part gigabytes long is computed from its pieces without
// reading them again: appending n bytes to a CRC is a linear map, the
// n-th power of the map that appends one zero byte.
type crc struct {
	sum uint32
	n   int64
}

func crcOf(s string) crc { return crc{crc32.ChecksumIEEE([]byte(s)), int64(len(s))} }

// then is the CRC of a's bytes followed by b's.
func (a crc) then(b crc) crc {
	if a.n == 0 {
		return b
	}
	return crc{zeros(b.n).times(a.sum) ^ b.sum, a.n + b.n}
}

// times is the CRC of a's bytes repeated k times.
func (a crc) times(k int64) crc {
	var out crc
	for ; k > 0; k >>= 1 {
		if k&1 == 1 {
			out = out.then(a)
		}
		a = a.then(a)
	}
	return out
}

// gf2 is a 32×32 matrix over GF(2): column i is the image of bit i.
type gf2 [32]uint32

func (m *gf2) times(v uint32) uint32 {
	var s uint32
	for i := 0; v != 0; i, v = i+1, v>>1 {
		if v&1 == 1 {
			s ^= m[i]
		}
	}
	return s
}

func (m *gf2) squared() *gf2 {
	var sq gf2
	for i := range sq {
		sq[i] = m.times(m[i])
	}
	return &sq
}

// zeros is the map that appends n zero bytes to a (reflected) CRC-32.
func zeros(n int64) *gf2 {
	var bit gf2 // appends one zero bit
	bit[0] = crc32.IEEE
	for i := 1; i < 32; i++ {
		bit[i] = 1 << (i - 1)
	}
	op := bit.squared().squared().squared() // one zero byte
	var out *gf2
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			if out == nil {
				out = op
			} else {
				prod := gf2{}
				for i := range prod {
					prod[i] = op.times(out[i])
				}
				out = &prod
			}
		}
		op = op.squared()
	}
	if out == nil {
		out = &gf2{}
		for i := range out {
			out[i] = 1 << i
		}
	}
	return out
}
