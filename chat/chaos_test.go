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
		if _, err := srv.AddAgent(cust.ContactID, burstAgent{n: burst, every: c.every}); err != nil {
			t.Fatal(err)
		}

		var got []string
		lost, updates := 0, 0
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(burst)*c.every+10*time.Minute)
		defer cancel()
		for len(got) < burst {
			ev, err := s.Next(ctx)
			if err != nil {
				t.Fatalf("Next after %d messages: %v (stats %+v)", len(got), err, s.Stats())
			}
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
			if ev.Kind == chat.KindMessage {
				t.Errorf("extra message after the burst: %q (update %v)", ev.Item.Content, ev.Update)
			}
		}

		for i, m := range got {
			if want := fmt.Sprintf("m%04d", i+1); m != want {
				t.Fatalf("message %d is %q, want %q (got %d messages; stats %+v)", i, m, want, len(got), s.Stats())
			}
		}
		if updates != 0 {
			t.Errorf("%d update events for plain messages", updates)
		}
		// The messages are the transcript's, in the transcript's order.
		var transcript []string
		for _, it := range srv.Transcript(cust.ContactID) {
			if it.Type == participanttest.TypeMessage {
				transcript = append(transcript, it.Content)
			}
		}
		if strings.Join(transcript, ",") != strings.Join(got, ",") {
			t.Errorf("delivered messages differ from the transcript")
		}
		st := s.Stats()
		if st.Reconnects != int64(lost) {
			t.Errorf("Stats.Reconnects = %d, but %d ConnectionLost events", st.Reconnects, lost)
		}
		if c.dropInGapFill && dropsInGapFill.Load() == 0 {
			t.Errorf("no socket was dropped during a gap fill (%d transcript reads)", transcripts.Load())
		}
		if st.LateItems != 0 {
			t.Errorf("Stats.LateItems = %d, want 0", st.LateItems)
		}
		if err := srv.CheckFaults(); err != nil {
			t.Error(err)
		}
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
			if st.Reconnects < 10 {
				t.Errorf("only %d reconnects", st.Reconnects)
			}
			if st.GapFilledItems == 0 || st.DuplicatesDropped == 0 {
				t.Errorf("gap fill recovered %d items and dropped %d duplicates: want both > 0", st.GapFilledItems, st.DuplicatesDropped)
			}
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
			if st.HeartbeatMisses < 5 || st.Reconnects != st.HeartbeatMisses {
				t.Errorf("HeartbeatMisses %d, Reconnects %d: want at least 5, equal", st.HeartbeatMisses, st.Reconnects)
			}
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
		check: func(t *testing.T, st chat.Stats) {
			if st.DuplicatesDropped < 50 {
				t.Errorf("DuplicatesDropped = %d, want about 100", st.DuplicatesDropped)
			}
			if st.Reconnects != 0 {
				t.Errorf("Reconnects = %d, want 0", st.Reconnects)
			}
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
		dropInGapFill: true,
		check: func(t *testing.T, st chat.Stats) {
			if st.Reconnects < 5 {
				t.Errorf("only %d reconnects", st.Reconnects)
			}
		},
	}.run(t)
}
