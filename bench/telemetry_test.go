package bench_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/connectparticipant"
	"github.com/aws/smithy-go/metrics/smithyotelmetrics"
	"github.com/aws/smithy-go/tracing/smithyoteltracing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/connectchat/participant"
)

// otelSide is one client's OpenTelemetry SDK: a tracer provider whose spans
// an in-memory recorder keeps, and a meter provider read by hand.
type otelSide struct {
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newOtelSide(t testing.TB) *otelSide {
	s := &otelSide{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	s.tp = sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(s.spans))
	s.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(s.reader))
	t.Cleanup(func() {
		_ = s.tp.Shutdown(context.Background())
		_ = s.mp.Shutdown(context.Background())
	})
	return s
}

// throttleTwice answers the first two requests of each client (told apart
// by User-Agent) with a 429 ThrottlingException and the rest with a
// SendEvent success.
type throttleTwice struct {
	mu   sync.Mutex
	seen map[string]int
}

func (s *throttleTwice) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	side := "participant"
	if strings.Contains(r.Header.Get("User-Agent"), "aws-sdk-go-v2") {
		side = "awssdk"
	}
	s.mu.Lock()
	s.seen[side]++
	n := s.seen[side]
	s.mu.Unlock()
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("req-%s-%d", side, n))
	w.Header().Set("Content-Type", "application/json")
	if n <= 2 {
		w.Header().Set("X-Amzn-Errortype", "ThrottlingException")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"message":"Rate exceeded"}`)
		return
	}
	_, _ = w.Write(sendEventResponse)
}

// noBackoff is aws/retry's standard retryer without waits, for both sides.
func noBackoff(o *awsretry.StandardOptions) {
	o.Backoff = awsretry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
}

// instrumentSummary is what a dashboard sees of one instrument: its unit,
// description and, per attribute set, the number of histogram points or
// the sum of a counter.
type instrumentSummary struct {
	Unit, Description string
	Points            map[string]float64
}

func summarize(t *testing.T, reader *sdkmetric.ManualReader) map[string]instrumentSummary {
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	out := map[string]instrumentSummary{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			s := instrumentSummary{Unit: m.Unit, Description: m.Description, Points: map[string]float64{}}
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					s.Points[attrString(p.Attributes)] += float64(p.Count)
				}
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					s.Points[attrString(p.Attributes)] += float64(p.Value)
				}
			default:
				s.Points[fmt.Sprintf("%T", d)]++
			}
			out[m.Name] = s
		}
	}
	return out
}

func attrString(set attribute.Set) string {
	var kv []string
	for _, a := range set.ToSlice() {
		kv = append(kv, string(a.Key)+"="+a.Value.String())
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

// The instruments of aws-sdk-go-v2 that do not apply to this client: it
// resolves its endpoint once per Client, sends a bearer token it neither
// resolves nor signs, and leaves HTTP connection metrics to the transport.
var awsOnlyInstruments = map[string]bool{
	"client.call.resolve_endpoint_duration":      true,
	"client.call.auth.resolve_identity_duration": true,
	"client.call.auth.signing_duration":          true,
}

// TestTelemetryDifferential sends one SendEvent that is throttled twice and
// then succeeds through both clients, each with its own OpenTelemetry SDK
// behind smithy-go's adapters, and compares what the SDKs recorded: one
// operation span with the same name, kind and rpc attributes and three
// attempt spans below it, and the same metric points for every instrument
// both clients record.
func TestTelemetryDifferential(t *testing.T) {
	t.Parallel()
	srv, track := startServer(t, &throttleTwice{seen: map[string]int{}})
	ourSDK, awsSDK := newOtelSide(t), newOtelSide(t)
	ours, _ := newOurs(srv, track, func(o *participant.Options) {
		o.Retryer = awsretry.NewStandard(noBackoff)
		o.TracerProvider = smithyoteltracing.Adapt(ourSDK.tp)
		o.MeterProvider = smithyotelmetrics.Adapt(ourSDK.mp)
	})
	awsc, _ := newAWS(srv, track, func(o *connectparticipant.Options) {
		o.Retryer = awsretry.NewStandard(noBackoff)
		o.TracerProvider = smithyoteltracing.Adapt(awsSDK.tp)
		o.MeterProvider = smithyotelmetrics.Adapt(awsSDK.mp)
	})
	_, err := ours.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: connToken, ContentType: participant.ContentTypeTyping})
	require.NoError(t, err)
	_, err = awsc.SendEvent(t.Context(), &connectparticipant.SendEventInput{ConnectionToken: aws.String(connToken), ContentType: aws.String("application/vnd.amazonaws.connect.event.typing")})
	require.NoError(t, err)

	type spanView struct {
		Name   string
		Kind   trace.SpanKind
		Attrs  map[string]string
		Status string
	}
	view := func(s sdktrace.ReadOnlySpan, keys ...string) spanView {
		v := spanView{Name: s.Name(), Kind: s.SpanKind(), Attrs: map[string]string{}, Status: s.Status().Code.String()}
		for _, a := range s.Attributes() {
			for _, k := range keys {
				if string(a.Key) == k {
					v.Attrs[k] = a.Value.String()
				}
			}
		}
		return v
	}
	opAndAttempts := func(rec *tracetest.SpanRecorder) (sdktrace.ReadOnlySpan, []sdktrace.ReadOnlySpan) {
		ended := rec.Ended()
		byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
		var op sdktrace.ReadOnlySpan
		for _, s := range ended {
			byID[s.SpanContext().SpanID()] = s
			if s.Name() == "ConnectParticipant.SendEvent" {
				require.Nil(t, op, "two operation spans")
				op = s
			}
		}
		require.NotNil(t, op, "no operation span")
		var attempts []sdktrace.ReadOnlySpan
		for _, s := range ended {
			if s.Name() != "Attempt" {
				continue
			}
			// The attempt descends from the operation span (aws-sdk-go-v2
			// puts RetryLoop spans between them).
			p, ok := byID[s.Parent().SpanID()]
			for ok && p != op {
				p, ok = byID[p.Parent().SpanID()]
			}
			assert.True(t, ok, "an attempt span outside the operation span")
			attempts = append(attempts, s)
		}
		sort.Slice(attempts, func(i, j int) bool { return attempts[i].StartTime().Before(attempts[j].StartTime()) })
		return op, attempts
	}
	ourOp, ourAttempts := opAndAttempts(ourSDK.spans)
	awsOp, awsAttempts := opAndAttempts(awsSDK.spans)
	keys := []string{"rpc.system", "rpc.service", "rpc.method", "error"}
	assert.Equal(t, view(awsOp, keys...), view(ourOp, keys...), "operation span")
	require.Len(t, awsAttempts, 3, "aws-sdk-go-v2's attempt spans")
	require.Len(t, ourAttempts, 3, "attempt spans")
	for i := range 3 {
		assert.Equal(t, view(awsAttempts[i], "operation.attempt").Attrs, view(ourAttempts[i], "operation.attempt").Attrs, "attempt %d", i+1)
	}

	ourMetrics, awsMetrics := summarize(t, ourSDK.reader), summarize(t, awsSDK.reader)
	var shared, awsOnly []string
	for name, want := range awsMetrics {
		if strings.HasPrefix(name, "client.http.") || awsOnlyInstruments[name] {
			awsOnly = append(awsOnly, name)
			continue
		}
		shared = append(shared, name)
		assert.Equal(t, want, ourMetrics[name], "instrument %s", name)
	}
	for name := range ourMetrics {
		_, inAWS := awsMetrics[name]
		assert.True(t, inAWS || name == "client.call.retry_quota_exceeded", "instrument %s that aws-sdk-go-v2 does not record", name)
	}
	sort.Strings(shared)
	sort.Strings(awsOnly)
	assert.Equal(t, []string{
		"client.call.attempt_duration", "client.call.attempts", "client.call.deserialization_duration",
		"client.call.duration", "client.call.errors", "client.call.serialization_duration",
	}, shared, "the instruments both record")
	t.Logf("recorded by aws-sdk-go-v2 only: %v", awsOnly)
	t.Logf("errors: ours %v, aws-sdk-go-v2 %v", ourMetrics["client.call.errors"].Points, awsMetrics["client.call.errors"].Points)
}

// newTelemetryBenchSides returns SendEvent through each client, without
// telemetry and with an OpenTelemetry SDK tracer provider (every span
// sampled and recorded, none exported) and meter provider (a manual
// reader, so every point is aggregated) behind smithy-go's adapters.
func newTelemetryBenchSides(b *testing.B) []benchSide {
	srv, track := startServer(b, http.HandlerFunc(sendEventHandler))
	otelOpts := func() (*sdktrace.TracerProvider, *sdkmetric.MeterProvider) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() {
			_ = tp.Shutdown(context.Background())
			_ = mp.Shutdown(context.Background())
		})
		return tp, mp
	}
	var sides []benchSide
	for _, on := range []bool{false, true} {
		suffix := "/otel=off"
		if on {
			suffix = "/otel=on"
		}
		ourOpt := func(*participant.Options) {}
		awsOpt := func(*connectparticipant.Options) {}
		if on {
			tp, mp := otelOpts()
			ourOpt = func(o *participant.Options) {
				o.TracerProvider, o.MeterProvider = smithyoteltracing.Adapt(tp), smithyotelmetrics.Adapt(mp)
			}
			tp2, mp2 := otelOpts()
			awsOpt = func(o *connectparticipant.Options) {
				o.TracerProvider, o.MeterProvider = smithyoteltracing.Adapt(tp2), smithyotelmetrics.Adapt(mp2)
			}
		}
		ours, oursTr := newOurs(srv, track, ourOpt)
		awsc, awsTr := newAWS(srv, track, awsOpt)
		sides = append(sides,
			benchSide{"participant" + suffix, func(ctx context.Context) error {
				out, err := ours.SendEvent(ctx, &participant.SendEventInput{ConnectionToken: connToken, ContentType: participant.ContentTypeTyping})
				if err == nil && out.ID == "" {
					err = fmt.Errorf("participant: no ID")
				}
				return err
			}, oursTr.CloseIdleConnections},
			benchSide{"awssdk" + suffix, func(ctx context.Context) error {
				out, err := awsc.SendEvent(ctx, &connectparticipant.SendEventInput{ConnectionToken: aws.String(connToken), ContentType: aws.String(string(participant.ContentTypeTyping))})
				if err == nil && aws.ToString(out.Id) == "" {
					err = fmt.Errorf("awssdk: no Id")
				}
				return err
			}, awsTr.CloseIdleConnections},
		)
	}
	return sides
}

// BenchmarkTelemetrySendEvent measures each client's SendEvent without and
// with an OpenTelemetry SDK behind it: each client's overhead is its otel=on
// over its own otel=off.
func BenchmarkTelemetrySendEvent(b *testing.B) { benchSerial(b, newTelemetryBenchSides(b)) }

// BenchmarkTelemetrySendEventParallel is BenchmarkTelemetrySendEvent with
// 64 callers on 2 cores.
func BenchmarkTelemetrySendEventParallel(b *testing.B) {
	benchParallel(b, newTelemetryBenchSides(b))
}
