package bench_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/connectparticipant"
	"github.com/aws/aws-sdk-go-v2/service/connectparticipant/types"
	"github.com/aws/smithy-go"
	smithymiddleware "github.com/aws/smithy-go/middleware"
	"github.com/connectchat/participant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This file runs every operation of the service through aws-sdk-go-v2's
// connectparticipant v1.34.0 and through this repository's client, against
// recording loopback servers, and checks that
//
//   - the same inputs make the same request: method, request target (the
//     escaped path), X-Amz-Bearer, Content-Type (present or not) and
//     Amz-Sdk-Request, and JSON bodies that decode to equal values (or no
//     body on either side);
//   - the same success bodies decode to the same outputs. aws-sdk-go-v2's
//     output is converted member by member into this client's output type
//     (the aws* functions below: nil pointer → zero value, time strings
//     parsed as this client parses them, nil-ness of lists kept) and the two
//     are compared with reflect.DeepEqual, request id included. Members newer
//     than v1.34.0, which it ignores, are checked on this client's side and
//     then cleared before the comparison;
//   - the same error responses give the same smithy.APIError.ErrorCode (and
//     message, HTTP status, request id and operation), one attempt each.
//
// Every ClientToken is pinned: aws-sdk-go-v2 through IdempotencyTokenProvider,
// this client through Options.NewClientToken. Retries are off on both sides.

// participantToken is the ParticipantToken of CreateParticipantConnection;
// every other operation sends connToken.
const participantToken = "bench-participant-token-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210"

// pinnedClientToken is the ClientToken both clients generate when the input
// has none.
const pinnedClientToken = "00000000-1111-4222-8333-444444444444"

// sessionID is a 36-character SessionId, as the authentication.initiated
// event carries it.
const sessionID = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

// opCall is one call of one operation through each client. Each function
// copies its input before the call: aws-sdk-go-v2 writes the generated
// ClientToken into the input it is given.
type opCall struct {
	aws  func(context.Context, *connectparticipant.Client) (any, error)
	ours func(context.Context, *participant.Client) (any, error)
}

// reqCase is one input of a request table.
type reqCase struct {
	name string
	uri  string // the request target both must send; "" = the operation's path
	call opCall
}

// respCase is one canned success body.
type respCase struct {
	name string
	body string
	// newer, when set, checks the members of this client's output that
	// aws-sdk-go-v2 v1.34.0 does not know, then clears them.
	newer func(t *testing.T, ours any)
}

// opSpec is one operation with its tables.
type opSpec struct {
	name   string
	method string
	path   string
	// models are the error codes the operation models (spec §3.2):
	// aws-sdk-go-v2 types those and returns GenericAPIError for others.
	models    []string
	call      opCall // a valid call, for the response and error tables
	requests  []reqCase
	responses []respCase
	// fromAWS converts aws-sdk-go-v2's output into this client's output.
	fromAWS func(awsOut any) any
}

// commonErrors are the codes every operation models.
var commonErrors = []string{
	"AccessDeniedException", "InternalServerException",
	"ThrottlingException", "ValidationException",
}

func models(extra ...string) []string { return append(append([]string{}, commonErrors...), extra...) }

// The op* functions pair an input of aws-sdk-go-v2 with the same input of this
// client.

func opSendMessage(a connectparticipant.SendMessageInput, o participant.SendMessageInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.SendMessage(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.SendMessage(ctx, &in)
		},
	}
}

func opSendEvent(a connectparticipant.SendEventInput, o participant.SendEventInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.SendEvent(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.SendEvent(ctx, &in)
		},
	}
}

func opCreateParticipantConnection(a connectparticipant.CreateParticipantConnectionInput, o participant.CreateParticipantConnectionInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.CreateParticipantConnection(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.CreateParticipantConnection(ctx, &in)
		},
	}
}

func opGetTranscript(a connectparticipant.GetTranscriptInput, o participant.GetTranscriptInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.GetTranscript(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.GetTranscript(ctx, &in)
		},
	}
}

func opDisconnectParticipant(a connectparticipant.DisconnectParticipantInput, o participant.DisconnectParticipantInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.DisconnectParticipant(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.DisconnectParticipant(ctx, &in)
		},
	}
}

func opStartAttachmentUpload(a connectparticipant.StartAttachmentUploadInput, o participant.StartAttachmentUploadInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.StartAttachmentUpload(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.StartAttachmentUpload(ctx, &in)
		},
	}
}

func opCompleteAttachmentUpload(a connectparticipant.CompleteAttachmentUploadInput, o participant.CompleteAttachmentUploadInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.CompleteAttachmentUpload(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.CompleteAttachmentUpload(ctx, &in)
		},
	}
}

func opGetAttachment(a connectparticipant.GetAttachmentInput, o participant.GetAttachmentInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.GetAttachment(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.GetAttachment(ctx, &in)
		},
	}
}

func opDescribeView(a connectparticipant.DescribeViewInput, o participant.DescribeViewInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.DescribeView(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.DescribeView(ctx, &in)
		},
	}
}

// describeView is the DescribeView call for viewToken on both sides.
func describeView(viewToken string) opCall {
	return opDescribeView(
		connectparticipant.DescribeViewInput{ConnectionToken: aws.String(connToken), ViewToken: aws.String(viewToken)},
		participant.DescribeViewInput{ConnectionToken: connToken, ViewToken: viewToken},
	)
}

func opGetAuthenticationURL(a connectparticipant.GetAuthenticationUrlInput, o participant.GetAuthenticationUrlInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.GetAuthenticationUrl(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.GetAuthenticationUrl(ctx, &in)
		},
	}
}

func opCancelParticipantAuthentication(a connectparticipant.CancelParticipantAuthenticationInput, o participant.CancelParticipantAuthenticationInput) opCall {
	return opCall{
		aws: func(ctx context.Context, c *connectparticipant.Client) (any, error) {
			in := a
			return c.CancelParticipantAuthentication(ctx, &in)
		},
		ours: func(ctx context.Context, c *participant.Client) (any, error) {
			in := o
			return c.CancelParticipantAuthentication(ctx, &in)
		},
	}
}

// Inputs used by several cases.
var (
	// nonASCII has two- to four-byte UTF-8, a line separator that some JSON
	// encoders escape, HTML characters that others escape, a quote, a
	// backslash and a tab.
	nonASCII = "Grüße 👋 你好 \u2028 <b>&amp;</b> \"quoted\" \\ tab\t."
	// transcriptStart is a StartPosition.AbsoluteTime, as the service
	// writes times.
	transcriptStart = "2019-11-08T02:41:28.172Z"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// opSpecs returns the eleven operations with their tables.
func opSpecs() []opSpec {
	tok := aws.String(connToken)
	return []opSpec{
		{
			name: "SendMessage", method: http.MethodPost, path: "/participant/message", models: models(),
			call: opSendMessage(
				connectparticipant.SendMessageInput{ConnectionToken: tok, ContentType: aws.String("text/plain"), Content: aws.String("Hello, I need help with my order.")},
				participant.SendMessageInput{ConnectionToken: connToken, ContentType: participant.ContentTypePlainText, Content: "Hello, I need help with my order."},
			),
			requests: []reqCase{
				{name: "text/plain, generated ClientToken", call: opSendMessage(
					connectparticipant.SendMessageInput{ConnectionToken: tok, ContentType: aws.String("text/plain"), Content: aws.String("Hello, I need help with my order.")},
					participant.SendMessageInput{ConnectionToken: connToken, ContentType: participant.ContentTypePlainText, Content: "Hello, I need help with my order."},
				)},
				{name: "markdown, caller ClientToken", call: opSendMessage(
					connectparticipant.SendMessageInput{ConnectionToken: tok, ContentType: aws.String("text/markdown"), Content: aws.String("**Order** _#1234_\n- item one\n- item two"), ClientToken: aws.String("client-token-0001")},
					participant.SendMessageInput{ConnectionToken: connToken, ContentType: participant.ContentTypeMarkdown, Content: "**Order** _#1234_\n- item one\n- item two", ClientToken: "client-token-0001"},
				)},
				{name: "non-ASCII content and ClientToken", call: opSendMessage(
					connectparticipant.SendMessageInput{ConnectionToken: tok, ContentType: aws.String("text/plain"), Content: aws.String(nonASCII), ClientToken: aws.String("tök-ü-✓")},
					participant.SendMessageInput{ConnectionToken: connToken, ContentType: participant.ContentTypePlainText, Content: nonASCII, ClientToken: "tök-ü-✓"},
				)},
				{name: "application/json", call: opSendMessage(
					connectparticipant.SendMessageInput{ConnectionToken: tok, ContentType: aws.String("application/json"), Content: aws.String(`{"type":"text","text":"héllo"}`)},
					participant.SendMessageInput{ConnectionToken: connToken, ContentType: participant.ContentTypeJSON, Content: `{"type":"text","text":"héllo"}`},
				)},
				{name: "interactive response", call: opSendMessage(
					connectparticipant.SendMessageInput{ConnectionToken: tok, ContentType: aws.String(string(participant.ContentTypeInteractiveResponse)), Content: aws.String(`{"templateIdentifier":"t-1","selectedOption":"Yes"}`)},
					participant.SendMessageInput{ConnectionToken: connToken, ContentType: participant.ContentTypeInteractiveResponse, Content: `{"templateIdentifier":"t-1","selectedOption":"Yes"}`},
				)},
				{name: "every ASCII byte, controls included", call: opSendMessage(
					connectparticipant.SendMessageInput{ConnectionToken: tok, ContentType: aws.String("text/plain"), Content: aws.String(asciiBytes)},
					participant.SendMessageInput{ConnectionToken: connToken, ContentType: participant.ContentTypePlainText, Content: asciiBytes},
				)},
				// text/plain takes at most 1024 characters (checked before
				// sending); a type without a per-type limit takes 16384.
				{name: "1024 two-byte characters", call: opSendMessage(
					connectparticipant.SendMessageInput{ConnectionToken: tok, ContentType: aws.String("text/plain"), Content: aws.String(strings.Repeat("é", 1024))},
					participant.SendMessageInput{ConnectionToken: connToken, ContentType: participant.ContentTypePlainText, Content: strings.Repeat("é", 1024)},
				)},
				{name: "16384 two-byte characters", call: opSendMessage(
					connectparticipant.SendMessageInput{ConnectionToken: tok, ContentType: aws.String("application/vnd.example+json"), Content: aws.String(strings.Repeat("é", 16384))},
					participant.SendMessageInput{ConnectionToken: connToken, ContentType: "application/vnd.example+json", Content: strings.Repeat("é", 16384)},
				)},
			},
			responses: []respCase{
				{name: "Id and AbsoluteTime", body: `{"AbsoluteTime":"2024-05-02T10:15:30.123Z","Id":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"}`},
				{
					name: "MessageMetadata, newer than v1.34.0",
					body: `{"AbsoluteTime":"2024-05-02T10:15:30.123Z","Id":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b","MessageMetadata":{"MessageProcessingStatus":"PROCESSING"}}`,
					newer: func(t *testing.T, ours any) {
						o := ours.(*participant.SendMessageOutput)
						want := &participant.MessageProcessingMetadata{MessageProcessingStatus: participant.MessageProcessingStatusProcessing}
						assert.Equal(t, want, o.MessageMetadata, "participant MessageMetadata")
						o.MessageMetadata = nil
					},
				},
				{name: "empty object", body: `{}`},
				// participant decodes with encoding/json, which also takes a
				// member whose name differs only in case ("id" for "Id");
				// aws-sdk-go-v2 does not. The service never sends one, so
				// that divergence is left out of this table.
				{name: "unknown members and nulls", body: `{"Id":null,"AbsoluteTime":"2024-05-02T10:15:30.123Z","Extra":{"a":[1,2]}}`},
			},
			fromAWS: func(a any) any {
				x := a.(*connectparticipant.SendMessageOutput)
				return &participant.SendMessageOutput{ID: str(x.Id), AbsoluteTime: tm(x.AbsoluteTime), RequestID: reqID(x.ResultMetadata)}
			},
		},
		{
			name: "SendEvent", method: http.MethodPost, path: sendEventPath, models: models("ConflictException"),
			call: opSendEvent(
				connectparticipant.SendEventInput{ConnectionToken: tok, ContentType: aws.String(string(participant.ContentTypeTyping))},
				participant.SendEventInput{ConnectionToken: connToken, ContentType: participant.ContentTypeTyping},
			),
			requests: []reqCase{
				{name: "typing", call: opSendEvent(
					connectparticipant.SendEventInput{ConnectionToken: tok, ContentType: aws.String(string(participant.ContentTypeTyping))},
					participant.SendEventInput{ConnectionToken: connToken, ContentType: participant.ContentTypeTyping},
				)},
				{name: "delivered receipt", call: opSendEvent(
					connectparticipant.SendEventInput{ConnectionToken: tok, ContentType: aws.String(string(participant.ContentTypeMessageDelivered)), Content: aws.String(receiptContent("11111111-aaaa-bbbb-cccc-EXAMPLE01234"))},
					participant.SendEventInput{ConnectionToken: connToken, ContentType: participant.ContentTypeMessageDelivered, Content: receiptContent("11111111-aaaa-bbbb-cccc-EXAMPLE01234")},
				)},
				{name: "read receipt, caller ClientToken", call: opSendEvent(
					connectparticipant.SendEventInput{ConnectionToken: tok, ContentType: aws.String(string(participant.ContentTypeMessageRead)), Content: aws.String(receiptContent("m1")), ClientToken: aws.String("client-token-0002")},
					participant.SendEventInput{ConnectionToken: connToken, ContentType: participant.ContentTypeMessageRead, Content: receiptContent("m1"), ClientToken: "client-token-0002"},
				)},
				{name: "unknown content type, non-ASCII content", call: opSendEvent(
					connectparticipant.SendEventInput{ConnectionToken: tok, ContentType: aws.String("application/vnd.example.future+json"), Content: aws.String(nonASCII)},
					participant.SendEventInput{ConnectionToken: connToken, ContentType: "application/vnd.example.future+json", Content: nonASCII},
				)},
			},
			responses: []respCase{
				{name: "Id and AbsoluteTime", body: `{"AbsoluteTime":"2024-05-02T10:15:31.004Z","Id":"0a9b8c7d-6e5f-4a3b-8c1d-0e9f8a7b6c5d"}`},
				{name: "empty object", body: `{}`},
			},
			fromAWS: func(a any) any {
				x := a.(*connectparticipant.SendEventOutput)
				return &participant.SendEventOutput{ID: str(x.Id), AbsoluteTime: tm(x.AbsoluteTime), RequestID: reqID(x.ResultMetadata)}
			},
		},
		{
			name: "CreateParticipantConnection", method: http.MethodPost, path: "/participant/connection", models: models(),
			call: opCreateParticipantConnection(
				connectparticipant.CreateParticipantConnectionInput{ParticipantToken: aws.String(participantToken), Type: []types.ConnectionType{"WEBSOCKET", "CONNECTION_CREDENTIALS"}, ConnectParticipant: aws.Bool(true)},
				participant.CreateParticipantConnectionInput{ParticipantToken: participantToken, Type: []participant.ConnectionType{"WEBSOCKET", "CONNECTION_CREDENTIALS"}, ConnectParticipant: true},
			),
			requests: createParticipantConnectionRequests(),
			responses: []respCase{
				{name: "every connection type", body: `{
					"ConnectionCredentials":{"ConnectionToken":"QVFJREFIaG1hbXBsZS1jb25uZWN0aW9uLXRva2Vu","Expiry":"2024-05-03T10:15:30.123Z"},
					"WebRTCConnection":{
						"Attendee":{"AttendeeId":"d5e1f2a3-b4c5-4d6e-8f70-8192a3b4c5d6","JoinToken":"ZDVlMWYyYTMtam9pbi10b2tlbg"},
						"Meeting":{
							"MediaPlacement":{
								"AudioFallbackUrl":"wss://haxrp.m2.ue1.app.chime.aws:443/calls/4b3c2d1e",
								"AudioHostUrl":"d1e2f3a4b5c6.k.m2.ue1.app.chime.aws:3478",
								"EventIngestionUrl":"https://data.svc.ue1.ingest.chime.aws/v1/client-events",
								"SignalingUrl":"wss://signal.m2.ue1.app.chime.aws/control/4b3c2d1e",
								"TurnControlUrl":"https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions"},
							"MediaRegion":"us-east-1",
							"MeetingFeatures":{"Audio":{"EchoReduction":"AVAILABLE"}},
							"MeetingId":"4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e"}},
					"Websocket":{"ConnectionExpiry":"2024-05-02T10:17:10.123Z","Url":"wss://abcdefghij.transport.connect.us-east-1.amazonaws.com/?AWSAccessKeyId=ASIAEXAMPLE&Signature=c2lnbmF0dXJl&connectionToken=QVFJREFI"}}`},
				{name: "websocket and credentials", body: `{"ConnectionCredentials":{"ConnectionToken":"QVFJREFIaG1hbXBsZS1jb25uZWN0aW9uLXRva2Vu","Expiry":"2024-05-03T10:15:30.123Z"},"Websocket":{"ConnectionExpiry":"2024-05-02T10:17:10.123Z","Url":"wss://abcdefghij.transport.connect.us-east-1.amazonaws.com/?connectionToken=QVFJREFI"}}`},
				{name: "empty WebRTC shapes", body: `{"WebRTCConnection":{"Attendee":{},"Meeting":{"MediaPlacement":{},"MeetingFeatures":{"Audio":null}}}}`},
				{name: "empty object", body: `{}`},
			},
			fromAWS: func(a any) any {
				x := a.(*connectparticipant.CreateParticipantConnectionOutput)
				return &participant.CreateParticipantConnectionOutput{
					Websocket:             awsWebsocket(x.Websocket),
					ConnectionCredentials: awsConnectionCredentials(x.ConnectionCredentials),
					WebRTCConnection:      awsConnectionData(x.WebRTCConnection),
					RequestID:             reqID(x.ResultMetadata),
				}
			},
		},
		{
			name: "GetTranscript", method: http.MethodPost, path: "/participant/transcript", models: models(),
			call: opGetTranscript(
				connectparticipant.GetTranscriptInput{ConnectionToken: tok, MaxResults: aws.Int32(100), ScanDirection: "BACKWARD", SortOrder: "ASCENDING"},
				participant.GetTranscriptInput{ConnectionToken: connToken, MaxResults: 100, ScanDirection: participant.ScanDirectionBackward, SortOrder: participant.SortOrderAscending},
			),
			requests: getTranscriptRequests(),
			responses: []respCase{
				{name: "page with every kind of item", body: transcriptSample},
				{
					name: "members newer than v1.34.0",
					body: `{"InitialContactId":"c-0","Transcript":[{"Id":"m-1","Type":"MESSAGE","InitialContactId":"c-0","MessageMetadata":{"MessageId":"m-1","MessageProcessingStatus":"FAILED","Receipts":[]}}]}`,
					newer: func(t *testing.T, ours any) {
						o := ours.(*participant.GetTranscriptOutput)
						require.Len(t, o.Transcript, 1, "participant transcript %+v, want one item with MessageMetadata", o.Transcript)
						require.NotNil(t, o.Transcript[0].MessageMetadata, "participant transcript %+v, want one item with MessageMetadata", o.Transcript)
						it := &o.Transcript[0]
						assert.Equal(t, "c-0", it.InitialContactID, "participant InitialContactID")
						assert.Equal(t, participant.MessageProcessingStatusFailed, it.MessageMetadata.MessageProcessingStatus, "participant MessageProcessingStatus")
						it.InitialContactID = ""
						it.MessageMetadata.MessageProcessingStatus = ""
					},
				},
				{name: "100-item benchmark page", body: string(transcriptPage100)},
				{name: "last page, empty", body: `{"InitialContactId":"c-0","NextToken":"","Transcript":[]}`},
				{name: "empty object", body: `{}`},
			},
			fromAWS: func(a any) any {
				x := a.(*connectparticipant.GetTranscriptOutput)
				out := &participant.GetTranscriptOutput{InitialContactID: str(x.InitialContactId), NextToken: str(x.NextToken), RequestID: reqID(x.ResultMetadata)}
				if x.Transcript != nil {
					out.Transcript = make([]participant.Item, len(x.Transcript))
					for i, it := range x.Transcript {
						out.Transcript[i] = awsItem(it)
					}
				}
				return out
			},
		},
		{
			name: "DisconnectParticipant", method: http.MethodPost, path: "/participant/disconnect", models: models(),
			call: opDisconnectParticipant(
				connectparticipant.DisconnectParticipantInput{ConnectionToken: tok},
				participant.DisconnectParticipantInput{ConnectionToken: connToken},
			),
			requests: []reqCase{
				{name: "generated ClientToken", call: opDisconnectParticipant(
					connectparticipant.DisconnectParticipantInput{ConnectionToken: tok},
					participant.DisconnectParticipantInput{ConnectionToken: connToken},
				)},
				{name: "caller ClientToken", call: opDisconnectParticipant(
					connectparticipant.DisconnectParticipantInput{ConnectionToken: tok, ClientToken: aws.String("client-token-0003")},
					participant.DisconnectParticipantInput{ConnectionToken: connToken, ClientToken: "client-token-0003"},
				)},
				{name: "non-ASCII ClientToken", call: opDisconnectParticipant(
					connectparticipant.DisconnectParticipantInput{ConnectionToken: tok, ClientToken: aws.String(nonASCII)},
					participant.DisconnectParticipantInput{ConnectionToken: connToken, ClientToken: nonASCII},
				)},
			},
			responses: []respCase{
				{name: "empty object", body: `{}`},
				// The output has no members: neither client reads the body.
				{name: "body that is not JSON", body: `<html>OK</html>`},
			},
			fromAWS: func(a any) any {
				return &participant.DisconnectParticipantOutput{RequestID: reqID(a.(*connectparticipant.DisconnectParticipantOutput).ResultMetadata)}
			},
		},
		{
			name: "StartAttachmentUpload", method: http.MethodPost, path: "/participant/start-attachment-upload", models: models("ServiceQuotaExceededException"),
			call: opStartAttachmentUpload(
				connectparticipant.StartAttachmentUploadInput{ConnectionToken: tok, ContentType: aws.String("application/pdf"), AttachmentSizeInBytes: 1234, AttachmentName: aws.String("invoice.pdf")},
				participant.StartAttachmentUploadInput{ConnectionToken: connToken, ContentType: "application/pdf", AttachmentSizeInBytes: 1234, AttachmentName: "invoice.pdf"},
			),
			requests: []reqCase{
				{name: "generated ClientToken", call: opStartAttachmentUpload(
					connectparticipant.StartAttachmentUploadInput{ConnectionToken: tok, ContentType: aws.String("application/pdf"), AttachmentSizeInBytes: 1234, AttachmentName: aws.String("invoice.pdf")},
					participant.StartAttachmentUploadInput{ConnectionToken: connToken, ContentType: "application/pdf", AttachmentSizeInBytes: 1234, AttachmentName: "invoice.pdf"},
				)},
				{name: "caller ClientToken, one byte", call: opStartAttachmentUpload(
					connectparticipant.StartAttachmentUploadInput{ConnectionToken: tok, ContentType: aws.String("text/plain"), AttachmentSizeInBytes: 1, AttachmentName: aws.String("a.txt"), ClientToken: aws.String("client-token-0004")},
					participant.StartAttachmentUploadInput{ConnectionToken: connToken, ContentType: "text/plain", AttachmentSizeInBytes: 1, AttachmentName: "a.txt", ClientToken: "client-token-0004"},
				)},
				{name: "non-ASCII name, 20 MiB", call: opStartAttachmentUpload(
					connectparticipant.StartAttachmentUploadInput{ConnectionToken: tok, ContentType: aws.String("image/png"), AttachmentSizeInBytes: 20 << 20, AttachmentName: aws.String("résumé 履歴書 (1) 🙂.png")},
					participant.StartAttachmentUploadInput{ConnectionToken: connToken, ContentType: "image/png", AttachmentSizeInBytes: 20 << 20, AttachmentName: "résumé 履歴書 (1) 🙂.png"},
				)},
				{name: "size beyond 32 bits", call: opStartAttachmentUpload(
					connectparticipant.StartAttachmentUploadInput{ConnectionToken: tok, ContentType: aws.String("application/octet-stream"), AttachmentSizeInBytes: 1 << 40, AttachmentName: aws.String("big.bin")},
					participant.StartAttachmentUploadInput{ConnectionToken: connToken, ContentType: "application/octet-stream", AttachmentSizeInBytes: 1 << 40, AttachmentName: "big.bin"},
				)},
			},
			responses: []respCase{
				{name: "upload metadata", body: `{"AttachmentId":"asdfjklqweruiopzxcvbnm_1234567890","UploadMetadata":{
					"HeadersToInclude":{"Content-Type":"application/pdf","x-amz-meta-contact_id":"c-1","x-amz-server-side-encryption":"aws:kms"},
					"Url":"https://connect-attachments-example.s3.us-east-1.amazonaws.com/connect/i-1/Attachments/chat/2024/05/02/c-1/a-1.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abcdef0123456789",
					"UrlExpiry":"2024-05-02T10:20:30.123Z"}}`},
				{name: "empty headers", body: `{"AttachmentId":"a-2","UploadMetadata":{"HeadersToInclude":{},"Url":"https://example.invalid/u"}}`},
				{name: "empty object", body: `{}`},
			},
			fromAWS: func(a any) any {
				x := a.(*connectparticipant.StartAttachmentUploadOutput)
				return &participant.StartAttachmentUploadOutput{AttachmentID: str(x.AttachmentId), UploadMetadata: awsUploadMetadata(x.UploadMetadata), RequestID: reqID(x.ResultMetadata)}
			},
		},
		{
			name: "CompleteAttachmentUpload", method: http.MethodPost, path: "/participant/complete-attachment-upload", models: models("ConflictException", "ServiceQuotaExceededException"),
			call: opCompleteAttachmentUpload(
				connectparticipant.CompleteAttachmentUploadInput{ConnectionToken: tok, AttachmentIds: []string{"asdfjklqweruiopzxcvbnm_1234567890"}},
				participant.CompleteAttachmentUploadInput{ConnectionToken: connToken, AttachmentIDs: []string{"asdfjklqweruiopzxcvbnm_1234567890"}},
			),
			requests: []reqCase{
				{name: "generated ClientToken", call: opCompleteAttachmentUpload(
					connectparticipant.CompleteAttachmentUploadInput{ConnectionToken: tok, AttachmentIds: []string{"asdfjklqweruiopzxcvbnm_1234567890"}},
					participant.CompleteAttachmentUploadInput{ConnectionToken: connToken, AttachmentIDs: []string{"asdfjklqweruiopzxcvbnm_1234567890"}},
				)},
				{name: "caller ClientToken", call: opCompleteAttachmentUpload(
					connectparticipant.CompleteAttachmentUploadInput{ConnectionToken: tok, AttachmentIds: []string{"a-1"}, ClientToken: aws.String("client-token-0005")},
					participant.CompleteAttachmentUploadInput{ConnectionToken: connToken, AttachmentIDs: []string{"a-1"}, ClientToken: "client-token-0005"},
				)},
				{name: "non-ASCII id", call: opCompleteAttachmentUpload(
					connectparticipant.CompleteAttachmentUploadInput{ConnectionToken: tok, AttachmentIds: []string{"añexo-添付-🙂"}},
					participant.CompleteAttachmentUploadInput{ConnectionToken: connToken, AttachmentIDs: []string{"añexo-添付-🙂"}},
				)},
			},
			responses: []respCase{
				{name: "empty object", body: `{}`},
				{name: "body that is not JSON", body: `not json`},
			},
			fromAWS: func(a any) any {
				return &participant.CompleteAttachmentUploadOutput{RequestID: reqID(a.(*connectparticipant.CompleteAttachmentUploadOutput).ResultMetadata)}
			},
		},
		{
			name: "GetAttachment", method: http.MethodPost, path: "/participant/attachment", models: models(),
			call: opGetAttachment(
				connectparticipant.GetAttachmentInput{ConnectionToken: tok, AttachmentId: aws.String("asdfjklqweruiopzxcvbnm_1234567890")},
				participant.GetAttachmentInput{ConnectionToken: connToken, AttachmentID: "asdfjklqweruiopzxcvbnm_1234567890"},
			),
			requests: []reqCase{
				{name: "no UrlExpiryInSeconds", call: opGetAttachment(
					connectparticipant.GetAttachmentInput{ConnectionToken: tok, AttachmentId: aws.String("asdfjklqweruiopzxcvbnm_1234567890")},
					participant.GetAttachmentInput{ConnectionToken: connToken, AttachmentID: "asdfjklqweruiopzxcvbnm_1234567890"},
				)},
				{name: "UrlExpiryInSeconds 5", call: opGetAttachment(
					connectparticipant.GetAttachmentInput{ConnectionToken: tok, AttachmentId: aws.String("a-1"), UrlExpiryInSeconds: aws.Int32(5)},
					participant.GetAttachmentInput{ConnectionToken: connToken, AttachmentID: "a-1", URLExpiryInSeconds: 5},
				)},
				{name: "UrlExpiryInSeconds 300, non-ASCII id", call: opGetAttachment(
					connectparticipant.GetAttachmentInput{ConnectionToken: tok, AttachmentId: aws.String("añexo-添付-🙂"), UrlExpiryInSeconds: aws.Int32(300)},
					participant.GetAttachmentInput{ConnectionToken: connToken, AttachmentID: "añexo-添付-🙂", URLExpiryInSeconds: 300},
				)},
			},
			responses: []respCase{
				{name: "download URL", body: `{"AttachmentSizeInBytes":1234567,"Url":"https://connect-attachments-example.s3.us-east-1.amazonaws.com/a-1.pdf?X-Amz-Signature=0123456789abcdef","UrlExpiry":"2024-05-02T10:20:30.123Z"}`},
				{name: "size beyond 32 bits", body: `{"AttachmentSizeInBytes":1099511627776,"Url":"https://example.invalid/d"}`},
				{name: "empty object", body: `{}`},
			},
			fromAWS: func(a any) any {
				x := a.(*connectparticipant.GetAttachmentOutput)
				return &participant.GetAttachmentOutput{URL: str(x.Url), URLExpiry: tm(x.UrlExpiry), AttachmentSizeInBytes: aws.ToInt64(x.AttachmentSizeInBytes), RequestID: reqID(x.ResultMetadata)}
			},
		},
		{
			name: "DescribeView", method: http.MethodGet, path: "/participant/views/", models: models("ResourceNotFoundException"),
			call:     describeView("Kq8zE4bB-view_token.v1~"),
			requests: describeViewRequests(),
			responses: []respCase{
				{name: "view", body: `{"View":{
					"Arn":"arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555/view/aws-detail-view:3",
					"Content":{"Actions":["ActionSelected","Back","Cancel"],"InputSchema":"{\"type\":\"object\",\"properties\":{\"Heading\":{\"type\":\"string\"}}}","Template":"{\"Head\":{\"Title\":\"Détail\"},\"Body\":[]}"},
					"Id":"aws-detail-view","Name":"Detail view (é)","Version":3}}`},
				{name: "empty Actions, no Version", body: `{"View":{"Content":{"Actions":[]},"Id":"v"}}`},
				{name: "empty object", body: `{}`},
			},
			fromAWS: func(a any) any {
				x := a.(*connectparticipant.DescribeViewOutput)
				return &participant.DescribeViewOutput{View: awsView(x.View), RequestID: reqID(x.ResultMetadata)}
			},
		},
		{
			name: "GetAuthenticationUrl", method: http.MethodPost, path: "/participant/authentication-url", models: models(),
			call: opGetAuthenticationURL(
				connectparticipant.GetAuthenticationUrlInput{ConnectionToken: tok, SessionId: aws.String(sessionID), RedirectUri: aws.String("https://example.com/callback")},
				participant.GetAuthenticationUrlInput{ConnectionToken: connToken, SessionID: sessionID, RedirectURI: "https://example.com/callback"},
			),
			requests: []reqCase{
				{name: "plain", call: opGetAuthenticationURL(
					connectparticipant.GetAuthenticationUrlInput{ConnectionToken: tok, SessionId: aws.String(sessionID), RedirectUri: aws.String("https://example.com/callback")},
					participant.GetAuthenticationUrlInput{ConnectionToken: connToken, SessionID: sessionID, RedirectURI: "https://example.com/callback"},
				)},
				{name: "non-ASCII redirect with query", call: opGetAuthenticationURL(
					connectparticipant.GetAuthenticationUrlInput{ConnectionToken: tok, SessionId: aws.String(sessionID), RedirectUri: aws.String("https://例え.jp/コールバック?q=ü&x=1#frag")},
					participant.GetAuthenticationUrlInput{ConnectionToken: connToken, SessionID: sessionID, RedirectURI: "https://例え.jp/コールバック?q=ü&x=1#frag"},
				)},
			},
			responses: []respCase{
				{name: "Cognito URL", body: `{"AuthenticationUrl":"https://auth.example.auth.us-east-1.amazoncognito.com/oauth2/authorize?client_id=abc&response_type=code&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback&state=xyz"}`},
				{name: "empty object", body: `{}`},
			},
			fromAWS: func(a any) any {
				x := a.(*connectparticipant.GetAuthenticationUrlOutput)
				return &participant.GetAuthenticationUrlOutput{AuthenticationURL: str(x.AuthenticationUrl), RequestID: reqID(x.ResultMetadata)}
			},
		},
		{
			name: "CancelParticipantAuthentication", method: http.MethodPost, path: "/participant/cancel-authentication", models: models(),
			call: opCancelParticipantAuthentication(
				connectparticipant.CancelParticipantAuthenticationInput{ConnectionToken: tok, SessionId: aws.String(sessionID)},
				participant.CancelParticipantAuthenticationInput{ConnectionToken: connToken, SessionID: sessionID},
			),
			requests: []reqCase{
				{name: "session id", call: opCancelParticipantAuthentication(
					connectparticipant.CancelParticipantAuthenticationInput{ConnectionToken: tok, SessionId: aws.String(sessionID)},
					participant.CancelParticipantAuthenticationInput{ConnectionToken: connToken, SessionID: sessionID},
				)},
				{name: "36 non-ASCII characters", call: opCancelParticipantAuthentication(
					connectparticipant.CancelParticipantAuthenticationInput{ConnectionToken: tok, SessionId: aws.String(strings.Repeat("é", 35) + "🙂")},
					participant.CancelParticipantAuthenticationInput{ConnectionToken: connToken, SessionID: strings.Repeat("é", 35) + "🙂"},
				)},
			},
			responses: []respCase{
				{name: "empty object", body: `{}`},
				{name: "body that is not JSON", body: `[1,2`},
			},
			fromAWS: func(a any) any {
				return &participant.CancelParticipantAuthenticationOutput{RequestID: reqID(a.(*connectparticipant.CancelParticipantAuthenticationOutput).ResultMetadata)}
			},
		},
	}
}

func createParticipantConnectionRequests() []reqCase {
	ptok := aws.String(participantToken)
	c := func(name string, ts []participant.ConnectionType, connect bool) reqCase {
		a := connectparticipant.CreateParticipantConnectionInput{ParticipantToken: ptok}
		for _, t := range ts {
			a.Type = append(a.Type, types.ConnectionType(t))
		}
		if connect {
			a.ConnectParticipant = aws.Bool(true)
		}
		o := participant.CreateParticipantConnectionInput{ParticipantToken: participantToken, Type: ts, ConnectParticipant: connect}
		return reqCase{name: name, call: opCreateParticipantConnection(a, o)}
	}
	ws, cc, rtc := participant.ConnectionTypeWebsocket, participant.ConnectionTypeConnectionCredentials, participant.ConnectionTypeWebRTCConnection
	return []reqCase{
		c("nothing optional", nil, false),
		c("WEBSOCKET", []participant.ConnectionType{ws}, false),
		c("CONNECTION_CREDENTIALS", []participant.ConnectionType{cc}, false),
		c("WEBRTC_CONNECTION", []participant.ConnectionType{rtc}, false),
		c("WEBSOCKET and CONNECTION_CREDENTIALS, ConnectParticipant", []participant.ConnectionType{ws, cc}, true),
		c("all three reversed, ConnectParticipant", []participant.ConnectionType{rtc, cc, ws}, true),
		c("ConnectParticipant only", nil, true),
		c("repeated type", []participant.ConnectionType{ws, ws}, false),
	}
}

func getTranscriptRequests() []reqCase {
	tok := aws.String(connToken)
	at := mustTime(transcriptStart)
	c := func(name string, a connectparticipant.GetTranscriptInput, o participant.GetTranscriptInput) reqCase {
		a.ConnectionToken, o.ConnectionToken = tok, connToken
		return reqCase{name: name, call: opGetTranscript(a, o)}
	}
	return []reqCase{
		c("nothing optional", connectparticipant.GetTranscriptInput{}, participant.GetTranscriptInput{}),
		c("MaxResults 1", connectparticipant.GetTranscriptInput{MaxResults: aws.Int32(1)}, participant.GetTranscriptInput{MaxResults: 1}),
		c("MaxResults 100, BACKWARD, ASCENDING",
			connectparticipant.GetTranscriptInput{MaxResults: aws.Int32(100), ScanDirection: "BACKWARD", SortOrder: "ASCENDING"},
			participant.GetTranscriptInput{MaxResults: 100, ScanDirection: participant.ScanDirectionBackward, SortOrder: participant.SortOrderAscending}),
		c("BACKWARD only", connectparticipant.GetTranscriptInput{ScanDirection: "BACKWARD"}, participant.GetTranscriptInput{ScanDirection: participant.ScanDirectionBackward}),
		c("DESCENDING only", connectparticipant.GetTranscriptInput{SortOrder: "DESCENDING"}, participant.GetTranscriptInput{SortOrder: participant.SortOrderDescending}),
		c("empty non-nil StartPosition",
			connectparticipant.GetTranscriptInput{StartPosition: &types.StartPosition{}},
			participant.GetTranscriptInput{StartPosition: &participant.StartPosition{}}),
		c("StartPosition Id, FORWARD, ASCENDING",
			connectparticipant.GetTranscriptInput{StartPosition: &types.StartPosition{Id: aws.String("8b7a3c2e-5f4d-4e1a-9c6b-0d2e1f3a4b5c")}, ScanDirection: "FORWARD", SortOrder: "ASCENDING"},
			participant.GetTranscriptInput{StartPosition: &participant.StartPosition{ID: "8b7a3c2e-5f4d-4e1a-9c6b-0d2e1f3a4b5c"}, ScanDirection: participant.ScanDirectionForward, SortOrder: participant.SortOrderAscending}),
		c("StartPosition AbsoluteTime, FORWARD, DESCENDING",
			connectparticipant.GetTranscriptInput{StartPosition: &types.StartPosition{AbsoluteTime: aws.String(transcriptStart)}, ScanDirection: "FORWARD", SortOrder: "DESCENDING"},
			participant.GetTranscriptInput{StartPosition: &participant.StartPosition{AbsoluteTime: participant.Time{Time: at}}, ScanDirection: participant.ScanDirectionForward, SortOrder: participant.SortOrderDescending}),
		c("StartPosition MostRecent 5",
			connectparticipant.GetTranscriptInput{StartPosition: &types.StartPosition{MostRecent: 5}},
			participant.GetTranscriptInput{StartPosition: &participant.StartPosition{MostRecent: 5}}),
		c("StartPosition MostRecent 100, BACKWARD",
			connectparticipant.GetTranscriptInput{StartPosition: &types.StartPosition{MostRecent: 100}, ScanDirection: "BACKWARD"},
			participant.GetTranscriptInput{StartPosition: &participant.StartPosition{MostRecent: 100}, ScanDirection: participant.ScanDirectionBackward}),
		c("StartPosition with all three members",
			connectparticipant.GetTranscriptInput{StartPosition: &types.StartPosition{Id: aws.String("i0"), AbsoluteTime: aws.String(transcriptStart), MostRecent: 7}},
			participant.GetTranscriptInput{StartPosition: &participant.StartPosition{ID: "i0", AbsoluteTime: participant.Time{Time: at}, MostRecent: 7}}),
		c("every member",
			connectparticipant.GetTranscriptInput{ContactId: aws.String("c1"), MaxResults: aws.Int32(100), NextToken: aws.String("n0"), ScanDirection: "BACKWARD", SortOrder: "ASCENDING", StartPosition: &types.StartPosition{Id: aws.String("i0")}},
			participant.GetTranscriptInput{ContactID: "c1", MaxResults: 100, NextToken: "n0", ScanDirection: participant.ScanDirectionBackward, SortOrder: participant.SortOrderAscending, StartPosition: &participant.StartPosition{ID: "i0"}}),
		c("non-ASCII ContactId, NextToken and StartPosition Id",
			connectparticipant.GetTranscriptInput{ContactId: aws.String("kontakt-ü-連絡"), NextToken: aws.String("tøken/+=\u2028<&>"), StartPosition: &types.StartPosition{Id: aws.String("ïd-🙂")}, ScanDirection: "FORWARD"},
			participant.GetTranscriptInput{ContactID: "kontakt-ü-連絡", NextToken: "tøken/+=\u2028<&>", StartPosition: &participant.StartPosition{ID: "ïd-🙂"}, ScanDirection: participant.ScanDirectionForward}),
	}
}

func describeViewRequests() []reqCase {
	c := func(name, viewToken, uri string) reqCase {
		return reqCase{name: name, uri: uri, call: describeView(viewToken)}
	}
	return []reqCase{
		c("unreserved only", "Kq8zE4bB-view_token.v1~", "/participant/views/Kq8zE4bB-view_token.v1~"),
		c("slash", "a/b", "/participant/views/a%2Fb"),
		c("slash, space, plus and equals", "a/b c+d=", "/participant/views/a%2Fb%20c%2Bd%3D"),
		c("base64 with padding", "QVFJREFIaG1+/z9Ab2A==", "/participant/views/QVFJREFIaG1%2B%2Fz9Ab2A%3D%3D"),
		c("non-ASCII", "vue-é-视图-🙂", "/participant/views/vue-%C3%A9-%E8%A7%86%E5%9B%BE-%F0%9F%99%82"),
		c("reserved characters", "!*'();:@&$,?#[]", "/participant/views/%21%2A%27%28%29%3B%3A%40%26%24%2C%3F%23%5B%5D"),
		c("already percent-encoded", "a%2Fb%20", "/participant/views/a%252Fb%2520"),
		c("dot segment", "..", "/participant/views/.."),
		c("every ASCII byte but NUL", asciiBytes[1:], "/participant/views/"+percentEncodeAll(asciiBytes[1:])),
	}
}

// asciiBytes holds the bytes 0 to 127, in order.
var asciiBytes = func() string {
	b := make([]byte, 128)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}()

// percentEncodeAll is RFC 3986 percent-encoding of every byte but the
// unreserved ones (A-Z a-z 0-9 - . _ ~), upper-case hex: what a path label
// must look like on the wire.
func percentEncodeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// transcriptSample is a hand-written page with each kind of item the service
// puts in a transcript, empty lists, null members and an unknown member.
const transcriptSample = `{
	"InitialContactId":"11111111-aaaa-4bbb-8ccc-000000000001",
	"NextToken":"AYADeJ0Ylb2xk3TNIexampleNextTokenzM0OTg=",
	"Transcript":[
		{"AbsoluteTime":"2024-05-02T10:15:30.123Z","ContactId":"11111111-aaaa-4bbb-8ccc-000000000001","ContentType":"application/vnd.amazonaws.connect.event.participant.joined","DisplayName":"Customer","Id":"e-1","ParticipantId":"p-cust","ParticipantRole":"CUSTOMER","Type":"EVENT"},
		{"AbsoluteTime":"2024-05-02T10:15:31.456Z","ContactId":"11111111-aaaa-4bbb-8ccc-000000000001","Content":"Hi, my parcel hasn't arrived. Où est mon colis ? 🙂","ContentType":"text/plain","DisplayName":"Customer","Id":"m-1","MessageMetadata":{"MessageId":"m-1","Receipts":[{"DeliveredTimestamp":"2024-05-02T10:15:31.789Z","ReadTimestamp":"2024-05-02T10:15:40.001Z","RecipientParticipantId":"p-agent"},{"DeliveredTimestamp":"2024-05-02T10:15:31.800Z","RecipientParticipantId":"p-bot"}]},"ParticipantId":"p-cust","ParticipantRole":"CUSTOMER","Type":"MESSAGE"},
		{"AbsoluteTime":"2024-05-02T10:15:45.000Z","Attachments":[{"AttachmentId":"a-1","AttachmentName":"photo.jpg","ContentType":"image/jpeg","Status":"APPROVED"},{"AttachmentId":"a-2","AttachmentName":"scan.pdf","ContentType":"application/pdf","Status":"IN_PROGRESS"}],"ContactId":"11111111-aaaa-4bbb-8ccc-000000000001","ContentType":"image/jpeg","DisplayName":"Customer","Id":"att-1","ParticipantId":"p-cust","ParticipantRole":"CUSTOMER","Type":"ATTACHMENT"},
		{"AbsoluteTime":"2024-05-02T10:15:50.010Z","Attachments":[],"ContactId":"11111111-aaaa-4bbb-8ccc-000000000001","Content":"Let me check.\nOne moment please \"quoted\" \\ \u00e9","ContentType":"text/markdown","DisplayName":"Agent Smith","Id":"m-2","MessageMetadata":{"MessageId":"m-2","Receipts":[]},"ParticipantId":"p-agent","ParticipantRole":"AGENT","Type":"MESSAGE"},
		{"AbsoluteTime":"2024-05-01T09:00:00.000Z","Content":"Earlier session","ContentType":"text/plain","DisplayName":"Bot","Id":"m-0","ParticipantId":"p-bot","ParticipantRole":"CUSTOM_BOT","RelatedContactId":"22222222-bbbb-4ccc-8ddd-000000000002","Type":"MESSAGE"},
		{"AbsoluteTime":"2024-05-02T10:16:00.000Z","ContentType":"application/vnd.amazonaws.connect.event.transfer.succeeded","Id":"e-2","ParticipantRole":"SYSTEM","Type":"TRANSFER_SUCCEEDED","Content":null,"Unknown":{"x":[1,{"y":null}]}},
		{"AbsoluteTime":"2024-05-02T10:16:05.000Z","ContentType":"application/vnd.amazonaws.connect.event.participant.joined","DisplayName":"Supervisor","Id":"e-3","ParticipantId":"p-sup","ParticipantRole":"SUPERVISOR","Type":"PARTICIPANT_JOINED"},
		{"AbsoluteTime":"2024-05-02T10:16:10.000Z","ContentType":"application/vnd.amazonaws.connect.event.message.read","Id":"r-1","MessageMetadata":{"MessageId":"m-2","Receipts":[{"ReadTimestamp":"2024-05-02T10:16:10.000Z","RecipientParticipantId":"p-cust"}]},"ParticipantId":"p-cust","ParticipantRole":"CUSTOMER","Type":"MESSAGE_READ"},
		{"AbsoluteTime":"2024-05-02T10:20:00.000Z","ContentType":"application/vnd.amazonaws.connect.event.chat.ended","Id":"e-4","ParticipantRole":"SYSTEM","Type":"CHAT_ENDED"}
	]}`

// TestOpsRequestsDifferential sends each input of each operation's request
// table through both clients and compares what the server received.
func TestOpsRequestsDifferential(t *testing.T) {
	t.Parallel()
	for _, op := range opSpecs() {
		for _, rc := range op.requests {
			t.Run(op.name+"/"+rc.name, func(t *testing.T) {
				t.Parallel()
				rec := &recorder{status: http.StatusOK, header: map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "req-ok"}, body: `{}`}
				srv, track := startServer(t, rec)
				ctx := context.Background()

				awsc, _ := newAWS(srv, track, func(o *connectparticipant.Options) {
					o.RetryMaxAttempts = 1
					o.IdempotencyTokenProvider = fixedToken(pinnedClientToken)
				})
				_, err := rc.call.aws(ctx, awsc)
				require.NoError(t, err, "awssdk")
				awsReqs := rec.take()
				ours, _ := newOurs(srv, track, func(o *participant.Options) {
					o.RetryMaxAttempts = 1
					o.NewClientToken = func() string { return pinnedClientToken }
				})
				_, err = rc.call.ours(ctx, ours)
				require.NoError(t, err, "participant")
				ourReqs := rec.take()
				require.Len(t, awsReqs, 1, "requests: awssdk sent %d; want 1", len(awsReqs))
				require.Len(t, ourReqs, 1, "requests: participant sent %d; want 1", len(ourReqs))
				a, o := awsReqs[0], ourReqs[0]

				assert.Equal(t, op.method, a.method, "awssdk method")
				assert.Equal(t, op.method, o.method, "participant method")
				wantURI := rc.uri
				if wantURI == "" {
					wantURI = op.path
				}
				assert.Equal(t, wantURI, a.uri, "awssdk request target")
				assert.Equal(t, wantURI, o.uri, "participant request target")
				assert.Equal(t, a.path, o.path, "escaped path: awssdk first, participant second")
				wantBearer := connToken
				if op.name == "CreateParticipantConnection" {
					wantBearer = participantToken
				}
				av, ov := a.header.Values("X-Amz-Bearer"), o.header.Values("X-Amz-Bearer")
				assert.Equal(t, av, ov, "X-Amz-Bearer: awssdk first, participant second")
				assert.Equal(t, []string{wantBearer}, ov, "participant X-Amz-Bearer")
				assert.Equal(t, a.header.Values("Content-Type"), o.header.Values("Content-Type"), "Content-Type: awssdk first, participant second")
				assert.Equal(t, a.header.Get("Amz-Sdk-Request"), o.header.Get("Amz-Sdk-Request"), "Amz-Sdk-Request: awssdk first, participant second")

				if op.method == http.MethodGet {
					assert.Empty(t, a.body, "awssdk GET body: want empty")
					assert.Empty(t, o.body, "participant GET body: want empty")
					assert.Empty(t, o.header.Values("Content-Type"), "participant sent Content-Type on a GET")
					return
				}
				var am, om any
				require.NoError(t, json.Unmarshal(a.body, &am), "awssdk body %q", a.body)
				require.NoError(t, json.Unmarshal(o.body, &om), "participant body %q", o.body)
				assert.IsType(t, map[string]any{}, om, "participant body %s is not a JSON object", o.body)
				assert.Equal(t, am, om, "bodies differ:\nawssdk      %s\nparticipant %s", a.body, o.body)
			})
		}
	}
}

// TestOpsResponsesDifferential serves each canned success body of each
// operation to both clients and compares the decoded outputs.
func TestOpsResponsesDifferential(t *testing.T) {
	t.Parallel()
	for _, op := range opSpecs() {
		for _, rc := range op.responses {
			t.Run(op.name+"/"+rc.name, func(t *testing.T) {
				t.Parallel()
				rec := &recorder{
					status: http.StatusOK,
					header: map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "d8a7c6b5-0000-4000-8000-" + fmt.Sprintf("%012d", len(rc.body))},
					body:   rc.body,
				}
				srv, track := startServer(t, rec)
				ctx := context.Background()

				awsc, _ := newAWS(srv, track, func(o *connectparticipant.Options) { o.RetryMaxAttempts = 1 })
				// smithy-go v1.28.9 closes the request body as soon as Do
				// returns, and its body then answers WriteTo with io.EOF; when
				// net/http's writer has not returned yet, it takes that for a
				// failed write and closes the connection under the response
				// being read ("use of closed network connection"). That race is
				// aws-sdk-go-v2's, not what this test compares: try again.
				awsOut, err := op.call.aws(ctx, awsc)
				awsAttempts := 1
				for ; err != nil && errors.Is(err, net.ErrClosed) && awsAttempts < 3; awsAttempts++ {
					awsOut, err = op.call.aws(ctx, awsc)
				}
				require.NoError(t, err, "awssdk")
				ours, _ := newOurs(srv, track, func(o *participant.Options) { o.RetryMaxAttempts = 1 })
				ourOut, err := op.call.ours(ctx, ours)
				require.NoError(t, err, "participant")
				require.Len(t, rec.take(), awsAttempts+1, "requests the server saw")
				if rc.newer != nil {
					rc.newer(t, ourOut)
				}
				want := op.fromAWS(awsOut)
				assert.Equal(t, want, ourOut, "outputs differ:\nawssdk      %s\nparticipant %s", dump(want), dump(ourOut))
				// Guard against two empty outputs passing: a body with
				// members must give aws-sdk-go-v2 something.
				if rc.body != "{}" && reflect.ValueOf(want).Elem().NumField() > 1 {
					assert.False(t, isZeroBesidesRequestID(want), "awssdk decoded nothing from %s", rc.body)
				}
			})
		}
	}
}

// isZeroBesidesRequestID reports whether the output *T holds nothing but its
// RequestID.
func isZeroBesidesRequestID(out any) bool {
	v := reflect.New(reflect.TypeOf(out).Elem()).Elem()
	v.Set(reflect.ValueOf(out).Elem())
	v.FieldByName("RequestID").SetString("")
	return v.IsZero()
}

// dump prints an output for a failure message: JSON, times included.
func dump(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}

// errorCases are the canned error responses every operation is sent.
var errorCases = []struct {
	name   string
	status int
	header map[string]string
	body   string
	code   string
}{
	{
		name: "ValidationException 400 in header", status: http.StatusBadRequest,
		header: map[string]string{"X-Amzn-ErrorType": "ValidationException"},
		body:   `{"message":"1 validation error detected: Value at 'contentType' failed to satisfy constraint"}`,
		code:   "ValidationException",
	},
	{
		name: "ThrottlingException 429 in body __type", status: http.StatusTooManyRequests,
		body: `{"__type":"ThrottlingException","message":"Rate exceeded"}`,
		code: "ThrottlingException",
	},
	{
		name: "AccessDeniedException 403 lower case", status: http.StatusForbidden,
		header: map[string]string{"X-Amzn-ErrorType": "accessdeniedexception"},
		body:   `{"message":"You do not have sufficient access to perform this action."}`,
		code:   "AccessDeniedException",
	},
	{
		name: "InternalServerException 500 in body code", status: http.StatusInternalServerError,
		body: `{"code":"InternalServerException","message":"Internal server error"}`,
		code: "InternalServerException",
	},
	{
		name: "ConflictException 409 with namespace", status: http.StatusConflict,
		body: `{"__type":"com.amazonaws.connectparticipant#ConflictException","Message":"An attachment with that identifier is already being uploaded."}`,
		code: "ConflictException",
	},
	{
		name: "ResourceNotFoundException 404", status: http.StatusNotFound,
		header: map[string]string{"X-Amzn-ErrorType": "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.connectparticipant/"},
		body:   `{"message":"The view was not found.","ResourceId":"aws-detail-view","ResourceType":"CONTACT_FLOW"}`,
		code:   "ResourceNotFoundException",
	},
	{
		name: "ServiceQuotaExceededException 402", status: http.StatusPaymentRequired,
		header: map[string]string{"X-Amzn-ErrorType": "ServiceQuotaExceededException"},
		body:   `{"message":"The number of attachments per contact exceeds the quota."}`,
		code:   "ServiceQuotaExceededException",
	},
}

// TestOpsErrorsDifferential serves each canned error response to each
// operation of both clients, with retries off, and compares the errors.
func TestOpsErrorsDifferential(t *testing.T) {
	t.Parallel()
	for _, op := range opSpecs() {
		for _, ec := range errorCases {
			t.Run(op.name+"/"+ec.name, func(t *testing.T) {
				t.Parallel()
				header := map[string]string{"Content-Type": "application/json", "X-Amzn-Requestid": "req-err-" + op.name}
				for k, v := range ec.header {
					header[k] = v
				}
				rec := &recorder{status: ec.status, header: header, body: ec.body}
				srv, track := startServer(t, rec)
				ctx := context.Background()

				awsc, _ := newAWS(srv, track, func(o *connectparticipant.Options) { o.RetryMaxAttempts = 1 })
				_, awsErr := op.call.aws(ctx, awsc)
				awsN := len(rec.take())
				ours, _ := newOurs(srv, track, func(o *participant.Options) { o.RetryMaxAttempts = 1 })
				_, ourErr := op.call.ours(ctx, ours)
				ourN := len(rec.take())
				assert.Equal(t, 1, awsN, "awssdk attempts (retries off)")
				assert.Equal(t, 1, ourN, "participant attempts (retries off)")

				awsCode, ourCode := apiCode(t, "awssdk", awsErr), apiCode(t, "participant", ourErr)
				assert.Equal(t, ec.code, awsCode, "awssdk ErrorCode")
				assert.Equal(t, ec.code, ourCode, "participant ErrorCode")
				var aAPI, oAPI smithy.APIError
				if !errors.As(awsErr, &aAPI) || !errors.As(ourErr, &oAPI) {
					t.FailNow() // apiCode reported it
				}
				assert.Equal(t, aAPI.ErrorMessage(), oAPI.ErrorMessage(), "ErrorMessage: awssdk first, participant second")
				// aws-sdk-go-v2 types only the errors the operation
				// models; this client types all seven.
				_, awsGeneric := aAPI.(*smithy.GenericAPIError)
				_, ourGeneric := oAPI.(*smithy.GenericAPIError)
				modeled := contains(op.models, ec.code)
				assert.Equal(t, !modeled, awsGeneric, "awssdk error %T: modeled by %s = %v", aAPI, op.name, modeled)
				assert.False(t, ourGeneric, "participant error %T, want a typed error", oAPI)
				if modeled {
					assert.Equal(t, aAPI.ErrorFault(), oAPI.ErrorFault(), "ErrorFault: awssdk first, participant second")
				}
				var aNF *types.ResourceNotFoundException
				var oNF *participant.ResourceNotFoundError
				if errors.As(awsErr, &aNF) && assert.ErrorAs(t, ourErr, &oNF, "participant %T, want *participant.ResourceNotFoundError", oAPI) {
					assert.Equal(t, aws.ToString(aNF.ResourceId), oNF.ResourceID, "ResourceNotFound ResourceId: awssdk first, participant second")
					assert.Equal(t, string(aNF.ResourceType), string(oNF.ResourceType), "ResourceNotFound ResourceType: awssdk first, participant second")
				}

				type statusErr interface{ HTTPStatusCode() int }
				type requestIDErr interface{ ServiceRequestID() string }
				var as, os statusErr
				if assert.ErrorAs(t, awsErr, &as, "HTTPStatusCode missing: awssdk %T", awsErr) &&
					assert.ErrorAs(t, ourErr, &os, "HTTPStatusCode missing: participant %T", ourErr) {
					assert.Equal(t, ec.status, as.HTTPStatusCode(), "awssdk HTTPStatusCode")
					assert.Equal(t, ec.status, os.HTTPStatusCode(), "participant HTTPStatusCode")
				}
				var ar, or requestIDErr
				if assert.ErrorAs(t, awsErr, &ar, "ServiceRequestID missing: awssdk %T", awsErr) &&
					assert.ErrorAs(t, ourErr, &or, "ServiceRequestID missing: participant %T", ourErr) {
					assert.Equal(t, header["X-Amzn-Requestid"], ar.ServiceRequestID(), "awssdk ServiceRequestID")
					assert.Equal(t, header["X-Amzn-Requestid"], or.ServiceRequestID(), "participant ServiceRequestID")
				}
				var ao, oo *smithy.OperationError
				require.ErrorAs(t, awsErr, &ao, "not a *smithy.OperationError: awssdk %T", awsErr)
				require.ErrorAs(t, ourErr, &oo, "not a *smithy.OperationError: participant %T", ourErr)
				assert.Equal(t, ao.Service(), oo.Service(), "OperationError service: awssdk first, participant second")
				assert.Equal(t, op.name, ao.Operation(), "awssdk OperationError operation")
				assert.Equal(t, op.name, oo.Operation(), "participant OperationError operation")
			})
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The aws* functions convert aws-sdk-go-v2's shapes into this client's,
// member by member: a nil pointer becomes the zero value, a nil list stays
// nil and an empty one stays empty, and a time string is parsed as this
// client parses it.

func str(p *string) string { return aws.ToString(p) }

// tm parses a time the service sent, as participant does: RFC 3339, and the
// zero Time for anything else.
func tm(p *string) participant.Time {
	if p == nil || *p == "" {
		return participant.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, *p)
	if err != nil {
		return participant.Time{}
	}
	return participant.Time{Time: t}
}

func reqID(md smithymiddleware.Metadata) string {
	id, _ := awsmiddleware.GetRequestIDMetadata(md)
	return id
}

func awsItem(x types.Item) participant.Item {
	it := participant.Item{
		AbsoluteTime:     tm(x.AbsoluteTime),
		ContactID:        str(x.ContactId),
		Content:          str(x.Content),
		ContentType:      participant.ContentType(str(x.ContentType)),
		DisplayName:      str(x.DisplayName),
		ID:               str(x.Id),
		ParticipantID:    str(x.ParticipantId),
		ParticipantRole:  participant.ParticipantRole(x.ParticipantRole),
		RelatedContactID: str(x.RelatedContactId),
		Type:             participant.ChatItemType(x.Type),
	}
	if x.Attachments != nil {
		it.Attachments = make([]participant.AttachmentItem, len(x.Attachments))
		for i, a := range x.Attachments {
			it.Attachments[i] = participant.AttachmentItem{
				AttachmentID:   str(a.AttachmentId),
				AttachmentName: str(a.AttachmentName),
				ContentType:    str(a.ContentType),
				Status:         participant.ArtifactStatus(a.Status),
			}
		}
	}
	if m := x.MessageMetadata; m != nil {
		it.MessageMetadata = &participant.MessageMetadata{MessageID: str(m.MessageId)}
		if m.Receipts != nil {
			it.MessageMetadata.Receipts = make([]participant.Receipt, len(m.Receipts))
			for i, r := range m.Receipts {
				it.MessageMetadata.Receipts[i] = participant.Receipt{
					DeliveredTimestamp:     tm(r.DeliveredTimestamp),
					ReadTimestamp:          tm(r.ReadTimestamp),
					RecipientParticipantID: str(r.RecipientParticipantId),
				}
			}
		}
	}
	return it
}

func awsWebsocket(x *types.Websocket) *participant.Websocket {
	if x == nil {
		return nil
	}
	return &participant.Websocket{URL: str(x.Url), ConnectionExpiry: tm(x.ConnectionExpiry)}
}

func awsConnectionCredentials(x *types.ConnectionCredentials) *participant.ConnectionCredentials {
	if x == nil {
		return nil
	}
	return &participant.ConnectionCredentials{ConnectionToken: participant.Token(str(x.ConnectionToken)), Expiry: tm(x.Expiry)}
}

func awsConnectionData(x *types.ConnectionData) *participant.ConnectionData {
	if x == nil {
		return nil
	}
	out := &participant.ConnectionData{}
	if a := x.Attendee; a != nil {
		out.Attendee = &participant.Attendee{AttendeeID: str(a.AttendeeId), JoinToken: participant.Token(str(a.JoinToken))}
	}
	if m := x.Meeting; m != nil {
		out.Meeting = &participant.Meeting{MediaRegion: str(m.MediaRegion), MeetingID: str(m.MeetingId)}
		if p := m.MediaPlacement; p != nil {
			out.Meeting.MediaPlacement = &participant.MediaPlacement{
				AudioFallbackURL:  str(p.AudioFallbackUrl),
				AudioHostURL:      str(p.AudioHostUrl),
				EventIngestionURL: str(p.EventIngestionUrl),
				SignalingURL:      str(p.SignalingUrl),
				TurnControlURL:    str(p.TurnControlUrl),
			}
		}
		if f := m.MeetingFeatures; f != nil {
			out.Meeting.MeetingFeatures = &participant.MeetingFeaturesConfiguration{}
			if a := f.Audio; a != nil {
				out.Meeting.MeetingFeatures.Audio = &participant.AudioFeatures{EchoReduction: string(a.EchoReduction)}
			}
		}
	}
	return out
}

func awsUploadMetadata(x *types.UploadMetadata) *participant.UploadMetadata {
	if x == nil {
		return nil
	}
	return &participant.UploadMetadata{HeadersToInclude: x.HeadersToInclude, URL: str(x.Url), URLExpiry: tm(x.UrlExpiry)}
}

func awsView(x *types.View) *participant.View {
	if x == nil {
		return nil
	}
	out := &participant.View{ARN: str(x.Arn), ID: str(x.Id), Name: str(x.Name), Version: aws.ToInt32(x.Version)}
	if c := x.Content; c != nil {
		out.Content = &participant.ViewContent{Actions: c.Actions, InputSchema: str(c.InputSchema), Template: str(c.Template)}
	}
	return out
}
