package employer

import (
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

func TestMakeUSCCMatchesWorkedExample(t *testing.T) {
	// docs/rules.md §1.2: 91350200776049653A — check our test generator's
	// arithmetic on the published example's body.
	body := "91350200776049653"
	sum, p := 0, 1
	for _, r := range body {
		sum += strings.IndexRune(uscChars, r) * p
		p = p * 3 % 31
	}
	if got := string(uscChars[(31-sum%31)%31]); got != "A" {
		t.Fatalf("check char = %s, want A", got)
	}
}

func TestSubmitValidation(t *testing.T) {
	long := strings.Repeat("长", 101)
	tests := []struct {
		name  string
		edit  func(in *ApplicationInput)
		field string
	}{
		{"missing uscc", func(in *ApplicationInput) { in.USCC = "" }, "uscc"},
		{"short name", func(in *ApplicationInput) { in.Name = "甲" }, "name"},
		{"long name", func(in *ApplicationInput) { in.Name = long }, "name"},
		{"markup in name", func(in *ApplicationInput) { in.Name = "<b>公司</b>" }, "name"},
		{"missing legal rep", func(in *ApplicationInput) { in.LegalRep = " " }, "legal_rep"},
		{"short address", func(in *ApplicationInput) { in.Address = "朝阳区" }, "address"},
		{"long address", func(in *ApplicationInput) { in.Address = strings.Repeat("路", 201) }, "address"},
		{"bad phone", func(in *ApplicationInput) { in.ContactPhone = "12345" }, "contact_phone"},
		{"mobile wrong prefix", func(in *ApplicationInput) { in.ContactPhone = "12800138000" }, "contact_phone"},
		{"bad email", func(in *ApplicationInput) { in.ContactEmail = "hr@" }, "contact_email"},
		{"risk class 0", func(in *ApplicationInput) { in.RiskClass = 0 }, "risk_class"},
		{"risk class 9", func(in *ApplicationInput) { in.RiskClass = 9 }, "risk_class"},
		{"bank account letters", func(in *ApplicationInput) { in.BankAccount = "62220abc12345" }, "bank_account"},
		{"bank account short", func(in *ApplicationInput) { in.BankAccount = "1234567" }, "bank_account"},
		{"bank account long", func(in *ApplicationInput) { in.BankAccount = strings.Repeat("1", 31) }, "bank_account"},
		{"missing bank", func(in *ApplicationInput) { in.BankName = "" }, "bank_name"},
		{"missing industry", func(in *ApplicationInput) { in.Industry = "" }, "industry"},
		{"date not real", func(in *ApplicationInput) { in.EstablishedOn = "2023-02-30" }, "established_on"},
		{"date garbage", func(in *ApplicationInput) { in.EstablishedOn = "yesterday" }, "established_on"},
		{"date in future", func(in *ApplicationInput) { in.EstablishedOn = "2024-02-11" }, "established_on"},
		{"date too old", func(in *ApplicationInput) { in.EstablishedOn = "1899-12-31" }, "established_on"},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				in := validInput(1)
				tc.edit(&in)
				_, err := s.Submit(ctxBg, nil, in)
				e := wantKind(t, err, errs.Invalid)
				if !errs.Fields(e.Fields).Has(tc.field) || len(e.Fields) != 1 {
					t.Fatalf("fields = %+v, want only %s", e.Fields, tc.field)
				}
				for _, f := range e.Fields {
					if f.Message == "" || f.Message == f.Field {
						t.Errorf("field %s has no Chinese message", f.Field)
					}
				}
			})
		}
		var n int
		d.R.QueryRow(`SELECT COUNT(*) FROM employer_applications`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d applications stored after invalid input", n)
		}
		// Spaces inside codes are dropped and the USCC is upper-cased.
		in := validInput(2)
		in.USCC = strings.ToLower(in.USCC[:6]) + " " + in.USCC[6:]
		in.ContactPhone = "138 0013 8000"
		in.ContactEmail = ""
		app := mustSubmit(t, s, nil, in)
		if app.USCC != makeUSCC(2) || app.ContactPhone != "13800138000" || app.Channel != ChannelWeb {
			t.Fatalf("stored %q %q %q", app.USCC, app.ContactPhone, app.Channel)
		}
		if !strings.HasPrefix(app.AppNo, "DJ20240210-") {
			t.Fatalf("app no %q", app.AppNo)
		}
	})
}

func TestPhoneNormalised(t *testing.T) {
	tests := []struct{ in, want string }{
		{"138 0013 8000", "13800138000"},
		{"+86 13912345678", "13912345678"},
		{"010-12345678", "010-12345678"},
		{"(010)12345678", "010-12345678"},
		{"0571-8888888转123", "0571-8888888-123"},
	}
	for _, tc := range tests {
		in := validInput(1)
		in.ContactPhone = tc.in
		in.normalize()
		if in.ContactPhone != tc.want {
			t.Errorf("%q -> %q, want %q", tc.in, in.ContactPhone, tc.want)
		}
	}
}

func TestSubmitDuplicateUSCC(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		first := mustSubmit(t, s, nil, validInput(10))

		_, err := s.Submit(ctxBg, nil, validInput(10))
		e := wantKind(t, err, errs.Conflict)
		if !strings.Contains(e.Message, first.AppNo) || !strings.Contains(e.Message, "待审核") {
			t.Fatalf("pending duplicate message: %s", e.Message)
		}

		ap := mustApprove(t, s, first)
		_, err = s.Submit(ctxBg, nil, validInput(10))
		e = wantKind(t, err, errs.Conflict)
		if !strings.Contains(e.Message, ap.Employer.EmployerNo) || !strings.Contains(e.Message, "已参保登记") {
			t.Fatalf("registered duplicate message: %s", e.Message)
		}
		// A clerk recording the same unit by phone is refused too.
		in := validInput(10)
		in.Channel = ChannelPhone
		_, err = s.Submit(ctxBg, clerk1, in)
		wantKind(t, err, errs.Conflict)
	})
}

func TestSubmitConcurrentSameUSCC(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		const n = 6
		errc := make(chan error, n)
		for i := 0; i < n; i++ {
			go func() { _, err := s.Submit(ctxBg, nil, validInput(11)); errc <- err }()
		}
		ok := 0
		for i := 0; i < n; i++ {
			if err := <-errc; err == nil {
				ok++
			} else if errs.KindOf(err) != errs.Conflict {
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d submissions succeeded, want 1", ok)
		}
	})
}

func TestClerkRecordsApplication(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		in := validInput(20)
		_, err := s.Submit(ctxBg, clerk1, in)
		e := wantKind(t, err, errs.Invalid)
		if !errs.Fields(e.Fields).Has("channel") {
			t.Fatalf("missing channel not reported: %+v", e.Fields)
		}
		in.Channel = ChannelWeb
		_, err = s.Submit(ctxBg, clerk1, in)
		wantKind(t, err, errs.Invalid)

		in.Channel = ChannelPhone
		app := mustSubmit(t, s, clerk1, in)
		if app.Channel != ChannelPhone || app.RecordedBy != clerk1.UserID {
			t.Fatalf("channel %s recorded by %d", app.Channel, app.RecordedBy)
		}
		for _, a := range []*access.Actor{injury, personA} {
			in := validInput(21)
			in.Channel = ChannelEmail
			_, err := s.Submit(ctxBg, a, in)
			wantKind(t, err, errs.Forbidden)
		}
	})
}

func TestLateFlag(t *testing.T) {
	em := &policy.Emergency{ID: 1, Title: "新冠肺炎疫情防控应急期", LegalBasis: "人社厅明电〔2024〕7号",
		Measures: []policy.Measure{policy.MeasureLateAccepted}}
	tests := []struct {
		name      string
		est       string
		emergency *policy.Emergency
		days      int64
		late      bool
		basis     string
	}{
		{"on time", "2024-01-11", nil, 0, false, ""},
		{"day 30 is on time", "2024-01-11", em, 0, false, ""},
		{"late without emergency", "2024-01-10", nil, 0, true, "逾期登记（成立于 2024-01-10，登记期限至 2024-02-09）"},
		{"late in emergency", "2023-11-01", em, 0, true, "疫情期间逾期登记，依 人社厅明电〔2024〕7号 及时受理"},
		{"policy rule of 45 days", "2024-01-10", nil, 45, false, ""},
		{"late under policy rule", "2023-12-01", nil, 60, true, "逾期登记（成立于 2023-12-01，登记期限至 2024-01-30）"},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s.policy = fakeMeasures{tc.emergency, tc.days}
				in := validInput(30 + i)
				in.EstablishedOn = tc.est
				app := mustSubmit(t, s, nil, in)
				got, err := s.Get(ctxBg, clerk1, app.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Late != tc.late || got.LateBasis != tc.basis {
					t.Fatalf("late=%v %q, want %v %q", got.Late, got.LateBasis, tc.late, tc.basis)
				}
			})
		}
		list, total, err := s.Queue(ctxBg, clerk1, Filter{Late: true}, 1, 10)
		if err != nil || total != 3 || len(list) != 3 {
			t.Fatalf("late filter: %d %d %v", total, len(list), err)
		}
	})
}

func TestStatusCheck(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		app := mustSubmit(t, s, nil, validInput(40))
		other := mustSubmit(t, s, nil, validInput(41))

		v, err := s.Status(ctxBg, strings.ToLower(app.AppNo), " "+app.USCC)
		if err != nil || v.Status != StatusSubmitted || v.StatusName != "待审核" {
			t.Fatalf("status %+v %v", v, err)
		}
		// A wrong USCC and an unknown number give the same answer.
		_, errA := s.Status(ctxBg, app.AppNo, other.USCC)
		_, errB := s.Status(ctxBg, "DJ20240210-9999", app.USCC)
		ea, eb := wantKind(t, errA, errs.NotFound), wantKind(t, errB, errs.NotFound)
		if ea.Message != eb.Message {
			t.Fatalf("messages differ: %q vs %q", ea.Message, eb.Message)
		}
		_, err = s.Status(ctxBg, "", "")
		wantKind(t, err, errs.Invalid)

		if _, err := s.Return(ctxBg, clerk1, app.ID, app.Version, "  "); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("empty reasons: %v", err)
		}
		if _, err := s.Return(ctxBg, clerk1, app.ID, app.Version, "银行账号与开户许可证不符，请核对"); err != nil {
			t.Fatal(err)
		}
		v, err = s.Status(ctxBg, app.AppNo, app.USCC)
		if err != nil || v.Status != StatusReturned || v.ReturnReasons != "银行账号与开户许可证不符，请核对" {
			t.Fatalf("after return: %+v %v", v, err)
		}
		// After a return the applicant submits a new application, linked to the old one.
		again := mustSubmit(t, s, nil, validInput(40))
		if again.PreviousID != app.ID || again.AppNo == app.AppNo {
			t.Fatalf("resubmission previous=%d no=%s", again.PreviousID, again.AppNo)
		}
		ap := mustApprove(t, s, again)
		v, err = s.Status(ctxBg, again.AppNo, again.USCC)
		if err != nil || v.Status != StatusApproved || v.EmployerNo != ap.Employer.EmployerNo {
			t.Fatalf("after approve: %+v %v", v, err)
		}
	})
}

func TestLateFlagWithDeclaredEmergency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newTestService(t, d)
		pol := policy.NewService(d, c, s.audit)
		if err := pol.SeedDefaults(ctxBg); err != nil {
			t.Fatal(err)
		}
		s.policy = pol
		in := validInput(80)
		in.EstablishedOn = "2023-12-01"
		before := mustSubmit(t, s, nil, in)
		if !before.Late || !strings.HasPrefix(before.LateBasis, "逾期登记（") {
			t.Fatalf("without emergency: %v %q", before.Late, before.LateBasis)
		}
		admin := &access.Actor{UserID: 1, Username: "admin", Role: access.RoleAdmin}
		if _, err := pol.Declare(ctxBg, admin, policy.Epidemic2024()); err != nil {
			t.Fatal(err)
		}
		in = validInput(81)
		in.EstablishedOn = "2023-12-01"
		during := mustSubmit(t, s, nil, in)
		if !during.Late || during.LateBasis != "疫情期间逾期登记，依 人社厅明电〔2024〕7号 及时受理" {
			t.Fatalf("during emergency: %v %q", during.Late, during.LateBasis)
		}
	})
}
