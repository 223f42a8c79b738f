package chat_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// telemetry is an in-memory tracing.TracerProvider and
// metrics.MeterProvider written with smithy-go's interfaces only: it keeps
// every span and sums every metric point by instrument and attributes.
type telemetry struct {
	mu     sync.Mutex
	spans  []*span
	sums   map[string]float64 // "name{k=v,...}" → sum (histograms: count)
	values map[string][]float64
}

type span struct {
	t      *telemetry
	name   string
	parent *span
	props  map[any]any
	events []string
	ended  bool
}

type spanKey struct{}

func newTelemetry() *telemetry {
	return &telemetry{sums: map[string]float64{}, values: map[string][]float64{}}
}

func (t *telemetry) Tracer(string, ...tracing.TracerOption) tracing.Tracer { return tracer{t} }

type tracer struct{ t *telemetry }

func (tr tracer) StartSpan(ctx context.Context, name string, opts ...tracing.SpanOption) (context.Context, tracing.Span) {
	var o tracing.SpanOptions
	for _, fn := range opts {
		fn(&o)
	}
	parent, _ := ctx.Value(spanKey{}).(*span)
	s := &span{t: tr.t, name: name, parent: parent, props: map[any]any{}}
	for k, v := range o.Properties.Values() {
		s.props[k] = v
	}
	tr.t.mu.Lock()
	tr.t.spans = append(tr.t.spans, s)
	tr.t.mu.Unlock()
	return context.WithValue(ctx, spanKey{}, s), s
}

func (s *span) Name() string                 { return s.name }
func (s *span) Context() tracing.SpanContext { return tracing.SpanContext{} }
func (s *span) AddEvent(name string, opts ...tracing.EventOption) {
	var o tracing.EventOptions
	for _, fn := range opts {
		fn(&o)
	}
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	s.events = append(s.events, name+fmt.Sprint(o.Properties.Values()))
}
func (s *span) SetStatus(tracing.SpanStatus) {}
func (s *span) SetProperty(k, v any)         { s.t.mu.Lock(); s.props[k] = v; s.t.mu.Unlock() }
func (s *span) End()                         { s.t.mu.Lock(); s.ended = true; s.t.mu.Unlock() }

func (t *telemetry) Meter(string, ...metrics.MeterOption) metrics.Meter { return meter{t: t} }

type meter struct {
	metrics.NopMeter
	t *telemetry
}

func (m meter) Int64Counter(name string, _ ...metrics.InstrumentOption) (metrics.Int64Counter, error) {
	return instrument{m.t, name}, nil
}
func (m meter) Int64UpDownCounter(name string, _ ...metrics.InstrumentOption) (metrics.Int64UpDownCounter, error) {
	return instrument{m.t, name}, nil
}
func (m meter) Float64Histogram(name string, _ ...metrics.InstrumentOption) (metrics.Float64Histogram, error) {
	return histogram{instrument{m.t, name}}, nil
}

type instrument struct {
	t    *telemetry
	name string
}

func (i instrument) key(opts []metrics.RecordMetricOption) string {
	var o metrics.RecordMetricOptions
	for _, fn := range opts {
		fn(&o)
	}
	var kv []string
	for k, v := range o.Properties.Values() {
		kv = append(kv, fmt.Sprintf("%v=%v", k, v))
	}
	sort.Strings(kv)
	return i.name + "{" + strings.Join(kv, ",") + "}"
}

func (i instrument) Add(_ context.Context, v int64, opts ...metrics.RecordMetricOption) {
	k := i.key(opts)
	i.t.mu.Lock()
	i.t.sums[k] += float64(v)
	i.t.mu.Unlock()
}

type histogram struct{ instrument }

func (h histogram) Record(_ context.Context, v float64, opts ...metrics.RecordMetricOption) {
	k := h.key(opts)
	h.t.mu.Lock()
	h.t.sums[k]++
	h.t.values[k] = append(h.t.values[k], v)
	h.t.mu.Unlock()
}

// sum returns the sum of the points of name whose attributes hold every
// pair of attrs ("k=v").
func (t *telemetry) sum(name string, attrs ...string) float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var n float64
	for k, v := range t.sums {
		if !strings.HasPrefix(k, name+"{") {
			continue
		}
		ok := true
		for _, a := range attrs {
			ok = ok && strings.Contains(k, a)
		}
		if ok {
			n += v
		}
	}
	return n
}

// TestMetricsTwoDropsAndAFailedGapFill: a chat whose socket is cut twice,
// the first gap fill after the first cut failing once, shows up in the
// session's metrics and span with the right counts, the Stats counters
// and the metrics agreeing, and no contact id or token in any metric
// attribute.
func TestMetricsTwoDropsAndAFailedGapFill(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		client, faults := faultyClient(srv)
		tel := newTelemetry()
		cust, s := connect(t, srv, client, &chat.Options{Seed: 3, MeterProvider: tel, TracerProvider: tel})
		p := newPuppet()
		_, err := srv.AddAgent(cust.ContactID, p)
		require.NoError(t, err)
		p.post(t, "a1")
		got, evs := messages(t, s, 1, time.Minute)
		require.Equal(t, []string{"a1"}, got)
		assert.Equal(t, 1.0, tel.sum("chat.sessions.open"))

		// Drop 1: the gap fill after it fails once (a 400 is not retried
		// by the client), then the session's own retry succeeds.
		rule := faults.add(&apiRule{path: "/participant/transcript", times: 1, status: 400, code: "ValidationException"})
		srv.DropSockets(cust.ContactID)
		time.Sleep(10 * time.Second)
		require.Equal(t, 1, faults.hits(rule), "the failed gap fill")
		p.post(t, "b1")
		got, more := messages(t, s, 1, time.Minute)
		require.Equal(t, []string{"b1"}, got)
		evs = append(evs, more...)

		// Drop 2.
		srv.DropSockets(cust.ContactID)
		time.Sleep(10 * time.Second)
		p.post(t, "c1")
		got, more = messages(t, s, 1, time.Minute)
		require.Equal(t, []string{"c1"}, got)
		evs = append(evs, more...)
		synctest.Wait()

		st := s.Stats()
		require.EqualValues(t, 2, st.Reconnects, "stats %+v", st)
		assert.Equal(t, 2.0, tel.sum("chat.connection.losses"))
		assert.Equal(t, 2.0, tel.sum("chat.reconnects"))
		assert.Equal(t, 1.0, tel.sum("chat.gap_fills", "result=failed"))
		assert.Equal(t, float64(st.GapFills), tel.sum("chat.gap_fills", "result=ok"))
		assert.GreaterOrEqual(t, tel.sum("chat.gap_fill.pages"), float64(st.GapFills+1), "a page per gap fill at least")
		assert.Equal(t, float64(st.GapFilledItems), tel.sum("chat.gap_fill.items"))
		assert.Equal(t, float64(st.DuplicatesDropped), tel.sum("chat.items.duplicates_dropped"))
		assert.Equal(t, float64(st.LateItems), tel.sum("chat.items.late"))
		items := 0
		for _, ev := range evs {
			if ev.Item.ID != "" && !ev.Update && ev.Kind < chat.KindConnectionEstablished {
				items++
			}
		}
		assert.Equal(t, float64(items), tel.sum("chat.items.delivered"))
		assert.Equal(t, float64(st.Events-int64(len(evs))), tel.sum("chat.events.pending"), "events made but not read")
		assert.Positive(t, tel.sum("chat.items.delivery_lag"), "lag points of the live items")

		require.NoError(t, s.Close())
		assert.Equal(t, 0.0, tel.sum("chat.sessions.open"), "after Close")
		assert.Equal(t, 0.0, tel.sum("chat.events.pending"), "after Close")

		tel.mu.Lock()
		defer tel.mu.Unlock()
		var session *span
		for _, sp := range tel.spans {
			if sp.name == "chat.Session" {
				require.Nil(t, session, "two session spans")
				session = sp
			}
		}
		require.NotNil(t, session)
		assert.True(t, session.ended)
		assert.Equal(t, cust.ContactID, session.props["aws.connect.contact_id"])
		lost, failed := 0, 0
		for _, e := range session.events {
			lost += strings.Count(e, "connection lost")
			failed += strings.Count(e, "gap fill failed")
		}
		assert.Equal(t, 2, lost, "events %v", session.events)
		assert.Equal(t, 1, failed, "events %v", session.events)
		calls := map[string]int{}
		for _, sp := range tel.spans {
			if strings.HasPrefix(sp.name, "ConnectParticipant.") {
				calls[sp.name]++
				assert.Same(t, session, sp.parent, "%s outside the session span", sp.name)
			}
		}
		assert.Positive(t, calls["ConnectParticipant.GetTranscript"], "calls %v", calls)
		assert.Positive(t, calls["ConnectParticipant.CreateParticipantConnection"], "calls %v", calls)
		for k := range tel.sums {
			assert.NotContains(t, k, cust.ContactID, "a contact id in a metric attribute")
			assert.NotContains(t, k, string(cust.ParticipantToken), "a token in a metric attribute")
		}
		for _, sp := range tel.spans {
			assert.NotContains(t, fmt.Sprint(sp.props, sp.events), string(cust.ParticipantToken), "a token in span %s", sp.name)
		}
	})
}

// TestMetricsUnset: a session without providers records nothing of its
// own; the client's providers still see its service calls, without a
// session span above them.
func TestMetricsUnset(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		tel := newTelemetry()
		client := srv.Client(func(o *participant.Options) { o.TracerProvider, o.MeterProvider = tel, tel })
		_, s := connect(t, srv, client, &chat.Options{Seed: 1})
		require.NoError(t, s.Close())
		tel.mu.Lock()
		defer tel.mu.Unlock()
		require.NotEmpty(t, tel.spans, "the client's own spans")
		for _, sp := range tel.spans {
			assert.True(t, strings.HasPrefix(sp.name, "ConnectParticipant.") || sp.name == "Attempt", "span %s", sp.name)
			if strings.HasPrefix(sp.name, "ConnectParticipant.") {
				assert.Nil(t, sp.parent, "%s under a session span", sp.name)
			}
		}
		for k := range tel.sums {
			assert.True(t, strings.HasPrefix(k, "client.call."), "metric %s", k)
		}
	})
}

// TestMetricsRealTime (real time, -race): readers on several goroutines,
// receipts sent by the worker and sockets cut while messages arrive; the
// metrics agree with what the readers got.
func TestMetricsRealTime(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	t.Cleanup(srv.Close)
	tel := newTelemetry()
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, &chat.Options{
		MeterProvider: tel, TracerProvider: tel, ReorderWindow: 5 * time.Millisecond,
		Receipts: chat.ReceiptOptions{Interval: -1, DeliveredDelay: -1, Every: true},
	})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	p := newPuppet()
	_, err = srv.AddAgent(cust.ContactID, p)
	require.NoError(t, err)

	const n = 30
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	seen := map[string]bool{}
	items := 0
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				ev, err := s.Next(ctx)
				if err != nil {
					return
				}
				mu.Lock()
				if ev.Item.ID != "" && !ev.Update && ev.Kind < chat.KindConnectionEstablished {
					items++
				}
				if ev.Kind == chat.KindMessage && ev.Item.DisplayName == "Puppet" {
					seen[ev.Item.Content] = true
					_ = s.SendReadReceipt(ev.Item.ID)
					if len(seen) == n {
						cancel()
					}
				}
				mu.Unlock()
			}
		})
	}
	for i := range n {
		p.post(t, fmt.Sprintf("m%02d", i))
		if i%10 == 5 {
			srv.DropSockets(cust.ContactID)
		}
	}
	wg.Wait()
	require.Len(t, seen, n, "stats %+v", s.Stats())
	require.Eventually(t, func() bool { return s.Stats().ReceiptsSent > 0 }, 10*time.Second, 5*time.Millisecond, "no receipt sent")
	require.NoError(t, s.Close())
	mu.Lock()
	defer mu.Unlock()
	st := s.Stats()
	// Events may be published and never read (the readers stopped at the
	// last message); receipts may be counted by the worker after the
	// session's last sync.
	assert.GreaterOrEqual(t, tel.sum("chat.items.delivered"), float64(items), "items delivered")
	assert.Equal(t, float64(st.Reconnects), tel.sum("chat.reconnects"))
	assert.Positive(t, tel.sum("chat.receipts.sent"))
	assert.LessOrEqual(t, tel.sum("chat.receipts.sent"), float64(st.ReceiptsSent))
	assert.Equal(t, 0.0, tel.sum("chat.sessions.open"))
	assert.Equal(t, 0.0, tel.sum("chat.events.pending"))
}
