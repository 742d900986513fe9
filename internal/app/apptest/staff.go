package apptest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/ident"
	"shebao/internal/staffchange"
)

// Hire is one member of staff SeedBill added.
type Hire struct {
	IDNumber, Name string
}

// hireSurnames and hireGiven make distinct Chinese names for many hires.
var (
	hireSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	hireGiven    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂")
)

// SeedBill hires n staff at the employer with that user key from 2024-01
// (through the staff-change service, as the employer) and assesses
// 2024-01, so the employer has a draft bill of 3n lines. It returns the
// hires in order and the bill's id.
func (e *Env) SeedBill(t testing.TB, employerKey string, n int) ([]Hire, int64) {
	t.Helper()
	ctx := context.Background()
	boss := e.Actor(t, employerKey)
	var hires []Hire
	for i := range n {
		h := Hire{IDNumber: ident.MakeID("110105", time.Date(1970+i%30, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC), i, i%2 == 0),
			Name: string([]rune{hireSurnames[i%len(hireSurnames)], hireGiven[(i/len(hireSurnames))%len(hireGiven)], hireGiven[i%len(hireGiven)]})}
		_, err := e.App.StaffChanges.Add(ctx, boss, boss.EmployerID, staffchange.AddInput{IDNumber: h.IDNumber, Name: h.Name,
			StartMonth: "2024-01", Wage: strconv.Itoa(5000 + 37*i)})
		if err != nil {
			t.Fatalf("apptest: hire %d: %v", i, err)
		}
		hires = append(hires, h)
	}
	if _, err := e.App.Contribution.AssessMonth(ctx, e.Actor(t, Staff(access.Coordination)), "2024-01", nil); err != nil {
		t.Fatalf("apptest: assess 2024-01: %v", err)
	}
	var id int64
	err := e.App.DB.R.QueryRowContext(ctx, `SELECT id FROM bills WHERE employer_id = $1 AND fee_month = '2024-01'`,
		boss.EmployerID).Scan(&id)
	if err != nil {
		t.Fatal(fmt.Errorf("apptest: bill of %s: %w", employerKey, err))
	}
	return hires, id
}
