package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bounds of TestLocalMemoryUnderAbuse.
const (
	abuseBodies   = 1000     // rejected request bodies
	abuseBodySize = 1 << 20  // of 1 MiB each
	abuseSlow     = 1000     // slow clients, all at once
	abuseRSSLimit = 64 << 20 // the most the process may hold
)

// TestLocalMemoryUnderAbuse runs `participant local` as a process on a free
// loopback port and sends it 1,000 request bodies of 1 MiB (half announced
// by Content-Length, half chunked), then 1,000 clients that stop halfway
// through their headers or their body, all at once. Every body is refused
// with 413, every slow client is cut by the read timeout, the process's
// resident memory (VmRSS, and its peak VmHWM, from /proc/PID/status) stays
// under 64 MiB, and a normal chat works afterwards.
func TestLocalMemoryUnderAbuse(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("sends 2,000 abusive requests to a `participant local` process")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/PID/status")
	}
	const readTimeout = 2 * time.Second
	p := startLocalProcess(t, "--agent", "echo", "--agent-delay", "1ms", "--read-timeout", readTimeout.String())
	addr := strings.TrimPrefix(p.endpoint, "http://")
	pid := p.cmd.Process.Pid
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	// A chat before, so that the figures include a warmed-up server.
	c := p.join(ctx, t)
	c.say(ctx, t, "before")
	c.waitFor(ctx, t, "before")
	before := memStatus(t, pid)

	// 1,000 bodies of 1 MiB, 8 at a time.
	body := bytes.Repeat([]byte("x"), abuseBodySize)
	var (
		wg       sync.WaitGroup
		next     atomic.Int64
		mu       sync.Mutex
		statuses = map[int]int{}
		failures []error
	)
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < abuseBodies && ctx.Err() == nil; i = next.Add(1) - 1 {
				status, err := postOversized(ctx, addr, body, i%2 == 1)
				mu.Lock()
				if err != nil {
					failures = append(failures, err)
				} else {
					statuses[status]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Empty(t, failures, "requests that got no answer")
	require.Equal(t, map[int]int{http.StatusRequestEntityTooLarge: abuseBodies}, statuses)
	afterBodies := memStatus(t, pid)

	// 1,000 slow clients at once: half stop in their headers, half in
	// their body. Each must be cut, with or without an answer, within the
	// read timeout (plus slack for a loaded machine).
	start := time.Now()
	conns := make([]net.Conn, 0, abuseSlow)
	defer func() {
		for _, conn := range conns {
			_ = conn.Close()
		}
	}()
	for i := range abuseSlow {
		conn, err := (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, "tcp", addr)
		require.NoError(t, err, "slow client %d", i)
		conns = append(conns, conn)
		partial := "POST /participant/message HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: appl"
		if i%2 == 1 {
			partial = "POST /participant/message HTTP/1.1\r\nHost: " + addr + "\r\nContent-Length: 4096\r\n\r\n{\"Content\":"
		}
		_, err = io.WriteString(conn, partial)
		require.NoError(t, err)
	}
	during := memStatus(t, pid)
	var open atomic.Int64
	for _, conn := range conns {
		wg.Go(func() {
			_ = conn.SetReadDeadline(start.Add(readTimeout + 30*time.Second))
			if _, err := io.Copy(io.Discard, conn); errors.Is(err, os.ErrDeadlineExceeded) {
				open.Add(1)
			}
		})
	}
	wg.Wait()
	cut := time.Since(start)
	assert.Zero(t, open.Load(), "slow clients still connected after %v", cut)
	after := memStatus(t, pid)

	// A normal chat still works.
	c = p.join(ctx, t)
	c.say(ctx, t, "still here")
	c.waitFor(ctx, t, "still here")

	t.Logf("participant local VmRSS: %.1f MiB before, %.1f MiB after %d rejected %d KiB bodies, %.1f MiB holding %d slow clients, %.1f MiB after they were cut (in %v); peak VmHWM %.1f MiB",
		mib(before.rss), mib(afterBodies.rss), abuseBodies, abuseBodySize>>10, mib(during.rss), abuseSlow, mib(after.rss), cut.Round(time.Millisecond), mib(after.hwm))
	for name, m := range map[string]memFigures{"before": before, "after the bodies": afterBodies, "holding slow clients": during, "after": after} {
		assert.Less(t, m.rss, int64(abuseRSSLimit), "VmRSS %s", name)
	}
	assert.Less(t, after.hwm, int64(abuseRSSLimit), "peak VmHWM")
}

// postOversized sends a SendMessage of body's size, with a Content-Length
// or chunked, and returns the status of the answer. It writes the body
// while it reads, as a client that does not wait for 100-continue does.
func postOversized(ctx context.Context, addr string, body []byte, chunked bool) (int, error) {
	conn, err := (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	head := "POST /participant/message HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nX-Amz-Bearer: none\r\n"
	if chunked {
		head += "Transfer-Encoding: chunked\r\n\r\n"
	} else {
		head += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	}
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		w := bufio.NewWriterSize(conn, 64<<10)
		_, _ = w.WriteString(head)
		if !chunked {
			_, _ = w.Write(body)
		} else {
			for b := body; len(b) > 0; {
				n := min(len(b), 32<<10)
				_, _ = fmt.Fprintf(w, "%x\r\n", n)
				_, _ = w.Write(b[:n])
				_, _ = w.WriteString("\r\n")
				b = b[n:]
			}
			_, _ = w.WriteString("0\r\n\r\n")
		}
		_ = w.Flush() // fails once the server has answered and gone
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	_ = conn.Close()
	<-wrote
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// memFigures are a process's resident memory now and at its peak, in
// bytes.
type memFigures struct{ rss, hwm int64 }

// memStatus reads VmRSS and VmHWM from /proc/PID/status.
func memStatus(t *testing.T, pid int) memFigures {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	var m memFigures
	for line := range strings.Lines(string(b)) {
		name, val, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(val)
		require.Len(t, f, 2, "%s", line)
		require.Equal(t, "kB", f[1], "%s", line)
		kb, err := strconv.ParseInt(f[0], 10, 64)
		require.NoError(t, err, "%s", line)
		if name == "VmRSS" {
			m.rss = kb << 10
		} else {
			m.hwm = kb << 10
		}
	}
	require.NotZero(t, m.rss, "no VmRSS in /proc/%d/status", pid)
	return m
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
