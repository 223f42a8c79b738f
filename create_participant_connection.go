package participant

import (
	"context"
	"net/http"
	"strconv"
)

var opCreateParticipantConnection = newOperation("CreateParticipantConnection", http.MethodPost, "/participant/connection")

// CreateParticipantConnectionInput is the input of
// [Client.CreateParticipantConnection].
type CreateParticipantConnectionInput struct {
	// ParticipantToken is the token that StartChatContact,
	// StartOutboundChatContact or CreateParticipant returned to the
	// backend: the participant token, not a ConnectionToken. Required.
	ParticipantToken Token

	// Type lists the connections wanted: [ConnectionTypeWebsocket],
	// [ConnectionTypeConnectionCredentials] (the ConnectionToken every other
	// operation needs), [ConnectionTypeWebRTCConnection]. Each must be one
	// of ConnectionType.Values(). Empty means not sent; the output then has
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
	// Websocket is the WebSocket URL (Type WEBSOCKET).
	Websocket *Websocket
	// ConnectionCredentials holds the ConnectionToken (Type
	// CONNECTION_CREDENTIALS).
	ConnectionCredentials *ConnectionCredentials
	// WebRTCConnection is the WebRTC meeting (Type WEBRTC_CONNECTION).
	WebRTCConnection *ConnectionData
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string
}

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
	v := newValidator("CreateParticipantConnectionInput")
	v.token("ParticipantToken", in.ParticipantToken)
	values := ConnectionType("").Values()
	for i, t := range in.Type {
		field := "Type[" + strconv.Itoa(i) + "]"
		if t == "" {
			v.add(field, "must not be empty")
			continue
		}
		enum(&v, field, t, values)
	}
	if err := v.err(); err != nil {
		return nil, opError(opCreateParticipantConnection, err)
	}

	o := newJSONObject(64)
	if in.ConnectParticipant {
		o.bool("ConnectParticipant", true)
	}
	if len(in.Type) > 0 {
		ts := make([]string, len(in.Type))
		for i, t := range in.Type {
			ts[i] = string(t)
		}
		o.strs("Type", ts)
	}

	r := c.options(optFns)
	out := &CreateParticipantConnectionOutput{}
	err := c.invoke(ctx, r, call{op: opCreateParticipantConnection, token: in.ParticipantToken, body: o.bytes()}, func(b []byte, requestID string) error {
		out.RequestID = requestID
		return decodeCreateParticipantConnectionOutput(b, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decodeCreateParticipantConnectionOutput decodes the success body.
func decodeCreateParticipantConnectionOutput(b []byte, out *CreateParticipantConnectionOutput) error {
	return decodeBody(b, func(obj []byte) error {
		var f [3][]byte
		for m := newMembers(obj); m.next(); {
			switch string(m.key) {
			case "ConnectionCredentials":
				f[0] = m.val
			case "WebRTCConnection":
				f[1] = m.val
			case "Websocket":
				f[2] = m.val
			}
		}
		if err := decShape(f[0], &out.ConnectionCredentials, "ConnectionCredentials"); err != nil {
			return err
		}
		if err := decShape(f[1], &out.WebRTCConnection, "WebRTCConnection"); err != nil {
			return err
		}
		return decShape(f[2], &out.Websocket, "Websocket")
	})
}
