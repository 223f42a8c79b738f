package bench_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connectparticipant"
	"github.com/aws/smithy-go"
	"github.com/connectchat/participant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the run if any test or benchmark leaves a goroutine behind:
// every server and every transport's idle connections are closed in cleanup.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// recordedRequest is what the recording server saw of one request.
type recordedRequest struct {
	method, path string
	uri          string // the request target as sent (r.RequestURI)
	header       http.Header
	body         []byte
}

// recorder is a handler that keeps every request and answers each with the
// same canned response.
type recorder struct {
	status int
	header map[string]string
	body   string

	mu   sync.Mutex
	reqs []recordedRequest
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recordedRequest{r.Method, r.URL.EscapedPath(), r.RequestURI, r.Header.Clone(), body})
	rec.mu.Unlock()
	for k, v := range rec.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rec.status)
	_, _ = io.WriteString(w, rec.body)
}

// take returns the requests recorded so far and forgets them.
func (rec *recorder) take() []recordedRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	r := rec.reqs
	rec.reqs = nil
	return r
}

// fixedToken is aws-sdk-go-v2's IdempotencyTokenProvider with one answer.
type fixedToken string

func (t fixedToken) GetIdempotencyToken() (string, error) { return string(t), nil }

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestSendEventDifferential sends the same SendEvent inputs through
// aws-sdk-go-v2 and through this client, and checks that the server sees the
// same request, and that the same error responses decode to the same error
// code on both sides.
func TestSendEventDifferential(t *testing.T) {
	t.Parallel()
	t.Run("requests", testSendEventRequests)
	t.Run("errors", testSendEventErrors)
}

func testSendEventRequests(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		contentType string
		content     string // "" = not set
		clientToken string // "" = not set
		pinned      string // the token both sides generate when none is given; "" = random
	}{
		{name: "typing without content", contentType: string(participant.ContentTypeTyping)},
		{
			name:        "read receipt with content",
			contentType: string(participant.ContentTypeMessageRead),
			content:     receiptContent("11111111-aaaa-bbbb-cccc-EXAMPLE01234"),
		},
		{
			name:        "caller-given ClientToken",
			contentType: string(participant.ContentTypeMessageDelivered),
			content:     receiptContent("m1"),
			clientToken: "my-token",
		},
		{
			name:        "generated ClientToken, pinned",
			contentType: string(participant.ContentTypeTyping),
			pinned:      "00000000-1111-4222-8333-444444444444",
		},
		{
			name:        "unknown content type and non-ASCII content",
			contentType: "application/vnd.example.future+json",
			content:     `{"text":"héllo \u2028 <b>&</b>"}`,
			clientToken: "tok-ü-\"quoted\"",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{
				status: http.StatusOK,
				header: map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "req-1"},
				body:   `{"Id":"item-1","AbsoluteTime":"2019-11-08T02:41:28.172Z"}`,
			}
			srv, track := startServer(t, rec)
			ctx := context.Background()

			awsc, _ := newAWS(srv, track, func(o *connectparticipant.Options) {
				o.RetryMaxAttempts = 1
				if tc.pinned != "" {
					o.IdempotencyTokenProvider = fixedToken(tc.pinned)
				}
			})
			awsIn := &connectparticipant.SendEventInput{
				ConnectionToken: aws.String(connToken),
				ContentType:     aws.String(tc.contentType),
			}
			if tc.content != "" {
				awsIn.Content = aws.String(tc.content)
			}
			if tc.clientToken != "" {
				awsIn.ClientToken = aws.String(tc.clientToken)
			}
			awsOut, err := awsc.SendEvent(ctx, awsIn)
			require.NoError(t, err, "awssdk")
			awsReqs := rec.take()

			ours, _ := newOurs(srv, track, func(o *participant.Options) {
				o.RetryMaxAttempts = 1
				if tc.pinned != "" {
					o.NewClientToken = func() string { return tc.pinned }
				}
			})
			ourIn := &participant.SendEventInput{
				ConnectionToken: connToken,
				ContentType:     participant.ContentType(tc.contentType),
				Content:         tc.content,
				ClientToken:     tc.clientToken,
			}
			ourOut, err := ours.SendEvent(ctx, ourIn)
			require.NoError(t, err, "participant")
			ourReqs := rec.take()
			assert.Equal(t, tc.clientToken, ourIn.ClientToken, "participant changed the caller's ClientToken")

			require.Len(t, awsReqs, 1, "requests: awssdk sent %d; want 1", len(awsReqs))
			require.Len(t, ourReqs, 1, "requests: participant sent %d; want 1", len(ourReqs))
			a, o := awsReqs[0], ourReqs[0]
			assert.Equal(t, http.MethodPost, a.method, "awssdk method")
			assert.Equal(t, http.MethodPost, o.method, "participant method")
			assert.Equal(t, sendEventPath, a.path, "awssdk path")
			assert.Equal(t, sendEventPath, o.path, "participant path")
			for _, h := range []string{"X-Amz-Bearer", "Content-Type"} {
				assert.Equal(t, a.header.Values(h), o.header.Values(h), "%s: awssdk first, participant second", h)
			}
			for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"} {
				assert.Empty(t, o.header.Get(h), "participant sent %s", h)
			}
			assert.Regexp(t, uuidV4, o.header.Get("Amz-Sdk-Invocation-Id"), "participant Amz-Sdk-Invocation-Id is not a UUID v4")
			assert.Equal(t, a.header.Get("Amz-Sdk-Request"), o.header.Get("Amz-Sdk-Request"), "Amz-Sdk-Request: awssdk first, participant second")

			var am, om map[string]any
			require.NoError(t, json.Unmarshal(a.body, &am), "awssdk body %s", a.body)
			require.NoError(t, json.Unmarshal(o.body, &om), "participant body %s", o.body)
			if tc.clientToken == "" && tc.pinned == "" {
				// Each side made its own random token: check the form, then
				// compare the rest.
				for side, m := range map[string]map[string]any{"awssdk": am, "participant": om} {
					tok, _ := m["ClientToken"].(string)
					assert.Regexp(t, uuidV4, tok, "%s ClientToken is not a UUID v4", side)
					delete(m, "ClientToken")
				}
			}
			assert.Equal(t, am, om, "bodies differ:\nawssdk      %s\nparticipant %s", a.body, o.body)

			assert.Equal(t, aws.ToString(awsOut.Id), ourOut.ID, "ID: awssdk first, participant second")
			assert.Equal(t, aws.ToString(awsOut.AbsoluteTime), ourOut.AbsoluteTime.UTC().Format("2006-01-02T15:04:05.000Z"), "AbsoluteTime: awssdk first, participant second")
			assert.Equal(t, "req-1", ourOut.RequestID, "participant RequestID")
		})
	}
}

func testSendEventErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		header   map[string]string // besides Content-Type and the request id
		body     string
		wantCode string
	}{
		{
			name:     "400 ValidationException in header",
			status:   http.StatusBadRequest,
			header:   map[string]string{"X-Amzn-ErrorType": "ValidationException"},
			body:     `{"message":"ContentType is not valid"}`,
			wantCode: "ValidationException",
		},
		{
			name:     "400 header with URI suffix",
			status:   http.StatusBadRequest,
			header:   map[string]string{"X-Amzn-ErrorType": "ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/"},
			body:     `{"Message":"bad"}`,
			wantCode: "ValidationException",
		},
		{
			name:     "429 ThrottlingException in body __type",
			status:   http.StatusTooManyRequests,
			body:     `{"__type":"ThrottlingException","message":"Rate exceeded"}`,
			wantCode: "ThrottlingException",
		},
		{
			name:     "409 ConflictException with namespace",
			status:   http.StatusConflict,
			body:     `{"__type":"com.amazonaws.connectparticipant#ConflictException","message":"receipts are not supported with more than two participants"}`,
			wantCode: "ConflictException",
		},
		{
			name:     "409 header with namespace and URI",
			status:   http.StatusConflict,
			header:   map[string]string{"X-Amzn-ErrorType": "com.amazonaws.connectparticipant#ConflictException:http://internal.amazon.com/"},
			body:     `{}`,
			wantCode: "ConflictException",
		},
		{
			name:     "403 AccessDenied lower-case code",
			status:   http.StatusForbidden,
			header:   map[string]string{"X-Amzn-ErrorType": "accessdeniedexception"},
			body:     `{"message":"expired"}`,
			wantCode: "AccessDeniedException",
		},
		{
			name:     "500 with code",
			status:   http.StatusInternalServerError,
			body:     `{"code":"InternalServerException","message":"boom"}`,
			wantCode: "InternalServerException",
		},
		{
			name:     "header wins over body",
			status:   http.StatusConflict,
			header:   map[string]string{"X-Amzn-ErrorType": "ConflictException"},
			body:     `{"__type":"ValidationException"}`,
			wantCode: "ConflictException",
		},
		{
			name:     "body code wins over __type",
			status:   http.StatusForbidden,
			body:     `{"code":"AccessDeniedException","__type":"ThrottlingException"}`,
			wantCode: "AccessDeniedException",
		},
		{
			name:     "code SendEvent does not model",
			status:   http.StatusNotFound,
			header:   map[string]string{"X-Amzn-ErrorType": "ResourceNotFoundException"},
			body:     `{"message":"no such thing"}`,
			wantCode: "ResourceNotFoundException",
		},
		{
			name:     "unknown code",
			status:   http.StatusBadRequest,
			body:     `{"__type":"SomethingNewException","message":"new"}`,
			wantCode: "SomethingNewException",
		},
		{
			name:     "no code at all",
			status:   http.StatusBadRequest,
			body:     `{}`,
			wantCode: "UnknownError",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			header := map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "req-err"}
			for k, v := range tc.header {
				header[k] = v
			}
			rec := &recorder{status: tc.status, header: header, body: tc.body}
			srv, track := startServer(t, rec)
			ctx := context.Background()
			in := func() (*connectparticipant.SendEventInput, *participant.SendEventInput) {
				return &connectparticipant.SendEventInput{
						ConnectionToken: aws.String(connToken),
						ContentType:     aws.String(string(participant.ContentTypeMessageRead)),
						Content:         aws.String(receiptContent("m1")),
					}, &participant.SendEventInput{
						ConnectionToken: connToken,
						ContentType:     participant.ContentTypeMessageRead,
						Content:         receiptContent("m1"),
					}
			}
			awsIn, ourIn := in()

			awsc, _ := newAWS(srv, track, func(o *connectparticipant.Options) { o.RetryMaxAttempts = 1 })
			_, awsErr := awsc.SendEvent(ctx, awsIn)
			awsN := len(rec.take())

			ours, _ := newOurs(srv, track, func(o *participant.Options) { o.RetryMaxAttempts = 1 })
			_, ourErr := ours.SendEvent(ctx, ourIn)
			ourN := len(rec.take())

			assert.Equal(t, 1, awsN, "awssdk attempts (retries disabled)")
			assert.Equal(t, 1, ourN, "participant attempts (retries disabled)")
			awsCode, ourCode := apiCode(t, "awssdk", awsErr), apiCode(t, "participant", ourErr)
			assert.Equal(t, awsCode, ourCode, "ErrorCode: awssdk first, participant second")
			assert.Equal(t, tc.wantCode, ourCode, "participant ErrorCode")

			type statusErr interface{ HTTPStatusCode() int }
			type requestIDErr interface{ ServiceRequestID() string }
			var as, os statusErr
			if assert.ErrorAs(t, awsErr, &as, "HTTPStatusCode missing: awssdk %T", awsErr) &&
				assert.ErrorAs(t, ourErr, &os, "HTTPStatusCode missing: participant %T", ourErr) {
				assert.Equal(t, as.HTTPStatusCode(), os.HTTPStatusCode(), "HTTPStatusCode: awssdk first, participant second")
			}
			var ar, or requestIDErr
			if assert.ErrorAs(t, awsErr, &ar, "ServiceRequestID missing: awssdk %T", awsErr) &&
				assert.ErrorAs(t, ourErr, &or, "ServiceRequestID missing: participant %T", ourErr) {
				assert.Equal(t, ar.ServiceRequestID(), or.ServiceRequestID(), "ServiceRequestID: awssdk first, participant second")
			}
			var ao, oo *smithy.OperationError
			require.ErrorAs(t, awsErr, &ao, "not a *smithy.OperationError: awssdk %T", awsErr)
			require.ErrorAs(t, ourErr, &oo, "not a *smithy.OperationError: participant %T", ourErr)
			assert.Equal(t, ao.Service(), oo.Service(), "OperationError service: awssdk first, participant second")
			assert.Equal(t, ao.Operation(), oo.Operation(), "OperationError operation: awssdk first, participant second")
		})
	}
}

// apiCode returns the ErrorCode of the smithy.APIError inside err.
func apiCode(t *testing.T, side string, err error) string {
	t.Helper()
	if !assert.Error(t, err, "%s: no error", side) {
		return ""
	}
	var apiErr smithy.APIError
	if !assert.ErrorAs(t, err, &apiErr, "%s: %v: no smithy.APIError inside", side, err) {
		return ""
	}
	return apiErr.ErrorCode()
}

// receiptContent is the Content of a read or delivered receipt, written as
// the official clients write it.
func receiptContent(messageID string) string { return `{"messageId":"` + messageID + `"}` }
