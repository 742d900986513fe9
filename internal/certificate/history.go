package certificate

import (
	"context"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Schemes are the collected schemes in display order.
var Schemes = []string{"pension", "unemployment", "injury"}

// HistoryLine is one scheme of one month.
type HistoryLine struct {
	Base, Employer, Individual money.Fen
}

// HistoryMonth is one fee month of one bill, or of one payer's imported
// historical records: the payer and each scheme.
type HistoryMonth struct {
	Month    string
	Payer    string // employer name, or 灵活就业
	Status   string // bill status in Chinese; 已到账 / 未到账 for imported records
	Flags    string // e.g. 疫情补缴
	Imported bool   // a historical record from before Shebao, not an assessed bill
	Paid     bool   // the money arrived (a paid bill, or a record marked paid)
	Schemes  [3]*HistoryLine
}

// History is a person's contribution history across all employers.
type History struct {
	Months []HistoryMonth
	Total  money.Fen // all shares of the listed lines
	// Transferred are the years brought over from other regions by
	// transfers in, flagged with the agency they came from.
	Transferred []TransferYear
}

// TransferYear is one year of a merged transfer in, as the old agency's
// information form (信息表) states it.
type TransferYear struct {
	Year    int
	Months  int
	Agency  string    // the old agency (origin)
	Wages   money.Fen // the year's contribution wages
	Account money.Fen // the year's part of the account balance moved
}

// History returns the person's contribution months: assessed ones
// (confirmed, partially paid or paid bills, employer or flexible) and the
// historical records imported from before Shebao (flagged Imported), month
// by month and scheme by scheme. The person or staff of 统筹科/个体参保科.
func (s *Service) History(ctx context.Context, a *access.Actor, personID int64) (*History, error) {
	if err := canPerson(a, personID); err != nil && !a.In(access.SelfEmployed) {
		return nil, err
	}
	// Both parts in index order (person, month); lines of one bill, or
	// records of one payer, in a month are grouped here.
	h := &History{Months: make([]HistoryMonth, 0, 64)}
	var keys []string // bill or payer of each entry in h.Months
	var month, key, scheme, kind, status, flags, payer string
	var imported int
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var l HistoryLine
		if err := r.Scan(&month, &key, &scheme, &l.Base, &l.Employer, &l.Individual, &kind, &status, &flags, &payer, &imported); err != nil {
			return err
		}
		i := len(h.Months) - 1
		for i >= 0 && h.Months[i].Month == month && keys[i] != key {
			i--
		}
		if i < 0 || h.Months[i].Month != month {
			h.Months = append(h.Months, historyMonth(month, kind, status, flags, payer, imported == 1))
			keys = append(keys, key)
			i = len(h.Months) - 1
		}
		h.Months[i].Schemes[schemeIndex(scheme)] = &l
		h.Total += l.Employer + l.Individual
		return nil
	}, `SELECT l.fee_month, 'b' || CAST(l.bill_id AS TEXT), l.scheme, l.base_fen,
		l.employer_fen, l.individual_fen, b.payer_kind, b.status, b.flags, COALESCE(e.name, ''), 0
		FROM bill_lines l JOIN bills b ON b.id = l.bill_id LEFT JOIN employers e ON e.id = b.employer_id
		WHERE l.person_id = $1 AND b.status IN ('confirmed', 'partially_paid', 'paid')
		UNION ALL
		SELECT r.fee_month, 'r' || r.payer_kind || COALESCE(CAST(r.employer_id AS TEXT), '') || '|' || r.payer_name, r.scheme,
			r.base_fen, r.employer_fen, r.individual_fen, r.payer_kind, CASE WHEN r.paid THEN 'paid' ELSE 'unpaid' END, '',
			COALESCE(e.name, r.payer_name), 1
		FROM contribution_records r LEFT JOIN employers e ON e.id = r.employer_id WHERE r.person_id = $1
		ORDER BY 1`, personID)
	if err != nil {
		return nil, errs.Wrap(err, "history")
	}
	h.Transferred, err = transferredYears(ctx, s.db.Read(), personID)
	return h, err
}

// transferredYears reads the years of the person's merged transfers in.
func transferredYears(ctx context.Context, q db.Querier, personID int64) ([]TransferYear, error) {
	out, err := db.Collect(ctx, q, db.Fields(func(y *TransferYear) []any {
		return []any{&y.Year, &y.Months, &y.Agency, (*int64)(&y.Wages), (*int64)(&y.Account)}
	}), `SELECT y.year, y.months, t.other_agency, y.wages_fen, y.account_fen
		FROM transfer_years y JOIN transfers t ON t.id = y.transfer_id
		WHERE t.person_id = $1 AND t.direction = 'in' AND t.status = 'merged' ORDER BY y.year`, personID)
	return out, errs.Wrap(err, "history transfers")
}

// recordStatusNames are the statuses of imported records.
var recordStatusNames = map[string]string{"paid": "已到账", "unpaid": "未到账"}

func historyMonth(month, kind, status, flags, payer string, imported bool) HistoryMonth {
	if kind == "flexible" {
		payer = "灵活就业"
	}
	m := HistoryMonth{Month: month, Payer: payer, Flags: FlagNames(flags), Imported: imported, Paid: status == "paid"}
	if imported {
		m.Status = recordStatusNames[status]
	} else {
		m.Status = billStatusNames[status]
	}
	return m
}
