package bot_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/examples/bot/hours"
	"github.com/connectchat/participant/participanttest"
)

// hoursBot is the bot of these tests: the example bot's handler, which
// answers "hours" and hands over to a person on "agent".
var hoursBot bot.HandleFunc = hours.Handle

// panicIn returns a handler that panics in the chat of contactID and runs
// hoursBot in the others.
func panicIn(contactID string) bot.HandleFunc {
	return func(ctx context.Context, c *bot.Chat) error {
		if c.ContactID() == contactID {
			panic("the bot was told to panic")
		}
		return hoursBot(ctx, c)
	}
}

// joiner is a Join over the emulator's Go API that counts its calls.
type joiner struct {
	srv   *participanttest.Server
	calls atomic.Int64
	mu    sync.Mutex
	ids   map[string]string // contact id → the bot's participant id
}

func (j *joiner) join(_ context.Context, contactID string) (participant.Token, error) {
	j.calls.Add(1)
	p, err := j.srv.AddParticipant(contactID, participanttest.RoleCustomBot, "Hours Bot")
	if err != nil {
		return "", err
	}
	j.mu.Lock()
	if j.ids == nil {
		j.ids = map[string]string{}
	}
	j.ids[contactID] = p.ParticipantID
	j.mu.Unlock()
	return p.ParticipantToken, nil
}

func (j *joiner) botID(contactID string) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.ids[contactID]
}

// newRunner returns a runner over srv with handle (hoursBot when nil),
// shut down at the end of the test.
func newRunner(t *testing.T, srv *participanttest.Server, handle bot.HandleFunc, mod func(*bot.Options)) (*bot.Runner, *joiner) {
	t.Helper()
	if handle == nil {
		handle = hoursBot
	}
	j := &joiner{srv: srv}
	o := bot.Options{Client: srv.Client(), Join: j.join, Handle: handle}
	if mod != nil {
		mod(&o)
	}
	r, err := bot.New(o)
	require.NoError(t, err)
	t.Cleanup(func() {
		// Handlers wait for the customer: the deadline makes them leave.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = r.Shutdown(ctx)
	})
	return r, j
}

// customer is a chat's customer with a live session.
type customer struct {
	p    participanttest.Participant
	sess *chat.Session
}

func startCustomer(t *testing.T, srv *participanttest.Server) *customer {
	t.Helper()
	p, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(t, err)
	return connectCustomer(t, srv, p)
}

func connectCustomer(t *testing.T, srv *participanttest.Server, p participanttest.Participant) *customer {
	t.Helper()
	s, err := chat.Connect(t.Context(), srv.Client(), p.ParticipantToken, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return &customer{p: p, sess: s}
}

// waitFor reads the customer's events until one from the bot matches,
// and returns it.
func (c *customer) waitFor(ctx context.Context, match func(chat.Event) bool) (chat.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		ev, err := c.sess.Next(ctx)
		if err != nil {
			return ev, err
		}
		if match(ev) {
			return ev, nil
		}
	}
}

func botMessage(ev chat.Event) bool {
	return ev.Kind == chat.KindMessage && ev.Item.ParticipantRole == participant.ParticipantRoleCustomBot
}

func botLeft(ev chat.Event) bool {
	return ev.Kind == chat.KindParticipantLeft && ev.Item.ParticipantRole == participant.ParticipantRoleCustomBot
}

// countItems counts the transcript items of a contact that match.
func countItems(t *testing.T, srv *participanttest.Server, contactID string, match func(participanttest.Item) bool) int {
	t.Helper()
	n := 0
	for _, it := range srv.Transcript(contactID) {
		if match(it) {
			n++
		}
	}
	return n
}

func isBotJoin(it participanttest.Item) bool {
	return it.ContentType == "application/vnd.amazonaws.connect.event.participant.joined" && it.ParticipantRole == participanttest.RoleCustomBot
}

func isBotMessage(it participanttest.Item) bool {
	return it.Type == participanttest.TypeMessage && it.ParticipantRole == participanttest.RoleCustomBot
}
