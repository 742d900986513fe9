package account

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
)

// NewAccount describes an account for ImportAccount.
type NewAccount struct {
	Role               access.Role
	Username           string // normalised with NormalizeUsername
	EmployerID         int64
	PersonID           int64
	HospitalID         int64 // for RoleHospital: the hospital's API client user
	DisplayName        string
	Sections           []access.Section
	PasswordHash       string // from HashPassword
	MustChangePassword bool
}

// CreateEmployerAccount creates the login of an approved employer inside
// the caller's transaction; username is the employer number. It returns the
// initial password (shown once; the employer must change it at first login).
// The caller has checked the approving clerk's permission and records its
// own audit entry naming the clerk; this one is recorded as the system.
// Errors: Invalid (empty username), Conflict (username taken), Internal.
func (s *Service) CreateEmployerAccount(ctx context.Context, tx *sql.Tx, employerID int64, username string) (initialPassword string, err error) {
	username = NormalizeUsername(username)
	if username == "" || employerID == 0 {
		return "", errs.New(errs.Invalid, "employer_account_invalid", "单位社保编号或单位不能为空")
	}
	pw := NewInitialPassword()
	hash, err := s.HashPassword(ctx, pw)
	if err != nil {
		return "", err
	}
	id, err := s.insertUser(ctx, tx, NewAccount{Role: access.RoleEmployer, Username: username, EmployerID: employerID,
		PasswordHash: hash, MustChangePassword: true})
	if err != nil {
		return "", err
	}
	return pw, s.audit.Record(ctx, tx, access.System, audit.Entry{Action: "account.create", Entity: "user",
		EntityID: strconv.FormatInt(id, 10), After: auditUser(access.RoleEmployer, username, nil),
		Note: "单位参保登记审核通过，开通单位账户"})
}

// CreatePersonAccount creates an insured person's login (username = the ID
// number, normalised) inside the caller's transaction, with an initial
// password the person must change at first login.
// Errors: Invalid (bad ID number or password), Conflict (already has one), Internal.
func (s *Service) CreatePersonAccount(ctx context.Context, tx *sql.Tx, personID int64, idNumber, initialPassword string) error {
	var f errs.Fields
	id, err := ident.ParseIDOn(idNumber, clock.Today(s.clock))
	if e := errs.As(err); e != nil {
		f.Add("id_number", e.Message)
	} else if err != nil {
		f.Add("id_number", "公民身份号码无效")
	}
	checkPolicy(&f, "password", id.Number, "", initialPassword)
	if personID == 0 {
		f.Add("person_id", "缺少参保人")
	}
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := s.HashPassword(ctx, initialPassword)
	if err != nil {
		return err
	}
	uid, err := s.insertUser(ctx, tx, NewAccount{Role: access.RolePerson, Username: id.Number, PersonID: personID,
		PasswordHash: hash, MustChangePassword: true})
	if err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, access.System, audit.Entry{Action: "account.create", Entity: "user",
		EntityID: strconv.FormatInt(uid, 10), After: auditUser(access.RolePerson, id.Number, nil), Note: "开通个人账户"})
}

// ImportAccount inserts a prepared account inside the caller's transaction
// and returns its user ID. It is for trusted bulk seeding (the demo
// generator): it checks no permission and records no audit entry, so the
// caller records one entry for the batch. Hash a shared password once with
// HashPassword rather than once per account.
// Errors: Invalid, Conflict (username taken), Internal.
func (s *Service) ImportAccount(ctx context.Context, tx *sql.Tx, n NewAccount) (int64, error) {
	n.Username = NormalizeUsername(n.Username)
	if n.Username == "" || n.PasswordHash == "" {
		return 0, errs.New(errs.Invalid, "account_invalid", "用户名和密码不能为空")
	}
	switch n.Role {
	case access.RoleEmployer, access.RolePerson, access.RoleStaff, access.RoleAdmin, access.RoleHospital:
	default:
		return 0, errs.New(errs.Invalid, "account_role", "账户类型无效")
	}
	return s.insertUser(ctx, tx, n)
}

// CreateStaff creates an agency staff account (or an administrator when
// admin is set) working in the given sections, and returns its initial
// password, to be shown once. Administrators only.
// Errors: Forbidden, Invalid (fields username, display_name, sections), Conflict, Internal.
func (s *Service) CreateStaff(ctx context.Context, a *access.Actor, username, displayName string, sections []access.Section, admin bool) (initialPassword string, err error) {
	if err := a.RequireAdmin(); err != nil {
		return "", err
	}
	username = strings.ToLower(strings.TrimSpace(username))
	displayName = strings.TrimSpace(displayName)
	var f errs.Fields
	checkStaffUsername(&f, username)
	if displayName == "" {
		f.Add("display_name", "请填写姓名")
	} else if utf8.RuneCountInString(displayName) > 40 {
		f.Add("display_name", "姓名不能超过 40 个字")
	}
	sections = checkSections(&f, sections, !admin)
	if err := f.Err(); err != nil {
		return "", err
	}
	role := access.RoleStaff
	if admin {
		role = access.RoleAdmin
	}
	pw := NewInitialPassword()
	hash, err := s.HashPassword(ctx, pw)
	if err != nil {
		return "", err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertUser(ctx, tx, NewAccount{Role: role, Username: username, DisplayName: displayName,
			Sections: sections, PasswordHash: hash, MustChangePassword: true})
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.create", Entity: "user",
			EntityID: strconv.FormatInt(id, 10), After: auditUser(role, username, sections)})
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

// CreateHospitalUser opens a web login for a member of a hospital's staff
// (医院经办人员): the hospital is an API client of the hospital kind
// (clientID is its api_clients id). The user files continued-treatment
// forms and sees only the hospital's own submissions, settlements and
// payments. Admins only; returns the initial password (to change at first
// login). Errors: Forbidden, Invalid (fields), NotFound (no such
// hospital), Conflict (username taken).
func (s *Service) CreateHospitalUser(ctx context.Context, a *access.Actor, clientID int64, username, displayName string) (string, error) {
	if err := a.RequireAdmin(); err != nil {
		return "", err
	}
	username = strings.ToLower(strings.TrimSpace(username))
	displayName = strings.TrimSpace(displayName)
	var f errs.Fields
	checkStaffUsername(&f, username)
	if displayName == "" || utf8.RuneCountInString(displayName) > 40 {
		f.Add("display_name", "请填写经办人员姓名（40 字以内）")
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	c, err := getAPIClient(ctx, s.db.Read(), clientID)
	if err != nil {
		return "", err
	}
	if c.Kind != KindHospital || c.Revoked() {
		return "", errs.NotFoundf("没有该医院接口客户端（或已停用）")
	}
	pw := NewInitialPassword()
	hash, err := s.HashPassword(ctx, pw)
	if err != nil {
		return "", err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertUser(ctx, tx, NewAccount{Role: access.RoleHospital, Username: username, DisplayName: displayName,
			HospitalID: c.UserID, PasswordHash: hash, MustChangePassword: true})
		if err != nil {
			return err
		}
		after := auditUser(access.RoleHospital, username, nil)
		after["hospital"] = c.Name
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.create", Entity: "user",
			EntityID: strconv.FormatInt(id, 10), After: after})
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

// checkStaffUsername: 3–32 of a-z 0-9 . _ -, starting with a letter or
// digit, and never shaped like an ID number (those are persons' logins).
func checkStaffUsername(f *errs.Fields, u string) {
	n := len(u)
	ok := n > 0 && strings.IndexFunc(u, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
	}) < 0
	switch {
	case u == "":
		f.Add("username", "请填写工号（用户名）")
	case n < 3 || n > 32:
		f.Add("username", "工号须为 3 至 32 位")
	case !ok:
		f.Add("username", "工号只能包含小写字母、数字和 . _ -")
	case strings.ContainsAny(u[:1], "._-"):
		f.Add("username", "工号须以字母或数字开头")
	case n == 15 || n == 18:
		if _, err := ident.ParseID(u); err == nil {
			f.Add("username", "工号不能使用公民身份号码")
		}
	}
}

// checkSections validates sections, requiring one when need is set, and
// returns them in display order without duplicates.
func checkSections(f *errs.Fields, in []access.Section, need bool) []access.Section {
	for _, x := range in {
		if !x.Valid() {
			f.Add("sections", "科室无效："+string(x))
			return nil
		}
	}
	out := sortSections(in)
	if need && len(out) == 0 {
		f.Add("sections", "请至少选择一个科室")
	}
	return out
}

// insertUser stores an account and its sections; Conflict if the username is taken.
func (s *Service) insertUser(ctx context.Context, tx *sql.Tx, n NewAccount) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO users (username, password_hash, role, employer_id, person_id,
		display_name, must_change_password, created_at, password_changed_at, hospital_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id`,
		n.Username, n.PasswordHash, string(n.Role), nullID(n.EmployerID), nullID(n.PersonID),
		n.DisplayName, n.MustChangePassword, s.clock.Now(), nullID(n.HospitalID)).Scan(&id)
	if db.IsUniqueViolation(err) {
		var f errs.Fields
		f.Add("username", "该用户名已开通账户")
		e := errs.As(f.Err())
		e.Kind, e.Code, e.Message = errs.Conflict, "username_taken", "该用户名已开通账户，不能重复开通"
		return 0, e
	}
	if err != nil {
		return 0, errs.Wrap(err, "insert user")
	}
	return id, insertSections(ctx, tx, id, n.Sections)
}

func insertSections(ctx context.Context, q db.Querier, userID int64, sections []access.Section) error {
	for _, x := range sections {
		if _, err := q.ExecContext(ctx, `INSERT INTO user_sections (user_id, section) VALUES ($1, $2)`, userID, string(x)); err != nil {
			return errs.Wrap(err, "insert section")
		}
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// auditUser is the audit view of an account: the username masked when it
// is an ID number, never a password or hash.
func auditUser(role access.Role, username string, sections []access.Section) map[string]any {
	m := map[string]any{"role": string(role), "username": maskUsername(username)}
	if sections != nil {
		m["sections"] = sections
	}
	return m
}
