package participant_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

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
			if len(recs) != tt.wantAttempts {
				t.Fatalf("server saw %d attempts, want %d", len(recs), tt.wantAttempts)
			}
			if in.ClientToken != "" {
				t.Errorf("the caller's input was changed: ClientToken = %q", in.ClientToken)
			}
			wantMax := 3
			if tt.maxAttempts > 0 {
				wantMax = tt.maxAttempts
			}
			for i, rec := range recs {
				if rec.clientToken == "" || rec.clientToken != recs[0].clientToken {
					t.Errorf("attempt %d ClientToken %q, first %q", i+1, rec.clientToken, recs[0].clientToken)
				}
				if string(rec.body) != string(recs[0].body) {
					t.Errorf("attempt %d body %s differs from the first %s", i+1, rec.body, recs[0].body)
				}
				if rec.invocationID == "" || rec.invocationID != recs[0].invocationID {
					t.Errorf("attempt %d invocation id %q, first %q", i+1, rec.invocationID, recs[0].invocationID)
				}
				if want := "attempt=" + strconv.Itoa(i+1) + "; max=" + strconv.Itoa(wantMax); rec.sdkRequest != want {
					t.Errorf("attempt %d Amz-Sdk-Request %q, want %q", i+1, rec.sdkRequest, want)
				}
				if rec.bearer != "conn-token" || rec.contentType != "application/json" {
					t.Errorf("attempt %d bearer %q content type %q", i+1, rec.bearer, rec.contentType)
				}
			}
			if !fs.consumed() {
				t.Errorf("not every injected fault was consumed")
			}

			if !tt.wantErr {
				if err != nil {
					t.Fatalf("SendEvent: %v", err)
				}
				if want := "item-" + strconv.Itoa(tt.wantAttempts); out.ID != want {
					t.Errorf("ID = %q, want %q", out.ID, want)
				}
				if want := "req-" + strconv.Itoa(tt.wantAttempts); out.RequestID != want {
					t.Errorf("RequestID = %q, want %q", out.RequestID, want)
				}
				if want := time.Date(2026, 11, 29, 10, 0, 0, 123e6, time.UTC); !out.AbsoluteTime.Equal(want) {
					t.Errorf("AbsoluteTime = %v, want %v", out.AbsoluteTime, want)
				}
				return
			}
			var re *participant.ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a *ResponseError", err)
			}
			if re.StatusCode != tt.wantStatus || re.Attempts != tt.wantAttempts {
				t.Errorf("status %d attempts %d, want %d and %d", re.StatusCode, re.Attempts, tt.wantStatus, tt.wantAttempts)
			}
			if want := "req-" + strconv.Itoa(tt.wantAttempts); re.RequestID != want {
				t.Errorf("RequestID = %q, want the last attempt's %q", re.RequestID, want)
			}
			if !errors.As(err, tt.wantType) {
				t.Errorf("error %v is not a %T", err, tt.wantType)
			}
		})
	}
}

func TestClientTokenPerCall(t *testing.T) {
	t.Parallel()
	fs := newFaultServer(t)
	c := newTestClient(t, fs.URL)
	in := &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping}
	for range 3 {
		if _, err := c.SendEvent(t.Context(), in); err != nil {
			t.Fatal(err)
		}
	}
	in.ClientToken = "given-token"
	if _, err := c.SendEvent(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	recs := fs.records()
	seen := map[string]bool{}
	for _, r := range recs[:3] {
		if len(r.clientToken) != 36 || r.clientToken[14] != '4' {
			t.Errorf("generated ClientToken %q is not a UUID v4", r.clientToken)
		}
		if seen[r.clientToken] {
			t.Errorf("ClientToken %q reused across calls", r.clientToken)
		}
		seen[r.clientToken] = true
		if r.invocationID == recs[3].invocationID {
			t.Errorf("invocation id reused across calls")
		}
	}
	if recs[3].clientToken != "given-token" {
		t.Errorf("caller's ClientToken sent as %q", recs[3].clientToken)
	}
}

func TestNewClientTokenOption(t *testing.T) {
	t.Parallel()
	fs := newFaultServer(t, return500)
	c := newTestClient(t, fs.URL, func(o *participant.Options) { o.NewClientToken = func() string { return "pinned" } })
	if _, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping}); err != nil {
		t.Fatal(err)
	}
	for _, r := range fs.records() {
		if r.clientToken != "pinned" {
			t.Errorf("ClientToken %q, want pinned", r.clientToken)
		}
	}
	bad := newTestClient(t, fs.URL, func(o *participant.Options) { o.NewClientToken = func() string { return "" } })
	_, err := bad.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
	if err == nil || !strings.Contains(err.Error(), "NewClientToken") {
		t.Errorf("an empty generated token gave %v", err)
	}
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
		// A retryer whose rules know nothing of 429: the errors' own
		// RetryableError still gets a bare 429 retried.
		{"no rules but the errors' own", retry.NewStandard(noDelay, func(o *retry.StandardOptions) {
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
			if n := len(fs.records()); n != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", n, tt.wantAttempts)
			}
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
	if err == nil {
		t.Fatal("want the 500 with one attempt")
	}
	if n := len(fs.records()); n != 1 {
		t.Errorf("%d attempts with RetryMaxAttempts 1 for the call", n)
	}
	if c.Options().RetryMaxAttempts != 0 || opts.RetryMaxAttempts != 0 {
		t.Error("a per-call option changed the client's or the caller's Options")
	}
	if _, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping}); err != nil {
		t.Errorf("the next call, with the client's 3 attempts: %v", err)
	}
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
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want errors.Is %v", err, tt.want)
			}
			var ce *smithy.CanceledError
			if !errors.As(err, &ce) {
				t.Errorf("error %v is not a *smithy.CanceledError", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("the call took %v after its context ended", d)
			}
			if retry.NewStandard().IsErrorRetryable(err) {
				t.Error("a cancelled call reads as retryable")
			}
		})
	}
}
