package retirement

import (
	"context"
	"database/sql"
	"fmt"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// ReminderLeads are how many months before the retirement month the
// person and the employer are reminded.
var ReminderLeads = []int{3, 1}

// RemindDue sends, once each, the reminders of persons whose retirement
// month is 3 or 1 months ahead, to the person's and the current
// employer's accounts (docs/rules.md "Retirement: who retires"). It
// returns how many it sent. Errors: Internal.
func (s *Service) RemindDue(ctx context.Context) (int, error) {
	sent := 0
	for _, lead := range ReminderLeads {
		m := s.thisMonth().Add(lead)
		where, args := upcomingWhere(Window{From: m, To: m}, UpcomingFilter{})
		ids, err := s.dueIDs(ctx, where, args)
		if err != nil {
			return sent, err
		}
		for _, id := range ids {
			ok, err := s.remindOne(ctx, id, m, lead)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
	}
	return sent, nil
}

func (s *Service) dueIDs(ctx context.Context, where string, args []any) ([]int64, error) {
	var ids []int64
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}, `SELECT p.id FROM persons p LEFT JOIN retirement_plans rp ON rp.person_id = p.id WHERE `+where+` ORDER BY p.id`, args...)
	return ids, errs.Wrap(err, "reminders")
}

// remindOne records and sends one reminder; false when it was sent before.
func (s *Service) remindOne(ctx context.Context, personID int64, m clock.Month, lead int) (bool, error) {
	sent := false
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO retirement_reminders (person_id, retire_month, lead_months, sent_at)
			VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING`, personID, m.String(), lead, s.now())
		if err != nil {
			return errs.Wrap(err, "reminder")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		sent = true
		p, err := loadSubject(ctx, tx, personID)
		if err != nil {
			return err
		}
		body := fmt.Sprintf("您将于 %s 达到退休时间（%s），最低缴费年限 %s 年。请单位在退休前 3 个月内提交退休资格确认表；灵活就业人员请向个体参保科申报。",
			m.Chinese(), p.Category.Label(), p.Rule.MinYearsText())
		s.notifyAccounts(ctx, tx, "person_id", personID, fmt.Sprintf("退休提醒：还有 %d 个月", lead), body, "retirement.reminder")
		var emp int64
		_ = tx.QueryRowContext(ctx, `SELECT employer_id FROM employments WHERE person_id = $1 AND end_month IS NULL`, personID).Scan(&emp)
		s.notifyAccounts(ctx, tx, "employer_id", emp, fmt.Sprintf("职工退休提醒：%s %s 退休", p.IDMasked(), m.Chinese()),
			fmt.Sprintf("职工 %s（%s）将于 %s 达到退休时间，请在退休前 3 个月内网上提交《企业职工正常退休资格确认表》。", maskName(p.Name), p.IDMasked(), m.Chinese()),
			"retirement.reminder")
		return nil
	})
	return sent, err
}
