package participant

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/tracing"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/connectchat/participant/internal/bufpool"
	"github.com/connectchat/participant/internal/ops"
	"github.com/google/uuid"
)

// Client calls the Amazon Connect Participant Service. It is safe for
// concurrent use; create one and share it, since it holds the connection pool
// and the retry quota.
type Client struct {
	opts Options   // as given to New, after its optFns
	res  *resolved // opts with defaults filled
}

// New returns a Client for o, after applying optFns to a copy of o.
//
// New does not fail: a configuration that cannot work (no Region and no
// BaseEndpoint, an http:// endpoint on a remote host) is reported by every
// call, inside its [smithy.OperationError].
func New(o Options, optFns ...func(*Options)) *Client {
	o = copyOptions(o, optFns)
	return &Client{opts: o, res: resolve(o, nil)}
}

// NewFromConfig returns a Client configured from an aws.Config the
// application already has: its Region, HTTPClient, Retryer, RetryMaxAttempts,
// BaseEndpoint, AppID, and the FIPS and dual-stack settings of its
// ConfigSources. Credentials are not used: the Participant Service
// authenticates with bearer tokens, not SigV4.
func NewFromConfig(cfg aws.Config, optFns ...func(*Options)) *Client {
	o := Options{
		Region:           cfg.Region,
		RetryMaxAttempts: cfg.RetryMaxAttempts,
		AppID:            cfg.AppID,
	}
	if cfg.HTTPClient != nil {
		o.HTTPClient = cfg.HTTPClient
	}
	if cfg.Retryer != nil {
		o.Retryer = cfg.Retryer()
	}
	if cfg.BaseEndpoint != nil {
		o.BaseEndpoint = *cfg.BaseEndpoint
	}
	ctx := context.Background()
	for _, src := range cfg.ConfigSources {
		if s, ok := src.(interface {
			GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error)
		}); ok {
			if v, found, err := s.GetUseFIPSEndpoint(ctx); err == nil && found {
				o.UseFIPS = v == aws.FIPSEndpointStateEnabled
			}
		}
		if s, ok := src.(interface {
			GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error)
		}); ok {
			if v, found, err := s.GetUseDualStackEndpoint(ctx); err == nil && found {
				o.UseDualStack = v == aws.DualStackEndpointStateEnabled
			}
		}
	}
	return New(o, optFns...)
}

// Options returns a copy of the options the Client was made with.
func (c *Client) Options() Options { return c.opts }

// CloseIdleConnections closes the idle keep-alive connections of the
// Client's HTTP client, when it has such a method (an *http.Client does). Call
// it when the Client is no longer needed; the Client stays usable.
func (c *Client) CloseIdleConnections() {
	if ci, ok := c.res.httpClient.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// options returns the resolved options for one call.
func (c *Client) options(optFns []func(*Options)) *resolved {
	if len(optFns) == 0 {
		return c.res
	}
	return resolve(copyOptions(c.opts, optFns), c.res)
}

// output is a pointer to an operation's Output type.
type output[T any] interface {
	*T
	setRequestID(string)
}

// memberless is implemented by the Output types whose success response has
// no members: the request path drains their body instead of decoding it.
type memberless interface{ memberless() }

// request is one call of an operation, as the operation's method builds it
// once its input is checked.
type request struct {
	op  *ops.Op
	tok Token // the bearer token, sent in X-Amz-Bearer
	// path is the escaped path, when op.Path has a label.
	path string
	// body is the input's wire form, ClientToken included, marshalled by
	// encoding/json; nil for a GET.
	body any
}

// begin starts a call of op: it reports the violations v found in the
// input, refuses a nil context and resolves the call's options.
func (c *Client) begin(ctx context.Context, v *validator, optFns []func(*Options)) (*resolved, error) {
	if err := v.err(); err != nil {
		return nil, opError(v.op, err)
	}
	if ctx == nil {
		return nil, opError(v.op, errNilContext)
	}
	return c.options(optFns), nil
}

// call is the one request path of every operation, after begin: encode
// the body, send it with retries, decode the success body into a new T
// unless T has no members.
func call[T any, P output[T]](ctx context.Context, c *Client, r *resolved, rq request) (*T, error) {
	op := rq.op
	tel := r.tel
	var span tracing.Span
	var start time.Time
	if tel != nil {
		start = time.Now()
		ctx, span = tel.startOperation(ctx, op)
	}
	out, err := send[T, P](ctx, c, r, rq, tel)
	if tel != nil {
		tel.endOperation(ctx, op, span, start, err)
	}
	return out, err
}

// send encodes the body of rq, sends it with retries and decodes the
// answer.
func send[T any, P output[T]](ctx context.Context, c *Client, r *resolved, rq request, tel *telemetry) (*T, error) {
	op := rq.op
	var serStart time.Time
	if tel != nil {
		serStart = time.Now()
	}
	var payload []byte
	if rq.body != nil {
		buf := bufpool.Get()
		defer bufpool.Put(buf)
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false) // as aws-sdk-go-v2 writes bodies
		if err := enc.Encode(rq.body); err != nil {
			return nil, opError(op, &smithy.SerializationError{Err: err})
		}
		payload = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	if tel != nil {
		tel.serialization.Record(ctx, time.Since(serStart).Seconds(), tel.opAttrs(op))
	}
	out := P(new(T))
	var into any = out
	if _, ok := into.(memberless); ok {
		into = nil
	}
	path := rq.path
	if path == "" {
		path = op.Path
	}
	requestID, err := c.invoke(ctx, r, op, rq.tok, path, payload, into)
	if err != nil {
		return nil, err
	}
	out.setRequestID(requestID)
	return out, nil
}

// invoke sends the request with retries and decodes the success body into
// into (when not nil). It returns the request id of the successful attempt.
//
// It uses only aws.RetryerV2's public contract, as aws-sdk-go-v2's retry
// middleware does: every attempt asks GetAttemptToken (adaptive mode
// rate-limits each one); a failed, retryable attempt asks GetRetryToken,
// whose release gets the next attempt's outcome. aws-sdk-go-v2 tells its
// standard retryer which attempt it is through an unexported context value,
// so that only a first attempt's success adds NoRetryIncrement to the quota;
// here the release of a later attempt's token gets errRetriedAttempt on
// success instead, which has the same effect on aws/retry's retryers (their
// releases ignore failures) and keeps quota accounting equal to
// aws-sdk-go-v2's, with or without RetryMaxAttempts.
func (c *Client) invoke(ctx context.Context, r *resolved, op *ops.Op, tok Token, path string, payload []byte, into any) (string, error) {
	if r.endErr != nil {
		return "", opError(op, r.endErr)
	}
	target := r.baseURL + path
	invocationID := uuid.NewString()
	maxAttempts := max(r.retryer.MaxAttempts(), 1)
	logger := debugLogger(ctx, r.opts.Logger)

	tel := r.tel
	releaseRetry := nopRelease
	var err error
	attempt := 1
	for ; ; attempt++ {
		if cerr := ctx.Err(); cerr != nil {
			err = canceled(cerr, err)
			break
		}
		releaseAttempt, aerr := r.retryer.GetAttemptToken(ctx)
		if aerr != nil || releaseAttempt == nil {
			err = attemptRefused(aerr)
			break
		}

		actx := ctx
		var aspan tracing.Span
		if tel != nil {
			actx, aspan = tel.startAttempt(ctx, op, attempt)
		}
		start := time.Now()
		var status int
		var requestID string
		status, requestID, err = c.attempt(actx, r, op, tok, target, payload, invocationID, attempt, maxAttempts, into)
		elapsed := time.Since(start)
		_ = releaseRetry(err)
		releaseAttemptToken(releaseAttempt, attempt, err)
		if err == nil {
			reportAttempt(ctx, tel, logger, op, aspan, attempt, elapsed, status, requestID, nil, decisionDone)
			return requestID, nil
		}
		if cerr := ctx.Err(); cerr != nil {
			if tel != nil {
				tel.endAttempt(ctx, op, aspan, elapsed, status, requestID, err, decisionCanceled)
			}
			err = canceled(cerr, err)
			break
		}

		var decision string
		var delay time.Duration
		decision, delay, releaseRetry, err = decideRetry(ctx, r.retryer, attempt, maxAttempts, err, releaseRetry)
		reportAttempt(ctx, tel, logger, op, aspan, attempt, elapsed, status, requestID, err, decision)
		if decision != decisionRetry {
			break
		}
		if serr := sleep(ctx, delay); serr != nil {
			err = canceled(serr, err)
			break
		}
	}
	return "", invokeError(op, attempt, err)
}

// debugLogger returns l when it logs at Debug level for ctx, else nil.
func debugLogger(ctx context.Context, l *slog.Logger) *slog.Logger {
	if l != nil && !l.Enabled(ctx, slog.LevelDebug) {
		return nil
	}
	return l
}

// attemptRefused is the error of a call whose retryer gave no attempt
// token, with aerr its reason (nil when it gave a nil token).
func attemptRefused(aerr error) error {
	if aerr == nil {
		aerr = errors.New("no attempt token")
	}
	return fmt.Errorf("retryer refused the attempt: %w", aerr)
}

// releaseAttemptToken releases the token of attempt n with its outcome err,
// or with errRetriedAttempt when a retry succeeded (see invoke).
func releaseAttemptToken(release func(error) error, n int, err error) {
	if err == nil && n > 1 {
		_ = release(errRetriedAttempt)
	} else {
		_ = release(err)
	}
}

// reportAttempt ends the span of an attempt and logs it, when the call has
// telemetry and a Debug logger.
func reportAttempt(ctx context.Context, tel *telemetry, logger *slog.Logger, op *ops.Op, span tracing.Span, attempt int, elapsed time.Duration, status int, requestID string, err error, decision string) {
	if tel != nil {
		tel.endAttempt(ctx, op, span, elapsed, status, requestID, err, decision)
	}
	if logger != nil {
		logAttempt(ctx, logger, op, attempt, status, requestID, elapsed, decision, err)
	}
}

// decideRetry decides whether the failed attempt n of maxAttempts is
// retried, and after what delay. It returns the release of the retry token
// it got (releaseRetry when it got none) and err, wrapped in a quotaError
// when the retry quota refused a retry.
func decideRetry(ctx context.Context, rt aws.RetryerV2, n, maxAttempts int, err error, releaseRetry func(error) error) (decision string, delay time.Duration, release func(error) error, _ error) {
	switch {
	case !rt.IsErrorRetryable(err):
		return decisionNo, 0, releaseRetry, err
	case n >= maxAttempts:
		return decisionExhausted, 0, releaseRetry, err
	}
	rel, terr := rt.GetRetryToken(ctx, err)
	if terr != nil {
		return decisionQuota, 0, releaseRetry, &quotaError{last: err, quota: terr}
	}
	if delay, terr = rt.RetryDelay(n, err); terr != nil {
		return decisionNoDelay, delay, rel, err
	}
	return decisionRetry, delay, rel, err
}

// invokeError is the error of a call that failed after attempts attempts:
// a ResponseError learns its count, any other error is wrapped with it
// when there was more than one.
func invokeError(op *ops.Op, attempts int, err error) error {
	var re *ResponseError
	if errors.As(err, &re) {
		re.Attempts = attempts
	} else if attempts > 1 {
		err = &attemptsError{attempts: attempts, err: err}
	}
	return opError(op, err)
}

func nopRelease(error) error { return nil }

// The retry decisions after an attempt, as the Debug log and the attempt
// spans name them.
const (
	decisionDone      = "done" // the attempt succeeded
	decisionRetry     = "yes"
	decisionNo        = "no" // the retryer does not retry the error
	decisionExhausted = "no, attempts exhausted"
	decisionQuota     = "no, retry quota exhausted"
	decisionNoDelay   = "no, no retry delay"
	decisionCanceled  = "no, canceled"
)

// errRetriedAttempt is what the attempt token of a successful retry is
// released with (see invoke).
var errRetriedAttempt = errors.New("participant: the attempt succeeded after a retry")

// sdkRequestHeader returns the Amz-Sdk-Request value of attempt n of max.
func sdkRequestHeader(n, max int) string {
	return "attempt=" + strconv.Itoa(n) + "; max=" + strconv.Itoa(max)
}

// doublingCap is where the buffer of a body of unknown length stops
// doubling (see readBody).
const doublingCap = 1 << 20

// readBody reads r into buf until EOF or until buf holds limit bytes, and
// reports whether r held more. size is the Content-Length, or -1. When it is
// known, buf grows once to it (or to limit), so reading a body near the cap
// allocates about the cap. When not, buf doubles up to doublingCap and then
// grows once to limit, so no body allocates more than limit plus twice
// doublingCap (1.125 times the 16 MiB cap) where doubling all the way would
// allocate twice the cap. The byte that tells whether r is longer is read
// aside, never into buf.
func readBody(buf *bytes.Buffer, r io.Reader, size int64, limit int) (more bool, err error) {
	// grow makes room for n bytes in all with one allocation (bytes.Buffer's
	// own Grow may allocate more than asked, and twice under -race).
	grow := func(n int) {
		if buf.Cap() >= n {
			return
		}
		nb := make([]byte, buf.Len(), n)
		copy(nb, buf.Bytes())
		*buf = *bytes.NewBuffer(nb)
	}
	if size >= 0 {
		grow(int(min(size, int64(limit))))
	}
	for buf.Len() < limit {
		if buf.Available() == 0 {
			n := max(2*buf.Cap(), 512)
			if n > doublingCap {
				n = limit
			}
			grow(min(n, limit))
		}
		b := buf.AvailableBuffer()
		b = b[:min(cap(b), limit-buf.Len())]
		n, err := r.Read(b)
		buf.Write(b[:n])
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	// At the cap: one byte more, read aside, tells whether r is longer.
	var one [1]byte
	for range 100 {
		n, err := r.Read(one[:])
		switch {
		case n > 0:
			return true, nil
		case err == io.EOF:
			return false, nil
		case err != nil:
			return false, err
		}
	}
	return false, io.ErrNoProgress
}

func logAttempt(ctx context.Context, l *slog.Logger, op *ops.Op, attempt, status int, requestID string, d time.Duration, retry string, err error) {
	attrs := []slog.Attr{
		slog.String("operation", op.Name),
		slog.Int("attempt", attempt),
		slog.Int("status", status),
		slog.String("request_id", requestID),
		slog.Duration("duration", d),
		slog.String("retry", retry),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "participant: attempt", attrs...)
}

// attempt sends the request once and classifies the outcome.
func (c *Client) attempt(ctx context.Context, r *resolved, op *ops.Op, tok Token, target string, payload []byte, invocationID string, n, maxAttempts int, into any) (status int, requestID string, err error) {
	req, err := newAttemptRequest(ctx, r, op, tok, target, payload, invocationID, n, maxAttempts)
	if err != nil {
		return 0, "", err
	}
	resp, err := r.httpClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", &smithy.CanceledError{Err: ctx.Err()}
		}
		return 0, "", &smithyhttp.RequestSendError{Err: err}
	}
	defer resp.Body.Close()
	if r.tel != nil {
		defer r.tel.deserialized(ctx, op, time.Now())
	}
	status = resp.StatusCode
	requestID = requestIDWithout(resp.Header, tok)

	if resp.Request != nil && resp.Request.URL != nil && resp.Request.URL.Host != req.URL.Host {
		// An HTTPClient followed a redirect to another host itself.
		return status, "", &ResponseError{StatusCode: status, Err: &smithy.GenericAPIError{
			Code:    "RedirectFollowed",
			Message: "the HTTP client followed a redirect to another host; give Options.HTTPClient a client that does not follow redirects",
			Fault:   smithy.FaultClient,
		}}
	}

	if status >= 200 && status < 300 && into == nil {
		// No members to decode: the body is only drained, so that the
		// connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, ops.MaxErrorBody))
		return status, requestID, nil
	}
	return status, requestID, readResponse(ctx, r, resp, requestID, tok, into)
}

// newAttemptRequest builds the HTTP request of attempt n, with its headers.
func newAttemptRequest(ctx context.Context, r *resolved, op *ops.Op, tok Token, target string, payload []byte, invocationID string, n, maxAttempts int) (*http.Request, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, op.Method, target, body)
	if err != nil {
		return nil, &smithy.SerializationError{Err: err}
	}
	// One backing array for every header value.
	vals := [5]string{tok.Reveal(), r.userAgent, invocationID, sdkRequestHeader(n, maxAttempts), "application/json"}
	vs := vals[:]
	h := req.Header
	h["X-Amz-Bearer"] = vs[0:1:1]
	h["User-Agent"] = vs[1:2:2]
	h["Amz-Sdk-Invocation-Id"] = vs[2:3:3]
	h["Amz-Sdk-Request"] = vs[3:4:4]
	if payload != nil {
		h["Content-Type"] = vs[4:5:5]
	}
	return req, nil
}

// readResponse reads the body of resp, within the body timeout, and returns
// the attempt's error: nil when a 2xx body decodes into into, else the
// failure to read or decode it, or the error the response stands for.
func readResponse(ctx context.Context, r *resolved, resp *http.Response, requestID string, tok Token, into any) error {
	status := resp.StatusCode
	limit := ops.MaxErrorBody
	if status >= 200 && status < 300 {
		limit = ops.MaxResponseBody
	}
	buf := bufpool.Get()
	defer bufpool.Put(buf)
	var timer *time.Timer
	var timedOut atomic.Bool
	if d := r.bodyTimeout; d > 0 {
		timer = time.AfterFunc(d, func() { timedOut.Store(true); resp.Body.Close() })
	}
	more, rerr := readBody(buf, resp.Body, resp.ContentLength, limit)
	if timer != nil {
		timer.Stop()
	}
	switch {
	case timedOut.Load():
		return &smithyhttp.RequestSendError{Err: &bodyTimeoutError{after: r.bodyTimeout}}
	case rerr != nil && ctx.Err() != nil:
		return &smithy.CanceledError{Err: ctx.Err()}
	}
	return responseError(resp, requestID, buf.Bytes(), more, rerr, tok, into)
}

// responseError classifies a response whose body was read into body: a 2xx
// is decoded into into (when not nil), a 3xx is an UnexpectedRedirect, the
// rest an error response. more tells whether the body was cut at its limit,
// rerr is the error reading it.
func responseError(resp *http.Response, requestID string, body []byte, more bool, rerr error, tok Token, into any) error {
	status := resp.StatusCode
	switch {
	case status >= 200 && status < 300:
		if rerr != nil {
			return &smithyhttp.RequestSendError{Err: fmt.Errorf("reading the response body: %w", rerr)}
		}
		if more && into != nil {
			return &smithy.DeserializationError{Err: fmt.Errorf("response body larger than %d bytes", ops.MaxResponseBody)}
		}
		if into != nil {
			if derr := decodeBody(body, into); derr != nil {
				return &smithy.DeserializationError{Err: derr}
			}
		}
		return nil

	case status >= 300 && status < 400:
		return &ResponseError{StatusCode: status, RequestID: requestID, Err: &smithy.GenericAPIError{
			Code:    "UnexpectedRedirect",
			Message: "the service answered with a redirect, which this client never follows",
			Fault:   smithy.FaultClient,
		}}

	default:
		apiErr := decodeError(status, resp.Header, body, more, tok)
		return &ResponseError{StatusCode: status, RequestID: requestID, Err: apiErr}
	}
}
