package bot_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// TestBrokenSessionResumed: the bot's session gives up reconnecting (its
// reconnect is refused and MaxReconnectAttempts is 1); the runner resumes
// it from its checkpoint, and the bot answers what comes next, having
// answered nothing twice.
func TestBrokenSessionResumed(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	t.Cleanup(srv.Close)
	r, j := newRunner(t, srv, nil, func(o *bot.Options) { o.Session.MaxReconnectAttempts = 1 })
	p, err := srv.StartChat(participanttest.ChatOptions{InitialMessage: "hours?"})
	require.NoError(t, err)
	c := connectCustomer(t, srv, p)
	require.NoError(t, r.Start(t.Context(), p.ContactID))
	_, err = c.waitFor(t.Context(), botMessage)
	require.NoError(t, err)

	srv.Inject(participanttest.RefuseWebSocket(500).ForParticipant(j.botID(p.ContactID)))
	require.Equal(t, 2, srv.DropSockets(p.ContactID))
	require.Eventually(t, func() bool { return r.Stats().Resumes == 1 }, 15*time.Second, 10*time.Millisecond)

	_, err = c.sess.SendMessage(t.Context(), &chat.Message{Content: "hours again?"})
	require.NoError(t, err)
	ev, err := c.waitFor(t.Context(), botMessage)
	require.NoError(t, err)
	assert.Contains(t, ev.Item.Content, "9:00")
	assert.Equal(t, 2, countItems(t, srv, p.ContactID, isBotMessage), "each question answered once")
	assert.NoError(t, srv.CheckFaults())
	assert.Equal(t, 1, r.Stats().Active)
}
