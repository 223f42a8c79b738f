package chat_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// Session.Status follows the connection: connected, reconnecting while
// the socket is replaced, connected again, ended after Close.
func TestStatus(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, &chat.Options{Seed: 1})
		assert.Equal(t, chat.StatusConnected, s.Status())
		time.Sleep(10 * time.Second)
		srv.Inject(participanttest.RefuseWebSocket(503).Times(2))
		srv.DropSockets(cust.ContactID)
		waitFor(t, s, time.Minute, isKind(chat.KindConnectionLost))
		assert.Equal(t, chat.StatusReconnecting, s.Status())
		waitFor(t, s, time.Minute, isKind(chat.KindConnectionReestablished))
		assert.Equal(t, chat.StatusConnected, s.Status())
		s.Close()
		assert.Equal(t, chat.StatusEnded, s.Status())
		assert.Equal(t, "Reconnecting", chat.StatusReconnecting.String())
		assert.Equal(t, "Status(9)", chat.Status(9).String())
	})
}
