package manual

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"time"

	"shebao/internal/pdfdoc"
)

// Edition is what the cover says: the version and the date.
type Edition struct {
	// Numbers gives each manual (by key) its edition number, one more than
	// the versions of it already published: it is then shown as 第N版 on
	// the cover and on the downloads page. A manual without a number shows
	// Version (e.g. 2026-12-05 版, or what the command line was given).
	Numbers map[string]int
	Version string
	Date    time.Time
	Agency  string // who issues the manual
	// TextOnly marks an edition made without a browser: each page the
	// manual shows has a short note instead of its screenshot, until the
	// illustrated edition replaces it.
	TextOnly bool
}

// TextOnlyMark is in the version of a text-only edition (文字版).
const TextOnlyMark = "文字版"

// VersionOf is the version manual key is printed and published as: 第N版
// (第N版（文字版） for a text-only edition) when numbered, else Version.
func (e Edition) VersionOf(key string) string {
	n := e.Numbers[key]
	if n == 0 {
		return e.Version
	}
	v := fmt.Sprintf("第%d版", n)
	if e.TextOnly {
		v += "（" + TextOnlyMark + "）"
	}
	return v
}

// NoShotNote replaces a screenshot in a text-only edition.
const NoShotNote = "（本版为文字版，未附页面截图；附截图的图文版生成后将替换本版。）"

func (e Edition) noShot(t Task, shot []byte) bool { return e.TextOnly && shot == nil && t.Page != "" }

func (e Edition) aboutShots() string {
	if e.TextOnly {
		return "本版为文字版：页面截图尚未生成，每个页面处以文字说明代替；附截图的图文版生成后，网站“常用下载”将提供新版本。"
	}
	return "本手册的截图取自系统的演示环境（演示日期 2024 年 2 月），您看到的数据会不同，页面和按钮相同。"
}

func (e Edition) dateText() string { return e.Date.Format("2006年1月2日") }

// pageTmpl is the web version: one self-contained page (styles inline,
// screenshots as data: addresses) with a table of contents.
var pageTmpl = template.Must(template.New("manual").Funcs(template.FuncMap{
	"anchor": Anchor,
	"img": func(b []byte) template.URL {
		return template.URL("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(b))
	},
	"shot":   func(s Shots, ci, ti int) []byte { return s[[2]int{ci, ti}] },
	"noshot": func(e Edition, s Shots, t Task, ci, ti int) bool { return e.noShot(t, s[[2]int{ci, ti}]) },
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.M.Title}}</title>
<style>
body{font-family:"WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.7;color:#222}
header{border-bottom:2px solid #1f5fa8;margin-bottom:1rem}h1{color:#1f5fa8}h2{border-left:6px solid #1f5fa8;padding-left:.5rem;margin-top:2.5rem}
nav ol{columns:2}figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #bbb}figcaption{color:#666;font-size:.9rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#eef3fa}
.meta{color:#555}ol.steps li{margin:.3rem 0}
</style></head><body>
<header><h1>{{.M.Title}}</h1><p class="meta">版本：{{.Version}}　日期：{{.Date}}　{{.E.Agency}}</p><p>{{.M.Intro}}</p>{{if .E.TextOnly}}<p class="meta">{{.About}}</p>{{end}}</header>
<nav><h2>目录</h2><ol>{{range $ci, $c := .M.Chapters}}<li><a href="#{{anchor $ci -1}}">{{$c.Title}}</a></li>{{end}}</ol></nav>
{{range $ci, $c := .M.Chapters}}<section id="{{anchor $ci -1}}"><h2>{{$c.Title}}</h2>
{{range $c.Paras}}<p>{{.}}</p>{{end}}
{{range $ti, $t := $c.Tasks}}<h3 id="{{anchor $ci $ti}}">{{$t.Title}}</h3>
{{range $t.Paras}}<p>{{.}}</p>{{end}}
{{with $t.Steps}}<ol class="steps">{{range .}}<li value="{{.N}}">{{.Text}}</li>{{end}}</ol>{{end}}
{{with shot $.Shots $ci $ti}}<figure><img src="{{img .}}" alt="{{$t.Title}}的页面"><figcaption>图：{{$t.Title}}</figcaption></figure>{{end}}
{{if noshot $.E $.Shots $t $ci $ti}}<p class="meta">{{$.NoShot}}</p>{{end}}
{{with $t.Errors}}<table><thead><tr><th>可能看到的提示</th><th>怎么办</th></tr></thead><tbody>{{range .}}<tr><td>{{.Message}}</td><td>{{.Remedy}}</td></tr>{{end}}</tbody></table>{{end}}
{{end}}</section>{{end}}
</body></html>
`))

// HTML renders the web version of m.
func HTML(m Manual, e Edition, shots Shots) ([]byte, error) {
	var b bytes.Buffer
	err := pageTmpl.Execute(&b, map[string]any{"M": m, "E": e, "Version": e.VersionOf(m.Key), "Date": e.dateText(), "Shots": shots,
		"About": e.aboutShots(), "NoShot": NoShotNote})
	return b.Bytes(), err
}

// PDF renders the PDF of m (errors wrap pdfdoc.ErrNoFont without the font).
func PDF(m Manual, e Edition, shots Shots) ([]byte, error) {
	b, err := pdfdoc.NewBook(m.Title, "版本："+e.VersionOf(m.Key), "日期："+e.dateText(), e.Agency)
	if err != nil {
		return nil, err
	}
	b.SetDate(e.Date.UTC())
	b.Chapter("使用说明")
	b.Text(m.Intro)
	b.Text(e.aboutShots() + "手册随系统更新，请从网站“常用下载”下载最新版本。")
	for ci, c := range m.Chapters {
		b.Chapter(fmt.Sprintf("%d. %s", ci+1, c.Title))
		for _, p := range c.Paras {
			b.Text(p)
		}
		for ti, t := range c.Tasks {
			b.Section(fmt.Sprintf("%d.%d %s", ci+1, ti+1, t.Title))
			for _, p := range t.Paras {
				b.Text(p)
			}
			for _, s := range t.Steps {
				b.Step(s.N, s.Text)
			}
			if shot := shots[[2]int{ci, ti}]; shot != nil {
				b.Image(shot)
				b.Note("图：" + t.Title)
			} else if e.noShot(t, shot) {
				b.Note(NoShotNote)
			}
			if len(t.Errors) > 0 {
				var rows [][2]string
				for _, e := range t.Errors {
					rows = append(rows, [2]string{e.Message, e.Remedy})
				}
				b.Table([2]string{"可能看到的提示", "怎么办"}, rows)
			}
		}
	}
	return b.Bytes()
}
