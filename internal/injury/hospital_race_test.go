package injury_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/injury"
	"shebao/internal/payout"
)

// TestSettlementDuringAccountRegistration interleaves a settlement and the
// registration of its hospital's receiving account, both ways round: the
// registration starts while the settlement has read "no account" (it must
// wait, then release the new line), and a settlement starts while the
// registration of a new account is saved but not committed (it must wait,
// then pay to the new account). Neither leaves a line held or on the old
// account.
func TestSettlementDuringAccountRegistration(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		workerID := employ(t, env)
		pushCovid(t, env, workerID, "京朝人社工伤认字〔2024〕031号")
		covidItems(t, env, "XG001")
		hospital := env.Actor(t, apptest.APIHospital)
		clerk := env.Actor(t, apptest.Staff(access.Injury))
		account := func(no string, version int64) injury.HospitalAccountInput {
			return injury.HospitalAccountInput{HospitalID: hospital.UserID, Version: version, AccountName: "北京市测试医院",
				AccountNo: no, BankName: "交通银行北京分行"}
		}
		item := injury.SettlementItem{Code: "XG001", Name: "抗病毒药物", Quantity: "1", AmountFen: 10000}

		// 1. The settlement has read "no account" when the registration starts.
		var wg sync.WaitGroup
		var regErr error
		once := sync.Once{}
		defer injury.SetPause(func(step string) {
			if step != "settlement.account_read" {
				return
			}
			once.Do(func() {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, _, regErr = env.App.Injury.RegisterHospitalAccount(ctx, clerk, account("110060149018000123", 0))
				}()
				time.Sleep(300 * time.Millisecond) // the registration reaches its lock
			})
		})()
		in := settlement(workerID, "INV-R1", item)
		in.IdempotencyKey = "race-1"
		first, _, err := env.App.Injury.Settle(ctx, hospital, in)
		wg.Wait()
		if err != nil || regErr != nil {
			t.Fatalf("settle %v, register %v", err, regErr)
		}
		if l := hospitalLine(t, env, first.SettlementNo); l.Status != payout.Prepared || l.AccountNo != "110060149018000123" {
			t.Fatalf("a settlement during the registration stayed %s (account %q)", l.Status, l.AccountNo)
		}

		// 2. The registration of a new account is saved, not committed,
		// when a settlement starts.
		var second *injury.SettlementAnswer
		var setErr error
		once = sync.Once{}
		injury.SetPause(func(step string) {
			if step != "hospital_account.saved" {
				return
			}
			once.Do(func() {
				wg.Add(1)
				go func() {
					defer wg.Done()
					in := settlement(workerID, "INV-R2", item)
					in.IdempotencyKey = "race-2"
					second, _, setErr = env.App.Injury.Settle(ctx, hospital, in)
				}()
				time.Sleep(300 * time.Millisecond) // the settlement reaches its lock
			})
		})
		_, _, err = env.App.Injury.RegisterHospitalAccount(ctx, clerk, account("110060149018000456", 1))
		wg.Wait()
		if err != nil || setErr != nil {
			t.Fatalf("register %v, settle %v", err, setErr)
		}
		if l := hospitalLine(t, env, second.SettlementNo); l.Status != payout.Prepared || l.AccountNo != "110060149018000456" {
			t.Fatalf("a settlement during the change is %s to account %q", l.Status, l.AccountNo)
		}
	})
}
