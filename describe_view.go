package participant

import (
	"context"
	"net/http"
)

var opDescribeView = newOperation("DescribeView", http.MethodGet, "/participant/views/{ViewToken}")

// DescribeViewInput is the input of [Client.DescribeView].
type DescribeViewInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token

	// ViewToken is the token of the view, from the interactive message that
	// showed it. Required; 1 to 1000 characters.
	ViewToken string
}

// DescribeViewOutput is the result of [Client.DescribeView].
type DescribeViewOutput struct {
	// View is the view.
	View *View
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string
}

// DescribeView returns a view (a step-by-step guide) of Amazon Connect: its
// template, input schema and actions. It needs the ConnectionToken. It is
// the only GET of the service; an unknown view gives
// [ResourceNotFoundError].
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent.
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_DescribeView.html
func (c *Client) DescribeView(ctx context.Context, in *DescribeViewInput, optFns ...func(*Options)) (*DescribeViewOutput, error) {
	if in == nil {
		in = &DescribeViewInput{}
	}
	v := newValidator("DescribeViewInput")
	v.token("ConnectionToken", in.ConnectionToken)
	v.required("ViewToken", in.ViewToken, 1, 1000)
	if err := v.err(); err != nil {
		return nil, opError(opDescribeView, err)
	}

	r := c.options(optFns)
	out := &DescribeViewOutput{}
	cl := call{op: opDescribeView, token: in.ConnectionToken, path: "/participant/views/" + escapeLabel(in.ViewToken)}
	err := c.invoke(ctx, r, cl, func(b []byte, requestID string) error {
		out.RequestID = requestID
		return decodeDescribeViewOutput(b, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decodeDescribeViewOutput decodes the success body.
func decodeDescribeViewOutput(b []byte, out *DescribeViewOutput) error {
	return decodeBody(b, func(obj []byte) error {
		var f []byte
		for m := newMembers(obj); m.next(); {
			if string(m.key) == "View" {
				f = m.val
			}
		}
		return decShape(f, &out.View, "View")
	})
}

// escapeLabel escapes a path label as smithy-go does: every byte but
// A-Z a-z 0-9 - . _ ~ becomes %XX, '/' included.
func escapeLabel(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreservedByte(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; unreservedByte(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func unreservedByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
