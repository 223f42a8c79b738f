package participant_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

func TestSendEventValidation(t *testing.T) {
	t.Parallel()
	var sent atomic.Int32
	c, mux := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { sent.Add(1) })

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
			require.ErrorAs(t, err, &oe, "not the SendEvent operation error")
			assert.Equal(t, "SendEvent", oe.OperationName, "OperationName of %v", err)
			assert.Equal(t, "ConnectParticipant", oe.ServiceID, "ServiceID of %v", err)
			var ip *smithy.InvalidParamsError
			require.ErrorAs(t, err, &ip)
			var got []string
			for _, e := range ip.Errs() {
				var pe smithy.InvalidParamError
				if errors.As(e, &pe) {
					got = append(got, pe.Field())
				}
			}
			assert.Equal(t, tt.fields, got, "bad fields")
			assert.NotContains(t, err.Error(), "tttt", "the error shows the token")
		})
	}
	// Boundaries are accepted.
	edge := &participant.SendEventInput{
		ConnectionToken: participant.Token(strings.Repeat("t", 1000)),
		ContentType:     participant.ContentType(strings.Repeat("c", 100)),
		Content:         strings.Repeat("é", 16384),
		ClientToken:     strings.Repeat("k", 500),
	}
	_, err := c.SendEvent(t.Context(), edge)
	var ip *smithy.InvalidParamsError
	assert.NotErrorAs(t, err, &ip, "limits rejected")
	t.Cleanup(func() {
		assert.Equal(t, int32(1), sent.Load(), "requests the server got; only the boundary input may be sent")
	})
}

// TestSendEventWire checks the request on the wire: method, path, headers and
// body, and that Content is omitted when empty.
func TestSendEventWire(t *testing.T) {
	t.Parallel()
	type seen struct {
		header http.Header
		body   map[string]any
	}
	ch := make(chan seen, 4)
	c, mux := setup(t, func(o *participant.Options) {
		o.AppID = "widget/1 beta"
		o.NewClientToken = func() string { return "ct-1" }
	})
	// Any other path gets the mux's 404, which fails the call.
	mux.HandleFunc("/participant/event", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		assert.NoError(t, json.Unmarshal(b, &body), "body %q", b)
		ch <- seen{r.Header.Clone(), body}
		_, _ = io.WriteString(w, `{"Id":"x","AbsoluteTime":"2026-01-02T03:04:05.678Z","Unknown":{"a":1}}`)
	})

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
			require.NoError(t, err)
			assert.Equal(t, "x", out.ID, "output ID")
			assert.Equal(t, int64(1767323045678), out.AbsoluteTime.UnixMilli(), "output AbsoluteTime %v", out.AbsoluteTime)
			s := <-ch
			assert.Equal(t, "tok", s.header.Get("X-Amz-Bearer"), "X-Amz-Bearer")
			assert.Equal(t, "application/json", s.header.Get("Content-Type"), "Content-Type")
			ua := s.header.Get("User-Agent")
			assert.True(t, strings.HasPrefix(ua, "connectchat-participant/"), "User-Agent %q", ua)
			assert.True(t, strings.HasSuffix(ua, " app/widget-1-beta"), "User-Agent %q", ua)
			assert.Equal(t, tt.want, s.body, "body")
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
	_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "log-secret-token", ContentType: participant.ContentTypeMessageRead, Content: `{"messageId":"private-content"}`})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3, "log lines, want one per attempt:\n%s", buf.String())
	wantRetry := []string{"yes", "yes", "done"}
	wantStatus := []float64{500, 429, 200}
	for i, line := range lines {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		assert.Equal(t, "SendEvent", rec["operation"], "line %d: %v", i, rec)
		assert.Equal(t, float64(i+1), rec["attempt"], "line %d: %v", i, rec)
		assert.Equal(t, wantRetry[i], rec["retry"], "line %d: %v", i, rec)
		assert.Equal(t, wantStatus[i], rec["status"], "line %d: %v", i, rec)
		assert.NotEqual(t, "", rec["request_id"], "line %d lacks request id: %v", i, rec)
		assert.NotNil(t, rec["duration"], "line %d lacks duration: %v", i, rec)
		for _, secret := range []string{"log-secret-token", "private-content", "messageId"} {
			assert.NotContains(t, line, secret, "line %d", i)
		}
	}
	// An Info logger gets nothing.
	buf.Reset()
	quiet := newTestClient(t, fs.URL, func(o *participant.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&mu, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	_, err = quiet.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "t", ContentType: participant.ContentTypeTyping})
	require.NoError(t, err)
	assert.Empty(t, buf.String(), "an Info logger got output")
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
