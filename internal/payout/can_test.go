package payout

import (
	"context"
	"shebao/internal/clock"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// TestSectionsSeeTheLinesTheyPrepare: 保险福利科 lists and opens the pension
// lines it prepares but not the injury lines; 工伤保险待遇科 the reverse; the
// fund section sees both; a section that prepares no payouts sees none.
// Approving stays with the fund section; a section cancels only its own
// benefits' lines.
func TestSectionsSeeTheLinesTheyPrepare(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		pension, _, err := e.s.Prepare(ctx, welfare, pensionReq(1, "2024-02", money.Yuan(3000)))
		if err != nil {
			t.Fatal(err)
		}
		ir := pensionReq(2, "", money.Yuan(800))
		ir.Benefit, ir.SourceKind, ir.SourceID = "injury_medical", "injury_claim", "GS-1"
		inj, _, err := e.s.Prepare(ctx, injuryC, ir)
		if err != nil {
			t.Fatal(err)
		}
		coord := &access.Actor{UserID: 41, Username: "coord1", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
		for _, c := range []struct {
			who  *access.Actor
			want []int64
		}{{welfare, []int64{pension.ID}}, {injuryC, []int64{inj.ID}}, {fund1, []int64{inj.ID, pension.ID}}} {
			p, err := e.s.List(ctx, c.who, Filter{})
			if err != nil {
				t.Fatalf("%s: %v", c.who.Username, err)
			}
			var got []int64
			for _, l := range p.Lines {
				got = append(got, l.ID)
			}
			if len(got) != len(c.want) || p.Count != int64(len(c.want)) {
				t.Fatalf("%s sees %v (count %d), want %v", c.who.Username, got, p.Count, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("%s sees %v, want %v", c.who.Username, got, c.want)
				}
			}
		}
		if _, err := e.s.List(ctx, coord, Filter{}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("统筹科 lists payouts: %v", err)
		}
		if _, err := e.s.Get(ctx, welfare, pension.ID); err != nil {
			t.Fatalf("保险福利科 opens its pension line: %v", err)
		}
		if _, err := e.s.Get(ctx, welfare, inj.ID); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("保险福利科 opens an injury line: %v", err)
		}
		if _, err := e.s.Get(ctx, injuryC, pension.ID); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("工伤保险待遇科 opens a pension line: %v", err)
		}
		if err := Can(welfare, ApproveLines, nil); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("保险福利科 may approve: %v", err)
		}
		if _, err := e.s.Approve(ctx, welfare, []int64{pension.ID}, ""); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("保险福利科 approved: %v", err)
		}
		if err := e.s.Cancel(ctx, welfare, inj.ID, inj.Version, "不应作废"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("保险福利科 cancelled an injury line: %v", err)
		}
		if Can(welfare, CancelLine, pension) != nil || Can(welfare, CancelLine, inj) == nil {
			t.Fatal("cancel permission per benefit is wrong")
		}
		if _, err := e.s.Approve(ctx, fund1, []int64{pension.ID, inj.ID}, ""); err != nil {
			t.Fatalf("fund approves: %v", err)
		}
		got, _ := e.s.Get(ctx, welfare, pension.ID)
		if err := Can(welfare, CancelLine, got); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("保险福利科 may cancel an approved line: %v", err)
		}
		checkLedger(t, d)
	})
}

func TestHoldReasonNames(t *testing.T) {
	for reason, want := range map[string]string{
		"":           "",
		HoldCard:     "社保卡未激活，暂停发放",
		HoldEncoding: "户名含银行文件无法表示的文字，暂未送银行",
		HoldAccount:  "尚未登记收款账户，暂停发放",
		"医院收款账户待基金管理科登记":   "医院收款账户待基金管理科登记",
		"some_future_code": "尚未登记收款账户，暂停发放",
	} {
		if got := HoldReasonName(reason); got != want {
			t.Errorf("%q: %q, want %q", reason, got, want)
		}
	}
}

// TestFundChartMonthsInChinese: the chart's month labels read 23年3月 when
// twelve months share the width (2023年3月 in the tooltips and the table),
// never "23-03".
func TestFundChartMonthsInChinese(t *testing.T) {
	rep := &FundReport{Rows: []FundMonth{{Month: "2023-03", Scheme: "pension", Income: 100, Expense: 50}}}
	m := clock.Month{Year: 2023, Mon: 3}
	for i := 0; i < 12; i++ {
		rep.Months = append(rep.Months, m.Add(i).String())
	}
	svg := chart(rep)
	for _, want := range []string{">23年3月</text>", ">24年2月</text>", "<title>2023年3月 收入 1.00 元</title>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if strings.Contains(svg, "23-03") || strings.Contains(svg, "2023-03") {
		t.Error("chart shows a month as 23-03")
	}
	rep.Months = rep.Months[:3]
	if svg := chart(rep); !strings.Contains(svg, ">2023年3月</text>") {
		t.Error("with room for it, the chart does not write the full year")
	}
	if got := rep.Rows[0].MonthText(); got != "2023年3月" {
		t.Errorf("table month %q", got)
	}
}
