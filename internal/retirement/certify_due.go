package retirement

import (
	"context"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// DueCertification is a pensioner's certification that fell due in a
// period, and whether it has been done since.
type DueCertification struct {
	PersonID int64
	Name     string
	Due      time.Time
	Done     bool   // certified on or after the baseline the due date came from
	DoneOn   string // YYYY-MM-DD of that certification, "" while not done
}

// CertificationsDue lists the certifications of pensioners in pay (or
// suspended) that fell due from from to to (days, inclusive): each due
// date is CertificationMonths after the last certification made before
// from (or the first month of pay). For the recovery register; it checks
// no permission and reads through q (nil: the read pool).
func (s *Service) CertificationsDue(ctx context.Context, q db.Querier, from, to time.Time) ([]DueCertification, error) {
	if q == nil {
		q = s.db.Read()
	}
	start := from.Format(time.DateOnly)
	var out []DueCertification
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var d DueCertification
		var first, last string
		if err := r.Scan(&d.PersonID, &d.Name, &first, &last, &d.DoneOn); err != nil {
			return err
		}
		base := time.Time{}
		if m, err := clock.ParseMonth(first); err == nil {
			base = m.First()
		}
		if last != "" {
			base, _ = clock.ParseDate(last)
		}
		d.Due = base.AddDate(0, CertificationMonths, 0)
		if d.Due.Before(from) || d.Due.After(to) {
			return nil
		}
		d.Done = d.DoneOn != ""
		out = append(out, d)
		return nil
	}, `SELECT pn.person_id, pn.name, pn.first_month,
		COALESCE((SELECT MAX(c.certified_on) FROM pension_certifications c WHERE c.person_id = pn.person_id AND c.certified_on < $1), ''),
		COALESCE((SELECT MIN(c.certified_on) FROM pension_certifications c WHERE c.person_id = pn.person_id AND c.certified_on >= $1), '')
		FROM pensioners pn JOIN persons p ON p.id = pn.person_id
		WHERE pn.status IN ('active', 'suspended') AND p.status <> 'deceased' ORDER BY pn.person_id`, start)
	return out, errs.Wrap(err, "certifications due")
}
