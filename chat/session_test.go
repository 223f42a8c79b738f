package chat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
)

// The first events: connected, then the transcript so far, then live items.
func TestConnectDeliversHistoryThenLive(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann", InitialMessage: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if ev := next(t, s, time.Minute); ev.Kind != chat.KindConnectionEstablished {
			t.Fatalf("first event %s", ev.Kind)
		}
		evs := waitFor(t, s, time.Minute, func(ev chat.Event) bool { return ev.Kind == chat.KindMessage })
		if ev := evs[len(evs)-1]; ev.Item.Content != "hello" || ev.Item.DisplayName != "Ann" || ev.Item.ParticipantRole != participant.ParticipantRoleCustomer {
			t.Errorf("history message %+v", ev.Item)
		}
		time.Sleep(time.Second)
		if _, err := s.SendMessage(context.Background(), &chat.Message{Content: "live"}); err != nil {
			t.Fatal(err)
		}
		ev := waitFor(t, s, time.Minute, isKind(chat.KindMessage))
		if got := ev[len(ev)-1]; got.Item.Content != "live" || got.Update {
			t.Errorf("live message %+v", got)
		}
		if st := s.Stats(); st.GapFills != 1 || st.GapFilledItems != 2 {
			t.Errorf("stats %+v: want one gap fill (the history) of two items", st)
		}
	})
}

func TestNoHistory(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, _ := srv.StartChat(participanttest.ChatOptions{InitialMessage: "old"})
		time.Sleep(time.Second)
		s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, &chat.Options{NoHistory: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		time.Sleep(time.Second)
		srv.DropSockets(cust.ContactID) // a reconnect must not bring the history either
		time.Sleep(time.Second)
		s.SendMessage(context.Background(), &chat.Message{Content: "new"})
		evs := waitFor(t, s, time.Minute, isKind(chat.KindMessage))
		for _, ev := range evs {
			if ev.Kind == chat.KindParticipantJoined || ev.Item.Content == "old" {
				t.Errorf("history delivered: %s %q", ev.Kind, ev.Item.Content)
			}
		}
		if evs[len(evs)-1].Item.Content != "new" || s.Stats().Reconnects != 1 {
			t.Errorf("last %q, stats %+v", evs[len(evs)-1].Item.Content, s.Stats())
		}
	})
}

// The ConnectionToken expires every 3 minutes; the session refreshes it
// a minute before, so sending keeps working. Without refresh it fails.
func TestTokenRefresh(t *testing.T) {
	t.Parallel()
	for _, refresh := range []bool{true, false} {
		t.Run(fmt.Sprint("refresh=", refresh), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, participanttest.WithLifetimes(participanttest.Lifetimes{ConnectionToken: 3 * time.Minute}))
				o := &chat.Options{RotateAfter: -1}
				if !refresh {
					o.TokenRefreshBefore = -1
				}
				_, s := connect(t, srv, nil, o)
				first := s.ConnectionToken()
				time.Sleep(10 * time.Minute)
				_, err := s.SendMessage(context.Background(), &chat.Message{Content: "still here"})
				st := s.Stats()
				if refresh {
					if err != nil {
						t.Fatalf("send after 10 minutes: %v", err)
					}
					if st.TokenRefreshes < 4 || s.ConnectionToken() == first {
						t.Errorf("%d refreshes (token changed: %v), want at least 4", st.TokenRefreshes, s.ConnectionToken() != first)
					}
					if exp := s.State().ConnectionExpiry; !exp.After(time.Now()) {
						t.Errorf("State's token expires %v, before now", exp)
					}
				} else {
					var ad *participant.AccessDeniedError
					if !errors.As(err, &ad) {
						t.Fatalf("send with an expired token: %v, want AccessDeniedError", err)
					}
					if st.TokenRefreshes != 0 {
						t.Errorf("%d refreshes with refresh off", st.TokenRefreshes)
					}
				}
			})
		})
	}
}

// The socket is replaced every 5 minutes, before the emulator's 6-minute
// cap, make-before-break: no reconnect, nothing lost, nothing twice.
func TestRotationWithoutDuplicates(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, participanttest.WithLifetimes(participanttest.Lifetimes{Socket: 6 * time.Minute}))
		cust, s := connect(t, srv, nil, &chat.Options{RotateAfter: 5 * time.Minute})
		const n = 400
		srv.AddAgent(cust.ContactID, burstAgent{n: n, every: 100 * time.Millisecond * 6}) // 4 minutes per 400... 0.6 s apart: 240 s
		var got []string
		lost := 0
		for len(got) < n {
			ev := next(t, s, 10*time.Minute)
			switch ev.Kind {
			case chat.KindConnectionLost:
				lost++
			case chat.KindMessage:
				got = append(got, ev.Item.Content)
			}
		}
		// Keep going past two more rotations.
		time.Sleep(11 * time.Minute)
		if _, err := s.SendMessage(context.Background(), &chat.Message{Content: "after"}); err != nil {
			t.Fatal(err)
		}
		evs := waitFor(t, s, time.Minute, isKind(chat.KindMessage))
		for _, ev := range evs {
			if ev.Kind == chat.KindConnectionLost {
				lost++
			}
		}
		for i, m := range got {
			if want := fmt.Sprintf("m%04d", i+1); m != want {
				t.Fatalf("message %d is %q, want %q", i, m, want)
			}
		}
		st := s.Stats()
		if st.Rotations < 2 || st.Reconnects != 0 || lost != 0 {
			t.Errorf("rotations %d, reconnects %d, lost events %d: want >= 2, 0, 0", st.Rotations, st.Reconnects, lost)
		}
		if subs := srv.Subscribers(cust.ContactID); subs != 1 {
			t.Errorf("%d subscribed sockets, want 1 (the old ones closed)", subs)
		}
	})
}

// Without rotation the emulator closes the aged socket (1001): the session
// reconnects and loses nothing.
func TestSocketAgesOutWithoutRotation(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, participanttest.WithLifetimes(participanttest.Lifetimes{Socket: 2 * time.Minute}))
		cust, s := connect(t, srv, nil, &chat.Options{RotateAfter: -1})
		srv.AddAgent(cust.ContactID, burstAgent{n: 100, every: 3 * time.Second})
		var got []string
		for len(got) < 100 {
			if ev := next(t, s, 10*time.Minute); ev.Kind == chat.KindMessage {
				got = append(got, ev.Item.Content)
			}
		}
		for i, m := range got {
			if want := fmt.Sprintf("m%04d", i+1); m != want {
				t.Fatalf("message %d is %q, want %q", i, m, want)
			}
		}
		if st := s.Stats(); st.Reconnects < 2 || st.Rotations != 0 {
			t.Errorf("stats %+v: want reconnects after each 2 minutes", st)
		}
	})
}

// The chat ends while the customer is offline: CreateParticipantConnection
// answers 403 on the reconnect, and the session reports the end.
func TestForbiddenOnReconnectEndsTheChat(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, nil)
		waitFor(t, s, time.Minute, isKind(chat.KindParticipantJoined))
		// The reconnect's CreateParticipantConnection is slow; the chat
		// ends meanwhile, and its chat.ended never reaches the customer.
		srv.Inject(participanttest.Latency(participanttest.OpCreateParticipantConnection, 5*time.Second))
		srv.DropSockets(cust.ContactID)
		time.Sleep(time.Second)
		if err := srv.StopContact(cust.ContactID); err != nil {
			t.Fatal(err)
		}
		evs := waitFor(t, s, time.Minute, isKind(chat.KindChatEnded))
		end := evs[len(evs)-1]
		var ad *participant.AccessDeniedError
		if !errors.As(end.Err, &ad) || end.Item.ContentType != wire.ContentTypeChatEnded {
			t.Errorf("ChatEnded %+v: want the 403 in Err", end)
		}
		if evs[len(evs)-2].Kind != chat.KindConnectionLost {
			t.Errorf("before the end: %s, want ConnectionLost", evs[len(evs)-2].Kind)
		}
		if _, err := s.Next(context.Background()); !errors.Is(err, chat.ErrChatEnded) {
			t.Errorf("Next after the end: %v", err)
		}
		if _, err := s.SendMessage(context.Background(), &chat.Message{Content: "x"}); !errors.Is(err, chat.ErrChatEnded) {
			t.Errorf("SendMessage after the end: %v", err)
		}
	})
}

// A refused WebSocket upgrade is not the end of the chat: the session tries
// again with a new URL.
func TestRefusedUpgradeIsRetried(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, &chat.Options{Seed: 3})
		srv.Inject(participanttest.RefuseWebSocket(403).Times(2))
		srv.DropSockets(cust.ContactID)
		evs := waitFor(t, s, time.Minute, isKind(chat.KindConnectionReestablished))
		lost := 0
		for _, ev := range evs {
			if ev.Kind == chat.KindConnectionLost {
				lost++
			}
		}
		if st := s.Stats(); lost != 1 || st.ReconnectAttempts != 2 || st.Reconnects != 1 {
			t.Errorf("lost %d, stats %+v: want one outage with two failed attempts", lost, st)
		}
		if err := srv.CheckFaults(); err != nil {
			t.Error(err)
		}
	})
}

// CreateParticipantConnection keeps failing: after MaxReconnectAttempts the
// session is broken.
func TestBrokenAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, &chat.Options{MaxReconnectAttempts: 3})
		srv.Inject(participanttest.Fail(participanttest.OpCreateParticipantConnection, "InternalServerException").Always())
		start := time.Now()
		srv.DropSockets(cust.ContactID)
		evs := waitFor(t, s, 10*time.Minute, isKind(chat.KindConnectionBroken))
		if err := evs[len(evs)-1].Err; err == nil || !strings.Contains(err.Error(), "3 reconnect attempts failed") {
			t.Errorf("broken: %v", err)
		}
		if _, err := s.Next(context.Background()); !errors.Is(err, chat.ErrBroken) {
			t.Errorf("Next: %v, want ErrBroken", err)
		}
		// Immediate first attempt, then backoff: 0.5-1 s, 1-2 s, plus the
		// client's own retries of each call.
		if d := time.Since(start); d < 1500*time.Millisecond || d > 30*time.Second {
			t.Errorf("gave up after %v", d)
		}
	})
}

func TestChatEndedByAgent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, nil)
		agent := srv.AddAgent
		_ = agent
		a, err := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Agent")
		if err != nil {
			t.Fatal(err)
		}
		as, err := chat.Connect(context.Background(), srv.Client(), a.ParticipantToken, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer as.Close()
		time.Sleep(time.Second)
		as.SendMessage(context.Background(), &chat.Message{Content: "goodbye"})
		time.Sleep(time.Second)
		srv.StopContact(cust.ContactID)
		evs := waitFor(t, s, time.Minute, isKind(chat.KindChatEnded))
		if evs[len(evs)-1].Err != nil || evs[len(evs)-2].Item.Content != "goodbye" {
			t.Errorf("end %+v after %q", evs[len(evs)-1], evs[len(evs)-2].Item.Content)
		}
		if _, err := s.Next(context.Background()); !errors.Is(err, chat.ErrChatEnded) {
			t.Errorf("Next: %v", err)
		}
		// The session closed its socket; the agent's ended too.
		waitFor(t, as, time.Minute, isKind(chat.KindChatEnded))
		time.Sleep(time.Second)
		if n := srv.Subscribers(cust.ContactID); n != 0 {
			t.Errorf("%d sockets still subscribed", n)
		}
		if err := s.SendReadReceipt("x"); !errors.Is(err, chat.ErrChatEnded) {
			t.Errorf("receipt after the end: %v", err)
		}
	})
}

// Disconnect: the customer leaves, chat.ended comes, the session ends.
func TestDisconnectCustomer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		_, s := connect(t, srv, nil, nil)
		waitFor(t, s, time.Minute, isKind(chat.KindParticipantJoined))
		if err := s.Disconnect(context.Background()); err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for {
			ev, err := s.Next(context.Background())
			if err != nil {
				if !errors.Is(err, chat.ErrChatEnded) {
					t.Errorf("Next: %v", err)
				}
				break
			}
			kinds = append(kinds, ev.Kind.String())
		}
		if got := strings.Join(kinds, " "); got != "ParticipantLeft ChatEnded" {
			t.Errorf("events after Disconnect: %s", got)
		}
		if err := s.Disconnect(context.Background()); err != nil {
			t.Errorf("second Disconnect: %v", err)
		}
	})
}

// An agent leaving a chat that goes on gets no chat.ended: Disconnect
// waits DisconnectWait, then the session is over.
func TestDisconnectAgent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, _ := connect(t, srv, nil, nil)
		a, _ := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Agent")
		as, err := chat.Connect(context.Background(), srv.Client(), a.ParticipantToken, &chat.Options{DisconnectWait: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer as.Close()
		start := time.Now()
		if err := as.Disconnect(context.Background()); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("Disconnect took %v, want the 3s wait", d)
		}
		evs := waitFor(t, as, time.Minute, isKind(chat.KindParticipantLeft))
		if evs[len(evs)-1].ParticipantID != a.ParticipantID {
			t.Errorf("left: %s", evs[len(evs)-1].ParticipantID)
		}
		if _, err := as.Next(context.Background()); !errors.Is(err, chat.ErrDisconnected) {
			t.Errorf("Next: %v, want ErrDisconnected", err)
		}
	})
}

// Resume in a "new process": only what came after the saved state, even
// what came while no session ran.
func TestResume(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, nil)
		srv.AddAgent(cust.ContactID, burstAgent{n: 30, every: time.Second})
		var got []string
		for len(got) < 10 {
			if ev := next(t, s, time.Minute); ev.Kind == chat.KindMessage {
				got = append(got, ev.Item.Content)
			}
		}
		st := s.State()
		s.Close()
		if st.LastItemID == "" || st.ConnectionToken == "" {
			t.Fatalf("state %+v", st)
		}
		time.Sleep(8 * time.Second) // messages 11 to ~18 come while no session runs
		r, err := chat.Resume(context.Background(), srv.Client(), cust.ParticipantToken, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if ev := next(t, r, time.Minute); ev.Kind != chat.KindConnectionEstablished {
			t.Fatalf("first event %s", ev.Kind)
		}
		for len(got) < 30 {
			ev := next(t, r, time.Minute)
			if ev.Kind == chat.KindParticipantJoined {
				t.Errorf("history repeated after Resume")
			}
			if ev.Kind == chat.KindMessage {
				got = append(got, ev.Item.Content)
			}
		}
		for i, m := range got {
			if want := fmt.Sprintf("m%04d", i+1); m != want {
				t.Fatalf("message %d is %q, want %q", i, m, want)
			}
		}
		// The chat ended meanwhile: Resume says so.
		st = r.State()
		r.Close()
		srv.StopContact(cust.ContactID)
		if _, err := chat.Resume(context.Background(), srv.Client(), cust.ParticipantToken, st, nil); !errors.As(err, new(*participant.AccessDeniedError)) {
			t.Errorf("Resume of an ended chat: %v", err)
		}
	})
}

// Subscribe refused (error frames) is sent again; never acknowledged,
// Connect fails with ErrSubscribe.
func TestSubscribe(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, _ := srv.StartChat(participanttest.ChatOptions{})
		srv.Inject(participanttest.ErrorFrame("Internal server error").ForParticipant(cust.ParticipantID).Times(2))
		s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, nil)
		if err != nil {
			t.Fatalf("after two refusals: %v", err)
		}
		s.Close()
		if err := srv.CheckFaults(); err != nil {
			t.Error(err)
		}

		srv.Inject(participanttest.ErrorFrame("").ForParticipant(cust.ParticipantID).Always())
		start := time.Now()
		_, err = chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, &chat.Options{SubscribeAttempts: 3})
		if !errors.Is(err, chat.ErrSubscribe) || !strings.Contains(err.Error(), "3 attempts") {
			t.Fatalf("Connect: %v, want ErrSubscribe after 3 attempts", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("gave up after %v", d)
		}
	})
}

// A failing deep heartbeat is reported, not a reason to reconnect.
func TestPingFailures(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, nil)
		srv.Inject(participanttest.FailPings().ForParticipant(cust.ParticipantID).Times(2),
			participanttest.SilencePings().ForParticipant(cust.ParticipantID).Times(1))
		time.Sleep(time.Minute)
		if st := s.Stats(); st.PingFailures != 3 || st.Reconnects != 0 || st.HeartbeatMisses != 0 {
			t.Errorf("stats %+v: want 3 ping failures, no reconnect", st)
		}
	})
}

// The log says what happened and never holds a token or a URL's query.
func TestLogging(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		srv := newServer(t)
		cust, err := srv.StartChat(participanttest.ChatOptions{})
		if err != nil {
			t.Fatal(err)
		}
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, &chat.Options{Logger: logger, TokenRefreshBefore: 23*time.Hour + 59*time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		srv.Inject(participanttest.RefuseWebSocket(403))
		time.Sleep(61 * time.Second) // the token is refreshed after a minute
		srv.DropSockets(cust.ContactID)
		waitFor(t, s, time.Minute, isKind(chat.KindConnectionReestablished))
		tok := s.ConnectionToken()
		s.Disconnect(context.Background())
		s.Close()
		out := buf.String()
		for _, want := range []string{"chat: connected", "chat: connection lost", "chat: reconnect failed", "chat: reconnected", "chat: ConnectionToken refreshed", "chat: gap filled", "url=ws://", "chat: ended"} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %q", want)
			}
		}
		for _, secret := range []string{cust.ParticipantToken.Reveal(), tok.Reveal(), "X-Amz-Signature", "X-Amz-Date"} {
			if strings.Contains(out, secret) {
				t.Errorf("log holds %q", secret[:min(len(secret), 16)])
			}
		}
	})
}

// Many sessions share one Client; each idle session runs one goroutine
// (its socket's reader), and none is left after Close (goleak
// checks the whole package at exit too). Not parallel: it counts the
// process's session goroutines.
func TestManySessionsShareAClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, participanttest.WithAgent(func() participanttest.Agent { return participanttest.EchoAgent{Delay: time.Second} }))
		client := srv.Client()
		const n = 40
		sessions := make([]*chat.Session, n)
		for i := range sessions {
			cust, err := srv.StartChat(participanttest.ChatOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if sessions[i], err = chat.Connect(context.Background(), client, cust.ParticipantToken, nil); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Minute) // idle: heartbeats only
		synctest.Wait()
		if got := sessionGoroutines(); got != n {
			t.Errorf("%d session goroutines for %d idle sessions, want %d", got, n, n)
		}
		// Each echoes, concurrently.
		errs := make(chan error, n)
		for i, s := range sessions {
			go func() {
				text := fmt.Sprint("hello ", i)
				if _, err := s.SendMessage(context.Background(), &chat.Message{Content: text}); err != nil {
					errs <- err
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				for {
					ev, err := s.Next(ctx)
					if err != nil {
						errs <- fmt.Errorf("session %d: %w", i, err)
						return
					}
					if ev.Kind == chat.KindMessage && ev.Item.ParticipantRole == participant.ParticipantRoleAgent && ev.Item.Content == text {
						errs <- nil
						return
					}
				}
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		for _, s := range sessions {
			s.Close()
		}
		synctest.Wait() // let goroutines that are returning finish
		if got := sessionGoroutines(); got != 0 {
			t.Errorf("%d session goroutines after Close", got)
		}
	})
}
