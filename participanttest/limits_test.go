package participanttest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/participanttest"
)

// TestRequestHistoryBounds: the history keeps at most its count and its
// bytes of requests, the newest, and nothing when either bound is zero.
func TestRequestHistoryBounds(t *testing.T) {
	t.Parallel()
	body := `{"ContentType":"text/plain","Content":"` + strings.Repeat("x", 10<<10) + `"}`
	tests := []struct {
		name     string
		opts     []participanttest.Option
		sent     int
		wantKept int   // -1: between 1 and sent-1
		maxBytes int64 // of the kept bodies, when non-zero
	}{
		{"default", nil, 5, 5, 0},
		{"count", []participanttest.Option{participanttest.WithRequestHistory(2)}, 5, 2, 0},
		{"bytes", []participanttest.Option{participanttest.WithRequestHistoryBytes(40 << 10)}, 10, -1, 40 << 10},
		{"count off", []participanttest.Option{participanttest.WithRequestHistory(0)}, 5, 0, 0},
		{"bytes off", []participanttest.Option{participanttest.WithRequestHistoryBytes(0)}, 5, 0, 0},
		{"smaller than one request", []participanttest.Option{participanttest.WithRequestHistoryBytes(1 << 10)}, 3, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.opts...)
			var ids []string
			for range tt.sent {
				r := call(t, srv, http.MethodPost, "/participant/message", "", body)
				require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
				ids = append(ids, r.header.Get("X-Amzn-RequestId"))
			}
			reqs := srv.Requests()
			if tt.wantKept >= 0 {
				require.Len(t, reqs, tt.wantKept)
			} else {
				require.NotEmpty(t, reqs)
				require.Less(t, len(reqs), tt.sent)
			}
			var total int64
			for i, r := range reqs {
				// The newest are kept, in order.
				assert.Equal(t, ids[tt.sent-len(reqs)+i], r.RequestID)
				assert.Equal(t, body, string(r.Body))
				total += int64(len(r.Body))
			}
			if tt.maxBytes > 0 {
				assert.LessOrEqual(t, total, tt.maxBytes)
			}
		})
	}
}

// TestBodyCap: a body over the cap is refused with 413 in the service's
// error format, whether its Content-Length says so (before it is read) or
// it comes chunked; it is not kept in the history.
func TestBodyCap(t *testing.T) {
	t.Parallel()
	big := `{"ContentType":"text/plain","Content":"` + strings.Repeat("x", 1<<20) + `"}`
	tests := []struct {
		name    string
		body    func() io.Reader
		status  int
		errCode string
	}{
		{"content-length", func() io.Reader { return strings.NewReader(big) }, http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException"},
		{"chunked", func() io.Reader { return io.MultiReader(strings.NewReader(big)) }, http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException"},
		{"under the cap", func() io.Reader {
			return strings.NewReader(`{"ContentType":"text/plain","Content":"` + strings.Repeat("x", 16385) + `"}`)
		}, http.StatusBadRequest, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			cust, err := srv.StartChat(participanttest.ChatOptions{})
			require.NoError(t, err)
			c := connect(t, srv, cust)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/participant/message", tt.body())
			require.NoError(t, err)
			req.Header.Set("X-Amz-Bearer", c.token)
			resp, err := srv.HTTPClient().Do(req)
			require.NoError(t, err)
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			response{status: resp.StatusCode, header: resp.Header, body: b}.wantError(t, tt.status, tt.errCode)

			reqs := srv.Requests()
			require.NotEmpty(t, reqs)
			last := reqs[len(reqs)-1]
			assert.Equal(t, participanttest.OpSendMessage, last.Operation)
			assert.Equal(t, tt.status, last.Status)
			if tt.status == http.StatusRequestEntityTooLarge {
				assert.Nil(t, last.Body)
			}
		})
	}
}

// TestSlowClientsAreCut: a client that trickles its headers or its body,
// or keeps an idle connection, is cut after the server's timeouts.
func TestSlowClientsAreCut(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithTimeouts(participanttest.Timeouts{
		ReadHeader: 200 * time.Millisecond, Read: 300 * time.Millisecond, Idle: 300 * time.Millisecond,
	}))
	addr := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name string
		send string
	}{
		{"headers", "POST /participant/message HTTP/1.1\r\nHost: x\r\nContent-"},
		{"body", "POST /participant/message HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"},
		{"idle", "POST /participant/message HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, tt.send)
			require.NoError(t, err)
			start := time.Now()
			// Whatever the server answers, it then closes the connection,
			// long before this deadline.
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
			_, err = io.Copy(io.Discard, conn)
			require.NotErrorIs(t, err, os.ErrDeadlineExceeded, "the connection was still open after %v", time.Since(start))
			assert.Less(t, time.Since(start), 5*time.Second)
		})
	}
}

// TestSlowBodyAnswer: a body that does not arrive within the read timeout
// is answered with a ValidationException, as an unreadable body is.
func TestSlowBodyAnswer(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithTimeouts(participanttest.Timeouts{Read: 200 * time.Millisecond}))
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /participant/event HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	response{status: resp.StatusCode, header: resp.Header, body: b}.wantError(t, http.StatusBadRequest, "ValidationException")
}

// TestWebSocketOutlivesTimeouts: the read and write timeouts bound the
// upgrade, not the socket (net/http clears a connection's deadlines when
// coder/websocket hijacks it).
func TestWebSocketOutlivesTimeouts(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithTimeouts(participanttest.Timeouts{
		ReadHeader: 100 * time.Millisecond, Read: 100 * time.Millisecond, Write: 100 * time.Millisecond, Idle: 100 * time.Millisecond,
	}))
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	w := open(t, srv, cust)
	time.Sleep(400 * time.Millisecond)
	w.send(`{"topic":"aws/heartbeat"}`)
	assert.True(t, bytes.Contains(w.read(), []byte(`"aws/heartbeat"`)))
}
