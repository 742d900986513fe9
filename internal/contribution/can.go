package contribution

import (
	"shebao/internal/access"
	"shebao/internal/errs"
)

// Action is something an actor asks to do with bills. Can answers it, for
// the service methods and for the pages that show or hide a link or button,
// so the two never disagree.
type Action string

const (
	// SeeBill reads one bill: its lines, its quote, its payments.
	SeeBill Action = "see"
	// UseStaffPages opens the staff bill pages at all (each bill is then
	// SeeBill): 统筹科, 基金管理科, and 个体参保科 for flexible workers' bills.
	UseStaffPages Action = "staff_pages"
	// ReviewCorrection reassesses an employer's bill or rejects its
	// correction request: 统筹科.
	ReviewCorrection Action = "review"
)

// Can reports whether a may do act, on bill b where the action concerns
// one (b may be nil to ask before a bill is loaded). Errors:
// Unauthenticated, Forbidden, NotFound (a bill a may not see, so ids
// reveal nothing).
func Can(a *access.Actor, act Action, b *Bill) error {
	if a == nil {
		return errs.LoginRequired()
	}
	switch act {
	case SeeBill:
		return canSee(a, b)
	case UseStaffPages:
		if a.In(access.Coordination) || a.In(access.Fund) || a.In(access.SelfEmployed) {
			return nil
		}
		return errs.Forbid()
	case ReviewCorrection:
		if err := a.RequireSection(access.Coordination); err != nil {
			return err
		}
		if b != nil && b.PayerKind != PayerEmployer {
			return notFound()
		}
		return nil
	}
	return errs.Forbid()
}

// canSee: the employer its own bills, the flexible worker his or her own,
// staff of 统筹科, 基金管理科, and 个体参保科 for flexible workers' bills.
// Anyone else gets NotFound.
func canSee(a *access.Actor, b *Bill) error {
	switch {
	case a.Role == access.RoleEmployer && b.EmployerID != 0 && a.EmployerID == b.EmployerID:
		return nil
	case a.Role == access.RolePerson && b.PayerKind == PayerFlexible && b.PersonID != 0 && a.PersonID == b.PersonID:
		return nil
	case a.In(access.Coordination), a.In(access.Fund):
		return nil
	case b.PayerKind == PayerFlexible && a.In(access.SelfEmployed):
		return nil
	}
	return notFound()
}
