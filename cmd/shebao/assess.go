package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"shebao/internal/access"
	"shebao/internal/app"
	"shebao/internal/contribution"
)

const assessHelp = `用法 / usage: shebao assess --month YYYY-MM [--bench] [--data DIR | --db postgres://…] [--now DATE]

核定一个费款所属期：为该月有在职参保职工的每个参保单位生成（或重新计算）缴费核定单，
每人每险种一行，基数按当月上下限封顶保底，每行四舍五入到分。每 200 个单位一个事务，
标准错误输出显示进度条。重复执行不会重复生成核定单，已确认的核定单不变，待核对的
重新计算；中途被终止后再次执行，每个单位每月仍只有一张核定单。
--bench 在核定后再用一条 SQL 语句计算同样的金额，打印两者用时和金额核对结果。

Assesses one fee month: a bill per employer with staff in the month (or its
draft recomputed), one line per person and scheme. 200 employers per
transaction, progress bar on stderr. Reruns never duplicate a bill, leave
confirmed bills alone and recompute drafts; a run killed half-way and started
again still ends with one bill per employer and month. --bench then computes
the same amounts with one SQL statement and prints both times.

例 / examples:
  shebao assess --month 2024-01
  shebao demo --employers 50000 --persons 1000000 --db postgres://shebao:shebao@127.0.0.1/shebao_bench
  shebao assess --month 2024-01 --db postgres://shebao:shebao@127.0.0.1/shebao_bench --bench

`

func runAssess(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("assess", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	month := fs.String("month", "", "费款所属期 YYYY-MM / fee month, e.g. 2024-01")
	batch := fs.Int("batch", contribution.BatchSize, "每个事务的单位数 / employers per transaction")
	workers := fs.Int("workers", 0, "PostgreSQL 上同时执行的事务数，0 为每个 CPU 一个 / parallel batches on PostgreSQL (0: one per CPU)")
	bench := fs.Bool("bench", false, "核定后与单条 SQL 语句比较用时 / compare with one set-based SQL statement")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), assessHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *month == "" {
		return fmt.Errorf("请用 --month 指定费款所属期，如 --month 2024-01 / --month is required")
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Contribution.SetBatchSize(*batch)
	a.Contribution.SetWorkers(*workers)
	var bar *progressbar.ProgressBar
	progress := func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription("核定 "+*month), progressbar.OptionShowCount(),
				progressbar.OptionSetItsString("单位"), progressbar.OptionShowIts(),
				progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetWidth(30),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(os.Stderr) }))
		}
		_ = bar.Set(done)
	}
	if *bench {
		r, err := a.Contribution.Bench(ctx, access.System, *month, progress)
		if err != nil {
			return err
		}
		r.Print(os.Stdout)
		return nil
	}
	r, err := a.Contribution.AssessMonth(ctx, access.System, *month, progress)
	if err != nil {
		return err
	}
	fmt.Printf("核定 %s：%d 个单位，新建 %d 张核定单，重新计算 %d 张待核对核定单，%d 行，用时 %s\n",
		r.Month, r.Employers, r.Created, r.Redone, r.Lines, r.Took.Round(time.Millisecond))
	return nil
}
