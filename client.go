package participant

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// maxResponseBody caps a success response body: room for a GetTranscript page
// of 100 items whose content is all escaped.
const maxResponseBody = 16 << 20

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

// operation describes one operation of the service: a row of the table every
// operation's file declares with newOperation.
type operation struct {
	name   string // the AWS operation name, e.g. "SendEvent"
	method string // http.MethodPost, or http.MethodGet for DescribeView
	path   string // e.g. "/participant/event"
	index  int    // 1 + position in operations; 0 for an unregistered one
}

// operations lists every operation made by newOperation, so that resolve can
// build each one's URL once per Client.
var operations []*operation

// newOperation registers an operation of the service.
func newOperation(name, method, path string) *operation {
	op := &operation{name: name, method: method, path: path, index: len(operations) + 1}
	operations = append(operations, op)
	return op
}

// call is one invocation of an operation.
type call struct {
	op    *operation
	token Token
	path  string // escaped path, when it differs from op.path
	body  []byte // JSON body; nil for a GET
}

// opError wraps err in the operation error every operation returns.
func opError(op *operation, err error) error {
	return &smithy.OperationError{ServiceID: ServiceID, OperationName: op.name, Err: err}
}

// options returns the resolved options for one call.
func (c *Client) options(optFns []func(*Options)) *resolved {
	if len(optFns) == 0 {
		return c.res
	}
	return resolve(copyOptions(c.opts, optFns), c.res)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// invoke runs the one request path every operation uses: send, retry, decode
// the error. decode receives the success body (valid only during the call)
// and the request id. r is the resolved options of the call.
func (c *Client) invoke(ctx context.Context, r *resolved, cl call, decode func(body []byte, requestID string) error) error {
	if r.endErr != nil {
		return opError(cl.op, r.endErr)
	}
	var target string
	switch {
	case cl.path != "":
		target = r.baseURL + cl.path
	case cl.op.index > 0 && cl.op.index <= len(r.urls):
		target = r.urls[cl.op.index-1]
	default:
		target = r.baseURL + cl.op.path
	}

	invocationID := newUUID()
	maxAttempts := r.retryer.MaxAttempts()
	if maxAttempts < 1 {
		maxAttempts = 1
	}
	logger := r.opts.Logger
	if logger != nil && !logger.Enabled(ctx, slog.LevelDebug) {
		logger = nil
	}

	releaseRetry := nopRelease
	var err error
	attempt := 1
	for ; ; attempt++ {
		if cerr := ctx.Err(); cerr != nil {
			err = canceled(cerr, err)
			break
		}
		// Every attempt asks the retryer (adaptive mode rate-limits each
		// one), except where the answer is known: the plain standard
		// retryer's first-attempt token is cached, and it gives later
		// attempts nothing, as in aws-sdk-go-v2's retry middleware.
		releaseAttempt := nopRelease
		switch {
		case r.firstAttempt != nil && attempt == 1:
			releaseAttempt = r.firstAttempt
		case r.firstAttempt != nil:
		default:
			var aerr error
			if releaseAttempt, aerr = r.retryer.GetAttemptToken(ctx); aerr != nil || releaseAttempt == nil {
				releaseAttempt = nil
				if aerr == nil {
					aerr = errors.New("no attempt token")
				}
				err = fmt.Errorf("retryer refused the attempt: %w", aerr)
			}
		}
		if releaseAttempt == nil {
			break
		}

		start := time.Now()
		var status int
		var requestID string
		status, requestID, err = c.attempt(ctx, r, cl, target, invocationID, attempt, maxAttempts, decode)
		_ = releaseRetry(err)
		_ = releaseAttempt(err)
		if err == nil {
			if logger != nil {
				logAttempt(ctx, logger, cl.op, attempt, status, requestID, time.Since(start), "done", nil)
			}
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			err = canceled(cerr, err)
			break
		}

		decision := "no"
		retryable := r.retryer.IsErrorRetryable(err)
		var delay time.Duration
		switch {
		case !retryable:
		case attempt >= maxAttempts:
			decision = "no, attempts exhausted"
		default:
			var terr error
			if releaseRetry, terr = r.retryer.GetRetryToken(ctx, err); terr != nil {
				releaseRetry = nopRelease
				decision = "no, retry quota exhausted"
				break
			}
			if delay, terr = r.retryer.RetryDelay(attempt, err); terr != nil {
				decision = "no, no retry delay"
				break
			}
			decision = "yes"
		}
		if logger != nil {
			logAttempt(ctx, logger, cl.op, attempt, status, requestID, time.Since(start), decision, err)
		}
		if decision != "yes" {
			break
		}
		if serr := sleep(ctx, delay); serr != nil {
			err = canceled(serr, err)
			break
		}
	}

	var re *ResponseError
	if errors.As(err, &re) {
		re.Attempts = attempt
	} else if attempt > 1 {
		err = &attemptsError{attempts: attempt, err: err}
	}
	return opError(cl.op, err)
}

func nopRelease(error) error { return nil }

// sdkRequestHeaders holds the Amz-Sdk-Request values of the usual attempt
// counts, so the request path does not build them.
var sdkRequestHeaders = func() (t [11][11]string) {
	for m := 1; m <= 10; m++ {
		for n := 1; n <= m; n++ {
			t[n][m] = "attempt=" + strconv.Itoa(n) + "; max=" + strconv.Itoa(m)
		}
	}
	return t
}()

// sdkRequestHeader returns the Amz-Sdk-Request value of attempt n of max.
func sdkRequestHeader(n, max int) string {
	if n >= 1 && max <= 10 && n <= max {
		return sdkRequestHeaders[n][max]
	}
	return "attempt=" + strconv.Itoa(n) + "; max=" + strconv.Itoa(max)
}

// readAtMost reads r into buf until EOF or until buf holds limit bytes.
func readAtMost(buf *bytes.Buffer, r io.Reader, limit int) error {
	for buf.Len() < limit {
		buf.Grow(min(limit-buf.Len(), max(512, buf.Len())))
		b := buf.AvailableBuffer()
		b = b[:min(cap(b), limit-buf.Len())]
		n, err := r.Read(b)
		buf.Write(b[:n])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// attemptsError notes how many attempts ended in a failure other than an
// error response.
type attemptsError struct {
	attempts int
	err      error
}

func (e *attemptsError) Error() string {
	return "after " + strconv.Itoa(e.attempts) + " attempts: " + e.err.Error()
}
func (e *attemptsError) Unwrap() error { return e.err }

// canceled reports the end of ctx, noting the last attempt's failure, if
// any, in the text.
func canceled(ctxErr, last error) error {
	if last != nil {
		var ce *smithy.CanceledError
		if errors.As(last, &ce) {
			return ce
		}
		return &smithy.CanceledError{Err: fmt.Errorf("%w (last attempt: %s)", ctxErr, last.Error())}
	}
	return &smithy.CanceledError{Err: ctxErr}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func logAttempt(ctx context.Context, l *slog.Logger, op *operation, attempt, status int, requestID string, d time.Duration, retry string, err error) {
	attrs := []slog.Attr{
		slog.String("operation", op.name),
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
func (c *Client) attempt(ctx context.Context, r *resolved, cl call, target, invocationID string, n, maxAttempts int, decode func([]byte, string) error) (status int, requestID string, err error) {
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.op.method, target, body)
	if err != nil {
		return 0, "", &smithy.SerializationError{Err: err}
	}
	// One backing array for every header value.
	vals := [5]string{cl.token.Reveal(), r.userAgent, invocationID, sdkRequestHeader(n, maxAttempts), "application/json"}
	vs := vals[:]
	h := req.Header
	h["X-Amz-Bearer"] = vs[0:1:1]
	h["User-Agent"] = vs[1:2:2]
	h["Amz-Sdk-Invocation-Id"] = vs[2:3:3]
	h["Amz-Sdk-Request"] = vs[3:4:4]
	if cl.body != nil {
		h["Content-Type"] = vs[4:5:5]
	}

	resp, err := r.httpClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", &smithy.CanceledError{Err: ctx.Err()}
		}
		var send error = &smithyhttp.RequestSendError{Err: err}
		if isCertificateError(err) {
			send = &retryHint{err: send, retry: false}
		}
		return 0, "", send
	}
	defer resp.Body.Close()
	status = resp.StatusCode

	if resp.Request != nil && resp.Request.URL != nil && resp.Request.URL.Host != req.URL.Host {
		// An HTTPClient followed a redirect to another host itself.
		return status, "", &ResponseError{StatusCode: status, Err: &smithy.GenericAPIError{
			Code:    "RedirectFollowed",
			Message: "the HTTP client followed a redirect to another host; give Options.HTTPClient a client that does not follow redirects",
			Fault:   smithy.FaultClient,
		}}
	}

	switch {
	case status >= 200 && status < 300:
		requestID = requestIDWithout(resp.Header, cl.token)
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer func() {
			if buf.Cap() <= 1<<20 {
				bufPool.Put(buf)
			}
		}()
		if rerr := readAtMost(buf, resp.Body, maxResponseBody+1); rerr != nil {
			if ctx.Err() != nil {
				return status, requestID, &smithy.CanceledError{Err: ctx.Err()}
			}
			return status, requestID, &smithyhttp.RequestSendError{Err: fmt.Errorf("reading the response body: %w", rerr)}
		}
		if buf.Len() > maxResponseBody {
			return status, requestID, &smithy.DeserializationError{Err: fmt.Errorf("response body larger than %d bytes", maxResponseBody)}
		}
		if derr := decode(buf.Bytes(), requestID); derr != nil {
			return status, requestID, &smithy.DeserializationError{Err: derr}
		}
		return status, requestID, nil

	case status >= 300 && status < 400:
		requestID = requestIDWithout(resp.Header, cl.token)
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return status, requestID, &ResponseError{StatusCode: status, RequestID: requestID, Err: &smithy.GenericAPIError{
			Code:    "UnexpectedRedirect",
			Message: "the service answered with a redirect, which this client never follows",
			Fault:   smithy.FaultClient,
		}}

	default:
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer bufPool.Put(buf)
		_ = readAtMost(buf, resp.Body, maxErrorBody+1)
		b := buf.Bytes()
		truncated := len(b) > maxErrorBody
		if truncated {
			b = b[:maxErrorBody]
		}
		requestID, apiErr := decodeError(status, resp.Header, b, truncated, cl.token)
		return status, requestID, &ResponseError{StatusCode: status, RequestID: requestID, Err: apiErr}
	}
}
