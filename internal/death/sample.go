package death

import (
	"context"
	"fmt"
	"strings"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// CivilSample builds a civil-affairs register file (CSV) from the data
// at hand, to try the import: a living pensioner exactly as recorded (the
// death is applied and the pension stopped), another with a different
// name (to the review queue), and the death recorded last, repeated (a
// duplicate, applied once). Pensioners with a portal login are left out.
// 保险福利科 only. Errors: Forbidden, NotFound (no pensioner to use).
func (s *Service) CivilSample(ctx context.Context, a *access.Actor) ([]byte, error) {
	if !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "民政死亡数据由保险福利科导入")
	}
	q := s.db.Read()
	var b strings.Builder
	b.WriteString("公民身份号码,姓名,死亡日期,死亡证明或火化证明编号\n")
	day := s.today().AddDate(0, 0, -20).Format("2006-01-02")
	rows, err := q.QueryContext(ctx, `SELECT p.id_number, p.name FROM persons p WHERE p.kind = 'retiree' AND p.status = 'active'
		AND EXISTS (SELECT 1 FROM pensioners x WHERE x.person_id = p.id AND x.status = 'active')
		AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id) ORDER BY p.id LIMIT 2`)
	if err != nil {
		return nil, errs.Wrap(err, "civil sample")
	}
	n := 0
	for rows.Next() {
		var idn, name string
		if err := rows.Scan(&idn, &name); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "civil sample")
		}
		if n == 1 {
			name = otherName(name)
		}
		n++
		fmt.Fprintf(&b, "%s,%s,%s,HZ%s%04d\n", idn, name, day, strings.ReplaceAll(day, "-", ""), n)
	}
	rows.Close()
	if n == 0 {
		return nil, errs.New(errs.NotFound, "no_pensioner", "没有可用于样例的在发养老金人员")
	}
	var idn, name, date, cert string
	err = q.QueryRowContext(ctx, `SELECT p.id_number, p.name, d.death_date, d.certificate_no FROM deaths d JOIN persons p ON p.id = d.person_id
		WHERE d.date_confirmed = $1 ORDER BY d.id DESC LIMIT 1`, true).Scan(&idn, &name, &date, &cert)
	if err != nil && !db.IsNoRows(err) {
		return nil, errs.Wrap(err, "civil sample")
	}
	if err == nil {
		fmt.Fprintf(&b, "%s,%s,%s,%s\n", idn, name, date, cert)
	}
	return []byte(b.String()), nil
}

// otherName changes the last character of a name (a register typo).
func otherName(name string) string {
	r := []rune(name)
	last := '明'
	if r[len(r)-1] == last {
		last = '华'
	}
	r[len(r)-1] = last
	return string(r)
}
