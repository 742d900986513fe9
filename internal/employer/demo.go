package employer

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"shebao/internal/errs"
)

// demoBatch is how many employers one INSERT statement carries.
const demoBatch = 200

// InsertDemo stores registered employers in bulk inside the caller's
// transaction, for the demo generator. Employers without an EmployerNo get
// the next numbers from the shared counter; IDs are filled in. It writes no
// audit entries and creates no logins: the caller records one audit entry
// for the batch and creates the accounts. Values are not validated.
func (s *Service) InsertDemo(ctx context.Context, tx *sql.Tx, list []Employer) error {
	missing := 0
	for i := range list {
		if list[i].EmployerNo == "" {
			missing++
		}
	}
	nos, err := s.NextEmployerNos(ctx, tx, missing)
	if err != nil {
		return err
	}
	for i := range list {
		if list[i].EmployerNo == "" {
			list[i].EmployerNo, nos = nos[0], nos[1:]
		}
	}
	now := s.clock.Now()
	for start := 0; start < len(list); start += demoBatch {
		if err := insertBatch(ctx, tx, list[start:min(start+demoBatch, len(list))], now); err != nil {
			return err
		}
	}
	return nil
}

func insertBatch(ctx context.Context, tx *sql.Tx, list []Employer, now time.Time) error {
	const cols = 17
	var b strings.Builder
	b.WriteString(`INSERT INTO employers (employer_no, uscc, name, legal_rep, address, contact_name, contact_phone,
 contact_email, industry, risk_class, injury_float_ppm, bank_name, bank_account, established_on, status,
 registered_on, created_at, updated_at) VALUES `)
	args := make([]any, 0, len(list)*cols+1)
	args = append(args, now)
	for i := range list {
		e := &list[i]
		if e.InjuryFloat == 0 {
			e.InjuryFloat = 1_000_000
		}
		if e.Status == "" {
			e.Status = EmployerActive
		}
		e.Version, e.CreatedAt, e.UpdatedAt = 1, now, now
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("(")
		for c := 0; c < cols-1; c++ {
			fmt.Fprintf(&b, "$%d,", len(args)+c+1)
		}
		b.WriteString("$1,$1)")
		args = append(args, e.EmployerNo, e.USCC, e.Name, e.LegalRep, e.Address, e.ContactName, e.ContactPhone,
			e.ContactEmail, e.Industry, e.RiskClass, e.InjuryFloat, e.BankName, e.BankAccount, e.EstablishedOn,
			string(e.Status), e.RegisteredOn)
	}
	// RETURNING order is not promised to follow VALUES: match by number.
	b.WriteString(" RETURNING id, employer_no")
	rows, err := tx.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return errs.Wrap(err, "insert demo employers")
	}
	defer rows.Close()
	ids := make(map[string]int64, len(list))
	for rows.Next() {
		var id int64
		var no string
		if err := rows.Scan(&id, &no); err != nil {
			return errs.Wrap(err, "insert demo employers")
		}
		ids[no] = id
	}
	for i := range list {
		list[i].ID = ids[list[i].EmployerNo]
	}
	return errs.Wrap(rows.Err(), "insert demo employers")
}
