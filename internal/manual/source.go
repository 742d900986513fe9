// Package manual builds the online service manuals (网上服务使用手册) —
// for employers, for insured persons (flexible workers and retirees too)
// and for hospitals and banks — from the source text in source/ and
// screenshots of the running demo, as one web page and one PDF each.
//
// The source is plain text, one chapter per file in source/<manual>/,
// read in file-name order, so a new business line adds its chapter by
// adding a file (e.g. source/employer/45-payouts.txt). Lines:
//
//	# 标题                chapter title (first line of the file)
//	## 标题               a task within the chapter
//	登录：employer         who does the task (a key of Users; default: the manual's user)
//	页面：/employer/bills  the page the task happens on: checked to exist, screenshotted
//	字段：甲、乙           labels the page must show (fields, buttons, columns)
//	1. 文字 {动作}         a step; the words in braces are actions, never printed
//	错误：提示 => 怎么办   an error message the user may meet and what to do
//	other lines           paragraphs
//
// Actions, run in order by the screenshot runner and by the browser
// journey that checks the manual: {open /path}, {click CSS}, {upload CSS
// fixture}, {fill CSS text}, {see text} (wait until the page shows it),
// {shot} (the task's screenshot here), {hook name} (a step outside the
// browser, such as the monthly assessment run by the agency).
package manual

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

//go:embed source
var sourceFS embed.FS

// Manual is one manual.
type Manual struct {
	Key      string // file names and the download's key: manual-<Key>
	Title    string
	Audience string // the download audience (employer, person, partner)
	User     string // the Users key the tasks log in as by default ("" for none)
	Intro    string
	Chapters []Chapter
}

// Manuals lists the manuals in order (their chapters are read from source/).
var Manuals = []Manual{
	{Key: "employer", Title: "单位网上服务使用手册", Audience: "employer", User: "employer",
		Intro: "本手册供参保单位的社保经办人使用：按章节顺序操作，即可在网上办理人员增减、核对并确认缴费核定单、开具参保缴费证明、报告工伤事故等业务，无需到服务大厅。"},
	{Key: "person", Title: "个人网上服务使用手册", Audience: "person", User: "person",
		Intro: "本手册供参保职工、灵活就业人员、个体工商户和退休人员使用：查询缴费记录、开具参保缴费证明、灵活就业参保缴费、退休和养老金测算等业务均可在网上或通过电话、电子邮件办理。"},
	{Key: "partner", Title: "医院和银行接口使用手册", Audience: "partner", User: "",
		Intro: "本手册供定点医院和代发、代收银行的技术人员使用：说明接口密钥的领取和使用、接口文档的位置，以及对账单上传、查询等接口的调用步骤和错误处理。"},
}

// Chapter is one source file.
type Chapter struct {
	File  string
	Title string
	Paras []string
	Tasks []Task
}

// Task is one thing the user does.
type Task struct {
	Title  string
	Login  string // Users key; "" for the manual's user, "-" for nobody
	Page   string // the page it happens on, "" for none
	Fields []string
	Paras  []string
	Steps  []Step
	Errors []ErrorHelp
	Line   int // in the source file, for messages
}

// Step is one numbered step.
type Step struct {
	N       int
	Text    string   // as printed
	Actions []Action // run by the runner and the journey
}

// Action is one thing the runner does in the browser.
type Action struct {
	Verb string // open, click, upload, fill, see, shot, hook
	Arg  string // the path, CSS selector, text or hook name
	Arg2 string // upload: the fixture; fill: the text
}

// ErrorHelp is an error message and what to do about it.
type ErrorHelp struct {
	Message, Remedy string
}

var (
	stepLine   = regexp.MustCompile(`^(\d+)[.．、]\s*(.+)$`)
	actionPart = regexp.MustCompile(`\{([a-z]+)(?:\s+([^}]*))?\}`)
)

// verbs and how many arguments each takes (upload and fill take two).
var verbs = map[string]int{"open": 1, "click": 1, "upload": 2, "fill": 2, "see": 1, "shot": 0, "hook": 1}

// Load reads the chapters of every manual from the embedded source.
func Load() ([]Manual, error) {
	return LoadFS(sourceFS, "source")
}

// LoadFS reads the chapters from root/<key>/*.txt of fsys.
func LoadFS(fsys fs.FS, root string) ([]Manual, error) {
	out := make([]Manual, len(Manuals))
	copy(out, Manuals)
	for i := range out {
		dir := path.Join(root, out[i].Key)
		names, err := fs.Glob(fsys, dir+"/*.txt")
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		for _, name := range names {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, err
			}
			ch, err := parseChapter(path.Base(name), string(b))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			out[i].Chapters = append(out[i].Chapters, ch)
		}
		if len(out[i].Chapters) == 0 {
			return nil, fmt.Errorf("manual %s has no chapters in %s", out[i].Key, dir)
		}
	}
	return out, nil
}

// SourceHash is the SHA-256 of the whole source (every file, in order):
// a published manual records it, so a stale one can be recognised.
func SourceHash() string {
	h := sha256.New()
	names, _ := fs.Glob(sourceFS, "source/*/*.txt")
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(sourceFS, n)
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func parseChapter(file, text string) (Chapter, error) {
	ch := Chapter{File: file}
	var task *Task
	sc := bufio.NewScanner(strings.NewReader(text))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if err := ch.addLine(&task, line, n); err != nil {
			return ch, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if ch.Title == "" {
		return ch, fmt.Errorf("no chapter title (# 标题)")
	}
	return ch, nil
}

func (ch *Chapter) addLine(task **Task, line string, n int) error {
	key, val, hasKey := strings.Cut(line, "：")
	switch {
	case line == "":
		return nil
	case strings.HasPrefix(line, "## "):
		ch.Tasks = append(ch.Tasks, Task{Title: strings.TrimSpace(line[3:]), Line: n})
		*task = &ch.Tasks[len(ch.Tasks)-1]
		return nil
	case strings.HasPrefix(line, "# "):
		if ch.Title != "" {
			return fmt.Errorf("a second chapter title in one file")
		}
		ch.Title = strings.TrimSpace(line[2:])
		return nil
	}
	t := *task
	if hasKey && t != nil {
		switch key {
		case "登录":
			t.Login = strings.TrimSpace(val)
			return nil
		case "页面":
			t.Page = strings.TrimSpace(val)
			if !strings.HasPrefix(t.Page, "/") {
				return fmt.Errorf("页面 must be a path starting with /")
			}
			return nil
		case "字段":
			for _, f := range strings.Split(val, "、") {
				if f = strings.TrimSpace(f); f != "" {
					t.Fields = append(t.Fields, f)
				}
			}
			return nil
		case "错误":
			msg, fix, ok := strings.Cut(val, "=>")
			if !ok {
				return fmt.Errorf("错误 needs “提示 => 怎么办”")
			}
			t.Errors = append(t.Errors, ErrorHelp{strings.TrimSpace(msg), strings.TrimSpace(fix)})
			return nil
		}
	}
	if m := stepLine.FindStringSubmatch(line); m != nil && t != nil {
		return t.addStep(m[1], m[2])
	}
	if t != nil {
		t.Paras = append(t.Paras, line)
	} else {
		ch.Paras = append(ch.Paras, line)
	}
	return nil
}

func (t *Task) addStep(num, text string) error {
	st := Step{}
	st.N, _ = strconv.Atoi(num)
	for _, m := range actionPart.FindAllStringSubmatch(text, -1) {
		want, ok := verbs[m[1]]
		if !ok {
			return fmt.Errorf("unknown action {%s}", m[1])
		}
		a := Action{Verb: m[1]}
		args := strings.TrimSpace(m[2])
		switch want {
		case 1:
			a.Arg = args
		case 2:
			a.Arg, a.Arg2, _ = strings.Cut(args, " ")
			a.Arg2 = strings.TrimSpace(a.Arg2)
		}
		if (want > 0 && a.Arg == "") || (want == 2 && a.Arg2 == "") {
			return fmt.Errorf("action {%s} needs %d argument(s)", m[1], want)
		}
		st.Actions = append(st.Actions, a)
	}
	st.Text = strings.TrimSpace(actionPart.ReplaceAllString(text, ""))
	if st.Text == "" {
		return fmt.Errorf("step %s has no words", num)
	}
	t.Steps = append(t.Steps, st)
	return nil
}

// Login is a user the tasks log in as.
type Login struct{ Username, Password string }

// Shots are the screenshots of one manual, by chapter and task index.
type Shots map[[2]int][]byte

// Anchor is the id of a chapter or task in the web page.
func Anchor(ci, ti int) string {
	if ti < 0 {
		return fmt.Sprintf("c%d", ci+1)
	}
	return fmt.Sprintf("c%d-%d", ci+1, ti+1)
}
