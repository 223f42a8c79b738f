package participant

import (
	"context"
	"strings"

	"github.com/aws/smithy-go/encoding/httpbinding"
	"github.com/connectchat/participant/internal/ops"
)

// DescribeViewInput is the input of [Client.DescribeView].
type DescribeViewInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// ViewToken is the token of the view, from the interactive message that
	// showed it. Required; 1 to 1000 characters.
	ViewToken string
}

// DescribeViewOutput is the result of [Client.DescribeView].
type DescribeViewOutput struct {
	// View is the view.
	View *View `json:"View,omitempty"`
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *DescribeViewOutput) setRequestID(id string) { o.RequestID = id }

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
	v := newValidator(ops.DescribeView, in.ConnectionToken)
	v.required("ViewToken", in.ViewToken, 1, 1000)
	// The label is escaped as smithy-go escapes it: every byte but
	// A-Z a-z 0-9 - . _ ~ becomes %XX, '/' included.
	path := strings.Replace(ops.DescribeView.Path, "{ViewToken}", httpbinding.EscapePath(in.ViewToken, true), 1)
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	return call[DescribeViewOutput](ctx, c, r, request{op: ops.DescribeView, tok: in.ConnectionToken, path: path})
}
