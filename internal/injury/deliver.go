package injury

import (
	"context"
	"fmt"

	"shebao/internal/certificate"
	"shebao/internal/notify"
)

// PartyNotifier sends a message to an employer's or a person's accounts
// (portal message to each, mail or SMS as they chose); notify.Service is one.
type PartyNotifier interface {
	NotifyParty(ctx context.Context, p notify.Party, m notify.Message) error
}

// LetterKind is the message kind of a delivered decision letter.
const LetterKind = "injury.letter"

// deliverLetter tells the employer and the worker that the claim's
// decision letter is ready, where to download it and its verification
// code. It runs after the approval committed: a failed delivery is logged
// and leaves the letter on both parties' pages.
func (s *Service) deliverLetter(ctx context.Context, c *Claim) {
	if s.notifier == nil || c == nil || c.LetterCode == "" {
		return
	}
	code := certificate.GroupCode(c.LetterCode)
	summary := fmt.Sprintf("%s（受理编号 %s）已核准，核准金额 %s 元，收款方：%s。", c.BenefitName(), c.CaseNo, c.Approved, c.PayeeName())
	msgs := []struct {
		to   notify.Party
		body string
	}{
		{notify.Party{EmployerID: c.EmployerID}, "贵单位申报的" + summary + "《工伤保险待遇核定决定书》可在“工伤待遇申报”页面下载，验证码 " + code + "。"},
		{notify.Party{PersonID: c.PersonID}, "您的" + summary + "《工伤保险待遇核定决定书》可在“我的工伤待遇”页面下载，验证码 " + code + "。"},
	}
	for _, m := range msgs {
		err := s.notifier.NotifyParty(ctx, m.to, notify.Message{Subject: "工伤保险待遇核定决定书", Body: m.body, Kind: LetterKind})
		if err != nil && s.log != nil {
			s.log.Warn("injury letter not delivered", "case", c.CaseNo, "err", err)
		}
	}
}
