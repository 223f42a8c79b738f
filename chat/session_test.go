package chat_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		require.NoError(t, err)
		time.Sleep(time.Second)
		s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, nil)
		require.NoError(t, err)
		defer s.Close()
		require.Equal(t, chat.KindConnectionEstablished, next(t, s, time.Minute).Kind, "first event")
		evs := waitFor(t, s, time.Minute, func(ev chat.Event) bool { return ev.Kind == chat.KindMessage })
		ev := evs[len(evs)-1]
		assert.Equal(t, "hello", ev.Item.Content, "history message %+v", ev.Item)
		assert.Equal(t, "Ann", ev.Item.DisplayName, "history message %+v", ev.Item)
		assert.Equal(t, participant.ParticipantRoleCustomer, ev.Item.ParticipantRole, "history message %+v", ev.Item)
		time.Sleep(time.Second)
		_, err = s.SendMessage(context.Background(), &chat.Message{Content: "live"})
		require.NoError(t, err)
		evs = waitFor(t, s, time.Minute, isKind(chat.KindMessage))
		got := evs[len(evs)-1]
		assert.Equal(t, "live", got.Item.Content, "live message %+v", got)
		assert.False(t, got.Update, "live message %+v", got)
		st := s.Stats()
		assert.Equal(t, int64(1), st.GapFills, "stats %+v: want one gap fill (the history) of two items", st)
		assert.Equal(t, int64(2), st.GapFilledItems, "stats %+v: want one gap fill (the history) of two items", st)
	})
}

func TestNoHistory(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, _ := srv.StartChat(participanttest.ChatOptions{InitialMessage: "old"})
		time.Sleep(time.Second)
		s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, &chat.Options{NoHistory: true})
		require.NoError(t, err)
		defer s.Close()
		time.Sleep(time.Second)
		srv.DropSockets(cust.ContactID) // a reconnect must not bring the history either
		time.Sleep(time.Second)
		s.SendMessage(context.Background(), &chat.Message{Content: "new"})
		evs := waitFor(t, s, time.Minute, isKind(chat.KindMessage))
		for _, ev := range evs {
			assert.NotEqual(t, chat.KindParticipantJoined, ev.Kind, "history delivered: %s %q", ev.Kind, ev.Item.Content)
			assert.NotEqual(t, "old", ev.Item.Content, "history delivered: %s %q", ev.Kind, ev.Item.Content)
		}
		assert.Equal(t, "new", evs[len(evs)-1].Item.Content, "last message")
		assert.Equal(t, int64(1), s.Stats().Reconnects, "stats %+v", s.Stats())
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
					require.NoError(t, err, "send after 10 minutes")
					assert.GreaterOrEqual(t, st.TokenRefreshes, int64(4), "refreshes, want at least 4")
					assert.NotEqual(t, first, s.ConnectionToken(), "token unchanged after %d refreshes", st.TokenRefreshes)
					exp := s.Checkpoint().ConnectionExpiry
					assert.True(t, exp.After(time.Now()), "State's token expires %v, before now", exp)
				} else {
					var ad *participant.AccessDeniedError
					require.ErrorAs(t, err, &ad, "send with an expired token")
					assert.Equal(t, int64(0), st.TokenRefreshes, "refreshes with refresh off")
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
		_, err := s.SendMessage(context.Background(), &chat.Message{Content: "after"})
		require.NoError(t, err)
		evs := waitFor(t, s, time.Minute, isKind(chat.KindMessage))
		for _, ev := range evs {
			if ev.Kind == chat.KindConnectionLost {
				lost++
			}
		}
		for i, m := range got {
			require.Equal(t, fmt.Sprintf("m%04d", i+1), m, "message %d", i)
		}
		st := s.Stats()
		assert.GreaterOrEqual(t, st.Rotations, int64(2), "rotations")
		assert.Equal(t, int64(0), st.Reconnects, "reconnects")
		assert.Equal(t, 0, lost, "lost events")
		// A rotation may have just happened: its old socket's close
		// handshake runs in a goroutine of its own.
		for range 100 {
			if srv.Subscribers(cust.ContactID) == 1 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		assert.Equal(t, 1, srv.Subscribers(cust.ContactID), "subscribed sockets (the old ones closed)")
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
			require.Equal(t, fmt.Sprintf("m%04d", i+1), m, "message %d", i)
		}
		st := s.Stats()
		assert.GreaterOrEqual(t, st.Reconnects, int64(2), "stats %+v: want reconnects after each 2 minutes", st)
		assert.Equal(t, int64(0), st.Rotations, "stats %+v: want no rotation", st)
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
		require.NoError(t, srv.StopContact(cust.ContactID))
		evs := waitFor(t, s, time.Minute, isKind(chat.KindChatEnded))
		end := evs[len(evs)-1]
		var ad *participant.AccessDeniedError
		assert.ErrorAs(t, end.Err, &ad, "ChatEnded %+v: want the 403 in Err", end)
		assert.Equal(t, participant.ContentType(wire.ContentTypeChatEnded), end.Item.ContentType, "ChatEnded %+v", end)
		assert.Equal(t, chat.KindConnectionLost, evs[len(evs)-2].Kind, "before the end")
		_, err := s.Next(context.Background())
		assert.ErrorIs(t, err, chat.ErrChatEnded, "Next after the end")
		_, err = s.SendMessage(context.Background(), &chat.Message{Content: "x"})
		assert.ErrorIs(t, err, chat.ErrChatEnded, "SendMessage after the end")
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
		time.Sleep(10 * time.Second) // a socket dropped sooner counts as a failed attempt
		srv.DropSockets(cust.ContactID)
		evs := waitFor(t, s, time.Minute, isKind(chat.KindConnectionReestablished))
		lost := 0
		for _, ev := range evs {
			if ev.Kind == chat.KindConnectionLost {
				lost++
			}
		}
		st := s.Stats()
		assert.Equal(t, 1, lost, "ConnectionLost events, stats %+v: want one outage with two failed attempts", st)
		assert.Equal(t, int64(2), st.ReconnectAttempts, "stats %+v: want one outage with two failed attempts", st)
		assert.Equal(t, int64(1), st.Reconnects, "stats %+v: want one outage with two failed attempts", st)
		assert.NoError(t, srv.CheckFaults())
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
		time.Sleep(10 * time.Second) // a socket dropped sooner counts as a failed attempt
		start := time.Now()
		srv.DropSockets(cust.ContactID)
		evs := waitFor(t, s, 10*time.Minute, isKind(chat.KindConnectionBroken))
		assert.ErrorContains(t, evs[len(evs)-1].Err, "3 reconnect attempts failed", "broken")
		_, err := s.Next(context.Background())
		assert.ErrorIs(t, err, chat.ErrBroken, "Next")
		// Immediate first attempt, then backoff: 0.5-1 s, 1-2 s, plus the
		// client's own retries of each call.
		d := time.Since(start)
		assert.GreaterOrEqual(t, d, 1500*time.Millisecond, "gave up after %v", d)
		assert.LessOrEqual(t, d, 30*time.Second, "gave up after %v", d)
	})
}

func TestChatEndedByAgent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, nil)
		a, err := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Agent")
		require.NoError(t, err)
		as, err := chat.Connect(context.Background(), srv.Client(), a.ParticipantToken, nil)
		require.NoError(t, err)
		defer as.Close()
		time.Sleep(time.Second)
		_, err = as.SendMessage(context.Background(), &chat.Message{Content: "goodbye"})
		require.NoError(t, err)
		time.Sleep(time.Second)
		srv.StopContact(cust.ContactID)
		evs := waitFor(t, s, time.Minute, isKind(chat.KindChatEnded))
		assert.NoError(t, evs[len(evs)-1].Err, "end %+v", evs[len(evs)-1])
		assert.Equal(t, "goodbye", evs[len(evs)-2].Item.Content, "message before the end")
		_, err = s.Next(context.Background())
		assert.ErrorIs(t, err, chat.ErrChatEnded, "Next")
		// The session closed its socket; the agent's ended too.
		waitFor(t, as, time.Minute, isKind(chat.KindChatEnded))
		time.Sleep(time.Second)
		assert.Equal(t, 0, srv.Subscribers(cust.ContactID), "sockets still subscribed")
		assert.ErrorIs(t, s.SendReadReceipt("x"), chat.ErrChatEnded, "receipt after the end")
	})
}

// Disconnect: the customer leaves, chat.ended comes, the session ends.
func TestDisconnectCustomer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		_, s := connect(t, srv, nil, nil)
		waitFor(t, s, time.Minute, isKind(chat.KindParticipantJoined))
		require.NoError(t, s.Disconnect(context.Background()))
		var kinds []string
		for {
			ev, err := s.Next(context.Background())
			if err != nil {
				assert.ErrorIs(t, err, chat.ErrChatEnded, "Next")
				break
			}
			kinds = append(kinds, ev.Kind.String())
		}
		assert.Equal(t, "ParticipantLeft ChatEnded", strings.Join(kinds, " "), "events after Disconnect")
		assert.NoError(t, s.Disconnect(context.Background()), "second Disconnect")
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
		require.NoError(t, err)
		defer as.Close()
		start := time.Now()
		require.NoError(t, as.Disconnect(context.Background()))
		assert.Equal(t, 3*time.Second, time.Since(start), "Disconnect took, want the 3s wait")
		evs := waitFor(t, as, time.Minute, isKind(chat.KindParticipantLeft))
		assert.Equal(t, a.ParticipantID, evs[len(evs)-1].ParticipantID, "left")
		_, err = as.Next(context.Background())
		assert.ErrorIs(t, err, chat.ErrDisconnected, "Next")
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
		st := s.Checkpoint()
		s.Close()
		require.NotEmpty(t, st.LastItemID, "state %+v", st)
		require.NotEmpty(t, st.ConnectionToken, "state %+v", st)
		time.Sleep(8 * time.Second) // messages 11 to ~18 come while no session runs
		r, err := chat.Resume(context.Background(), srv.Client(), cust.ParticipantToken, st, nil)
		require.NoError(t, err)
		defer r.Close()
		require.Equal(t, chat.KindConnectionEstablished, next(t, r, time.Minute).Kind, "first event")
		for len(got) < 30 {
			ev := next(t, r, time.Minute)
			assert.NotEqual(t, chat.KindParticipantJoined, ev.Kind, "history repeated after Resume")
			if ev.Kind == chat.KindMessage {
				got = append(got, ev.Item.Content)
			}
		}
		for i, m := range got {
			require.Equal(t, fmt.Sprintf("m%04d", i+1), m, "message %d", i)
		}
		// The chat ended meanwhile: Resume says so.
		st = r.Checkpoint()
		r.Close()
		srv.StopContact(cust.ContactID)
		_, err = chat.Resume(context.Background(), srv.Client(), cust.ParticipantToken, st, nil)
		assert.ErrorAs(t, err, new(*participant.AccessDeniedError), "Resume of an ended chat")
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
		require.NoError(t, err, "after two refusals")
		s.Close()
		assert.NoError(t, srv.CheckFaults())

		srv.Inject(participanttest.ErrorFrame("").ForParticipant(cust.ParticipantID).Always())
		start := time.Now()
		_, err = chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, &chat.Options{SubscribeAttempts: 3})
		require.ErrorIs(t, err, chat.ErrSubscribe, "Connect, want ErrSubscribe after 3 attempts")
		require.ErrorContains(t, err, "3 attempts", "Connect, want ErrSubscribe after 3 attempts")
		assert.LessOrEqual(t, time.Since(start), 3*time.Second, "gave up after")
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
		st := s.Stats()
		assert.Equal(t, int64(3), st.PingFailures, "stats %+v: want 3 ping failures, no reconnect", st)
		assert.Equal(t, int64(0), st.Reconnects, "stats %+v: want 3 ping failures, no reconnect", st)
		assert.Equal(t, int64(0), st.HeartbeatMisses, "stats %+v: want 3 ping failures, no reconnect", st)
	})
}

// The log says what happened and never holds a token or a URL's query.
func TestLogging(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		srv := newServer(t)
		cust, err := srv.StartChat(participanttest.ChatOptions{})
		require.NoError(t, err)
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, &chat.Options{Logger: logger, TokenRefreshBefore: 23*time.Hour + 59*time.Minute})
		require.NoError(t, err)
		srv.Inject(participanttest.RefuseWebSocket(403))
		time.Sleep(61 * time.Second) // the token is refreshed after a minute
		srv.DropSockets(cust.ContactID)
		waitFor(t, s, time.Minute, isKind(chat.KindConnectionReestablished))
		tok := s.ConnectionToken()
		s.Disconnect(context.Background())
		s.Close()
		out := buf.String()
		for _, want := range []string{"chat: connected", "chat: connection lost", "chat: reconnect failed", "chat: reconnected", "chat: ConnectionToken refreshed", "chat: gap filled", "url=ws://", "chat: ended"} {
			assert.Contains(t, out, want, "log lacks %q", want)
		}
		for _, secret := range []string{cust.ParticipantToken.Reveal(), tok.Reveal(), "X-Amz-Signature", "X-Amz-Date"} {
			assert.False(t, strings.Contains(out, secret), "log holds %q", secret[:min(len(secret), 16)])
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
			require.NoError(t, err)
			sessions[i], err = chat.Connect(context.Background(), client, cust.ParticipantToken, nil)
			require.NoError(t, err, "session %d", i)
		}
		time.Sleep(time.Minute) // idle: heartbeats only
		synctest.Wait()
		assert.Equal(t, n, sessionGoroutines(), "session goroutines for %d idle sessions", n)
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
			assert.NoError(t, <-errs)
		}
		for _, s := range sessions {
			s.Close()
		}
		synctest.Wait() // let goroutines that are returning finish
		assert.Equal(t, 0, sessionGoroutines(), "session goroutines after Close")
	})
}
