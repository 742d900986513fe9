package statement_test

import (
	"bytes"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/person"
)

// The statements of a chunk are built from four set-based reads (persons,
// paid months, transferred years, account years) instead of four reads
// each: every PDF is byte for byte the one the single path renders, for
// persons with paid months of two flags, interest, a merged transfer in,
// an imported record and none at all.
func TestChunkedStatementsEqualSingle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, start)
		emp := e.addEmployer(t, "北京示例科技有限公司")
		a := e.addPerson(t, "张三丰", person.Employee, emp)
		b := e.addPerson(t, "李四", person.Employee, emp)
		c := e.addPerson(t, "王五", person.Employee, emp)
		none := e.addPerson(t, "赵六", person.Employee, emp)
		e.payBill(t, emp, "2022-11", "", a, c)
		e.payBill(t, emp, "2023-03", "emergency_makeup", a, b)
		e.payBill(t, emp, "2023-04", "", a)
		if _, err := e.accounts.RunInterest(ctx, clerk, 2023, nil); err != nil {
			t.Fatal(err)
		}
		var tid int64
		if err := d.W.QueryRow(`INSERT INTO transfers (transfer_no, direction, person_id, channel, other_agency, other_region, status,
			step_started_on, step_due_on, created_by, created_at, updated_at)
			VALUES ('ZR-T1', 'in', $1, 'email', '河北省石家庄市社会保险事业管理局', '130100', 'merged', '2024-01-02', '2024-01-22', 0, $2, $2)
			RETURNING id`, b.ID, e.c.Now()).Scan(&tid); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.Exec(`INSERT INTO transfer_years (transfer_id, year, months, wages_fen, account_fen) VALUES
			($1, 2019, 12, 3600000, 288000), ($1, 2020, 6, 1800000, 144000)`, tid); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.Exec(`INSERT INTO contribution_records (person_id, employer_id, fee_month, scheme, payer_kind, base_fen,
			employer_fen, individual_fen, paid, source, created_at) VALUES ($1, $2, '2021-05', 'pension', 'employer', 400000, 64000, 32000, TRUE, 'demo', $3)`,
			c.ID, emp, e.c.Now()); err != nil {
			t.Fatal(err)
		}
		ids := []int64{a.ID, b.ID, c.ID, none.ID}
		single, chunked, err := e.svc.BothPaths(ctx, ids, "北京示例科技有限公司", 2023, "ABCD1234EFGH5678", start)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ids {
			if len(single[i]) == 0 || !bytes.Equal(single[i], chunked[i]) {
				t.Fatalf("person %d: single %d bytes, chunked %d bytes, different", i, len(single[i]), len(chunked[i]))
			}
		}
		if bytes.Equal(single[0], single[3]) {
			t.Fatal("two different persons' statements are the same: the comparison proves nothing")
		}
	})
}
