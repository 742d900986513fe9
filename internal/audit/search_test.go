package audit

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

type authCase struct {
	name  string
	actor *access.Actor
	want  errs.Kind // "" when allowed
}

var authCases = []authCase{
	{"anonymous", nil, errs.Unauthenticated},
	{"employer", &access.Actor{UserID: 3, Username: "E0001", Role: access.RoleEmployer, EmployerID: 1}, errs.Forbidden},
	{"person", &access.Actor{UserID: 4, Username: "110101199003077777", Role: access.RolePerson, PersonID: 1}, errs.Forbidden},
	{"api client", &access.Actor{UserID: 5, Username: "bank", Role: access.RoleAPI}, errs.Forbidden},
	{"other section", clerk, errs.Forbidden},
	{"audit section", auditor, ""},
	{"audit among others", &access.Actor{UserID: 8, Username: "x", Role: access.RoleStaff,
		Sections: []access.Section{access.Fund, access.Audit}}, ""},
	{"admin", admin, ""},
}

// checkAuth reports whether err is what tc expects and the call succeeded.
func checkAuth(t *testing.T, tc authCase, err error) bool {
	t.Helper()
	if tc.want == "" {
		if err != nil {
			t.Errorf("%s: unexpected error %v", tc.name, err)
		}
		return err == nil
	}
	if errs.KindOf(err) != tc.want {
		t.Errorf("%s: err = %v, want kind %s", tc.name, err, tc.want)
	}
	return false
}

func shanghai(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) time.Time {
	d, err := clock.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// seedSearch writes six entries at chosen Shanghai times.
func seedSearch(t *testing.T, d *db.DB) *Service {
	s, c := newService(d)
	other := &access.Actor{UserID: 11, Username: "tongchou02", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	for _, x := range []struct {
		at    string
		actor *access.Actor
		e     Entry
	}{
		{"2024-02-09 23:59", clerk, Entry{Action: "employer.register.approve", Entity: "employer_application", EntityID: "1", Note: "材料齐全"}},
		{"2024-02-10 00:00", clerk, Entry{Action: "employer.register.return", Entity: "employer_application", EntityID: "2", Note: "缺少营业执照 Scan"}},
		{"2024-02-10 23:59", other, Entry{Action: "employer.change.approve", Entity: "employer", EntityID: "1", Note: "变更联系人"}},
		{"2024-02-11 00:00", admin, Entry{Action: "policy.emergency.declare", Entity: "emergency", EntityID: "1", Note: "100% 延期 scan"}},
		{"2024-02-11 08:00", nil, Entry{Action: "employer.register.submit", Entity: "employer_application", EntityID: "3", Note: "网上申报"}},
		{"2024-02-12 10:00", other, Entry{Action: "employer_x.test", Entity: "employer", EntityID: "12", Note: "a_b"}},
	} {
		c.Set(shanghai(x.at))
		record(t, s, d, x.actor, x.e)
	}
	return s
}

func seqs(recs []Record) []int64 {
	out := []int64{}
	for _, r := range recs {
		out = append(out, r.Seq)
	}
	return out
}

func TestSearchFilters(t *testing.T) {
	tests := []struct {
		name  string
		f     Filter
		p     Page
		want  []int64
		total int64
	}{
		{"all newest first", Filter{}, Page{}, []int64{6, 5, 4, 3, 2, 1}, 6},
		{"actor", Filter{Actor: "tongchou02"}, Page{}, []int64{6, 3}, 2},
		{"anonymous actor", Filter{Actor: "anonymous"}, Page{}, []int64{5}, 1},
		{"action prefix", Filter{Action: "employer.register."}, Page{}, []int64{5, 2, 1}, 3},
		{"action prefix any case", Filter{Action: "EMPLOYER.CHANGE"}, Page{}, []int64{3}, 1},
		{"action underscore is literal", Filter{Action: "employer_"}, Page{}, []int64{6}, 1},
		{"action is a prefix, not a substring", Filter{Action: "register"}, Page{}, []int64{}, 0},
		{"entity", Filter{Entity: "employer"}, Page{}, []int64{6, 3}, 2},
		{"entity and id", Filter{Entity: "employer_application", EntityID: "2"}, Page{}, []int64{2}, 1},
		{"one Shanghai day", Filter{From: date("2024-02-10"), To: date("2024-02-10")}, Page{}, []int64{3, 2}, 2},
		{"from only", Filter{From: date("2024-02-11")}, Page{}, []int64{6, 5, 4}, 3},
		{"to only", Filter{To: date("2024-02-09")}, Page{}, []int64{1}, 1},
		{"note text any case", Filter{Text: "scan"}, Page{}, []int64{4, 2}, 2},
		{"note percent is literal", Filter{Text: "100%"}, Page{}, []int64{4}, 1},
		{"note underscore is literal", Filter{Text: "a_b"}, Page{}, []int64{6}, 1},
		{"note chinese", Filter{Text: "营业执照"}, Page{}, []int64{2}, 1},
		{"combined", Filter{Actor: "tongchou01", Action: "employer.", From: date("2024-02-10")}, Page{}, []int64{2}, 1},
		{"page 2 of 2 per page", Filter{}, Page{Limit: 2, Offset: 2}, []int64{4, 3}, 6},
		{"past the end", Filter{}, Page{Limit: 2, Offset: 10}, []int64{}, 6},
		{"limit capped", Filter{}, Page{Limit: 10000}, []int64{6, 5, 4, 3, 2, 1}, 6},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := seedSearch(t, d)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				recs, total, err := s.Search(context.Background(), auditor, tt.f, tt.p)
				if err != nil {
					t.Fatal(err)
				}
				if got := seqs(recs); !reflect.DeepEqual(got, tt.want) || total != tt.total {
					t.Fatalf("got %v (total %d), want %v (total %d)", got, total, tt.want, tt.total)
				}
			})
		}
	})
}

func TestSearchRejectsBadFilters(t *testing.T) {
	tests := []struct {
		name  string
		f     Filter
		p     Page
		field string
	}{
		{"to before from", Filter{From: date("2024-02-10"), To: date("2024-02-09")}, Page{}, "to"},
		{"long note text", Filter{Text: strings.Repeat("长", 101)}, Page{}, "q"},
		{"long actor", Filter{Actor: strings.Repeat("a", 101)}, Page{}, "actor"},
		{"negative limit", Filter{}, Page{Limit: -1}, "limit"},
		{"negative offset", Filter{}, Page{Offset: -5}, "offset"},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		for _, tt := range tests {
			_, _, err := s.Search(context.Background(), auditor, tt.f, tt.p)
			e := errs.As(err)
			if e == nil || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
				t.Errorf("%s: err = %#v, want invalid field %s", tt.name, err, tt.field)
			}
		}
	})
}

func TestSearchAndGetNeedAuditSection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := seedSearch(t, d)
		for _, tc := range authCases {
			recs, total, err := s.Search(context.Background(), tc.actor, Filter{}, Page{})
			if checkAuth(t, tc, err) && (total != 6 || len(recs) != 6) {
				t.Errorf("%s: %d of %d", tc.name, len(recs), total)
			}
			r, err := s.Get(context.Background(), tc.actor, 2)
			if checkAuth(t, tc, err) && r.Seq != 2 {
				t.Errorf("%s: got seq %d", tc.name, r.Seq)
			}
		}
	})
}

func TestGetMissing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		if _, err := s.Get(context.Background(), auditor, 99); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("err = %v, want not found", err)
		}
	})
}

func TestSearchMasksPersonalData(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		person := &access.Actor{UserID: 4, Username: "110101199003077777", Role: access.RolePerson, PersonID: 1}
		// A careless caller that forgot to mask: the log keeps what it was
		// given (the chain must hash it), the screens do not show it.
		record(t, s, d, person, Entry{Action: "person.contact.change", Entity: "person", EntityID: "110101199003077777",
			Before: map[string]any{"phone": 13812345678, "name": "张*"},
			After:  map[string]any{"phone": "13912345678", "ids": []string{"11010519491231002X"}},
			Note:   "本人来电 13812345678 要求修改"})
		recs, _, err := s.Search(context.Background(), auditor, Filter{Actor: "110101199003077777"}, Page{})
		if err != nil || len(recs) != 1 {
			t.Fatalf("search: %v %d", err, len(recs))
		}
		got, _ := json.Marshal(recs[0])
		for _, clear := range []string{"110101199003077777", "13812345678", "13912345678", "11010519491231002X"} {
			if strings.Contains(string(got), clear) {
				t.Errorf("search result shows %s in clear: %s", clear, got)
			}
		}
		r := recs[0]
		if string(r.Before) != `{"name":"张*","phone":"138****5678"}` || r.ActorUsername != "1101**********7777" ||
			r.Note != "本人来电 138****5678 要求修改" {
			t.Errorf("masked record = %s", got)
		}
		if res := mustVerify(t, s); !res.OK() {
			t.Fatalf("masking for display must not touch the stored chain: %+v", res)
		}
	})
}
