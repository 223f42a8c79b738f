package participant_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// plainRetryer is a user retryer that owes nothing to aws/retry: three
// attempts, no delay, no quota, and one fixed answer for every error.
type plainRetryer struct{ retryAll bool }

func (r plainRetryer) IsErrorRetryable(error) bool                { return r.retryAll }
func (plainRetryer) MaxAttempts() int                             { return 3 }
func (plainRetryer) RetryDelay(int, error) (time.Duration, error) { return 0, nil }
func (plainRetryer) GetRetryToken(context.Context, error) (func(error) error, error) {
	return func(error) error { return nil }, nil
}
func (plainRetryer) GetInitialToken() func(error) error { return func(error) error { return nil } }
func (plainRetryer) GetAttemptToken(context.Context) (func(error) error, error) {
	return func(error) error { return nil }, nil
}

// TestServiceRetryRulesAnyRetryer checks that the client's three retry rules
// hold around a retryer that knows none of them.
func TestServiceRetryRulesAnyRetryer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		script       []fault
		wantAttempts int
	}{
		{"429 without a code is throttling", []fault{return429Bare, return429Bare}, 3},
		{"429 ThrottlingException", []fault{return429Coded, return429Coded, return429Coded}, 3},
		{"InternalServerException", []fault{return500}, 2},
		{"other 5xx left to the retryer", []fault{return503Text}, 1},
		{"validation left to the retryer", []fault{return400}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := newFaultServer(t, tt.script...)
			c := newTestClient(t, fs.URL, func(o *participant.Options) { o.Retryer = plainRetryer{} })
			_, _ = c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
			assert.Len(t, fs.records(), tt.wantAttempts, "attempts")
		})
	}
}

// TestCertificateFailureNeverRetried checks that a TLS certificate failure
// is not retried even by a retryer that retries everything.
func TestCertificateFailureNeverRetried(t *testing.T) {
	t.Parallel()
	var hits, conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake errors are expected
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL, func(o *participant.Options) { o.Retryer = plainRetryer{retryAll: true} })
	_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
	require.Error(t, err)
	assert.ErrorContains(t, err, "certificate")
	assert.NotContains(t, err.Error(), "attempts", "a certificate failure was retried")
	assert.Zero(t, hits.Load(), "a request reached the server")
	assert.Equal(t, int32(1), conns.Load(), "connections: a certificate failure was retried")
}

// TestResponseErrorUnwrap checks that Unwrap returns the service error itself.
func TestResponseErrorUnwrap(t *testing.T) {
	t.Parallel()
	fs := newFaultServer(t, return429Bare, return500)
	c := newTestClient(t, fs.URL, func(o *participant.Options) { o.RetryMaxAttempts = 1 })
	for range 2 {
		_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
		var re *participant.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Same(t, re.Err, errors.Unwrap(re), "Unwrap returned something other than Err")
	}
}
