package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"

	"shebao/internal/access"
	"shebao/internal/app"
	"shebao/internal/personalaccount"
)

const accountsHelp = `用法 / usage: shebao accounts interest --year YYYY [--bench] [--batch N] [--data DIR | --db postgres://…] [--now DATE]

个人账户年度计息（记账）：按该年度公布的个人账户记账利率（政策参数 account_interest_rate），
为每个个人账户计入该年度利息（年度计息法），记账日期为该年 12 月 31 日。每个账户每年只计息一次：
重复执行不会重复计息；中途被终止后再次执行，每个账户仍只有一笔该年度利息。标准错误输出显示进度条。
--bench 先用一条 SQL 语句计算同样的利息（不写入），再分批计息，打印两者用时、峰值内存、机器负载和金额核对结果。
--seed N 只在空库中生成 N 个参保人及其账户（上年末余额和本年两笔记账），供 --bench 使用。

Credits a year's personal-account interest (annual method) at the rate
published for the year, dated 31 December. Each account once per year: a
rerun, or a run killed and started again, adds nothing twice. --bench first
computes the same interest with one SQL statement (nothing written), then
runs the batches and prints both times, peak memory, the machine's load and
whether the amounts agree. --seed N only fills an empty database with N
benchmark accounts (an opening balance and two credits each).

例 / examples:
  shebao accounts interest --year 2023
  shebao accounts interest --year 2023 --db postgres://shebao:shebao@127.0.0.1/shebao_bench --seed 1000000
  shebao accounts interest --year 2023 --db postgres://shebao:shebao@127.0.0.1/shebao_bench --bench

`

func runAccounts(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "interest" {
		fmt.Fprint(os.Stderr, accountsHelp)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return fmt.Errorf("请指定子命令 interest / the subcommand is interest")
	}
	fs := flag.NewFlagSet("accounts interest", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	year := fs.Int("year", 0, "计息年度 / the year, e.g. 2023")
	batch := fs.Int("batch", personalaccount.InterestBatch, "每个事务的账户数 / accounts per transaction")
	bench := fs.Bool("bench", false, "与单条 SQL 语句比较用时 / compare with one set-based SQL statement")
	seed := fs.Int("seed", 0, "只在空库中生成 N 个参保人及其账户（基准测试数据）后退出 / only seed N benchmark accounts into an empty database")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), accountsHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *year == 0 {
		return fmt.Errorf("请用 --year 指定计息年度，如 --year 2023 / --year is required")
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	cfg.InterestBatch = *batch
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	progress := interestBar(*year)
	if *seed > 0 {
		return a.PersonalAccounts.SeedBench(ctx, *seed, *year, progress)
	}
	if *bench {
		r, err := a.PersonalAccounts.BenchInterest(ctx, access.System, *year, progress)
		if err != nil {
			return err
		}
		r.Print(os.Stdout)
		fmt.Printf("peak memory (max RSS) %s; load average %s\n", peakRSS(), loadAvg())
		return nil
	}
	r, err := a.PersonalAccounts.RunInterest(ctx, access.System, *year, progress)
	if err != nil {
		return err
	}
	fmt.Printf("%d 年度计息（记账利率 %s）：%d 个账户，本次计息 %d 个，利息合计 %s 元，余额为负待更正 %d 个，用时 %s\n",
		r.Year, r.Rate, r.Total, r.Credited, r.Interest, r.Skipped, r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	return nil
}

func interestBar(year int) personalaccount.Progress {
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription(fmt.Sprintf("%d 年度计息", year)), progressbar.OptionShowCount(),
				progressbar.OptionSetItsString("账户"), progressbar.OptionShowIts(),
				progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetWidth(30),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(os.Stderr) }))
		}
		_ = bar.Set(done)
	}
}

// peakRSS is the process's peak resident memory, e.g. "212.4 MB".
func peakRSS() string {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MB", float64(ru.Maxrss)/1024) // Linux reports kilobytes
}

// loadAvg is the machine's 1/5/15-minute load average (/proc/loadavg).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
