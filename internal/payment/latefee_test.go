package payment_test

import (
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
	"shebao/internal/payment"
	"shebao/internal/policy"
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := clock.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func dayPtr(t *testing.T, s string) *time.Time { d := day(t, s); return &d }

// TestComputeLateFee: the emergency of 2024-01-23 to 2024-04-30 with a
// make-up window to 2024-07-30, on the arrears of domain example §2.4
// (6,583.36 at 0.05% a day).
func TestComputeLateFee(t *testing.T) {
	waives := []policy.Measure{policy.MeasureLateFeeWaived}
	closed := &policy.Emergency{Title: "疫情应急期", LegalBasis: "人社厅明电〔2024〕7号", Measures: waives, Start: day(t, "2024-01-23"),
		End: dayPtr(t, "2024-04-30"), MakeUpUntil: dayPtr(t, "2024-07-30")}
	open := &policy.Emergency{Title: "疫情应急期", LegalBasis: "人社厅明电〔2024〕7号", Measures: waives, Start: day(t, "2024-01-23")}
	noMakeUp := &policy.Emergency{Title: "疫情应急期", LegalBasis: "人社厅明电〔2024〕7号", Measures: waives, Start: day(t, "2024-01-23"),
		End: dayPtr(t, "2024-04-30")}
	noWaiver := &policy.Emergency{Title: "疫情应急期", LegalBasis: "人社厅明电〔2024〕7号", Start: day(t, "2024-01-23"),
		Measures: []policy.Measure{policy.MeasureLateAccepted}}
	cases := []struct {
		name        string
		due, paid   string
		e           *policy.Emergency
		days, waive int64
		fee         money.Fen
		basis       string
	}{
		// 7 days (01-16 … 01-22) were overdue before the start: charged; the other 119 waived.
		{"due before, paid inside the window", "2024-01-15", "2024-05-20", closed, 126, 119, 2304, "开始前已逾期的 7 天照常计收"},
		{"due inside, paid inside (last day of the window)", "2024-03-31", "2024-07-30", closed, 121, 121, 0, "补办期限 2024-07-30 内缴纳"},
		// one day after the window: every day from the original due date, 658,336 × 0.0005 × 122 = 40,158.496 fen
		{"due inside, paid one day after the window", "2024-03-31", "2024-07-31", closed, 122, 0, 40158, "自原缴费期限次日起全额计收"},
		{"no emergency (domain example)", "2024-03-15", "2024-04-29", nil, 45, 0, 14813, "148.13 元（滞纳金日费率 0.05%（依据：社会保险法第八十六条））"},
		{"due before, paid while still open", "2024-01-15", "2024-02-10", open, 26, 19, 2304, "应急期内缴纳"},
		{"due inside, paid while still open", "2024-02-15", "2024-03-10", open, 24, 24, 0, "应急期内缴纳"},
		{"due after the end, paid in the window", "2024-05-15", "2024-06-01", closed, 17, 0, 5596, "滞纳金 = 6,583.36 × 0.05%/日 × 17 天"},
		{"paid before the start", "2024-01-10", "2024-01-20", closed, 10, 0, 3292, "滞纳金 = 6,583.36 × 0.05%/日 × 10 天"},
		{"no make-up: relief ends with the emergency", "2024-03-31", "2024-05-01", noMakeUp, 31, 0, 10204, "补办期限 2024-04-30"},
		{"paid on the due date", "2024-03-31", "2024-03-31", closed, 0, 0, 0, ""},
		{"an emergency without the waiver measure", "2024-01-15", "2024-02-10", noWaiver, 26, 0, 8558, "26 天 = 85.58 元"},
	}
	for _, c := range cases {
		in := payment.LateFeeInput{Arrears: 658336, Rate: money.MustPercent("0.05"), RateBasis: "滞纳金日费率 0.05%（依据：社会保险法第八十六条）",
			DueOn: day(t, c.due), PaidOn: day(t, c.paid), Emergency: c.e}
		r := payment.ComputeLateFee(in)
		if r.Days != c.days || r.DaysWaived != c.waive || r.Fee != c.fee || r.DaysCharged() != c.days-c.waive {
			t.Errorf("%s: %d days, %d waived, fee %s; want %d, %d, %s", c.name, r.Days, r.DaysWaived, r.Fee.Plain(),
				c.days, c.waive, c.fee.Plain())
		}
		if !strings.Contains(r.Basis, c.basis) {
			t.Errorf("%s: basis %q lacks %q", c.name, r.Basis, c.basis)
		}
	}
}

// TestComputeLateFeeSplitShown: the basis shows the split and the rule.
func TestComputeLateFeeSplitShown(t *testing.T) {
	waives := []policy.Measure{policy.MeasureLateFeeWaived}
	e := &policy.Emergency{Title: "疫情应急期", LegalBasis: "人社厅明电〔2024〕7号", Measures: waives, Start: day(t, "2024-01-23")}
	r := payment.ComputeLateFee(payment.LateFeeInput{Arrears: 658336, Rate: money.MustPercent("0.05"), RateBasis: "社会保险法第八十六条",
		DueOn: day(t, "2024-01-15"), PaidOn: day(t, "2024-02-10"), Emergency: e})
	for _, want := range []string{"逾期 26 天，计收 7 天，免收 19 天", "6,583.36 × 0.05%/日 × 7 天 = 23.04 元", "社会保险法第八十六条",
		"人社厅明电〔2024〕7号", "2024-01-23"} {
		if !strings.Contains(r.Basis, want) {
			t.Errorf("basis %q lacks %q", r.Basis, want)
		}
	}
}

// TestLateFeeWaiverExpires: a bill confirmed under an emergency that
// waives late fees, the emergency ended 2024-04-30 (make-up until
// 2024-07-30). Paid on the window's last day nothing is charged; paid one
// day later (a bank transfer matched automatically) the fee runs from the
// original due date, whatever the bill recorded at confirmation.
func TestLateFeeWaiverExpires(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-07-30")
		admin := &access.Actor{UserID: 1, Username: "admin", Role: access.RoleAdmin, Sections: access.Sections}
		em, err := e.pol.Declare(ctx, admin, policy.Epidemic2024())
		if err != nil {
			t.Fatal(err)
		}
		if em, err = e.pol.SetEnd(ctx, admin, em.ID, em.Version, "2024-04-30"); err != nil || em.MakeUpUntil == nil {
			t.Fatalf("end: %+v %v", em, err)
		}
		a := e.employer(t, "北京甲科技有限公司", "")
		waive := func(id int64) {
			t.Helper()
			if _, err := d.W.ExecContext(ctx, `UPDATE bills SET late_fee_waived = TRUE, waiver_basis = '疫情：免收滞纳金' WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
		}
		id1, ref1 := e.bill(t, a, "2024-02", "2024-03-31", 400000, 20000, 238336)
		waive(id1)
		p1, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref1, TerminalRef: "T0001", CardLast4: "1234", Amount: "6583.36"})
		if err != nil || p1.LateFee != 0 || p1.LateFeeDays != 121 || p1.DaysWaived != 121 {
			t.Fatalf("last day of the window: %+v %v", p1, err)
		}
		id2, ref2 := e.bill(t, a, "2024-01", "2024-03-31", 400000, 20000, 238336)
		waive(id2)
		// 658,336 × 0.0005 × 122 = 40,158.496 fen → 401.58; 6,583.36 + 401.58 = 6,984.94
		e.c.Set(e.c.Now().AddDate(0, 0, 1))
		csv := header + csvLine("2024-07-31", "S1", "北京甲科技有限公司", "", "6984.94", "社保费 "+ref2)
		res, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "s.csv", Data: []byte(csv)})
		if err != nil || res.Matched != 1 {
			t.Fatalf("import: %+v %v", res, err)
		}
		var fee, days, waived int64
		var note string
		if err := d.W.QueryRowContext(ctx, `SELECT late_fee_fen, late_fee_days, late_fee_days_waived, late_fee_note FROM payments
			WHERE bill_id = $1`, id2).Scan(&fee, &days, &waived, &note); err != nil {
			t.Fatal(err)
		}
		if fee != 40158 || days != 122 || waived != 0 || !strings.Contains(note, "补办期限 2024-07-30") {
			t.Fatalf("one day after the window: fee %d, %d days, %d waived, %q", fee, days, waived, note)
		}
		checkInvariants(t, d)
	})
}
