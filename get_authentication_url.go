package participant

import (
	"context"
	"net/http"
)

var opGetAuthenticationURL = newOperation("GetAuthenticationUrl", http.MethodPost, "/participant/authentication-url")

// GetAuthenticationUrlInput is the input of [Client.GetAuthenticationUrl].
type GetAuthenticationUrlInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token

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
	AuthenticationURL string
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string
}

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
	v := newValidator("GetAuthenticationUrlInput")
	v.token("ConnectionToken", in.ConnectionToken)
	v.exactly("SessionID", in.SessionID, 36)
	v.required("RedirectURI", in.RedirectURI, 1, 1024)
	if err := v.err(); err != nil {
		return nil, opError(opGetAuthenticationURL, err)
	}

	o := newJSONObject(len(in.RedirectURI) + len(in.SessionID) + 36)
	o.str("RedirectUri", in.RedirectURI)
	o.str("SessionId", in.SessionID)

	r := c.options(optFns)
	out := &GetAuthenticationUrlOutput{}
	err := c.invoke(ctx, r, call{op: opGetAuthenticationURL, token: in.ConnectionToken, body: o.bytes()}, func(b []byte, requestID string) error {
		out.RequestID = requestID
		return decodeGetAuthenticationUrlOutput(b, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decodeGetAuthenticationUrlOutput decodes the success body.
func decodeGetAuthenticationUrlOutput(b []byte, out *GetAuthenticationUrlOutput) error {
	return decodeBody(b, func(obj []byte) error {
		var f []byte
		for m := newMembers(obj); m.next(); {
			if string(m.key) == "AuthenticationUrl" {
				f = m.val
			}
		}
		return decString(f, &out.AuthenticationURL, "AuthenticationUrl")
	})
}
