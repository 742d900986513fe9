package pdfdoc

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

// TestWrapKeepsEveryCharacter: Chinese text without spaces is broken into
// lines that fit, losing no character (fpdf's own wrapping dropped one at
// each break), keeping Latin words whole and never starting a line with
// a closing mark.
func TestWrapKeepsEveryCharacter(t *testing.T) {
	ttf, err := loadFont(FontPath())
	if err != nil {
		skipNoFont(t, err)
	}
	p := fpdf.New("P", "mm", "A4", "")
	runes := map[rune]bool{}
	s := "定点医院和银行通过接口与社保经办机构交换数据，不需要人工登录网站。接口密钥由系统管理员创建后只显示一次，请通过安全渠道领取，每个请求带上 Authorization: Bearer 加接口密钥，接口文档在 /api/v1/openapi.json。"
	for _, r := range s {
		runes[r] = true
	}
	font, err := subsetFont(ttf, runes)
	if err != nil {
		t.Fatal(err)
	}
	p.AddUTF8FontFromBytes(family, "", font)
	p.SetFont(family, "", bodySize)
	for _, w := range []float64{40, 73.5, 120} {
		lines := wrap(p, s, w)
		if got := strings.Join(lines, ""); got != s {
			t.Fatalf("width %v: lost characters:\n%q\n%q", w, got, s)
		}
		for i, l := range lines {
			if p.GetStringWidth(l) > w+0.01 {
				t.Errorf("width %v: line %q is %.1f mm", w, l, p.GetStringWidth(l))
			}
			if i > 0 && strings.ContainsAny(l[:len(string([]rune(l)[0]))], "，。、") {
				t.Errorf("width %v: line starts with a closing mark: %q", w, l)
			}
			if strings.HasPrefix(l, "penapi") || strings.HasSuffix(l, "Authoriz") {
				t.Errorf("width %v: a word was cut: %q", w, l)
			}
		}
	}
}

// TestBookHasContentsAndPages: a book renders with the contents on its
// own page after the cover.
func TestBookHasContentsAndPages(t *testing.T) {
	b, err := NewBook("测试手册", "版本：1.0", "日期：2024年2月10日")
	if err != nil {
		skipNoFont(t, err)
	}
	for i := 0; i < 3; i++ {
		b.Chapter("第一章")
		b.Section("一节")
		b.Text(strings.Repeat("很长的一段文字，", 80))
		b.Step(1, "点击“确认”。")
		b.Table([2]string{"提示", "怎么办"}, [][2]string{{"错误", "改正后重新提交"}})
	}
	pdf, err := b.Bytes()
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("%v", err)
	}
	if n := bytes.Count(pdf, []byte("/Type /Page\n")); n < 5 {
		t.Errorf("%d pages, want cover, contents and chapters", n)
	}
}
