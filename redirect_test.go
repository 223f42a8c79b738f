package participant_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/connectchat/participant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// doer is an HTTPClient that is not an *http.Client.
type doer struct{ c *http.Client }

func (d doer) Do(r *http.Request) (*http.Response, error) { return d.c.Do(r) }

func TestRedirectsNeverFollowed(t *testing.T) {
	t.Parallel()
	var contacted atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.NotEqual(t, "/steal", r.URL.Path, "the redirect target was contacted (bearer %q)", r.Header.Get("X-Amz-Bearer"))
		contacted.Add(1)
		_, _ = w.Write([]byte(`{"Id":"stolen"}`))
	}))
	t.Cleanup(target.Close)

	clients := []struct {
		name string
		hc   func() participant.HTTPClient
	}{
		{"default client", func() participant.HTTPClient { return nil }},
		{"caller's http.Client that follows redirects", func() participant.HTTPClient { return &http.Client{Transport: &http.Transport{}} }},
		{"aws BuildableClient", func() participant.HTTPClient { return awshttp.NewBuildableClient() }},
	}
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, cl := range clients {
			t.Run(strconv.Itoa(status)+"/"+cl.name, func(t *testing.T) {
				t.Parallel()
				src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, target.URL+"/steal?sig=secret-query", status)
				}))
				t.Cleanup(src.Close)
				c := participant.New(participant.Options{BaseEndpoint: src.URL, HTTPClient: cl.hc()})
				t.Cleanup(c.CloseIdleConnections)
				_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "redirect-secret", ContentType: participant.ContentTypeTyping})
				var re *participant.ResponseError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, status, re.StatusCode)
				assert.Equal(t, 1, re.Attempts, "a redirect is not retried")
				var api smithy.APIError
				require.ErrorAs(t, err, &api)
				assert.Equal(t, "UnexpectedRedirect", api.ErrorCode())
				for _, bad := range []string{target.URL, "secret-query", "redirect-secret"} {
					assert.NotContains(t, err.Error(), bad, "the error shows the Location or the token")
				}
			})
		}
	}
	// A client of the caller that follows redirects itself is caught after
	// the fact: the call fails rather than returning the other host's answer.
	t.Run("custom doer that follows", func(t *testing.T) {
		t.Parallel()
		src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/x", http.StatusFound)
		}))
		t.Cleanup(src.Close)
		hc := &http.Client{Transport: &http.Transport{}}
		t.Cleanup(hc.CloseIdleConnections)
		c := participant.New(participant.Options{BaseEndpoint: src.URL, HTTPClient: doer{hc}})
		_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: "tok", ContentType: participant.ContentTypeTyping})
		var api smithy.APIError
		require.ErrorAs(t, err, &api)
		assert.Equal(t, "RedirectFollowed", api.ErrorCode())
	})
	t.Cleanup(func() {
		assert.EqualValues(t, 1, contacted.Load(), "only the custom doer may reach the redirect target")
	})
}

// TestEchoedTokenInRequestID: a service (or proxy) that echoes the bearer
// token in x-amzn-RequestId must not put it in an output, an error or a log.
func TestEchoedTokenInRequestID(t *testing.T) {
	t.Parallel()
	const secret = "ECHOED-SECRET-91c2"
	for _, status := range []int{200, 307, 500} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("x-amzn-RequestId", "id-"+r.Header.Get("X-Amz-Bearer")+"-end")
				if status == 307 {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(status)
				_, _ = w.Write([]byte(`{"Id":"i"}`))
			}))
			t.Cleanup(srv.Close)
			c := participant.New(participant.Options{BaseEndpoint: srv.URL, RetryMaxAttempts: 1})
			t.Cleanup(c.CloseIdleConnections)
			out, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: secret, ContentType: participant.ContentTypeTyping})
			var got string
			if out != nil {
				got = out.RequestID
			}
			if err != nil {
				got += err.Error()
			}
			assert.NotContains(t, got, secret)
			assert.Contains(t, got, "id-REDACTED-end", "the request id is kept")
		})
	}
}
