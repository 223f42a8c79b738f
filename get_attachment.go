package participant

import (
	"context"

	"github.com/connectchat/participant/internal/ops"
)

// GetAttachmentInput is the input of [Client.GetAttachment].
type GetAttachmentInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// AttachmentID identifies the attachment, as in an [AttachmentItem].
	// Required; 1 to 256 characters.
	AttachmentID string

	// URLExpiryInSeconds is how long the returned URL works: 5 to 300
	// seconds. Zero is not sent, so the service's default applies.
	URLExpiryInSeconds int32
}

// GetAttachmentOutput is the result of [Client.GetAttachment].
type GetAttachmentOutput struct {
	// AttachmentSizeInBytes is the size of the file.
	AttachmentSizeInBytes int64 `json:"AttachmentSizeInBytes,omitempty"`
	// URL is the presigned URL to GET the file from. Its query holds a
	// signature: keep it out of logs.
	URL string `json:"Url,omitempty"`
	// URLExpiry is when URL stops working.
	URLExpiry Time `json:"UrlExpiry,omitzero"`
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *GetAttachmentOutput) setRequestID(id string) { o.RequestID = id }

// GetAttachment returns a presigned URL to download an attachment from. It
// needs the ConnectionToken. [Client.DownloadAttachment] also downloads it.
// A CUSTOM_BOT participant may not read a customer's attachments
// ([AccessDeniedError]).
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent.
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_GetAttachment.html
func (c *Client) GetAttachment(ctx context.Context, in *GetAttachmentInput, optFns ...func(*Options)) (*GetAttachmentOutput, error) {
	if in == nil {
		in = &GetAttachmentInput{}
	}
	v := newValidator(ops.GetAttachment, in.ConnectionToken)
	v.required("AttachmentID", in.AttachmentID, 1, 256)
	if in.URLExpiryInSeconds != 0 {
		v.intRange("URLExpiryInSeconds", int64(in.URLExpiryInSeconds), 5, 300)
	}
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	body := struct {
		AttachmentId       string
		UrlExpiryInSeconds int32 `json:",omitempty"`
	}{in.AttachmentID, in.URLExpiryInSeconds}
	return call[GetAttachmentOutput](ctx, c, r, request{op: ops.GetAttachment, tok: in.ConnectionToken, body: body})
}
