package chat_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// Class 9: the session knows its own participant, learned from its own
// sends or given in Options.ParticipantID, and marks its items Own, so a
// UI never shows "is typing" for the user's own typing.
func TestOwnItems(t *testing.T) {
	t.Parallel()
	for _, given := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			srv := newServer(t, participanttest.WithAgent(func() participanttest.Agent {
				return participanttest.EchoAgent{Delay: time.Second, NoReceipts: true}
			}))
			cust, err := srv.StartChat(participanttest.ChatOptions{})
			require.NoError(t, err)
			o := &chat.Options{}
			if given {
				o.ParticipantID = cust.ParticipantID
			}
			s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, o)
			require.NoError(t, err)
			defer s.Close()
			waitFor(t, s, time.Minute, func(ev chat.Event) bool {
				return ev.Kind == chat.KindParticipantJoined && ev.Item.DisplayName == "Echo"
			})
			// Typing first: before any own message, the typing echo is
			// known as our own.
			require.NoError(t, s.SendTyping(context.Background()))
			_, err = s.SendMessage(context.Background(), &chat.Message{Content: "hi"})
			require.NoError(t, err)
			evs := waitFor(t, s, time.Minute, func(ev chat.Event) bool {
				return ev.Kind == chat.KindMessage && !ev.Own
			})
			var typing, msgs []bool
			for _, ev := range evs {
				switch ev.Kind {
				case chat.KindTyping:
					typing = append(typing, ev.Own)
				case chat.KindMessage:
					msgs = append(msgs, ev.Own)
				}
			}
			assert.Equal(t, []bool{true, false}, typing, "given %v: own typing, then the agent's", given)
			assert.Equal(t, []bool{true, false}, msgs, "given %v: own message, then the echo", given)
			assert.Equal(t, cust.ParticipantID, s.ParticipantID())
		})
	}
}
