package participant

import (
	"context"
	"net/http"
)

var opCancelParticipantAuthentication = newOperation("CancelParticipantAuthentication", http.MethodPost, "/participant/cancel-authentication")

// CancelParticipantAuthenticationInput is the input of
// [Client.CancelParticipantAuthentication].
type CancelParticipantAuthenticationInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token

	// SessionID is the sessionId of the authentication.initiated event.
	// Required; exactly 36 characters.
	SessionID string
}

// CancelParticipantAuthenticationOutput is the result of
// [Client.CancelParticipantAuthentication].
type CancelParticipantAuthenticationOutput struct {
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string
}

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
	v := newValidator("CancelParticipantAuthenticationInput")
	v.token("ConnectionToken", in.ConnectionToken)
	v.exactly("SessionID", in.SessionID, 36)
	if err := v.err(); err != nil {
		return nil, opError(opCancelParticipantAuthentication, err)
	}

	o := newJSONObject(len(in.SessionID) + 16)
	o.str("SessionId", in.SessionID)

	r := c.options(optFns)
	out := &CancelParticipantAuthenticationOutput{}
	err := c.invoke(ctx, r, call{op: opCancelParticipantAuthentication, token: in.ConnectionToken, body: o.bytes()}, func(_ []byte, requestID string) error {
		out.RequestID = requestID // the output has no members: the body is not read
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
