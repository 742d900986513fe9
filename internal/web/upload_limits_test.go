package web_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/sheet/sheettest"
)

// bombs are the workbooks of the attack, built once: a worksheet of empty
// rows unpacking to 2 GB (about 3 MB) and to 541 MB (under 1 MB).
var bombs = sync.OnceValues(func() ([]byte, []byte) {
	return sheettest.EmptyRows(2 << 30), sheettest.EmptyRows(541 << 20)
})

// staffHeader is a worksheet's start up to the staff template's header row.
func staffHeader() string {
	head := sheettest.SheetHead + `<row r="1">`
	for i, h := range []string{"变动类型", "公民身份号码", "姓名", "参保起始月份", "月工资（元）", "手机号码", "终止月份", "减员原因"} {
		head += fmt.Sprintf(`<c r="%c1" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+i, h)
	}
	return head + `</row>`
}

// staffBomb is a staff workbook with the template's header row and then
// about size bytes of empty rows, so a reader that accepts the header
// goes on through every row.
func staffBomb(size int64) []byte {
	return sheettest.Workbook(sheettest.Part{Head: staffHeader(), Body: "<row/>",
		Times: size / int64(len("<row/>")), Tail: sheettest.SheetTail})
}

// wideRows is a workbook of the template's header and n rows each with one
// number in Excel's last column (XFD): a few kilobytes, but every row read
// whole is 16,384 cells (4,000 such rows took 1.6 GB before rows were read
// one by one under a column limit).
func wideRows(n int64) []byte {
	return sheettest.Workbook(sheettest.Part{Head: staffHeader(), Body: `<row><c r="XFD1"><v>1</v></c></row>`,
		Times: n, Tail: sheettest.SheetTail})
}

// multipartBody is a form with fields and one file part "file".
func multipartBody(fields map[string]string, name string, data []byte) (*bytes.Buffer, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return &b, mw.FormDataContentType()
}

// postFile uploads data as "file": with the _csrf form field (a browser)
// when field is true, else with the X-CSRF-Token header (a script).
func postFile(t *testing.T, c *apptest.Client, path, name string, data []byte, field bool) *apptest.Response {
	t.Helper()
	fields := map[string]string{}
	h := http.Header{}
	if field {
		fields["_csrf"] = c.CSRF
	} else if c.CSRF != "" {
		h.Set("X-CSRF-Token", c.CSRF)
	}
	body, ct := multipartBody(fields, name, data)
	h.Set("Content-Type", ct)
	return c.Do(t, http.MethodPost, path, body, h)
}

// TestExcelBombsRefused: the workbooks that took the server down are
// refused within a second with a message saying what is wrong, through
// every way in: the staff import as a browser form and as a script with
// the header token, its JSON twin, and the bank's statement API.
func TestExcelBombsRefused(t *testing.T) {
	big, mid := bombs()
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		emp := env.LoginAs(t, apptest.EmployerA)
		bank := env.LoginAs(t, apptest.APIBank)
		fund := env.LoginAs(t, apptest.Staff(access.Fund))
		for _, b := range []struct {
			name, want string
			data       []byte
		}{
			{"2 GB", "Excel 文件解压后过大", big},
			{"541 MB", "Excel 文件解压后过大", mid},
			{"541 MB under the template header", "Excel 文件解压后过大", staffBomb(541 << 20)},
			{"20,000 rows reaching column XFD", "超过 64 列", wideRows(20_000)},
		} {
			for _, tc := range []struct {
				way   string
				c     *apptest.Client
				path  string
				field bool
				want  int
			}{
				{"employer form", emp, "/employer/staff/import", true, http.StatusUnprocessableEntity},
				{"employer header token", emp, "/employer/staff/import", false, http.StatusUnprocessableEntity},
				{"employer API", emp, "/api/v1/employers/me/staff/import", false, http.StatusUnprocessableEntity},
				{"bank key", bank, "/api/v1/statements", false, http.StatusUnprocessableEntity},
				{"fund staff form", fund, "/staff/statements", true, http.StatusUnprocessableEntity},
			} {
				t.Run(b.name+" "+tc.way, func(t *testing.T) {
					start := time.Now()
					r := postFile(t, tc.c, tc.path, "bomb.xlsx", b.data, tc.field)
					if d := time.Since(start); d > time.Second {
						t.Errorf("answered after %v, want under 1 s", d)
					}
					r.WantStatus(t, tc.want).WantBody(t, b.want)
				})
			}
		}
	})
}

// countingServer serves env's app on a server of its own that counts the
// request body bytes the app reads.
func countingServer(t *testing.T, env *apptest.Env) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &countReader{r: r.Body, n: &n}
		env.App.Web.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

type countReader struct {
	r io.ReadCloser
	n *atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countReader) Close() error { return c.r.Close() }

// hugeRequest is a request whose body is a multipart file of filler: it
// declares declared bytes (or is chunked when declared is 0) but sends at
// most send bytes, then waits, so a server that reads to the end stalls
// instead of answering.
type hugeRequest struct {
	method, path string
	header       http.Header
	declared     int64
	send         int64
	json         bool          // filler is a JSON string instead of a multipart file
	wait         time.Duration // for the answer; 20 s when zero
}

// do sends the request on a raw connection and returns the response and
// how long the answer took.
func (h hugeRequest) do(t *testing.T, serverURL string) (*http.Response, string, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(serverURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head, tail, ct := "", "", ""
	if h.json {
		head, tail, ct = `{"name":"`, `"}`, "application/json"
	} else {
		head = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.xlsx\"\r\n\r\n"
		tail, ct = "\r\n--B--\r\n", "multipart/form-data; boundary=B"
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: shebao\r\nContent-Type: %s\r\n", h.method, h.path, ct)
	for k, vs := range h.header {
		for _, v := range vs {
			fmt.Fprintf(&req, "%s: %s\r\n", k, v)
		}
	}
	if h.declared > 0 {
		fmt.Fprintf(&req, "Content-Length: %d\r\n\r\n", h.declared)
	} else {
		req.WriteString("Transfer-Encoding: chunked\r\n\r\n")
	}
	start := time.Now()
	go h.write(conn, req.Bytes(), head, tail)
	if h.wait == 0 {
		h.wait = 20 * time.Second
	}
	conn.SetReadDeadline(time.Now().Add(h.wait))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer (%v) after %v", err, time.Since(start))
	}
	d := time.Since(start)
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body), d
}

// write sends the head of the request and up to h.send bytes of body; it
// stops at the first failed write (the server closed the connection).
func (h hugeRequest) write(conn net.Conn, req []byte, head, tail string) {
	if _, err := conn.Write(req); err != nil {
		return
	}
	piece := bytes.Repeat([]byte("x"), 64<<10)
	write := func(p []byte) error {
		if h.declared == 0 {
			if _, err := fmt.Fprintf(conn, "%x\r\n", len(p)); err != nil {
				return err
			}
			defer conn.Write([]byte("\r\n"))
		}
		_, err := conn.Write(p)
		return err
	}
	if write([]byte(head)) != nil {
		return
	}
	for sent := int64(0); sent < h.send; sent += int64(len(piece)) {
		if write(piece) != nil {
			return
		}
	}
	if h.declared == 0 {
		write([]byte(tail))
		conn.Write([]byte("0\r\n\r\n"))
	}
}

// TestBodyCaps: every body is capped by its route before it is read. A
// body declared at 3 GB is answered 413 at once without a byte read; a
// chunked one is cut at the cap; JSON gets the API's error shape, pages a
// Chinese message; nothing is left in the temporary folder.
func TestBodyCaps(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		srv, read := countingServer(t, env)
		bank := "Bearer " + env.User(t, apptest.APIBank).APIKey
		emp := env.LoginAs(t, apptest.EmployerA)
		cookie := "shebao_session=" + emp.Cookie("shebao_session")
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		const gb3 = 3 << 30
		for _, tc := range []struct {
			name     string
			req      hugeRequest
			maxRead  int64
			wantJSON bool
			want     string
		}{
			{"bank statement, declared 3 GB", hugeRequest{method: "POST", path: "/api/v1/statements",
				header: http.Header{"Authorization": {bank}}, declared: gb3, send: 40 << 20}, 0, true, "银行对账单文件不能超过 32 MB"},
			{"bank statement, chunked", hugeRequest{method: "POST", path: "/api/v1/statements",
				header: http.Header{"Authorization": {bank}}, send: 40 << 20}, 33<<20 + 1, true, "银行对账单文件不能超过 32 MB"},
			{"staff import page, header token, declared 3 GB", hugeRequest{method: "POST", path: "/employer/staff/import",
				header: http.Header{"Cookie": {cookie}, "X-Csrf-Token": {emp.CSRF}}, declared: gb3, send: 10 << 20}, 0, false, "人员增减 Excel 文件不能超过 5 MB"},
			{"staff import page, header token, chunked", hugeRequest{method: "POST", path: "/employer/staff/import",
				header: http.Header{"Cookie": {cookie}, "X-Csrf-Token": {emp.CSRF}}, send: 10 << 20}, 6<<20 + 1, false, "人员增减 Excel 文件不能超过 5 MB"},
			{"staff import API, header token, chunked", hugeRequest{method: "POST", path: "/api/v1/employers/me/staff/import",
				header: http.Header{"Cookie": {cookie}, "X-Csrf-Token": {emp.CSRF}}, send: 10 << 20}, 6<<20 + 1, true, "人员增减 Excel 文件不能超过 5 MB"},
			{"JSON, chunked", hugeRequest{method: "POST", path: "/api/v1/employers/me/staff",
				header: http.Header{"Cookie": {cookie}, "X-Csrf-Token": {emp.CSRF}}, send: 3 << 20, json: true}, 1<<20 + 1, true, "不能超过 1 MB"},
			{"JSON, declared", hugeRequest{method: "POST", path: "/api/v1/employers/me/staff",
				header: http.Header{"Cookie": {cookie}, "X-Csrf-Token": {emp.CSRF}}, declared: 3 << 20, send: 3 << 20, json: true}, 0, true, "不能超过 1 MB"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				read.Store(0)
				resp, body, d := tc.req.do(t, srv.URL)
				if resp.StatusCode != http.StatusRequestEntityTooLarge {
					t.Fatalf("status %d, want 413: %.300s", resp.StatusCode, body)
				}
				if !strings.Contains(body, tc.want) {
					t.Errorf("body lacks %q: %.300s", tc.want, body)
				}
				if json := strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"); json != tc.wantJSON ||
					(json && !strings.Contains(body, `"code":"body_too_large"`)) {
					t.Errorf("content type %q, body %.200s", resp.Header.Get("Content-Type"), body)
				}
				if n := read.Load(); n > tc.maxRead {
					t.Errorf("server read %d bytes, want at most %d", n, tc.maxRead)
				}
				if tc.req.declared > 0 && d > time.Second {
					t.Errorf("answered after %v, want at once", d)
				}
			})
		}
		// An anonymous upload is refused unread.
		read.Store(0)
		resp, body, _ := hugeRequest{method: "POST", path: "/employer/staff/import", send: 2 << 20}.do(t, srv.URL)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "请先登录") || read.Load() != 0 {
			t.Errorf("anonymous upload: %d, read %d bytes: %.200s", resp.StatusCode, read.Load(), body)
		}
		// A form bigger than 1 MB from a browser: the page says so.
		form := url.Values{"_csrf": {emp.CSRF}, "note": {strings.Repeat("长", 400_000)}}
		emp.Do(t, http.MethodPost, "/employer/staff/add", strings.NewReader(form.Encode()),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}).
			WantStatus(t, http.StatusRequestEntityTooLarge).WantBody(t, "提交的内容不能超过 1 MB")
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Fatalf("temporary files left: %v", left)
		}
	})
}

// statementCSV is a valid statement of n credits nobody owes (they go to
// the queue), about 1 KB a line.
func statementCSV(n int, prefix string) []byte {
	var b bytes.Buffer
	b.WriteString("交易日期,交易流水号,对方户名,对方账号,贷方金额,附言\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "2024-02-09,%s%06d,某某商贸有限公司%d,6222000011112222,%d.00,%s\n", prefix, i, i, 100+i, strings.Repeat("货款", 160))
	}
	return b.Bytes()
}

// TestUploadsLeaveNoTempFiles: ten uploads as a browser sends them,
// accepted and refused, leave the temporary folder as it was. The
// statements (9 MB) are spooled to temporary files by any setting of the
// multipart memory; the workbooks are opened in temporary folders.
func TestUploadsLeaveNoTempFiles(t *testing.T) {
	big, _ := bombs()
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		fund := env.LoginAs(t, apptest.Staff(access.Fund))
		emp := env.LoginAs(t, apptest.EmployerA)
		tpl := emp.Get(t, "/employer/staff/template.xlsx").WantStatus(t, http.StatusOK)
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		before, _ := os.ReadDir(tmp)
		statement := statementCSV(9000, "T")
		if len(statement) < 8<<20+1 {
			t.Fatalf("statement of %d bytes would not be spooled to disk", len(statement))
		}
		truncated, ct := multipartBody(map[string]string{"_csrf": fund.CSRF}, "s.csv", statement)
		truncated.Truncate(truncated.Len() - 100)
		for i, step := range []func() *apptest.Response{
			func() *apptest.Response {
				return postFile(t, fund, "/staff/statements", "s.csv", statement, true).WantStatus(t, http.StatusOK)
			},
			func() *apptest.Response {
				return postFile(t, fund, "/staff/statements", "s.csv", statement, true).WantStatus(t, http.StatusOK)
			},
			func() *apptest.Response {
				return postFile(t, fund, "/staff/statements", "s.csv", append(statementCSV(9000, "U"), "2024-02-09,X,某,1,1.234,x\n"...), true).
					WantStatus(t, http.StatusUnprocessableEntity)
			},
			func() *apptest.Response {
				return postFile(t, fund, "/staff/statements", "s.csv", statementCSV(9000, "V"), false).WantStatus(t, http.StatusOK)
			},
			func() *apptest.Response {
				return postFile(t, fund, "/staff/statements", "s.csv", bytes.Repeat([]byte("x"), 34<<20), true).
					WantStatus(t, http.StatusRequestEntityTooLarge)
			},
			func() *apptest.Response {
				return fund.Do(t, http.MethodPost, "/staff/statements", bytes.NewReader(truncated.Bytes()), http.Header{"Content-Type": {ct}}).
					WantStatus(t, http.StatusUnprocessableEntity)
			},
			func() *apptest.Response {
				return postFile(t, emp, "/employer/staff/import", "bomb.xlsx", big, true).WantStatus(t, http.StatusUnprocessableEntity)
			},
			func() *apptest.Response {
				return postFile(t, emp, "/employer/staff/import", "bomb.xlsx", big, false).WantStatus(t, http.StatusUnprocessableEntity)
			},
			func() *apptest.Response {
				return postFile(t, emp, "/employer/staff/import", "t.xlsx", []byte(tpl.Body), true).WantStatus(t, http.StatusUnprocessableEntity)
			},
			func() *apptest.Response {
				return postFile(t, emp, "/api/v1/employers/me/staff/import", "t.xlsx", []byte(tpl.Body), false).
					WantStatus(t, http.StatusUnprocessableEntity)
			},
		} {
			step()
			after, _ := os.ReadDir(tmp)
			if fmt.Sprint(names(after)) != fmt.Sprint(names(before)) {
				t.Fatalf("after upload %d the temporary folder holds %v, before %v", i+1, names(after), names(before))
			}
		}
	})
}

func names(list []os.DirEntry) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Name())
	}
	return out
}
