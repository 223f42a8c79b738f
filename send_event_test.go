package participant_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/connectchat/participant"
)

func TestSendEventValidation(t *testing.T) {
	t.Parallel()
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	t.Cleanup(srv.Close)
	c := participant.New(participant.Options{BaseEndpoint: srv.URL})
	t.Cleanup(c.CloseIdleConnections)

	good := func() *participant.SendEventInput {
		return &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping}
	}
	tests := []struct {
		name   string
		in     *participant.SendEventInput
		fields []string
	}{
		{"nil input", nil, []string{"SendEventInput.ConnectionToken", "SendEventInput.ContentType"}},
		{"empty input", &participant.SendEventInput{}, []string{"SendEventInput.ConnectionToken", "SendEventInput.ContentType"}},
		{"token too long", func() *participant.SendEventInput {
			in := good()
			in.ConnectionToken = participant.Token(strings.Repeat("t", 1001))
			return in
		}(), []string{"SendEventInput.ConnectionToken"}},
		{"token with newline", func() *participant.SendEventInput { in := good(); in.ConnectionToken = "a\r\nX-Evil: 1"; return in }(), []string{"SendEventInput.ConnectionToken"}},
		{"content type too long", func() *participant.SendEventInput {
			in := good()
			in.ContentType = participant.ContentType(strings.Repeat("c", 101))
			return in
		}(), []string{"SendEventInput.ContentType"}},
		{"content too long", func() *participant.SendEventInput { in := good(); in.Content = strings.Repeat("x", 16385); return in }(), []string{"SendEventInput.Content"}},
		{"content too long in characters", func() *participant.SendEventInput { in := good(); in.Content = strings.Repeat("é", 16385); return in }(), []string{"SendEventInput.Content"}},
		{"content invalid utf-8", func() *participant.SendEventInput { in := good(); in.Content = "a\xffb"; return in }(), []string{"SendEventInput.Content"}},
		{"client token too long", func() *participant.SendEventInput { in := good(); in.ClientToken = strings.Repeat("k", 501); return in }(), []string{"SendEventInput.ClientToken"}},
		{"every field bad", &participant.SendEventInput{
			ConnectionToken: participant.Token(strings.Repeat("t", 1001)),
			ContentType:     participant.ContentType(strings.Repeat("c", 101)),
			Content:         strings.Repeat("x", 16385),
			ClientToken:     strings.Repeat("k", 501),
		}, []string{"SendEventInput.ConnectionToken", "SendEventInput.ContentType", "SendEventInput.Content", "SendEventInput.ClientToken"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.SendEvent(t.Context(), tt.in)
			var oe *smithy.OperationError
			if !errors.As(err, &oe) || oe.OperationName != "SendEvent" || oe.ServiceID != "ConnectParticipant" {
				t.Fatalf("error %v is not the SendEvent operation error", err)
			}
			var ip *smithy.InvalidParamsError
			if !errors.As(err, &ip) {
				t.Fatalf("error %v is not a *smithy.InvalidParamsError", err)
			}
			var got []string
			for _, e := range ip.Errs() {
				var pe smithy.InvalidParamError
				if errors.As(e, &pe) {
					got = append(got, pe.Field())
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("bad fields %v, want %v", got, tt.fields)
			}
			if strings.Contains(err.Error(), "tttt") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
	// Boundaries are accepted.
	edge := &participant.SendEventInput{
		ConnectionToken: participant.Token(strings.Repeat("t", 1000)),
		ContentType:     participant.ContentType(strings.Repeat("c", 100)),
		Content:         strings.Repeat("é", 16384),
		ClientToken:     strings.Repeat("k", 500),
	}
	if _, err := c.SendEvent(t.Context(), edge); err != nil {
		var ip *smithy.InvalidParamsError
		if errors.As(err, &ip) {
			t.Errorf("limits rejected: %v", err)
		}
	}
	t.Cleanup(func() {
		if n := sent.Load(); n != 1 {
			t.Errorf("the server got %d requests; only the boundary input may be sent", n)
		}
	})
}

// TestSendEventWire checks the request on the wire: method, path, headers and
// body, and that Content is omitted when empty.
func TestSendEventWire(t *testing.T) {
	t.Parallel()
	type seen struct {
		method, path string
		header       http.Header
		body         map[string]any
	}
	ch := make(chan seen, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("body %q: %v", b, err)
		}
		ch <- seen{r.Method, r.URL.Path, r.Header.Clone(), body}
		_, _ = io.WriteString(w, `{"Id":"x","AbsoluteTime":"2026-01-02T03:04:05.678Z","Unknown":{"a":1}}`)
	}))
	t.Cleanup(srv.Close)
	c := participant.New(participant.Options{BaseEndpoint: srv.URL, AppID: "widget/1 beta", NewClientToken: func() string { return "ct-1" }})
	t.Cleanup(c.CloseIdleConnections)

	tests := []struct {
		name string
		call func() (*participant.SendEventOutput, error)
		want map[string]any
	}{
		{"typing", func() (*participant.SendEventOutput, error) {
			return c.SendTyping(t.Context(), "tok")
		}, map[string]any{"ClientToken": "ct-1", "ContentType": "application/vnd.amazonaws.connect.event.typing"}},
		{"read receipt", func() (*participant.SendEventOutput, error) {
			return c.SendReadReceipt(t.Context(), "tok", `m"1`)
		}, map[string]any{"ClientToken": "ct-1", "ContentType": "application/vnd.amazonaws.connect.event.message.read", "Content": `{"messageId":"m\"1"}`}},
		{"delivered receipt", func() (*participant.SendEventOutput, error) {
			return c.SendDeliveredReceipt(t.Context(), "tok", "m2")
		}, map[string]any{"ClientToken": "ct-1", "ContentType": "application/vnd.amazonaws.connect.event.message.delivered", "Content": `{"messageId":"m2"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.call()
			if err != nil {
				t.Fatal(err)
			}
			if out.ID != "x" || out.AbsoluteTime.UnixMilli() != 1767323045678 {
				t.Errorf("output %+v", out)
			}
			s := <-ch
			if s.method != http.MethodPost || s.path != "/participant/event" {
				t.Errorf("%s %s", s.method, s.path)
			}
			if got := s.header.Get("X-Amz-Bearer"); got != "tok" {
				t.Errorf("X-Amz-Bearer %q", got)
			}
			if got := s.header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q", got)
			}
			if ua := s.header.Get("User-Agent"); !strings.HasPrefix(ua, "connectchat-participant/") || !strings.HasSuffix(ua, " app/widget-1-beta") {
				t.Errorf("User-Agent %q", ua)
			}
			gotJSON, _ := json.Marshal(s.body)
			wantJSON, _ := json.Marshal(tt.want)
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("body %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}

// TestDebugLog checks the one Debug record per attempt and what it holds.
func TestDebugLog(t *testing.T) {
	t.Parallel()
	fs := newFaultServer(t, return500, return429Coded)
	var buf bytes.Buffer
	var mu lockedWriter
	mu.w = &buf
	logger := slog.New(slog.NewJSONHandler(&mu, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, fs.URL, func(o *participant.Options) { o.Logger = logger })
	if _, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "log-secret-token", ContentType: participant.ContentTypeMessageRead, Content: `{"messageId":"private-content"}`}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want one per attempt (3):\n%s", len(lines), buf.String())
	}
	wantRetry := []string{"yes", "yes", "done"}
	wantStatus := []float64{500, 429, 200}
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["operation"] != "SendEvent" || rec["attempt"] != float64(i+1) || rec["retry"] != wantRetry[i] || rec["status"] != wantStatus[i] {
			t.Errorf("line %d: %v", i, rec)
		}
		if rec["request_id"] == "" || rec["duration"] == nil {
			t.Errorf("line %d lacks request id or duration: %v", i, rec)
		}
		for _, secret := range []string{"log-secret-token", "private-content", "messageId"} {
			if strings.Contains(line, secret) {
				t.Errorf("line %d holds %q: %s", i, secret, line)
			}
		}
	}
	// An Info logger gets nothing.
	buf.Reset()
	quiet := newTestClient(t, fs.URL, func(o *participant.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&mu, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	if _, err := quiet.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "t", ContentType: participant.ContentTypeTyping}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("an Info logger got %s", buf.String())
	}
}

// lockedWriter serialises writes of concurrent log records.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
