package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/errs"
)

// usersView is the data of /admin/users: the search, one page of users and
// the form creating staff.
type usersView struct {
	Query, Role       string
	Roles             []roleOption
	Users             []*account.User
	Page              int
	HasPrev, HasNext  bool
	PrevURL, NextURL  string
	SelectedSections  map[access.Section]bool // re-filled after a failed create
	CreateAsAdminFlag bool
}

// roleOption is one choice of the role filter.
type roleOption struct {
	Code access.Role
	Name string
}

var listedRoles = func() (out []roleOption) {
	for _, r := range []access.Role{access.RoleStaff, access.RoleAdmin, access.RoleEmployer, access.RolePerson} {
		out = append(out, roleOption{r, account.RoleName(r)})
	}
	return out
}()

// onceView shows a new password or key a single time.
type onceView struct {
	Heading, Label, Secret, Who, Back string
}

// confirmView asks before a reset, disable, enable or revoke.
type confirmView struct {
	Heading, Text, Action, Button, Cancel string
	Version                               int64
}

// noStore keeps a page holding a password or key out of every cache.
func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// pathID reads the {id} of the route; a malformed one is NotFound.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFoundf("没有这条记录")
	}
	return id, nil
}

// ofPathID loads the record of the route's {id} (malformed: NotFound)
// through get, as the signed-in actor.
func ofPathID[T any](r *http.Request, get func(context.Context, *access.Actor, int64) (T, error)) (T, error) {
	id, err := pathID(r)
	if err != nil {
		var none T
		return none, err
	}
	return get(r.Context(), actorFrom(r.Context()), id)
}

// formSections reads the checked section boxes.
func formSections(r *http.Request) []access.Section {
	var out []access.Section
	for _, v := range r.PostForm["sections"] {
		out = append(out, access.Section(v))
	}
	return out
}

func (s *Server) usersView(r *http.Request) (*usersView, error) {
	q := r.URL.Query()
	page := pageParam(q)
	f := account.UserFilter{Query: q.Get("q"), Role: access.Role(q.Get("role"))}
	res, err := s.Accounts.ListUsers(r.Context(), actorFrom(r.Context()), f, page)
	if err != nil {
		return nil, err
	}
	v := &usersView{Query: f.Query, Role: string(f.Role), Roles: listedRoles, Users: res.Users, Page: res.Page,
		HasPrev: res.Page > 1, HasNext: res.HasNext}
	link := func(p int) string {
		u := url.Values{"page": {strconv.Itoa(p)}}
		if f.Query != "" {
			u.Set("q", f.Query)
		}
		if f.Role != "" {
			u.Set("role", string(f.Role))
		}
		return "/admin/users?" + u.Encode()
	}
	v.PrevURL, v.NextURL = link(res.Page-1), link(res.Page+1)
	return v, nil
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) {
	v, err := s.usersView(r)
	s.renderOrFail(w, r, "admin_users", &Page{Title: "用户管理", Data: v}, err)
}

func (s *Server) adminCreateStaff(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	username, name := r.PostFormValue("username"), r.PostFormValue("display_name")
	secs, asAdmin := formSections(r), r.PostFormValue("admin") == "1"
	pw, err := s.Accounts.CreateStaff(r.Context(), a, username, name, secs, asAdmin)
	if err != nil {
		v, lerr := s.usersView(r)
		if lerr != nil {
			s.fail(w, r, err)
			return
		}
		v.SelectedSections, v.CreateAsAdminFlag = map[access.Section]bool{}, asAdmin
		for _, x := range secs {
			v.SelectedSections[x] = true
		}
		s.renderForm(w, r, "admin_users", &Page{Title: "用户管理", Data: v}, err)
		return
	}
	noStore(w)
	s.render(w, r, "admin_once", &Page{Title: "账户已创建", Data: onceView{Heading: "经办人员账户已创建",
		Label: "初始密码", Secret: pw, Who: account.NormalizeUsername(username), Back: "/admin/users"}})
}

// userView is the data of /admin/users/{id}.
type userView struct {
	User *account.User
}

func (s *Server) adminUser(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	u, err := s.Accounts.GetUser(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "admin_user", &Page{Title: "账户 " + u.MaskedUsername(), Data: userView{User: u}})
}

func (s *Server) adminSetSections(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	if err := s.Accounts.SetSections(r.Context(), a, id, version, formSections(r)); err != nil {
		u, gerr := s.Accounts.GetUser(r.Context(), a, id)
		if gerr != nil {
			s.fail(w, r, err)
			return
		}
		s.renderForm(w, r, "admin_user", &Page{Title: "账户 " + u.MaskedUsername(), Data: userView{User: u}}, err)
		return
	}
	redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), "科室已更新")
}

var userActions = map[string]struct{ heading, text, button string }{
	"reset":   {"重置密码", "将为该账户生成新的初始密码，该账户的全部登录随即退出，下次登录须修改密码。", "确认重置"},
	"disable": {"停用账户", "停用后该账户不能登录，已登录的会话立即失效。", "确认停用"},
	"enable":  {"启用账户", "启用后该账户可以重新登录，登录失败锁定同时解除。", "确认启用"},
	"unlock":  {"解除锁定", "该账户因登录失败次数过多被锁定。请先与本人核实（如怀疑密码泄露，请改为重置密码），解除后可重新登录。", "确认解除"},
}

func (s *Server) adminUserConfirm(w http.ResponseWriter, r *http.Request) {
	act, known := userActions[r.PathValue("action")]
	id, err := pathID(r)
	if err == nil && !known {
		err = errs.NotFoundf("没有这个操作")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.Accounts.GetUser(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/admin/users/" + strconv.FormatInt(id, 10)
	s.render(w, r, "admin_confirm", &Page{Title: act.heading, Data: confirmView{Heading: act.heading + "：" + u.MaskedUsername(),
		Text: act.text, Action: back + "/" + r.PathValue("action"), Button: act.button, Cancel: back, Version: u.Version}})
}

func (s *Server) adminUserAction(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	back := "/admin/users/" + strconv.FormatInt(id, 10)
	switch r.PathValue("action") {
	case "reset":
		pw, err := s.Accounts.ResetPassword(r.Context(), a, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		u, err := s.Accounts.GetUser(r.Context(), a, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		noStore(w)
		s.render(w, r, "admin_once", &Page{Title: "密码已重置", Data: onceView{Heading: "密码已重置",
			Label: "新的初始密码", Secret: pw, Who: u.MaskedUsername(), Back: back}})
	case "disable":
		version, err := formVersion(r)
		if err == nil {
			err = s.Accounts.Disable(r.Context(), a, id, version)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		redirect(w, r, back, "账户已停用")
	case "enable":
		version, err := formVersion(r)
		if err == nil {
			err = s.Accounts.Enable(r.Context(), a, id, version)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		redirect(w, r, back, "账户已启用")
	case "unlock":
		if err := s.Accounts.Unlock(r.Context(), a, id); err != nil {
			s.fail(w, r, err)
			return
		}
		redirect(w, r, back, "账户已解除锁定")
	default:
		s.fail(w, r, errs.NotFoundf("没有这个操作"))
	}
}

// clientsView is the data of /admin/api-clients.
type clientsView struct {
	Clients []*account.APIClient
}

func (s *Server) adminAPIClients(w http.ResponseWriter, r *http.Request) {
	s.renderClients(w, r, nil)
}

func (s *Server) renderClients(w http.ResponseWriter, r *http.Request, formErr error) {
	list, err := s.Accounts.ListAPIClients(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &Page{Title: "接口客户端", Data: clientsView{Clients: list}}
	s.renderOrForm(w, r, "admin_api_clients", p, formErr)
}

func (s *Server) adminCreateAPIClient(w http.ResponseWriter, r *http.Request) {
	name := r.PostFormValue("name")
	key, err := s.Accounts.CreateAPIClient(r.Context(), actorFrom(r.Context()), name, r.PostFormValue("kind"))
	if err != nil {
		s.renderClients(w, r, err)
		return
	}
	noStore(w)
	s.render(w, r, "admin_once", &Page{Title: "接口密钥已创建", Data: onceView{Heading: "接口密钥已创建",
		Label: "接口密钥", Secret: key, Who: name, Back: "/admin/api-clients"}})
}

func (s *Server) adminRevokeConfirm(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	c, err := s.Accounts.GetAPIClient(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "admin_confirm", &Page{Title: "吊销接口密钥", Data: confirmView{Heading: "吊销接口密钥：" + c.Name,
		Text:   "吊销后使用该密钥（" + c.KeyPrefix + "）的请求全部被拒绝，且不能恢复；如需继续对接请重新创建。",
		Action: "/admin/api-clients/" + strconv.FormatInt(id, 10) + "/revoke", Button: "确认吊销", Cancel: "/admin/api-clients", Version: c.Version}})
}

func (s *Server) adminRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	if err := s.Accounts.RevokeAPIClient(r.Context(), actorFrom(r.Context()), id); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/api-clients", "接口密钥已吊销")
}
