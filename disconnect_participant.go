package participant

import (
	"context"

	"github.com/connectchat/participant/internal/ops"
)

// DisconnectParticipantInput is the input of [Client.DisconnectParticipant].
type DisconnectParticipantInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// ClientToken makes the call idempotent. At most 500 characters. When
	// empty, a UUID v4 is made for the call and sent on every attempt; the
	// caller's struct is not changed.
	ClientToken string
}

// DisconnectParticipantOutput is the result of
// [Client.DisconnectParticipant].
type DisconnectParticipantOutput struct {
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *DisconnectParticipantOutput) setRequestID(id string) { o.RequestID = id }
func (*DisconnectParticipantOutput) memberless()              {}

// DisconnectParticipant takes the participant out of the chat; for a
// customer this ends the chat. It needs the ConnectionToken. The WebSocket
// stays open until the service sends the chat.ended event, so a post-chat
// survey can still arrive.
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent.
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_DisconnectParticipant.html
func (c *Client) DisconnectParticipant(ctx context.Context, in *DisconnectParticipantInput, optFns ...func(*Options)) (*DisconnectParticipantOutput, error) {
	if in == nil {
		in = &DisconnectParticipantInput{}
	}
	v := newValidator(ops.DisconnectParticipant, in.ConnectionToken)
	v.optional("ClientToken", in.ClientToken, 0, 500)
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	clientToken, err := r.clientToken(ops.DisconnectParticipant, in.ClientToken)
	if err != nil {
		return nil, err
	}
	body := struct{ ClientToken string }{clientToken}
	return call[DisconnectParticipantOutput](ctx, c, r, request{op: ops.DisconnectParticipant, tok: in.ConnectionToken, body: body})
}
