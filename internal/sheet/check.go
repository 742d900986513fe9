package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"path"
	"strings"
)

// centralHeader is the signature of a zip central directory entry. Every
// entry a zip reader lists starts with it, so counting it in the raw bytes
// bounds the number of entries before any reader allocates them.
var centralHeader = []byte("PK\x01\x02")

// checkPackage checks data as a zip package under l without unzipping
// anything: size of the file, number of parts, declared unzipped sizes
// (each part and in total) and compression ratios. archive/zip refuses a
// part whose data unzips to more than its declared size, so the declared
// sizes bound what excelize will unzip.
func checkPackage(data []byte, l Limits) (*zip.Reader, error) {
	if int64(len(data)) > l.MaxFileBytes {
		return nil, tooLarge("Excel 文件超过 %s，请删除多余的内容或分成几个文件上传", mb(l.MaxFileBytes))
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, notXLSX()
	}
	if bytes.Count(data, centralHeader) > l.MaxParts {
		return nil, tooLarge("Excel 文件包含的部件超过 %d 个，请把数据复制到新建的工作簿中再上传", l.MaxParts)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, notXLSX()
	}
	var total uint64
	for _, f := range zr.File {
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, notXLSX()
		}
		size := f.UncompressedSize64
		if limit := partLimit(f.Name, l); size > uint64(limit) {
			return nil, tooLarge("Excel 文件解压后过大：其中一部分超过 %s（常见原因是大量空行、空列或格式），请把数据复制到新建的工作簿中再上传", mb(limit))
		}
		if total += size; total > uint64(l.MaxTotalBytes) {
			return nil, tooLarge("Excel 文件解压后超过 %s，请删除多余的行、列和图片或分成几个文件上传", mb(l.MaxTotalBytes))
		}
		if size > ratioFloor && size/max(f.CompressedSize64, 1) > uint64(l.MaxRatio) {
			return nil, tooLarge("Excel 文件的压缩比异常（超过 %d 倍，常见原因是大量空行或空单元格），请把数据复制到新建的工作簿中再上传", l.MaxRatio)
		}
	}
	return zr, nil
}

// isWorksheet reports the worksheet parts, named as excelize names them.
func isWorksheet(name string) bool {
	return strings.HasPrefix(strings.ToLower(strings.ReplaceAll(name, `\`, "/")), "xl/worksheets/sheet")
}

// isSharedStrings reports the shared strings part.
func isSharedStrings(name string) bool {
	return strings.EqualFold(strings.ReplaceAll(name, `\`, "/"), "xl/sharedStrings.xml")
}

// isXML reports the parts the scan counts elements of; pictures and other
// binary parts only have their sizes checked.
func isXML(name string) bool {
	switch strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/"))) {
	case ".xml", ".rels", ".vml":
		return true
	}
	return false
}

func partLimit(name string, l Limits) int64 {
	if isWorksheet(name) {
		return l.MaxSheetBytes
	}
	return l.MaxPartBytes
}

// scanPackage unzips every XML part once as a stream and scans it,
// stopping at the first limit reached. Nothing is kept in memory but a
// 32 KB buffer.
func scanPackage(zr *zip.Reader, l Limits) error {
	buf := make([]byte, 32<<10)
	for _, f := range zr.File {
		if !isXML(f.Name) && !isWorksheet(f.Name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return notXLSX()
		}
		s := &scanner{lim: l, sheet: isWorksheet(f.Name), maxRun: l.maxRun(), maxElements: l.MaxPartElements}
		if isSharedStrings(f.Name) {
			s.maxElements = l.MaxStringElements
		}
		_, err = io.CopyBuffer(s, rc, buf)
		rc.Close()
		var le *limitError
		if errors.As(err, &le) {
			return le.err
		}
		if err != nil {
			return notXLSX()
		}
	}
	return nil
}

// limitError carries the user-facing error out of io.Copy.
type limitError struct{ err error }

func (e *limitError) Error() string { return e.err.Error() }

// scanner counts XML markup byte by byte without parsing it: start tags
// (elements), and in a worksheet the rows and the cells of each row. Tag
// names are compared without their namespace prefix (x:row is a row).
// It overcounts rather than undercounts (a '<' inside CDATA counts too).
type scanner struct {
	lim         Limits
	sheet       bool
	maxRun      int
	maxElements int // of a part other than a worksheet
	elements    int
	rows        int
	cells       int // cells in the current row
	run         int // bytes since the last '<' or '>'

	inName  bool // reading a tag's name
	closing bool // the tag is an end tag (or a comment, declaration)
	name    [4]byte
	nameLen int // bytes of the local name so far (may exceed len(name))
}

func (s *scanner) Write(p []byte) (int, error) {
	for _, c := range p {
		if err := s.byte(c); err != nil {
			return 0, &limitError{err}
		}
	}
	return len(p), nil
}

func (s *scanner) byte(c byte) error {
	switch {
	case c == '<':
		s.run, s.inName, s.closing, s.nameLen = 0, true, false, 0
		return nil
	case c == '>':
		s.run = 0
		if s.inName {
			return s.endName()
		}
		return nil
	}
	if s.run++; s.run > s.maxRun {
		return tooLarge("Excel 文件中有超长的内容（超过 %d 字节），请检查单元格内容", s.maxRun)
	}
	if !s.inName {
		return nil
	}
	switch c {
	case ' ', '\t', '\r', '\n', '/':
		if c == '/' && s.nameLen == 0 {
			s.closing = true
			return nil
		}
		return s.endName()
	case '?', '!':
		if s.nameLen == 0 {
			s.closing = true
		}
	case ':':
		s.nameLen = 0 // drop the namespace prefix
		return nil
	}
	if s.nameLen < len(s.name) {
		s.name[s.nameLen] = c
	}
	s.nameLen++
	return nil
}

// endName is called when a tag's name is complete.
func (s *scanner) endName() error {
	s.inName = false
	if s.closing {
		return nil
	}
	local := string(s.name[:min(s.nameLen, len(s.name))])
	if s.nameLen > len(s.name) {
		local = ""
	}
	if !s.sheet {
		if s.elements++; s.elements > s.maxElements {
			return tooLarge("Excel 文件的格式或共享文字部分超过 %d 项，请把数据复制到新建的工作簿中再上传", s.maxElements)
		}
		return nil
	}
	switch local {
	case "row":
		s.cells = 0
		if s.rows++; s.rows > s.lim.MaxRows {
			return tooLarge("工作表超过 %d 行（含空行），请删除多余的空行或分成几个文件上传", s.lim.MaxRows)
		}
	case "c":
		if s.cells++; s.cells > s.lim.MaxCols {
			return tooLarge("工作表第 %d 行超过 %d 列，请删除多余的列", max(s.rows, 1), s.lim.MaxCols)
		}
	}
	return nil
}
