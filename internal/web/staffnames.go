package web

import (
	"context"
	"fmt"
	"strings"

	"shebao/internal/ident"
)

// People who did something (经办人, 审核人, 操作人 …) are stored by login
// name; pages show them by the name their account was given. A template
// writes {{$.Staff .PreparedBy}}; the page is rendered once to learn
// which logins it shows, they are named in one query through the account
// service, and the page is rendered again with the names (renderStatus).

// staffNames is what a page knows of the people it names.
type staffNames struct {
	resolved bool              // names holds the answer of the account service
	names    map[string]string // login → display name
	wanted   []string          // logins asked for while not yet resolved
}

// Staff names the person or program whose stored login is v: 系统（自动）
// for the special actors, the account's display name, a masked number for
// an account without a name whose login is a number (an insured person's
// ID number), and never the login itself.
func (p *Page) Staff(v any) string {
	login := fmt.Sprint(v)
	if l, ok := labels[labelActor][login]; ok || login == "" {
		return l
	}
	if !p.staff.resolved {
		p.staff.wanted = append(p.staff.wanted, login)
		return login
	}
	if name, ok := p.staff.names[login]; ok {
		return name
	}
	return unnamedLogin(login)
}

// unnamedLogin shows a login that has no display name.
func unnamedLogin(login string) string {
	if strings.Trim(strings.ToUpper(login), "0123456789X") == "" {
		return ident.MaskID(login)
	}
	if strings.IndexFunc(login, func(r rune) bool { return r < 0x80 }) >= 0 {
		return "未登记姓名的账户"
	}
	return login // a name written in Chinese by a program (demo clerks)
}

// resolveStaff names the logins the first rendering of p asked for; it
// reports whether the page must be rendered again.
func (s *Server) resolveStaff(ctx context.Context, p *Page) (bool, error) {
	p.staff.resolved = true
	if len(p.staff.wanted) == 0 || s.Accounts == nil {
		return false, nil
	}
	names, err := s.Accounts.DisplayNames(ctx, p.staff.wanted)
	if err != nil {
		return false, err
	}
	p.staff.names = names
	return true, nil
}
