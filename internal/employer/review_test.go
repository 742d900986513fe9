package employer

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

func TestApproveCreatesEmployer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		app := mustSubmit(t, s, nil, validInput(50))
		ap := mustApprove(t, s, app)
		e := ap.Employer
		if e.EmployerNo != "110105000001" || e.USCC != app.USCC || e.Name != app.Name || e.Status != EmployerActive {
			t.Fatalf("employer %+v", e)
		}
		if e.InjuryFloat != 1_000_000 || e.RegisteredOn != "2024-02-10" || e.RiskClass != 1 {
			t.Fatalf("defaults: float %d registered %s", e.InjuryFloat, e.RegisteredOn)
		}
		if strings.Contains(ap.Notice, ap.InitialPassword) && ap.InitialPassword != "" {
			t.Fatal("notice text contains the password")
		}
		got, err := s.Get(ctxBg, clerk1, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusApproved || got.EmployerID != e.ID || got.EmployerNo != e.EmployerNo ||
			got.ReviewerID != clerk1.UserID || got.DecidedAt == nil || got.Version != app.Version+1 {
			t.Fatalf("application after approve %+v", got)
		}
		p, err := s.Profile(ctxBg, employerActor(e), e.ID)
		if err != nil || p.BankAccount != app.BankAccount || p.Version != 1 {
			t.Fatalf("profile %+v %v", p, err)
		}
		if n, _ := s.CountEmployers(ctxBg); n != 1 {
			t.Fatalf("count %d", n)
		}
		// The next one gets the next number.
		ap2 := mustApprove(t, s, mustSubmit(t, s, nil, validInput(51)))
		if ap2.Employer.EmployerNo != "110105000002" {
			t.Fatalf("second number %s", ap2.Employer.EmployerNo)
		}
	})
}

func TestApproveNumbersUniqueUnderConcurrency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		const n = 12
		apps := make([]*Application, n)
		for i := range apps {
			apps[i] = mustSubmit(t, s, nil, validInput(100+i))
		}
		var wg sync.WaitGroup
		nos := make([]string, n)
		errList := make([]error, n)
		for i := range apps {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				clerk := clerk1
				if i%2 == 1 {
					clerk = clerk2
				}
				ap, err := s.Approve(ctxBg, clerk, apps[i].ID, apps[i].Version)
				errList[i] = err
				if err == nil {
					nos[i] = ap.Employer.EmployerNo
				}
			}(i)
		}
		wg.Wait()
		seen := map[string]bool{}
		for i, no := range nos {
			if errList[i] != nil {
				t.Fatalf("approve %d: %v", i, errList[i])
			}
			if seen[no] {
				t.Fatalf("employer number %s handed out twice", no)
			}
			seen[no] = true
		}
		for i := 1; i <= n; i++ {
			if !seen[fmt.Sprintf("110105%06d", i)] {
				t.Fatalf("numbers not dense: %v", nos)
			}
		}
	})
}

func TestTwoClerksRace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		for round := 0; round < 4; round++ {
			app := mustSubmit(t, s, nil, validInput(200+round))
			var wg sync.WaitGroup
			results := make([]error, 2)
			for i, clerk := range []*access.Actor{clerk1, clerk2} {
				wg.Add(1)
				go func(i int, clerk *access.Actor) {
					defer wg.Done()
					if i == 0 || round%2 == 0 {
						_, results[i] = s.Approve(ctxBg, clerk, app.ID, app.Version)
					} else {
						_, results[i] = s.Return(ctxBg, clerk, app.ID, app.Version, "材料不全")
					}
				}(i, clerk)
			}
			wg.Wait()
			var wins, losses int
			for _, err := range results {
				switch {
				case err == nil:
					wins++
				case errs.KindOf(err) == errs.Conflict:
					losses++
					if m := errs.As(err).Message; !strings.Contains(m, "已由其他经办人员处理") || !strings.Contains(m, "请刷新") {
						t.Fatalf("loser message %q", m)
					}
				default:
					t.Fatalf("unexpected: %v", err)
				}
			}
			if wins != 1 || losses != 1 {
				t.Fatalf("round %d: %d wins %d losses", round, wins, losses)
			}
		}
		n, _ := s.CountEmployers(ctxBg)
		if n < 2 || n > 4 {
			t.Fatalf("%d employers after 4 races", n)
		}
	})
}

func TestStaleVersionAndDecidedMessages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		app := mustSubmit(t, s, nil, validInput(60))
		_, err := s.Approve(ctxBg, clerk1, app.ID, app.Version+5)
		if e := wantKind(t, err, errs.Conflict); e.Code != "stale_version" {
			t.Fatalf("code %s", e.Code)
		}
		mustApprove(t, s, app)
		_, err = s.Return(ctxBg, clerk2, app.ID, app.Version, "重复")
		if e := wantKind(t, err, errs.Conflict); !strings.Contains(e.Message, "已通过") {
			t.Fatalf("message %q", e.Message)
		}
		_, err = s.Approve(ctxBg, clerk1, 99999, 1)
		wantKind(t, err, errs.NotFound)
		if n, _ := s.CountEmployers(ctxBg); n != 1 {
			t.Fatalf("%d employers", n)
		}
	})
}

func TestReviewAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		app := mustSubmit(t, s, nil, validInput(70))
		ap := mustApprove(t, s, mustSubmit(t, s, nil, validInput(71)))
		emp := employerActor(ap.Employer)
		for _, a := range []*access.Actor{nil, injury, personA, emp} {
			name := a.Name()
			want := errs.Forbidden
			if a == nil {
				want = errs.Unauthenticated
			}
			t.Run(name, func(t *testing.T) {
				_, _, err := s.Queue(ctxBg, a, Filter{}, 1, 10)
				wantKind(t, err, want)
				_, err = s.Get(ctxBg, a, app.ID)
				wantKind(t, err, want)
				_, err = s.Approve(ctxBg, a, app.ID, app.Version)
				wantKind(t, err, want)
				_, err = s.Return(ctxBg, a, app.ID, app.Version, "x")
				wantKind(t, err, want)
				_, err = s.Counts(ctxBg, a)
				wantKind(t, err, want)
				_, _, err = s.ChangeQueue(ctxBg, a, ChangePending, 1, 10)
				wantKind(t, err, want)
			})
		}
		admin := &access.Actor{UserID: 1, Username: "admin", Role: access.RoleAdmin}
		if _, _, err := s.Queue(ctxBg, admin, Filter{}, 1, 10); err != nil {
			t.Fatalf("admin queue: %v", err)
		}
	})
}

func TestQueueFilterSearchPaging(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newTestService(t, d)
		var apps []*Application
		for i := 0; i < 7; i++ {
			in := validInput(300 + i)
			if i == 3 {
				in.Name = "朝阳100%纯净水厂"
				in.Channel = ChannelPhone
				apps = append(apps, mustSubmit(t, s, clerk1, in))
			} else {
				apps = append(apps, mustSubmit(t, s, nil, in))
			}
			c.Advance(60e9)
		}
		mustApprove(t, s, apps[0])
		if _, err := s.Return(ctxBg, clerk1, apps[1].ID, apps[1].Version, "缺少营业执照扫描件"); err != nil {
			t.Fatal(err)
		}
		counts, err := s.Counts(ctxBg, clerk1)
		if err != nil || counts[StatusSubmitted] != 5 || counts[StatusApproved] != 1 || counts[StatusReturned] != 1 {
			t.Fatalf("counts %v %v", counts, err)
		}
		list, total, err := s.Queue(ctxBg, clerk1, Filter{Status: StatusSubmitted}, 1, 2)
		if err != nil || total != 5 || len(list) != 2 || list[0].ID != apps[2].ID || list[1].ID != apps[3].ID {
			t.Fatalf("page 1: total %d %v", total, err)
		}
		list, _, _ = s.Queue(ctxBg, clerk1, Filter{Status: StatusSubmitted}, 3, 2)
		if len(list) != 1 || list[0].ID != apps[6].ID {
			t.Fatalf("page 3: %d rows", len(list))
		}
		tests := []struct {
			f    Filter
			want []int64
		}{
			{Filter{Q: "100%"}, []int64{apps[3].ID}},
			{Filter{Q: "纯净水"}, []int64{apps[3].ID}},
			{Filter{Q: strings.ToLower(apps[5].USCC[8:16])}, []int64{apps[5].ID}},
			{Filter{Q: apps[4].AppNo}, []int64{apps[4].ID}},
			{Filter{Channel: ChannelPhone}, []int64{apps[3].ID}},
			{Filter{Status: StatusReturned}, []int64{apps[1].ID}},
			{Filter{Q: "不存在的单位"}, nil},
		}
		for _, tc := range tests {
			list, total, err := s.Queue(ctxBg, clerk1, tc.f, 1, 20)
			if err != nil || total != len(tc.want) || len(list) != len(tc.want) {
				t.Fatalf("%+v: total %d len %d %v", tc.f, total, len(list), err)
			}
			for i := range list {
				if list[i].ID != tc.want[i] {
					t.Fatalf("%+v: got id %d", tc.f, list[i].ID)
				}
			}
		}
	})
}
