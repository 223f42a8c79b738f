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
		typing int           // typing events sent, all before the answer
	}{
		{"an answer at once shows no typing", 0, 0},
		{"a second's work shows typing once", time.Second, 1},
		{"15 s of work shows typing twice", 15 * time.Second, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := participanttest.NewUnstartedServer(participanttest.WithSeed(5))
				srv.StartInMemory()
				defer srv.Close()
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
				for _, rq := range srv.Requests() {
					switch {
					case rq.Operation == participanttest.OpSendMessage && bytes.Contains(rq.Body, []byte("the answer")):
						answered = true
					case rq.Operation == participanttest.OpSendEvent && bytes.Contains(rq.Body, []byte("typing")):
						typing++
						if answered {
							after++
						}
					}
				}
				require.True(t, answered)
				assert.Equal(t, tt.typing, typing, "typing events")
				assert.Zero(t, after, "typing events after the answer")
			})
		})
	}
}
