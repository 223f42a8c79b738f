package participant_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// setup starts a loopback server whose handler the test sets on mux, and a
// client for it (go-github style). Cleanup closes both.
func setup(t *testing.T, optFns ...func(*participant.Options)) (*participant.Client, *http.ServeMux) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return newTestClient(t, srv.URL, optFns...), mux
}

// testMethod checks the method of a request the service received.
func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	assert.Equal(t, want, r.Method)
}

const hardTok = participant.Token("hardening-connection-token")

// TestNilContext: every entry point given a nil context returns an
// operation error that says so, and never panics.
func TestNilContext(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	var nilCtx context.Context // what a caller forgot to set
	calls := map[string]func() error{
		"SendEvent": func() error {
			_, err := c.SendEvent(nilCtx, &participant.SendEventInput{ConnectionToken: hardTok, ContentType: participant.ContentTypeTyping})
			return err
		},
		"GetTranscript": func() error {
			_, err := c.GetTranscript(nilCtx, &participant.GetTranscriptInput{ConnectionToken: hardTok})
			return err
		},
		"Transcript": func() error {
			for _, err := range c.Transcript(nilCtx, &participant.GetTranscriptInput{ConnectionToken: hardTok}) {
				return err
			}
			return nil
		},
		"DescribeView": func() error {
			_, err := c.DescribeView(nilCtx, &participant.DescribeViewInput{ConnectionToken: hardTok, ViewToken: "v"})
			return err
		},
		"UploadAttachment": func() error {
			_, err := c.UploadAttachment(nilCtx, &participant.UploadAttachmentInput{ConnectionToken: hardTok, AttachmentName: "a.txt",
				ContentType: "text/plain", AttachmentSizeInBytes: 1, Body: strings.NewReader("a")})
			return err
		},
		"DownloadAttachment": func() error {
			_, err := c.DownloadAttachment(nilCtx, hardTok, "a-1")
			return err
		},
	}
	for name, call := range calls {
		var err error
		require.NotPanics(t, func() { err = call() }, name)
		var oe *smithy.OperationError
		require.ErrorAs(t, err, &oe, name)
		assert.ErrorContains(t, oe.Err, "nil context.Context", name)
	}
}

// TestResponseBodyTimeout: a server that sends its headers, then trickles
// the body, fails the attempt at ResponseBodyTimeout with a timeout error
// (a net.Error, and context.DeadlineExceeded for errors.Is), even though the
// context has no deadline.
func TestResponseBodyTimeout(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	c, mux := setup(t, func(o *participant.Options) {
		o.ResponseBodyTimeout = 150 * time.Millisecond
		o.RetryMaxAttempts = 1
	})
	mux.HandleFunc("/participant/event", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"Id":"`))
		w.(http.Flusher).Flush()
		for range 50 { // a byte every 100 ms, for 5 s at most
			select {
			case <-stop:
				return
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
				_, _ = w.Write([]byte("a"))
				w.(http.Flusher).Flush()
			}
		}
	})
	t.Cleanup(func() { close(stop) })
	start := time.Now()
	_, err := c.SendEvent(context.Background(), &participant.SendEventInput{ConnectionToken: hardTok, ContentType: participant.ContentTypeTyping})
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "the response body did not arrive within 150ms")
	assert.Less(t, time.Since(start), 3*time.Second)
}

// TestRetryQuotaExceeded: when the retry quota is used up, the error says
// so (errors.As finds aws/ratelimit's QuotaExceededError) and still holds
// the last response.
func TestRetryQuotaExceeded(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, func(o *participant.Options) {
		o.Retryer = retry.NewStandard(noDelay, func(o *retry.StandardOptions) {
			o.RateLimiter = ratelimit.NewTokenRateLimit(1) // less than one retry costs
		})
	})
	mux.HandleFunc("/participant/event", func(w http.ResponseWriter, _ *http.Request) {
		writeErr(w, http.StatusInternalServerError, "InternalServerException", "busy")
	})
	_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: hardTok, ContentType: participant.ContentTypeTyping})
	require.Error(t, err)
	var qe ratelimit.QuotaExceededError
	assert.ErrorAs(t, err, &qe)
	var re *participant.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusInternalServerError, re.StatusCode)
	assert.Equal(t, 1, re.Attempts)
	var ise *participant.InternalServerError
	assert.ErrorAs(t, err, &ise)
}

// TestRetryMaxAttemptsSets: RetryMaxAttempts sets the attempts of the
// retryer in use, lower or higher than its own limit, as its doc says.
func TestRetryMaxAttemptsSets(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 5} {
		var calls int
		c, mux := setup(t, func(o *participant.Options) { o.RetryMaxAttempts = n })
		mux.HandleFunc("/participant/event", func(w http.ResponseWriter, _ *http.Request) {
			calls++
			writeErr(w, http.StatusInternalServerError, "InternalServerException", "busy")
		})
		_, err := c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: hardTok, ContentType: participant.ContentTypeTyping})
		require.Error(t, err)
		assert.Equal(t, n, calls, "RetryMaxAttempts %d", n)
	}
}

// TestSendMessageContentLimits: Content is checked against the service's
// limit for its content type before anything is sent.
func TestSendMessageContentLimits(t *testing.T) {
	t.Parallel()
	sent := 0
	c, mux := setup(t)
	mux.HandleFunc("/participant/message", func(w http.ResponseWriter, r *http.Request) {
		sent++
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"Id":"m"}`))
	})
	for _, tc := range []struct {
		ct  participant.ContentType
		max int
	}{
		{participant.ContentTypePlainText, 1024},
		{participant.ContentTypeMarkdown, 1024},
		{participant.ContentTypeJSON, 12000},
		{participant.ContentTypeInteractiveResponse, 12288},
		{"application/vnd.example", 16384},
	} {
		for _, n := range []int{1, tc.max, tc.max + 1} {
			before := sent
			_, err := c.SendMessage(t.Context(), &participant.SendMessageInput{ConnectionToken: hardTok, ContentType: tc.ct, Content: strings.Repeat("é", n)})
			if n <= tc.max {
				assert.NoError(t, err, "%s with %d characters", tc.ct, n)
				assert.Equal(t, before+1, sent)
				continue
			}
			var ipe *smithy.InvalidParamsError
			require.ErrorAs(t, err, &ipe, "%s with %d characters", tc.ct, n)
			assert.Contains(t, err.Error(), "SendMessageInput.Content")
			assert.Equal(t, before, sent, "nothing sent")
		}
	}
}

// jsonKeys returns the member names of a JSON object, at every depth, as
// dotted paths.
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	var keys []string
	var walk func(string, any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				keys = append(keys, prefix+k)
				walk(prefix+k+".", e)
			}
		case []any:
			for _, e := range v {
				walk(prefix, e)
			}
		}
	}
	walk("", v)
	sort.Strings(keys)
	return keys
}

// TestOutputWireNames: every Output marshals with encoding/json to the
// service's own member names, times as the service writes them, and no
// RequestID; decoding that JSON gives the output back.
func TestOutputWireNames(t *testing.T) {
	t.Parallel()
	at := participant.Time{Time: time.Date(2026, 11, 29, 10, 0, 0, 120e6, time.UTC)}
	for _, tc := range []struct {
		out  any
		keys string
	}{
		{&participant.SendEventOutput{ID: "e", AbsoluteTime: at, RequestID: "r"}, "AbsoluteTime Id"},
		{&participant.SendMessageOutput{ID: "m", AbsoluteTime: at, MessageMetadata: &participant.MessageProcessingMetadata{MessageProcessingStatus: "PROCESSING"}, RequestID: "r"},
			"AbsoluteTime Id MessageMetadata MessageMetadata.MessageProcessingStatus"},
		{&participant.GetTranscriptOutput{InitialContactID: "c0", NextToken: "n", RequestID: "r", Transcript: []participant.Item{{
			AbsoluteTime: at, ContactID: "c", Content: "hi", ContentType: "text/plain", DisplayName: "d", ID: "i", InitialContactID: "c0",
			ParticipantID: "p", ParticipantRole: "AGENT", RelatedContactID: "rc", Type: "MESSAGE",
			Attachments:     []participant.AttachmentItem{{AttachmentID: "a", AttachmentName: "n", ContentType: "text/plain", Status: "APPROVED"}},
			MessageMetadata: &participant.MessageMetadata{MessageID: "i", MessageProcessingStatus: "FAILED", Receipts: []participant.Receipt{{DeliveredTimestamp: at, ReadTimestamp: at, RecipientParticipantID: "p2"}}},
		}}}, "InitialContactId NextToken Transcript Transcript.AbsoluteTime Transcript.Attachments Transcript.Attachments.AttachmentId " +
			"Transcript.Attachments.AttachmentName Transcript.Attachments.ContentType Transcript.Attachments.Status Transcript.ContactId " +
			"Transcript.Content Transcript.ContentType Transcript.DisplayName Transcript.Id Transcript.InitialContactId Transcript.MessageMetadata " +
			"Transcript.MessageMetadata.MessageId Transcript.MessageMetadata.MessageProcessingStatus Transcript.MessageMetadata.Receipts " +
			"Transcript.MessageMetadata.Receipts.DeliveredTimestamp Transcript.MessageMetadata.Receipts.ReadTimestamp " +
			"Transcript.MessageMetadata.Receipts.RecipientParticipantId Transcript.ParticipantId Transcript.ParticipantRole " +
			"Transcript.RelatedContactId Transcript.Type"},
		{&participant.CreateParticipantConnectionOutput{
			Websocket:             &participant.Websocket{URL: "wss://h/?a=1&b=2", ConnectionExpiry: at},
			ConnectionCredentials: &participant.ConnectionCredentials{ConnectionToken: "tok", Expiry: at},
			WebRTCConnection: &participant.ConnectionData{Attendee: &participant.Attendee{AttendeeID: "a", JoinToken: "j"}, Meeting: &participant.Meeting{
				MediaRegion: "us-east-1", MeetingID: "m", MediaPlacement: &participant.MediaPlacement{AudioFallbackURL: "u", AudioHostURL: "u", EventIngestionURL: "u", SignalingURL: "u", TurnControlURL: "u"},
				MeetingFeatures: &participant.MeetingFeaturesConfiguration{Audio: &participant.AudioFeatures{EchoReduction: "AVAILABLE"}}}},
			RequestID: "r"}, "ConnectionCredentials ConnectionCredentials.ConnectionToken ConnectionCredentials.Expiry WebRTCConnection " +
			"WebRTCConnection.Attendee WebRTCConnection.Attendee.AttendeeId WebRTCConnection.Attendee.JoinToken WebRTCConnection.Meeting " +
			"WebRTCConnection.Meeting.MediaPlacement WebRTCConnection.Meeting.MediaPlacement.AudioFallbackUrl WebRTCConnection.Meeting.MediaPlacement.AudioHostUrl " +
			"WebRTCConnection.Meeting.MediaPlacement.EventIngestionUrl WebRTCConnection.Meeting.MediaPlacement.SignalingUrl WebRTCConnection.Meeting.MediaPlacement.TurnControlUrl " +
			"WebRTCConnection.Meeting.MediaRegion WebRTCConnection.Meeting.MeetingFeatures WebRTCConnection.Meeting.MeetingFeatures.Audio " +
			"WebRTCConnection.Meeting.MeetingFeatures.Audio.EchoReduction WebRTCConnection.Meeting.MeetingId Websocket Websocket.ConnectionExpiry Websocket.Url"},
		{&participant.StartAttachmentUploadOutput{AttachmentID: "a", UploadMetadata: &participant.UploadMetadata{URL: "https://s/u?sig=1", URLExpiry: at, HeadersToInclude: map[string]string{"Content-Type": "text/plain"}}, RequestID: "r"},
			"AttachmentId UploadMetadata UploadMetadata.HeadersToInclude UploadMetadata.HeadersToInclude.Content-Type UploadMetadata.Url UploadMetadata.UrlExpiry"},
		{&participant.GetAttachmentOutput{URL: "https://s/d", URLExpiry: at, AttachmentSizeInBytes: 5, RequestID: "r"}, "AttachmentSizeInBytes Url UrlExpiry"},
		{&participant.DescribeViewOutput{View: &participant.View{ARN: "arn", ID: "v", Name: "n", Version: 2, Content: &participant.ViewContent{Actions: []string{"a"}, InputSchema: "{}", Template: "{}"}}, RequestID: "r"},
			"View View.Arn View.Content View.Content.Actions View.Content.InputSchema View.Content.Template View.Id View.Name View.Version"},
		{&participant.GetAuthenticationUrlOutput{AuthenticationURL: "https://a/?x=1", RequestID: "r"}, "AuthenticationUrl"},
		{&participant.DisconnectParticipantOutput{RequestID: "r"}, ""},
		{&participant.CompleteAttachmentUploadOutput{RequestID: "r"}, ""},
		{&participant.CancelParticipantAuthenticationOutput{RequestID: "r"}, ""},
	} {
		b, err := json.Marshal(tc.out)
		require.NoError(t, err)
		assert.Equal(t, strings.Join(strings.Fields(tc.keys), " "), strings.Join(jsonKeys(t, b), " "), "%T: %s", tc.out, b)
		if strings.Contains(tc.keys, "AbsoluteTime") || strings.Contains(tc.keys, "Expiry") {
			assert.Contains(t, string(b), `"2026-11-29T10:00:00.120Z"`, "%T", tc.out)
		}
		assert.NotContains(t, string(b), "RequestID")
		// Decoding the JSON gives the output back (without RequestID).
		back := newOf(tc.out)
		require.NoError(t, json.Unmarshal(b, back))
		b2, err := json.Marshal(back)
		require.NoError(t, err)
		assert.JSONEq(t, string(b), string(b2))
	}
}

func newOf(v any) any {
	switch v.(type) {
	case *participant.SendEventOutput:
		return new(participant.SendEventOutput)
	case *participant.SendMessageOutput:
		return new(participant.SendMessageOutput)
	case *participant.GetTranscriptOutput:
		return new(participant.GetTranscriptOutput)
	case *participant.CreateParticipantConnectionOutput:
		return new(participant.CreateParticipantConnectionOutput)
	case *participant.StartAttachmentUploadOutput:
		return new(participant.StartAttachmentUploadOutput)
	case *participant.GetAttachmentOutput:
		return new(participant.GetAttachmentOutput)
	case *participant.DescribeViewOutput:
		return new(participant.DescribeViewOutput)
	case *participant.GetAuthenticationUrlOutput:
		return new(participant.GetAuthenticationUrlOutput)
	}
	return new(struct{})
}

// TestRequestBodiesNotHTMLEscaped: the library's own request bodies keep
// <, > and & as they are, as aws-sdk-go-v2 writes them.
func TestRequestBodiesNotHTMLEscaped(t *testing.T) {
	t.Parallel()
	var got []byte
	c, mux := setup(t)
	mux.HandleFunc("/participant/message", func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		_, _ = w.Write([]byte(`{}`))
	})
	_, err := c.SendMessage(t.Context(), &participant.SendMessageInput{ConnectionToken: hardTok, ContentType: participant.ContentTypePlainText, Content: "<b>a & b</b>", ClientToken: "ct"})
	require.NoError(t, err)
	assert.True(t, bytes.Contains(got, []byte(`"Content":"<b>a & b</b>"`)), "%s", got)
}
