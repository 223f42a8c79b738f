package bot_test

import (
	"bytes"
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// TestTyping runs a bot that shows typing while it works, on fake time
// with the emulator in memory, and reads what reached the service: typing
// goes out at once and every TypingInterval (10 s) after while the bot
// works, never after its answer; a bot that answers at once sends none.
func TestTyping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		work   time.Duration // how long the bot works before answering
		slow   time.Duration // how long the service takes over a typing event
		typing int           // typing events sent, all before the answer
	}{
		{"an answer at once shows no typing", 0, 0, 0},
		{"a second's work shows typing once", time.Second, 0, 1},
		{"15 s of work shows typing twice", 15 * time.Second, 0, 2},
		{"an answer waits for typing still on its way", 100 * time.Millisecond, 500 * time.Millisecond, 1},
		{"but not for long", 100 * time.Millisecond, 5 * time.Second, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := participanttest.NewUnstartedServer(participanttest.WithSeed(5))
				srv.StartInMemory()
				defer srv.Close()
				if tt.slow > 0 {
					srv.Inject(participanttest.Latency(participanttest.OpSendEvent, tt.slow))
				}
				handle := func(ctx context.Context, c *bot.Chat) error {
					for {
						ev, err := c.Next(ctx)
						if err != nil {
							return err
						}
						if ev.Kind != chat.KindMessage || ev.Own {
							continue
						}
						stop := c.Typing(ctx)
						time.Sleep(tt.work)
						stop()
						if err := c.Send(ctx, "the answer"); err != nil {
							return err
						}
					}
				}
				r, _ := newRunner(t, srv, handle, nil)
				p, err := srv.StartChat(participanttest.ChatOptions{InitialMessage: "a question"})
				require.NoError(t, err)
				c := connectCustomer(t, srv, p)
				require.NoError(t, r.Start(t.Context(), p.ContactID))
				_, err = c.waitFor(t.Context(), botMessage)
				require.NoError(t, err)
				time.Sleep(30 * time.Second) // anything still to come comes
				synctest.Wait()

				var typing, after int
				answered := false
				var typedAt, answeredAt time.Time // when the first typing event and the answer arrived
				for _, rq := range srv.Requests() {
					switch {
					case rq.Operation == participanttest.OpSendMessage && bytes.Contains(rq.Body, []byte("the answer")):
						answered, answeredAt = true, rq.Time
					case rq.Operation == participanttest.OpSendEvent && bytes.Contains(rq.Body, []byte("typing")):
						typing++
						if typedAt.IsZero() {
							typedAt = rq.Time
						}
						if answered {
							after++
						}
					}
				}
				if tt.slow > 0 {
					// The answer waited for the typing event's answer, or
					// for a second after stop.
					want := min(tt.slow, tt.work+time.Second)
					assert.Equal(t, want, answeredAt.Sub(typedAt).Round(10*time.Millisecond), "the answer's wait")
				}
				require.True(t, answered)
				assert.Equal(t, tt.typing, typing, "typing events")
				if tt.slow < 2*time.Second {
					assert.Zero(t, after, "typing events after the answer")
				} else {
					// The answer waited a second, not the 5 s the
					// typing event took.
					assert.Equal(t, 1, after, "typing events after the answer")
				}
			})
		})
	}
}

// TestTypingRealTime runs Typing, stop and Send in real time, for the race
// detector: a bot that shows typing for a moment before each of its
// answers, in several chats at once. Every question is answered.
func TestTypingRealTime(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	defer srv.Close()
	handle := func(ctx context.Context, c *bot.Chat) error {
		for i := 0; ; i++ {
			ev, err := c.Next(ctx)
			if err != nil {
				return err
			}
			if ev.Kind != chat.KindMessage || ev.Own {
				continue
			}
			stop := c.Typing(ctx)
			time.Sleep(time.Duration(i%3) * time.Millisecond)
			if i%2 == 0 {
				stop() // else Send stops it
			}
			if err := c.Send(ctx, "the answer"); err != nil {
				return err
			}
		}
	}
	r, _ := newRunner(t, srv, handle, nil)
	const chats, questions = 4, 10
	errs := make(chan error, chats)
	for range chats {
		c := startCustomer(t, srv)
		require.NoError(t, r.Start(t.Context(), c.p.ContactID))
		go func() {
			for range questions {
				if _, err := c.sess.SendMessage(t.Context(), &chat.Message{Content: "a question"}); err != nil {
					errs <- err
					return
				}
				if _, err := c.waitFor(t.Context(), botMessage); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range chats {
		require.NoError(t, <-errs)
	}
}
