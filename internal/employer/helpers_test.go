package employer

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// The tests live on 2024-02-10, inside the seed's epidemic scenario.
var testNow = time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai)

var (
	clerk1   = &access.Actor{UserID: 101, Username: "tongchou1", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	clerk2   = &access.Actor{UserID: 102, Username: "tongchou2", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	injury   = &access.Actor{UserID: 103, Username: "gongshang", Role: access.RoleStaff, Sections: []access.Section{access.Injury}}
	personA  = &access.Actor{UserID: 104, Username: "110105199001011234", Role: access.RolePerson, PersonID: 1}
	ctxBg    = context.Background()
	uscChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
)

// fakeMeasures answers MeasureInForce with a fixed emergency (or none) and
// the registration period with days (none in force when 0).
type fakeMeasures struct {
	em   *policy.Emergency
	days int64
}

func (f fakeMeasures) MeasureInForce(context.Context, time.Time, policy.Measure) (*policy.Emergency, error) {
	return f.em, nil
}

func (f fakeMeasures) Int(_ context.Context, key, _ string, _ time.Time) (int64, policy.Rule, error) {
	if key != KeyRegistrationDays || f.days == 0 {
		return 0, policy.Rule{}, errs.New(errs.NotFound, "rule_not_found", "no rule")
	}
	return f.days, policy.Rule{}, nil
}

func newTestService(t *testing.T, d *db.DB) (*Service, *clock.Fixed) {
	t.Helper()
	c := clock.NewFixed(testNow)
	au := audit.NewService(d, c)
	s := NewService(d, c, au, account.NewService(d, c, au), nil)
	s.policy = fakeMeasures{}
	return s, c
}

// makeUSCC builds a valid unified social credit code from a sequence
// number (GB 32100-2015: organisation-code check, then the mod-31 check).
func makeUSCC(seq int) string {
	org := fmt.Sprintf("%08d", seq)
	w := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, r := range org {
		sum += int(r-'0') * w[i]
	}
	c9 := 11 - sum%11
	oc := fmt.Sprint(c9)
	switch c9 {
	case 10:
		oc = "X"
	case 11:
		oc = "0"
	}
	body := "91110105" + org + oc
	sum, p := 0, 1
	for _, r := range body {
		sum += strings.IndexRune(uscChars, r) * p
		p = p * 3 % 31
	}
	return body + string(uscChars[(31-sum%31)%31])
}

// validInput returns a complete, valid application for the given USCC.
func validInput(seq int) ApplicationInput {
	return ApplicationInput{Info: Info{
		USCC: makeUSCC(seq), Name: fmt.Sprintf("北京测试科技有限公司%d", seq), LegalRep: "王建国",
		Address: "北京市朝阳区建国路88号", ContactName: "李丽", ContactPhone: "13800138000",
		ContactEmail: "hr@example.com", Industry: "软件和信息技术服务业", RiskClass: 1,
		BankName: "中国工商银行北京朝阳支行", BankAccount: "0200001234567890123", EstablishedOn: "2024-02-01",
	}}
}

func mustSubmit(t *testing.T, s *Service, a *access.Actor, in ApplicationInput) *Application {
	t.Helper()
	app, err := s.Submit(ctxBg, a, in)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return app
}

func mustApprove(t *testing.T, s *Service, app *Application) *Approval {
	t.Helper()
	ap, err := s.Approve(ctxBg, clerk1, app.ID, app.Version)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	return ap
}

func wantKind(t *testing.T, err error, k errs.Kind) *errs.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got nil", k)
	}
	if got := errs.KindOf(err); got != k {
		t.Fatalf("want %s error, got %s: %v", k, got, err)
	}
	return errs.As(err)
}

func employerActor(e *Employer) *access.Actor {
	return &access.Actor{UserID: 1000 + e.ID, Username: e.EmployerNo, Role: access.RoleEmployer, EmployerID: e.ID}
}
