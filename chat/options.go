package chat

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
)

// Options configures a [Session]. The zero value (or nil) gives the
// behaviour of the official clients; every field documents its default.
// Durations: zero means the default, a negative value turns the behaviour
// off where the field says so. Connect copies Options; the caller's value is
// never changed.
type Options struct {
	// Logger receives the session's state changes at Info (connected,
	// lost, reconnected, rotated, ended) and Warn (a failed reconnect,
	// receipt or refresh), and details at Debug (gap fills, heartbeats).
	// Records never hold a token, and WebSocket URLs appear without their
	// query, which holds the signature. Nil logs nothing.
	Logger *slog.Logger

	// ParticipantID is this session's own participant id, when the
	// application knows it (CreateParticipantConnection does not return
	// it). The session marks the events of its own participant with
	// Event.Own. Without it, the session learns the id from the first item
	// it sees of those its SendMessage and SendTyping sent; an own item
	// released before that is not marked.
	ParticipantID string

	// HTTPClient dials the WebSocket. The default is the HTTPClient of the
	// participant.Client when that is an *http.Client (as with
	// participanttest.Server.Client), else http.DefaultClient.
	HTTPClient *http.Client

	// HeartbeatInterval is how often aws/heartbeat and aws/ping go out:
	// 10 seconds, as in every official client. A heartbeat still
	// unanswered at the next tick means the socket is dead: the session
	// reconnects. A failed or unanswered aws/ping (the service's deep
	// health check) is only logged and counted.
	HeartbeatInterval time.Duration

	// SubscribeTimeout is how long the session waits for the answer to
	// aws/subscribe before sending it again: 1 second. A "failure" answer
	// is retried after half of it.
	SubscribeTimeout time.Duration

	// SubscribeAttempts bounds the subscribe: after this many sends without
	// success (4, as chatjs), the socket is given up, with an error
	// matching ErrSubscribe.
	SubscribeAttempts int

	// ReconnectBackoff is the base of the delay between reconnect
	// attempts: 1 second. The first attempt after a loss is immediate,
	// unless the lost socket lived less than 5 seconds after its subscribe
	// (a service that acks and then drops): that counts as a failed
	// attempt, whatever stage fails, so reconnects always back off.
	// Attempt n waits a random duration between half and all of
	// min(ReconnectBackoff × 2^(n-1), ReconnectMaxBackoff).
	ReconnectBackoff time.Duration

	// ReconnectMaxBackoff caps that delay: 30 seconds, as chatjs.
	ReconnectMaxBackoff time.Duration

	// MaxReconnectAttempts, when above zero, ends the session with
	// KindConnectionBroken after that many failed attempts in a row.
	// The default, zero, retries for as long as the chat lasts.
	MaxReconnectAttempts int

	// RotateAfter is the age at which the session replaces its WebSocket,
	// make-before-break: a new socket is opened and subscribed before the
	// old one closes, and items seen on both are delivered once. The
	// default is 59 minutes, as chatjs. Negative: never.
	RotateAfter time.Duration

	// TokenRefreshBefore is how long before the ConnectionToken expires the
	// session gets a new one (CreateParticipantConnection for
	// CONNECTION_CREDENTIALS): 60 seconds, as chatjs. Every reconnect and
	// rotation gets a new token too. Negative: never.
	TokenRefreshBefore time.Duration

	// ReorderWindow is how long an item from the WebSocket waits before
	// it is delivered, so that an item the service sent earlier but the
	// network delivered later still comes first. The default, zero,
	// delivers each item when it arrives, as the official clients do: one
	// socket does not reorder frames, and the seams where order can break
	// (gap fills, rotation) are held anyway. An item arriving after a later
	// one was delivered goes out at once with Event.Late set (counted in
	// Stats.LateItems), never dropped. A positive window adds its length
	// to every item's latency. Negative is zero.
	ReorderWindow time.Duration

	// GapFillOverlap is how far before the last delivered item a gap fill
	// starts reading the transcript, so that an item in flight when the
	// socket died is found even if a later one arrived: 2 seconds.
	// Items read twice are dropped by Id.
	GapFillOverlap time.Duration

	// RecentIDs is how many delivered item ids the session remembers to
	// drop duplicates: 1024. Gap fills never start before the oldest
	// remembered item, so a smaller bound shortens the overlap rather than
	// letting duplicates through. Each id remembered costs about 100 bytes,
	// none of them pointers for the garbage collector to follow
	// (BenchmarkEngineRecentIDs).
	RecentIDs int

	// NoHistory makes the first connect deliver only what happens from
	// then on. By default the session first delivers the whole transcript
	// of the chat (for a persistent chat, the past contacts' items too,
	// with FromPastSession set), then live items.
	// "From then on" starts after the newest transcript item read before
	// the WebSocket is dialled; what comes after it, even before the socket
	// is subscribed, is delivered.
	NoHistory bool

	// TypingInterval throttles Session.SendTyping: at most one typing event
	// per interval, the first call of a burst sent at once (leading edge),
	// the others dropped: 10 seconds, as every official client. Negative:
	// no throttle.
	TypingInterval time.Duration

	// TypingTimeout is how long after a participant's typing event the
	// session reports KindTypingStopped, unless a message or attachment of
	// theirs comes first (which ends it at once): 12 seconds, as the
	// Android SDK. The service never sends a "stopped typing" event.
	// Negative: no KindTypingStopped events.
	TypingTimeout time.Duration

	// Receipts configures Session.SendReadReceipt and
	// Session.SendDeliveredReceipt.
	Receipts ReceiptOptions

	// StreamChunks delivers a streamed bot message as it grows: a
	// KindMessage with Partial set at the first chunk, then updates (Update
	// and Partial set) with the text so far, then the complete message as
	// an update. By default the message is delivered once, complete, in
	// its place, and later items wait for it (for up to ChunkTimeout).
	StreamChunks bool

	// ChunkTimeout bounds the wait for the rest of a streamed message: if
	// no chunk comes for this long, what came is delivered with Partial
	// set, and the complete message follows as an update when it comes:
	// 30 seconds.
	ChunkTimeout time.Duration

	// DisconnectWait bounds how long Session.Disconnect waits for the
	// chat.ended event after DisconnectParticipant: 10 seconds. (An agent
	// that leaves a chat that goes on never gets one.)
	DisconnectWait time.Duration

	// MaxPendingEvents bounds the events waiting to be read with
	// Session.Next: 65,536. Past it, typing events are dropped (counted in
	// Stats.TypingDropped); past it still, the session ends with
	// ErrSlowConsumer. The events queued before it can still be read, and
	// a Resume from Session.Checkpoint then continues after them.
	MaxPendingEvents int

	// Seed, when not zero, seeds the jitter of the reconnect backoff, so
	// that a test replays. The default draws a random seed.
	Seed uint64

	// MeterProvider, when set, receives the session's metrics (see
	// metrics.go for the list): sessions open, connection losses by
	// cause, reconnects and failed attempts, rotations, gap fills by
	// result with their items and pages, items delivered, duplicates
	// dropped, late items, the delivery lag from an item's AbsoluteTime,
	// pending events, receipts sent and failed by reason. Attributes are
	// few and fixed (cause, result, reason): never a contact id or a
	// token. The session's service calls are recorded with it too, as
	// participant.Options.MeterProvider records them. OpenTelemetry plugs
	// in through smithy-go's smithyotelmetrics.Adapt.
	MeterProvider metrics.MeterProvider

	// TracerProvider, when set, receives a "chat.Session" span from the
	// connect to the end of the session, with the contact id
	// (aws.connect.contact_id) and events for lost sockets, reconnects and
	// failed gap fills, and the spans of the session's service calls
	// below it (as participant.Options.TracerProvider records them).
	TracerProvider tracing.TracerProvider
}

// ReceiptOptions configures how a session sends read and delivered
// receipts. Receipts are deduplicated per message (a read is sent once;
// a delivered is sent once and never after a read), held briefly so that a
// read can replace a delivered, sent at most once per Interval, and never
// after the chat ended. A receipt the service refuses with 409 (more than
// two participants in the chat, such as a supervisor) is dropped quietly and
// counted in Stats.ReceiptConflicts.
type ReceiptOptions struct {
	// Disabled makes SendReadReceipt and SendDeliveredReceipt do nothing.
	Disabled bool

	// Interval is the batching window: 5 seconds, as chatjs. The first
	// receipt after a quiet Interval goes at once; the others wait for the
	// end of the window. Negative: every receipt goes at once.
	Interval time.Duration

	// DeliveredDelay is how long a delivered receipt waits for a read
	// receipt of the same message to replace it: 300 milliseconds, as
	// chatjs. Negative: no wait.
	DeliveredDelay time.Duration

	// Every sends a receipt for every message. By default, as chatjs, each
	// window sends only the newest read receipt and the newest delivered
	// receipt asked for (a read of the latest message implies the earlier
	// ones); the earlier ones count as sent.
	Every bool
}

// config is Options with the defaults applied.
type config struct {
	Options
}

func (o *Options) withDefaults() config {
	var c config
	if o != nil {
		c.Options = *o
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.HeartbeatInterval, 10*time.Second)
	def(&c.SubscribeTimeout, time.Second)
	def(&c.ReconnectBackoff, time.Second)
	def(&c.ReconnectMaxBackoff, 30*time.Second)
	def(&c.RotateAfter, 59*time.Minute)
	def(&c.TokenRefreshBefore, time.Minute)
	def(&c.GapFillOverlap, 2*time.Second)
	def(&c.TypingInterval, 10*time.Second)
	def(&c.TypingTimeout, 12*time.Second)
	def(&c.ChunkTimeout, 30*time.Second)
	def(&c.DisconnectWait, 10*time.Second)
	def(&c.Receipts.Interval, 5*time.Second)
	def(&c.Receipts.DeliveredDelay, 300*time.Millisecond)
	if c.HeartbeatInterval < 0 {
		c.HeartbeatInterval = 10 * time.Second
	}
	if c.SubscribeTimeout < 0 {
		c.SubscribeTimeout = time.Second
	}
	if c.SubscribeAttempts <= 0 {
		c.SubscribeAttempts = 4
	}
	if c.ReconnectBackoff < 0 {
		c.ReconnectBackoff = time.Second
	}
	if c.ReconnectMaxBackoff < c.ReconnectBackoff {
		c.ReconnectMaxBackoff = c.ReconnectBackoff
	}
	if c.ReorderWindow < 0 {
		c.ReorderWindow = 0
	}
	if c.GapFillOverlap < 0 {
		c.GapFillOverlap = 0
	}
	if c.MaxPendingEvents <= 0 {
		c.MaxPendingEvents = 65536
	}
	if c.RecentIDs <= 0 {
		c.RecentIDs = 1024
	}
	if c.ChunkTimeout < 0 {
		c.ChunkTimeout = 0
	}
	if c.DisconnectWait < 0 {
		c.DisconnectWait = 0
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func (c *config) engine() engineConfig {
	return engineConfig{
		window:       c.ReorderWindow,
		recentIDs:    c.RecentIDs,
		streamChunks: c.StreamChunks,
		chunkTimeout: c.ChunkTimeout,
	}
}
