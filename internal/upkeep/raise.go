package upkeep

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/person"
	"shebao/internal/retirement"
)

// Upload is one evidence scan as uploaded.
type Upload struct {
	Name string
	R    io.Reader
}

// RaiseInput is a correction as raised: from a retirement case (CaseNo,
// 保险福利科) or for a retiree's ID number (个人账户科); the period, the
// corrected base in 元 and/or paid status, the reason and the scans.
type RaiseInput struct {
	CaseNo   string
	IDNumber string
	From, To string // 'YYYY-MM'
	Base     string // 元; "" = unchanged
	Paid     string // "", "paid", "unpaid"
	Reason   string
	Evidence []Upload
}

// MaxEvidence is how many scans a correction may carry.
const MaxEvidence = 5

// maxMonths is the longest period one correction may cover.
const maxMonths = 600

// Raise records a correction in 个人账户科's queue after checking it: the
// person is a retiree or has a retirement case, the months are theirs
// (historical pension records, not in the future, not assessed in
// Shebao), the base lies within each month's limits, a real change, a
// reason and at least one scan (checked by its bytes). Errors:
// Unauthenticated, Forbidden, NotFound (case), Invalid (fields named),
// Conflict (an open correction overlaps the period).
func (s *Service) Raise(ctx context.Context, a *access.Actor, in RaiseInput) (*Correction, error) {
	c, err := s.subject(ctx, a, in)
	if err != nil {
		return nil, err
	}
	if err := s.validate(ctx, c, in); err != nil {
		return nil, err
	}
	if err := refuseOverlap(ctx, s.db.Read(), c); err != nil {
		return nil, err
	}
	if err := s.storeEvidence(ctx, a, c, in.Evidence); err != nil {
		return nil, err
	}
	c.Status, c.RaisedBy, c.CreatedAt, c.Version = Pending, a.UserID, s.now(), 1
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := refuseOverlap(ctx, tx, c); err != nil {
			return err
		}
		if err := insertCorrection(ctx, tx, c); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "upkeep.correction.raise", Entity: "record_correction", EntityID: c.No,
			After: map[string]any{"id_number": c.Masked(), "case_no": c.CaseNo, "from": c.From.String(), "to": c.To.String(),
				"base_fen": c.Base, "paid": c.Paid, "evidence": len(c.Evidence)}, Note: c.Reason})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// subject finds the person the correction is about and checks who raises it.
func (s *Service) subject(ctx context.Context, a *access.Actor, in RaiseInput) (*Correction, error) {
	c := &Correction{CaseNo: strings.TrimSpace(in.CaseNo)}
	var pid int64
	if c.CaseNo != "" {
		if err := s.check(a, RaiseFromCase); err != nil {
			return nil, err
		}
		id, err := retirement.PersonOfCase(ctx, s.db.Read(), c.CaseNo)
		if err != nil {
			return nil, err
		}
		pid, c.Channel = id, ChannelRetirement
	} else {
		if err := s.check(a, RaiseDirect); err != nil {
			return nil, err
		}
		p, err := person.FindByIDNumber(ctx, s.db.Read(), strings.ToUpper(strings.TrimSpace(in.IDNumber)))
		if errs.KindOf(err) == errs.NotFound || strings.TrimSpace(in.IDNumber) == "" {
			return nil, fieldErr("id_number", "未找到该公民身份号码的参保人员，请核对")
		}
		if err != nil {
			return nil, err
		}
		pid, c.Channel = p.ID, ChannelAccount
	}
	p, err := person.Load(ctx, s.db.Read(), pid)
	if err != nil {
		return nil, err
	}
	c.PersonID, c.PersonName, c.IDNumber = p.ID, p.Name, p.IDNumber
	if p.Status == person.Deceased {
		return nil, errs.New(errs.Conflict, "person_deceased", "该人员已登记死亡，缴费记录维护请联系保险福利科按死亡待遇办理")
	}
	if p.Kind != person.Retiree {
		caseNo, err := retirement.CaseOfPerson(ctx, s.db.Read(), p.ID)
		if err != nil {
			return nil, err
		}
		if caseNo == "" {
			return nil, fieldErr("id_number", "该人员不是退休人员，也没有退休业务；在职人员的缴费记录请通过缴费核定或历史记录导入办理")
		}
	}
	return c, nil
}

// validate checks the period, the change, the reason and the scans'
// presence against the person's records and the dated limits.
func (s *Service) validate(ctx context.Context, c *Correction, in RaiseInput) error {
	var f errs.Fields
	s.period(&f, c, in)
	base := strings.TrimSpace(in.Base)
	if base != "" {
		v, err := money.ParseYuan(base)
		if err != nil || v <= 0 {
			f.Add("base", "更正后的缴费基数请填写正数金额（元，最多两位小数）；不更正基数请留空")
		}
		c.Base = v
	}
	c.Paid = strings.TrimSpace(in.Paid)
	if _, ok := paidNames[c.Paid]; !ok {
		f.Add("paid", "请选择到账状态：不变、改为已到账或改为未到账")
	}
	if base == "" && c.Paid == PaidUnchanged && !f.Has("paid") {
		f.Add("base", "请填写更正后的缴费基数，或选择更正到账状态")
	}
	c.Reason = strings.TrimSpace(in.Reason)
	if c.Reason == "" || utf8.RuneCountInString(c.Reason) > 500 {
		f.Add("reason", "请写明更正原因（500 字以内），如原单位工资表核实的基数")
	}
	if len(in.Evidence) == 0 {
		f.Add("evidence", "请上传证明材料扫描件（JPEG、PNG 或 PDF），如工资表、缴费凭证")
	} else if len(in.Evidence) > MaxEvidence {
		f.Add("evidence", fmt.Sprintf("证明材料最多上传 %d 个文件", MaxEvidence))
	}
	if f.Has("from") || f.Has("to") {
		return f.Err()
	}
	if err := s.againstRecords(ctx, &f, c); err != nil {
		return err
	}
	if c.Base > 0 && !f.Has("base") {
		if err := s.withinLimits(ctx, &f, c); err != nil {
			return err
		}
	}
	return f.Err()
}

// period parses the months: not before the first record month, not
// after this month, from ≤ to, at most maxMonths.
func (s *Service) period(f *errs.Fields, c *Correction, in RaiseInput) {
	from, err := clock.ParseMonth(strings.TrimSpace(in.From))
	if err != nil {
		f.Add("from", "请填写起始月份（如 1998-07）")
	}
	to, err2 := clock.ParseMonth(strings.TrimSpace(in.To))
	if strings.TrimSpace(in.To) == "" && err == nil {
		to, err2 = from, nil
	}
	if err2 != nil {
		f.Add("to", "请填写截止月份（如 1998-12；只更正一个月可留空）")
	}
	if err != nil || err2 != nil {
		return
	}
	first, _ := clock.ParseMonth(contribution.FirstRecordMonth)
	now := clock.MonthOf(s.clock.Now())
	switch {
	case from.Before(first):
		f.Add("from", "起始月份不能早于 "+first.Chinese()+"（此前的工作年限按视同缴费认定）")
	case to.Before(from):
		f.Add("to", "截止月份不能早于起始月份")
	case now.Before(to):
		f.Add("to", "截止月份不能晚于本月（"+now.Chinese()+"），不能更正将来的月份")
	case to.Sub(from)+1 > maxMonths:
		f.Add("to", fmt.Sprintf("一次更正最多 %d 个月，请分段提请", maxMonths))
	}
	c.From, c.To = from, to
}

// againstRecords checks that every month of the period is a historical
// pension record of the person and that the change changes something.
func (s *Service) againstRecords(ctx context.Context, f *errs.Fields, c *Correction) error {
	recs, assessed, err := contribution.PensionRecordMonths(ctx, s.db.Read(), c.PersonID, c.From.String(), c.To.String())
	if err != nil {
		return err
	}
	if len(assessed) > 0 {
		m, _ := clock.ParseMonth(assessed[0])
		f.Add("from", m.Chinese()+" 等月份是本系统核定的缴费，请通过缴费核定更正办理，不在此维护")
		return nil
	}
	have := map[string]bool{}
	changes := false
	for _, r := range recs {
		have[r.Month] = true
		if (c.Base > 0 && r.Base != c.Base) || (c.Paid == PaidYes && !r.Paid) || (c.Paid == PaidNo && r.Paid) {
			changes = true
		}
	}
	var missing []string
	for m := c.From; !c.To.Before(m); m = m.Add(1) {
		if !have[m.String()] {
			missing = append(missing, m.Chinese())
		}
	}
	if len(missing) > 0 {
		if len(missing) > 3 {
			missing = append(missing[:3], fmt.Sprintf("等 %d 个月", len(missing)))
		}
		f.Add("from", "以下月份不在该人员的缴费记录期间内（没有历史缴费记录）："+strings.Join(missing, "、"))
		return nil
	}
	if !changes && !f.Has("base") && !f.Has("paid") {
		f.Add("base", "更正内容与现有缴费记录一致，无需更正")
	}
	return nil
}

// withinLimits checks the base against each month's floor and ceiling
// (policy.Limits, docs/rules.md §2.1).
func (s *Service) withinLimits(ctx context.Context, f *errs.Fields, c *Correction) error {
	for m := c.From; !c.To.Before(m); m = m.Add(1) {
		floor, ceiling, _, err := s.policy.Limits(ctx, m.String())
		if k := errs.KindOf(err); k == errs.NotFound || k == errs.Invalid {
			f.Add("base", fmt.Sprintf("缺少 %s 的缴费基数上下限（社平工资或上下限比例），无法核对基数，请先在“政策参数”中补充", m.Chinese()))
			return nil
		}
		if err != nil {
			return err
		}
		if c.Base < floor || c.Base > ceiling {
			f.Add("base", fmt.Sprintf("%s 的缴费基数应在 %s 元至 %s 元之间（社平工资的 60%%–300%%）", m.Chinese(), floor, ceiling))
			return nil
		}
	}
	return nil
}

// storeEvidence keeps the scans; anything but an image or a PDF is
// refused by its bytes.
func (s *Service) storeEvidence(ctx context.Context, a *access.Actor, c *Correction, ups []Upload) error {
	for i, u := range ups {
		name := strings.TrimSpace(u.Name)
		if name == "" {
			name = fmt.Sprintf("证明材料%d", i+1)
		}
		d, err := s.docs.Put(ctx, a, name, u.R)
		if errs.KindOf(err) == errs.Invalid {
			return fieldErr("evidence", "证明材料“"+name+"”："+errs.As(err).Message)
		}
		if err != nil {
			return err
		}
		c.Evidence = append(c.Evidence, d.ID)
	}
	return nil
}

// refuseOverlap refuses a second open correction of the same months.
func refuseOverlap(ctx context.Context, tx db.Querier, c *Correction) error {
	var no string
	err := tx.QueryRowContext(ctx, `SELECT no FROM record_corrections WHERE person_id = $1 AND status <> 'applied'
		AND from_month <= $3 AND to_month >= $2 ORDER BY id LIMIT 1`, c.PersonID, c.From.String(), c.To.String()).Scan(&no)
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return errs.Wrap(err, "overlap")
	}
	return errs.New(errs.Conflict, "correction_open", "该人员这些月份已有待处理的缴费记录维护 "+no+"，请待其处理后再提请")
}

func fieldErr(field, msg string) error {
	var f errs.Fields
	f.Add(field, msg)
	return f.Err()
}

func evidenceJSON(ids []int64) string {
	b, _ := json.Marshal(ids)
	if ids == nil {
		return "[]"
	}
	return string(b)
}
