package retirement

import (
	"context"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/person"
)

// SampleApplicant is the flexible worker 个体参保科's sample retirement
// e-mail is written for, with two distinct mobile numbers.
type SampleApplicant struct {
	Name, IDNumber, Phone1, Phone2 string
}

// SelfEmployedSample picks the applicant of 个体参保科's sample e-mail (to
// try the mail intake): the first flexible worker on the about-to-retire
// list of the next six months with the minimum years met, a mobile number
// and no application yet. 个体参保科 only. Errors: Forbidden, NotFound.
func (s *Service) SelfEmployedSample(ctx context.Context, a *access.Actor) (*SampleApplicant, error) {
	if !a.In(access.SelfEmployed) {
		return nil, errs.New(errs.Forbidden, "self_employed_only", "个体退休申报样例由个体参保科下载")
	}
	for page := 1; ; page++ {
		up, err := s.ListUpcoming(ctx, a, UpcomingFilter{Months: 6, Page: page})
		if err != nil {
			return nil, err
		}
		for _, u := range up.Rows {
			if u.Kind != string(person.Flexible) || u.Short > 0 {
				continue
			}
			if app, err := s.sampleOf(ctx, u.PersonID); err != nil || app != nil {
				return app, err
			}
		}
		if page >= up.Pages {
			return nil, errs.New(errs.NotFound, "no_applicant", "即将退休的灵活就业人员中没有可用于样例的人员")
		}
	}
}

// sampleOf is person id as a sample applicant, nil when the person has a
// qualification already or no mobile number.
func (s *Service) sampleOf(ctx context.Context, id int64) (*SampleApplicant, error) {
	var n int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM retirement_qualifications WHERE person_id = $1`, id).Scan(&n); err != nil {
		return nil, errs.Wrap(err, "sample applicant")
	}
	p, err := person.Load(ctx, s.db.Read(), id)
	if err != nil || n > 0 || len(p.Phone) != 11 || p.Phone[0] != '1' {
		return nil, err
	}
	second := "13911220006"
	if second == p.Phone {
		second = "13911220007"
	}
	return &SampleApplicant{Name: p.Name, IDNumber: p.IDNumber, Phone1: p.Phone, Phone2: second}, nil
}
