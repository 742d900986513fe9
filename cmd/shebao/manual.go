package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"shebao/internal/app"
	"shebao/internal/manual"
	"shebao/internal/manual/build"
)

const manualHelp = `用法 / usage: shebao manual --out DIR [--only employer,person,partner] [--publish [--data DIR | --db postgres://…]]

生成网上服务使用手册（单位、个人、医院和银行）：在临时目录中运行演示辖区（固定日期
2024-02-10），用无界面 Chromium 按手册源文本逐项操作并截图，检查手册提到的每个页面和
字段仍然存在，然后在 DIR 写出每本手册的网页（manual-KEY.html）和 PDF（manual-KEY.pdf）。
加 --publish 时，把生成的手册作为“常用下载”的新版本存入 --data/--db 指定的数据库，
下载页面随即提供新版本（旧版本的链接仍可打开并提示已被取代）。需要 Chromium 和
fonts-wqy-microhei。

Generates the online service manuals from internal/manual/source and
screenshots of the demo district (fixed clock 2024-02-10) taken in headless
Chromium, failing when a page or field label the manual names is gone;
writes DIR/manual-KEY.html and DIR/manual-KEY.pdf. --publish stores them as
a new version of the 常用下载 entry in the database of --data/--db.

`

func runManual(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("manual", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	out := fs.String("out", "", "输出目录 / output folder")
	only := fs.String("only", "", "只生成这些手册（employer,person,partner） / only these manuals")
	publish := fs.Bool("publish", false, "作为常用下载的新版本发布到数据库 / publish as a new download version")
	label := fs.String("version", "", "手册版本，默认发布时为第几版（如 第3版），不发布时为日期（如 2026-12-05 版） / manual version (default: edition number when publishing, else the date)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), manualHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("请用 --out 指定输出目录 / --out is required")
	}
	work, err := os.MkdirTemp("", "shebao-manual-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	hash := manual.SourceHash()
	ed := build.NewEdition(time.Now(), false)
	var keys []string
	if *only != "" {
		keys = strings.Split(*only, ",")
	}
	var a *app.App
	if *publish {
		if a, err = cf.open(ctx); err != nil {
			return err
		}
		defer a.Close()
		if err := build.Number(ctx, a, &ed, keys); err != nil {
			return err
		}
	}
	if *label != "" {
		ed.Version, ed.Numbers = *label, nil
	}
	start := time.Now()
	outs, err := build.Run(ctx, build.Options{Only: keys, Edition: ed, Work: work, Log: os.Stdout})
	if err != nil {
		return err
	}
	if err := build.WriteFiles(*out, outs); err != nil {
		return err
	}
	fmt.Printf("已生成 %d 本手册到 %s（%.1f 秒） / %d manuals written\n", len(outs), *out, time.Since(start).Seconds(), len(outs))
	if !*publish {
		return nil
	}
	if err := build.Publish(ctx, a, outs, ed, hash); err != nil {
		return err
	}
	for _, o := range outs {
		fmt.Printf("已发布《%s》%s / published\n", o.Manual.Title, ed.VersionOf(o.Manual.Key))
	}
	return nil
}
