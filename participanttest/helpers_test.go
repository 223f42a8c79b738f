package participanttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/connectchat/participant"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.NoError(t, json.Unmarshal(r.body, v), "decoding %s", r.body)
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
	require.Equal(t, status, r.status, "status (%s %s)", r.errorType(), r.body)
	require.Equal(t, code, r.errorType(), "X-Amzn-ErrorType (%d %s)", r.status, r.body)
	assert.NotEmpty(t, r.header.Get("X-Amzn-RequestId"), "no x-amzn-RequestId on the error")
	assert.Equal(t, "application/json", r.header.Get("Content-Type"), "Content-Type")
	assert.NotEmpty(t, r.message(t), "empty message in %s", r.body)
}

func (r response) wantOK(t *testing.T) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%s %s", r.errorType(), r.body)
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
		require.NoError(t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	require.NoError(t, err)
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
	require.NoError(t, err, "%s %s", method, path)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
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
	require.NoError(t, err)
	ag, err := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Agent Smith")
	require.NoError(t, err)
	return connect(t, srv, cust), connect(t, srv, ag)
}

// setup starts a server with opts and a chat with a connected customer and
// agent: the start most tests share (go-github's setup).
func setup(t *testing.T, opts ...participanttest.Option) (srv *participanttest.Server, customer, agent chat) {
	t.Helper()
	srv = newServer(t, opts...)
	customer, agent = startChat(t, srv, participanttest.ChatOptions{})
	return srv, customer, agent
}

func sendMessage(t *testing.T, srv *participanttest.Server, c chat, content string) (id, at string) {
	t.Helper()
	r := post(t, srv, "/participant/message", c.token, map[string]string{"ContentType": "text/plain", "Content": content})
	r.wantOK(t)
	var out struct{ Id, AbsoluteTime string }
	r.decode(t, &out)
	require.NotEmpty(t, out.Id, "SendMessage answered %s", r.body)
	require.NotEmpty(t, out.AbsoluteTime, "SendMessage answered %s", r.body)
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
	require.NoError(t, err, "dial")
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = c.CloseNow() })
	return &ws{t: t, c: c}
}

func (w *ws) send(frame string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(w.t, w.c.Write(ctx, websocket.MessageText, []byte(frame)), "write")
}

// read returns the next frame, failing the test after 10 seconds.
func (w *ws) read() []byte {
	w.t.Helper()
	b, err := w.readErr()
	require.NoError(w.t, err, "read")
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
	require.NoError(w.t, json.Unmarshal(b, &f), "frame %s", b)
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
	require.Equal(w.t, "aws/subscribe", f.Topic, "subscribe ack: %+v", f)
	require.NoError(w.t, json.Unmarshal(f.Content, &c), "subscribe ack: %+v", f)
	require.Equal(w.t, "success", c.Status, "subscribe ack: %+v", f)
	require.Equal(w.t, []string{"aws/chat"}, c.Topics, "subscribe ack: %+v", f)
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
	require.NoError(t, json.Unmarshal(b, &f), "not an aws/chat frame with a string content: %s", b)
	require.NotNil(t, f.Content, "not an aws/chat frame with a string content: %s", b)
	require.Equal(t, "aws/chat", f.Topic, "not an aws/chat frame with a string content: %s", b)
	require.Equal(t, "application/json", f.ContentType, "not an aws/chat frame with a string content: %s", b)
	var it participanttest.Item
	require.NoError(t, json.Unmarshal([]byte(*f.Content), &it), "content %q", *f.Content)
	assert.False(t, it.ContactID == "" && it.InitialContactID == "", "item without ContactId and InitialContactId: %s", *f.Content)
	return it
}

// open dials a chat's WebSocket URL and subscribes.
func open(t *testing.T, srv *participanttest.Server, c chat) *ws {
	t.Helper()
	w := dial(t, srv, c.wsURL)
	w.subscribe()
	return w
}

// expectItem reads the next item and checks its type and content type.
func (w *ws) expectItem(typ, contentType string) participanttest.Item {
	w.t.Helper()
	it := w.item()
	require.Equal(w.t, typ, it.Type, "item type (%+v)", it)
	require.Equal(w.t, contentType, it.ContentType, "item content type (%+v)", it)
	return it
}

func receipt(id string) string { return `{"messageId":"` + id + `"}` }

func jsonDecode(resp *http.Response, v any) error {
	return json.NewDecoder(resp.Body).Decode(v)
}

func itoa(n int) string { return strconv.Itoa(n) }

func tokenOf(s string) participant.Token { return participant.Token(s) }
