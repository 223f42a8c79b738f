package chat

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
	"github.com/coder/websocket"
	"github.com/connectchat/participant"
)

// telemetryScope names the chat package's tracer and meter.
const telemetryScope = "github.com/connectchat/participant/chat"

// maxDeliveryLag bounds the delivery lag recorded for one item: an item
// whose AbsoluteTime is further in the past than this came from history,
// not from a delay, and a time the service got wrong must not stretch the
// histogram.
const maxDeliveryLag = time.Hour

// sessionMetrics records one session's telemetry: the instruments of the
// chat package (see Options.MeterProvider) and the session's span (see
// Options.TracerProvider). A session without providers has a nil
// *sessionMetrics, whose methods do nothing.
//
// The session calls it at a few points: sync after every input of its
// state machine (the Stats counters are turned into metric points by their
// growth since the last sync, so the counters stay the one record), lost
// when a socket is lost, gapFailed when a transcript read fails, published
// and taken as events enter and leave the queue, and end when the session
// shuts down.
type sessionMetrics struct {
	start time.Time // when the session started: older items are history

	span     tracing.Span
	callOpts []func(*participant.Options) // the providers, for the session's service calls

	sessionsOpen, pending                                 metrics.Int64UpDownCounter
	losses, reconnects, reconnectFailures, rotations      metrics.Int64Counter
	tokenRefreshes, pingFailures                          metrics.Int64Counter
	gapFills, gapItems, gapPages                          metrics.Int64Counter
	delivered, duplicates, late                           metrics.Int64Counter
	receiptsSent, receiptsFailed, typingSent, typingDrops metrics.Int64Counter
	slowDrops                                             metrics.Int64Counter
	lag                                                   metrics.Float64Histogram

	mu      sync.Mutex // guards the fields below
	last    Stats      // the counters at the last sync
	open    bool       // counted in sessionsOpen
	contact bool       // the span has the contact id

	queued int64 // events published and not yet taken

	ended atomic.Bool // end ran: the session's events are no longer pending
}

// newSessionMetrics returns the telemetry of a session with these
// providers, nil when both are nil.
func newSessionMetrics(ctx context.Context, tp tracing.TracerProvider, mp metrics.MeterProvider) (context.Context, *sessionMetrics) {
	if tp == nil && mp == nil {
		return ctx, nil
	}
	m := &sessionMetrics{start: time.Now()}
	m.callOpts = []func(*participant.Options){func(o *participant.Options) {
		if tp != nil {
			o.TracerProvider = tp
		}
		if mp != nil {
			o.MeterProvider = mp
		}
	}}
	if tp == nil {
		tp = tracing.NopTracerProvider{}
	}
	if mp == nil {
		mp = metrics.NopMeterProvider{}
	}
	ctx, m.span = tp.Tracer(telemetryScope).StartSpan(ctx, "chat.Session", func(o *tracing.SpanOptions) {
		o.Properties.Set("rpc.service", participant.ServiceID)
	})
	meter := mp.Meter(telemetryScope)
	nop := metrics.NopMeter{}
	counter := func(name, unit, desc string) metrics.Int64Counter {
		c, err := meter.Int64Counter(name, func(o *metrics.InstrumentOptions) { o.UnitLabel, o.Description = unit, desc })
		if err != nil || c == nil {
			c, _ = nop.Int64Counter(name)
		}
		return c
	}
	upDown := func(name, unit, desc string) metrics.Int64UpDownCounter {
		c, err := meter.Int64UpDownCounter(name, func(o *metrics.InstrumentOptions) { o.UnitLabel, o.Description = unit, desc })
		if err != nil || c == nil {
			c, _ = nop.Int64UpDownCounter(name)
		}
		return c
	}
	m.sessionsOpen = upDown("chat.sessions.open", "{session}", "The number of chat sessions connected and not yet over")
	m.pending = upDown("chat.events.pending", "{event}", "The number of events queued for Session.Next and not yet read")
	m.losses = counter("chat.connection.losses", "{loss}", "The number of WebSockets lost, by cause (heartbeat, closed, error)")
	m.reconnects = counter("chat.reconnects", "{reconnect}", "The number of losses the session recovered from with a new subscribed WebSocket")
	m.reconnectFailures = counter("chat.reconnect.failures", "{attempt}", "The number of reconnect attempts that failed")
	m.rotations = counter("chat.rotations", "{rotation}", "The number of WebSockets replaced before they aged out")
	m.tokenRefreshes = counter("chat.token_refreshes", "{refresh}", "The number of ConnectionTokens refreshed before they expired")
	m.pingFailures = counter("chat.ping.failures", "{failure}", "The number of aws/ping replies that were not 200 OK or did not come")
	m.gapFills = counter("chat.gap_fills", "{fill}", "The number of transcript reads after a connect, reconnect or rotation, by result (ok, failed)")
	m.gapItems = counter("chat.gap_fill.items", "{item}", "The number of items first found by a transcript read, not on the WebSocket")
	m.gapPages = counter("chat.gap_fill.pages", "{page}", "The number of transcript pages requested by gap fills")
	m.delivered = counter("chat.items.delivered", "{item}", "The number of items delivered to the application's queue")
	m.duplicates = counter("chat.items.duplicates_dropped", "{item}", "The number of copies of known items dropped")
	m.late = counter("chat.items.late", "{item}", "The number of items delivered after a later item")
	m.receiptsSent = counter("chat.receipts.sent", "{receipt}", "The number of read and delivered receipts the service took")
	m.receiptsFailed = counter("chat.receipts.failed", "{receipt}", "The number of receipts that failed, by reason (conflict, error)")
	m.typingSent = counter("chat.typing.sent", "{event}", "The number of typing events sent")
	m.typingDrops = counter("chat.typing.throttled", "{event}", "The number of typing events dropped by Options.TypingInterval")
	m.slowDrops = counter("chat.events.dropped", "{event}", "The number of incoming typing events dropped because Options.MaxPendingEvents events were waiting for Session.Next")
	h, err := meter.Float64Histogram("chat.items.delivery_lag", func(o *metrics.InstrumentOptions) {
		o.UnitLabel = "s"
		o.Description = "The time from an item's AbsoluteTime to its delivery to the application's queue (live items only)"
	})
	if err != nil || h == nil {
		h, _ = nop.Float64Histogram("chat.items.delivery_lag")
	}
	m.lag = h
	return ctx, m
}

// attr returns a record option with one attribute.
func attr(k, v string) metrics.RecordMetricOption {
	return func(o *metrics.RecordMetricOptions) { o.Properties.Set(k, v) }
}

// calls returns the options the session's service calls add, so that
// they are recorded with the session's providers; nil without telemetry.
func (m *sessionMetrics) calls() []func(*participant.Options) {
	if m == nil {
		return nil
	}
	return m.callOpts
}

// sync turns the growth of the session's counters since the last sync into
// metric points, marks the session open once it is connected, and puts the
// contact id on the session's span once it is known. s.lmu is held.
func (m *sessionMetrics) sync(st *counters, connected bool, contactID string) {
	if m == nil {
		return
	}
	now := st.snapshot()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ended.Load() {
		return
	}
	ctx := context.Background()
	was := m.last
	m.last = now
	add := func(c metrics.Int64Counter, d int64, opts ...metrics.RecordMetricOption) {
		if d > 0 {
			c.Add(ctx, d, opts...)
		}
	}
	add(m.reconnects, now.Reconnects-was.Reconnects)
	add(m.reconnectFailures, now.ReconnectAttempts-was.ReconnectAttempts)
	add(m.rotations, now.Rotations-was.Rotations)
	add(m.tokenRefreshes, now.TokenRefreshes-was.TokenRefreshes)
	add(m.pingFailures, now.PingFailures-was.PingFailures)
	add(m.gapFills, now.GapFills-was.GapFills, attr("result", "ok"))
	add(m.gapItems, now.GapFilledItems-was.GapFilledItems)
	add(m.duplicates, now.DuplicatesDropped-was.DuplicatesDropped)
	add(m.late, now.LateItems-was.LateItems)
	add(m.receiptsSent, now.ReceiptsSent-was.ReceiptsSent)
	add(m.receiptsFailed, now.ReceiptConflicts-was.ReceiptConflicts, attr("reason", "conflict"))
	add(m.receiptsFailed, now.ReceiptErrors-was.ReceiptErrors, attr("reason", "error"))
	add(m.typingSent, now.TypingSent-was.TypingSent)
	add(m.typingDrops, now.TypingThrottled-was.TypingThrottled)
	add(m.slowDrops, now.TypingDropped-was.TypingDropped)
	if now.Reconnects > was.Reconnects {
		m.span.AddEvent("reconnected")
	}
	if connected && !m.open {
		m.open = true
		m.sessionsOpen.Add(ctx, 1)
	}
	if contactID != "" && !m.contact {
		m.contact = true
		m.span.SetProperty("aws.connect.contact_id", contactID)
	}
}

// lossCause names why a socket was lost, from a small fixed set.
func lossCause(err error) string {
	switch {
	case errors.Is(err, errHeartbeat):
		return "heartbeat"
	case websocket.CloseStatus(err) != -1:
		return "closed"
	}
	return "error"
}

// lost records the loss of the session's socket.
func (m *sessionMetrics) lost(cause error) {
	if m == nil {
		return
	}
	c := lossCause(cause)
	m.losses.Add(context.Background(), 1, attr("cause", c))
	m.span.AddEvent("connection lost", func(o *tracing.EventOptions) { o.Properties.Set("cause", c) })
}

// gapFailed records a transcript read that failed after pages requests.
func (m *sessionMetrics) gapFailed(pages int) {
	if m == nil {
		return
	}
	ctx := context.Background()
	m.gapFills.Add(ctx, 1, attr("result", "failed"))
	m.gapPages.Add(ctx, int64(pages))
	m.span.AddEvent("gap fill failed")
}

// gapRead records the pages of a transcript read that succeeded (its items
// are counted by sync, from the engine's counter).
func (m *sessionMetrics) gapRead(pages int) {
	if m == nil || pages == 0 {
		return
	}
	m.gapPages.Add(context.Background(), int64(pages))
}

// published records events queued for Next: the items among them, with
// the delay from each live item's AbsoluteTime to now, and the queue's
// growth.
func (m *sessionMetrics) published(evs []Event) {
	if m == nil || len(evs) == 0 {
		return
	}
	ctx := context.Background()
	now := time.Now()
	var items int64
	for i := range evs {
		ev := &evs[i]
		if ev.Item.ID == "" || ev.Update || ev.Kind >= KindConnectionEstablished {
			continue
		}
		items++
		t := ev.Item.AbsoluteTime.Time
		if t.IsZero() || t.Before(m.start) {
			continue // history, or no time
		}
		lag := now.Sub(t)
		switch {
		case lag < 0:
			lag = 0 // the service's clock is ahead of ours
		case lag > maxDeliveryLag:
			continue
		}
		m.lag.Record(ctx, lag.Seconds())
	}
	if items > 0 {
		m.delivered.Add(ctx, items)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.ended.Load() {
		m.queued += int64(len(evs))
		m.pending.Add(ctx, int64(len(evs)))
	}
}

// taken records an event read by Next.
func (m *sessionMetrics) taken() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.ended.Load() {
		m.queued--
		m.pending.Add(context.Background(), -1)
	}
}

// end records the end of the session: a last sync, the session no longer
// open, its unread events dropped from the pending count, and its span
// ended. Later calls do nothing.
func (m *sessionMetrics) end(st *counters, err error) {
	if m == nil {
		return
	}
	m.sync(st, false, "")
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ended.Swap(true) {
		return
	}
	ctx := context.Background()
	if m.open {
		m.sessionsOpen.Add(ctx, -1)
	}
	if m.queued != 0 {
		m.pending.Add(ctx, -m.queued)
		m.queued = 0
	}
	if err != nil {
		m.span.SetProperty("chat.end", endReason(err))
	}
	m.span.End()
}

// endReason names why a session ended, from a small fixed set.
func endReason(err error) string {
	switch {
	case errors.Is(err, ErrChatEnded):
		return "chat_ended"
	case errors.Is(err, ErrDisconnected):
		return "disconnected"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.Is(err, ErrBroken):
		return "broken"
	}
	return "error"
}
