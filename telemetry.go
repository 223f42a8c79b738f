package participant

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"time"

	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/connectchat/participant/internal/ops"
)

// telemetryScope names this package's tracer and meter.
const telemetryScope = "github.com/connectchat/participant"

// The names, units and descriptions of the instruments, those of
// aws-sdk-go-v2's service clients (its generated api_client.go and
// aws/retry's attempt metrics), so that dashboards built for the AWS SDK
// work unchanged.
const (
	metricCallDuration     = "client.call.duration"
	metricSerialization    = "client.call.serialization_duration"
	metricDeserialization  = "client.call.deserialization_duration"
	metricAttempts         = "client.call.attempts"
	metricErrors           = "client.call.errors"
	metricAttemptDuration  = "client.call.attempt_duration"
	metricRetryQuotaRefuse = "client.call.retry_quota_exceeded" // ours: aws-sdk-go-v2 has none
)

// telemetry records the spans and metrics of a Client's calls. A Client
// without a TracerProvider and a MeterProvider has none (nil), and the
// request path then does nothing but one nil check.
type telemetry struct {
	tracerProvider tracing.TracerProvider
	meterProvider  metrics.MeterProvider
	tracer         tracing.Tracer

	duration, serialization, deserialization, attemptDuration metrics.Float64Histogram
	attempts, errs, quotaRefused                              metrics.Int64Counter

	// byOp holds each operation's metric attributes (rpc.service,
	// rpc.method), made once.
	byOp map[*ops.Op]metrics.RecordMetricOption
}

// newTelemetry returns the telemetry of tp and mp, nil when both are nil.
// An instrument the meter cannot make is replaced by a no-op one: a broken
// meter must not break calls.
func newTelemetry(tp tracing.TracerProvider, mp metrics.MeterProvider) *telemetry {
	if tp == nil && mp == nil {
		return nil
	}
	t := &telemetry{tracerProvider: tp, meterProvider: mp, byOp: make(map[*ops.Op]metrics.RecordMetricOption, len(ops.All))}
	if tp == nil {
		tp = tracing.NopTracerProvider{}
	}
	if mp == nil {
		mp = metrics.NopMeterProvider{}
	}
	t.tracer = tp.Tracer(telemetryScope)
	m := mp.Meter(telemetryScope)
	nop := metrics.NopMeter{}
	hist := func(name, desc string) metrics.Float64Histogram {
		opt := func(o *metrics.InstrumentOptions) { o.UnitLabel = "s"; o.Description = desc }
		h, err := m.Float64Histogram(name, opt)
		if err != nil || h == nil {
			h, _ = nop.Float64Histogram(name)
		}
		return h
	}
	counter := func(name, unit, desc string) metrics.Int64Counter {
		opt := func(o *metrics.InstrumentOptions) { o.UnitLabel = unit; o.Description = desc }
		c, err := m.Int64Counter(name, opt)
		if err != nil || c == nil {
			c, _ = nop.Int64Counter(name)
		}
		return c
	}
	t.duration = hist(metricCallDuration, "Overall call duration (including retries and time to send or receive request and response body)")
	t.serialization = hist(metricSerialization, "The time it takes to serialize a message body")
	t.deserialization = hist(metricDeserialization, "The time it takes to deserialize a message body")
	t.attemptDuration = hist(metricAttemptDuration, "The time it takes to connect to the service, send the request, and get back HTTP status code and headers (including time queued waiting to be sent)")
	t.attempts = counter(metricAttempts, "{attempt}", "The number of attempts for an individual operation")
	t.errs = counter(metricErrors, "{error}", "The number of errors for an operation")
	t.quotaRefused = counter(metricRetryQuotaRefuse, "{error}", "The number of failed attempts not retried because the retryer's retry quota was used up")
	for _, op := range ops.All {
		t.byOp[op] = rpcAttrs(op.Name)
	}
	return t
}

// sameAs reports whether t was made from the providers of o, so
// that a call's options that leave them alone reuse the Client's
// instruments. Providers of a type that cannot be compared count as new.
func (t *telemetry) sameAs(o Options) bool {
	return sameValue(t.tracerProvider, o.TracerProvider) && sameValue(t.meterProvider, o.MeterProvider)
}

func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && a == b
}

// opAttrs returns op's metric attributes.
func (t *telemetry) opAttrs(op *ops.Op) metrics.RecordMetricOption {
	if a, ok := t.byOp[op]; ok {
		return a
	}
	return rpcAttrs(op.Name) // an operation outside the table
}

// rpcAttrs returns the record option that sets the rpc attributes of the
// operation name. The values are boxed once, here, not on every record.
func rpcAttrs(name string) metrics.RecordMetricOption {
	var service, method any = ServiceID, name
	return func(o *metrics.RecordMetricOptions) {
		o.Properties.Set("rpc.service", service)
		o.Properties.Set("rpc.method", method)
	}
}

// startOperation starts the span of one call, named and described as
// aws-sdk-go-v2 names its operation spans.
func (t *telemetry) startOperation(ctx context.Context, op *ops.Op) (context.Context, tracing.Span) {
	return t.tracer.StartSpan(ctx, ServiceID+"."+op.Name, func(o *tracing.SpanOptions) {
		o.Kind = tracing.SpanKindClient
		o.Properties.Set("rpc.system", "aws-api")
		o.Properties.Set("rpc.method", op.Name)
		o.Properties.Set("rpc.service", ServiceID)
	})
}

// endOperation records the call's duration and ends its span with the
// outcome, as aws-sdk-go-v2 does, except that api.error_message is not set
// and exception.message is errorSummary's: a service message may quote what
// the participant sent.
func (t *telemetry) endOperation(ctx context.Context, op *ops.Op, span tracing.Span, start time.Time, err error) {
	t.duration.Record(ctx, time.Since(start).Seconds(), t.opAttrs(op))
	if err != nil {
		inner := err
		var oe *smithy.OperationError
		if errors.As(err, &oe) {
			inner = oe.Err
		}
		inner = unwrapPrivate(inner)
		span.SetProperty("exception.type", fmt.Sprintf("%T", inner))
		span.SetProperty("exception.message", errorSummary(inner))
		var aerr smithy.APIError
		if errors.As(err, &aerr) {
			span.SetProperty("api.error_code", aerr.ErrorCode())
			span.SetProperty("api.error_fault", aerr.ErrorFault().String())
		}
		var re *ResponseError
		if errors.As(err, &re) {
			span.SetProperty("operation.attempts", re.Attempts)
		}
	}
	span.SetProperty("error", err != nil)
	if err == nil {
		span.SetStatus(tracing.SpanStatusOK)
	} else {
		span.SetStatus(tracing.SpanStatusError)
	}
	span.End()
}

// startAttempt starts the span of attempt n, a child of the operation's, and
// counts it.
func (t *telemetry) startAttempt(ctx context.Context, op *ops.Op, n int) (context.Context, tracing.Span) {
	t.attempts.Add(ctx, 1, t.opAttrs(op))
	return t.tracer.StartSpan(ctx, "Attempt", func(o *tracing.SpanOptions) {
		o.Properties.Set("operation.attempt", n)
	})
}

// endAttempt records an attempt's duration and error, and ends its span
// with the HTTP status, the request id and the retry decision.
func (t *telemetry) endAttempt(ctx context.Context, op *ops.Op, span tracing.Span, d time.Duration, status int, requestID string, err error, decision string) {
	attrs := t.opAttrs(op)
	t.attemptDuration.Record(ctx, d.Seconds(), attrs)
	if status != 0 {
		span.SetProperty("http.status_code", status)
	}
	if requestID != "" {
		span.SetProperty("aws.request_id", requestID)
	}
	if err != nil {
		typ := errorType(err)
		t.errs.Add(ctx, 1, attrs, func(o *metrics.RecordMetricOptions) {
			o.Properties.Set("exception.type", typ)
		})
		if decision == decisionQuota {
			t.quotaRefused.Add(ctx, 1, attrs, func(o *metrics.RecordMetricOptions) {
				o.Properties.Set("exception.type", typ)
			})
		}
		span.SetProperty("exception.type", typ)
		span.SetProperty("retry.decision", decision)
		span.SetStatus(tracing.SpanStatusError)
	} else {
		span.SetStatus(tracing.SpanStatusOK)
	}
	span.End()
}

// deserialized records the time from an attempt's response headers to its
// decoded body (or error).
func (t *telemetry) deserialized(ctx context.Context, op *ops.Op, since time.Time) {
	t.deserialization.Record(ctx, time.Since(since).Seconds(), t.opAttrs(op))
}

// errorType is the exception.type of a failed attempt, as aws/retry
// reports it: the API error code when there is one, else the Go type.
func errorType(err error) string {
	var aerr smithy.APIError
	if errors.As(err, &aerr) {
		return aerr.ErrorCode()
	}
	return fmt.Sprintf("%T", unwrapPrivate(err))
}

// unwrapPrivate returns the error inside this package's unexported
// wrappers, whose type names mean nothing to a reader of a trace.
func unwrapPrivate(err error) error {
	for {
		switch e := err.(type) {
		case *quotaError:
			err = e.last
		case *attemptsError:
			err = e.err
		default:
			return err
		}
	}
}

// errorSummary describes err for a span without anything the service or
// the participant wrote: the code and status of an error response, the
// cause of a transport failure without its URL (whose path can hold a view
// token), or this package's own text for the rest, which never holds a
// token.
func errorSummary(err error) string {
	var re *ResponseError
	if errors.As(err, &re) {
		code := "no error code"
		if aerr, ok := re.Err.(smithy.APIError); ok {
			code = aerr.ErrorCode()
		}
		return fmt.Sprintf("HTTP %d: %s", re.StatusCode, code)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "request canceled: " + context.Canceled.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "request canceled: " + context.DeadlineExceeded.Error()
	}
	var se *smithyhttp.RequestSendError
	if errors.As(err, &se) {
		var ue *url.Error
		if errors.As(se.Err, &ue) {
			return "request send failed: " + ue.Err.Error()
		}
		return "request send failed: " + se.Err.Error()
	}
	return err.Error()
}
