package participanttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/connectchat/participant"
	"github.com/connectchat/participant/participanttest"
)

// newServer starts a server on a loopback port, closed when the test ends.
func newServer(t *testing.T, opts ...participanttest.Option) *participanttest.Server {
	t.Helper()
	srv := participanttest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// response is an HTTP response read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorType returns X-Amzn-ErrorType.
func (r response) errorType() string { return r.header.Get("X-Amzn-ErrorType") }

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// message returns the message of an error body.
func (r response) message(t *testing.T) string {
	t.Helper()
	var e struct {
		Message string `json:"message"`
	}
	r.decode(t, &e)
	return e.Message
}

// wantError checks a response is the service error code with its status,
// the wire headers and a JSON message.
func (r response) wantError(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status || r.errorType() != code {
		t.Fatalf("got %d %q (%s), want %d %s", r.status, r.errorType(), r.body, status, code)
	}
	if r.header.Get("X-Amzn-RequestId") == "" {
		t.Errorf("no x-amzn-RequestId on the error")
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if r.message(t) == "" {
		t.Errorf("empty message in %s", r.body)
	}
}

func (r response) wantOK(t *testing.T) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("got %d %s %s, want 200", r.status, r.errorType(), r.body)
	}
}

// call sends a request to srv. body is sent as is when it is a string,
// marshalled otherwise, and not at all when nil.
func call(t *testing.T, srv *participanttest.Server, method, path, bearer string, body any, hdr ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("X-Amz-Bearer", bearer)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func post(t *testing.T, srv *participanttest.Server, path, bearer string, body any) response {
	t.Helper()
	return call(t, srv, http.MethodPost, path, bearer, body)
}

// chat is one participant connected to a chat.
type chat struct {
	participanttest.Participant
	token string // the ConnectionToken
	wsURL string
}

// connect makes a ConnectionToken and a WebSocket URL for p over the wire,
// with CreateParticipantConnection.
func connect(t *testing.T, srv *participanttest.Server, p participanttest.Participant) chat {
	t.Helper()
	r := post(t, srv, "/participant/connection", p.ParticipantToken.Reveal(),
		map[string]any{"Type": []string{"WEBSOCKET", "CONNECTION_CREDENTIALS"}, "ConnectParticipant": true})
	r.wantOK(t)
	var out struct {
		Websocket             struct{ Url, ConnectionExpiry string }
		ConnectionCredentials struct{ ConnectionToken, Expiry string }
	}
	r.decode(t, &out)
	return chat{Participant: p, token: out.ConnectionCredentials.ConnectionToken, wsURL: out.Websocket.Url}
}

// startChat starts a chat with a customer and an agent, both connected.
func startChat(t *testing.T, srv *participanttest.Server, o participanttest.ChatOptions) (customer, agent chat) {
	t.Helper()
	cust, err := srv.StartChat(o)
	if err != nil {
		t.Fatal(err)
	}
	ag, err := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Agent Smith")
	if err != nil {
		t.Fatal(err)
	}
	return connect(t, srv, cust), connect(t, srv, ag)
}

func sendMessage(t *testing.T, srv *participanttest.Server, c chat, content string) (id, at string) {
	t.Helper()
	r := post(t, srv, "/participant/message", c.token, map[string]string{"ContentType": "text/plain", "Content": content})
	r.wantOK(t)
	var out struct{ Id, AbsoluteTime string }
	r.decode(t, &out)
	if out.Id == "" || out.AbsoluteTime == "" {
		t.Fatalf("SendMessage answered %s", r.body)
	}
	return out.Id, out.AbsoluteTime
}

// ws is a raw WebSocket client.
type ws struct {
	t *testing.T
	c *websocket.Conn
}

// dial opens a WebSocket URL through srv's HTTP client.
func dial(t *testing.T, srv *participanttest.Server, url string) *ws {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: srv.HTTPClient()})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = c.CloseNow() })
	return &ws{t: t, c: c}
}

func (w *ws) send(frame string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

// read returns the next frame, failing the test after 10 seconds.
func (w *ws) read() []byte {
	w.t.Helper()
	b, err := w.readErr()
	if err != nil {
		w.t.Fatalf("read: %v", err)
	}
	return b
}

func (w *ws) readErr() ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := w.c.Read(ctx)
	return b, err
}

// frame is a server frame, decoded loosely.
type frame struct {
	Topic         string          `json:"topic"`
	Content       json.RawMessage `json:"content"`
	ContentType   string          `json:"contentType"`
	StatusCode    int             `json:"statusCode"`
	StatusContent string          `json:"statusContent"`
	Message       string          `json:"message"`
	ConnectionID  string          `json:"connectionId"`
	RequestID     string          `json:"requestId"`
}

func (w *ws) frame() frame {
	w.t.Helper()
	b := w.read()
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		w.t.Fatalf("frame %s: %v", b, err)
	}
	return f
}

// subscribe subscribes to aws/chat and checks the ack.
func (w *ws) subscribe() {
	w.t.Helper()
	w.send(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	f := w.frame()
	var c struct {
		Status string   `json:"status"`
		Topics []string `json:"topics"`
	}
	if f.Topic != "aws/subscribe" || json.Unmarshal(f.Content, &c) != nil || c.Status != "success" || len(c.Topics) != 1 || c.Topics[0] != "aws/chat" {
		w.t.Fatalf("subscribe ack: %+v", f)
	}
}

// item reads the next frame, which must be an aws/chat item in the
// service's form, and returns the item.
func (w *ws) item() participanttest.Item {
	w.t.Helper()
	b := w.read()
	return decodeItemFrame(w.t, b)
}

func decodeItemFrame(t *testing.T, b []byte) participanttest.Item {
	t.Helper()
	var f struct {
		Content     *string `json:"content"`
		ContentType string  `json:"contentType"`
		Topic       string  `json:"topic"`
	}
	if err := json.Unmarshal(b, &f); err != nil || f.Content == nil || f.Topic != "aws/chat" || f.ContentType != "application/json" {
		t.Fatalf("not an aws/chat frame with a string content: %s", b)
	}
	var it participanttest.Item
	if err := json.Unmarshal([]byte(*f.Content), &it); err != nil {
		t.Fatalf("content %q: %v", *f.Content, err)
	}
	if it.ContactID == "" && it.InitialContactID == "" {
		t.Errorf("item without ContactId and InitialContactId: %s", *f.Content)
	}
	return it
}

// open dials a chat's WebSocket URL and subscribes.
func open(t *testing.T, srv *participanttest.Server, c chat) *ws {
	t.Helper()
	w := dial(t, srv, c.wsURL)
	w.subscribe()
	return w
}

// expectEvent reads the next item and checks its type and content type.
func (w *ws) expectItem(typ, contentType string) participanttest.Item {
	w.t.Helper()
	it := w.item()
	if it.Type != typ || it.ContentType != contentType {
		w.t.Fatalf("got item %s %s (%+v), want %s %s", it.Type, it.ContentType, it, typ, contentType)
	}
	return it
}

func receipt(id string) string { return `{"messageId":"` + id + `"}` }

func jsonDecode(resp *http.Response, v any) error {
	return json.NewDecoder(resp.Body).Decode(v)
}

func itoa(n int) string { return strconv.Itoa(n) }

func contains(list []string, s string) bool { return slices.Contains(list, s) }

type websocketCloseError struct {
	code   int
	reason string
}

// asCloseError reports whether err carries a WebSocket close frame.
func asCloseError(err error, ce *websocketCloseError) bool {
	var e websocket.CloseError
	if !errors.As(err, &e) {
		return false
	}
	*ce = websocketCloseError{code: int(e.Code), reason: e.Reason}
	return true
}

func tokenOf(s string) participant.Token { return participant.Token(s) }
