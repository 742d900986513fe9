package appointment

import (
	"context"
	"database/sql"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// defaultServices are seeded once; 办公室 may deactivate them later.
var defaultServices = []BookableService{
	{Code: ServiceStampedCertificate, Name: "加盖印章的缴费证明", Section: access.Fund,
		Description: "缴费证明可在网上自助打印并凭核验码核验；确需加盖社保部门印章的，预约后到大厅领取。"},
	{Code: ServiceOriginals, Name: "递交原件",
		Description: "容缺受理、告知承诺的业务，应急期结束后按要求递交材料原件；能邮寄的请优先邮寄。"},
	{Code: ServiceSocialCard, Name: "社保卡相关", Section: access.Welfare,
		Description: "社保卡领取、挂失补办等确需本人到场的业务；新开卡请优先到代发银行办理。"},
	{Code: ServiceOther, Name: "其他确需到大厅办理的业务",
		Description: "请先致电相关科室确认无法通过网上、电话、邮箱办理后再预约。"},
}

// SeedDefaults adds the default bookable services that are missing; it is
// safe to run at every start.
func (s *Service) SeedDefaults(ctx context.Context) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for i, x := range defaultServices {
			if _, err := tx.ExecContext(ctx, `INSERT INTO appt_services (code, name, section, description, active, sort_order)
				VALUES ($1, $2, $3, $4, TRUE, $5) ON CONFLICT (code) DO NOTHING`,
				x.Code, x.Name, string(x.Section), x.Description, i+1); err != nil {
				return errs.Wrap(err, "seed appointment services")
			}
		}
		return nil
	})
}

const serviceCols = `id, code, name, section, description, active`

func scanService(row interface{ Scan(...any) error }) (*BookableService, error) {
	var x BookableService
	var sec string
	if err := row.Scan(&x.ID, &x.Code, &x.Name, &sec, &x.Description, &x.Active); err != nil {
		return nil, err
	}
	x.Section = access.Section(sec)
	x.SectionName = "各科室"
	if x.Section != "" {
		x.SectionName = x.Section.Name()
	}
	return &x, nil
}

// Services lists the active bookable services.
func (s *Service) Services(ctx context.Context) ([]BookableService, error) {
	var out []BookableService
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		x, err := scanService(r)
		if err != nil {
			return err
		}
		out = append(out, *x)
		return nil
	}, `SELECT `+serviceCols+` FROM appt_services WHERE active = TRUE ORDER BY sort_order, id`)
	return out, errs.Wrap(err, "services")
}

// serviceByCode returns an active service; an unknown or inactive code is
// a field error.
func (s *Service) serviceByCode(ctx context.Context, code string) (*BookableService, error) {
	x, err := scanService(s.db.Read().QueryRowContext(ctx, `SELECT `+serviceCols+` FROM appt_services WHERE code = $1`, code))
	if db.IsNoRows(err) || (err == nil && !x.Active) {
		var f errs.Fields
		f.Add("service", "请选择可预约的业务")
		return nil, f.Err()
	}
	return x, errs.Wrap(err, "service")
}
