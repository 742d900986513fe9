package mailintake_test

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"shebao/internal/db/dbtest"
	"shebao/internal/mailintake"
)

// BenchmarkIntake sends messages with one distinct 1 MB JPEG attachment
// each through the SMTP listener (4 client connections) on SQLite and
// reports msgs/s. Target: at least 50.
//
//	go test -run X -bench BenchmarkIntake -benchtime 200x ./internal/mailintake/
func BenchmarkIntake(b *testing.B) {
	b.Run("go-smtp-client", func(b *testing.B) { benchIntake(b, (*rig).send) })
	// The raw client writes the prepared DATA in one go, so the figure
	// measures the listener rather than the sender's dot-stuffing.
	b.Run("raw-client", func(b *testing.B) {
		benchIntake(b, func(r *rig, f string, to []string, m []byte) error { return r.sendRaw(f, to, m, false) })
	})
	// The same with CHUNKING (RFC 3030 BDAT, used by e.g. Exchange between
	// servers): the listener reads the message without dot-unstuffing.
	b.Run("raw-client-bdat", func(b *testing.B) {
		benchIntake(b, func(r *rig, f string, to []string, m []byte) error { return r.sendRaw(f, to, m, true) })
	})
}

func benchIntake(b *testing.B, send func(r *rig, from string, to []string, msg []byte) error) {
	r := newRig(b, dbtest.SQLite(b), mailintake.Config{})
	att := make([]byte, 1<<20)
	copy(att, jpegBytes)
	msgs := make([][]byte, b.N)
	for i := range msgs {
		binary.BigEndian.PutUint64(att[100:], uint64(i)) // distinct content: no dedup shortcut
		msgs[i] = message("From: hr@factory.example\r\nTo: gongshang@shebao.example\r\nSubject: =?UTF-8?B?5bel5Lyk5LqL5pWF5oql5ZGK?=\r\n",
			"text/plain; charset=UTF-8", []byte("附件为住院照片"), part{"photo.jpg", "image/jpeg", att})
	}
	b.SetBytes(int64(len(msgs[0])))
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(msgs) {
					return
				}
				if err := send(r, "hr@factory.example", []string{"gongshang@shebao.example"}, msgs[i]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	if n := len(r.opener.all()); n != b.N {
		b.Fatalf("%d drafts for %d messages", n, b.N)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "msgs/s")
	// Process CPU per message (listener, parsing, storage, database, and
	// the in-process client): what the figure would be per idle core.
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/msg")
}

// sendRaw speaks SMTP directly: the message has no line starting with "."
// (base64 and plain headers), so it needs no dot-stuffing.
func (r *rig) sendRaw(from string, to []string, msg []byte, bdat bool) error {
	conn, err := net.Dial("tcp", r.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	expect := func(code string) error {
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return err
			}
			if !strings.HasPrefix(line, code) {
				return fmt.Errorf("want %s, got %q", code, line)
			}
			if len(line) > 3 && line[3] == ' ' {
				return nil
			}
		}
	}
	if err := expect("220"); err != nil {
		return err
	}
	steps := []struct{ cmd, code string }{{"EHLO bench\r\n", "250"}, {"MAIL FROM:<" + from + ">\r\n", "250"}}
	for _, t := range to {
		steps = append(steps, struct{ cmd, code string }{"RCPT TO:<" + t + ">\r\n", "250"})
	}
	if !bdat {
		steps = append(steps, struct{ cmd, code string }{"DATA\r\n", "354"})
	}
	for _, s := range steps {
		if _, err := io.WriteString(conn, s.cmd); err != nil {
			return err
		}
		if err := expect(s.code); err != nil {
			return err
		}
	}
	out := append(msg, ".\r\n"...)
	if bdat {
		out = append([]byte(fmt.Sprintf("BDAT %d LAST\r\n", len(msg))), msg...)
	}
	if _, err := conn.Write(out); err != nil {
		return err
	}
	if err := expect("250"); err != nil {
		return err
	}
	io.WriteString(conn, "QUIT\r\n")
	return nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
