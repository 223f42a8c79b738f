package participant_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// recorder is an in-memory tracing.TracerProvider and metrics.MeterProvider
// written with smithy-go's interfaces only: it keeps every span and every
// metric point, so tests can read what a client recorded.
type recorder struct {
	mu     sync.Mutex
	meters int // Meter calls
	spans  []*recSpan
	points []recPoint
	instr  map[string]recInstrument
}

type recInstrument struct{ kind, unit, desc string }

type recSpan struct {
	rec    *recorder
	name   string
	kind   tracing.SpanKind
	parent *recSpan
	props  map[any]any
	events []recEvent
	status tracing.SpanStatus
	ended  bool
}

type recEvent struct {
	name  string
	props map[any]any
}

type recPoint struct {
	name  string
	value float64
	attrs map[any]any
}

func newRecorder() *recorder { return &recorder{instr: map[string]recInstrument{}} }

type recSpanKey struct{}

// Tracer implements tracing.TracerProvider.
func (r *recorder) Tracer(string, ...tracing.TracerOption) tracing.Tracer { return recTracer{r} }

type recTracer struct{ r *recorder }

func (t recTracer) StartSpan(ctx context.Context, name string, opts ...tracing.SpanOption) (context.Context, tracing.Span) {
	var o tracing.SpanOptions
	for _, fn := range opts {
		fn(&o)
	}
	parent, _ := ctx.Value(recSpanKey{}).(*recSpan)
	s := &recSpan{rec: t.r, name: name, kind: o.Kind, parent: parent, props: o.Properties.Values()}
	if s.props == nil {
		s.props = map[any]any{}
	}
	t.r.mu.Lock()
	t.r.spans = append(t.r.spans, s)
	t.r.mu.Unlock()
	return context.WithValue(ctx, recSpanKey{}, s), s
}

func (s *recSpan) Name() string                 { return s.name }
func (s *recSpan) Context() tracing.SpanContext { return tracing.SpanContext{} }
func (s *recSpan) AddEvent(name string, opts ...tracing.EventOption) {
	var o tracing.EventOptions
	for _, fn := range opts {
		fn(&o)
	}
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	s.events = append(s.events, recEvent{name, o.Properties.Values()})
}
func (s *recSpan) SetStatus(st tracing.SpanStatus) { s.rec.mu.Lock(); s.status = st; s.rec.mu.Unlock() }
func (s *recSpan) SetProperty(k, v any)            { s.rec.mu.Lock(); s.props[k] = v; s.rec.mu.Unlock() }
func (s *recSpan) End()                            { s.rec.mu.Lock(); s.ended = true; s.rec.mu.Unlock() }

// Meter implements metrics.MeterProvider. The instruments this package
// uses record; the others are smithy-go's no-ops.
func (r *recorder) Meter(string, ...metrics.MeterOption) metrics.Meter {
	r.mu.Lock()
	r.meters++
	r.mu.Unlock()
	return recMeter{r: r}
}

type recMeter struct {
	metrics.NopMeter
	r *recorder
}

func (m recMeter) define(kind, name string, opts []metrics.InstrumentOption) recInstrumentRef {
	var o metrics.InstrumentOptions
	for _, fn := range opts {
		fn(&o)
	}
	m.r.mu.Lock()
	m.r.instr[name] = recInstrument{kind, o.UnitLabel, o.Description}
	m.r.mu.Unlock()
	return recInstrumentRef{m.r, name}
}

func (m recMeter) Int64Counter(name string, opts ...metrics.InstrumentOption) (metrics.Int64Counter, error) {
	return m.define("Int64Counter", name, opts), nil
}
func (m recMeter) Int64UpDownCounter(name string, opts ...metrics.InstrumentOption) (metrics.Int64UpDownCounter, error) {
	return m.define("Int64UpDownCounter", name, opts), nil
}
func (m recMeter) Int64Histogram(name string, opts ...metrics.InstrumentOption) (metrics.Int64Histogram, error) {
	return m.define("Int64Histogram", name, opts), nil
}
func (m recMeter) Float64Histogram(name string, opts ...metrics.InstrumentOption) (metrics.Float64Histogram, error) {
	return recFloatRef{m.define("Float64Histogram", name, opts)}, nil
}

type recInstrumentRef struct {
	r    *recorder
	name string
}

func (i recInstrumentRef) put(v float64, opts []metrics.RecordMetricOption) {
	var o metrics.RecordMetricOptions
	for _, fn := range opts {
		fn(&o)
	}
	i.r.mu.Lock()
	i.r.points = append(i.r.points, recPoint{i.name, v, o.Properties.Values()})
	i.r.mu.Unlock()
}

func (i recInstrumentRef) Add(_ context.Context, v int64, opts ...metrics.RecordMetricOption) {
	i.put(float64(v), opts)
}
func (i recInstrumentRef) Record(_ context.Context, v int64, opts ...metrics.RecordMetricOption) {
	i.put(float64(v), opts)
}

// recFloatRef is a recording float64 instrument.
type recFloatRef struct{ ref recInstrumentRef }

func (i recFloatRef) Record(_ context.Context, v float64, opts ...metrics.RecordMetricOption) {
	i.ref.put(v, opts)
}

// spansNamed returns the recorded spans called name.
func (r *recorder) spansNamed(name string) []*recSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*recSpan
	for _, s := range r.spans {
		if s.name == name {
			out = append(out, s)
		}
	}
	return out
}

// pointsOf returns the recorded points of the instrument name.
func (r *recorder) pointsOf(name string) []recPoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recPoint
	for _, p := range r.points {
		if p.name == name {
			out = append(out, p)
		}
	}
	return out
}

// summary returns, per instrument, the number of points and the sum of
// their values for counters, keyed with their attributes, sorted: what two
// clients that recorded the same calls must agree on.
func (r *recorder) summary() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	counts := map[string]float64{}
	for _, p := range r.points {
		keys := make([]string, 0, len(p.attrs))
		for k, v := range p.attrs {
			keys = append(keys, fmt.Sprintf("%v=%v", k, v))
		}
		sort.Strings(keys)
		k := fmt.Sprintf("%s %v", p.name, keys)
		if r.instr[p.name].kind == "Int64Counter" {
			counts[k] += p.value
		} else {
			counts[k]++
		}
	}
	out := make([]string, 0, len(counts))
	for k, n := range counts {
		out = append(out, fmt.Sprintf("%s: %v", k, n))
	}
	sort.Strings(out)
	return out
}

func withRecorder(rec *recorder) func(*participant.Options) {
	return func(o *participant.Options) { o.TracerProvider, o.MeterProvider = rec, rec }
}

// TestTelemetryThrottledTwice: a SendEvent throttled twice, then answered,
// is one operation span with three attempt spans, and the metric points
// aws-sdk-go-v2 records for it.
func TestTelemetryThrottledTwice(t *testing.T) {
	t.Parallel()
	fs := newFaultServer(t, return429Coded, return429Bare)
	rec := newRecorder()
	c := newTestClient(t, fs.URL, withRecorder(rec))
	_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
	require.NoError(t, err)

	ops := rec.spansNamed("ConnectParticipant.SendEvent")
	require.Len(t, ops, 1, "operation spans")
	op := ops[0]
	assert.Equal(t, tracing.SpanKindClient, op.kind)
	assert.Equal(t, "aws-api", op.props["rpc.system"])
	assert.Equal(t, "ConnectParticipant", op.props["rpc.service"])
	assert.Equal(t, "SendEvent", op.props["rpc.method"])
	assert.Equal(t, false, op.props["error"])
	assert.Equal(t, tracing.SpanStatusOK, op.status)
	assert.True(t, op.ended)

	attempts := rec.spansNamed("Attempt")
	require.Len(t, attempts, 3, "attempt spans")
	for i, a := range attempts {
		assert.Same(t, op, a.parent, "attempt %d's parent", i+1)
		assert.Equal(t, i+1, a.props["operation.attempt"])
		assert.True(t, a.ended)
		assert.Equal(t, fmt.Sprintf("req-%d", i+1), a.props["aws.request_id"])
	}
	for i := range 2 {
		assert.Equal(t, 429, attempts[i].props["http.status_code"])
		assert.Equal(t, "ThrottlingException", attempts[i].props["exception.type"])
		assert.Equal(t, "yes", attempts[i].props["retry.decision"])
		assert.Equal(t, tracing.SpanStatusError, attempts[i].status)
	}
	assert.Equal(t, 200, attempts[2].props["http.status_code"])
	assert.NotContains(t, attempts[2].props, "exception.type")

	attrs := map[any]any{"rpc.service": "ConnectParticipant", "rpc.method": "SendEvent"}
	errAttrs := map[any]any{"rpc.service": "ConnectParticipant", "rpc.method": "SendEvent", "exception.type": "ThrottlingException"}
	assert.Equal(t, []string{
		"client.call.attempt_duration [rpc.method=SendEvent rpc.service=ConnectParticipant]: 3",
		"client.call.attempts [rpc.method=SendEvent rpc.service=ConnectParticipant]: 3",
		"client.call.deserialization_duration [rpc.method=SendEvent rpc.service=ConnectParticipant]: 3",
		"client.call.duration [rpc.method=SendEvent rpc.service=ConnectParticipant]: 1",
		"client.call.errors [exception.type=ThrottlingException rpc.method=SendEvent rpc.service=ConnectParticipant]: 2",
		"client.call.serialization_duration [rpc.method=SendEvent rpc.service=ConnectParticipant]: 1",
	}, rec.summary())
	for _, p := range rec.pointsOf("client.call.errors") {
		assert.Equal(t, errAttrs, p.attrs)
	}
	for _, p := range rec.pointsOf("client.call.duration") {
		assert.Equal(t, attrs, p.attrs)
		assert.Positive(t, p.value)
	}
	for name, want := range map[string]recInstrument{
		"client.call.duration":                 {"Float64Histogram", "s", "Overall call duration (including retries and time to send or receive request and response body)"},
		"client.call.attempts":                 {"Int64Counter", "{attempt}", "The number of attempts for an individual operation"},
		"client.call.errors":                   {"Int64Counter", "{error}", "The number of errors for an operation"},
		"client.call.serialization_duration":   {"Float64Histogram", "s", "The time it takes to serialize a message body"},
		"client.call.deserialization_duration": {"Float64Histogram", "s", "The time it takes to deserialize a message body"},
	} {
		assert.Equal(t, want, rec.instr[name], name)
	}
}

// TestTelemetryFailures: a call that fails shows its error on the
// operation span; a refused retry token counts in
// client.call.retry_quota_exceeded.
func TestTelemetryFailures(t *testing.T) {
	t.Parallel()
	fs := newFaultServer(t, return429Coded, return429Coded)
	rec := newRecorder()
	quota := retry.NewStandard(noDelay, func(o *retry.StandardOptions) { o.RateLimiter = ratelimit.NewTokenRateLimit(1) })
	c := newTestClient(t, fs.URL, withRecorder(rec), func(o *participant.Options) { o.Retryer = quota })
	_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
	require.Error(t, err)

	op := rec.spansNamed("ConnectParticipant.SendEvent")
	require.Len(t, op, 1)
	assert.Equal(t, true, op[0].props["error"])
	assert.Equal(t, tracing.SpanStatusError, op[0].status)
	assert.Equal(t, "*participant.ResponseError", op[0].props["exception.type"])
	assert.Equal(t, "HTTP 429: ThrottlingException", op[0].props["exception.message"])
	assert.Equal(t, "ThrottlingException", op[0].props["api.error_code"])
	assert.Equal(t, "client", op[0].props["api.error_fault"])
	attempts := rec.spansNamed("Attempt")
	require.Len(t, attempts, 1)
	assert.Equal(t, "no, retry quota exhausted", attempts[0].props["retry.decision"])
	q := rec.pointsOf("client.call.retry_quota_exceeded")
	require.Len(t, q, 1)
	assert.Equal(t, "ThrottlingException", q[0].attrs["exception.type"])
}

// TestTelemetryPerCall: providers set for one call record that call only;
// a Client without providers records nothing.
func TestTelemetryPerCall(t *testing.T) {
	t.Parallel()
	fs := newFaultServer(t)
	rec := newRecorder()
	c := newTestClient(t, fs.URL)
	in := &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping}
	_, err := c.SendEvent(t.Context(), in)
	require.NoError(t, err)
	_, err = c.SendEvent(t.Context(), in, withRecorder(rec))
	require.NoError(t, err)
	_, err = c.SendEvent(t.Context(), in)
	require.NoError(t, err)
	assert.Len(t, rec.spansNamed("ConnectParticipant.SendEvent"), 1)
	assert.Len(t, rec.pointsOf("client.call.duration"), 1)
	// Calls that bring the same providers share one set of instruments.
	for range 3 {
		_, err = c.SendEvent(t.Context(), in, withRecorder(rec))
		require.NoError(t, err)
	}
	assert.Len(t, rec.pointsOf("client.call.duration"), 4)
	assert.Equal(t, 1, rec.meters, "meters made for calls with the same providers")

	// A Client's own providers serve every call, and a call's options that
	// leave them alone share its instruments.
	rec2 := newRecorder()
	c2 := newTestClient(t, fs.URL, withRecorder(rec2))
	_, err = c2.SendEvent(t.Context(), in, func(o *participant.Options) { o.AppID = "x" })
	require.NoError(t, err)
	_, err = c2.SendEvent(t.Context(), in)
	require.NoError(t, err)
	assert.Len(t, rec2.pointsOf("client.call.duration"), 2)
}
