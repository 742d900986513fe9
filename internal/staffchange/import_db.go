package staffchange

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/person"
)

// lookupChunk is the number of ID numbers or person IDs per IN list of a
// lookup.
const lookupChunk = 500

// parseIDCell parses an ID number cell on today.
func parseIDCell(s string, today time.Time) (string, error) {
	id, err := ident.ParseIDOn(strings.ToUpper(strings.TrimSpace(s)), today)
	if err != nil {
		return "", err
	}
	if len(id.Number) != 18 {
		return "", errs.New(errs.Invalid, "id_length", "公民身份号码应为18位")
	}
	return id.Number, nil
}

// knownPerson is a stored person an import row refers to.
type knownPerson struct {
	ID     int64
	Name   string
	Status string
	Jobs   []person.Employment // covering the earliest month of the file or later
}

// lookup reads the persons with the rows' ID numbers and their employments
// from month minMonth on.
func lookup(ctx context.Context, tx *sql.Tx, rows []importRow, minMonth string, chunk int) (map[string]*knownPerson, error) {
	var ids []string
	for _, r := range rows {
		if r.idNumber != "" {
			ids = append(ids, r.idNumber)
		}
	}
	out := map[string]*knownPerson{}
	byID := map[int64]*knownPerson{}
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		var b strings.Builder
		for i, n := range part {
			args[i] = n
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + itoa(i+1))
		}
		rs, err := tx.QueryContext(ctx, `SELECT id, id_number, name, status FROM persons WHERE id_number IN (`+b.String()+`)`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "lookup persons")
		}
		for rs.Next() {
			var k knownPerson
			var n string
			if err := rs.Scan(&k.ID, &n, &k.Name, &k.Status); err != nil {
				rs.Close()
				return nil, errs.Wrap(err, "scan person")
			}
			out[n], byID[k.ID] = &k, &k
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, errs.Wrap(err, "lookup persons")
		}
	}
	return out, jobsOf(ctx, tx, byID, minMonth, chunk)
}

// jobsOf attaches the employments ending at minMonth or later.
func jobsOf(ctx context.Context, tx *sql.Tx, byID map[int64]*knownPerson, minMonth string, chunk int) error {
	pids := make([]int64, 0, len(byID))
	for id := range byID {
		pids = append(pids, id)
	}
	for start := 0; start < len(pids); start += chunk {
		part := pids[start:min(start+chunk, len(pids))]
		args := []any{minMonth}
		var b strings.Builder
		for i, id := range part {
			args = append(args, id)
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + itoa(i+2))
		}
		rs, err := tx.QueryContext(ctx, `SELECT m.id, m.person_id, m.employer_id, e.name, m.start_month,
			COALESCE(m.end_month, ''), m.base_fen, m.version FROM employments m JOIN employers e ON e.id = m.employer_id
			WHERE m.person_id IN (`+b.String()+`) AND (m.end_month IS NULL OR m.end_month >= $1)
			ORDER BY m.start_month DESC, m.id DESC`, args...)
		if err != nil {
			return errs.Wrap(err, "lookup employments")
		}
		for rs.Next() {
			var m person.Employment
			if err := rs.Scan(&m.ID, &m.PersonID, &m.EmployerID, &m.EmployerName, &m.StartMonth, &m.EndMonth, &m.Base, &m.Version); err != nil {
				rs.Close()
				return errs.Wrap(err, "scan employment")
			}
			k := byID[m.PersonID]
			k.Jobs = append(k.Jobs, m)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return errs.Wrap(err, "lookup employments")
		}
	}
	return nil
}

// checkAgainstDB checks the rows against stored persons and employments:
// names, conflicts with other employers, removals of non-staff.
func (s *Service) checkAgainstDB(ctx context.Context, tx *sql.Tx, employerID int64, rows []importRow, rep *ImportReport) error {
	minMonth := "9999-99"
	for _, r := range rows {
		for _, m := range []string{r.add.month, r.endMonth} {
			if m != "" && m < minMonth {
				minMonth = m
			}
		}
	}
	known, err := lookup(ctx, tx, rows, minMonth, lookupChunk)
	if err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		k := known[r.idNumber]
		if r.idNumber == "" {
			continue
		}
		if k != nil && r.name != "" && k.Name != r.name {
			rep.problem(r.Row, colName, "姓名“"+r.name+"”与该身份号码登记的姓名不一致，请核对")
		}
		if r.remove {
			s.checkRemoval(employerID, r, k, rep)
			continue
		}
		if k == nil || r.add.month == "" {
			continue
		}
		r.personID = k.ID
		if k.Status == string(person.Deceased) {
			rep.problem(r.Row, colID, errText(deceasedError()))
			continue
		}
		for _, m := range k.Jobs {
			if m.EndMonth == "" || m.EndMonth >= r.add.month {
				if m.EmployerID == employerID {
					rep.problem(r.Row, colID, errText(ownError(m)))
				} else {
					rep.problem(r.Row, colID, errText(heldError(m)))
				}
				break
			}
		}
	}
	return nil
}

// checkRemoval finds the open employment a 减员 row ends.
func (s *Service) checkRemoval(employerID int64, r *importRow, k *knownPerson, rep *ImportReport) {
	if k != nil {
		for _, m := range k.Jobs {
			if m.EmployerID == employerID && m.EndMonth == "" {
				r.personID = k.ID
				r.staff = &Staff{EmploymentID: m.ID, EmployerID: employerID, PersonID: k.ID, IDNumber: r.idNumber,
					Name: k.Name, StartMonth: m.StartMonth, Base: m.Base, Version: m.Version}
				if r.endMonth != "" && r.endMonth < m.StartMonth {
					rep.problem(r.Row, colEnd, "终止月份不能早于参保起始月份（"+m.StartMonth+"）")
				}
				return
			}
		}
	}
	rep.problem(r.Row, colID, "该人员不在本单位在保人员名单中（未参保或已减员），无法减员")
}

// insertAdds writes the new persons, employments and change rows of the
// 增员 rows in batches.
func (s *Service) insertAdds(ctx context.Context, tx *sql.Tx, a *access.Actor, employerID int64, rows []importRow, importID int64) error {
	now, dialect := s.clock.Now(), s.db.Dialect
	var adds []*importRow
	var fresh []*importRow
	for i := range rows {
		if !rows[i].remove {
			adds = append(adds, &rows[i])
			if rows[i].personID == 0 {
				fresh = append(fresh, &rows[i])
			}
		}
	}
	if err := insertPersons(ctx, tx, dialect, fresh, now); err != nil {
		return err
	}
	jobs, err := insertEmployments(ctx, tx, dialect, employerID, adds, now)
	if err != nil {
		return err
	}
	err = db.BulkInsert(ctx, tx, dialect, db.Insert{Table: "staff_changes", Columns: changeColumns, Rows: len(adds),
		Row: func(i int) []any {
			r := adds[i]
			return changeRow{EmployerID: employerID, PersonID: r.personID, EmploymentID: jobs[r.personID], Kind: "add",
				Month: r.add.month, Declared: r.clamp.Declared, Base: r.clamp.Base, Flags: r.flag, ImportID: importID,
				ActorID: a.UserID}.args(now)
		}})
	return insertErr(err)
}

// insertErr says in Chinese that a concurrent change made a row a
// duplicate.
func insertErr(err error) error {
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "conflict", "数据已被同时修改，请重新导入")
	}
	return err
}

// insertPersons has person create the persons of rows and sets their
// personID.
func insertPersons(ctx context.Context, tx *sql.Tx, dialect db.Dialect, rows []*importRow, now time.Time) error {
	list := make([]*person.Person, len(rows))
	for i, r := range rows {
		list[i] = newPerson(r.add)
	}
	ids, err := person.InsertMany(ctx, tx, dialect, list, now)
	for _, r := range rows {
		r.personID = ids[r.idNumber]
	}
	return insertErr(err)
}

// insertEmployments has person create the employments of rows and returns
// their ids by person.
func insertEmployments(ctx context.Context, tx *sql.Tx, dialect db.Dialect, employerID int64, rows []*importRow, now time.Time) (map[int64]int64, error) {
	list := make([]person.NewEmployment, len(rows))
	for i, r := range rows {
		list[i] = person.NewEmployment{PersonID: r.personID, EmployerID: employerID, StartMonth: r.add.month,
			Base: r.clamp.Base, Declared: r.clamp.Declared}
	}
	ids, err := person.InsertEmployments(ctx, tx, dialect, list, now)
	return ids, insertErr(err)
}
