package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/sheet/sheettest"
)

// costScenario is one upload whose cost TestUploadCost measures.
type costScenario struct {
	name string
	// prepare logs in and builds the payload (not measured); the returned
	// function sends it and returns the status.
	prepare func(t *testing.T, env *apptest.Env, srv string) func() int
}

// costBody is the size of the oversized bodies (SHEBAO_UPLOAD_COST_BODY
// bytes, default 3 GB).
func costBody() int64 {
	if n, err := strconv.ParseInt(os.Getenv("SHEBAO_UPLOAD_COST_BODY"), 10, 64); err == nil {
		return n
	}
	return 3 << 30
}

// costBomb is the unpacked size of the bombs (SHEBAO_UPLOAD_COST_BOMB
// bytes, default 2 GB).
func costBomb() int64 {
	if n, err := strconv.ParseInt(os.Getenv("SHEBAO_UPLOAD_COST_BOMB"), 10, 64); err == nil {
		return n
	}
	return 2 << 30
}

// sendFile posts data as the multipart "file" of a form to srv.
func sendFile(t *testing.T, srv, path string, c *apptest.Client, data []byte, tokenInField bool) func() int {
	fields := map[string]string{}
	h := http.Header{}
	switch {
	case c.Bearer != "":
		h.Set("Authorization", "Bearer "+c.Bearer)
	case tokenInField:
		fields["_csrf"] = c.CSRF
	default:
		h.Set("X-CSRF-Token", c.CSRF)
	}
	if s := c.Cookie("shebao_session"); s != "" {
		h.Set("Cookie", "shebao_session="+s)
	}
	body, ct := multipartBody(fields, "upload", data)
	h.Set("Content-Type", ct)
	raw := body.Bytes()
	return func() int {
		req, _ := http.NewRequest(http.MethodPost, srv+path, bytes.NewReader(raw))
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
}

var costScenarios = []costScenario{
	{"staff import, bomb, form token", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/employer/staff/import", env.LoginAs(t, apptest.EmployerA), staffBomb(costBomb()), true)
	}},
	{"staff import, bomb, header token", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/employer/staff/import", env.LoginAs(t, apptest.EmployerA), staffBomb(costBomb()), false)
	}},
	{"statement API, rows reaching column XFD, bank key", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/api/v1/statements", env.LoginAs(t, apptest.APIBank), wideRows(costWide()), false)
	}},
	{"statement API, bomb, bank key", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/api/v1/statements", env.LoginAs(t, apptest.APIBank), sheettest.EmptyRows(costBomb()), false)
	}},
	{"statement API, 541 MB bomb, bank key", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/api/v1/statements", env.LoginAs(t, apptest.APIBank), sheettest.EmptyRows(min(costBomb(), 541<<20)), false)
	}},
	{"statement API, huge declared body, bank key", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return hugeCost(t, srv, hugeRequest{method: "POST", path: "/api/v1/statements",
			header: http.Header{"Authorization": {"Bearer " + env.User(t, apptest.APIBank).APIKey}}, declared: costBody(), send: costBody()})
	}},
	{"staff import, huge chunked body, header token", func(t *testing.T, env *apptest.Env, srv string) func() int {
		c := env.LoginAs(t, apptest.EmployerA)
		return hugeCost(t, srv, hugeRequest{method: "POST", path: "/employer/staff/import",
			header: http.Header{"Cookie": {"shebao_session=" + c.Cookie("shebao_session")}, "X-Csrf-Token": {c.CSRF}}, send: costBody()})
	}},
	{"statement, 9 MB CSV accepted, form token", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/staff/statements", env.LoginAs(t, apptest.Staff(access.Fund)), statementCSV(9000, "C"), true)
	}},
	{"statement, 30,000-line XLSX accepted, form token", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/staff/statements", env.LoginAs(t, apptest.Staff(access.Fund)), statementXLSX(t, 30_000), true)
	}},
	{"statement, 16 MB worksheet of junk, bank key", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/api/v1/statements", env.LoginAs(t, apptest.APIBank), junkXLSX(t, 16<<20), false)
	}},
	{"statement, 32 MB CSV of bad lines, bank key", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/api/v1/statements", env.LoginAs(t, apptest.APIBank), badCSV(32<<20-1024), false)
	}},
	{"statement, 8 MB styles part of random formats, bank key", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/api/v1/statements", env.LoginAs(t, apptest.APIBank), bloatedXLSX("xl/styles.xml",
			`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`,
			`<xf numFmtId="%d" fontId="%d" fillId="%d"/>`, `</cellXfs></styleSheet>`, 8<<20), false)
	}},
	{"statement, 8 MB shared strings of random text, bank key", func(t *testing.T, env *apptest.Env, srv string) func() int {
		return sendFile(t, srv, "/api/v1/statements", env.LoginAs(t, apptest.APIBank), bloatedXLSX("xl/sharedStrings.xml",
			`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`,
			`<si><t>%d%d%d</t></si>`, `</sst>`, 8<<20), false)
	}},
}

// bloatedXLSX is a workbook with a part of about size bytes of items
// (item takes three random numbers), compressing like real data.
func bloatedXLSX(name, head, item, tail string, size int) []byte {
	var b strings.Builder
	b.WriteString(head)
	rnd := uint64(7)
	next := func() uint64 { rnd = rnd*6364136223846793005 + 1442695040888963407; return rnd >> 44 }
	for b.Len() < size-len(tail)-64 {
		fmt.Fprintf(&b, item, next()%1000, next()%100, next()%100)
	}
	b.WriteString(tail)
	return sheettest.Workbook(sheettest.Rows("", 0), sheettest.Part{Name: name, Head: b.String()})
}

// junkXLSX is a workbook whose worksheet is about size bytes of rows of
// random text: it compresses like real data, so only the row and size
// limits hold it.
func junkXLSX(t *testing.T, size int) []byte {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	rnd := uint64(1)
	word := func() string {
		b := make([]byte, 20)
		for i := range b {
			rnd = rnd*6364136223846793005 + 1442695040888963407
			b[i] = 'a' + byte(rnd>>59)
		}
		return string(b)
	}
	rows := size / 170
	for i := 1; i <= rows; i++ {
		sw.SetRow(fmt.Sprintf("A%d", i), []any{word(), word()})
	}
	sw.Flush()
	var b bytes.Buffer
	f.Write(&b)
	return b.Bytes()
}

// badCSV is a statement of about size bytes whose every line is wrong.
func badCSV(size int) []byte {
	var b bytes.Buffer
	b.WriteString("交易日期,交易流水号,对方户名,对方账号,贷方金额,附言\n")
	for i := 0; b.Len() < size-100; i++ {
		fmt.Fprintf(&b, "2024-02-09,B%07d,某某,1,1.234,%s\n", i, strings.Repeat("x", 120))
	}
	return b.Bytes()
}

// costWide is how many rows the XFD scenario has (SHEBAO_UPLOAD_COST_WIDE,
// default 20,000).
func costWide() int64 {
	if n, err := strconv.ParseInt(os.Getenv("SHEBAO_UPLOAD_COST_WIDE"), 10, 64); err == nil {
		return n
	}
	return 20_000
}

// statementXLSX is a valid Excel statement of n credits nobody owes.
func statementXLSX(t *testing.T, n int) []byte {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	sw.SetRow("A1", []any{"交易日期", "交易流水号", "对方户名", "对方账号", "贷方金额", "附言"})
	for i := 0; i < n; i++ {
		sw.SetRow(fmt.Sprintf("A%d", i+2), []any{"2024-02-09", fmt.Sprintf("X%07d", i), fmt.Sprintf("某某商贸有限公司%d", i),
			"6222000011112222", fmt.Sprintf("%d.00", 100+i), "货款"})
	}
	sw.Flush()
	var b bytes.Buffer
	f.Write(&b)
	return b.Bytes()
}

func hugeCost(t *testing.T, srv string, h hugeRequest) func() int {
	h.wait = 10 * time.Minute
	return func() int {
		resp, _, _ := h.do(t, srv)
		return resp.StatusCode
	}
}

// TestUploadCost measures what each upload costs the server, each in a
// fresh process: growth of the peak resident memory, processor time,
// request body bytes read and temporary files left. It prints a table.
// Run it with SHEBAO_UPLOAD_COST=1 (SHEBAO_UPLOAD_COST_ONLY=regexp picks
// scenarios; SHEBAO_UPLOAD_COST_BOMB, _BODY and _WIDE set the sizes; a process is
// stopped at SHEBAO_UPLOAD_COST_AS bytes of address space, default 6 GB).
func TestUploadCost(t *testing.T) {
	if name := os.Getenv("SHEBAO_UPLOAD_COST_SCENARIO"); name != "" {
		runCostScenario(t, name)
		return
	}
	if os.Getenv("SHEBAO_UPLOAD_COST") == "" {
		t.Skip("set SHEBAO_UPLOAD_COST=1 to measure the cost of uploads")
	}
	only := regexp.MustCompile(os.Getenv("SHEBAO_UPLOAD_COST_ONLY"))
	var table strings.Builder
	fmt.Fprintf(&table, "%-48s %6s %12s %9s %9s %14s %10s\n", "scenario", "status", "peak RSS +MB", "CPU s", "wall s", "body read", "temp files")
	for _, sc := range costScenarios {
		if !only.MatchString(sc.name) {
			continue
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestUploadCost$", "-test.v", "-test.timeout=10m")
		cmd.Env = append(os.Environ(), "SHEBAO_UPLOAD_COST_SCENARIO="+sc.name)
		out, err := cmd.CombinedOutput()
		line := regexp.MustCompile(`COST\t[^\n]*`).Find(out)
		if line == nil {
			fmt.Fprintf(&table, "%-48s failed: %v %s\n", sc.name, err, lastLines(out, 3))
			continue
		}
		f := strings.Split(string(line), "\t")
		fmt.Fprintf(&table, "%-48s %6s %12s %9s %9s %14s %10s\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7])
	}
	t.Log("\n" + table.String())
}

func lastLines(b []byte, n int) string {
	l := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(l[max(0, len(l)-n):], " | ")
}

func runCostScenario(t *testing.T, name string) {
	as := int64(6 << 30)
	if n, err := strconv.ParseInt(os.Getenv("SHEBAO_UPLOAD_COST_AS"), 10, 64); err == nil {
		as = n
	}
	syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: uint64(as), Max: uint64(as)})
	var sc *costScenario
	for i := range costScenarios {
		if costScenarios[i].name == name {
			sc = &costScenarios[i]
		}
	}
	if sc == nil {
		t.Fatalf("no scenario %q", name)
	}
	env := apptest.New(t, db.SQLite)
	srv, read := countingServer(t, env)
	send := sc.prepare(t, env, srv.URL)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	runtime.GC()
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset the peak to the current size
	rss0, cpu0, start := procKB("VmRSS"), cpuTime(), time.Now()
	status := send()
	cpu, wall := cpuTime()-cpu0, time.Since(start)
	peak := procKB("VmHWM")
	files, size := 0, int64(0)
	filepath.Walk(tmp, func(p string, fi os.FileInfo, err error) error {
		if err == nil && p != tmp {
			files++
			size += fi.Size()
		}
		return nil
	})
	fmt.Printf("COST\t%s\t%d\t%d\t%.2f\t%.2f\t%d\t%d (%d MB)\n", name, status, (peak-rss0)/1024,
		cpu.Seconds(), wall.Seconds(), read.Load(), files, size>>20)
}

// procKB reads a size in kB from /proc/self/status.
func procKB(field string) int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == field+":" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// cpuTime is the processor time (user and system) of this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
