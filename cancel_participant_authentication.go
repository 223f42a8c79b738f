package participant

import (
	"context"

	"github.com/connectchat/participant/internal/ops"
)

// CancelParticipantAuthenticationInput is the input of
// [Client.CancelParticipantAuthentication].
type CancelParticipantAuthenticationInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// SessionID is the sessionId of the authentication.initiated event.
	// Required; exactly 36 characters.
	SessionID string
}

// CancelParticipantAuthenticationOutput is the result of
// [Client.CancelParticipantAuthentication].
type CancelParticipantAuthenticationOutput struct {
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *CancelParticipantAuthenticationOutput) setRequestID(id string) { o.RequestID = id }
func (*CancelParticipantAuthenticationOutput) memberless()              {}

// CancelParticipantAuthentication cancels a customer's sign-in: the
// Authenticate Customer flow block takes its "opted out" branch. It needs the
// ConnectionToken.
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent.
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_CancelParticipantAuthentication.html
func (c *Client) CancelParticipantAuthentication(ctx context.Context, in *CancelParticipantAuthenticationInput, optFns ...func(*Options)) (*CancelParticipantAuthenticationOutput, error) {
	if in == nil {
		in = &CancelParticipantAuthenticationInput{}
	}
	v := newValidator(ops.CancelParticipantAuthentication, in.ConnectionToken)
	v.exactly("SessionID", in.SessionID, 36)
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	body := struct{ SessionId string }{in.SessionID}
	return call[CancelParticipantAuthenticationOutput](ctx, c, r, request{op: ops.CancelParticipantAuthentication, tok: in.ConnectionToken, body: body})
}
