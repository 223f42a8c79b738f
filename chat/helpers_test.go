package chat_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// burstAgent is an agent that sends n text messages, "m0001" to "m<n>",
// one every `every` of (fake) time, the first `every` after it joined (so
// that no two items share an AbsoluteTime), then stays in the chat.
type burstAgent struct {
	n     int
	every time.Duration
}

func (burstAgent) Profile() (string, string) { return participanttest.RoleAgent, "Burst" }

func (b burstAgent) Run(ctx context.Context, a *participanttest.AgentSession) error {
	for i := 1; i <= b.n; i++ {
		select {
		case <-time.After(b.every):
		case <-ctx.Done():
			return nil
		}
		if _, err := a.SendMessage("text/plain", fmt.Sprintf("m%04d", i)); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}

// newServer starts an in-memory emulator; call it inside a synctest
// bubble. It is closed when the test ends.
func newServer(t *testing.T, opts ...participanttest.Option) *participanttest.Server {
	t.Helper()
	srv := participanttest.NewUnstartedServer(append([]participanttest.Option{participanttest.WithSeed(7)}, opts...)...)
	srv.StartInMemory()
	t.Cleanup(srv.Close)
	return srv
}

// connect starts a chat and connects its customer.
func connect(t *testing.T, srv *participanttest.Server, client *participant.Client, o *chat.Options) (participanttest.Participant, *chat.Session) {
	t.Helper()
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err, "StartChat")
	if client == nil {
		client = srv.Client()
	}
	s, err := chat.Connect(context.Background(), client, cust.ParticipantToken, o)
	require.NoError(t, err, "Connect")
	t.Cleanup(func() { s.Close() })
	return cust, s
}

// next returns the next event, failing the test after limit of fake time.
func next(t *testing.T, s *chat.Session, limit time.Duration) chat.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	ev, err := s.Next(ctx)
	require.NoError(t, err, "Next")
	return ev
}

// waitFor reads events until one satisfies ok, and returns the events
// read, that one last.
func waitFor(t *testing.T, s *chat.Session, limit time.Duration, ok func(chat.Event) bool) []chat.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var evs []chat.Event
	for {
		ev, err := s.Next(ctx)
		require.NoError(t, err, "Next after %d events", len(evs))
		evs = append(evs, ev)
		if ok(ev) {
			return evs
		}
	}
}

func isKind(k chat.Kind) func(chat.Event) bool {
	return func(ev chat.Event) bool { return ev.Kind == k }
}

// hookTransport calls before for every request, then passes it on.
type hookTransport struct {
	rt     http.RoundTripper
	before func(*http.Request)
}

func (h hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h.before(r)
	return h.rt.RoundTrip(r)
}

// hookedClient returns a participant.Client whose requests (WebSocket
// dials included) go through before.
func hookedClient(srv *participanttest.Server, before func(*http.Request)) *participant.Client {
	hc := &http.Client{Transport: hookTransport{srv.Transport(), before}}
	return srv.Client(func(o *participant.Options) { o.HTTPClient = hc })
}

// sessionGoroutines counts the goroutines running code of a chat.Session.
func sessionGoroutines() int {
	var buf bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&buf, 2)
	n := 0
	for _, g := range strings.Split(buf.String(), "\n\n") {
		if strings.Contains(g, "participant/chat.(*Session)") {
			n++
		}
	}
	return n
}
