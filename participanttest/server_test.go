package participanttest_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/connectchat/participant/participanttest"
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
			if err != nil {
				t.Fatal(err)
			}
			s := participanttest.NewUnstartedServer()
			s.Listener = l
			s.Start()
			if s.URL != "http://"+l.Addr().String() {
				t.Errorf("URL %q for listener %s", s.URL, l.Addr())
			}
			return s
		}, regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := tt.start(t)
			t.Cleanup(srv.Close)
			if !tt.wantURL.MatchString(srv.URL) {
				t.Fatalf("URL %q", srv.URL)
			}
			cust, err := srv.StartChat(participanttest.ChatOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c := connect(t, srv, cust)
			w := open(t, srv, c)
			id, _ := sendMessage(t, srv, c, "hello")
			if it := w.expectItem("MESSAGE", "text/plain"); it.ID != id || it.Content != "hello" {
				t.Fatalf("item %+v", it)
			}
			if !strings.HasPrefix(c.wsURL, "ws://"+strings.TrimPrefix(srv.URL, "http://")+"/") {
				t.Errorf("WebSocket URL %q is not on the server's host %q", c.wsURL, srv.URL)
			}
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
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/participant/connection", strings.NewReader(`{"Type":["WEBSOCKET"]}`))
	req.Header.Set("X-Amz-Bearer", cust.ParticipantToken.Reveal())
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Websocket struct{ Url string } }
	if err := jsonDecode(resp, &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	port := hs.Listener.Addr().(*net.TCPAddr).Port
	if want := "ws://127.0.0.1:"; !strings.HasPrefix(out.Websocket.Url, want) || !strings.Contains(out.Websocket.Url, ":"+itoa(port)+"/websocket?") {
		t.Fatalf("WebSocket URL %q, want %s%d/websocket?...", out.Websocket.Url, want, port)
	}
}

func TestWithWebSocketBaseURL(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithWebSocketBaseURL("wss://chat.example.test/"))
	cust, _ := srv.StartChat(participanttest.ChatOptions{})
	c := connect(t, srv, cust)
	if !strings.HasPrefix(c.wsURL, "wss://chat.example.test/websocket?") {
		t.Fatalf("URL %q", c.wsURL)
	}
	conn, err := srv.Connect(cust.ParticipantToken)
	if err != nil || !strings.HasPrefix(conn.WebSocketURL, "wss://chat.example.test/websocket?") {
		t.Fatalf("Connect: %v %q", err, conn.WebSocketURL)
	}
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
			if tt.wantCode == "" {
				r.wantOK(t)
			} else {
				r.wantError(t, tt.wantStatus, tt.wantCode)
			}
			if id := r.header.Get("X-Amzn-RequestId"); !uuidPattern.MatchString(id) {
				t.Errorf("x-amzn-RequestId %q", id)
			}
			if r.header.Get("Access-Control-Allow-Origin") == "" {
				t.Errorf("no Access-Control-Allow-Origin")
			}
		})
	}
}

// The exact header spellings the service uses reach the wire.
func TestHeaderSpelling(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
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
		if !strings.Contains(raw, want) {
			t.Errorf("response lacks %q:\n%s", want, raw)
		}
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	chatjs := "authorization,content-type,x-amz-bearer,x-amz-content-sha256,x-amz-date,x-amz-user-agent"
	for _, path := range []string{"/participant/connection", "/participant/transcript", "/attachments/whatever", "/no/such/route"} {
		r := call(t, srv, http.MethodOptions, path, "", nil,
			"Origin", "http://localhost:3000", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", chatjs+",x-custom")
		if r.status != 200 {
			t.Fatalf("%s preflight: %d", path, r.status)
		}
		allowed := strings.Split(strings.ReplaceAll(r.header.Get("Access-Control-Allow-Headers"), " ", ""), ",")
		for _, h := range strings.Split(chatjs+",x-custom", ",") {
			if !contains(allowed, h) {
				t.Errorf("%s: %s not allowed (%v)", path, h, allowed)
			}
		}
		if got := r.header.Get("Access-Control-Allow-Origin"); got != "http://localhost:3000" {
			t.Errorf("%s: Allow-Origin %q", path, got)
		}
		if !strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "POST") || !strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "PUT") {
			t.Errorf("%s: Allow-Methods %q", path, r.header.Get("Access-Control-Allow-Methods"))
		}
	}
	// An error response is readable by a browser: the origin is allowed and
	// the error type exposed.
	r := call(t, srv, http.MethodPost, "/participant/message", "bad", `{}`, "Origin", "https://widget.example")
	if r.header.Get("Access-Control-Allow-Origin") != "https://widget.example" {
		t.Errorf("error response Allow-Origin %q", r.header.Get("Access-Control-Allow-Origin"))
	}
	expose := strings.ToLower(r.header.Get("Access-Control-Expose-Headers"))
	for _, h := range []string{"x-amzn-errortype", "x-amzn-requestid"} {
		if !strings.Contains(expose, h) {
			t.Errorf("Expose-Headers %q lacks %s", expose, h)
		}
	}
	if got := call(t, srv, http.MethodGet, "/participant/nope", "", nil).header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("without Origin, Allow-Origin %q", got)
	}
}

func TestRequestsAndSeed(t *testing.T) {
	t.Parallel()
	run := func() (ids []string, reqs []participanttest.Request) {
		srv := participanttest.NewServer(participanttest.WithSeed(42))
		defer srv.Close()
		cust, err := srv.StartChat(participanttest.ChatOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c := connect(t, srv, cust)
		id, _ := sendMessage(t, srv, c, "one")
		post(t, srv, "/participant/message", c.token, `{}`)
		if srv.Seed() != 42 {
			t.Errorf("Seed() = %d", srv.Seed())
		}
		return []string{cust.ContactID, cust.ParticipantID, cust.ParticipantToken.Reveal(), c.token, id}, srv.Requests()
	}
	ids1, reqs := run()
	ids2, _ := run()
	if strings.Join(ids1, ",") != strings.Join(ids2, ",") {
		t.Errorf("the same seed gave different ids:\n%v\n%v", ids1, ids2)
	}
	if !uuidPattern.MatchString(ids1[0]) || !uuidPattern.MatchString(ids1[4]) {
		t.Errorf("ids are not UUIDs: %v", ids1)
	}
	if len(reqs) != 3 {
		t.Fatalf("%d requests recorded: %+v", len(reqs), reqs)
	}
	want := []struct {
		op     string
		status int
		code   string
	}{{participanttest.OpCreateParticipantConnection, 200, ""}, {participanttest.OpSendMessage, 200, ""}, {participanttest.OpSendMessage, 400, "ValidationException"}}
	for i, w := range want {
		r := reqs[i]
		if r.Operation != w.op || r.Status != w.status || r.ErrorCode != w.code || r.Method != "POST" || !uuidPattern.MatchString(r.RequestID) {
			t.Errorf("request %d: %+v, want %+v", i, r, w)
		}
	}
	if string(reqs[2].Body) != `{}` || reqs[1].Header.Get("X-Amz-Bearer") != ids1[3] {
		t.Errorf("recorded body %q, bearer %q", reqs[2].Body, reqs[1].Header.Get("X-Amz-Bearer"))
	}
}

func TestCloseStopsEverything(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	cust, _ := srv.StartChat(participanttest.ChatOptions{})
	if _, err := srv.AddAgent(cust.ContactID, participanttest.EchoAgent{}); err != nil {
		t.Fatal(err)
	}
	c := connect(t, srv, cust)
	w := open(t, srv, c)
	read := make(chan error, 1)
	go func() {
		_, err := w.readErr()
		read <- err
	}()
	srv.Close()
	// The socket is closed with 1001 going away.
	err := <-read
	var ce websocketCloseError
	if !asCloseError(err, &ce) || ce.code != 1001 {
		t.Fatalf("read after Close: %v", err)
	}
	srv.Close() // idempotent
	if _, err := srv.HTTPClient().Get(srv.URL + "/participant/connection"); err == nil {
		t.Fatalf("the server still answers after Close")
	}
	if _, err := srv.StartChat(participanttest.ChatOptions{}); err != nil {
		t.Fatalf("state methods still work after Close: %v", err)
	}
	if err := srv.StopContact("nope"); !errors.Is(err, participanttest.ErrUnknownContact) {
		t.Fatalf("StopContact(unknown) = %v", err)
	}
}

func TestLoggerNeverLogsTokens(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	srv := newServer(t, participanttest.WithLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	w := open(t, srv, cust)
	sendMessage(t, srv, cust, "logged?")
	w.item()
	post(t, srv, "/participant/message", "bad-token", `{"ContentType":"text/plain","Content":"x"}`)
	out := buf.String()
	for _, want := range []string{`"operation":"SendMessage"`, `"status":200`, `"error":"AccessDeniedException"`, "socket open"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	for _, secret := range []string{cust.token, cust.ParticipantToken.Reveal(), "logged?", "X-Amz-Signature"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q", secret)
		}
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
