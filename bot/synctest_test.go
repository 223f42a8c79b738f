package bot_test

import (
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

// TestSynctestLifecycle runs a runner on fake time, with the emulator in
// memory and its contact events handed to the runner: the bot answers,
// its broken session is resumed after exactly the 1 s backoff, and
// Shutdown returns at its deadline with the open chats left.
func TestSynctestLifecycle(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var r *bot.Runner
		srv := participanttest.NewUnstartedServer(participanttest.WithSeed(3), participanttest.WithContactEventFunc(func(ev participanttest.ContactEvent) {
			switch ev.EventType {
			case bot.EventInitiated:
				assert.NoError(t, r.Start(context.Background(), ev.ContactID))
			case bot.EventDisconnected:
				r.Stop(ev.ContactID)
			}
		}))
		srv.StartInMemory()
		defer srv.Close()
		j := &joiner{srv: srv}
		var err error
		r, err = bot.New(bot.Options{Client: srv.Client(), Join: j.join, Handle: hoursBot,
			Session: chat.Options{MaxReconnectAttempts: 1}})
		require.NoError(t, err)

		p, err := srv.StartChat(participanttest.ChatOptions{InitialMessage: "hours?"})
		require.NoError(t, err)
		c := connectCustomer(t, srv, p)
		ev, err := c.waitFor(t.Context(), botMessage)
		require.NoError(t, err)
		assert.Contains(t, ev.Item.Content, "9:00")

		// The bot's reconnect is refused: its session breaks; the runner
		// resumes it 1 s later (fake time). The sockets are dropped after
		// 10 s of quiet: a socket lost just after its subscribe counts as a
		// failed attempt, and the session would back off before reconnecting.
		time.Sleep(10 * time.Second)
		srv.Inject(participanttest.RefuseWebSocket(500).ForParticipant(j.botID(p.ContactID)))
		srv.DropSockets(p.ContactID)
		broke := time.Now()
		for r.Stats().Resumes == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		assert.GreaterOrEqual(t, time.Since(broke), time.Second)
		assert.Less(t, time.Since(broke), 2*time.Second)

		// A second chat, then Shutdown with both open.
		p2, err := srv.StartChat(participanttest.ChatOptions{})
		require.NoError(t, err)
		c2 := connectCustomer(t, srv, p2)
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		start := time.Now()
		require.ErrorIs(t, r.Shutdown(ctx), context.DeadlineExceeded)
		assert.Equal(t, 30*time.Second, time.Since(start).Round(time.Second))
		for _, cu := range []*customer{c, c2} {
			_, err := cu.waitFor(t.Context(), botLeft)
			require.NoError(t, err)
		}
		st := r.Stats()
		assert.EqualValues(t, 2, st.Joined)
		assert.EqualValues(t, 2, st.Left)
		assert.EqualValues(t, 1, st.Resumes)
		_ = c.sess.Close()
		_ = c2.sess.Close()
	})
}
