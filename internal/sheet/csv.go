package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// CSV reads comma-separated records, bounded like a worksheet: records
// (empty lines do not reach the reader, so MaxRows counts the others),
// fields per record (MaxCols), bytes per field (MaxCellBytes) and bytes
// per line and per record (MaxCols × MaxCellBytes), checked while reading.
//
//	c := sheet.NewCSV(data, lim)
//	for c.Next() {
//		use(c.Line(), c.Record())
//	}
//	if err := c.Err(); err != nil { ... }
type CSV struct {
	r    *csv.Reader
	in   *lineLimit
	lim  Limits
	n    int
	last int // line of the last record read
	rec  []string
	err  error
}

// NewCSV reads data (already decoded to UTF-8) under lim. Quotes are read
// leniently and records may have any number of fields. The file size is
// checked against MaxFileBytes by Next.
func NewCSV(data []byte, lim Limits) *CSV {
	lim = lim.withDefaults()
	in := &lineLimit{r: bytes.NewReader(data), max: lim.MaxCols * lim.MaxCellBytes}
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	c := &CSV{r: r, in: in, lim: lim}
	if int64(len(data)) > lim.MaxFileBytes {
		c.err = tooLarge("逗号分隔文本（.csv）超过 %s，请分成几个文件上传", mb(lim.MaxFileBytes))
	}
	return c
}

// Next reads the next record. It returns false at the end of the data or
// at the first problem, which Err reports.
func (c *CSV) Next() bool {
	if c.err != nil {
		return false
	}
	c.in.record = 0
	rec, err := c.r.Read()
	switch {
	case err == io.EOF:
		return false
	case errors.Is(err, errLineTooLong):
		c.err = tooLarge("文件第 %d 行之后有超过 %d 字节的一行或一条记录，请检查文件（可能缺少换行或引号不成对）", c.last, c.in.max)
		return false
	case err != nil:
		c.err = invalid(fmt.Sprintf("文件第 %d 行之后无法读取：%v", c.last, err))
		return false
	}
	c.last, _ = c.r.FieldPos(0)
	if c.n++; c.n > c.lim.MaxRows {
		c.err = tooLarge("文件超过 %d 行，请分成几个文件上传", c.lim.MaxRows)
		return false
	}
	if len(rec) > c.lim.MaxCols {
		c.err = tooLarge("文件第 %d 行超过 %d 列，请检查分隔符", c.last, c.lim.MaxCols)
		return false
	}
	for i, f := range rec {
		if len(f) > c.lim.MaxCellBytes {
			c.err = tooLarge("文件第 %d 行第 %d 列的内容超过 %d 字节，请缩短", c.last, i+1, c.lim.MaxCellBytes)
			return false
		}
	}
	c.rec = rec
	return true
}

// Record is the current record's fields. The slice is reused by the next
// call of Next (the strings in it are not).
func (c *CSV) Record() []string { return c.rec }

// Line is the line the current record starts on (1-based).
func (c *CSV) Line() int { return c.last }

// Err is the problem that stopped Next, or nil at the end of the data.
func (c *CSV) Err() error { return c.err }

var errLineTooLong = errors.New("line too long")

// lineLimit fails a read once a line (bytes since the last newline) or
// the record being read (bytes handed out since Next reset record) grows
// past max; the csv reader's 4 KB read-ahead is allowed on top.
type lineLimit struct {
	r      io.Reader
	max    int
	line   int
	record int
}

const readAhead = 4096

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			l.line = 0
			continue
		}
		if l.line++; l.line > l.max {
			return 0, errLineTooLong
		}
	}
	if l.record += n; l.record > l.max+2*readAhead {
		return 0, errLineTooLong
	}
	return n, err
}
