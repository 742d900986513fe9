package apptest

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/employer"
	"shebao/internal/ident"
	"shebao/internal/person"
)

// seed creates one user per key: the administrator, one staff member per
// section, two employers and two persons with real records, and two API
// clients. Only the API clients go through the audited service path; the
// rest are imported like the demo generator does.
func (e *Env) seed(ctx context.Context) error {
	a := e.App
	hash, err := a.Accounts.HashPassword(ctx, Password)
	if err != nil {
		return err
	}
	logins := []account.NewAccount{{Role: access.RoleAdmin, Username: "admin", DisplayName: "系统管理员"}}
	keys := []string{Admin}
	for _, x := range access.Sections {
		logins = append(logins, account.NewAccount{Role: access.RoleStaff, Username: "staff-" + string(x),
			DisplayName: x.Name() + "经办人", Sections: []access.Section{x}})
		keys = append(keys, Staff(x))
	}
	emps, err := e.seedEmployers(ctx)
	if err != nil {
		return err
	}
	for i, em := range emps {
		logins = append(logins, account.NewAccount{Role: access.RoleEmployer, Username: em.EmployerNo,
			EmployerID: em.ID, DisplayName: em.Name})
		keys = append(keys, []string{EmployerA, EmployerB}[i])
	}
	for i, key := range []string{PersonA, PersonB} {
		p, err := a.Persons.Register(ctx, access.System, person.NewPerson{
			IDNumber: ident.MakeID("110105", time.Date(1985+i, 3, 14, 0, 0, 0, 0, time.UTC), 21+i, i == 0),
			Name:     []string{"张伟", "李娜"}[i], Phone: "13800138000", Kind: person.Employee})
		if err != nil {
			return err
		}
		logins = append(logins, account.NewAccount{Role: access.RolePerson, Username: p.IDNumber, PersonID: p.ID, DisplayName: p.Name})
		keys = append(keys, key)
	}
	err = a.DB.WithTx(ctx, func(tx *sql.Tx) error {
		for i, n := range logins {
			n.PasswordHash = hash
			id, err := a.Accounts.ImportAccount(ctx, tx, n)
			if err != nil {
				return err
			}
			e.Users[keys[i]] = &User{Key: keys[i], Username: account.NormalizeUsername(n.Username), Password: Password,
				ID: id, Role: n.Role, EmployerID: n.EmployerID, PersonID: n.PersonID, Sections: n.Sections}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return e.seedAPIClients(ctx)
}

func (e *Env) seedEmployers(ctx context.Context) ([]employer.Employer, error) {
	list := []employer.Employer{
		{Info: employer.Info{USCC: ident.MakeUSCC("91", "110105", "MA01TE5A"), Name: "北京甲测试科技有限公司",
			LegalRep: "王建国", Address: "北京市朝阳区建国路1号", ContactName: "李丽", ContactPhone: "13800138001",
			Industry: "软件和信息技术服务业", RiskClass: 1, EstablishedOn: "2020-01-02"}, RegisteredOn: "2020-01-10"},
		{Info: employer.Info{USCC: ident.MakeUSCC("91", "110105", "MA02TE5B"), Name: "北京乙测试建筑工程有限公司",
			LegalRep: "赵强", Address: "北京市朝阳区建国路2号", ContactName: "周敏", ContactPhone: "13800138002",
			Industry: "房屋建筑业", RiskClass: 5, EstablishedOn: "2019-05-06"}, RegisteredOn: "2019-05-20"},
	}
	err := e.App.DB.WithTx(ctx, func(tx *sql.Tx) error { return e.App.Employers.InsertDemo(ctx, tx, list) })
	return list, err
}

func (e *Env) seedAPIClients(ctx context.Context) error {
	for _, c := range []struct{ key, name, kind string }{
		{APIHospital, "北京市测试医院", account.KindHospital},
		{APIBank, "中国测试银行北京分行", account.KindBank},
		{APIBureau, "北京市测试区人力资源和社会保障局", account.KindBureau},
		{APIHospital2, "北京市第二测试医院", account.KindHospital},
	} {
		k, err := e.App.Accounts.CreateAPIClient(ctx, access.System, c.name, c.kind)
		if err != nil {
			return err
		}
		a, err := e.App.Accounts.AuthenticateAPIKey(ctx, k)
		if err != nil {
			return err
		}
		e.Users[c.key] = &User{Key: c.key, Username: a.Username, APIKey: k, ID: a.UserID, Role: access.RoleAPI}
	}
	return e.seedHospitalUser(ctx)
}

// seedHospitalUser imports the web user of APIHospital's hospital.
func (e *Env) seedHospitalUser(ctx context.Context) error {
	hash, err := e.App.Accounts.HashPassword(ctx, Password)
	if err != nil {
		return err
	}
	hosp := e.Users[APIHospital].ID
	return e.App.DB.WithTx(ctx, func(tx *sql.Tx) error {
		id, err := e.App.Accounts.ImportAccount(ctx, tx, account.NewAccount{Role: access.RoleHospital, Username: "hospital-web",
			HospitalID: hosp, DisplayName: "测试医院医保办", PasswordHash: hash})
		e.Users[HospitalWeb] = &User{Key: HospitalWeb, Username: "hospital-web", Password: Password, ID: id,
			Role: access.RoleHospital, HospitalID: hosp}
		return err
	})
}
