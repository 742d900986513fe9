package payout

import (
	"context"
	"testing"
)

type fakeNamer map[string]string

func (f fakeNamer) DisplayNames(_ context.Context, logins []string) (map[string]string, error) {
	out := map[string]string{}
	for _, l := range logins {
		if n, ok := f[l]; ok {
			out[l] = n
		}
	}
	return out, nil
}

// TestStaffNameNeverTheLogin: documents name whoever did something by the
// account's name, the system in words, and a login without a name as
// such, never by the login.
func TestStaffNameNeverTheLogin(t *testing.T) {
	s := &Service{names: fakeNamer{"jijin": "基金管理科经办员"}}
	for login, want := range map[string]string{"jijin": "基金管理科经办员", "system": "系统（自动）", "nobody1": "未登记姓名的账户"} {
		if got, err := s.staffName(context.Background(), login); err != nil || got != want {
			t.Errorf("%s named %q (%v), want %q", login, got, err, want)
		}
	}
	if got, _ := (&Service{}).staffName(context.Background(), "jijin"); got != "未登记姓名的账户" {
		t.Errorf("without the account service: %q", got)
	}
}
