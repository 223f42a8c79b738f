package participant_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
)

var update = flag.Bool("update", false, "rewrite the golden request files in testdata (response goldens are inputs: -update only reformats them)")

// The tokens of the golden tests, and the placeholders the goldens show.
const (
	goldConnectionToken  = "golden-connection-token-7f3a"
	goldParticipantToken = "golden-participant-token-91c2"
	goldClientToken      = "11111111-2222-4333-8444-555555555555"
	goldRequestID        = "0d6e5f3a-golden-request-id"
)

// goldFormatRequest renders a request as its golden file holds it: the
// request line (method and raw target), the headers sorted, one per line,
// without the ones that vary between runs or transports, bearer tokens as
// placeholders, a blank line, then the JSON body pretty-printed with sorted
// keys.
func goldFormatRequest(t *testing.T, r *http.Request, body []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(r.Method + " " + r.RequestURI + "\n")
	skip := map[string]bool{"User-Agent": true, "Amz-Sdk-Invocation-Id": true, "Content-Length": true, "Accept-Encoding": true}
	var names []string
	for k := range r.Header {
		if !skip[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range r.Header[k] {
			switch v {
			case goldConnectionToken:
				v = "__ConnectionToken__"
			case goldParticipantToken:
				v = "__ParticipantToken__"
			}
			b.WriteString(k + ": " + v + "\n")
		}
	}
	b.WriteString("\n")
	if len(body) > 0 {
		b.Write(goldPrettyJSON(t, body))
	}
	return b.Bytes()
}

// goldPrettyJSON re-indents JSON with sorted keys, numbers kept exact.
func goldPrettyJSON(t *testing.T, body []byte) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v), "body %q is not JSON", body)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(v))
	return out.Bytes()
}

// goldCompare compares got with testdata/name, or writes it there with
// -update. A missing golden fails.
func goldCompare(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden %s (run go test -run TestGolden -update to create it)", path)
	assert.Equal(t, string(want), string(got), "request differs from %s (run with -update if the change is intended)", path)
}

// goldResponse reads testdata/name, the body the fake service returns. It
// is an input of the test, so a missing one fails even with -update; -update
// rewrites it in the canonical layout.
func goldResponse(t *testing.T, name string) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	b, err := os.ReadFile(path)
	require.NoError(t, err, "response golden %s (it holds the JSON the fake service returns; write it by hand)", path)
	if *update {
		pretty := goldPrettyJSON(t, b)
		if !bytes.Equal(pretty, b) {
			require.NoError(t, os.WriteFile(path, pretty, 0o644))
		}
		return pretty
	}
	return b
}

func goldTime(s string) participant.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return participant.Time{Time: t}
}

// TestGolden sends each operation once to a fake service that answers with
// testdata/<Op>.response.golden. The request must match
// testdata/<Op>.request.golden, and the output must be the one written here.
func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op   string
		call func(ctx context.Context, c *participant.Client) (any, error)
		want any
	}{
		{"CreateParticipantConnection", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
				ParticipantToken:   goldParticipantToken,
				Type:               []participant.ConnectionType{participant.ConnectionTypeWebsocket, participant.ConnectionTypeConnectionCredentials, participant.ConnectionTypeWebRTCConnection},
				ConnectParticipant: true,
			})
		}, &participant.CreateParticipantConnectionOutput{
			Websocket: &participant.Websocket{
				URL:              "wss://gateway.connect.us-east-1.amazonaws.com/?X-Amz-Signature=socket-signature",
				ConnectionExpiry: goldTime("2026-11-29T10:01:40.000Z"),
			},
			ConnectionCredentials: &participant.ConnectionCredentials{
				ConnectionToken: "connection-token-from-the-service",
				Expiry:          goldTime("2026-11-30T10:00:00.000Z"),
			},
			WebRTCConnection: &participant.ConnectionData{
				Attendee: &participant.Attendee{AttendeeID: "a1b2c3d4-attendee", JoinToken: "join-token-secret"},
				Meeting: &participant.Meeting{
					MediaPlacement: &participant.MediaPlacement{
						AudioFallbackURL:  "wss://fallback.example.com/audio",
						AudioHostURL:      "audio.example.com:3478",
						EventIngestionURL: "https://events.example.com/ingest",
						SignalingURL:      "wss://signal.example.com/control",
						TurnControlURL:    "https://turn.example.com/control",
					},
					MediaRegion:     "us-east-1",
					MeetingFeatures: &participant.MeetingFeaturesConfiguration{Audio: &participant.AudioFeatures{EchoReduction: "AVAILABLE"}},
					MeetingID:       "8c4a2f0e-6b1d-4e3a-9f7c-2d5e8a1b3c4f",
				},
			},
			RequestID: goldRequestID,
		}},
		{"SendMessage", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: goldConnectionToken, ContentType: participant.ContentTypePlainText, Content: "Hello <b>&</b> \"world\" é"})
		}, &participant.SendMessageOutput{
			ID:              "7b2c3a9e-message",
			AbsoluteTime:    goldTime("2026-11-29T10:00:00.123Z"),
			MessageMetadata: &participant.MessageProcessingMetadata{MessageProcessingStatus: participant.MessageProcessingStatusProcessing},
			RequestID:       goldRequestID,
		}},
		{"SendEvent", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.SendReadReceipt(ctx, goldConnectionToken, "7b2c3a9e-message")
		}, &participant.SendEventOutput{ID: "e1f2-event", AbsoluteTime: goldTime("2026-11-29T10:00:01.500Z"), RequestID: goldRequestID}},
		{"GetTranscript", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.GetTranscript(ctx, &participant.GetTranscriptInput{
				ConnectionToken: goldConnectionToken,
				ContactID:       "contact-2",
				MaxResults:      100,
				NextToken:       "page-2-token",
				ScanDirection:   participant.ScanDirectionForward,
				SortOrder:       participant.SortOrderAscending,
				StartPosition:   &participant.StartPosition{ID: "item-0"},
			})
		}, &participant.GetTranscriptOutput{
			InitialContactID: "contact-1",
			NextToken:        "page-3-token",
			Transcript: []participant.Item{
				{
					AbsoluteTime: goldTime("2026-11-29T09:59:00.001Z"), ContactID: "contact-2", ContentType: wire.ContentTypeParticipantJoined,
					DisplayName: "Supervisor Sam", ID: "item-1", ParticipantID: "p-sup", ParticipantRole: participant.ParticipantRoleSupervisor,
					Type: participant.ChatItemTypeEvent,
				},
				{
					AbsoluteTime: goldTime("2026-11-29T09:59:01.002Z"), ContactID: "contact-2", Content: "Hi, how can I help?",
					ContentType: participant.ContentTypeMarkdown, DisplayName: "Agent Ana", ID: "item-2", ParticipantID: "p-agent",
					ParticipantRole: participant.ParticipantRoleAgent, Type: participant.ChatItemTypeMessage,
					MessageMetadata: &participant.MessageMetadata{
						MessageID:               "item-2",
						MessageProcessingStatus: participant.MessageProcessingStatusFailed,
						Receipts: []participant.Receipt{{
							DeliveredTimestamp:     goldTime("2026-11-29T09:59:01.500Z"),
							ReadTimestamp:          goldTime("2026-11-29T09:59:02.000Z"),
							RecipientParticipantID: "p-customer",
						}},
					},
				},
				{
					AbsoluteTime: goldTime("2026-11-29T09:59:03.003Z"), ContactID: "contact-2", ContentType: "application/pdf",
					DisplayName: "Customer", ID: "item-3", ParticipantID: "p-customer", ParticipantRole: participant.ParticipantRoleCustomer,
					Type: participant.ChatItemTypeAttachment,
					Attachments: []participant.AttachmentItem{{
						AttachmentID: "att-1", AttachmentName: "invoice.pdf", ContentType: "application/pdf", Status: participant.ArtifactStatusApproved,
					}},
				},
				{
					AbsoluteTime: goldTime("2026-11-28T08:00:00.000Z"), Content: "from the last session", ContentType: participant.ContentTypePlainText,
					ID: "item-4", ParticipantRole: participant.ParticipantRoleCustomBot, RelatedContactID: "contact-0",
					Type: "SOME_FUTURE_TYPE",
				},
			},
			RequestID: goldRequestID,
		}},
		{"DisconnectParticipant", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.DisconnectParticipant(ctx, &participant.DisconnectParticipantInput{ConnectionToken: goldConnectionToken})
		}, &participant.DisconnectParticipantOutput{RequestID: goldRequestID}},
		{"StartAttachmentUpload", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.StartAttachmentUpload(ctx, &participant.StartAttachmentUploadInput{
				ConnectionToken: goldConnectionToken, ContentType: "application/pdf", AttachmentSizeInBytes: 1234, AttachmentName: "invoice.pdf",
			})
		}, &participant.StartAttachmentUploadOutput{
			AttachmentID: "att-1",
			UploadMetadata: &participant.UploadMetadata{
				URL:       "https://bucket.s3.amazonaws.com/connect/attachments/att-1?X-Amz-Signature=upload-signature",
				URLExpiry: goldTime("2026-11-29T10:05:00.000Z"),
				HeadersToInclude: map[string]string{
					"Content-Type":                 "application/pdf",
					"x-amz-meta-contact_id":        "contact-2",
					"x-amz-server-side-encryption": "aws:kms",
				},
			},
			RequestID: goldRequestID,
		}},
		{"CompleteAttachmentUpload", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.CompleteAttachmentUpload(ctx, &participant.CompleteAttachmentUploadInput{ConnectionToken: goldConnectionToken, AttachmentIDs: []string{"att-1"}})
		}, &participant.CompleteAttachmentUploadOutput{RequestID: goldRequestID}},
		{"GetAttachment", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.GetAttachment(ctx, &participant.GetAttachmentInput{ConnectionToken: goldConnectionToken, AttachmentID: "att-1", URLExpiryInSeconds: 60})
		}, &participant.GetAttachmentOutput{
			URL:                   "https://bucket.s3.amazonaws.com/connect/attachments/att-1?X-Amz-Signature=download-signature",
			URLExpiry:             goldTime("2026-11-29T10:01:00.000Z"),
			AttachmentSizeInBytes: 1234,
			RequestID:             goldRequestID,
		}},
		{"DescribeView", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.DescribeView(ctx, &participant.DescribeViewInput{ConnectionToken: goldConnectionToken, ViewToken: "a/b c+d=~é"})
		}, &participant.DescribeViewOutput{
			View: &participant.View{
				ARN:     "arn:aws:connect:us-east-1:123456789012:instance/i-1/view/v-1",
				ID:      "v-1",
				Name:    "Shipping form",
				Version: 3,
				Content: &participant.ViewContent{
					Actions:     []string{"Submit", "Cancel"},
					InputSchema: `{"type":"object"}`,
					Template:    `{"Head":{"Title":"Ship"}}`,
				},
			},
			RequestID: goldRequestID,
		}},
		{"GetAuthenticationUrl", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.GetAuthenticationUrl(ctx, &participant.GetAuthenticationUrlInput{
				ConnectionToken: goldConnectionToken, SessionID: "0b7a3c52-5d2e-4f61-a8b9-6c1d2e3f4a5b", RedirectURI: "https://example.com/signed-in",
			})
		}, &participant.GetAuthenticationUrlOutput{AuthenticationURL: "https://auth.example.com/oauth2/authorize?client_id=abc", RequestID: goldRequestID}},
		{"CancelParticipantAuthentication", func(ctx context.Context, c *participant.Client) (any, error) {
			return c.CancelParticipantAuthentication(ctx, &participant.CancelParticipantAuthenticationInput{
				ConnectionToken: goldConnectionToken, SessionID: "0b7a3c52-5d2e-4f61-a8b9-6c1d2e3f4a5b",
			})
		}, &participant.CancelParticipantAuthenticationOutput{RequestID: goldRequestID}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			t.Parallel()
			resp := goldResponse(t, tt.op+".response.golden")
			// The handler only keeps the request: it is formatted on the
			// test goroutine, where a failing require may stop the test.
			var req *http.Request
			var reqBody []byte
			c, mux := setup(t, func(o *participant.Options) { o.NewClientToken = func() string { return goldClientToken } })
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				reqBody, _ = io.ReadAll(r.Body)
				req = r.Clone(context.Background())
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("x-amzn-RequestId", goldRequestID)
				_, _ = w.Write(resp)
			})

			out, err := tt.call(t.Context(), c)
			require.NoError(t, err)
			require.NotNil(t, req, "the fake service received no request")
			got := goldFormatRequest(t, req, reqBody)
			goldCompare(t, tt.op+".request.golden", got)
			assert.Equal(t, tt.want, out, "decoded output differs")
			assert.NotContains(t, string(got), goldConnectionToken, "a token escaped its placeholder")
			assert.NotContains(t, string(got), goldParticipantToken, "a token escaped its placeholder")
		})
	}
}
