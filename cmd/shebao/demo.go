package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"shebao/internal/access"
	"shebao/internal/appointment"
	"shebao/internal/clock"

	"shebao/internal/app"
	"shebao/internal/demo"
)

const demoHelp = `用法 / usage: shebao demo [--employers N] [--persons M] [--months K] [--cases C] [--seed S] [--data DIR | --db postgres://…] [--now DATE] [--force]

生成演示辖区：参保单位（不同行业和工伤风险类别）、参保人员（有效的公民身份号码、
参保经历和缴费基数）、灵活就业人员、各科室经办人员和管理员账号、演示单位和个人账号、
医院和银行接口客户端、待审核的参保登记申请、2024-01-23 起的疫情应急期，以及本月之前
三个月的缴费核定单（部分已由单位确认，部分已通过银行对账单到账）。
演示账号密码均为 Demo@2024，无需首次登录改密。数据量大时分批流式写入
（PostgreSQL 用 COPY），并在标准错误输出显示进度条；同一 --seed 生成相同数据。
数据库中已有参保单位或人员时拒绝执行，除非加 --force（追加更多数据）。

Creates the demo district: employers of varied industries and work-injury risk
classes, insured persons with valid ID numbers, employment histories and bases,
flexible workers, staff logins for every section and an administrator, demo
employer and person logins, hospital and bank API clients, pending registration
applications, the 2024 epidemic emergency (from 2024-01-23, still open) and
the bills of the three months before this one (some confirmed by their
employer, some paid through an imported bank statement; --months).
Demo passwords are Demo@2024 and need no change at first login. Large runs
stream in chunks (COPY on PostgreSQL) with a progress bar on stderr; the same
--seed gives the same data. Refuses a database that already has employers or
persons unless --force (which adds more).

例 / examples:
  shebao demo                                   # 200 个单位、5,000 人 / 200 employers, 5,000 persons
  shebao demo --employers 50000 --persons 1000000 --db postgres://shebao:shebao@127.0.0.1/shebao
  shebao demo --employers 50000 --persons 1000000 --months 24 --cases 300000 --now 2025-02-10 --db …  # 列表性能基准 / list benchmark

`

func runDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	employers := fs.Int("employers", demo.DefaultEmployers, "参保单位数 / number of employers")
	persons := fs.Int("persons", demo.DefaultPersons, "参保人员数（含约 6% 灵活就业人员） / number of insured persons (about 6% flexible workers)")
	seed := fs.Uint64("seed", demo.DefaultSeed, "随机种子，相同种子生成相同数据 / random seed: the same seed gives the same data")
	months := fs.Int("months", demo.DefaultMonths, "核定本月之前的几个月（部分已确认、已缴费），0 为不核定 / past fee months to assess, confirm and pay in part (0: none)")
	cases := fs.Int("cases", 0, "近两年各科室业务件数（约 2% 仍在办理），默认不生成 / cases of the last two years (about 2% still open; default none)")
	retirees := fs.Int("retirees", demo.DefaultRetirees, "领取养老金的退休人员数（约5%尚无社保卡；上月养老金已发放），最多 300000 / retirees in pay (about 5% without a card; last month paid), up to 300,000")
	force := fs.Bool("force", false, "数据库非空时仍追加演示数据 / add to a database that already has employers or persons")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), demoHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *retirees < 0 || *retirees > 300_000 {
		return fmt.Errorf("--retirees 应在 0 至 300000 之间 / --retirees must be 0 … 300,000")
	}
	if *retirees == 0 {
		*retirees = -1 // Options: negative means none
	}
	if *employers < 1 || *persons < 1 {
		return fmt.Errorf("--employers 和 --persons 至少为 1 / --employers and --persons must be at least 1")
	}
	a, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if *months == 0 {
		*months = -1 // Options: negative means none
	}
	res, err := demo.Generate(ctx, demoDeps(a), demo.Options{Employers: *employers, Persons: *persons,
		Seed: *seed, Force: *force, Progress: os.Stderr, Months: *months, Cases: *cases, Retirees: *retirees})
	if err != nil {
		return err
	}
	demo.PrintSummary(os.Stdout, res)
	demo.PrintLogins(os.Stdout, res)
	return nil
}

func demoDeps(a *app.App) demo.Deps {
	return demo.Deps{DB: a.DB, Clock: a.Clock, Log: a.Log, Audit: a.Audit, Accounts: a.Accounts,
		Policy: a.Policy, Employers: a.Employers, Contribution: a.Contribution, Payments: a.Payments,
		Payouts: a.Payouts, Payroll: a.Payroll, Injury: a.Injury, PersonalAccounts: a.PersonalAccounts, Deaths: a.Deaths,
		Transfers: a.Transfers, Upkeep: a.Upkeep, Recovery: a.Recovery, Retirement: a.Retirement}
}

// seedDemoIfEmpty creates the default demo district when the database has
// no employers and no persons and prints the demo logins; otherwise it
// prints a one-line reminder of them.
func seedDemoIfEmpty(ctx context.Context, a *app.App, out io.Writer) error {
	res, seeded, err := demo.SeedIfEmpty(ctx, demoDeps(a), demo.Options{}, a.Cfg.Name)
	if err != nil {
		return fmt.Errorf("生成演示数据失败（可删除数据目录后重试） / demo seeding failed: %w", err)
	}
	if !seeded {
		demo.Reminder(out)
		return nil
	}
	demo.PrintSummary(out, res)
	demo.PrintLogins(out, res)
	return openDemoSlots(ctx, a, out)
}

// openDemoSlots opens two weeks of counter appointment slots, as 办公室
// would, so the demo has something to book.
func openDemoSlots(ctx context.Context, a *app.App, out io.Writer) error {
	today := clock.Today(a.Clock)
	in := appointment.SlotsInput{
		From: today.Format("2006-01-02"), To: today.AddDate(0, 0, 14).Format("2006-01-02"),
		Periods: "09:00-11:30,13:30-16:30", Minutes: 30, Capacity: appointment.DefaultCapacity, Counter: "1号窗口",
	}
	r, err := a.Appointments.CreateSlots(ctx, access.System, in)
	if err != nil {
		return fmt.Errorf("演示预约时段 / demo appointment slots: %w", err)
	}
	fmt.Fprintf(out, "已开放 %d 个工作日的大厅预约时段（%d 个） / counter slots opened\n", r.Days, r.Created)
	return nil
}
