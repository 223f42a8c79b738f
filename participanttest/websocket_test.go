package participanttest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
)

func TestWebSocketFrames(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	w := open(t, srv, cust)
	tests := []struct {
		name  string
		send  string
		check func(t *testing.T, raw []byte, f frame)
	}{
		{"heartbeat", `{"topic":"aws/heartbeat"}`, func(t *testing.T, raw []byte, f frame) {
			if string(raw) != `{"topic":"aws/heartbeat"}` {
				t.Errorf("reply %s", raw)
			}
		}},
		{"heartbeat with content undefined", `{"topic":"aws/heartbeat","content":null}`, func(t *testing.T, raw []byte, f frame) {
			if f.Topic != "aws/heartbeat" {
				t.Errorf("reply %s", raw)
			}
		}},
		{"ping", `{"topic":"aws/ping"}`, func(t *testing.T, raw []byte, f frame) {
			if f.Topic != "aws/ping" || f.StatusCode != 200 || f.StatusContent != "OK" || f.Content != nil {
				t.Errorf("reply %s", raw)
			}
		}},
		{"unknown topic", `{"topic":"aws/nonsense"}`, func(t *testing.T, raw []byte, f frame) {
			if f.Topic != "" || f.Message != "Forbidden" || f.ConnectionID == "" || f.RequestID == "" {
				t.Errorf("error frame %s", raw)
			}
		}},
		{"not JSON", `hello`, func(t *testing.T, raw []byte, f frame) {
			if f.Topic != "" || f.Message != "Forbidden" {
				t.Errorf("error frame %s", raw)
			}
		}},
		{"subscribe to another topic", `{"topic":"aws/subscribe","content":{"topics":["aws/other"]}}`, func(t *testing.T, raw []byte, f frame) {
			var c struct{ Status string }
			_ = json.Unmarshal(f.Content, &c)
			if f.Topic != "aws/subscribe" || c.Status != "failure" {
				t.Errorf("reply %s", raw)
			}
		}},
		{"subscribe again, content as a string", `{"topic":"aws/subscribe","content":"{\"topics\":[\"aws/chat\"]}"}`, func(t *testing.T, raw []byte, f frame) {
			var c struct{ Status string }
			_ = json.Unmarshal(f.Content, &c)
			if c.Status != "success" {
				t.Errorf("reply %s", raw)
			}
		}},
	}
	// One socket, frames in order: the table runs sequentially.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			w.send(tt.send)
			raw := w.read()
			var f frame
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatalf("reply %s: %v", raw, err)
			}
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
	srv := newServer(t)
	cust, agent := startChat(t, srv, participanttest.ChatOptions{})
	w := open(t, srv, agent)
	id, at := sendMessage(t, srv, cust, `say "hi"`)
	raw := string(w.read())
	// The service writes content (a JSON string), contentType and topic, in
	// that order.
	if !strings.HasPrefix(raw, `{"content":"{`) || !strings.HasSuffix(raw, `","contentType":"application/json","topic":"aws/chat"}`) {
		t.Fatalf("frame %s", raw)
	}
	it := decodeItemFrame(t, []byte(raw))
	want := participanttest.Item{
		AbsoluteTime: at, Content: `say "hi"`, ContentType: "text/plain", ID: id, Type: "MESSAGE",
		ParticipantID: cust.ParticipantID, DisplayName: "Customer", ParticipantRole: "CUSTOMER",
		ContactID: cust.ContactID, InitialContactID: cust.ContactID,
	}
	if it.ID != want.ID || it.Content != want.Content || it.AbsoluteTime != want.AbsoluteTime || it.ParticipantID != want.ParticipantID ||
		it.DisplayName != want.DisplayName || it.ParticipantRole != want.ParticipantRole || it.ContactID != want.ContactID || it.InitialContactID != want.InitialContactID || it.Type != want.Type {
		t.Fatalf("item %+v\nwant %+v", it, want)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", it.AbsoluteTime); err != nil || !strings.HasSuffix(it.AbsoluteTime, "Z") {
		t.Errorf("AbsoluteTime %q", it.AbsoluteTime)
	}
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
			if f := w.frame(); f.Topic != "aws/subscribe" || !strings.Contains(string(f.Content), `"success"`) {
				t.Fatalf("ack %+v", f)
			}
			sendMessage(t, srv, cust, "x")
			w.expectItem("MESSAGE", "text/plain")
		})
	}
}

func TestBroadcast(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, agent := startChat(t, srv, participanttest.ChatOptions{})
	cust2 := connect(t, srv, cust.Participant) // a second socket of the customer
	unsub := connect(t, srv, agent.Participant)
	sockets := []*ws{open(t, srv, cust), open(t, srv, cust2), open(t, srv, agent)}
	silent := dial(t, srv, unsub.wsURL) // never subscribes
	if n := srv.Subscribers(cust.ContactID); n != 3 {
		t.Fatalf("Subscribers = %d", n)
	}

	id, _ := sendMessage(t, srv, cust, "to all")
	for i, w := range sockets {
		if it := w.expectItem("MESSAGE", "text/plain"); it.ID != id {
			t.Errorf("socket %d got %s", i, it.ID)
		}
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
	if f := silent.frame(); f.Topic != "aws/unsubscribe" {
		t.Fatalf("unsubscribe reply %+v", f)
	}
	sendMessage(t, srv, agent, "not for the unsubscribed")
	silent.send(`{"topic":"aws/heartbeat"}`)
	if f := silent.frame(); f.Topic != "aws/heartbeat" {
		t.Fatalf("after unsubscribing, got %+v", f)
	}
}

func TestCustomerDisconnectEndsTheChat(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, agent := startChat(t, srv, participanttest.ChatOptions{})
	cw, aw := open(t, srv, cust), open(t, srv, agent)
	post(t, srv, "/participant/disconnect", cust.token, `{}`).wantOK(t)
	for _, w := range []*ws{cw, aw} {
		if it := w.expectItem("EVENT", wire.ContentTypeParticipantLeft); it.ParticipantID != cust.ParticipantID || it.ParticipantRole != "CUSTOMER" {
			t.Errorf("left %+v", it)
		}
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
	srv := newServer(t)
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	w := open(t, srv, cust)
	if n := srv.CloseSockets(cust.ContactID, 4000, "background"); n != 1 {
		t.Fatalf("CloseSockets = %d", n)
	}
	_, err := w.readErr()
	var ce websocketCloseError
	if !asCloseError(err, &ce) || ce.code != 4000 || ce.reason != "background" {
		t.Fatalf("read: %v", err)
	}

	w = open(t, srv, connect(t, srv, cust.Participant))
	if n := srv.DropSockets(cust.ContactID); n != 1 {
		t.Fatalf("DropSockets = %d", n)
	}
	if _, err := w.readErr(); err == nil || asCloseError(err, &ce) {
		t.Fatalf("read after a drop: %v, want an error without a close frame", err)
	}
}

func TestSocketLifetime(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, participanttest.WithClock(clk), participanttest.WithLifetimes(participanttest.Lifetimes{Socket: time.Hour}))
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	w := open(t, srv, cust)
	clk.Advance(time.Hour - time.Millisecond)
	w.send(`{"topic":"aws/heartbeat"}`)
	w.frame()
	clk.Advance(time.Millisecond)
	w.send(`{"topic":"aws/heartbeat"}`)
	_, err := w.readErr()
	var ce websocketCloseError
	if !asCloseError(err, &ce) || ce.code != 1001 {
		t.Fatalf("read: %v, want close 1001", err)
	}
}

// Under concurrent senders, every socket sees the items in the order of the
// transcript.
func TestConcurrentSendersOneOrder(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, agent := startChat(t, srv, participanttest.ChatOptions{})
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
				// Not post: t.Fatal must not be called from this goroutine.
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
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var want []string
	for _, it := range srv.Transcript(cust.ContactID) {
		if it.Type == "MESSAGE" {
			want = append(want, it.ID)
		}
	}
	if len(want) != each*len(senders) {
		t.Fatalf("%d messages in the transcript", len(want))
	}
	for i, w := range sockets {
		for j, id := range want {
			if it := w.expectItem("MESSAGE", "text/plain"); it.ID != id {
				t.Fatalf("socket %d, item %d: %s, want %s", i, j, it.ID, id)
			}
		}
	}
}

type statusError struct{ status int }

func (e *statusError) Error() string { return "status " + itoa(e.status) }

// An ErrorFrame fault on aws/subscribe refuses it: no items follow until a
// later subscribe succeeds.
func TestRefusedSubscribe(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, agent := startChat(t, srv, participanttest.ChatOptions{})
	w := dial(t, srv, cust.wsURL)
	srv.Inject(participanttest.ErrorFrame(""))
	w.send(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	if f := w.frame(); f.Topic != "" || f.Message != "Forbidden" {
		t.Fatalf("reply %+v", f)
	}
	if n := srv.Subscribers(cust.ContactID); n != 0 {
		t.Fatalf("Subscribers = %d after a refused subscribe", n)
	}
	sendMessage(t, srv, agent, "unseen")
	w.subscribe() // the next frame is the ack, not the message
	id, _ := sendMessage(t, srv, agent, "seen")
	if it := w.item(); it.ID != id {
		t.Fatalf("item %+v", it)
	}
	if err := srv.CheckFaults(); err != nil {
		t.Fatal(err)
	}
}
