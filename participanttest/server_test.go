package participanttest_test

import (
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestServerStartModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		start   func(t *testing.T) *participanttest.Server
		wantURL *regexp.Regexp
	}{
		{"NewServer", func(t *testing.T) *participanttest.Server {
			return participanttest.NewServer()
		}, regexp.MustCompile(`^http://(127\.0\.0\.1|\[::1\]):\d+$`)},
		{"StartInMemory", func(t *testing.T) *participanttest.Server {
			s := participanttest.NewUnstartedServer()
			s.StartInMemory()
			return s
		}, regexp.MustCompile(`^http://participanttest\.localhost$`)},
		{"Listener", func(t *testing.T) *participanttest.Server {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			s := participanttest.NewUnstartedServer()
			s.Listener = l
			s.Start()
			assert.Equal(t, "http://"+l.Addr().String(), s.URL, "URL for listener %s", l.Addr())
			return s
		}, regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := tt.start(t)
			t.Cleanup(srv.Close)
			require.Regexp(t, tt.wantURL, srv.URL, "URL")
			cust, err := srv.StartChat(participanttest.ChatOptions{})
			require.NoError(t, err)
			c := connect(t, srv, cust)
			w := open(t, srv, c)
			id, _ := sendMessage(t, srv, c, "hello")
			it := w.expectItem("MESSAGE", "text/plain")
			assert.Equal(t, id, it.ID, "item %+v", it)
			assert.Equal(t, "hello", it.Content, "item %+v", it)
			assert.True(t, strings.HasPrefix(c.wsURL, "ws://"+strings.TrimPrefix(srv.URL, "http://")+"/"),
				"WebSocket URL %q is not on the server's host %q", c.wsURL, srv.URL)
		})
	}
}

func TestHandlerInOwnServer(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewUnstartedServer()
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	// Reached as localhost, the WebSocket URL must name 127.0.0.1 for
	// amazon-connect-chatjs.
	base := strings.Replace(hs.URL, "127.0.0.1", "localhost", 1)
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPost, base+"/participant/connection", strings.NewReader(`{"Type":["WEBSOCKET"]}`))
	req.Header.Set("X-Amz-Bearer", cust.ParticipantToken.Reveal())
	resp, err := hs.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct{ Websocket struct{ Url string } }
	err = jsonDecode(resp, &out)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, err)
	port := hs.Listener.Addr().(*net.TCPAddr).Port
	want := "ws://127.0.0.1:"
	assert.True(t, strings.HasPrefix(out.Websocket.Url, want), "WebSocket URL %q, want %s%d/websocket?...", out.Websocket.Url, want, port)
	assert.Contains(t, out.Websocket.Url, ":"+itoa(port)+"/websocket?", "WebSocket URL, want %s%d/websocket?...", want, port)
}

func TestWithWebSocketBaseURL(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithWebSocketBaseURL("wss://chat.example.test/"))
	cust, _ := srv.StartChat(participanttest.ChatOptions{})
	c := connect(t, srv, cust)
	assert.True(t, strings.HasPrefix(c.wsURL, "wss://chat.example.test/websocket?"), "URL %q", c.wsURL)
	conn, err := srv.Connect(cust.ParticipantToken)
	require.NoError(t, err, "Connect")
	assert.True(t, strings.HasPrefix(conn.WebSocketURL, "wss://chat.example.test/websocket?"), "Connect URL %q", conn.WebSocketURL)
}

func TestWireConventions(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, _ := srv.StartChat(participanttest.ChatOptions{})
	c := connect(t, srv, cust)
	tests := []struct {
		name       string
		method     string
		path       string
		bearer     string
		body       any
		hdr        []string
		wantStatus int
		wantCode   string
	}{
		{"unknown route", "POST", "/participant/nope", c.token, `{}`, nil, 404, "UnknownOperationException"},
		{"wrong method", "GET", "/participant/message", c.token, nil, nil, 404, "UnknownOperationException"},
		{"wrong method of a Connect operation", "POST", "/contact/chat", "", `{}`, nil, 404, "UnknownOperationException"},
		{"wrong method of a GET", "POST", "/websocket", "", `{}`, nil, 404, "UnknownOperationException"},
		{"HEAD of a GET", "HEAD", "/participant/views/v1", c.token, nil, nil, 404, ""},
		{"a path not clean", "POST", "/participant//message", c.token, `{"ContentType":"text/plain","Content":"x"}`, nil, 404, "UnknownOperationException"},
		{"a path with dots", "POST", "/participant/x/../message", c.token, `{"ContentType":"text/plain","Content":"x"}`, nil, 404, "UnknownOperationException"},
		{"a trailing slash", "POST", "/participant/message/", c.token, `{"ContentType":"text/plain","Content":"x"}`, nil, 404, "UnknownOperationException"},
		{"a URL prefix without its slash", "PUT", "/attachments", "", ``, nil, 404, "UnknownOperationException"},
		{"no bearer", "POST", "/participant/message", "", `{"ContentType":"text/plain","Content":"x"}`, nil, 403, "AccessDeniedException"},
		{"unknown bearer", "POST", "/participant/message", "nope", `{"ContentType":"text/plain","Content":"x"}`, nil, 403, "AccessDeniedException"},
		{"participant token for SendMessage", "POST", "/participant/message", cust.ParticipantToken.Reveal(), `{"ContentType":"text/plain","Content":"x"}`, nil, 403, "AccessDeniedException"},
		{"connection token for CreateParticipantConnection", "POST", "/participant/connection", c.token, `{"Type":["WEBSOCKET"]}`, nil, 403, "AccessDeniedException"},
		{"not JSON", "POST", "/participant/message", c.token, `{"ContentType":`, nil, 400, "ValidationException"},
		{"wrong JSON type", "POST", "/participant/message", c.token, `{"ContentType":5,"Content":"x"}`, nil, 400, "ValidationException"},
		{"SigV4 with an empty access key is ignored", "POST", "/participant/message", c.token, `{"ContentType":"text/plain","Content":"x"}`,
			[]string{"Authorization", "AWS4-HMAC-SHA256 Credential=/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "X-Amz-Date", "20260101T000000Z", "X-Amz-Security-Token", "junk"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := call(t, srv, tt.method, tt.path, tt.bearer, tt.body, tt.hdr...)
			switch {
			case tt.wantStatus == 404 && tt.wantCode == "": // HEAD: no body
				assert.Equal(t, 404, r.status)
				assert.Equal(t, "UnknownOperationException", r.errorType())
			case tt.wantCode == "":
				r.wantOK(t)
			default:
				r.wantError(t, tt.wantStatus, tt.wantCode)
			}
			assert.Regexp(t, uuidPattern, r.header.Get("X-Amzn-RequestId"), "x-amzn-RequestId")
			assert.NotEmpty(t, r.header.Get("Access-Control-Allow-Origin"), "no Access-Control-Allow-Origin")
		})
	}
}

// The exact header spellings the service uses reach the wire.
func TestHeaderSpelling(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, _ = conn.Write([]byte("POST /participant/message HTTP/1.1\r\nHost: x\r\nContent-Length: 42\r\nConnection: close\r\n\r\n{\"ContentType\":\"text/plain\",\"Content\":\"x\"}"))
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	raw := b.String()
	for _, want := range []string{"\r\nx-amzn-RequestId: ", "\r\nX-Amzn-ErrorType: AccessDeniedException\r\n", "HTTP/1.1 403 "} {
		assert.Contains(t, raw, want, "response lacks %q", want)
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	chatjs := "authorization,content-type,x-amz-bearer,x-amz-content-sha256,x-amz-date,x-amz-user-agent"
	for _, path := range []string{"/participant/connection", "/participant/transcript", "/attachments/whatever", "/no/such/route"} {
		r := call(t, srv, http.MethodOptions, path, "", nil,
			"Origin", "http://localhost:3000", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", chatjs+",x-custom")
		require.Equal(t, http.StatusOK, r.status, "%s preflight", path)
		allowed := strings.Split(strings.ReplaceAll(r.header.Get("Access-Control-Allow-Headers"), " ", ""), ",")
		for _, h := range strings.Split(chatjs+",x-custom", ",") {
			assert.Contains(t, allowed, h, "%s: %s not allowed", path, h)
		}
		assert.Equal(t, "http://localhost:3000", r.header.Get("Access-Control-Allow-Origin"), "%s: Allow-Origin", path)
		methods := r.header.Get("Access-Control-Allow-Methods")
		assert.Contains(t, methods, "POST", "%s: Allow-Methods", path)
		assert.Contains(t, methods, "PUT", "%s: Allow-Methods", path)
	}
	// An error response is readable by a browser: the origin is allowed and
	// the error type exposed.
	r := call(t, srv, http.MethodPost, "/participant/message", "bad", `{}`, "Origin", "https://widget.example")
	assert.Equal(t, "https://widget.example", r.header.Get("Access-Control-Allow-Origin"), "error response Allow-Origin")
	expose := strings.ToLower(r.header.Get("Access-Control-Expose-Headers"))
	for _, h := range []string{"x-amzn-errortype", "x-amzn-requestid"} {
		assert.Contains(t, expose, h, "Expose-Headers lacks %s", h)
	}
	assert.Equal(t, "*", call(t, srv, http.MethodGet, "/participant/nope", "", nil).header.Get("Access-Control-Allow-Origin"),
		"without Origin, Allow-Origin")
}

func TestRequestsAndSeed(t *testing.T) {
	t.Parallel()
	run := func() (ids []string, reqs []participanttest.Request) {
		srv := participanttest.NewServer(participanttest.WithSeed(42))
		defer srv.Close()
		cust, err := srv.StartChat(participanttest.ChatOptions{})
		require.NoError(t, err)
		c := connect(t, srv, cust)
		id, _ := sendMessage(t, srv, c, "one")
		post(t, srv, "/participant/message", c.token, `{}`)
		assert.Equal(t, uint64(42), srv.Seed(), "Seed()")
		return []string{cust.ContactID, cust.ParticipantID, cust.ParticipantToken.Reveal(), c.token, id}, srv.Requests()
	}
	ids1, reqs := run()
	ids2, _ := run()
	assert.Equal(t, ids1, ids2, "the same seed gave different ids")
	assert.Regexp(t, uuidPattern, ids1[0], "ids are not UUIDs: %v", ids1)
	assert.Regexp(t, uuidPattern, ids1[4], "ids are not UUIDs: %v", ids1)
	require.Len(t, reqs, 3, "requests recorded: %+v", reqs)
	want := []struct {
		op     string
		status int
		code   string
	}{{participanttest.OpCreateParticipantConnection, 200, ""}, {participanttest.OpSendMessage, 200, ""}, {participanttest.OpSendMessage, 400, "ValidationException"}}
	for i, w := range want {
		r := reqs[i]
		assert.Equal(t, w.op, r.Operation, "request %d: %+v", i, r)
		assert.Equal(t, w.status, r.Status, "request %d: %+v", i, r)
		assert.Equal(t, w.code, r.ErrorCode, "request %d: %+v", i, r)
		assert.Equal(t, "POST", r.Method, "request %d: %+v", i, r)
		assert.Regexp(t, uuidPattern, r.RequestID, "request %d: %+v", i, r)
	}
	assert.Equal(t, `{}`, string(reqs[2].Body), "recorded body")
	assert.Equal(t, ids1[3], reqs[1].Header.Get("X-Amz-Bearer"), "recorded bearer")
}

func TestCloseStopsEverything(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	cust, _ := srv.StartChat(participanttest.ChatOptions{})
	_, err := srv.AddAgent(cust.ContactID, participanttest.EchoAgent{})
	require.NoError(t, err)
	c := connect(t, srv, cust)
	w := open(t, srv, c)
	read := make(chan error, 1)
	go func() {
		_, err := w.readErr()
		read <- err
	}()
	srv.Close()
	// The socket is closed with 1001 going away.
	err = <-read
	var ce websocket.CloseError
	require.ErrorAs(t, err, &ce, "read after Close")
	require.Equal(t, websocket.StatusGoingAway, ce.Code, "read after Close: %v", err)
	srv.Close() // idempotent
	_, err = srv.HTTPClient().Get(srv.URL + "/participant/connection")
	require.Error(t, err, "the server still answers after Close")
	_, err = srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err, "state methods still work after Close")
	assert.ErrorIs(t, srv.StopContact("nope"), participanttest.ErrUnknownContact, "StopContact(unknown)")
}

func TestLoggerNeverLogsTokens(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	srv, cust, _ := setup(t, participanttest.WithLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	w := open(t, srv, cust)
	sendMessage(t, srv, cust, "logged?")
	w.item()
	post(t, srv, "/participant/message", "bad-token", `{"ContentType":"text/plain","Content":"x"}`)
	out := buf.String()
	for _, want := range []string{`"operation":"SendMessage"`, `"status":200`, `"error":"AccessDeniedException"`, "socket open"} {
		assert.Contains(t, out, want, "log lacks %s", want)
	}
	for _, secret := range []string{cust.token, cust.ParticipantToken.Reveal(), "logged?", "X-Amz-Signature"} {
		assert.NotContains(t, out, secret, "log contains %q", secret)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
