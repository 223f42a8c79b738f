package participant

import (
	"context"
	"strconv"

	"github.com/connectchat/participant/internal/ops"
)

// CreateParticipantConnectionInput is the input of
// [Client.CreateParticipantConnection].
type CreateParticipantConnectionInput struct {
	// ParticipantToken is the token that StartChatContact,
	// StartOutboundChatContact or CreateParticipant returned to the
	// backend: the participant token, not a ConnectionToken. Required.
	ParticipantToken Token `json:"-"`

	// Type lists the connections wanted: [ConnectionTypeWebsocket],
	// [ConnectionTypeConnectionCredentials] (the ConnectionToken every other
	// operation needs), [ConnectionTypeWebRTCConnection]. Each must be one
	// of the ConnectionType constants. Empty means not sent; the output then has
	// no connections.
	Type []ConnectionType

	// ConnectParticipant marks the participant as connected to the chat,
	// replacing the connection.acknowledged event of SendEvent (no longer
	// maintained since 2024-12-31). It is sent only when true: the service
	// treats an absent value as false.
	ConnectParticipant bool
}

// CreateParticipantConnectionOutput is the result of
// [Client.CreateParticipantConnection]. Each member is set only when its
// connection type was requested.
type CreateParticipantConnectionOutput struct {
	// ConnectionCredentials holds the ConnectionToken (Type
	// CONNECTION_CREDENTIALS).
	ConnectionCredentials *ConnectionCredentials `json:"ConnectionCredentials,omitempty"`
	// WebRTCConnection is the WebRTC meeting (Type WEBRTC_CONNECTION).
	WebRTCConnection *ConnectionData `json:"WebRTCConnection,omitempty"`
	// Websocket is the WebSocket URL (Type WEBSOCKET).
	Websocket *Websocket `json:"Websocket,omitempty"`
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *CreateParticipantConnectionOutput) setRequestID(id string) { o.RequestID = id }

// CreateParticipantConnection connects a participant to its chat: it returns
// the WebSocket URL to receive the chat on and the ConnectionToken that
// every other operation takes. It needs the ParticipantToken.
//
// The WebSocket URL must be used within about 100 seconds; the
// ConnectionToken lasts about a day. Call it again for a fresh URL after a
// disconnect. An AccessDeniedError means the token is wrong or the chat has
// ended.
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent.
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_CreateParticipantConnection.html
func (c *Client) CreateParticipantConnection(ctx context.Context, in *CreateParticipantConnectionInput, optFns ...func(*Options)) (*CreateParticipantConnectionOutput, error) {
	if in == nil {
		in = &CreateParticipantConnectionInput{}
	}
	v := newValidator(ops.CreateParticipantConnection, in.ParticipantToken)
	for i, t := range in.Type {
		field := "Type[" + strconv.Itoa(i) + "]"
		if t == "" {
			v.add(field, "must not be empty")
			continue
		}
		enum(&v, field, t, connectionTypes)
	}
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	body := struct {
		ConnectParticipant bool             `json:",omitempty"`
		Type               []ConnectionType `json:",omitempty"`
	}{in.ConnectParticipant, in.Type}
	return call[CreateParticipantConnectionOutput](ctx, c, r, request{op: ops.CreateParticipantConnection, tok: in.ParticipantToken, body: body})
}
