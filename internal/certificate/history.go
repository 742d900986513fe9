package certificate

import (
	"context"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Schemes are the collected schemes in display order.
var Schemes = []string{"pension", "unemployment", "injury"}

// HistoryLine is one scheme of one month.
type HistoryLine struct {
	Base, Employer, Individual money.Fen
}

// HistoryMonth is one fee month of one bill: the payer and each scheme.
type HistoryMonth struct {
	Month   string
	Payer   string // employer name, or 灵活就业
	Status  string // bill status in Chinese
	Flags   string // e.g. 疫情补缴
	Schemes [3]*HistoryLine
}

// History is a person's contribution history across all employers.
type History struct {
	Months []HistoryMonth
	Total  money.Fen // all shares of the listed lines
}

// History returns the person's assessed contribution months (confirmed,
// partially paid or paid bills, employer or flexible), month by month and
// scheme by scheme. The person or staff of 统筹科/个体参保科.
func (s *Service) History(ctx context.Context, a *access.Actor, personID int64) (*History, error) {
	if err := canPerson(a, personID); err != nil && !a.In(access.SelfEmployed) {
		return nil, err
	}
	// In index order (person, month): no sort; lines of one bill are
	// grouped here.
	rows, err := s.db.Read().QueryContext(ctx, `SELECT l.fee_month, l.bill_id, l.scheme, l.base_fen, l.employer_fen,
		l.individual_fen, b.payer_kind, b.status, b.flags, COALESCE(e.name, '')
		FROM bill_lines l JOIN bills b ON b.id = l.bill_id LEFT JOIN employers e ON e.id = b.employer_id
		WHERE l.person_id = $1 AND b.status IN ('confirmed', 'partially_paid', 'paid')
		ORDER BY l.fee_month`, personID)
	if err != nil {
		return nil, errs.Wrap(err, "history")
	}
	defer rows.Close()
	h := &History{Months: make([]HistoryMonth, 0, 64)}
	var bills []int64 // bill of each entry in h.Months
	var month, scheme, kind, status, flags, payer string
	var bill int64
	for rows.Next() {
		var l HistoryLine
		if err := rows.Scan(&month, &bill, &scheme, &l.Base, &l.Employer, &l.Individual, &kind, &status, &flags, &payer); err != nil {
			return nil, errs.Wrap(err, "history")
		}
		i := len(h.Months) - 1
		for i >= 0 && h.Months[i].Month == month && bills[i] != bill {
			i--
		}
		if i < 0 || h.Months[i].Month != month {
			if kind == "flexible" {
				payer = "灵活就业"
			}
			h.Months = append(h.Months, HistoryMonth{Month: month, Payer: payer, Status: billStatusNames[status], Flags: FlagNames(flags)})
			bills = append(bills, bill)
			i = len(h.Months) - 1
		}
		h.Months[i].Schemes[schemeIndex(scheme)] = &l
		h.Total += l.Employer + l.Individual
	}
	return h, errs.Wrap(rows.Err(), "history")
}
