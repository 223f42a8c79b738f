package chat_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// The chaos tests: an agent sends 1,000 messages while the customer's
// connection misbehaves; the customer's session must deliver exactly those
// messages, once each, in order. Each runs in a synctest bubble over the
// in-memory emulator, with seeded faults and a seeded backoff jitter, so a
// run replays.

const burst = 1000

// chaos runs one chaos scenario: faults are injected once the customer is
// connected, then the agent starts its burst.
type chaos struct {
	every  time.Duration // between the agent's messages
	faults func(custID string) []*participanttest.Fault
	// dropInGapFill makes the emulator cut the customer's sockets while
	// the session's third GetTranscript is in flight.
	dropInGapFill bool
	opts          chat.Options
	check         func(t *testing.T, st chat.Stats)
}

func (c chaos) run(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		var contact atomic.Value
		contact.Store("")
		var transcripts, dropsInGapFill atomic.Int64
		client := hookedClient(srv, func(r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/participant/transcript") {
				return
			}
			if n := transcripts.Add(1); c.dropInGapFill && n == 3 {
				dropsInGapFill.Add(int64(srv.DropSockets(contact.Load().(string))))
			}
		})
		opts := c.opts
		opts.Seed = 42
		cust, s := connect(t, srv, client, &opts)
		contact.Store(cust.ContactID)
		srv.Inject(c.faults(cust.ParticipantID)...)
		_, err := srv.AddAgent(cust.ContactID, burstAgent{n: burst, every: c.every})
		require.NoError(t, err)

		var got []string
		lost, updates := 0, 0
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(burst)*c.every+10*time.Minute)
		defer cancel()
		for len(got) < burst {
			ev, err := s.Next(ctx)
			require.NoError(t, err, "Next after %d messages (stats %+v)", len(got), s.Stats())
			switch {
			case ev.Kind == chat.KindConnectionLost:
				lost++
			case ev.Kind == chat.KindMessage && ev.Item.DisplayName == "Burst":
				if ev.Update {
					updates++
					continue
				}
				got = append(got, ev.Item.Content)
			}
		}
		// Nothing more may come: no late copy of any message.
		srv.ClearFaults()
		quiet, cancelQuiet := context.WithTimeout(context.Background(), time.Minute)
		defer cancelQuiet()
		for {
			ev, err := s.Next(quiet)
			if err != nil {
				break
			}
			if ev.Kind == chat.KindConnectionLost {
				lost++
			}
			assert.NotEqual(t, chat.KindMessage, ev.Kind, "extra message after the burst: %q (update %v)", ev.Item.Content, ev.Update)
		}

		for i, m := range got {
			require.Equal(t, fmt.Sprintf("m%04d", i+1), m, "message %d (got %d messages; stats %+v)", i, len(got), s.Stats())
		}
		assert.Equal(t, 0, updates, "update events for plain messages")
		// The messages are the transcript's, in the transcript's order.
		var transcript []string
		for _, it := range srv.Transcript(cust.ContactID) {
			if it.Type == participanttest.TypeMessage {
				transcript = append(transcript, it.Content)
			}
		}
		assert.Equal(t, strings.Join(transcript, ","), strings.Join(got, ","), "delivered messages differ from the transcript")
		st := s.Stats()
		assert.Equal(t, int64(lost), st.Reconnects, "Stats.Reconnects, against the ConnectionLost events")
		if c.dropInGapFill {
			assert.NotZero(t, dropsInGapFill.Load(), "no socket was dropped during a gap fill (%d transcript reads)", transcripts.Load())
		}
		assert.Equal(t, int64(0), st.LateItems, "Stats.LateItems")
		assert.NoError(t, srv.CheckFaults())
		c.check(t, st)
		t.Logf("seed 7: %d reconnects, stats %+v", lost, st)
	})
}

func TestChaosDroppedSockets(t *testing.T) {
	t.Parallel()
	chaos{
		every: 10 * time.Millisecond,
		// About one frame in 50 (items, heartbeat and subscribe replies)
		// is replaced by a cut of the connection.
		faults: func(id string) []*participanttest.Fault {
			return []*participanttest.Fault{participanttest.DropSocket().ForParticipant(id).Probability(1.0 / 50).Always()}
		},
		dropInGapFill: true,
		check: func(t *testing.T, st chat.Stats) {
			// Sockets live about 0.5 s here, so each loss counts as a
			// failed attempt and reconnects back off (issue 17).
			assert.GreaterOrEqual(t, st.Reconnects, int64(3), "reconnects")
			assert.Positive(t, st.GapFilledItems, "gap fill recovered %d items and dropped %d duplicates: want both > 0", st.GapFilledItems, st.DuplicatesDropped)
			assert.Positive(t, st.DuplicatesDropped, "gap fill recovered %d items and dropped %d duplicates: want both > 0", st.GapFilledItems, st.DuplicatesDropped)
		},
	}.run(t)
}

func TestChaosSilentHeartbeats(t *testing.T) {
	t.Parallel()
	chaos{
		// 300 s of chat: about 30 heartbeats, half left unanswered.
		every: 300 * time.Millisecond,
		faults: func(id string) []*participanttest.Fault {
			return []*participanttest.Fault{participanttest.SilenceHeartbeats().ForParticipant(id).Probability(0.5).Always()}
		},
		check: func(t *testing.T, st chat.Stats) {
			assert.GreaterOrEqual(t, st.HeartbeatMisses, int64(5), "HeartbeatMisses")
			assert.Equal(t, st.HeartbeatMisses, st.Reconnects, "Reconnects, want one per heartbeat miss")
		},
	}.run(t)
}

func TestChaosDuplicatedAndReorderedFrames(t *testing.T) {
	t.Parallel()
	chaos{
		every: 10 * time.Millisecond,
		faults: func(id string) []*participanttest.Fault {
			return []*participanttest.Fault{
				participanttest.DuplicateFrames().ForParticipant(id).Probability(0.1).Always(),
				participanttest.ReorderFrames().ForParticipant(id).Probability(0.1).Always(),
			}
		},
		// One socket never reorders frames, but the emulator can: the
		// window puts them back in order.
		opts: chat.Options{ReorderWindow: 200 * time.Millisecond},
		check: func(t *testing.T, st chat.Stats) {
			assert.GreaterOrEqual(t, st.DuplicatesDropped, int64(50), "DuplicatesDropped, want about 100")
			assert.Equal(t, int64(0), st.Reconnects, "Reconnects")
		},
	}.run(t)
}

// Every fault at once.
func TestChaosEverything(t *testing.T) {
	t.Parallel()
	chaos{
		every: 50 * time.Millisecond,
		faults: func(id string) []*participanttest.Fault {
			return []*participanttest.Fault{
				participanttest.DropSocket().ForParticipant(id).Probability(1.0 / 100).Always(),
				participanttest.SilenceHeartbeats().ForParticipant(id).Probability(0.3).Always(),
				participanttest.DuplicateFrames().ForParticipant(id).Probability(0.05).Always(),
				participanttest.ReorderFrames().ForParticipant(id).Probability(0.05).Always(),
				participanttest.Fail(participanttest.OpGetTranscript, "InternalServerException").Probability(0.2).Always(),
			}
		},
		opts:          chat.Options{ReorderWindow: 200 * time.Millisecond},
		dropInGapFill: true,
		check: func(t *testing.T, st chat.Stats) {
			assert.GreaterOrEqual(t, st.Reconnects, int64(5), "reconnects")
		},
	}.run(t)
}
