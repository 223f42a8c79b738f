package participant

import (
	"context"

	"github.com/connectchat/participant/internal/ops"
)

// GetAuthenticationUrlInput is the input of [Client.GetAuthenticationUrl].
type GetAuthenticationUrlInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// SessionID is the sessionId of the authentication.initiated event.
	// Required; exactly 36 characters.
	SessionID string

	// RedirectURI is where the identity provider sends the customer after
	// signing in. Required; 1 to 1024 characters.
	RedirectURI string
}

// GetAuthenticationUrlOutput is the result of [Client.GetAuthenticationUrl].
type GetAuthenticationUrlOutput struct {
	// AuthenticationURL is the Amazon Cognito sign-in URL to show the
	// customer.
	AuthenticationURL string `json:"AuthenticationUrl,omitempty"`
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *GetAuthenticationUrlOutput) setRequestID(id string) { o.RequestID = id }

// GetAuthenticationUrl returns the URL where the customer signs in, for an
// Authenticate Customer flow block. It needs the ConnectionToken, and works
// only within a minute of the authentication.initiated event, in chats (not
// Apple Messages for Business, SMS or WhatsApp).
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent.
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_GetAuthenticationUrl.html
func (c *Client) GetAuthenticationUrl(ctx context.Context, in *GetAuthenticationUrlInput, optFns ...func(*Options)) (*GetAuthenticationUrlOutput, error) {
	if in == nil {
		in = &GetAuthenticationUrlInput{}
	}
	v := newValidator(ops.GetAuthenticationUrl, in.ConnectionToken)
	v.exactly("SessionID", in.SessionID, 36)
	v.required("RedirectURI", in.RedirectURI, 1, 1024)
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	body := struct{ RedirectUri, SessionId string }{in.RedirectURI, in.SessionID}
	return call[GetAuthenticationUrlOutput](ctx, c, r, request{op: ops.GetAuthenticationUrl, tok: in.ConnectionToken, body: body})
}
