// Package access defines who is acting: the actor passed to every service
// method, the agency's sections and the roles. Services check permissions
// with these types; the web layer only builds the Actor from the session.
package access

import "shebao/internal/errs"

// Role is the kind of account.
type Role string

// Roles.
const (
	RoleEmployer Role = "employer" // 参保单位
	RolePerson   Role = "person"   // 参保人
	RoleStaff    Role = "staff"    // 经办人员
	RoleAdmin    Role = "admin"    // 系统管理员 (also staff)
	RoleAPI      Role = "api"      // 医院、银行等接口客户端
	RoleHospital Role = "hospital" // 医院经办人员（网上经办）
)

// Roles lists every role; users.role accepts each (a test checks it on a
// fresh and on an upgraded database of both engines).
var Roles = []Role{RoleEmployer, RolePerson, RoleStaff, RoleAdmin, RoleAPI, RoleHospital}

// Section is an agency department (科室); each owns a work queue.
type Section string

// The eight sections of the seed, with their code names from the glossary.
const (
	Coordination Section = "coordination" // 统筹科
	Injury       Section = "injury"       // 工伤保险待遇科
	Welfare      Section = "welfare"      // 保险福利科
	Fund         Section = "fund"         // 基金管理科
	Audit        Section = "audit"        // 审计科
	SelfEmployed Section = "selfemployed" // 个体参保科
	Account      Section = "account"      // 个人账户科
	Office       Section = "office"       // 办公室
)

// Sections lists every section in display order.
var Sections = []Section{Coordination, Injury, Welfare, Fund, Audit, SelfEmployed, Account, Office}

var sectionNames = map[Section]string{
	Coordination: "统筹科", Injury: "工伤保险待遇科", Welfare: "保险福利科", Fund: "基金管理科",
	Audit: "审计科", SelfEmployed: "个体参保科", Account: "个人账户科", Office: "办公室",
}

// Name returns the Chinese name of the section.
func (s Section) Name() string {
	if n, ok := sectionNames[s]; ok {
		return n
	}
	return string(s)
}

// Valid reports whether s is a known section.
func (s Section) Valid() bool { _, ok := sectionNames[s]; return ok }

// Actor is the authenticated party on whose behalf a service method runs.
type Actor struct {
	UserID      int64
	Username    string
	DisplayName string // the name people read (a session's user); may be empty
	Role        Role
	EmployerID  int64     // for RoleEmployer
	PersonID    int64     // for RolePerson
	Sections    []Section // for RoleStaff / RoleAdmin
	ClientKind  string    // for RoleAPI: "hospital" or "bank"
	HospitalID  int64     // for RoleHospital: the hospital's API client user
}

// Hospital returns the hospital the actor acts for: a hospital's API key
// or one of its web users (0 for anyone else).
func (a *Actor) Hospital() int64 {
	switch {
	case a == nil:
		return 0
	case a.Role == RoleAPI && a.ClientKind == "hospital":
		return a.UserID
	case a.Role == RoleHospital:
		return a.HospitalID
	}
	return 0
}

// System is the actor for jobs and the demo generator.
var System = &Actor{UserID: 0, Username: "system", Role: RoleAdmin, Sections: Sections}

// IsStaff reports whether the actor works for the agency.
func (a *Actor) IsStaff() bool { return a != nil && (a.Role == RoleStaff || a.Role == RoleAdmin) }

// IsAdmin reports whether the actor is an administrator.
func (a *Actor) IsAdmin() bool { return a != nil && a.Role == RoleAdmin }

// In reports whether a staff actor belongs to the section (admins belong to all).
func (a *Actor) In(s Section) bool {
	if a == nil {
		return false
	}
	if a.Role == RoleAdmin {
		return true
	}
	if a.Role != RoleStaff {
		return false
	}
	for _, x := range a.Sections {
		if x == s {
			return true
		}
	}
	return false
}

// RequireSection returns Forbidden unless the actor is staff of section s.
func (a *Actor) RequireSection(s Section) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if !a.In(s) {
		return errs.Forbid()
	}
	return nil
}

// RequireAdmin returns Forbidden unless the actor is an administrator.
func (a *Actor) RequireAdmin() error {
	if a == nil {
		return errs.LoginRequired()
	}
	if !a.IsAdmin() {
		return errs.Forbid()
	}
	return nil
}

// RequireEmployer returns Forbidden unless the actor is that employer or
// staff of the coordination section (who may act on any employer).
func (a *Actor) RequireEmployer(employerID int64) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if a.Role == RoleEmployer && a.EmployerID == employerID && employerID != 0 {
		return nil
	}
	if a.In(Coordination) {
		return nil
	}
	return errs.Forbid()
}

// Name returns a label for audit entries.
func (a *Actor) Name() string {
	if a == nil {
		return "anonymous"
	}
	return a.Username
}
