package chat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// One test per failure class of the recovery invariant (issue 9), against
// the package's own scripted server: apiFaults for the HTTP side (fail a
// path N times, for a while, or hold a call until released) and
// scriptedSocket for the WebSocket side (frames held or played by the test,
// heartbeats answered with error frames), with stallConn to stop the
// socket's writes.

// apiFaults wraps the emulator's transport: requests whose path ends with
// a rule's path are answered by the rule instead.
type apiFaults struct {
	srv   *participanttest.Server // set by scriptedChat
	rt    http.RoundTripper
	mu    sync.Mutex
	rules []*apiRule
}

// apiRule answers status/code for times requests (0: no count) or until
// (zero: no deadline); a gate, when set, holds each answer until it is
// closed.
type apiRule struct {
	path   string
	times  int
	until  time.Time
	status int
	code   string
	gate   chan struct{}
	delay  time.Duration
	// pass counts the request and, after delay, passes it on to the
	// emulator (status and code unused).
	pass bool
	// body, when set, answers 200 with what it returns.
	body func() string
	hits int
}

func (f *apiFaults) add(r *apiRule) *apiRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, r)
	return r
}

func (f *apiFaults) hits(r *apiRule) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return r.hits
}

func (f *apiFaults) match(path string) *apiRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if !strings.HasSuffix(path, r.path) {
			continue
		}
		switch {
		case r.times > 0:
			r.times--
		case !r.until.IsZero() && time.Now().Before(r.until):
		case r.times == 0 && r.until.IsZero() && r.gate != nil && r.hits == 0:
		case r.pass || r.body != nil:
		default:
			continue
		}
		r.hits++
		return r
	}
	return nil
}

func (f *apiFaults) RoundTrip(req *http.Request) (*http.Response, error) {
	r := f.match(req.URL.Path)
	if r == nil {
		return f.rt.RoundTrip(req)
	}
	if r.delay > 0 {
		select {
		case <-time.After(r.delay):
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	if r.pass {
		return f.rt.RoundTrip(req)
	}
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	body := fmt.Sprintf(`{"message":"scripted %s"}`, r.code)
	status := r.status
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if r.body != nil {
		body, status = r.body(), http.StatusOK
	} else {
		h.Set("X-Amzn-ErrorType", r.code)
	}
	h.Set("X-Amzn-RequestId", "scripted")
	return &http.Response{
		StatusCode:    status,
		Status:        http.StatusText(status),
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
		Proto:         "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}, nil
}

// faultyClient returns a participant.Client for srv whose calls go
// through the returned apiFaults.
func faultyClient(srv *participanttest.Server) (*participant.Client, *apiFaults) {
	f := &apiFaults{rt: srv.HTTPClient().Transport}
	hc := &http.Client{Transport: f}
	return srv.Client(func(o *participant.Options) { o.HTTPClient = hc }), f
}

// puppet is an agent the test makes speak: each string sent on say is
// posted as a message, and its Item comes back on said.
type puppet struct {
	say  chan string
	said chan participanttest.Item
}

func newPuppet() puppet { return puppet{say: make(chan string), said: make(chan participanttest.Item)} }

func (puppet) Profile() (string, string) { return participanttest.RoleAgent, "Puppet" }

func (p puppet) Run(ctx context.Context, a *participanttest.AgentSession) error {
	for {
		select {
		case text := <-p.say:
			it, err := a.SendMessage("text/plain", text)
			if err != nil {
				return err
			}
			p.said <- it
		case <-ctx.Done():
			return nil
		}
	}
}

func (p puppet) post(t *testing.T, text string) participanttest.Item {
	t.Helper()
	p.say <- text
	return <-p.said
}

// messages reads events until want messages of the puppet came (or the
// session ended), failing on an event that cannot be marshalled; it
// returns their contents and every event read.
func messages(t *testing.T, s *chat.Session, want int, limit time.Duration) ([]string, []chat.Event) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var got []string
	var evs []chat.Event
	for len(got) < want {
		ev, err := s.Next(ctx)
		if err != nil {
			t.Logf("Next after %v: %v (stats %+v)", got, err, s.Stats())
			return got, evs
		}
		evs = append(evs, ev)
		if ev.Kind == chat.KindMessage && ev.Item.DisplayName == "Puppet" && !ev.Update {
			got = append(got, ev.Item.Content)
		}
	}
	return got, evs
}

// Class 1: a failed gap fill after an outage must keep its anchor where the
// outage began: the messages of the outage come, in order, before the live
// ones, however long GetTranscript fails.
func TestRecoveryGapFillFailureKeepsAnchor(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		client, faults := faultyClient(srv)
		cust, s := connect(t, srv, client, &chat.Options{Seed: 3})
		p := newPuppet()
		_, err := srv.AddAgent(cust.ContactID, p)
		require.NoError(t, err)
		p.post(t, "a1")
		got, _ := messages(t, s, 1, time.Minute)
		require.Equal(t, []string{"a1"}, got)

		// The outage: the socket is cut and the next three dials refused.
		srv.Inject(participanttest.RefuseWebSocket(503).Times(3))
		srv.DropSockets(cust.ContactID)
		time.Sleep(100 * time.Millisecond)
		p.post(t, "b1")
		time.Sleep(time.Second)
		p.post(t, "b2")
		// Every gap fill fails for the next 40 s (past the client's retries).
		faults.add(&apiRule{path: "/participant/transcript", until: time.Now().Add(40 * time.Second), status: 500, code: "InternalServerException"})
		time.Sleep(20 * time.Second) // reconnected, gap fill failing
		p.post(t, "c1")
		time.Sleep(5 * time.Second)
		p.post(t, "c2")

		got, _ = messages(t, s, 4, 5*time.Minute)
		assert.Equal(t, []string{"b1", "b2", "c1", "c2"}, got, "stats %+v", s.Stats())
	})
}

// Class 2: while offline, the reorder buffer holds: an item waiting in it is
// not released before an earlier item the gap fill then finds.
func TestRecoveryBufferHeldOffline(t *testing.T) {
	t.Parallel()
	ss, faults, cust, s := scriptedChat(t, &chat.Options{ReorderWindow: 30 * time.Millisecond})
	p := newPuppet()
	_, err := faults.srv.AddAgent(cust.ContactID, p)
	require.NoError(t, err)
	w := p.post(t, "w")
	time.Sleep(5 * time.Millisecond)
	x := p.post(t, "x")
	require.True(t, w.AbsoluteTime < x.AbsoluteTime, "w %s, x %s", w.AbsoluteTime, x.AbsoluteTime)
	// The socket brings x but never w; then it dies, and the next socket
	// takes three subscribes (well past the window) to be acknowledged.
	ss.ignoreSubscribes.Store(3)
	ss.item(t, itemMap(x))
	ss.dropAll()
	got, _ := messages(t, s, 2, 10*time.Second)
	assert.Equal(t, []string{"w", "x"}, got, "stats %+v", s.Stats())
}

// Class 3: chat.ended arriving live while a gap fill is in flight, whose
// GetTranscript then gets 403, makes exactly one KindChatEnded, last.
func TestRecoveryOneChatEnded(t *testing.T) {
	t.Parallel()
	for _, firstConnect := range []bool{false, true} {
		t.Run(fmt.Sprintf("firstConnect=%v", firstConnect), func(t *testing.T) {
			t.Parallel()
			ss := newScriptedSocket(t)
			srv := participanttest.NewServer(participanttest.WithWebSocketBaseURL("ws" + strings.TrimPrefix(ss.URL, "http")))
			t.Cleanup(srv.Close)
			cust, err := srv.StartChat(participanttest.ChatOptions{})
			require.NoError(t, err)
			client, faults := faultyClient(srv)
			gate := make(chan struct{})
			var rule *apiRule
			if firstConnect {
				rule = faults.add(&apiRule{path: "/participant/transcript", gate: gate, status: 403, code: "AccessDeniedException"})
			}
			type result struct {
				s   *chat.Session
				err error
			}
			res := make(chan result, 1)
			go func() {
				s, err := chat.Connect(context.Background(), client, cust.ParticipantToken, &chat.Options{ReorderWindow: 20 * time.Millisecond, SubscribeTimeout: 50 * time.Millisecond})
				res <- result{s, err}
			}()
			r := <-res
			require.NoError(t, r.err)
			s := r.s
			t.Cleanup(func() { s.Close() })
			if !firstConnect {
				waitFor(t, s, 10*time.Second, isKind(chat.KindParticipantJoined))
				rule = faults.add(&apiRule{path: "/participant/transcript", gate: gate, status: 403, code: "AccessDeniedException"})
				ss.dropAll()
			}
			require.Eventually(t, func() bool { return faults.hits(rule) > 0 }, 10*time.Second, time.Millisecond)
			// The chat ends (in the emulator too), its chat.ended comes on the
			// socket while GetTranscript is held, then GetTranscript gets 403.
			require.NoError(t, srv.StopContact(cust.ContactID))
			tr := srv.Transcript(cust.ContactID)
			ss.item(t, itemMap(tr[len(tr)-1]))
			time.Sleep(50 * time.Millisecond)
			close(gate)

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var kinds []chat.Kind
			for {
				ev, err := s.Next(ctx)
				if err != nil {
					require.ErrorIs(t, err, chat.ErrChatEnded)
					break
				}
				kinds = append(kinds, ev.Kind)
			}
			ended := 0
			for _, k := range kinds {
				if k == chat.KindChatEnded {
					ended++
				}
			}
			assert.Equal(t, 1, ended, "events %v", kinds)
			assert.Equal(t, chat.KindChatEnded, kinds[len(kinds)-1], "events %v", kinds)
		})
	}
}

// Class 4: Raw is always valid JSON, whatever the frame's content.
func TestRecoveryRawIsJSON(t *testing.T) {
	t.Parallel()
	ss, s := scriptedSession(t, nil)
	for _, f := range []string{
		`{"topic":"aws/chat","content":"not json"}`,
		`{"topic":"aws/chat","content":"{\"Type\":\"NEW\",\"Id\":\"n1\"} trailing"}`,
		`{"topic":"aws/chat","content":"{\"Type\":\"NEW\",\"Id\":"}`,
		`{"topic":"aws/chat","content":"[1,2]"}`,
		`{"topic":"aws/chat","content":"{\"Type\":\"NEW\",\"Id\":\"n2\",\"AbsoluteTime\":\"2030-01-01T00:00:00.000Z\"}"}`,
	} {
		ss.send(t, f)
	}
	evs := waitFor(t, s, 10*time.Second, func(ev chat.Event) bool { return ev.Item.ID == "n2" })
	for _, ev := range evs {
		_, err := json.Marshal(ev)
		assert.NoError(t, err, "event %+v", ev)
		if ev.Raw != nil {
			assert.True(t, json.Valid(ev.Raw), "Raw %q", ev.Raw)
		}
	}
}

// Class 5 (real time, -race): receipts failing in the worker while frames
// arrive in the processor; the logger is read by both.
func TestRecoveryReceiptsFailWhileFramesArrive(t *testing.T) {
	t.Parallel()
	ss, faults, cust, s := scriptedChat(t, &chat.Options{Receipts: chat.ReceiptOptions{Interval: -1, DeliveredDelay: -1, Every: true}})
	faults.add(&apiRule{path: "/participant/event", until: time.Now().Add(time.Hour), delay: time.Millisecond, status: 400, code: "ValidationException"})
	for i := range 20 {
		require.NoError(t, s.SendReadReceipt(fmt.Sprintf("early-%d", i)))
	}
	for i := range 50 {
		ss.item(t, map[string]any{
			"Id": fmt.Sprintf("r%02d", i), "Type": "MESSAGE", "ContentType": "text/plain", "Content": "hi",
			"AbsoluteTime": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), "ParticipantId": "agent",
			"ContactId": cust.ContactID, "InitialContactId": cust.ContactID,
		})
		require.NoError(t, s.SendReadReceipt(fmt.Sprintf("unknown-%d", i)))
	}
	waitFor(t, s, 10*time.Second, func(ev chat.Event) bool { return ev.Item.ID == "r49" })
	assert.Positive(t, s.Stats().ReceiptErrors)
}

// Class 6: Close returns within 100 ms while a socket write is stalled,
// and no input waits for that write.
func TestRecoveryCloseDuringStalledWrite(t *testing.T) {
	t.Parallel()
	ss := newScriptedSocket(t)
	srv := participanttest.NewServer(participanttest.WithWebSocketBaseURL("ws" + strings.TrimPrefix(ss.URL, "http")))
	t.Cleanup(srv.Close)
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	stall := &stallDialer{}
	hc := &http.Client{Transport: &http.Transport{DialContext: stall.dial}}
	s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, &chat.Options{HTTPClient: hc, HeartbeatInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	waitFor(t, s, 10*time.Second, isKind(chat.KindParticipantJoined))
	stall.stall()
	time.Sleep(100 * time.Millisecond) // a heartbeat write is stalled now
	// Inputs still run: a receipt request returns at once.
	start := time.Now()
	require.NoError(t, s.SendReadReceipt("m1"))
	assert.Less(t, time.Since(start), 100*time.Millisecond, "SendReadReceipt waited for the stalled write")
	start = time.Now()
	require.NoError(t, s.Close())
	assert.Less(t, time.Since(start), 100*time.Millisecond, "Close waited for the stalled write")
}

// stallDialer dials TCP; after stall, writes on its connections block until
// the connection is closed.
type stallDialer struct {
	mu      sync.Mutex
	stalled bool
}

func (d *stallDialer) stall() {
	d.mu.Lock()
	d.stalled = true
	d.mu.Unlock()
}

func (d *stallDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &stallConn{Conn: c, d: d, closed: make(chan struct{})}, nil
}

type stallConn struct {
	net.Conn
	d      *stallDialer
	once   sync.Once
	closed chan struct{}
}

func (c *stallConn) Write(b []byte) (int, error) {
	c.d.mu.Lock()
	stalled := c.d.stalled
	c.d.mu.Unlock()
	if stalled {
		<-c.closed
		return 0, net.ErrClosed
	}
	return c.Conn.Write(b)
}

func (c *stallConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// Class 7a: only a heartbeat reply counts as liveness: a socket that
// answers heartbeats with error frames is replaced.
func TestRecoveryErrorFrameIsNotAHeartbeat(t *testing.T) {
	t.Parallel()
	ss, s := scriptedSessionWith(t, &chat.Options{HeartbeatInterval: 50 * time.Millisecond}, func(ss *scriptedSocket) {
		ss.errorHeartbeats.Store(1)
	})
	_ = ss
	waitFor(t, s, 10*time.Second, isKind(chat.KindConnectionLost))
	waitFor(t, s, 10*time.Second, isKind(chat.KindConnectionReestablished))
	assert.Positive(t, s.Stats().HeartbeatMisses)
}

// Class 7b: a 403 from GetTranscript with an expired ConnectionToken
// refreshes the token and reads again; the chat goes on.
func TestRecoveryExpiredTokenRefreshes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		client, faults := faultyClient(srv)
		faults.add(&apiRule{path: "/participant/transcript", times: 1, status: 403, code: "AccessDeniedException"})
		cust, s := connect(t, srv, client, &chat.Options{})
		p := newPuppet()
		_, err := srv.AddAgent(cust.ContactID, p)
		require.NoError(t, err)
		p.post(t, "after")
		got, evs := messages(t, s, 1, time.Minute)
		assert.Equal(t, []string{"after"}, got)
		for _, ev := range evs {
			assert.NotEqual(t, chat.KindChatEnded, ev.Kind)
		}
		assert.Positive(t, s.Stats().TokenRefreshes)
	})
}

// Class 8: items of one millisecond come in the service's order: a read
// receipt after the message it acknowledges, an echo after its original.
func TestRecoverySameMillisecondOrder(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 20; seed++ {
		synctest.Test(t, func(t *testing.T) {
			srv := participanttest.NewUnstartedServer(participanttest.WithSeed(seed), participanttest.WithAgent(func() participanttest.Agent { return participanttest.EchoAgent{} }))
			srv.StartInMemory()
			defer srv.Close()
			_, s := connect(t, srv, nil, &chat.Options{})
			waitFor(t, s, time.Minute, func(ev chat.Event) bool {
				return ev.Kind == chat.KindParticipantJoined && ev.Item.DisplayName == "Echo"
			})
			out, err := s.SendMessage(context.Background(), &chat.Message{Content: "ping"})
			require.NoError(t, err)
			seen := map[string]bool{}
			var order []string
			echo, receipt := false, false
			evs := waitFor(t, s, time.Minute, func(ev chat.Event) bool {
				echo = echo || ev.Kind == chat.KindMessage && ev.Item.DisplayName == "Echo"
				receipt = receipt || ev.Kind == chat.KindReadReceipt
				return echo && receipt
			})
			for _, ev := range evs {
				switch ev.Kind {
				case chat.KindMessage:
					seen[ev.Item.ID] = true
					order = append(order, ev.Item.Content)
				case chat.KindReadReceipt:
					assert.True(t, seen[ev.MessageID], "seed %d: receipt for %s before the message", seed, ev.MessageID)
				}
			}
			assert.Equal(t, []string{"ping", "ping"}, order, "seed %d", seed)
			assert.True(t, seen[out.ID])
			// The first "ping" is ours.
			assert.Equal(t, out.ID, firstMessage(evs).Item.ID, "seed %d: the echo came before its original", seed)
		})
	}
}

func firstMessage(evs []chat.Event) chat.Event {
	for _, ev := range evs {
		if ev.Kind == chat.KindMessage {
			return ev
		}
	}
	return chat.Event{}
}

// itemMap turns an emulator item into the map scriptedSocket.item sends.
func itemMap(it participanttest.Item) map[string]any {
	b, _ := json.Marshal(it)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// scriptedChat is scriptedSession that also returns the emulator and the
// customer.
func scriptedChat(t *testing.T, o *chat.Options) (*scriptedSocket, *apiFaults, participanttest.Participant, *chat.Session) {
	t.Helper()
	ss := newScriptedSocket(t)
	srv := participanttest.NewServer(participanttest.WithWebSocketBaseURL("ws" + strings.TrimPrefix(ss.URL, "http")))
	t.Cleanup(srv.Close)
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	if o == nil {
		o = &chat.Options{}
	}
	o.SubscribeTimeout = 50 * time.Millisecond
	if o.ReorderWindow == 0 {
		o.ReorderWindow = 20 * time.Millisecond
	}
	client, faults := faultyClient(srv)
	s, err := chat.Connect(context.Background(), client, cust.ParticipantToken, o)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	waitFor(t, s, 10*time.Second, isKind(chat.KindParticipantJoined))
	faults.srv = srv
	return ss, faults, cust, s
}

// scriptedSessionWith is scriptedChat with the socket set up by prep first.
func scriptedSessionWith(t *testing.T, o *chat.Options, prep func(*scriptedSocket)) (*scriptedSocket, *chat.Session) {
	t.Helper()
	ss := newScriptedSocket(t)
	prep(ss)
	srv := participanttest.NewServer(participanttest.WithWebSocketBaseURL("ws" + strings.TrimPrefix(ss.URL, "http")))
	t.Cleanup(srv.Close)
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	o.SubscribeTimeout = 50 * time.Millisecond
	s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, o)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return ss, s
}

// Real time, -race: the worker (gap fills, receipts, token refreshes) and
// the frame processor overlap while sockets are cut; every message comes
// once, in the transcript's order.
func TestRealTimeWorkerAndFramesOverlap(t *testing.T) {
	t.Parallel()
	const n = 300
	srv := participanttest.NewServer(participanttest.WithSeed(5), participanttest.WithLifetimes(participanttest.Lifetimes{ConnectionToken: 3 * time.Second}))
	t.Cleanup(srv.Close)
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, &chat.Options{
		ReorderWindow:      20 * time.Millisecond,
		TokenRefreshBefore: 2 * time.Second, // a refresh every second
		ReconnectBackoff:   10 * time.Millisecond,
		Receipts:           chat.ReceiptOptions{Interval: 10 * time.Millisecond, DeliveredDelay: -1},
	})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = srv.AddAgent(cust.ContactID, burstAgent{n: n, every: 2 * time.Millisecond})
	require.NoError(t, err)
	stop := make(chan struct{})
	cut := make(chan struct{})
	go func() {
		defer close(cut)
		for i := 0; i < 5; i++ {
			select {
			case <-time.After(60 * time.Millisecond):
				srv.DropSockets(cust.ContactID)
			case <-stop:
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []string
	for len(got) < n {
		ev, err := s.Next(ctx)
		require.NoError(t, err, "after %d messages (stats %+v)", len(got), s.Stats())
		if ev.Kind == chat.KindMessage && ev.Item.DisplayName == "Burst" && !ev.Update {
			got = append(got, ev.Item.Content)
			require.NoError(t, s.SendDeliveredReceipt(ev.Item.ID))
			require.NoError(t, s.SendReadReceipt(ev.Item.ID))
		}
	}
	close(stop)
	<-cut
	var want []string
	for _, it := range srv.Transcript(cust.ContactID) {
		if it.DisplayName == "Burst" && it.Type == "MESSAGE" {
			want = append(want, it.Content)
		}
	}
	assert.Equal(t, want, got)
	assert.Positive(t, s.Stats().Reconnects)
}

// Defect 1 of issue 17 (real time): a service that acknowledges every
// subscribe and then drops the socket meets the backoff, not a storm.
func TestRecoveryDropAfterAckBacksOff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		mode int64
	}{{"cut", 1}, {"close 1001", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ss, faults, _, s := scriptedChat(t, &chat.Options{})
			conns := faults.add(&apiRule{path: "/participant/connection", pass: true})
			ss.dropAfterAck.Store(tc.mode)
			before := ss.sockets.Load()
			ss.dropAll()
			const window = 4 * time.Second
			time.Sleep(window)
			dials := ss.sockets.Load() - before
			// Immediate, then after 0.5-1 s, 1-2 s, 2-4 s: at most 4 in 4 s.
			assert.LessOrEqual(t, dials, int64(5), "sockets dialled in %v (stats %+v)", window, s.Stats())
			assert.GreaterOrEqual(t, dials, int64(2), "sockets dialled in %v", window)
			assert.LessOrEqual(t, faults.hits(conns), 5, "CreateParticipantConnection calls in %v", window)
			assert.Positive(t, s.Stats().ReconnectAttempts)
		})
	}
}

// Defect 2 of issue 17: a GetTranscript that takes 45 s holds neither the
// next reconnect nor Disconnect: connection work has its own lane, and
// the gap fill of a lost socket is cancelled.
func TestRecoverySlowTranscriptBlocksNothing(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, &chat.Options{Seed: 5})
		waitFor(t, s, time.Minute, isKind(chat.KindParticipantJoined))
		time.Sleep(10 * time.Second)
		srv.Inject(participanttest.Latency(participanttest.OpGetTranscript, 45*time.Second).Always())
		srv.DropSockets(cust.ContactID)
		waitFor(t, s, 5*time.Second, isKind(chat.KindConnectionReestablished))
		time.Sleep(time.Second) // the gap fill's GetTranscript is stalled now
		srv.DropSockets(cust.ContactID)
		start := time.Now()
		waitFor(t, s, time.Minute, isKind(chat.KindConnectionReestablished))
		assert.LessOrEqual(t, time.Since(start), 2*time.Second, "reconnect behind the stalled transcript read")

		start = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		require.NoError(t, s.Disconnect(ctx))
		assert.LessOrEqual(t, time.Since(start), 2*time.Second, "Disconnect behind the stalled transcript read")
		srv.ClearFaults()
	})
}

// Defect 3 of issue 17: a GetTranscript whose every page has a new
// NextToken ends after a bounded read, counted as failed; the live item
// held behind it is delivered all the same.
func TestRecoveryEndlessTranscriptPages(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		client, faults := faultyClient(srv)
		cust, s := connect(t, srv, client, &chat.Options{Seed: 9})
		p := newPuppet()
		_, err := srv.AddAgent(cust.ContactID, p)
		require.NoError(t, err)
		p.post(t, "before")
		got, _ := messages(t, s, 1, time.Minute)
		require.Equal(t, []string{"before"}, got)
		time.Sleep(10 * time.Second)

		var pages atomic.Int64
		endless := faults.add(&apiRule{path: "/participant/transcript", body: func() string {
			return fmt.Sprintf(`{"InitialContactId":%q,"Transcript":[],"NextToken":"page-%d"}`, cust.ContactID, pages.Add(1))
		}})
		srv.DropSockets(cust.ContactID)
		waitFor(t, s, time.Minute, isKind(chat.KindConnectionReestablished))
		p.post(t, "live")
		start := time.Now()
		got, _ = messages(t, s, 1, 10*time.Minute)
		assert.Equal(t, []string{"live"}, got, "stats %+v", s.Stats())
		assert.LessOrEqual(t, time.Since(start), 3*time.Minute, "the live item was held")
		// Each read stops after 500 pages; reads back off.
		n := faults.hits(endless)
		assert.Greater(t, n, 500, "transcript pages read")
		assert.Less(t, n, 500*12, "transcript pages read")
	})
}

// Defect 5 of issue 17: an item stamped in the year 9999 is delivered, but
// the gap fill after the next outage still reads from the last real item:
// the messages of the outage come.
func TestRecoveryFutureItemDoesNotPoisonTheAnchor(t *testing.T) {
	t.Parallel()
	ss, faults, cust, s := scriptedChat(t, &chat.Options{})
	p := newPuppet()
	_, err := faults.srv.AddAgent(cust.ContactID, p)
	require.NoError(t, err)
	ss.item(t, map[string]any{
		"Id": "future", "Type": "MESSAGE", "ContentType": "text/plain", "Content": "from 9999",
		"AbsoluteTime": "9999-12-31T23:59:59.000Z", "ParticipantId": "bot", "DisplayName": "Bot",
	})
	waitFor(t, s, 10*time.Second, func(ev chat.Event) bool { return ev.Item.ID == "future" })
	for _, round := range []string{"b", "c"} { // two outages
		ss.dropAll()
		p.post(t, round+"1")
		p.post(t, round+"2")
		got, _ := messages(t, s, 2, 20*time.Second)
		assert.Equal(t, []string{round + "1", round + "2"}, got, "stats %+v", s.Stats())
	}
	assert.NotEqual(t, "future", s.Checkpoint().LastItemID)
}

// Defect 6 of issue 17: a receipt refused with 403 because the
// ConnectionToken expired is sent again after the refresh, not lost.
func TestRecoveryReceiptRequeuedAfterRefresh(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		client, faults := faultyClient(srv)
		cust, s := connect(t, srv, client, &chat.Options{Receipts: chat.ReceiptOptions{Interval: -1, DeliveredDelay: -1}})
		p := newPuppet()
		_, err := srv.AddAgent(cust.ContactID, p)
		require.NoError(t, err)
		it := p.post(t, "read me")
		messages(t, s, 1, time.Minute)
		refused := faults.add(&apiRule{path: "/participant/event", times: 1, status: 403, code: "AccessDeniedException"})
		require.NoError(t, s.SendReadReceipt(it.ID))
		time.Sleep(10 * time.Second)
		st := s.Stats()
		assert.Equal(t, 1, faults.hits(refused))
		assert.Equal(t, int64(1), st.ReceiptsSent, "stats %+v", st)
		assert.Equal(t, int64(1), st.ReceiptsRequeued, "stats %+v", st)
		assert.Equal(t, int64(0), st.ReceiptErrors, "stats %+v", st)
		assert.Positive(t, st.TokenRefreshes)
	})
}
