package demo

import (
	"bytes"
	"context"
	"database/sql"
	"image"
	"image/color"
	"image/png"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/money"
	"shebao/internal/person"
	"shebao/internal/upkeep"
)

// UpkeepResult names the demo's retiree record upkeep (退休人员缴费记录维护).
type UpkeepResult struct {
	Pending string // a correction waiting in 个人账户科's queue
	Batch   string // a batch checked by a second clerk and applied
}

// demoAccountChecker is the second clerk of 个人账户科 who checks the demo's batch.
var demoAccountChecker = &access.Actor{UserID: -4, Username: "个人账户科复核人员（演示）", Role: access.RoleStaff, Sections: []access.Section{access.Account}}

// upkeepDemo gives the demo retiree with a login his pension records of
// 1996–2004 (a base of 1,200 元, two months recorded as unpaid) and two
// corrections raised by 个人账户科 with a scan: 1998年3月 found paid, batched,
// checked by a second clerk and applied (his pension was determined before
// Shebao: no recomputation); 2003年2月 waiting in the queue. Without
// Deps.Upkeep or the retiree login there is none.
func upkeepDemo(ctx context.Context, d Deps, login *Login) (*UpkeepResult, error) {
	res := &UpkeepResult{}
	if d.Upkeep == nil || login == nil {
		return res, nil
	}
	p, err := person.FindByIDNumber(ctx, d.DB.Read(), login.Username)
	if err != nil {
		return nil, err
	}
	var recs []contribution.Record
	for m := (clock.Month{Year: 1996, Mon: 1}); m.Year < 2005; m = m.Add(1) {
		s := m.String()
		recs = append(recs, contribution.Record{PersonID: p.ID, Month: s, Scheme: contribution.Pension, PayerKind: "employer",
			PayerName: "北京第二机床厂", Base: money.Fen(120_000), Employer: 24_000, Individual: 4_800 + money.Fen(2_400*btoi(s >= "1998-01")),
			Paid: s != "1998-03" && s != "2003-02"})
	}
	now := d.Clock.Now()
	if err := d.DB.WithTx(ctx, func(tx *sql.Tx) error {
		return contribution.InsertRecords(ctx, tx, recs, contribution.SourceDemo, 0, now)
	}); err != nil {
		return nil, err
	}
	clerk := accountClerk(ctx, d.DB)
	raise := func(month, reason string) (*upkeep.Correction, error) {
		return d.Upkeep.Raise(ctx, clerk, upkeep.RaiseInput{IDNumber: login.Username, From: month, Paid: upkeep.PaidYes, Reason: reason,
			Evidence: []upkeep.Upload{{Name: "缴费凭证.png", R: bytes.NewReader(demoScan())}}})
	}
	done, err := raise("1998-03", "原单位银行进账单证明 1998年3月 养老保险费已到账，原系统漏记")
	if err != nil {
		return nil, err
	}
	b, err := d.Upkeep.CreateBatch(ctx, clerk, []int64{done.ID}, "演示批次")
	if err != nil {
		return nil, err
	}
	if b, err = d.Upkeep.Check(ctx, demoAccountChecker, b.ID, b.Version); err != nil {
		return nil, err
	}
	if b, err = d.Upkeep.Apply(ctx, demoAccountChecker, b.ID); err != nil {
		return nil, err
	}
	res.Batch = b.No
	pending, err := raise("2003-02", "原单位提供 2003年2月 缴费凭证，待核实后更正为已到账")
	if err != nil {
		return nil, err
	}
	res.Pending = pending.No
	return res, nil
}

func btoi(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// demoScan is a small picture standing for a scanned receipt.
func demoScan() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 60, 40))
	for x := 0; x < 60; x++ {
		for y := 0; y < 40; y++ {
			img.Set(x, y, color.RGBA{R: 240, G: uint8(200 + y), B: uint8(180 + x), A: 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
