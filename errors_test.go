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
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no error corpus: testdata/errors/*.json matched nothing")
	}
	sort.Strings(paths)
	cases := make([]*errorCase, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		c := &errorCase{name: strings.TrimSuffix(filepath.Base(p), ".json")}
		if err := dec.Decode(c); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := c.validate(); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
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
		if r.Method != http.MethodPost || r.URL.Path != "/participant/event" {
			t.Errorf("request %s %s, want POST /participant/event", r.Method, r.URL.Path)
		}
		for k, v := range c.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(c.Status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

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
		if !seen[typ] {
			t.Errorf("no corpus file expects %s", typ)
		}
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := serveErrorCase(t, c, &hits)
			err := sendTyping(t.Context(), newCorpusClient(t, srv.URL), "corpus-connection-token")
			checkErrorCase(t, c, err)
			if n := hits.Load(); n != 1 {
				t.Errorf("server got %d requests, want 1 (RetryMaxAttempts 1)", n)
			}
		})
	}
}

func checkErrorCase(t *testing.T, c *errorCase, err error) {
	t.Helper()
	w := c.Want
	if err == nil {
		t.Fatal("no error")
	}

	var oe *smithy.OperationError
	if !errors.As(err, &oe) {
		t.Fatalf("%T is not a *smithy.OperationError: %v", err, err)
	}
	if oe.ServiceID != "ConnectParticipant" || oe.OperationName != "SendEvent" {
		t.Errorf("OperationError{ServiceID: %q, OperationName: %q}, want ConnectParticipant, SendEvent", oe.ServiceID, oe.OperationName)
	}

	var re *participant.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("no *participant.ResponseError in %v", err)
	}
	if re.StatusCode != c.Status || re.HTTPStatusCode() != c.Status {
		t.Errorf("StatusCode %d, HTTPStatusCode() %d, want %d", re.StatusCode, re.HTTPStatusCode(), c.Status)
	}
	if re.RequestID != *w.RequestID || re.ServiceRequestID() != *w.RequestID {
		t.Errorf("RequestID %q, ServiceRequestID() %q, want %q", re.RequestID, re.ServiceRequestID(), *w.RequestID)
	}
	if re.Attempts != 1 {
		t.Errorf("Attempts %d, want 1", re.Attempts)
	}
	if got := fmt.Sprintf("%T", re.Err); got != w.Type {
		t.Errorf("ResponseError.Err is %s, want %s", got, w.Type)
	}
	for typ, found := range errorCaseMatchers {
		if got := found(err); got != (typ == w.Type) {
			t.Errorf("errors.As(err, %s) = %v, want %v", typ, got, typ == w.Type)
		}
	}

	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("no smithy.APIError in %v", err)
	}
	if api.ErrorCode() != w.Code {
		t.Errorf("ErrorCode() %q, want %q", api.ErrorCode(), w.Code)
	}
	if got := api.ErrorFault().String(); got != w.Fault {
		t.Errorf("ErrorFault() %s, want %s", got, w.Fault)
	}
	checkErrorMessage(t, api.ErrorMessage(), w.Message, w.MessagePrefix, w.MessageSuffix, w.MessageLen, w.MessageMaxLen)

	if w.Type == "*participant.ResourceNotFoundError" {
		var rnf *participant.ResourceNotFoundError
		errors.As(err, &rnf)
		if rnf.ResourceID != w.ResourceID || string(rnf.ResourceType) != w.ResourceType {
			t.Errorf("ResourceID %q, ResourceType %q, want %q, %q", rnf.ResourceID, rnf.ResourceType, w.ResourceID, w.ResourceType)
		}
	}

	if got := retry.NewStandard().IsErrorRetryable(err); got != *w.Retryable {
		t.Errorf("retry.NewStandard().IsErrorRetryable = %v, want %v", got, *w.Retryable)
	}

	s := err.Error()
	if strings.ContainsAny(s, "\r\n") {
		t.Errorf("Error() holds a raw CR or LF: %q", s)
	}
	if len(s) >= 1536 {
		t.Errorf("Error() is %d bytes, want less than 1.5 KiB: %.200q…", len(s), s)
	}
	for _, part := range []string{
		"operation error ConnectParticipant: SendEvent, ",
		"StatusCode: " + strconv.Itoa(c.Status),
		"RequestID: " + *w.RequestID,
		w.Code,
	} {
		if !strings.Contains(s, part) {
			t.Errorf("Error() lacks %q: %s", part, s)
		}
	}
}

func checkErrorMessage(t *testing.T, got string, exact *string, prefix, suffix string, n, maxLen int) {
	t.Helper()
	if exact != nil && got != *exact {
		t.Errorf("ErrorMessage() %q, want %q", got, *exact)
	}
	if !strings.HasPrefix(got, prefix) {
		t.Errorf("ErrorMessage() %.80q…, want prefix %q", got, prefix)
	}
	if !strings.HasSuffix(got, suffix) {
		t.Errorf("ErrorMessage() …%q, want suffix %q", got[max(0, len(got)-40):], suffix)
	}
	if n > 0 && len(got) != n {
		t.Errorf("ErrorMessage() is %d bytes, want %d", len(got), n)
	}
	if maxLen > 0 && len(got) > maxLen {
		t.Errorf("ErrorMessage() is %d bytes, want at most %d", len(got), maxLen)
	}
	if strings.ContainsAny(got, "\r\n") {
		t.Errorf("ErrorMessage() holds a raw CR or LF: %q", got)
	}
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
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Amzn-ErrorType", m.code)
				w.Header().Set("x-amzn-RequestId", "rid-"+m.code)
				w.WriteHeader(m.status)
				_, _ = io.WriteString(w, `{"message":"about `+m.code+`"}`)
			}))
			t.Cleanup(srv.Close)
			err := sendTyping(t.Context(), newCorpusClient(t, srv.URL), "as-token")

			got, ok := m.as(err)
			if !ok {
				t.Fatalf("errors.As found no %s in %v", m.code, err)
			}
			if got.ErrorCode() != m.code || got.ErrorMessage() != "about "+m.code {
				t.Errorf("ErrorCode %q, ErrorMessage %q", got.ErrorCode(), got.ErrorMessage())
			}
			wantFault := smithy.FaultClient
			if m.code == "InternalServerException" {
				wantFault = smithy.FaultServer
			}
			if got.ErrorFault() != wantFault {
				t.Errorf("ErrorFault %v, want %v", got.ErrorFault(), wantFault)
			}
			for _, other := range cases {
				if _, found := other.as(err); found != (other.code == m.code) {
					t.Errorf("errors.As for %s = %v", other.code, found)
				}
			}
			// The modeled error sits inside a ResponseError inside the
			// OperationError, each reachable on its own.
			var oe *smithy.OperationError
			var re *participant.ResponseError
			if !errors.As(err, &oe) || !errors.As(oe.Err, &re) {
				t.Fatalf("chain %T → %T lacks OperationError → ResponseError", err, errors.Unwrap(err))
			}
			if inner, ok := m.as(re); !ok || inner != got {
				t.Errorf("errors.As on the ResponseError found %v, want the same %T", inner, got)
			}
			if re.RequestID != "rid-"+m.code || re.StatusCode != m.status {
				t.Errorf("ResponseError{StatusCode: %d, RequestID: %q}", re.StatusCode, re.RequestID)
			}
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
		if !errors.Is(err, want) {
			t.Fatalf("errors.Is(%v, %v) = false", err, want)
		}
		var oe *smithy.OperationError
		if !errors.As(err, &oe) || oe.ServiceID != "ConnectParticipant" || oe.OperationName != "SendEvent" {
			t.Errorf("not an OperationError of SendEvent: %#v", err)
		}
		var ce *smithy.CanceledError
		if !errors.As(err, &ce) {
			t.Errorf("no *smithy.CanceledError in %v", err)
		}
		if retry.NewStandard().IsErrorRetryable(err) {
			t.Errorf("a cancelled call is retryable: %v", err)
		}
		if strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("Error() holds CR or LF: %q", err.Error())
		}
	}

	t.Run("before the call", func(t *testing.T) {
		t.Parallel()
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
		t.Cleanup(srv.Close)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		check(t, sendTyping(ctx, newCorpusClient(t, srv.URL), "cancel-token"), context.Canceled)
		if hits.Load() != 0 {
			t.Errorf("a cancelled call sent %d requests", hits.Load())
		}
	})

	t.Run("deadline passed", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		t.Cleanup(srv.Close)
		ctx, cancel := context.WithDeadline(t.Context(), time.Unix(1, 0))
		defer cancel()
		check(t, sendTyping(ctx, newCorpusClient(t, srv.URL), "cancel-token"), context.DeadlineExceeded)
	})

	t.Run("during the request", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Cancel the caller while its request is in flight, then hold
			// the response until the client has gone: it never gets one.
			// (The server notices a closed connection only once the body
			// has been read.)
			_, _ = io.Copy(io.Discard, r.Body)
			cancel()
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
				t.Error("the client did not abandon the request after its context was cancelled")
			}
		}))
		t.Cleanup(srv.Close)
		check(t, sendTyping(ctx, newCorpusClient(t, srv.URL), "cancel-token"), context.Canceled)
	})

	t.Run("during the backoff", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("X-Amzn-ErrorType", "InternalServerException")
			w.WriteHeader(500)
			_, _ = io.WriteString(w, `{"message":"try again"}`)
		}))
		t.Cleanup(srv.Close)
		// The backoff cancels the call and asks for an hour's sleep: the
		// call can only return if the sleep ends with the context.
		rt := retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
				cancel()
				return time.Hour, nil
			})
		})
		c := participant.New(participant.Options{BaseEndpoint: srv.URL, Retryer: rt})
		t.Cleanup(c.CloseIdleConnections)
		err := sendTyping(ctx, c, "cancel-token")
		check(t, err, context.Canceled)
		if hits.Load() != 1 {
			t.Errorf("server got %d requests, want 1", hits.Load())
		}
		if !strings.Contains(err.Error(), "InternalServerException") {
			t.Errorf("Error() does not name the last attempt's failure: %v", err)
		}
	})
}
