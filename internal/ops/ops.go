// Package ops is the table of the Participant Service's operations: for each,
// its name, HTTP method and path, which bearer token it takes, and whether it
// carries a ClientToken. The root
// package's one request path reads everything it needs about an operation
// from here, and the emulator (participanttest) and the CLI can use the same
// table to route and name operations.
package ops

import "net/http"

// TokenKind says which bearer token an operation takes in X-Amz-Bearer.
type TokenKind int

// The two tokens of the service.
const (
	// ConnectionToken is the token CreateParticipantConnection returns;
	// every other operation takes it.
	ConnectionToken TokenKind = iota
	// ParticipantToken is the token StartChatContact or CreateParticipant
	// returns to the backend; only CreateParticipantConnection takes it.
	ParticipantToken
)

// Field returns the input field that holds the token: "ConnectionToken" or
// "ParticipantToken".
func (k TokenKind) Field() string {
	if k == ParticipantToken {
		return "ParticipantToken"
	}
	return "ConnectionToken"
}

// Op is one operation of the service.
type Op struct {
	Name   string    // the AWS operation name, such as "SendEvent"
	Method string    // http.MethodPost, or http.MethodGet for DescribeView
	Path   string    // such as "/participant/event"; {ViewToken} is a label
	Token  TokenKind // the bearer token it takes
	// Idempotent operations carry a ClientToken: the caller's, or a UUID v4
	// made once per call and sent on every attempt.
	Idempotent bool
}

// The operations of the service, in the order of the API reference.
var (
	CancelParticipantAuthentication = &Op{Name: "CancelParticipantAuthentication", Method: http.MethodPost, Path: "/participant/cancel-authentication"}
	CompleteAttachmentUpload        = &Op{Name: "CompleteAttachmentUpload", Method: http.MethodPost, Path: "/participant/complete-attachment-upload", Idempotent: true}
	CreateParticipantConnection     = &Op{Name: "CreateParticipantConnection", Method: http.MethodPost, Path: "/participant/connection", Token: ParticipantToken}
	DescribeView                    = &Op{Name: "DescribeView", Method: http.MethodGet, Path: "/participant/views/{ViewToken}"}
	DisconnectParticipant           = &Op{Name: "DisconnectParticipant", Method: http.MethodPost, Path: "/participant/disconnect", Idempotent: true}
	GetAttachment                   = &Op{Name: "GetAttachment", Method: http.MethodPost, Path: "/participant/attachment"}
	GetAuthenticationUrl            = &Op{Name: "GetAuthenticationUrl", Method: http.MethodPost, Path: "/participant/authentication-url"}
	GetTranscript                   = &Op{Name: "GetTranscript", Method: http.MethodPost, Path: "/participant/transcript"}
	SendEvent                       = &Op{Name: "SendEvent", Method: http.MethodPost, Path: "/participant/event", Idempotent: true}
	SendMessage                     = &Op{Name: "SendMessage", Method: http.MethodPost, Path: "/participant/message", Idempotent: true}
	StartAttachmentUpload           = &Op{Name: "StartAttachmentUpload", Method: http.MethodPost, Path: "/participant/start-attachment-upload", Idempotent: true}
)

// All lists every operation of the service.
var All = []*Op{
	CancelParticipantAuthentication, CompleteAttachmentUpload, CreateParticipantConnection,
	DescribeView, DisconnectParticipant, GetAttachment, GetAuthenticationUrl, GetTranscript,
	SendEvent, SendMessage, StartAttachmentUpload,
}

// ByName returns the operation named name, or nil.
func ByName(name string) *Op {
	for _, op := range All {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// Body caps: how much of a response body a client reads.
const (
	// MaxResponseBody caps a success body: room for a GetTranscript page of
	// 100 items whose content is all escaped.
	MaxResponseBody = 16 << 20
	// MaxErrorBody caps an error body (and a body that is read only to be
	// discarded).
	MaxErrorBody = 64 << 10
)
