package demo

import (
	"context"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/payout"
	"shebao/internal/transfer"
)

// TransferResult names the demo's two transfers (转移接续).
type TransferResult struct {
	In  string // transfer in under way: 联系函 issued, the old agency's 信息表 awaited
	Out string // transfer out paid to the new agency and closed
}

// accountClerk is the demo login of 个人账户科 (zhanghu), so the transfer
// pages name a clerk a user can log in as; demoAccountClerk when there is
// none.
func accountClerk(ctx context.Context, d *db.DB) *access.Actor {
	a := *demoAccountClerk
	_ = d.Read().QueryRowContext(ctx, `SELECT id, username FROM users WHERE username = 'zhanghu' AND role = 'staff'`).Scan(&a.UserID, &a.Username)
	return &a
}

// transfers gives 个人账户科's queue two transfers through the transfer
// service, as the section would have handled them: a person with a demo
// login who applied by e-mail to bring a record in from Wuhan, whose 联系函
// is issued and whose old agency's 信息表 is still awaited; and a person who
// left their employer, whose record went out to Chengdu: the new place's
// 联系函 recorded, the 信息表 computed, the funds prepared by 个人账户科,
// approved by 基金管理科, sent to the bank and answered as paid, and the
// transfer closed. Without Deps.Transfers (or, for the transfer out,
// Deps.Payouts) there are none.
func (g *generator) transfers(ctx context.Context) (*TransferResult, error) {
	res := &TransferResult{}
	if g.Transfers == nil {
		return res, nil
	}
	clerk := accountClerk(ctx, g.DB)
	if in := g.transferInPerson(); in != "" {
		t, err := g.Transfers.OpenIn(ctx, clerk, transfer.InInput{IDNumber: in, Channel: "email",
			OtherAgency: "武汉市江汉区社会保险事业管理局", OtherRegion: "420103"})
		if err != nil {
			return nil, err
		}
		if t, err = g.Transfers.IssueLetter(ctx, clerk, t.ID, t.Version); err != nil {
			return nil, err
		}
		res.In = t.No
	}
	if g.Payouts == nil {
		return res, nil
	}
	out, err := transferOutPerson(ctx, g.DB)
	if err != nil || out == "" {
		return res, err
	}
	if err := g.ensureBanks(ctx); err != nil {
		return nil, err
	}
	t, err := g.Transfers.OpenOut(ctx, clerk, transfer.OutInput{IDNumber: out, Channel: "post",
		OtherAgency: "成都市武侯区社会保险事业管理局", OtherRegion: "510107", OtherLetter: "川武社保转〔2024〕0316号",
		PayName: "成都市武侯区社会保险事业管理局", PayAccount: "51001870836051508216", PayBank: "中国建设银行成都武侯支行"})
	if err != nil {
		return nil, err
	}
	if t, err = g.Transfers.IssueForm(ctx, clerk, t.ID, t.Version); err != nil {
		return nil, err
	}
	if t, err = g.Transfers.PreparePayout(ctx, clerk, t.ID, t.Version); err != nil {
		return nil, err
	}
	if err := g.payTransfer(ctx, t.PayoutKey); err != nil {
		return nil, err
	}
	if t, err = g.Transfers.Close(ctx, clerk, t.ID, t.Version); err != nil {
		return nil, err
	}
	res.Out = t.No
	return res, nil
}

// transferInPerson is the demo person with a login and two periods of
// insurance (the first one with a login when there is none such).
func (g *generator) transferInPerson() string {
	for _, p := range g.demoPersons {
		if p.label == "有两段参保经历" {
			return p.idNumber
		}
	}
	if len(g.demoPersons) > 0 {
		return g.demoPersons[0].idNumber
	}
	return ""
}

// transferOutPerson is an employee without a login who no longer works in
// the district (no open employment), with paid pension months and none
// assessed and unpaid: the one whose record leaves.
func transferOutPerson(ctx context.Context, d *db.DB) (string, error) {
	var idn string
	err := d.Read().QueryRowContext(ctx, `SELECT p.id_number FROM persons p
		WHERE p.kind = 'employee' AND p.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id)
		AND NOT EXISTS (SELECT 1 FROM employments m WHERE m.person_id = p.id AND COALESCE(m.end_month, '') = '')
		AND EXISTS (SELECT 1 FROM contribution_records r WHERE r.person_id = p.id AND r.scheme = 'pension' AND r.paid)
		AND NOT EXISTS (SELECT 1 FROM bill_lines l JOIN bills b ON b.id = l.bill_id
			WHERE l.person_id = p.id AND b.status IN ('confirmed', 'partially_paid'))
		ORDER BY p.id LIMIT 1`).Scan(&idn)
	if db.IsNoRows(err) {
		return "", nil
	}
	return idn, errs.Wrap(err, "demo: transfer out person")
}

// payTransfer has 基金管理科 approve the transfer's payout line, send it in
// a bank file of its agent bank and import the bank's answer: paid.
func (g *generator) payTransfer(ctx context.Context, key string) error {
	fund, err := fundClerk(ctx, g.DB)
	if err != nil {
		return err
	}
	l, err := g.Payouts.ByKey(ctx, nil, key)
	if err != nil {
		return err
	}
	if _, err := g.Payouts.Approve(ctx, fund, []int64{l.ID}, "演示数据：转移基金划转复核"); err != nil {
		return err
	}
	batch, _, err := g.Payouts.CreateBatch(ctx, fund, l.BankCode)
	if err != nil {
		return err
	}
	ret, err := g.Payouts.SimulatedReturn(ctx, fund, batch.ID, nil)
	if err != nil {
		return err
	}
	_, err = g.Payouts.ImportReturn(ctx, fund, batch.ID, ret.Name, ret.Data)
	return err
}

// ensureBanks saves the two demo agent banks when the retirees did not.
func (g *generator) ensureBanks(ctx context.Context) error {
	var n int
	if err := g.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM payout_banks`).Scan(&n); err != nil {
		return errs.Wrap(err, "demo: banks")
	}
	if n > 0 {
		return nil
	}
	return saveDemoBanks(ctx, g.Payouts)
}

// demoBanks are the demo's agent banks: ICBC with a CSV/GBK profile, CCB
// with XLSX.
func demoBanks() []payout.Bank {
	csvGBK, xlsx := payout.DemoProfiles()
	return []payout.Bank{{Code: "ICBC", Name: "中国工商银行", Profile: csvGBK, Active: true}, {Code: "CCB", Name: "中国建设银行", Profile: xlsx, Active: true}}
}

func saveDemoBanks(ctx context.Context, p *payout.Service) error {
	for _, b := range demoBanks() {
		if _, err := p.SaveBank(ctx, access.System, b); err != nil {
			return err
		}
	}
	return nil
}
