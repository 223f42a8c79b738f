package chat_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/chat"
)

// Defect 8 of issue 17: a reader that stops ends the session with
// ErrSlowConsumer once MaxPendingEvents wait; what was queued can be read,
// and a Resume from the Checkpoint delivers the rest: nothing is lost, and
// nothing comes twice.
func TestSlowConsumerEndsTheSession(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, &chat.Options{MaxPendingEvents: 40})
		_, err := srv.AddAgent(cust.ContactID, burstAgent{n: 100, every: 10 * time.Millisecond})
		require.NoError(t, err)
		time.Sleep(5 * time.Second) // the application reads nothing

		var got []string
		read := func(s *chat.Session) error {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for len(got) < 100 {
				ev, err := s.Next(ctx)
				if err != nil {
					return err
				}
				if ev.Kind == chat.KindMessage && ev.Item.DisplayName == "Burst" {
					got = append(got, ev.Item.Content)
				}
			}
			return nil
		}
		require.ErrorIs(t, read(s), chat.ErrSlowConsumer)
		require.NotEmpty(t, got)
		require.Less(t, len(got), 100)

		r, err := chat.Resume(context.Background(), srv.Client(), cust.ParticipantToken, s.Checkpoint(), nil)
		require.NoError(t, err)
		defer r.Close()
		require.NoError(t, read(r))
		for i, m := range got {
			require.Equal(t, fmt.Sprintf("m%04d", i+1), m, "message %d", i)
		}
		assert.Len(t, got, 100)
	})
}
