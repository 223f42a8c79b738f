package participanttest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
)

func TestOperationFaults(t *testing.T) {
	t.Parallel()
	msg := `{"ContentType":"text/plain","Content":"x"}`
	tests := []struct {
		name  string
		fault *participanttest.Fault
		path  string
		body  string
		// outcomes of successive requests: a status each.
		want     []int
		wantCode string
	}{
		{"throttling twice", participanttest.Fail(participanttest.OpSendMessage, "ThrottlingException").Times(2), "/participant/message", msg, []int{429, 429, 200}, "ThrottlingException"},
		{"internal error once", participanttest.Fail(participanttest.OpSendMessage, "InternalServerException"), "/participant/message", msg, []int{500, 200}, "InternalServerException"},
		{"any operation", participanttest.Fail("", "AccessDeniedException"), "/participant/transcript", `{}`, []int{403, 200}, "AccessDeniedException"},
		{"after one", participanttest.Fail(participanttest.OpGetTranscript, "ServiceQuotaExceededException").After(1), "/participant/transcript", `{}`, []int{200, 402, 200}, "ServiceQuotaExceededException"},
		{"unknown code is a 500", participanttest.Fail(participanttest.OpSendMessage, "WeirdException"), "/participant/message", msg, []int{500, 200}, "WeirdException"},
		{"status and message", participanttest.Fail(participanttest.OpSendMessage, "ThrottlingException").WithStatus(503).WithMessage("slow down"), "/participant/message", msg, []int{503, 200}, "ThrottlingException"},
		{"other operation unaffected", participanttest.Fail(participanttest.OpSendEvent, "ThrottlingException"), "/participant/message", msg, []int{200}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			cust, _ := startChat(t, srv, participanttest.ChatOptions{})
			srv.Inject(tt.fault)
			for i, want := range tt.want {
				r := post(t, srv, tt.path, cust.token, tt.body)
				if want == 200 {
					r.wantOK(t)
					continue
				}
				r.wantError(t, want, tt.wantCode)
				if i == 0 && tt.fault.String() == "" {
					t.Errorf("empty String()")
				}
			}
			err := srv.CheckFaults()
			if tt.wantCode == "" {
				if err == nil || !strings.Contains(err.Error(), "fired 0 of 1 times") {
					t.Fatalf("CheckFaults = %v, want the unfired fault reported", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckFaults: %v", err)
			}
		})
	}
}

func TestFaultMessage(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	srv.Inject(participanttest.Fail(participanttest.OpSendMessage, "ThrottlingException").WithMessage("slow down"))
	r := post(t, srv, "/participant/message", cust.token, `{"ContentType":"text/plain","Content":"x"}`)
	if r.message(t) != "slow down" {
		t.Errorf("message %q", r.message(t))
	}
	// No message was stored: the fault fired before the operation ran.
	for _, it := range srv.Transcript(cust.ContactID) {
		if it.Type == "MESSAGE" {
			t.Errorf("a failed request changed the chat: %+v", it)
		}
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, participanttest.WithClock(clk))
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	srv.Inject(participanttest.Throttle(participanttest.OpSendEvent, 1, 2))
	typing := map[string]string{"ContentType": wire.ContentTypeTyping}
	steps := []struct {
		advance time.Duration
		want    int
	}{{0, 200}, {0, 200}, {0, 429}, {time.Second, 200}, {0, 429}, {1500 * time.Millisecond, 200}, {0, 429}, {10 * time.Second, 200}, {0, 200}, {0, 429}}
	for i, s := range steps {
		clk.Advance(s.advance)
		r := post(t, srv, "/participant/event", cust.token, typing)
		if r.status != s.want {
			t.Fatalf("step %d: %d, want %d", i, r.status, s.want)
		}
		if s.want == 429 {
			r.wantError(t, 429, "ThrottlingException")
		}
	}
	// Other operations are not throttled.
	post(t, srv, "/participant/transcript", cust.token, `{}`).wantOK(t)
	if err := srv.CheckFaults(); err != nil {
		t.Fatal(err)
	}
	srv.ClearFaults()
	post(t, srv, "/participant/event", cust.token, typing).wantOK(t)
	srv.Inject(participanttest.Throttle(participanttest.OpSendEvent, 100, 10))
	post(t, srv, "/participant/event", cust.token, typing).wantOK(t)
	if err := srv.CheckFaults(); err == nil || !strings.Contains(err.Error(), "never fired") {
		t.Fatalf("CheckFaults = %v, want a throttle that never fired", err)
	}
}

func TestSocketFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault func(cust, agent chat) *participanttest.Fault
		// run drives the customer's socket w and checks the fault's effect.
		run func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws)
	}{
		{"drop", func(chat, chat) *participanttest.Fault { return participanttest.DropSocket() }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			w.send(`{"topic":"aws/heartbeat"}`)
			_, err := w.readErr()
			var ce websocketCloseError
			if err == nil || asCloseError(err, &ce) {
				t.Fatalf("read: %v, want the connection cut without a close frame", err)
			}
		}},
		{"close with a code", func(chat, chat) *participanttest.Fault { return participanttest.CloseSocket(4001, "bye") }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			sendMessage(t, srv, agent, "x")
			_, err := w.readErr()
			var ce websocketCloseError
			if !asCloseError(err, &ce) || ce.code != 4001 || ce.reason != "bye" {
				t.Fatalf("read: %v, want close 4001", err)
			}
		}},
		{"silent heartbeat", func(chat, chat) *participanttest.Fault { return participanttest.SilenceHeartbeats() }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			w.send(`{"topic":"aws/heartbeat"}`)
			w.send(`{"topic":"aws/ping"}`)
			if f := w.frame(); f.Topic != "aws/ping" {
				t.Fatalf("first reply %+v, want the ping's: the heartbeat went unanswered", f)
			}
			w.send(`{"topic":"aws/heartbeat"}`)
			if f := w.frame(); f.Topic != "aws/heartbeat" {
				t.Fatalf("second heartbeat: %+v", f)
			}
		}},
		{"silent ping", func(chat, chat) *participanttest.Fault { return participanttest.SilencePings() }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			w.send(`{"topic":"aws/ping"}`)
			w.send(`{"topic":"aws/heartbeat"}`)
			if f := w.frame(); f.Topic != "aws/heartbeat" {
				t.Fatalf("first reply %+v, want the heartbeat's", f)
			}
		}},
		{"failing ping", func(chat, chat) *participanttest.Fault { return participanttest.FailPings().Times(2) }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			for _, want := range []int{500, 500, 200} {
				w.send(`{"topic":"aws/ping"}`)
				if f := w.frame(); f.Topic != "aws/ping" || f.StatusCode != want {
					t.Fatalf("ping reply %+v, want %d", f, want)
				}
			}
		}},
		{"duplicate", func(chat, chat) *participanttest.Fault { return participanttest.DuplicateFrames() }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			id, _ := sendMessage(t, srv, agent, "twice")
			if a, b := w.item(), w.item(); a.ID != id || b.ID != id {
				t.Fatalf("got %s and %s, want %s twice", a.ID, b.ID, id)
			}
			post(t, srv, "/participant/event", agent.token, map[string]string{"ContentType": wire.ContentTypeTyping}).wantOK(t)
			w.expectItem("EVENT", wire.ContentTypeTyping)
		}},
		{"reorder", func(chat, chat) *participanttest.Fault { return participanttest.ReorderFrames() }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			first, _ := sendMessage(t, srv, agent, "first")
			second, _ := sendMessage(t, srv, agent, "second")
			third, _ := sendMessage(t, srv, agent, "third")
			got := []string{w.item().ID, w.item().ID, w.item().ID}
			if got[0] != second || got[1] != first || got[2] != third {
				t.Fatalf("order %v, want second, first, third", got)
			}
		}},
		{"error frame", func(chat, chat) *participanttest.Fault { return participanttest.ErrorFrame("Internal server error") }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			w.send(`{"topic":"aws/ping"}`)
			if f := w.frame(); f.Topic != "" || f.Message != "Internal server error" || f.ConnectionID == "" {
				t.Fatalf("reply %+v", f)
			}
			w.send(`{"topic":"aws/ping"}`)
			if f := w.frame(); f.StatusCode != 200 {
				t.Fatalf("reply %+v", f)
			}
		}},
		{"for another participant only", func(_, agent chat) *participanttest.Fault {
			return participanttest.DropSocket().ForParticipant(agent.ParticipantID)
		}, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			// The agent's socket is dropped instead of its subscribe ack.
			aw := dial(t, srv, connect(t, srv, agent.Participant).wsURL)
			aw.send(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
			if _, err := aw.readErr(); err == nil {
				t.Fatalf("the agent's socket was not dropped")
			}
			w.send(`{"topic":"aws/heartbeat"}`)
			if f := w.frame(); f.Topic != "aws/heartbeat" {
				t.Fatalf("customer's socket: %+v", f)
			}
		}},
		{"for another contact only", func(cust, _ chat) *participanttest.Fault {
			return participanttest.SilenceHeartbeats().ForContact("not-" + cust.ContactID).Always()
		}, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			w.send(`{"topic":"aws/heartbeat"}`)
			if f := w.frame(); f.Topic != "aws/heartbeat" {
				t.Fatalf("reply %+v", f)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			cust, agent := startChat(t, srv, participanttest.ChatOptions{})
			w := open(t, srv, cust)
			srv.Inject(tt.fault(cust, agent))
			tt.run(t, srv, cust, agent, w)
			err := srv.CheckFaults()
			if strings.HasPrefix(tt.name, "for another contact") { // must not fire
				if err == nil {
					t.Fatalf("CheckFaults: a fault for another contact fired")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRefuseWebSocket(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	srv.Inject(participanttest.RefuseWebSocket(0), participanttest.RefuseWebSocket(502).ForContact(cust.ContactID))
	for _, want := range []int{403, 502} {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		_, resp, err := websocket.Dial(ctx, cust.wsURL, &websocket.DialOptions{HTTPClient: srv.HTTPClient()})
		cancel()
		if err == nil || resp == nil || resp.StatusCode != want {
			t.Fatalf("dial: %v, response %v, want %d", err, resp, want)
		}
	}
	// A refused upgrade does not use the URL up.
	open(t, srv, cust)
	if err := srv.CheckFaults(); err != nil {
		t.Fatal(err)
	}
}

// Faults drawn with a probability replay exactly with the same seed.
func TestProbabilityIsSeeded(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) string {
		srv := participanttest.NewServer(participanttest.WithSeed(seed))
		defer srv.Close()
		cust, _ := startChat(t, srv, participanttest.ChatOptions{})
		srv.Inject(participanttest.Fail(participanttest.OpSendEvent, "ThrottlingException").Always().Probability(0.5))
		var b strings.Builder
		for range 40 {
			if post(t, srv, "/participant/event", cust.token, map[string]string{"ContentType": wire.ContentTypeTyping}).status == 200 {
				b.WriteByte('.')
			} else {
				b.WriteByte('T')
			}
		}
		return b.String()
	}
	a, b, c := run(7), run(7), run(8)
	if a != b {
		t.Fatalf("seed 7 gave %s then %s", a, b)
	}
	if !strings.Contains(a, ".") || !strings.Contains(a, "T") {
		t.Fatalf("p=0.5 over 40 requests gave %s", a)
	}
	if a == c {
		t.Errorf("seeds 7 and 8 gave the same pattern %s", a)
	}
}
