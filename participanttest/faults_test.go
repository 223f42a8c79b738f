package participanttest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		{"unknown code with its status", participanttest.Fail(participanttest.OpSendMessage, "WeirdException").WithStatus(500), "/participant/message", msg, []int{500, 200}, "WeirdException"},
		{"status and message", participanttest.Fail(participanttest.OpSendMessage, "ThrottlingException").WithStatus(503).WithMessage("slow down"), "/participant/message", msg, []int{503, 200}, "ThrottlingException"},
		{"other operation unaffected", participanttest.Fail(participanttest.OpSendEvent, "ThrottlingException"), "/participant/message", msg, []int{200}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, cust, _ := setup(t)
			srv.Inject(tt.fault)
			for i, want := range tt.want {
				r := post(t, srv, tt.path, cust.token, tt.body)
				if want == 200 {
					r.wantOK(t)
					continue
				}
				r.wantError(t, want, tt.wantCode)
				if i == 0 {
					assert.NotEmpty(t, tt.fault.String(), "empty String()")
				}
			}
			err := srv.CheckFaults()
			if tt.wantCode == "" {
				require.ErrorContains(t, err, "fired 0 of 1 times", "CheckFaults: want the unfired fault reported")
				return
			}
			require.NoError(t, err, "CheckFaults")
		})
	}
}

func TestFaultMessage(t *testing.T) {
	t.Parallel()
	srv, cust, _ := setup(t)
	srv.Inject(participanttest.Fail(participanttest.OpSendMessage, "ThrottlingException").WithMessage("slow down"))
	r := post(t, srv, "/participant/message", cust.token, `{"ContentType":"text/plain","Content":"x"}`)
	assert.Equal(t, "slow down", r.message(t), "message")
	// No message was stored: the fault fired before the operation ran.
	for _, it := range srv.Transcript(cust.ContactID) {
		assert.NotEqual(t, "MESSAGE", it.Type, "a failed request changed the chat: %+v", it)
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv, cust, _ := setup(t, participanttest.WithClock(clk))
	srv.Inject(participanttest.Throttle(participanttest.OpSendEvent, 1, 2))
	typing := map[string]string{"ContentType": wire.ContentTypeTyping}
	steps := []struct {
		advance time.Duration
		want    int
	}{{0, 200}, {0, 200}, {0, 429}, {time.Second, 200}, {0, 429}, {1500 * time.Millisecond, 200}, {0, 429}, {10 * time.Second, 200}, {0, 200}, {0, 429}}
	for i, s := range steps {
		clk.Advance(s.advance)
		r := post(t, srv, "/participant/event", cust.token, typing)
		require.Equal(t, s.want, r.status, "step %d", i)
		if s.want == 429 {
			r.wantError(t, 429, "ThrottlingException")
		}
	}
	// Other operations are not throttled.
	post(t, srv, "/participant/transcript", cust.token, `{}`).wantOK(t)
	require.NoError(t, srv.CheckFaults())
	srv.ClearFaults()
	post(t, srv, "/participant/event", cust.token, typing).wantOK(t)
	srv.Inject(participanttest.Throttle(participanttest.OpSendEvent, 100, 10))
	post(t, srv, "/participant/event", cust.token, typing).wantOK(t)
	assert.ErrorContains(t, srv.CheckFaults(), "never fired", "CheckFaults: want a throttle that never fired")
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
			require.Error(t, err, "read: want the connection cut")
			var ce websocket.CloseError
			require.NotErrorAs(t, err, &ce, "read: want the connection cut without a close frame")
		}},
		{"close with a code", func(chat, chat) *participanttest.Fault { return participanttest.CloseSocket(4001, "bye") }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			sendMessage(t, srv, agent, "x")
			_, err := w.readErr()
			var ce websocket.CloseError
			require.ErrorAs(t, err, &ce, "read: want close 4001")
			require.Equal(t, websocket.StatusCode(4001), ce.Code, "read: %v", err)
			require.Equal(t, "bye", ce.Reason, "read: %v", err)
		}},
		{"silent heartbeat", func(chat, chat) *participanttest.Fault { return participanttest.SilenceHeartbeats() }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			w.send(`{"topic":"aws/heartbeat"}`)
			w.send(`{"topic":"aws/ping"}`)
			f := w.frame()
			require.Equal(t, "aws/ping", f.Topic, "first reply %+v, want the ping's: the heartbeat went unanswered", f)
			w.send(`{"topic":"aws/heartbeat"}`)
			f = w.frame()
			require.Equal(t, "aws/heartbeat", f.Topic, "second heartbeat: %+v", f)
		}},
		{"silent ping", func(chat, chat) *participanttest.Fault { return participanttest.SilencePings() }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			w.send(`{"topic":"aws/ping"}`)
			w.send(`{"topic":"aws/heartbeat"}`)
			f := w.frame()
			require.Equal(t, "aws/heartbeat", f.Topic, "first reply %+v, want the heartbeat's", f)
		}},
		{"failing ping", func(chat, chat) *participanttest.Fault { return participanttest.FailPings().Times(2) }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			for _, want := range []int{500, 500, 200} {
				w.send(`{"topic":"aws/ping"}`)
				f := w.frame()
				require.Equal(t, "aws/ping", f.Topic, "ping reply %+v", f)
				require.Equal(t, want, f.StatusCode, "ping reply %+v", f)
			}
		}},
		{"duplicate", func(chat, chat) *participanttest.Fault { return participanttest.DuplicateFrames() }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			id, _ := sendMessage(t, srv, agent, "twice")
			a, b := w.item(), w.item()
			require.Equal(t, []string{id, id}, []string{a.ID, b.ID}, "want %s twice", id)
			post(t, srv, "/participant/event", agent.token, map[string]string{"ContentType": wire.ContentTypeTyping}).wantOK(t)
			w.expectItem("EVENT", wire.ContentTypeTyping)
		}},
		{"reorder", func(chat, chat) *participanttest.Fault { return participanttest.ReorderFrames() }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			first, _ := sendMessage(t, srv, agent, "first")
			second, _ := sendMessage(t, srv, agent, "second")
			third, _ := sendMessage(t, srv, agent, "third")
			got := []string{w.item().ID, w.item().ID, w.item().ID}
			require.Equal(t, []string{second, first, third}, got, "order, want second, first, third")
		}},
		{"error frame", func(chat, chat) *participanttest.Fault { return participanttest.ErrorFrame("Internal server error") }, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			w.send(`{"topic":"aws/ping"}`)
			f := w.frame()
			require.Empty(t, f.Topic, "reply %+v", f)
			require.Equal(t, "Internal server error", f.Message, "reply %+v", f)
			require.NotEmpty(t, f.ConnectionID, "reply %+v", f)
			w.send(`{"topic":"aws/ping"}`)
			f = w.frame()
			require.Equal(t, 200, f.StatusCode, "reply %+v", f)
		}},
		{"for another participant only", func(_, agent chat) *participanttest.Fault {
			return participanttest.DropSocket().ForParticipant(agent.ParticipantID)
		}, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			// The agent's socket is dropped instead of its subscribe ack.
			aw := dial(t, srv, connect(t, srv, agent.Participant).wsURL)
			aw.send(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
			_, err := aw.readErr()
			require.Error(t, err, "the agent's socket was not dropped")
			w.send(`{"topic":"aws/heartbeat"}`)
			f := w.frame()
			require.Equal(t, "aws/heartbeat", f.Topic, "customer's socket: %+v", f)
		}},
		{"for another contact only", func(cust, _ chat) *participanttest.Fault {
			return participanttest.SilenceHeartbeats().ForContact("not-" + cust.ContactID).Always()
		}, func(t *testing.T, srv *participanttest.Server, cust, agent chat, w *ws) {
			w.send(`{"topic":"aws/heartbeat"}`)
			f := w.frame()
			require.Equal(t, "aws/heartbeat", f.Topic, "reply %+v", f)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, cust, agent := setup(t)
			w := open(t, srv, cust)
			srv.Inject(tt.fault(cust, agent))
			tt.run(t, srv, cust, agent, w)
			err := srv.CheckFaults()
			if strings.HasPrefix(tt.name, "for another contact") { // must not fire
				require.Error(t, err, "CheckFaults: a fault for another contact fired")
				return
			}
			require.NoError(t, err, "CheckFaults")
		})
	}
}

func TestRefuseWebSocket(t *testing.T) {
	t.Parallel()
	srv, cust, _ := setup(t)
	srv.Inject(participanttest.RefuseWebSocket(0), participanttest.RefuseWebSocket(502).ForContact(cust.ContactID))
	for _, want := range []int{403, 502} {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		_, resp, err := websocket.Dial(ctx, cust.wsURL, &websocket.DialOptions{HTTPClient: srv.HTTPClient()})
		cancel()
		require.Error(t, err, "dial: want a refused upgrade (%d)", want)
		require.NotNil(t, resp, "dial: %v: no response", err)
		require.Equal(t, want, resp.StatusCode, "dial: %v, response %v", err, resp)
	}
	// A refused upgrade does not use the URL up.
	open(t, srv, cust)
	assert.NoError(t, srv.CheckFaults())
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
	require.Equal(t, a, b, "seed 7 gave two patterns")
	require.Contains(t, a, ".", "p=0.5 over 40 requests gave %s", a)
	require.Contains(t, a, "T", "p=0.5 over 40 requests gave %s", a)
	assert.NotEqual(t, a, c, "seeds 7 and 8 gave the same pattern")
}
