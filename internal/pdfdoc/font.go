package pdfdoc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
)

// DefaultFontPath is where Debian's fonts-wqy-microhei installs its
// TrueType collection. UseFont overrides it.
const DefaultFontPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

// FontEnv names the environment variable that points at the CJK font
// (a .ttc collection or a plain .ttf); cmd/shebao reads it into the
// configuration, which app.Open hands to UseFont.
const FontEnv = "SHEBAO_CJK_FONT"

// fontPath is the font UseFont set ("" for the default).
var fontPath struct {
	sync.Mutex
	path string
}

// UseFont makes path the CJK font of this process; "" restores
// DefaultFontPath.
func UseFont(path string) {
	fontPath.Lock()
	defer fontPath.Unlock()
	fontPath.path = path
}

// ErrNoFont says that no CJK font could be loaded, so no PDF can be made.
// Callers offer the printable HTML version instead.
var ErrNoFont = errors.New("未找到中文字体（fonts-wqy-microhei），无法生成 PDF；请安装该字体或使用网页打印版")

// fontCache holds the extracted face per path, loaded once per process.
var fontCache sync.Map // path -> *fontEntry

type fontEntry struct {
	once sync.Once
	ttf  []byte
	err  error
}

// FontPath returns the font UseFont set, or the Debian default.
func FontPath() string {
	fontPath.Lock()
	defer fontPath.Unlock()
	if fontPath.path != "" {
		return fontPath.path
	}
	return DefaultFontPath
}

// loadFont reads the font at path once per process and returns a
// standalone TrueType font (face 0 of a collection).
func loadFont(path string) ([]byte, error) {
	v, _ := fontCache.LoadOrStore(path, &fontEntry{})
	e := v.(*fontEntry)
	e.once.Do(func() {
		raw, err := os.ReadFile(path)
		if err != nil {
			e.err = fmt.Errorf("%w (%s)", ErrNoFont, path)
			return
		}
		e.ttf, err = ExtractFace(raw, 0)
		if err != nil {
			e.err = fmt.Errorf("%w (%s: %v)", ErrNoFont, path, err)
		}
	})
	return e.ttf, e.err
}

// Available reports whether the CJK font can be loaded (nil) or why not
// (an error wrapping ErrNoFont).
func Available() error {
	_, err := loadFont(FontPath())
	return err
}

// ExtractFace returns face n of a TrueType collection ('ttcf') as a
// standalone TrueType font: its table directory and tables copied with
// recomputed offsets. A plain TrueType font is returned unchanged.
func ExtractFace(raw []byte, n int) ([]byte, error) {
	if len(raw) < 12 {
		return nil, errors.New("字体文件太短")
	}
	if string(raw[:4]) != "ttcf" {
		return raw, nil
	}
	num := int(binary.BigEndian.Uint32(raw[8:12]))
	if n < 0 || n >= num || len(raw) < 12+4*num {
		return nil, fmt.Errorf("字体集合中没有第 %d 个字形", n)
	}
	off := int(binary.BigEndian.Uint32(raw[12+4*n:]))
	if off+12 > len(raw) {
		return nil, errors.New("字体集合偏移量超出文件")
	}
	numTables := int(binary.BigEndian.Uint16(raw[off+4:]))
	dirEnd := off + 12 + 16*numTables
	if dirEnd > len(raw) {
		return nil, errors.New("字体表目录超出文件")
	}
	size := 12 + 16*numTables
	for i := 0; i < numTables; i++ {
		rec := raw[off+12+16*i:]
		size += (int(binary.BigEndian.Uint32(rec[12:])) + 3) &^ 3
	}
	out := make([]byte, 12+16*numTables, size)
	copy(out, raw[off:off+12])
	for i := 0; i < numTables; i++ {
		rec := raw[off+12+16*i : off+12+16*i+16]
		tOff := int(binary.BigEndian.Uint32(rec[8:]))
		tLen := int(binary.BigEndian.Uint32(rec[12:]))
		if tOff < 0 || tLen < 0 || tOff+tLen > len(raw) {
			return nil, errors.New("字体表超出文件")
		}
		dst := out[12+16*i:]
		copy(dst[:8], rec[:8]) // tag, checksum
		binary.BigEndian.PutUint32(dst[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(dst[12:], uint32(tLen))
		out = append(out, raw[tOff:tOff+tLen]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}
