package payout

import (
	"shebao/internal/access"
	"shebao/internal/errs"
)

// Action is something staff do with payout lines; Can decides it.
type Action int

const (
	// SeeLines: list and open lines. A section sees the lines of the
	// benefits it prepares; the fund section (基金管理科) sees every line.
	SeeLines Action = iota
	// ApproveLines: approve or reject prepared lines, make batches and
	// bank files, import returns and reissue failed lines (fund section).
	ApproveLines
	// CancelLine: cancel a line; held and prepared lines by their
	// preparing section or the fund section, approved and failed lines by
	// the fund section only.
	CancelLine
	// ReissueLine: fix the account of a failed line and reissue it.
	ReissueLine
)

// Can reports whether a may do act, on line l when given (nil = before
// loading: whether a may do it to some line). It returns nil, a
// LoginRequired, a Forbidden or (cancelling a line in a final status) a
// Conflict. Handlers ask it to show or hide lists and buttons; the
// service methods ask it again.
func Can(a *access.Actor, act Action, l *Line) error {
	if a == nil {
		return errs.LoginRequired()
	}
	switch act {
	case SeeLines:
		return canSee(a, l)
	case ApproveLines, ReissueLine:
		if l != nil {
			if err := canSee(a, l); err != nil {
				return err
			}
		}
		return MayApprove(a)
	case CancelLine:
		if l == nil {
			return canSee(a, nil)
		}
		if err := canSee(a, l); err != nil {
			return err
		}
		return mayCancel(a, l)
	}
	return errs.Forbid()
}

func canSee(a *access.Actor, l *Line) error {
	if !a.IsStaff() {
		return errs.Forbid()
	}
	if a.In(access.Fund) {
		return nil
	}
	if l == nil {
		if len(visibleBenefits(a)) == 0 {
			return errs.Forbid()
		}
		return nil
	}
	if MayPrepare(a, l.Benefit) != nil {
		return errs.Forbid()
	}
	return nil
}

// visibleBenefits lists the benefit codes whose lines a may see, nil when
// a sees every line (the fund section) or none.
func visibleBenefits(a *access.Actor) []string {
	var out []string
	for _, b := range Benefits {
		if MayPrepare(a, b.Code) == nil {
			out = append(out, b.Code)
		}
	}
	return out
}

// SeesAll reports whether a sees the lines of every benefit (the fund
// section); other sections see the benefits they prepare.
func SeesAll(a *access.Actor) bool { return a.In(access.Fund) }
