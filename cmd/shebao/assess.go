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
)

const assessHelp = `用法 / usage: shebao assess --month YYYY-MM [--bench] [--data DIR | --db postgres://…] [--now DATE]

核定一个费款所属期：为该月有在职参保职工的每个参保单位生成（或重新计算）缴费核定单，
每人每险种一行，基数按当月上下限封顶保底，每行四舍五入到分。每 200 个单位（PostgreSQL 上 1000 个）一个事务，
标准错误输出显示进度条。重复执行不会重复生成核定单，已确认的核定单不变，待核对的
重新计算；中途被终止后再次执行，每个单位每月仍只有一张核定单。
--bench 核定后再重新核定一次，并以相同的并发数与两个基准比较：把同样的明细行批量装入
一张索引相同、无外键的空表（PostgreSQL 用 COPY，即上限），以及一条集合 SQL 语句；
打印各项用时、比值、每人用时和金额核对结果。

Assesses one fee month: a bill per employer with staff in the month (or its
draft recomputed), one line per person and scheme. 200 employers (1,000 on PostgreSQL) per
transaction, progress bar on stderr. Reruns never duplicate a bill, leave
confirmed bills alone and recompute drafts; a run killed half-way and started
again still ends with one bill per employer and month. --bench then assesses
the month again and compares, with the same number of workers, with the
limit (a COPY of the same lines into an empty copy of bill_lines with the
same indexes and no foreign keys) and one set-based SQL statement; it prints
the times, ratios, time per person and whether the sums agree.

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
	batch := fs.Int("batch", 0, "每个事务的单位数，0 为默认（SQLite 200，PostgreSQL 1000）/ employers per transaction (0: 200 on SQLite, 1,000 on PostgreSQL)")
	workers := fs.Int("workers", 0, "PostgreSQL 上同时执行的事务数，0 为每个 CPU 一个 / parallel batches on PostgreSQL (0: one per CPU)")
	bench := fs.Bool("bench", false, "核定、重新核定并与 COPY 上限和集合 SQL 语句比较用时 / assess, reassess and compare with the COPY limit and one set-based statement")
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
	cfg.AssessBatch, cfg.AssessWorkers = *batch, *workers
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
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
