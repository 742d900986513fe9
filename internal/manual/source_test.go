package manual

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestSourceLoads: every manual has chapters; the employer manual holds
// the steps the new-employer journey follows; actions are stripped from
// the printed words.
func TestSourceLoads(t *testing.T) {
	ms, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[0].Key != "employer" {
		t.Fatalf("manuals %v", ms)
	}
	var verbs []string
	for _, m := range ms {
		for _, c := range m.Chapters {
			for _, k := range c.Tasks {
				for _, s := range k.Steps {
					if strings.ContainsAny(s.Text, "{}") {
						t.Errorf("%s/%s: step text keeps an action: %q", m.Key, c.File, s.Text)
					}
					for _, a := range s.Actions {
						if m.Key == "employer" {
							verbs = append(verbs, a.Verb+" "+a.Arg)
						}
					}
				}
			}
		}
	}
	joined := strings.Join(verbs, "|")
	for _, want := range []string{"upload #file", "hook draft-bill", `click form[action$="/confirm"] button`, "see 证明已开具"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the employer manual lacks the action %q", want)
		}
	}
	if len(SourceHash()) != 64 {
		t.Fatal("source hash")
	}
}

// TestSourceErrors: mistakes in a chapter are reported with their line.
func TestSourceErrors(t *testing.T) {
	for text, want := range map[string]string{
		"没有标题":                          "no chapter title",
		"# 甲\n## 任务\n页面：employer":       "line 3",
		"# 甲\n## 任务\n1. 打开 {jump /x}":   "unknown action",
		"# 甲\n## 任务\n错误：只有提示":           "line 3",
		"# 甲\n# 乙":                      "second chapter title",
		"# 甲\n## 任务\n1. 上传 {upload #f}": "needs 2",
	} {
		fsys := fstest.MapFS{}
		for _, m := range Manuals {
			fsys["src/"+m.Key+"/10-a.txt"] = &fstest.MapFile{Data: []byte("# 好\n")}
		}
		fsys["src/employer/20-b.txt"] = &fstest.MapFile{Data: []byte(text)}
		if _, err := LoadFS(fsys, "src"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}
