package upkeep

import (
	"context"
	"strconv"
	"strings"

	"shebao/internal/notify"
)

// tell notifies each retiree whose records the applied batch changed:
// the corrected months and whether the pension is recomputed. The body
// names no ID number. A failure to notify is not the batch's failure
// (the corrections are applied and shown on the person's own page).
func (s *Service) tell(ctx context.Context, b *Batch) {
	if s.notify == nil {
		return
	}
	var persons []int64
	byPerson := map[int64][]*Correction{}
	for _, c := range b.Items {
		if len(c.Months) == 0 {
			continue
		}
		if byPerson[c.PersonID] == nil {
			persons = append(persons, c.PersonID)
		}
		byPerson[c.PersonID] = append(byPerson[c.PersonID], c)
	}
	for _, pid := range persons {
		_ = s.notify.NotifyParty(ctx, notify.Party{PersonID: pid}, notify.Message{Subject: "缴费记录已更正",
			Body: appliedText(byPerson[pid]), Kind: NotifyKind})
	}
}

// appliedText is the message of one retiree's corrections in a batch.
func appliedText(cs []*Correction) string {
	var b strings.Builder
	b.WriteString("您的养老保险历史缴费记录已按核实的材料更正：")
	periods := make([]string, len(cs))
	for i, c := range cs {
		periods[i] = c.Period() + "（" + strconv.Itoa(len(c.Months)) + " 个月，维护单 " + c.No + "）"
	}
	b.WriteString(strings.Join(periods, "；"))
	b.WriteString("。")
	b.WriteString(recomputeText(cs[0]))
	b.WriteString("更正明细可登录网上服务大厅在“缴费记录维护”中查看。")
	return b.String()
}

// recomputeText says whether the pension will be recomputed.
func recomputeText(c *Correction) string {
	switch c.Recompute {
	case RecomputeChanged:
		return "按更正后的记录，您的月基本养老金由 " + c.Before.String() + " 元重新计算为 " + c.After.String() +
			" 元，将由保险福利科重新核定，核定后补发或扣回差额并另行通知。"
	case RecomputeUnchanged:
		return "按更正后的记录重新计算，您的月基本养老金不变，无需重新核定。"
	}
	return "本次更正不涉及养老金重新核定。"
}
