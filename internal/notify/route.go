package notify

import (
	"context"

	"shebao/internal/access"
)

// Party is whom a business notice is for, as the business packages name
// it: one account, or every account of a section, an employer or a
// person, plus an e-mail address or phone number given on a form.
type Party struct {
	UserID     int64
	Section    access.Section
	EmployerID int64
	PersonID   int64
	Email      string
	Phone      string
}

// NotifyParty decides who hears of m and how: the party's accounts are
// resolved (the one account, or those of the section, employer or person);
// e-mail and SMS go out once, with the first account, and every account
// gets a portal message. Each account's own channel choices apply.
func (s *Service) NotifyParty(ctx context.Context, p Party, m Message) error {
	ids, err := s.accountsOf(ctx, p)
	if err != nil {
		return err
	}
	first := Recipient{Email: p.Email, Phone: p.Phone}
	if len(ids) > 0 {
		first.UserID = ids[0]
	}
	if first != (Recipient{}) {
		if err := s.Notify(ctx, first, m); err != nil {
			return err
		}
	}
	for _, id := range ids[min(1, len(ids)):] {
		if err := s.Notify(ctx, Recipient{UserID: id}, m); err != nil {
			return err
		}
	}
	return nil
}

// accountsOf lists the accounts a party stands for.
func (s *Service) accountsOf(ctx context.Context, p Party) ([]int64, error) {
	switch {
	case p.UserID != 0:
		return []int64{p.UserID}, nil
	case p.Section != "":
		return s.UsersInSection(ctx, p.Section)
	case p.EmployerID != 0:
		return s.UsersOfEmployer(ctx, p.EmployerID)
	case p.PersonID != 0:
		return s.UsersOfPerson(ctx, p.PersonID)
	}
	return nil, nil
}

// UserNotifier returns a function that sends a message of kind to one
// account (its portal inbox and the channels it chose), in the shape the
// business packages' notifier hooks take.
func (s *Service) UserNotifier(kind string) func(ctx context.Context, userID int64, subject, body string) error {
	return func(ctx context.Context, userID int64, subject, body string) error {
		return s.Notify(ctx, Recipient{UserID: userID}, Message{Subject: subject, Body: body, Kind: kind})
	}
}
