package participant_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// errorCase is one file of testdata/errors: an error response of the service
// and what the client must make of it. Files are strict JSON: unknown members
// are an error, so a typo cannot turn an expectation off.
type errorCase struct {
	name string // file name without .json

	Description string            `json:"description"`
	Source      string            `json:"source"` // e.g. the Smithy protocol test it follows
	Status      int               `json:"status"`
	Headers     map[string]string `json:"headers"`

	// At most one of Body, BodyBase64 (for bytes that are not UTF-8) and
	// BodyRepeat (for bodies too big to store) is set; none means no body.
	Body       *string `json:"body"`
	BodyBase64 *string `json:"bodyBase64"`
	BodyRepeat *struct {
		Prefix string `json:"prefix"`
		Unit   string `json:"unit"`
		Count  int    `json:"count"`
		Suffix string `json:"suffix"`
	} `json:"bodyRepeat"`

	Want struct {
		// Type is the dynamic type of ResponseError.Err, as %T prints it.
		Type string `json:"type"`
		// Code, Fault ("client", "server", "unknown") and the message are
		// what smithy.APIError reports. Message is exact; the other
		// message fields describe messages too long to spell out.
		Code          string  `json:"code"`
		Message       *string `json:"message"`
		MessagePrefix string  `json:"messagePrefix"`
		MessageSuffix string  `json:"messageSuffix"`
		MessageLen    int     `json:"messageLen"`
		MessageMaxLen int     `json:"messageMaxLen"`
		Fault         string  `json:"fault"`
		// Retryable is the verdict of aws/retry's standard retryer.
		Retryable *bool `json:"retryable"`
		// RequestID is ResponseError.RequestID; "" when none was sent.
		RequestID *string `json:"requestId"`
		// ResourceID and ResourceType are checked on a ResourceNotFoundError.
		ResourceID   string `json:"resourceId"`
		ResourceType string `json:"resourceType"`
	} `json:"want"`
}

// errorCaseMatchers finds each type a corpus file may name, with errors.As,
// anywhere in an error's chain.
var errorCaseMatchers = map[string]func(error) bool{
	"*participant.AccessDeniedError":         func(err error) bool { var e *participant.AccessDeniedError; return errors.As(err, &e) },
	"*participant.ConflictError":             func(err error) bool { var e *participant.ConflictError; return errors.As(err, &e) },
	"*participant.InternalServerError":       func(err error) bool { var e *participant.InternalServerError; return errors.As(err, &e) },
	"*participant.ResourceNotFoundError":     func(err error) bool { var e *participant.ResourceNotFoundError; return errors.As(err, &e) },
	"*participant.ServiceQuotaExceededError": func(err error) bool { var e *participant.ServiceQuotaExceededError; return errors.As(err, &e) },
	"*participant.ThrottlingError":           func(err error) bool { var e *participant.ThrottlingError; return errors.As(err, &e) },
	"*participant.ValidationError":           func(err error) bool { var e *participant.ValidationError; return errors.As(err, &e) },
	"*smithy.GenericAPIError":                func(err error) bool { var e *smithy.GenericAPIError; return errors.As(err, &e) },
}

// body returns the response body the case describes.
func (c *errorCase) body() []byte {
	switch {
	case c.Body != nil:
		return []byte(*c.Body)
	case c.BodyBase64 != nil:
		b, _ := base64.StdEncoding.DecodeString(*c.BodyBase64) // checked by validate
		return b
	case c.BodyRepeat != nil:
		r := c.BodyRepeat
		return []byte(r.Prefix + strings.Repeat(r.Unit, r.Count) + r.Suffix)
	}
	return nil
}

// validate reports a corpus file that cannot be a meaningful test.
func (c *errorCase) validate() error {
	w := &c.Want
	bodies := 0
	for _, set := range []bool{c.Body != nil, c.BodyBase64 != nil, c.BodyRepeat != nil} {
		if set {
			bodies++
		}
	}
	switch {
	case c.Description == "":
		return errors.New("no description")
	case c.Status < 400 || c.Status > 599:
		return fmt.Errorf("status %d is not an error status", c.Status)
	case bodies > 1:
		return errors.New("more than one of body, bodyBase64, bodyRepeat")
	case c.BodyRepeat != nil && (c.BodyRepeat.Unit == "" || c.BodyRepeat.Count < 1):
		return errors.New("bodyRepeat needs a unit and a count")
	case errorCaseMatchers[w.Type] == nil:
		return fmt.Errorf("unknown want.type %q", w.Type)
	case w.Code == "":
		return errors.New("no want.code")
	case w.Fault != "client" && w.Fault != "server" && w.Fault != "unknown":
		return fmt.Errorf("want.fault %q is not client, server or unknown", w.Fault)
	case w.Retryable == nil:
		return errors.New("no want.retryable")
	case w.RequestID == nil:
		return errors.New(`no want.requestId (use "" for none)`)
	case w.Message == nil && w.MessagePrefix == "":
		return errors.New("neither want.message nor want.messagePrefix")
	}
	if c.BodyBase64 != nil {
		if _, err := base64.StdEncoding.DecodeString(*c.BodyBase64); err != nil {
			return fmt.Errorf("bodyBase64: %v", err)
		}
	}
	return nil
}

// loadErrorCorpus reads every testdata/errors/*.json, sorted by name. An
// empty or unreadable corpus fails the test: it must never pass by testing
// nothing.
func loadErrorCorpus(t testing.TB) []*errorCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "errors", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no error corpus: testdata/errors/*.json matched nothing")
	sort.Strings(paths)
	cases := make([]*errorCase, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		c := &errorCase{name: strings.TrimSuffix(filepath.Base(p), ".json")}
		require.NoError(t, dec.Decode(c), p)
		require.NoError(t, c.validate(), p)
		cases = append(cases, c)
	}
	return cases
}

// serveErrorCase starts a server that answers SendEvent with the case's
// response and counts the requests it gets.
func serveErrorCase(t *testing.T, c *errorCase, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	body := c.body()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		assert.Equal(t, "POST /participant/event", r.Method+" "+r.URL.Path, "request")
		for k, v := range c.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(c.Status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// oneAttempt turns retries off, so each call sees exactly one response.
func oneAttempt(o *participant.Options) { o.RetryMaxAttempts = 1 }

// newCorpusClient is the client the brief asks for: the test server as
// endpoint and retries off, so each call sees exactly one response.
func newCorpusClient(t *testing.T, url string) *participant.Client {
	t.Helper()
	c := participant.New(participant.Options{BaseEndpoint: url, RetryMaxAttempts: 1})
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func sendTyping(ctx context.Context, c *participant.Client, tok participant.Token) error {
	out, err := c.SendEvent(ctx, &participant.SendEventInput{ConnectionToken: tok, ContentType: participant.ContentTypeTyping})
	if err == nil {
		return fmt.Errorf("SendEvent succeeded with %+v, want an error", out)
	}
	return err
}

// TestErrorsCorpus serves every file of testdata/errors and checks the error
// SendEvent returns against the file's expectations.
func TestErrorsCorpus(t *testing.T) {
	t.Parallel()
	cases := loadErrorCorpus(t)

	// The corpus must keep covering every error type; deleting the files of
	// one type must fail here, not shrink the test.
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.Want.Type] = true
	}
	for typ := range errorCaseMatchers {
		assert.True(t, seen[typ], "no corpus file expects %s", typ)
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := serveErrorCase(t, c, &hits)
			err := sendTyping(t.Context(), newCorpusClient(t, srv.URL), "corpus-connection-token")
			checkErrorCase(t, c, err)
			assert.Equal(t, int32(1), hits.Load(), "requests the server got (RetryMaxAttempts 1)")
		})
	}
}

func checkErrorCase(t *testing.T, c *errorCase, err error) {
	t.Helper()
	w := c.Want
	require.Error(t, err, "no error")

	var oe *smithy.OperationError
	require.ErrorAs(t, err, &oe, "%T is not a *smithy.OperationError", err)
	assert.Equal(t, "ConnectParticipant", oe.ServiceID, "OperationError.ServiceID")
	assert.Equal(t, "SendEvent", oe.OperationName, "OperationError.OperationName")

	var re *participant.ResponseError
	require.ErrorAs(t, err, &re, "no *participant.ResponseError")
	assert.Equal(t, c.Status, re.StatusCode, "StatusCode")
	assert.Equal(t, c.Status, re.HTTPStatusCode(), "HTTPStatusCode()")
	assert.Equal(t, *w.RequestID, re.RequestID, "RequestID")
	assert.Equal(t, *w.RequestID, re.ServiceRequestID(), "ServiceRequestID()")
	assert.Equal(t, 1, re.Attempts, "Attempts")
	assert.Equal(t, w.Type, fmt.Sprintf("%T", re.Err), "type of ResponseError.Err")
	for typ, found := range errorCaseMatchers {
		assert.Equal(t, typ == w.Type, found(err), "errors.As(err, %s)", typ)
	}

	var api smithy.APIError
	require.ErrorAs(t, err, &api, "no smithy.APIError")
	assert.Equal(t, w.Code, api.ErrorCode(), "ErrorCode()")
	assert.Equal(t, w.Fault, api.ErrorFault().String(), "ErrorFault()")
	checkErrorMessage(t, api.ErrorMessage(), w.Message, w.MessagePrefix, w.MessageSuffix, w.MessageLen, w.MessageMaxLen)

	if w.Type == "*participant.ResourceNotFoundError" {
		var rnf *participant.ResourceNotFoundError
		require.ErrorAs(t, err, &rnf)
		assert.Equal(t, w.ResourceID, rnf.ResourceID, "ResourceID")
		assert.Equal(t, w.ResourceType, string(rnf.ResourceType), "ResourceType")
	}

	assert.Equal(t, *w.Retryable, participant.WithServiceRetryRules(retry.NewStandard()).IsErrorRetryable(err), "IsErrorRetryable of the standard retryer with the client's rules")

	s := err.Error()
	assert.False(t, strings.ContainsAny(s, "\r\n"), "Error() holds a raw CR or LF: %q", s)
	assert.Less(t, len(s), 1536, "Error() is %d bytes, want less than 1.5 KiB: %.200q…", len(s), s)
	for _, part := range []string{
		"operation error ConnectParticipant: SendEvent, ",
		"StatusCode: " + strconv.Itoa(c.Status),
		"RequestID: " + *w.RequestID,
		w.Code,
	} {
		assert.Contains(t, s, part, "Error()")
	}
}

func checkErrorMessage(t *testing.T, got string, exact *string, prefix, suffix string, n, maxLen int) {
	t.Helper()
	if exact != nil {
		assert.Equal(t, *exact, got, "ErrorMessage()")
	}
	assert.True(t, strings.HasPrefix(got, prefix), "ErrorMessage() %.80q…, want prefix %q", got, prefix)
	assert.True(t, strings.HasSuffix(got, suffix), "ErrorMessage() …%q, want suffix %q", got[max(0, len(got)-40):], suffix)
	if n > 0 {
		assert.Len(t, got, n, "ErrorMessage() length")
	}
	if maxLen > 0 {
		assert.LessOrEqual(t, len(got), maxLen, "ErrorMessage() is %d bytes, want at most %d", len(got), maxLen)
	}
	assert.False(t, strings.ContainsAny(got, "\r\n"), "ErrorMessage() holds a raw CR or LF: %q", got)
}

// TestErrorsAsModeled checks that each modeled error is reachable with
// errors.As through OperationError and ResponseError, carries the service's
// message, and is the only modeled type reachable.
func TestErrorsAsModeled(t *testing.T) {
	t.Parallel()
	type modeled struct {
		code   string
		status int
		as     func(error) (smithy.APIError, bool)
	}
	cases := []modeled{
		{"AccessDeniedException", 403, func(err error) (smithy.APIError, bool) {
			var e *participant.AccessDeniedError
			return e, errors.As(err, &e)
		}},
		{"ConflictException", 409, func(err error) (smithy.APIError, bool) {
			var e *participant.ConflictError
			return e, errors.As(err, &e)
		}},
		{"InternalServerException", 500, func(err error) (smithy.APIError, bool) {
			var e *participant.InternalServerError
			return e, errors.As(err, &e)
		}},
		{"ResourceNotFoundException", 404, func(err error) (smithy.APIError, bool) {
			var e *participant.ResourceNotFoundError
			return e, errors.As(err, &e)
		}},
		{"ServiceQuotaExceededException", 402, func(err error) (smithy.APIError, bool) {
			var e *participant.ServiceQuotaExceededError
			return e, errors.As(err, &e)
		}},
		{"ThrottlingException", 429, func(err error) (smithy.APIError, bool) {
			var e *participant.ThrottlingError
			return e, errors.As(err, &e)
		}},
		{"ValidationException", 400, func(err error) (smithy.APIError, bool) {
			var e *participant.ValidationError
			return e, errors.As(err, &e)
		}},
	}
	for _, m := range cases {
		t.Run(m.code, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t, oneAttempt)
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Amzn-ErrorType", m.code)
				w.Header().Set("x-amzn-RequestId", "rid-"+m.code)
				w.WriteHeader(m.status)
				_, _ = io.WriteString(w, `{"message":"about `+m.code+`"}`)
			})
			err := sendTyping(t.Context(), c, "as-token")

			got, ok := m.as(err)
			require.True(t, ok, "errors.As found no %s in %v", m.code, err)
			assert.Equal(t, m.code, got.ErrorCode(), "ErrorCode")
			assert.Equal(t, "about "+m.code, got.ErrorMessage(), "ErrorMessage")
			wantFault := smithy.FaultClient
			if m.code == "InternalServerException" {
				wantFault = smithy.FaultServer
			}
			assert.Equal(t, wantFault, got.ErrorFault(), "ErrorFault")
			for _, other := range cases {
				_, found := other.as(err)
				assert.Equal(t, other.code == m.code, found, "errors.As for %s", other.code)
			}
			// The modeled error sits inside a ResponseError inside the
			// OperationError, each reachable on its own.
			var oe *smithy.OperationError
			var re *participant.ResponseError
			require.ErrorAs(t, err, &oe, "chain %T → %T lacks OperationError", err, errors.Unwrap(err))
			require.ErrorAs(t, oe.Err, &re, "chain %T → %T lacks OperationError → ResponseError", err, errors.Unwrap(err))
			inner, ok := m.as(re)
			assert.True(t, ok, "errors.As on the ResponseError found no %T", got)
			assert.Same(t, got, inner, "errors.As on the ResponseError, want the same %T", got)
			assert.Equal(t, "rid-"+m.code, re.RequestID, "ResponseError.RequestID")
			assert.Equal(t, m.status, re.StatusCode, "ResponseError.StatusCode")
		})
	}
}

// TestErrorsCanceled checks that a call ended by its context reports
// context.Canceled (or DeadlineExceeded) through errors.Is, whenever the
// context ends: before the call, during the request, during a backoff.
func TestErrorsCanceled(t *testing.T) {
	t.Parallel()

	check := func(t *testing.T, err, want error) {
		t.Helper()
		require.ErrorIs(t, err, want)
		var oe *smithy.OperationError
		if assert.ErrorAs(t, err, &oe, "not an OperationError of SendEvent") {
			assert.Equal(t, "ConnectParticipant", oe.ServiceID, "OperationError.ServiceID")
			assert.Equal(t, "SendEvent", oe.OperationName, "OperationError.OperationName")
		}
		var ce *smithy.CanceledError
		assert.ErrorAs(t, err, &ce, "no *smithy.CanceledError")
		assert.False(t, retry.NewStandard().IsErrorRetryable(err), "a cancelled call is retryable: %v", err)
		assert.False(t, strings.ContainsAny(err.Error(), "\r\n"), "Error() holds CR or LF: %q", err.Error())
	}

	t.Run("before the call", func(t *testing.T) {
		t.Parallel()
		var hits atomic.Int32
		c, mux := setup(t, oneAttempt)
		mux.HandleFunc("/", func(http.ResponseWriter, *http.Request) { hits.Add(1) })
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		check(t, sendTyping(ctx, c, "cancel-token"), context.Canceled)
		assert.Zero(t, hits.Load(), "requests a cancelled call sent")
	})

	t.Run("deadline passed", func(t *testing.T) {
		t.Parallel()
		c, mux := setup(t, oneAttempt)
		mux.HandleFunc("/", func(http.ResponseWriter, *http.Request) {})
		ctx, cancel := context.WithDeadline(t.Context(), time.Unix(1, 0))
		defer cancel()
		check(t, sendTyping(ctx, c, "cancel-token"), context.DeadlineExceeded)
	})

	t.Run("during the request", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		c, mux := setup(t, oneAttempt)
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			// Cancel the caller while its request is in flight, then hold
			// the response until the client has gone: it never gets one.
			// (The server notices a closed connection only once the body
			// has been read.)
			_, _ = io.Copy(io.Discard, r.Body)
			cancel()
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
				assert.Fail(t, "the client did not abandon the request after its context was cancelled")
			}
		})
		check(t, sendTyping(ctx, c, "cancel-token"), context.Canceled)
	})

	t.Run("during the backoff", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var hits atomic.Int32
		// The backoff cancels the call and asks for an hour's sleep: the
		// call can only return if the sleep ends with the context.
		rt := retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
				cancel()
				return time.Hour, nil
			})
		})
		c, mux := setup(t, func(o *participant.Options) { o.Retryer = rt })
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("X-Amzn-ErrorType", "InternalServerException")
			w.WriteHeader(500)
			_, _ = io.WriteString(w, `{"message":"try again"}`)
		})
		err := sendTyping(ctx, c, "cancel-token")
		check(t, err, context.Canceled)
		assert.Equal(t, int32(1), hits.Load(), "requests the server got")
		assert.Contains(t, err.Error(), "InternalServerException", "Error() does not name the last attempt's failure")
	})
}
