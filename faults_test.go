package participant_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// fault is one instruction of the fault-injecting server, consumed by one
// request, in the style of the storage retry conformance tests.
type fault string

const (
	return500        fault = "return-500"
	return503Text    fault = "return-503-text"
	return429Bare    fault = "return-429-bare"
	return429Coded   fault = "return-429-throttling"
	return400        fault = "return-400-validation"
	return403        fault = "return-403"
	resetConnection  fault = "reset-connection"
	truncateBody     fault = "truncate-success-body"
	return502Gateway fault = "return-502-html"
)

// attemptRecord is what the server saw in one request.
type attemptRecord struct {
	bearer, invocationID, sdkRequest, contentType string
	body                                          []byte
	clientToken                                   string
}

// faultServer answers each request with the next fault of its script, and
// with a success once the script is used up.
type faultServer struct {
	*httptest.Server
	mu       sync.Mutex
	script   []fault
	attempts []attemptRecord
}

func newFaultServer(t *testing.T, script ...fault) *faultServer {
	t.Helper()
	fs := &faultServer{script: script}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *faultServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var fields struct{ ClientToken string }
	_ = json.Unmarshal(body, &fields)
	fs.mu.Lock()
	fs.attempts = append(fs.attempts, attemptRecord{
		bearer:       r.Header.Get("X-Amz-Bearer"),
		invocationID: r.Header.Get("Amz-Sdk-Invocation-Id"),
		sdkRequest:   r.Header.Get("Amz-Sdk-Request"),
		contentType:  r.Header.Get("Content-Type"),
		body:         body,
		clientToken:  fields.ClientToken,
	})
	var f fault
	if len(fs.script) > 0 {
		f, fs.script = fs.script[0], fs.script[1:]
	}
	n := len(fs.attempts)
	fs.mu.Unlock()

	w.Header().Set("x-amzn-RequestId", "req-"+strconv.Itoa(n))
	switch f {
	case "":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"Id":"item-`+strconv.Itoa(n)+`","AbsoluteTime":"2026-11-29T10:00:00.123Z"}`)
	case return500:
		writeErr(w, 500, "InternalServerException", "boom")
	case return503Text:
		w.WriteHeader(503)
		_, _ = io.WriteString(w, "Service Unavailable")
	case return502Gateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	case return429Bare:
		w.WriteHeader(429)
	case return429Coded:
		writeErr(w, 429, "ThrottlingException", "slow down")
	case return400:
		writeErr(w, 400, "ValidationException", "bad input")
	case return403:
		writeErr(w, 403, "AccessDeniedException", "Access denied")
	case resetConnection:
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		_ = conn.Close()
	case truncateBody:
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, `{"Id":"it`)
	}
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"message":"`+msg+`"}`)
}

func (fs *faultServer) records() []attemptRecord {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]attemptRecord(nil), fs.attempts...)
}

// consumed reports whether every injected fault was used.
func (fs *faultServer) consumed() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return len(fs.script) == 0
}

// noDelay is the standard retryer with its backoff removed, so tests that
// retry take no wall time.
func noDelay(o *retry.StandardOptions) {
	o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
}

func newTestClient(t *testing.T, url string, optFns ...func(*participant.Options)) *participant.Client {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	o := participant.Options{BaseEndpoint: url, HTTPClient: hc, Retryer: retry.NewStandard(noDelay)}
	return participant.New(o, optFns...)
}

func TestRetryFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		script       []fault
		maxAttempts  int
		wantAttempts int
		wantErr      bool
		wantStatus   int
		wantType     any
	}{
		{name: "success", wantAttempts: 1},
		{name: "500 then success", script: []fault{return500}, wantAttempts: 2},
		{name: "two 503 text then success", script: []fault{return503Text, return503Text}, wantAttempts: 3},
		{name: "502 html then success", script: []fault{return502Gateway}, wantAttempts: 2},
		{name: "bare 429 then success", script: []fault{return429Bare}, wantAttempts: 2},
		{name: "throttling then success", script: []fault{return429Coded}, wantAttempts: 2},
		{name: "reset connection then success", script: []fault{resetConnection}, wantAttempts: 2},
		{name: "truncated success body then success", script: []fault{truncateBody}, wantAttempts: 2},
		{name: "throttled thrice", script: []fault{return429Coded, return429Coded, return429Coded}, wantAttempts: 3, wantErr: true, wantStatus: 429, wantType: new(*participant.ThrottlingError)},
		{name: "500 four times, five attempts", script: []fault{return500, return500, return500, return500}, maxAttempts: 5, wantAttempts: 5},
		{name: "validation not retried", script: []fault{return400}, wantAttempts: 1, wantErr: true, wantStatus: 400, wantType: new(*participant.ValidationError)},
		{name: "access denied not retried", script: []fault{return403}, wantAttempts: 1, wantErr: true, wantStatus: 403, wantType: new(*participant.AccessDeniedError)},
		{name: "one attempt only", script: []fault{return500}, maxAttempts: 1, wantAttempts: 1, wantErr: true, wantStatus: 500, wantType: new(*participant.InternalServerError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := newFaultServer(t, tt.script...)
			c := newTestClient(t, fs.URL, func(o *participant.Options) { o.RetryMaxAttempts = tt.maxAttempts })
			in := &participant.SendEventInput{ConnectionToken: "conn-token", ContentType: participant.ContentTypeTyping}
			out, err := c.SendEvent(t.Context(), in)

			recs := fs.records()
			require.Len(t, recs, tt.wantAttempts, "attempts the server saw")
			assert.Empty(t, in.ClientToken, "the caller's input was changed: ClientToken")
			wantMax := 3
			if tt.maxAttempts > 0 {
				wantMax = tt.maxAttempts
			}
			for i, rec := range recs {
				assert.NotEmpty(t, rec.clientToken, "attempt %d ClientToken", i+1)
				assert.Equal(t, recs[0].clientToken, rec.clientToken, "attempt %d ClientToken differs from the first", i+1)
				assert.Equal(t, string(recs[0].body), string(rec.body), "attempt %d body differs from the first", i+1)
				assert.NotEmpty(t, rec.invocationID, "attempt %d invocation id", i+1)
				assert.Equal(t, recs[0].invocationID, rec.invocationID, "attempt %d invocation id differs from the first", i+1)
				assert.Equal(t, "attempt="+strconv.Itoa(i+1)+"; max="+strconv.Itoa(wantMax), rec.sdkRequest, "attempt %d Amz-Sdk-Request", i+1)
				assert.Equal(t, "conn-token", rec.bearer, "attempt %d bearer", i+1)
				assert.Equal(t, "application/json", rec.contentType, "attempt %d content type", i+1)
			}
			assert.True(t, fs.consumed(), "not every injected fault was consumed")

			if !tt.wantErr {
				require.NoError(t, err, "SendEvent")
				assert.Equal(t, "item-"+strconv.Itoa(tt.wantAttempts), out.ID, "ID")
				assert.Equal(t, "req-"+strconv.Itoa(tt.wantAttempts), out.RequestID, "RequestID")
				want := time.Date(2026, 11, 29, 10, 0, 0, 123e6, time.UTC)
				assert.True(t, out.AbsoluteTime.Equal(want), "AbsoluteTime = %v, want %v", out.AbsoluteTime, want)
				return
			}
			var re *participant.ResponseError
			require.ErrorAs(t, err, &re, "not a *ResponseError")
			assert.Equal(t, tt.wantStatus, re.StatusCode, "status")
			assert.Equal(t, tt.wantAttempts, re.Attempts, "attempts")
			assert.Equal(t, "req-"+strconv.Itoa(tt.wantAttempts), re.RequestID, "RequestID: want the last attempt's")
			assert.ErrorAs(t, err, tt.wantType)
		})
	}
}

func TestClientTokenPerCall(t *testing.T) {
	t.Parallel()
	fs := newFaultServer(t)
	c := newTestClient(t, fs.URL)
	in := &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping}
	for range 3 {
		_, err := c.SendEvent(t.Context(), in)
		require.NoError(t, err)
	}
	in.ClientToken = "given-token"
	_, err := c.SendEvent(t.Context(), in)
	require.NoError(t, err)
	recs := fs.records()
	require.Len(t, recs, 4, "attempts the server saw")
	seen := map[string]bool{}
	for _, r := range recs[:3] {
		if assert.Len(t, r.clientToken, 36, "generated ClientToken is not a UUID v4") {
			assert.Equal(t, byte('4'), r.clientToken[14], "generated ClientToken %q is not a UUID v4", r.clientToken)
		}
		assert.False(t, seen[r.clientToken], "ClientToken %q reused across calls", r.clientToken)
		seen[r.clientToken] = true
		assert.NotEqual(t, recs[3].invocationID, r.invocationID, "invocation id reused across calls")
	}
	assert.Equal(t, "given-token", recs[3].clientToken, "caller's ClientToken as sent")
}

func TestNewClientTokenOption(t *testing.T) {
	t.Parallel()
	fs := newFaultServer(t, return500)
	c := newTestClient(t, fs.URL, func(o *participant.Options) { o.NewClientToken = func() string { return "pinned" } })
	_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
	require.NoError(t, err)
	for _, r := range fs.records() {
		assert.Equal(t, "pinned", r.clientToken, "ClientToken")
	}
	bad := newTestClient(t, fs.URL, func(o *participant.Options) { o.NewClientToken = func() string { return "" } })
	_, err = bad.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
	assert.ErrorContains(t, err, "NewClientToken", "an empty generated token")
}

func TestCustomRetryers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		retryer      aws.Retryer
		script       []fault
		wantAttempts int
	}{
		{"nop retryer makes one attempt", aws.NopRetryer{}, []fault{return500}, 1},
		// A retryer whose rules know nothing of 429: the client's own
		// rules, around any retryer, still get a bare 429 retried.
		{"no rules of its own for 429", retry.NewStandard(noDelay, func(o *retry.StandardOptions) {
			o.Retryables = []retry.IsErrorRetryable{retry.RetryableError{}}
		}), []fault{return429Bare, return429Coded}, 3},
		{"max attempts wrapper", retry.AddWithMaxAttempts(retry.NewStandard(noDelay), 2), []fault{return500, return500}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := newFaultServer(t, tt.script...)
			c := newTestClient(t, fs.URL, func(o *participant.Options) { o.Retryer = tt.retryer })
			_, _ = c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
			assert.Len(t, fs.records(), tt.wantAttempts, "attempts")
		})
	}
}

func TestPerCallOptions(t *testing.T) {
	t.Parallel()
	fs := newFaultServer(t, return500, return500)
	opts := participant.Options{BaseEndpoint: fs.URL, Retryer: retry.NewStandard(noDelay)}
	c := participant.New(opts)
	_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping},
		func(o *participant.Options) { o.RetryMaxAttempts = 1 })
	require.Error(t, err, "want the 500 with one attempt")
	assert.Len(t, fs.records(), 1, "attempts with RetryMaxAttempts 1 for the call")
	assert.Zero(t, c.Options().RetryMaxAttempts, "a per-call option changed the client's Options")
	assert.Zero(t, opts.RetryMaxAttempts, "a per-call option changed the caller's Options")
	_, err = c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
	assert.NoError(t, err, "the next call, with the client's 3 attempts")
	c.CloseIdleConnections()
}

// TestCancel covers a context that ends during an attempt and during the
// backoff sleep: the call ends at once and errors.Is finds the cause.
func TestCancel(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	fs := newFaultServer(t, return500, return500)

	tests := []struct {
		name    string
		url     string
		retryer aws.Retryer
		ctx     func() (context.Context, context.CancelFunc)
		want    error
	}{
		{"cancel during attempt", slow.URL, nil, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(20*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"deadline during attempt", slow.URL, nil, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, context.DeadlineExceeded},
		{"deadline during backoff", fs.URL, retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Hour, nil })
		}), func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, context.DeadlineExceeded},
		{"already cancelled", fs.URL, nil, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, tt.url, func(o *participant.Options) {
				if tt.retryer != nil {
					o.Retryer = tt.retryer
				}
			})
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			_, err := c.SendEvent(ctx, &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
			require.ErrorIs(t, err, tt.want)
			var ce *smithy.CanceledError
			assert.ErrorAs(t, err, &ce)
			assert.LessOrEqual(t, time.Since(start), 10*time.Second, "how long the call took after its context ended")
			assert.False(t, retry.NewStandard().IsErrorRetryable(err), "a cancelled call reads as retryable")
		})
	}
}
