package sheettest

import (
	"hash/crc32"
	"strings"
	"testing"
)

func TestCRCOfPieces(t *testing.T) {
	head, body, tail := "<head>", "<row/>", "</tail>"
	for _, k := range []int64{0, 1, 2, 3, 7, 64, 1000, 4097} {
		want := crc32.ChecksumIEEE([]byte(head + strings.Repeat(body, int(k)) + tail))
		if got := crcOf(head).then(crcOf(body).times(k)).then(crcOf(tail)).sum; got != want {
			t.Errorf("k=%d: crc %08x, want %08x", k, got, want)
		}
	}
}
