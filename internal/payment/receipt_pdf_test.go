package payment_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shebao/internal/payment"
	"shebao/internal/pdfdoc"
)

// TestReceiptPDFShowsLateFeeSplit: the PDF receipt prints the days late,
// charged and waived next to the fee.
func TestReceiptPDFShowsLateFeeSplit(t *testing.T) {
	p := &payment.Payment{Channel: payment.Transfer, BillNo: "HD2023-12-1", FeeMonth: "2023-12", PaidOn: "2024-02-10",
		Serial: "S1", Applied: 658336, LateFee: 2304, LateFeeDays: 26, DaysWaived: 19, ReceiptCode: "ABCDEFGHJKLMNPQR",
		LateFeeNote: "逾期 26 天，计收 7 天，免收 19 天"}
	r := &payment.Receipt{Payment: p, Payer: "北京甲科技有限公司", Total: 658336 + 2304, Issuer: "基金管理科",
		IssuedAt: time.Date(2024, 2, 10, 2, 0, 0, 0, time.UTC), CheckURL: "/receipts/check?code=ABCDEFGHJKLMNPQR",
		Lines: []payment.ReceiptLine{{Scheme: "pension", Name: "基本养老保险", Amount: 658336, LateFee: 2304}}}
	b, err := payment.ReceiptPDF(r)
	if errors.Is(err, pdfdoc.ErrNoFont) {
		if os.Getenv("SHEBAO_TEST_PDF") != "" {
			t.Fatalf("CJK font required (SHEBAO_TEST_PDF set): %v", err)
		}
		t.Skip("CJK font not installed; set SHEBAO_TEST_PDF=1 to require it:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("SHEBAO_TEST_PDF") != "" {
			t.Fatal("pdftotext required (SHEBAO_TEST_PDF set)")
		}
		t.Skip("pdftotext not installed")
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, want := range []string{"滞纳金计算", "逾期26天，计收7天，免收19天，滞纳金23.04元"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt PDF lacks %q:\n%s", want, out)
		}
	}
}
