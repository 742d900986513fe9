package pdfdoc

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/skip2/go-qrcode"
)

func sample(t testing.TB) []byte {
	t.Helper()
	d, err := New()
	if errors.Is(err, ErrNoFont) {
		skipNoFont(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	d.SetDate(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	d.Title("参保缴费证明")
	d.Text("兹证明下列人员在本机构参加基本养老保险，缴费情况如下。")
	d.KeyValues([]KV{{"姓名", "张三丰"}, {"公民身份号码", "110101199003070024"}, {"缴费期间", "2024年01月—2024年03月"}})
	d.Lines([]Column{{"费款所属期", 40, false}, {"险种", 40, false}, {"缴费基数", 45, true}, {"金额", 45, true}},
		[][]string{{"2024-01", "基本养老保险", "4,800.00", "960.00"}, {"2024-02", "失业保险", "4,800.00", "24.00"}},
		[]string{"合计", "", "", "984.00"})
	d.Footer("ABCD-EFGH-JKLM-NPQR", "https://shebao.example/certificate/check?code=ABCDEFGHJKLMNPQR", "可扫描二维码或登录本机构网站核验")
	d.Seal("某区社会保险事业管理中心", "3f2a9c")
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPDFHasChineseText(t *testing.T) {
	b := sample(t)
	if !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("not a PDF: %q", b[:10])
	}
	if !bytes.Contains(b, []byte("/FontFile2")) || !bytes.Contains(b, []byte("/CIDFontType2")) {
		t.Fatal("the CJK font is not embedded")
	}
	if len(b) > 200_000 {
		t.Fatalf("PDF is %d bytes: the font is not subset", len(b))
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext not installed: text extraction not checked")
		return
	}
	f := t.TempDir() + "/a.pdf"
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"参保缴费证明", "张三丰", "基本养老保险", "960.00", "ABCD-EFGH-JKLM-NPQR", "某区社会保险事业管理中心"} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q:\n%s", want, text)
		}
	}
}

func TestExtractFaceOfPlainTTFIsIdentity(t *testing.T) {
	raw := []byte("\x00\x01\x00\x00rest-of-a-font")
	got, err := ExtractFace(raw, 0)
	if err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := ExtractFace([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01"), 0); err == nil {
		t.Fatal("truncated collection accepted")
	}
}

func TestMissingFontSaysSo(t *testing.T) {
	UseFont("/nonexistent/font.ttc")
	t.Cleanup(func() { UseFont("") })
	_, err := New()
	if !errors.Is(err, ErrNoFont) {
		t.Fatalf("err = %v, want ErrNoFont", err)
	}
	if !strings.Contains(err.Error(), "fonts-wqy-microhei") {
		t.Fatalf("message does not name the font: %v", err)
	}
}

func BenchmarkCertificatePDF(b *testing.B) {
	sample(b) // font loaded once
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sample(b)
	}
}

func TestExtractFaceRebuildsCollectionMember(t *testing.T) {
	// A collection of one face built around a known font: the member must
	// come back byte for byte with offsets rewritten.
	face := assemble(map[string][]byte{"head": bytes.Repeat([]byte{1}, 54), "name": []byte("abc")})
	ttc := append([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10"), face...)
	// Shift every table offset by the 16-byte collection header.
	n := int(be.Uint16(face[4:]))
	for i := 0; i < n; i++ {
		p := 16 + 12 + 16*i + 8
		be.PutUint32(ttc[p:], be.Uint32(ttc[p:])+16)
	}
	got, err := ExtractFace(ttc, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, face) {
		t.Fatalf("extracted face differs:\n got %x\nwant %x", got, face)
	}
	if _, err := ExtractFace(ttc, 1); err == nil {
		t.Fatal("face 1 of a one-face collection accepted")
	}
}

func TestLongTableSpansPages(t *testing.T) {
	d, err := New()
	if errors.Is(err, ErrNoFont) {
		skipNoFont(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	d.Title("缴费记录")
	var rows [][]string
	for i := 0; i < 400; i++ {
		rows = append(rows, []string{"第" + strings.Repeat("一", 1+i%3) + "行", "960.00"})
	}
	rows[399][0] = "最后一行"
	d.Lines([]Column{{"项目", 100, false}, {"金额", 70, true}}, rows, nil)
	d.Footer("ABCD", "https://x/check?code=ABCD", "核验")
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatal("not a PDF")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return
	}
	f := t.TempDir() + "/long.pdf"
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "最后一行") || strings.Count(string(out), "验证码：ABCD") < 5 {
		t.Fatalf("last row or per-page footers missing (%d footers)", strings.Count(string(out), "验证码：ABCD"))
	}
}

// skipNoFont skips a PDF test when the CJK font is missing, unless
// SHEBAO_TEST_PDF is set (CI sets it), when that is a failure.
func skipNoFont(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("SHEBAO_TEST_PDF") != "" {
		t.Fatalf("CJK font required (SHEBAO_TEST_PDF set): %v", err)
	}
	t.Skip("CJK font not installed; set SHEBAO_TEST_PDF=1 to require it:", err)
}

// The footer's QR code is drawn as runs of dark modules: the runs cover
// exactly the dark modules of the code's bitmap, nothing more.
func TestQRRunsCoverTheBitmap(t *testing.T) {
	q, err := qrcode.New("https://shebao.example/certificate/check?code=ABCDEFGHJKLMNPQRSTUV", qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bm := q.Bitmap()
	got := make([][]bool, len(bm))
	for y := range got {
		got[y] = make([]bool, len(bm[y]))
	}
	dark := 0
	for _, r := range qrRuns(bm) {
		for x := r.x; x < r.x+r.w; x++ {
			if got[r.y][x] {
				t.Fatalf("module %d,%d drawn twice", x, r.y)
			}
			got[r.y][x] = true
		}
	}
	for y := range bm {
		for x := range bm[y] {
			if bm[y][x] != got[y][x] {
				t.Fatalf("module %d,%d: bitmap %v, drawn %v", x, y, bm[y][x], got[y][x])
			}
			if bm[y][x] {
				dark++
			}
		}
	}
	if dark < 100 {
		t.Fatalf("only %d dark modules: not a QR code", dark)
	}
}

// A paragraph and a table value longer than a line keep every character:
// fpdf's own wrapping dropped the character at each break of a Chinese
// line (a 联系函 read "关系入我处" for "关系转入我处").
func TestLongChineseTextKeepsEveryCharacter(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	d, err := New()
	if errors.Is(err, ErrNoFont) {
		skipNoFont(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	para := "参保人员陈达（公民身份号码210102197710116315）已在我处参保，申请将基本养老保险关系转入我处。经审核，同意接收。请按规定出具参保缴费信息表并转移基金。"
	value := "是（男满五十周岁、女满四十周岁转往非户籍所在地，转入地建立临时基本养老保险缴费账户，待遇领取地另行确定）"
	d.Text(para)
	d.KeyValues([]KV{{"临时缴费账户", value}, {"业务编号", "ZR20261206KOK24M"}})
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	f := t.TempDir() + "/a.pdf"
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("\n", "", " ", "", "\f", "").Replace(string(out))
	for _, want := range []string{para, value, "ZR20261206KOK24M"} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q:\n%s", want, text)
		}
	}
}
