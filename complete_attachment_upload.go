package participant

import (
	"context"
	"strconv"

	"github.com/connectchat/participant/internal/ops"
)

// CompleteAttachmentUploadInput is the input of
// [Client.CompleteAttachmentUpload].
type CompleteAttachmentUploadInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// AttachmentIDs holds the id StartAttachmentUpload returned. Required;
	// exactly one id of 1 to 256 characters.
	AttachmentIDs []string

	// ClientToken makes the call idempotent. 1 to 500 characters: the
	// service requires one, so when empty a UUID v4 is made for the call and
	// sent on every attempt; the caller's struct is not changed.
	ClientToken string
}

// CompleteAttachmentUploadOutput is the result of
// [Client.CompleteAttachmentUpload].
type CompleteAttachmentUploadOutput struct {
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *CompleteAttachmentUploadOutput) setRequestID(id string) { o.RequestID = id }
func (*CompleteAttachmentUploadOutput) memberless()              {}

// CompleteAttachmentUpload finishes the upload of an attachment after its
// file has been PUT to the URL of StartAttachmentUpload; the service then
// shares it in the chat. It needs the ConnectionToken.
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent. A second completion of one attachment gives [ConflictError].
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_CompleteAttachmentUpload.html
func (c *Client) CompleteAttachmentUpload(ctx context.Context, in *CompleteAttachmentUploadInput, optFns ...func(*Options)) (*CompleteAttachmentUploadOutput, error) {
	if in == nil {
		in = &CompleteAttachmentUploadInput{}
	}
	v := newValidator(ops.CompleteAttachmentUpload, in.ConnectionToken)
	if in.AttachmentIDs == nil {
		v.required("AttachmentIDs", "", 1, 1)
	} else {
		v.count("AttachmentIDs", len(in.AttachmentIDs), 1, 1)
	}
	for i, id := range in.AttachmentIDs {
		v.required("AttachmentIDs["+strconv.Itoa(i)+"]", id, 1, 256)
	}
	v.optional("ClientToken", in.ClientToken, 1, 500)
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	clientToken, err := r.clientToken(ops.CompleteAttachmentUpload, in.ClientToken)
	if err != nil {
		return nil, err
	}
	body := struct {
		AttachmentIds []string
		ClientToken   string
	}{in.AttachmentIDs, clientToken}
	return call[CompleteAttachmentUploadOutput](ctx, c, r, request{op: ops.CompleteAttachmentUpload, tok: in.ConnectionToken, body: body})
}
