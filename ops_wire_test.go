package participant_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// TestClientTokenOncePerCall checks the four new operations with a
// ClientToken: a token is made when the input has none, the same one goes on
// every attempt of a call, a new call gets a new one, and the input keeps
// its empty ClientToken.
func TestClientTokenOncePerCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op   string
		call func(ctx context.Context, c *participant.Client) (any, error)
	}{
		{"SendMessage", func(ctx context.Context, c *participant.Client) (any, error) {
			in := &participant.SendMessageInput{ConnectionToken: "t", ContentType: participant.ContentTypePlainText, Content: "hi"}
			_, err := c.SendMessage(ctx, in)
			return *in, err
		}},
		{"DisconnectParticipant", func(ctx context.Context, c *participant.Client) (any, error) {
			in := &participant.DisconnectParticipantInput{ConnectionToken: "t"}
			_, err := c.DisconnectParticipant(ctx, in)
			return *in, err
		}},
		{"StartAttachmentUpload", func(ctx context.Context, c *participant.Client) (any, error) {
			in := &participant.StartAttachmentUploadInput{ConnectionToken: "t", ContentType: "image/png", AttachmentSizeInBytes: 3, AttachmentName: "a.png"}
			_, err := c.StartAttachmentUpload(ctx, in)
			return *in, err
		}},
		{"CompleteAttachmentUpload", func(ctx context.Context, c *participant.Client) (any, error) {
			in := &participant.CompleteAttachmentUploadInput{ConnectionToken: "t", AttachmentIDs: []string{"a1"}}
			_, err := c.CompleteAttachmentUpload(ctx, in)
			return *in, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			t.Parallel()
			// Each call fails once with a 500, then succeeds.
			fs := newFaultServer(t, return500, "", return500, "")
			c := participant.New(participant.Options{BaseEndpoint: fs.URL, Retryer: retry.NewStandard(noDelay)})
			t.Cleanup(c.CloseIdleConnections)
			in1, err := tt.call(t.Context(), c)
			require.NoError(t, err)
			_, err = tt.call(t.Context(), c)
			require.NoError(t, err)
			assert.Empty(t, reflect.ValueOf(in1).FieldByName("ClientToken").String(), "the call changed the input's ClientToken: %+v", in1)
			recs := fs.records()
			require.Len(t, recs, 4, "attempts")
			for i, r := range recs {
				_, err := uuid.Parse(r.clientToken)
				assert.NoError(t, err, "attempt %d: ClientToken %q is not a UUID", i, r.clientToken)
			}
			assert.Equal(t, recs[0].clientToken, recs[1].clientToken, "a retry changed the first call's ClientToken")
			assert.Equal(t, recs[2].clientToken, recs[3].clientToken, "a retry changed the second call's ClientToken")
			assert.NotEqual(t, recs[0].clientToken, recs[2].clientToken, "two calls shared a ClientToken")
			assert.Equal(t, string(recs[0].body), string(recs[1].body), "a retry changed the body")
		})
	}
}

// TestEmptyOutputsIgnoreBody: operations without output members never read
// the body, as aws-sdk-go-v2 does not, so anything there is fine.
func TestEmptyOutputsIgnoreBody(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", "rid")
		_, _ = io.WriteString(w, "<html>not json")
	})
	ctx := t.Context()
	d, err := c.DisconnectParticipant(ctx, &participant.DisconnectParticipantInput{ConnectionToken: "t"})
	if assert.NoError(t, err, "DisconnectParticipant") {
		assert.Equal(t, "rid", d.RequestID, "DisconnectParticipant: %+v", d)
	}
	cm, err := c.CompleteAttachmentUpload(ctx, &participant.CompleteAttachmentUploadInput{ConnectionToken: "t", AttachmentIDs: []string{"a"}})
	if assert.NoError(t, err, "CompleteAttachmentUpload") {
		assert.Equal(t, "rid", cm.RequestID, "CompleteAttachmentUpload: %+v", cm)
	}
	ca, err := c.CancelParticipantAuthentication(ctx, &participant.CancelParticipantAuthenticationInput{ConnectionToken: "t", SessionID: valSession})
	if assert.NoError(t, err, "CancelParticipantAuthentication") {
		assert.Equal(t, "rid", ca.RequestID, "CancelParticipantAuthentication: %+v", ca)
	}
	// An operation with output members does read it.
	_, err = c.GetAuthenticationUrl(ctx, &participant.GetAuthenticationUrlInput{ConnectionToken: "t", SessionID: valSession, RedirectURI: "r"})
	assert.Error(t, err, "GetAuthenticationUrl accepted a body that is not JSON")
}

// TestDescribeViewWire checks the one GET: the label escaped byte by byte,
// no body and no Content-Type, and the ResourceNotFoundException only it can
// return.
func TestDescribeViewWire(t *testing.T) {
	t.Parallel()
	type seen struct {
		method, uri, contentType string
		body                     []byte
	}
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.RequestURI, r.Header.Get("Content-Type"), b})
		mu.Unlock()
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"no such view","ResourceId":"v-9","ResourceType":"CONTACT_FLOW"}`)
	}))
	t.Cleanup(srv.Close)
	c := participant.New(participant.Options{BaseEndpoint: srv.URL + "/base/"})
	t.Cleanup(c.CloseIdleConnections)
	tokens := map[string]string{
		"plain-Token_1.2~":  "/base/participant/views/plain-Token_1.2~",
		"a/b c+d=":          "/base/participant/views/a%2Fb%20c%2Bd%3D",
		"../../etc/passwd":  "/base/participant/views/..%2F..%2Fetc%2Fpasswd",
		"%2F?#&é":           "/base/participant/views/%252F%3F%23%26%C3%A9",
		"arn:aws:connect:x": "/base/participant/views/arn%3Aaws%3Aconnect%3Ax",
	}
	for tok, want := range tokens {
		_, err := c.DescribeView(t.Context(), &participant.DescribeViewInput{ConnectionToken: "t", ViewToken: tok})
		var nf *participant.ResourceNotFoundError
		if assert.ErrorAs(t, err, &nf, "%q: want a ResourceNotFoundError for v-9", tok) {
			assert.Equal(t, "v-9", nf.ResourceID, "%q: ResourceID", tok)
			assert.Equal(t, "CONTACT_FLOW", nf.ResourceType, "%q: ResourceType", tok)
		}
		mu.Lock()
		s := got[len(got)-1]
		mu.Unlock()
		assert.Equal(t, http.MethodGet, s.method, "%q: method", tok)
		assert.Equal(t, want, s.uri, "%q: request URI", tok)
		assert.Empty(t, s.contentType, "%q: want no Content-Type", tok)
		assert.Empty(t, s.body, "%q: want no body", tok)
	}
}
