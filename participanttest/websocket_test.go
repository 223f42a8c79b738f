package participanttest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWebSocketFrames(t *testing.T) {
	t.Parallel()
	srv, cust, _ := setup(t)
	w := open(t, srv, cust)
	tests := []struct {
		name  string
		send  string
		check func(t *testing.T, raw []byte, f frame)
	}{
		{"heartbeat", `{"topic":"aws/heartbeat"}`, func(t *testing.T, raw []byte, f frame) {
			assert.Equal(t, `{"topic":"aws/heartbeat"}`, string(raw), "reply")
		}},
		{"heartbeat with content undefined", `{"topic":"aws/heartbeat","content":null}`, func(t *testing.T, raw []byte, f frame) {
			assert.Equal(t, "aws/heartbeat", f.Topic, "reply %s", raw)
		}},
		{"ping", `{"topic":"aws/ping"}`, func(t *testing.T, raw []byte, f frame) {
			assert.Equal(t, "aws/ping", f.Topic, "reply %s", raw)
			assert.Equal(t, 200, f.StatusCode, "reply %s", raw)
			assert.Equal(t, "OK", f.StatusContent, "reply %s", raw)
			assert.Nil(t, f.Content, "reply %s", raw)
		}},
		{"unknown topic", `{"topic":"aws/nonsense"}`, func(t *testing.T, raw []byte, f frame) {
			assert.Empty(t, f.Topic, "error frame %s", raw)
			assert.Equal(t, "Forbidden", f.Message, "error frame %s", raw)
			assert.NotEmpty(t, f.ConnectionID, "error frame %s", raw)
			assert.NotEmpty(t, f.RequestID, "error frame %s", raw)
		}},
		{"not JSON", `hello`, func(t *testing.T, raw []byte, f frame) {
			assert.Empty(t, f.Topic, "error frame %s", raw)
			assert.Equal(t, "Forbidden", f.Message, "error frame %s", raw)
		}},
		{"subscribe to another topic", `{"topic":"aws/subscribe","content":{"topics":["aws/other"]}}`, func(t *testing.T, raw []byte, f frame) {
			var c struct{ Status string }
			_ = json.Unmarshal(f.Content, &c)
			assert.Equal(t, "aws/subscribe", f.Topic, "reply %s", raw)
			assert.Equal(t, "failure", c.Status, "reply %s", raw)
		}},
		{"subscribe again, content as a string", `{"topic":"aws/subscribe","content":"{\"topics\":[\"aws/chat\"]}"}`, func(t *testing.T, raw []byte, f frame) {
			var c struct{ Status string }
			_ = json.Unmarshal(f.Content, &c)
			assert.Equal(t, "success", c.Status, "reply %s", raw)
		}},
	}
	// One socket, frames in order: the table runs sequentially.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.send(tt.send)
			raw := w.read()
			var f frame
			require.NoError(t, json.Unmarshal(raw, &f), "reply %s", raw)
			tt.check(t, raw, f)
		})
	}
	w.t = t
	// The error frames did not close the socket; items still arrive.
	sendMessage(t, srv, cust, "still open")
	w.expectItem("MESSAGE", "text/plain")
}

func TestItemFrameForm(t *testing.T) {
	t.Parallel()
	srv, cust, agent := setup(t)
	w := open(t, srv, agent)
	id, at := sendMessage(t, srv, cust, `say "hi"`)
	raw := string(w.read())
	// The service writes content (a JSON string), contentType and topic, in
	// that order.
	require.True(t, strings.HasPrefix(raw, `{"content":"{`), "frame %s", raw)
	require.True(t, strings.HasSuffix(raw, `","contentType":"application/json","topic":"aws/chat"}`), "frame %s", raw)
	it := decodeItemFrame(t, []byte(raw))
	want := participanttest.Item{
		AbsoluteTime: at, Content: `say "hi"`, ContentType: "text/plain", ID: id, Type: "MESSAGE",
		ParticipantID: cust.ParticipantID, DisplayName: "Customer", ParticipantRole: "CUSTOMER",
		ContactID: cust.ContactID, InitialContactID: cust.ContactID,
	}
	// The fields want sets; the item may carry others.
	got := participanttest.Item{
		AbsoluteTime: it.AbsoluteTime, Content: it.Content, ContentType: it.ContentType, ID: it.ID, Type: it.Type,
		ParticipantID: it.ParticipantID, DisplayName: it.DisplayName, ParticipantRole: it.ParticipantRole,
		ContactID: it.ContactID, InitialContactID: it.InitialContactID,
	}
	require.Equal(t, want, got, "item %+v", it)
	_, err := time.Parse("2006-01-02T15:04:05.000Z", it.AbsoluteTime)
	assert.NoError(t, err, "AbsoluteTime %q", it.AbsoluteTime)
	assert.True(t, strings.HasSuffix(it.AbsoluteTime, "Z"), "AbsoluteTime %q", it.AbsoluteTime)
}

func TestLenientSubscribe(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tests := []struct{ name, frame string }{
		{"iOS SDK stray parenthesis", `{"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})`},
		{"no content", `{"topic":"aws/subscribe"}`},
		{"spaces around", "  \n{\"topic\":\"aws/subscribe\",\"content\":{\"topics\":[\"aws/chat\"]}}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cust, _ := startChat(t, srv, participanttest.ChatOptions{})
			w := dial(t, srv, cust.wsURL)
			w.send(tt.frame)
			f := w.frame()
			require.Equal(t, "aws/subscribe", f.Topic, "ack %+v", f)
			require.Contains(t, string(f.Content), `"success"`, "ack %+v", f)
			sendMessage(t, srv, cust, "x")
			w.expectItem("MESSAGE", "text/plain")
		})
	}
}

func TestBroadcast(t *testing.T) {
	t.Parallel()
	srv, cust, agent := setup(t)
	cust2 := connect(t, srv, cust.Participant) // a second socket of the customer
	unsub := connect(t, srv, agent.Participant)
	sockets := []*ws{open(t, srv, cust), open(t, srv, cust2), open(t, srv, agent)}
	silent := dial(t, srv, unsub.wsURL) // never subscribes
	require.Equal(t, 3, srv.Subscribers(cust.ContactID), "Subscribers")

	id, _ := sendMessage(t, srv, cust, "to all")
	for i, w := range sockets {
		it := w.expectItem("MESSAGE", "text/plain")
		assert.Equal(t, id, it.ID, "socket %d", i)
	}
	// The unsubscribed socket got nothing: its first frame is its late
	// subscribe's ack, then the next item.
	silent.subscribe()
	post(t, srv, "/participant/event", agent.token, map[string]string{"ContentType": wire.ContentTypeTyping}).wantOK(t)
	silent.expectItem("EVENT", wire.ContentTypeTyping)
	for _, w := range sockets {
		w.expectItem("EVENT", wire.ContentTypeTyping)
	}
	// Unsubscribing stops the items.
	silent.send(`{"topic":"aws/unsubscribe","content":{"topics":["aws/chat"]}}`)
	f := silent.frame()
	require.Equal(t, "aws/unsubscribe", f.Topic, "unsubscribe reply %+v", f)
	sendMessage(t, srv, agent, "not for the unsubscribed")
	silent.send(`{"topic":"aws/heartbeat"}`)
	f = silent.frame()
	assert.Equal(t, "aws/heartbeat", f.Topic, "after unsubscribing, got %+v", f)
}

func TestCustomerDisconnectEndsTheChat(t *testing.T) {
	t.Parallel()
	srv, cust, agent := setup(t)
	cw, aw := open(t, srv, cust), open(t, srv, agent)
	post(t, srv, "/participant/disconnect", cust.token, `{}`).wantOK(t)
	for _, w := range []*ws{cw, aw} {
		it := w.expectItem("EVENT", wire.ContentTypeParticipantLeft)
		assert.Equal(t, cust.ParticipantID, it.ParticipantID, "left %+v", it)
		assert.Equal(t, "CUSTOMER", it.ParticipantRole, "left %+v", it)
		w.expectItem("EVENT", wire.ContentTypeChatEnded)
	}
	post(t, srv, "/participant/message", agent.token, `{"ContentType":"text/plain","Content":"x"}`).wantError(t, 403, "AccessDeniedException")
	// The agent leaving does not end a chat.
	cust2, agent2 := startChat(t, srv, participanttest.ChatOptions{})
	cw2 := open(t, srv, cust2)
	post(t, srv, "/participant/disconnect", agent2.token, `{}`).wantOK(t)
	cw2.expectItem("EVENT", wire.ContentTypeParticipantLeft)
	sendMessage(t, srv, cust2, "anyone?")
	cw2.expectItem("MESSAGE", "text/plain")
}

func TestSocketControls(t *testing.T) {
	t.Parallel()
	srv, cust, _ := setup(t)
	w := open(t, srv, cust)
	require.Equal(t, 1, srv.CloseSockets(cust.ContactID, 4000, "background"), "CloseSockets")
	_, err := w.readErr()
	var ce websocket.CloseError
	require.ErrorAs(t, err, &ce, "read")
	require.Equal(t, websocket.StatusCode(4000), ce.Code, "read: %v", err)
	require.Equal(t, "background", ce.Reason, "read: %v", err)

	w = open(t, srv, connect(t, srv, cust.Participant))
	require.Equal(t, 1, srv.DropSockets(cust.ContactID), "DropSockets")
	_, err = w.readErr()
	require.Error(t, err, "read after a drop")
	require.NotErrorAs(t, err, &ce, "read after a drop: want an error without a close frame")
}

func TestSocketLifetime(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv, cust, _ := setup(t, participanttest.WithClock(clk), participanttest.WithLifetimes(participanttest.Lifetimes{Socket: time.Hour}))
	w := open(t, srv, cust)
	clk.Advance(time.Hour - time.Millisecond)
	w.send(`{"topic":"aws/heartbeat"}`)
	w.frame()
	clk.Advance(time.Millisecond)
	w.send(`{"topic":"aws/heartbeat"}`)
	_, err := w.readErr()
	var ce websocket.CloseError
	require.ErrorAs(t, err, &ce, "read: want close 1001")
	require.Equal(t, websocket.StatusGoingAway, ce.Code, "read: %v, want close 1001", err)
}

// Under concurrent senders, every socket sees the items in the order of the
// transcript.
func TestConcurrentSendersOneOrder(t *testing.T) {
	t.Parallel()
	srv, cust, agent := setup(t)
	// Receipts need at most two participants; a supervisor makes a third
	// sender for this test.
	supP, _ := srv.AddParticipant(cust.ContactID, participanttest.RoleSupervisor, "Sup")
	sup := connect(t, srv, supP)
	senders := []chat{cust, agent, sup}
	sockets := []*ws{open(t, srv, cust), open(t, srv, agent), open(t, srv, sup)}
	const each = 15
	errs := make(chan error, len(senders))
	for i, c := range senders {
		go func() {
			for j := range each {
				// Not post: its require calls t.FailNow, which must not
				// run on this goroutine; errors go back on errs.
				body := `{"ContentType":"text/plain","Content":"` + strings.Repeat("x", i+1) + string(rune('a'+j)) + `"}`
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/participant/message", strings.NewReader(body))
				req.Header.Set("X-Amz-Bearer", c.token)
				resp, err := srv.HTTPClient().Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- &statusError{resp.StatusCode}
					return
				}
			}
			errs <- nil
		}()
	}
	for range senders {
		require.NoError(t, <-errs)
	}
	var want []string
	for _, it := range srv.Transcript(cust.ContactID) {
		if it.Type == "MESSAGE" {
			want = append(want, it.ID)
		}
	}
	require.Len(t, want, each*len(senders), "messages in the transcript")
	for i, w := range sockets {
		for j, id := range want {
			it := w.expectItem("MESSAGE", "text/plain")
			require.Equal(t, id, it.ID, "socket %d, item %d", i, j)
		}
	}
}

type statusError struct{ status int }

func (e *statusError) Error() string { return "status " + itoa(e.status) }

// An ErrorFrame fault on aws/subscribe refuses it: no items follow until a
// later subscribe succeeds.
func TestRefusedSubscribe(t *testing.T) {
	t.Parallel()
	srv, cust, agent := setup(t)
	w := dial(t, srv, cust.wsURL)
	srv.Inject(participanttest.ErrorFrame(""))
	w.send(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	f := w.frame()
	require.Empty(t, f.Topic, "reply %+v", f)
	require.Equal(t, "Forbidden", f.Message, "reply %+v", f)
	require.Equal(t, 0, srv.Subscribers(cust.ContactID), "Subscribers after a refused subscribe")
	sendMessage(t, srv, agent, "unseen")
	w.subscribe() // the next frame is the ack, not the message
	id, _ := sendMessage(t, srv, agent, "seen")
	it := w.item()
	require.Equal(t, id, it.ID, "item %+v", it)
	assert.NoError(t, srv.CheckFaults())
}
