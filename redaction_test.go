package participant_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/connectchat/participant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redactToken is the secret these tests hunt for. It is distinctive enough
// that nothing else prints it.
const redactToken = "SECRET-TOKEN-7f3a"

// redactLeaks lists the ways s shows the token: verbatim, hex-encoded (as %x
// of a plain string would print it), or its first 8 bytes (what is left of a
// token cut in half by a length limit).
func redactLeaks(s string) []string {
	var found []string
	for _, bad := range []string{
		redactToken,
		hex.EncodeToString([]byte(redactToken)),
		strings.ToUpper(hex.EncodeToString([]byte(redactToken))),
		redactToken[:8],
	} {
		if strings.Contains(s, bad) {
			found = append(found, bad)
		}
	}
	return found
}

func checkNoLeak(t *testing.T, what, s string) {
	t.Helper()
	assert.Empty(t, redactLeaks(s), "%s shows the token: %s", what, s)
}

// redactNoBackoff is the standard retryer with no wait between attempts.
func redactNoBackoff(o *retry.StandardOptions) {
	o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
}

// TestRedactFmt prints a Token, and inputs that hold it, with every verb.
func TestRedactFmt(t *testing.T) {
	t.Parallel()
	tok := participant.Token(redactToken)
	in := participant.SendEventInput{ConnectionToken: tok, ContentType: participant.ContentTypeTyping, Content: "hello"}
	values := map[string]any{
		"Token":           tok,
		"*Token":          &tok,
		"SendEventInput":  in,
		"*SendEventInput": &in,
		"[]Token":         []participant.Token{tok, tok},
		"map[Token]Token": map[participant.Token]participant.Token{tok: tok},
		"struct{Tok}":     struct{ Tok participant.Token }{tok},
	}
	// Not %p: fmt prints a non-pointer given to %p without calling any of
	// its methods, so no type can hide its value there (go vet reports that
	// misuse).
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%-20q", "% x", "%#x", "%U", "%t", "%e"}
	for name, v := range values {
		for _, verb := range verbs {
			checkNoLeak(t, fmt.Sprintf("Sprintf(%q, %s)", verb, name), fmt.Sprintf(verb, v))
		}
		checkNoLeak(t, "Sprint("+name+")", fmt.Sprint(v))
		checkNoLeak(t, "Sprintln("+name+")", fmt.Sprintln(v))
		var buf bytes.Buffer
		fmt.Fprintln(&buf, "value:", v)
		checkNoLeak(t, "Fprintln("+name+")", buf.String())
	}
	assert.Equal(t, "REDACTED", fmt.Sprint(tok), "Sprint(Token)")
	assert.Equal(t, "REDACTED", tok.String(), "Token.String()")
	assert.Equal(t, "REDACTED", fmt.Sprintf("%#v", tok), "Sprintf(%#v, Token)")
	// The input's token is REDACTED and its other fields are shown.
	got := fmt.Sprintf("%+v", in)
	assert.Contains(t, got, "ConnectionToken:REDACTED", "Sprintf(%+v, input)")
	assert.Contains(t, got, "Content:hello", "Sprintf(%+v, input)")
}

// TestRedactSlog logs a Token through the text and JSON handlers.
func TestRedactSlog(t *testing.T) {
	t.Parallel()
	tok := participant.Token(redactToken)
	in := &participant.SendEventInput{ConnectionToken: tok, ContentType: participant.ContentTypeTyping}
	for _, h := range []struct {
		name string
		new  func(io.Writer) slog.Handler
	}{
		{"text", func(w io.Writer) slog.Handler {
			return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
		}},
		{"json", func(w io.Writer) slog.Handler {
			return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
		}},
	} {
		var buf bytes.Buffer
		l := slog.New(h.new(&buf))
		l.Info("token", "tok", tok)
		l.Debug("pointer", "tok", &tok)
		l.LogAttrs(context.Background(), slog.LevelWarn, "attrs", slog.Any("tok", tok), slog.Group("g", slog.Any("tok", tok)))
		l.With("tok", tok).Error("with")
		l.Info("args", "a", tok, "b", &tok)
		if h.name == "text" {
			// The text handler prints a struct with %+v, so the input's
			// Token is redacted too. (The JSON handler uses encoding/json,
			// which keeps a Token's value by design: see TestRedactJSON.)
			l.Info("input", "in", in)
		}
		out := buf.String()
		checkNoLeak(t, h.name+" handler", out)
		assert.GreaterOrEqual(t, strings.Count(out, "REDACTED"), 6, "times the %s handler printed REDACTED:\n%s", h.name, out)
	}
}

// TestRedactJSON checks the documented exceptions: Reveal and JSON keep the
// value, since applications persist connection tokens.
func TestRedactJSON(t *testing.T) {
	t.Parallel()
	tok := participant.Token(redactToken)
	assert.Equal(t, redactToken, tok.Reveal())
	b, err := json.Marshal(tok)
	require.NoError(t, err)
	assert.JSONEq(t, `"`+redactToken+`"`, string(b))
	// Outputs keep the token in JSON, as the service sent it (the CLI
	// prints them; applications persist them).
	b, err = json.Marshal(participant.ConnectionCredentials{ConnectionToken: tok})
	require.NoError(t, err)
	assert.JSONEq(t, `{"ConnectionToken":"`+redactToken+`"}`, string(b))
	// Inputs are never sent as JSON: their token is left out, so that a
	// logged input (slog's JSONHandler marshals it) does not show it.
	b, err = json.Marshal(participant.SendEventInput{ConnectionToken: tok})
	require.NoError(t, err)
	assert.NotContains(t, string(b), redactToken)
	var back participant.Token
	require.NoError(t, json.Unmarshal([]byte(`"`+redactToken+`"`), &back))
	assert.Equal(t, tok, back)
}

// checkErrorNoLeak checks every text an error offers.
func checkErrorNoLeak(t *testing.T, what string, err error) {
	t.Helper()
	if !assert.Error(t, err, "%s: no error", what) {
		return
	}
	checkNoLeak(t, what+": Error()", err.Error())
	checkNoLeak(t, what+": %+v", fmt.Sprintf("%+v", err))
	var re *participant.ResponseError
	if errors.As(err, &re) {
		checkNoLeak(t, what+": RequestID", re.RequestID)
		// Text from the service is one line. (A validation error lists
		// its fields one per line, as smithy.InvalidParamsError does.)
		assert.False(t, strings.ContainsAny(err.Error(), "\r\n"), "%s: Error() holds CR or LF: %q", what, err.Error())
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		checkNoLeak(t, what+": ErrorCode()", api.ErrorCode())
		checkNoLeak(t, what+": ErrorMessage()", api.ErrorMessage())
	}
	var rnf *participant.ResourceNotFoundError
	if errors.As(err, &rnf) {
		checkNoLeak(t, what+": ResourceID", rnf.ResourceID)
		checkNoLeak(t, what+": ResourceType", rnf.ResourceType)
	}
}

// TestRedactValidationErrors: inputs rejected before any I/O never show the
// token, even when the token itself is what is wrong.
func TestRedactValidationErrors(t *testing.T) {
	t.Parallel()
	c := participant.New(participant.Options{Region: "us-east-1"})
	t.Cleanup(c.CloseIdleConnections)
	for name, in := range map[string]*participant.SendEventInput{
		"no content type":        {ConnectionToken: redactToken},
		"token with LF":          {ConnectionToken: redactToken + "\n", ContentType: participant.ContentTypeTyping},
		"token with NUL":         {ConnectionToken: "\x00" + redactToken, ContentType: participant.ContentTypeTyping},
		"token too long":         {ConnectionToken: participant.Token(strings.Repeat(redactToken, 60)), ContentType: participant.ContentTypeTyping},
		"token not UTF-8":        {ConnectionToken: redactToken + "\xff", ContentType: participant.ContentTypeTyping},
		"content type too long":  {ConnectionToken: redactToken, ContentType: participant.ContentType(strings.Repeat("x", 101))},
		"client token too long":  {ConnectionToken: redactToken, ContentType: participant.ContentTypeTyping, ClientToken: strings.Repeat("c", 501)},
		"every field wrong":      {ConnectionToken: redactToken + "\r\n", ContentType: "", Content: strings.Repeat("y", 16385)},
		"content holds no token": {ConnectionToken: redactToken, ContentType: participant.ContentTypeTyping, Content: strings.Repeat("z", 16385)},
	} {
		_, err := c.SendEvent(t.Context(), in)
		var ipe *smithy.InvalidParamsError
		if !assert.ErrorAs(t, err, &ipe, name) {
			continue
		}
		checkErrorNoLeak(t, name, err)
	}
}

// TestRedactTransportError: a connection refused names the URL, never the
// token.
func TestRedactTransportError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	_ = ln.Close()
	c := participant.New(participant.Options{BaseEndpoint: "http://" + addr, RetryMaxAttempts: 1})
	t.Cleanup(c.CloseIdleConnections)
	err = sendTyping(t.Context(), c, redactToken)
	checkErrorNoLeak(t, "closed port", err)
	assert.ErrorContains(t, err, addr, "Error() does not name the endpoint")
}

// TestRedactCorpusErrors runs every corpus response with the token as the
// connection token, as it is and with the token echoed into the request id
// and the body.
func TestRedactCorpusErrors(t *testing.T) {
	t.Parallel()
	for _, ec := range loadErrorCorpus(t) {
		t.Run(ec.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := serveErrorCase(t, ec, &hits)
			c := newCorpusClient(t, srv.URL)
			checkErrorNoLeak(t, "as is", sendTyping(t.Context(), c, redactToken))

			body := ec.body()
			echo, mux := setup(t, oneAttempt)
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				bearer := r.Header.Get("X-Amz-Bearer")
				assert.Equal(t, redactToken, bearer, "X-Amz-Bearer")
				for k, v := range ec.Headers {
					w.Header().Set(k, v)
				}
				w.Header().Set("x-amzn-RequestId", bearer)
				w.WriteHeader(ec.Status)
				_, _ = w.Write(echoInto(body, bearer))
			})
			checkErrorNoLeak(t, "echoed", sendTyping(t.Context(), echo, redactToken))
		})
	}
}

// echoInto puts tok into a body where a service would echo input: inside
// the first JSON string member named message, or else at the start.
func echoInto(body []byte, tok string) []byte {
	for _, key := range []string{`"message":"`, `"Message":"`, `"message": "`} {
		if i := bytes.Index(body, []byte(key)); i >= 0 {
			i += len(key)
			return append(append(append([]byte{}, body[:i]...), tok+" "...), body[i:]...)
		}
	}
	return append([]byte(tok+" "), body...)
}

// TestRedactEchoingService answers with the token in every place a service
// might echo it.
func TestRedactEchoingService(t *testing.T) {
	t.Parallel()
	type echo struct {
		status  int
		headers map[string]string
		body    string // {{T}} is replaced by the bearer token the server got
	}
	long := strings.Repeat("a", 190)
	cases := map[string]echo{
		"message":             {400, map[string]string{"X-Amzn-ErrorType": "ValidationException"}, `{"message":"bad token {{T}}"}`},
		"Message unknown":     {400, map[string]string{"X-Amzn-ErrorType": "NewException"}, `{"Message":"bad token {{T}}"}`},
		"message with CRLF":   {403, map[string]string{"X-Amzn-ErrorType": "AccessDeniedException"}, `{"message":"line\r\n{{T}}\r\nline"}`},
		"x-amzn-RequestId":    {500, map[string]string{"x-amzn-RequestId": "{{T}}"}, ``},
		"x-amz-requestid":     {429, map[string]string{"x-amz-requestid": "rid-{{T}}"}, ``},
		"long request id":     {500, map[string]string{"x-amzn-RequestId": strings.Repeat("r", 120) + "{{T}}"}, ``},
		"error type header":   {400, map[string]string{"X-Amzn-ErrorType": "{{T}}"}, ``},
		"error type split":    {400, map[string]string{"X-Amzn-ErrorType": "SECRET-TOKEN-7f 3a"}, ``},
		"error type ns":       {400, map[string]string{"X-Amzn-ErrorType": "ns#{{T}}:http://x/"}, ``},
		"long error type":     {400, map[string]string{"X-Amzn-ErrorType": strings.Repeat("E", 120) + "{{T}}"}, ``},
		"body code":           {400, nil, `{"code":"{{T}}"}`},
		"body __type":         {500, nil, `{"__type":"com.example#{{T}}"}`},
		"resource id":         {404, map[string]string{"X-Amzn-ErrorType": "ResourceNotFoundException"}, `{"message":"m","ResourceId":"{{T}}","ResourceType":"{{T}}"}`},
		"plain text":          {502, nil, `upstream said: {{T}}`},
		"plain text boundary": {503, nil, long + `{{T}}`},
		"long message":        {400, map[string]string{"X-Amzn-ErrorType": "NewException"}, `{"message":"` + strings.Repeat("m", 505) + `{{T}}"}`},
		"truncated json":      {429, map[string]string{"X-Amzn-ErrorType": "ThrottlingException"}, `{"message":"{{T}}`},
		"huge body":           {500, map[string]string{"X-Amzn-ErrorType": "InternalServerException"}, `{{T}}` + strings.Repeat("h", 70<<10)},
	}
	for name, e := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t, oneAttempt)
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				tok := r.Header.Get("X-Amz-Bearer")
				for k, v := range e.headers {
					w.Header().Set(k, strings.ReplaceAll(v, "{{T}}", tok))
				}
				w.WriteHeader(e.status)
				_, _ = io.WriteString(w, strings.ReplaceAll(e.body, "{{T}}", tok))
			})
			err := sendTyping(t.Context(), c, redactToken)
			var re *participant.ResponseError
			require.ErrorAs(t, err, &re, "want a ResponseError with status %d", e.status)
			assert.Equal(t, e.status, re.StatusCode, "ResponseError.StatusCode")
			checkErrorNoLeak(t, name, err)
		})
	}
}

// TestRedactCanceled: the error of a cancelled call, which quotes the last
// attempt's failure, shows no token either.
func TestRedactCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rt := retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
			cancel()
			return time.Hour, nil
		})
	})
	c, mux := setup(t, func(o *participant.Options) { o.Retryer = rt })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-ErrorType", "ThrottlingException")
		w.Header().Set("x-amzn-RequestId", r.Header.Get("X-Amz-Bearer"))
		w.WriteHeader(429)
		_, _ = io.WriteString(w, `{"message":"slow down `+r.Header.Get("X-Amz-Bearer")+`"}`)
	})
	err := sendTyping(ctx, c, redactToken)
	require.ErrorIs(t, err, context.Canceled)
	checkErrorNoLeak(t, "cancelled", err)

	pre, cancelNow := context.WithCancel(t.Context())
	cancelNow()
	checkErrorNoLeak(t, "cancelled before", sendTyping(pre, c, redactToken))
}

// TestRedactDebugLog logs every attempt of a call that is retried twice and
// then fails, against a service that echoes the token everywhere it can.
func TestRedactDebugLog(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mux := setup(t, func(o *participant.Options) {
		o.Logger = logger
		o.RetryMaxAttempts = 3
		o.Retryer = retry.NewStandard(redactNoBackoff)
	})
	var hits atomic.Int32
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		tok := r.Header.Get("X-Amz-Bearer")
		w.Header().Set("X-Amzn-ErrorType", "InternalServerException")
		w.Header().Set("x-amzn-RequestId", "rid-"+tok)
		w.Header().Set("Location", "https://example.com/?token="+tok)
		w.WriteHeader(500)
		_, _ = io.WriteString(w, `{"message":"could not use `+tok+`\nlevel=INFO msg=forged"}`)
	})
	err := sendTyping(t.Context(), c, redactToken)
	checkErrorNoLeak(t, "after retries", err)
	assert.Equal(t, int32(3), hits.Load(), "requests the server got")

	out := logs.String()
	checkNoLeak(t, "debug log", out)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 3, "log lines, want one per attempt:\n%s", out)
	for i, want := range []string{"retry=yes", "retry=yes", `retry="no, attempts exhausted"`} {
		assert.Contains(t, lines[i], want, "line %d", i+1)
		assert.Contains(t, lines[i], "level=DEBUG", "line %d", i+1)
		assert.Contains(t, lines[i], "status=500", "line %d", i+1)
		assert.Contains(t, lines[i], "REDACTED", "line %d does not show where the token was", i+1)
		forged := strings.Contains(lines[i], "level=INFO msg=forged") && !strings.Contains(lines[i], `\\n`)
		assert.False(t, forged, "line %d lets the service forge a log line: %s", i+1, lines[i])
	}
}

// lockedBuffer collects log output written from the request path.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestRedactTelemetry records the spans and metrics of calls that meet a
// service echoing the token and the message content everywhere it can, a
// transport failure on a DescribeView whose path holds the view token, and
// a cancelled retry, and finds none of the secrets in any span name,
// attribute or event, nor in any metric attribute.
func TestRedactTelemetry(t *testing.T) {
	t.Parallel()
	const content = "SECRET-MESSAGE-CONTENT-91c2"
	const viewToken = "SECRET-VIEW-TOKEN-44d1"
	rec := newRecorder()
	c, mux := setup(t, withRecorder(rec), func(o *participant.Options) { o.RetryMaxAttempts = 2 })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("X-Amz-Bearer")
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("x-amzn-RequestId", "rid-"+tok)
		w.Header().Set("X-Amzn-ErrorType", "ns#"+tok+":http://x/?q="+tok)
		w.WriteHeader(429)
		_, _ = io.WriteString(w, `{"message":"bad `+tok+` in `+string(body)+`","code":"`+tok+`"}`)
	})
	_, err := c.SendMessage(t.Context(), &participant.SendMessageInput{ConnectionToken: redactToken, ContentType: participant.ContentTypePlainText, Content: content})
	require.Error(t, err)
	require.Error(t, sendTyping(t.Context(), c, redactToken))

	// A transport failure: nothing listens on the port any more.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + ln.Addr().String() + "/base"
	require.NoError(t, ln.Close())
	_, err = c.DescribeView(t.Context(), &participant.DescribeViewInput{ConnectionToken: redactToken, ViewToken: viewToken},
		func(o *participant.Options) { o.BaseEndpoint = dead })
	require.Error(t, err)

	// A call cancelled during its backoff.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rt := retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { cancel(); return time.Hour, nil })
	})
	_, err = c.SendEvent(ctx, &participant.SendEventInput{ConnectionToken: redactToken, ContentType: participant.ContentTypeTyping},
		func(o *participant.Options) { o.Retryer = rt })
	require.ErrorIs(t, err, context.Canceled)

	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.NotEmpty(t, rec.spans)
	require.NotEmpty(t, rec.points)
	var texts []string
	for _, s := range rec.spans {
		texts = append(texts, s.name, fmt.Sprint(s.props))
		for _, e := range s.events {
			texts = append(texts, e.name, fmt.Sprint(e.props))
		}
	}
	for _, p := range rec.points {
		texts = append(texts, p.name, fmt.Sprint(p.attrs))
	}
	for _, s := range texts {
		checkNoLeak(t, "telemetry", s)
		assert.NotContains(t, s, content, "message content in telemetry")
		assert.NotContains(t, s, viewToken, "view token in telemetry")
		assert.NotContains(t, s, "?", "a URL query in telemetry")
		assert.NotContains(t, s, "/base/participant", "a request URL in telemetry")
	}
}
