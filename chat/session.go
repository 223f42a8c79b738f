package chat

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/lane"
)

// Errors of a session. Session.Next returns one of them once the session is
// over and its events are read; the methods that act in the chat return
// them after that.
var (
	// ErrClosed: Session.Close was called.
	ErrClosed = errors.New("chat: session closed")
	// ErrChatEnded: the chat ended (the KindChatEnded event was delivered).
	ErrChatEnded = errors.New("chat: the chat has ended")
	// ErrDisconnected: the participant left with Session.Disconnect and no
	// chat.ended came within Options.DisconnectWait (an agent leaving a
	// chat that goes on).
	ErrDisconnected = errors.New("chat: the participant has left the chat")
	// ErrBroken: the session gave up reconnecting. The error Next returns
	// matches it with errors.Is and wraps the last failure.
	ErrBroken = errors.New("chat: connection broken")
	// ErrSlowConsumer: the application did not read events with Next
	// fast enough: more than Options.MaxPendingEvents waited (typing
	// events, dropped first, not counted). The events queued before can
	// still be read, and Session.Checkpoint then resumes exactly after
	// them, losing nothing.
	ErrSlowConsumer = errors.New("chat: events not read fast enough (Options.MaxPendingEvents)")
	// ErrSubscribe: the WebSocket never confirmed the aws/chat subscription
	// within Options.SubscribeAttempts.
	ErrSubscribe = errors.New("chat: aws/chat subscription not acknowledged")
)

// errHeartbeat is why a socket that stopped answering was given up.
var errHeartbeat = errors.New("chat: heartbeat not answered")

// sessionIDs numbers sessions for the logs.
var sessionIDs atomic.Uint64

// Session is one participant's live chat: a WebSocket to the Participant
// Service that survives network loss, and the events of the chat, each
// item once and in order (see Next).
//
// A Session runs goroutines of its own: the reader of its WebSocket (two
// during a rotation) and that socket's writer, a processor that decodes and
// handles what the readers read, and three lanes for the service calls it
// makes (connection work; transcript reads; receipts and Disconnect); all
// but the readers exit when idle, and its timer runs briefly in the
// runtime's. The Session itself is the coordinator of pure parts (the
// connector, the gap filler, the token refresher, the engine, typing
// expiry and the receipt queue): it dispatches inputs to them, runs their
// earliest deadline, does the I/O they ask for and publishes the events. An
// idle session runs one, its reader. Close stops them all. Its methods are
// safe for concurrent use. Any number of sessions may share one
// participant.Client.
type Session struct {
	client *participant.Client
	ptoken participant.Token
	cfg    config
	log    *slog.Logger
	hc     *http.Client

	ctx    context.Context // ends when the session is over
	cancel context.CancelFunc
	wg     sync.WaitGroup // readers and worker
	ready  chan error     // the first subscription, or why not
	done   chan struct{}  // closed when the session is over
	st     counters
	met    *sessionMetrics // nil without Options.MeterProvider and TracerProvider

	mu         sync.Mutex // guards the fields below
	events     []Event
	head       int
	notify     chan struct{}
	term       error // why the session is over; nil while it runs
	slow       bool  // MaxPendingEvents was passed: nothing more is queued
	token      participant.Token
	tokenExp   time.Time
	last       lastItem // the newest item Next returned
	lastTyping time.Time
	self       string // this session's participant id, once known
	sent       idSet  // ids of items this session sent, until self is known
	sending    int    // sends under way while self is not known

	// The lanes (see calls.go): frames read, connection work, transcript
	// reads, and the rest (receipts, Disconnect, the polite close).
	frames   lane.Lane[inFrame]
	connLane lane.Lane[job]
	gapLane  lane.Lane[job]
	miscLane lane.Lane[job]

	// The state machine, guarded by lmu (see loop.go). lmu is taken
	// before mu, never after.
	lmu       sync.Mutex
	timer     *time.Timer
	armed     time.Time // the deadline timer is set for
	conn      connector
	eng       *engine
	typists   typists
	rq        *receiptQueue // made at the first receipt (see receipts)
	refresh   refresher
	gap       gapFiller
	gapStop   context.CancelFunc // ends the gap fill under way
	leaving   bool
	leaveBy   time.Time
	over      bool // the session is over (term is set)
	down      bool // shutdown ran
	contactID string
}

// lastItem is the newest item Next returned, the resume point of a
// Checkpoint.
type lastItem struct {
	t  time.Time
	id string
}

// request is something an application goroutine asks of the session.
type request struct {
	kind reqKind
	id   string
	done chan error
}

type reqKind uint8

const (
	reqRead reqKind = iota + 1
	reqDelivered
	reqDisconnect
)

// Checkpoint is what an application stores to resume a session later with
// [Resume]: the last item it received and the ConnectionToken. It encodes to
// JSON with the real token: treat the encoding as a secret. (It was named
// State before; "state" now means the connection's, see Session.Status.)
type Checkpoint struct {
	// ConnectionToken is the session's current ConnectionToken; with it the
	// application can call the participant.Client directly (for example
	// DisconnectParticipant) without resuming.
	ConnectionToken participant.Token `json:"connectionToken,omitempty"`
	// ConnectionExpiry is when ConnectionToken stops working.
	ConnectionExpiry time.Time `json:"connectionExpiry,omitzero"`
	// LastItemID and LastItemTime identify the newest item Next returned.
	LastItemID   string    `json:"lastItemId,omitempty"`
	LastItemTime time.Time `json:"lastItemTime,omitzero"`
}

// Connect joins a chat as the participant whose ParticipantToken (from
// StartChatContact or CreateParticipant) is given: it calls
// CreateParticipantConnection (WEBSOCKET and CONNECTION_CREDENTIALS,
// ConnectParticipant set), dials the WebSocket, subscribes to aws/chat and
// waits for the acknowledgement, resending the subscribe every
// Options.SubscribeTimeout for up to Options.SubscribeAttempts. It returns
// once subscribed; the first event is KindConnectionEstablished, then the
// chat's transcript so far (unless Options.NoHistory), then live events.
//
// ctx bounds the connect only. An error from CreateParticipantConnection
// is returned as the participant package made it (an AccessDeniedError
// inside: a wrong token, or a chat that has ended). opts may be nil.
func Connect(ctx context.Context, client *participant.Client, participantToken participant.Token, opts *Options) (*Session, error) {
	return start(ctx, client, participantToken, Checkpoint{}, opts)
}

// Resume continues a session from a Checkpoint that Session.Checkpoint
// returned, possibly in another process: it connects as Connect does, then
// delivers only the items after cp's last item, including those that came
// while no session ran, without repeating any (an item at or before cp's last item
// is taken as delivered). Resuming needs the ParticipantToken, because only
// CreateParticipantConnection hands out WebSocket URLs; the session then
// uses the ConnectionToken it returns. If the chat ended meanwhile,
// CreateParticipantConnection answers 403 and Resume returns that error.
func Resume(ctx context.Context, client *participant.Client, participantToken participant.Token, cp Checkpoint, opts *Options) (*Session, error) {
	return start(ctx, client, participantToken, cp, opts)
}

func start(ctx context.Context, client *participant.Client, ptoken participant.Token, st Checkpoint, opts *Options) (*Session, error) {
	if client == nil {
		return nil, errors.New("chat: nil participant.Client")
	}
	if ptoken == "" {
		return nil, errors.New("chat: empty participant token")
	}
	cfg := opts.withDefaults()
	s := &Session{
		client:   client,
		ptoken:   ptoken,
		cfg:      cfg,
		log:      cfg.Logger.With("session", sessionIDs.Add(1)),
		hc:       cfg.HTTPClient,
		ready:    make(chan error, 1),
		done:     make(chan struct{}),
		notify:   make(chan struct{}, 1),
		token:    st.ConnectionToken,
		tokenExp: st.ConnectionExpiry,
		self:     cfg.ParticipantID,
		sent:     idSet{limit: 16},
	}
	if s.hc == nil {
		if hc, ok := client.Options().HTTPClient.(*http.Client); ok {
			s.hc = hc
		} else {
			s.hc = http.DefaultClient
		}
	}
	s.frames.Init(&s.wg, maxInbox, s.process)
	run := s.runJobs
	s.connLane.Init(&s.wg, 8, run)
	s.gapLane.Init(&s.wg, 4, run)
	s.miscLane.Init(&s.wg, 8, run)
	s.conn = newConnector(&s.cfg)
	s.eng = newEngine(cfg.engine(), &s.st)
	s.typists = typists{timeout: cfg.TypingTimeout}
	s.refresh = refresher{before: cfg.TokenRefreshBefore}
	s.gap = gapFiller{overlap: cfg.GapFillOverlap}
	if !st.LastItemTime.IsZero() || st.LastItemID != "" {
		s.eng.startAfter(st.LastItemTime, st.LastItemID)
		s.last = lastItem{t: st.LastItemTime, id: st.LastItemID}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ctx, s.met = newSessionMetrics(s.ctx, cfg.TracerProvider, cfg.MeterProvider)
	s.timer = time.AfterFunc(time.Hour, s.onTimer)
	s.timer.Stop()
	s.input(func(time.Time) { s.startConnect() })

	select {
	case err := <-s.ready:
		if err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	case <-ctx.Done():
		s.Close()
		return nil, ctx.Err()
	}
}

// newRand returns the generator of the backoff jitter: seeded, or random
// when seed is zero.
func newRand(seed uint64) *rand.Rand {
	if seed == 0 {
		seed = rand.Uint64()
	}
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Next returns the next event of the session, waiting for one until ctx
// ends. Events are queued in memory from the moment the session makes
// them, up to Options.MaxPendingEvents: a reader that stops ends the
// session with ErrSlowConsumer rather than growing the process (typing
// events are dropped first). When the session is over and every event has
// been read, Next returns ErrChatEnded, ErrDisconnected, an error matching
// ErrBroken, ErrSlowConsumer or ErrClosed. Several goroutines may call
// Next; each event goes to one.
//
// Next is a pull, rather than a channel, so that backpressure and
// cancellation are the caller's own (its ctx), no goroutine is needed to
// feed a channel, and the end of the session is an error with a reason
// rather than a closed channel.
func (s *Session) Next(ctx context.Context) (Event, error) {
	for {
		s.mu.Lock()
		switch {
		case s.head < len(s.events) && !s.mustWait(&s.events[s.head]):
			ev := s.pop()
			s.met.taken()
			more := s.head < len(s.events) || s.term != nil
			s.mu.Unlock()
			if more {
				s.signal()
			}
			return ev, nil
		case s.head == len(s.events) && s.term != nil:
			err := s.term
			s.mu.Unlock()
			s.signal()
			return Event{}, err
		}
		s.mu.Unlock()
		select {
		case <-s.notify:
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
	}
}

// pop takes the next event off the queue, marks it Own, and moves the
// resume point to it. s.mu is held.
func (s *Session) pop() Event {
	ev := s.events[s.head]
	s.events[s.head] = Event{}
	s.markOwn(&ev)
	s.head++
	if s.head == len(s.events) {
		// Drained: let the array go, an idle session keeps none.
		s.events, s.head = nil, 0
	}
	if ev.Item.ID != "" && !ev.Update && ev.Kind < KindConnectionEstablished {
		// An item stamped far ahead of the clock is no resume point
		// (see maxAhead).
		if t := ev.Item.AbsoluteTime; !t.Before(s.last.t) && !t.After(time.Now().Add(maxAhead)) {
			s.last = lastItem{t: t.Time, id: ev.Item.ID}
		}
	}
	return ev
}

func (s *Session) signal() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// publish queues events for Next. It may keep evs's array: the caller
// must not use it after.
func (s *Session) publish(evs ...Event) {
	if len(evs) == 0 {
		return
	}
	s.mu.Lock()
	if s.slow {
		s.mu.Unlock()
		return
	}
	evs, typing, ok := admit(len(s.events)-s.head, s.cfg.MaxPendingEvents, evs)
	switch {
	case ok && len(s.events) == 0:
		s.events = evs // the queue was drained: no copy
	case ok:
		s.events = append(s.events, evs...)
	}
	s.slow = !ok
	s.mu.Unlock()
	if typing > 0 {
		s.st.typingDroppedN(typing)
		s.log.Debug("chat: events not read; typing events dropped", "dropped", typing)
	}
	if !ok {
		s.log.Warn("chat: events not read; ending the session", "pending", s.cfg.MaxPendingEvents)
		s.finish(ErrSlowConsumer)
		return
	}
	s.st.eventsMade(len(evs))
	s.met.published(evs)
	s.signal()
}

// admit decides what of evs joins a queue of queued events bounded by
// limit: all when they fit; else the typing events are dropped first
// (typing says how many); ok is false when the rest still does not fit,
// and then nothing joins (the session ends with ErrSlowConsumer: its
// Checkpoint is still exact, so a Resume loses nothing).
func admit(queued, limit int, evs []Event) (kept []Event, typing int, ok bool) {
	if queued+len(evs) <= limit {
		return evs, 0, true
	}
	kept = evs[:0:0]
	for _, ev := range evs {
		if ev.Kind == KindTyping || ev.Kind == KindTypingStopped {
			typing++
			continue
		}
		kept = append(kept, ev)
	}
	return kept, typing, queued+len(kept) <= limit
}

// markOwn sets ev.Own, learning the session's participant from the first
// item of its own sends seen. It runs as Next returns the event, not when it
// is made: with no reorder window an own echo may arrive before the answer
// to the send that made it. s.mu is held.
func (s *Session) markOwn(ev *Event) {
	if s.self == "" && len(s.sent.m) > 0 && ev.Item.ParticipantID != "" && s.sent.has(ev.Item.ID) {
		s.self = ev.Item.ParticipantID
		s.sent = idSet{}
	}
	if s.self != "" {
		ev.Own = ev.ParticipantID == s.self
	}
}

// beginSend notes a send under way while the session does not know its
// participant yet, and reports whether it did: until the send's answer
// names its item, Next holds back the items that could be its echo (see
// mustWait).
func (s *Session) beginSend() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.self != "" {
		return false
	}
	s.sending++
	return true
}

// endSend ends a send begun with beginSend, noting the id of the item it
// made (empty if it failed), until the session knows its participant.
func (s *Session) endSend(counted bool, id string) {
	s.mu.Lock()
	if counted {
		s.sending--
	}
	if s.self == "" && id != "" {
		s.sent.add(id)
	}
	s.mu.Unlock()
	s.signal()
}

// mustWait reports whether Next holds ev back: the session does not know
// its participant, a send is under way, and ev is an item that send could
// have made (its echo can arrive before the send's answer). Once the
// participant is known, nothing waits. s.mu is held.
func (s *Session) mustWait(ev *Event) bool {
	if s.self != "" || s.sending == 0 || ev.Update || ev.Item.ParticipantID == "" || s.sent.has(ev.Item.ID) {
		return false
	}
	return ev.Kind == KindMessage || ev.Kind == KindTyping || ev.Kind == KindAttachment
}

// ParticipantID returns this session's own participant id:
// Options.ParticipantID, or the id learned from the first own item seen
// (see Options.ParticipantID); empty until known.
func (s *Session) ParticipantID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.self
}

// finish ends the session with err (unless it already ended); the input
// that calls it then shuts the session down. s.lmu is held.
func (s *Session) finish(err error) {
	s.mu.Lock()
	if s.term == nil {
		s.term = err
	}
	s.mu.Unlock()
	s.over = true
	s.signal()
}

// Close ends the session at once: its sockets close, its goroutines
// stop, the events not yet read are dropped and Next returns ErrClosed.
// It does not take the participant out of the chat (see Disconnect), so the
// chat can be resumed later (see Checkpoint). Close is idempotent and returns
// nil.
func (s *Session) Close() error {
	s.lmu.Lock()
	if !s.over {
		s.finish(ErrClosed)
	}
	s.shutdown()
	s.lmu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.mu.Lock()
	s.term = ErrClosed
	s.events, s.head = nil, 0
	s.mu.Unlock()
	s.frames.Clear()
	s.connLane.Clear()
	s.gapLane.Clear()
	s.miscLane.Clear()
	s.signal()
	return nil
}

// Checkpoint returns what to store to resume the session later with
// Resume. Its last item is the newest item Next has returned.
func (s *Session) Checkpoint() Checkpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Checkpoint{ConnectionToken: s.token, ConnectionExpiry: s.tokenExp, LastItemID: s.last.id, LastItemTime: s.last.t}
}

// Status is the state of a session's connection, as Session.Status
// reports it for a UI.
type Status uint8

// The statuses of a session.
const (
	// StatusConnecting: the first connect is under way.
	StatusConnecting Status = iota + 1
	// StatusConnected: a WebSocket is subscribed (a rotation included).
	StatusConnected
	// StatusReconnecting: the socket was lost and is being replaced.
	StatusReconnecting
	// StatusEnded: the session is over (Next returns its reason once the
	// events are read).
	StatusEnded
)

// String returns the status's name, such as "Reconnecting".
func (st Status) String() string {
	switch st {
	case StatusConnecting:
		return "Connecting"
	case StatusConnected:
		return "Connected"
	case StatusReconnecting:
		return "Reconnecting"
	case StatusEnded:
		return "Ended"
	}
	return "Status(" + strconv.Itoa(int(st)) + ")"
}

// Status returns the state of the session's connection now. The
// KindConnection* events report its changes in the event stream.
func (s *Session) Status() Status {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if s.over {
		return StatusEnded
	}
	return s.conn.status()
}

// ConnectionToken returns the session's current ConnectionToken, for calls
// of the participant.Client the session does not make, such as
// GetAttachment. It changes when the session reconnects or refreshes it.
func (s *Session) ConnectionToken() participant.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

func (s *Session) setToken(tok participant.Token, exp time.Time) {
	s.mu.Lock()
	s.token, s.tokenExp = tok, exp
	s.mu.Unlock()
}

// Stats are the counters of a session, as Session.Stats returns them.
type Stats struct {
	// Reconnects counts the losses the session recovered from: new sockets
	// subscribed after the previous one was lost.
	Reconnects int64
	// ReconnectAttempts counts the attempts that failed (each a
	// CreateParticipantConnection, dial and subscribe).
	ReconnectAttempts int64
	// Rotations counts sockets replaced before they aged out.
	Rotations int64
	// TokenRefreshes counts ConnectionTokens refreshed before expiry.
	TokenRefreshes int64
	// HeartbeatMisses counts sockets given up for an unanswered heartbeat.
	HeartbeatMisses int64
	// PingFailures counts aws/ping (deep heartbeat) replies that were not
	// 200 OK or did not come.
	PingFailures int64
	// GapFills counts transcript reads after a (re)connect or rotation.
	GapFills int64
	// GapFilledItems counts items first seen in a transcript read, not on
	// the WebSocket: what the session would have missed without gap fill
	// (the history of the first connect included).
	GapFilledItems int64
	// DuplicatesDropped counts copies of items already known: the same
	// frame twice, an item both on the socket and in the transcript,
	// items seen on two sockets during a rotation.
	DuplicatesDropped int64
	// LateItems counts items delivered after a later item, with
	// Event.Late set (see there).
	LateItems int64
	// Updates counts events with Update set.
	Updates int64
	// Events counts the events made (read by Next or not).
	Events int64
	// ReceiptsSent counts read and delivered receipts the service took.
	ReceiptsSent int64
	// ReceiptConflicts counts receipts refused with 409 (more than two
	// participants in the chat), dropped quietly.
	ReceiptConflicts int64
	// ReceiptErrors counts receipts that failed otherwise (each logged at
	// Warn with its reason), including those still refused with 403 after
	// token refreshes.
	ReceiptErrors int64
	// ReceiptsRequeued counts receipts refused with 403 (an expired
	// ConnectionToken) and queued again after the token was refreshed.
	ReceiptsRequeued int64
	// TypingSent counts typing events sent; TypingThrottled those dropped
	// by Options.TypingInterval.
	TypingSent, TypingThrottled int64
	// TypingDropped counts typing events (KindTyping, KindTypingStopped)
	// not queued because Options.MaxPendingEvents events waited.
	TypingDropped int64
}

// Stats returns the session's counters so far.
func (s *Session) Stats() Stats { return s.st.snapshot() }

// ask runs an application's request, or returns why the session cannot.
func (s *Session) ask(r request) error {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	if s.over {
		return s.endError()
	}
	now := time.Now()
	s.request(r, now)
	s.after(now)
	return nil
}

func (s *Session) endError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.term
}
