package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/errs"
)

const payrollHelp = `用法 / usage: shebao payroll --month YYYY-MM [--data DIR | --db postgres://…] [--now DATE]

生成一个月的养老金发放：为每位正常领取的退休人员生成该月养老金拨付（待审核），新退休人员补发
首次发放月以来的各月，金额变更和年度调整补发差额，扣回多发的分期扣款；社保卡未激活的暂停发放。
每 5,000 人一个事务；重复执行或中途终止后重新执行，每人每月仍只有一笔。未来月份和已关账月份拒绝。

Runs one month's pension payroll: one payout line (to approve) per retiree
in pay, arrears for new retirees, back pay for changes and adjustments,
deduction instalments; lines of retirees without an active card are held.
5,000 pensioners per transaction; a rerun, or a run after a kill, adds only
what is missing. Future and closed months are refused.

例 / example:
  shebao payroll --month 2024-02
`

func runPayroll(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("payroll", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	month := fs.String("month", "", "发放月份 YYYY-MM / pay month, e.g. 2024-02")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), payrollHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := clock.ParseMonth(*month)
	if err != nil {
		return fmt.Errorf("请用 --month 指定发放月份，如 --month 2024-02 / --month YYYY-MM is required")
	}
	a, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	run, err := a.Payroll.RunMonth(ctx, access.System, m)
	if e := errs.As(err); e != nil && len(e.Fields) > 0 {
		return fmt.Errorf("%s", e.Fields[0].Message)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "%s 养老金：处理 %d 人，新增拨付 %d 笔（暂停发放 %d 笔），金额 %s 元；请由基金管理科审核 / %d pensioners, %d new lines (%d held)\n",
		run.Month, run.Done, run.Created, run.Held, run.TotalFen, run.Done, run.Created, run.Held)
	return nil
}
