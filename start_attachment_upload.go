package participant

import (
	"context"
	"math"

	"github.com/connectchat/participant/internal/ops"
)

// StartAttachmentUploadInput is the input of [Client.StartAttachmentUpload].
type StartAttachmentUploadInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// ContentType is the MIME type of the file, such as "application/pdf"
	// or "image/png"; the instance's attachment settings decide which types
	// the service accepts. Required; 1 to 255 characters.
	ContentType string

	// AttachmentSizeInBytes is the size of the file. Required; at least 1.
	// It is always sent, as aws-sdk-go-v2 does. The service accepts files
	// of up to 20 MB ([MaxAttachmentSize]).
	AttachmentSizeInBytes int64

	// AttachmentName is the file name. Required; 1 to 256 characters.
	AttachmentName string

	// ClientToken makes the call idempotent. 1 to 500 characters: the
	// service requires one, so when empty a UUID v4 is made for the call and
	// sent on every attempt; the caller's struct is not changed.
	ClientToken string
}

// StartAttachmentUploadOutput is the result of
// [Client.StartAttachmentUpload].
type StartAttachmentUploadOutput struct {
	// AttachmentID identifies the attachment, for
	// CompleteAttachmentUpload.
	AttachmentID string `json:"AttachmentId,omitempty"`
	// UploadMetadata says where and how to upload the file.
	UploadMetadata *UploadMetadata `json:"UploadMetadata,omitempty"`
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *StartAttachmentUploadOutput) setRequestID(id string) { o.RequestID = id }

// validate adds the model's constraints on in, beyond its token, to v.
func (in *StartAttachmentUploadInput) validate(v *validator) {
	v.required("ContentType", in.ContentType, 1, 255)
	v.intRange("AttachmentSizeInBytes", in.AttachmentSizeInBytes, 1, math.MaxInt64)
	v.required("AttachmentName", in.AttachmentName, 1, 256)
	v.optional("ClientToken", in.ClientToken, 1, 500)
}

// StartAttachmentUpload starts the upload of an attachment: it returns a
// presigned URL to PUT the file to, then [Client.CompleteAttachmentUpload]
// finishes it. It needs the ConnectionToken. [Client.UploadAttachment] does
// the three steps.
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent. Too many attachments on the contact give
// [ServiceQuotaExceededError].
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_StartAttachmentUpload.html
func (c *Client) StartAttachmentUpload(ctx context.Context, in *StartAttachmentUploadInput, optFns ...func(*Options)) (*StartAttachmentUploadOutput, error) {
	if in == nil {
		in = &StartAttachmentUploadInput{}
	}
	v := newValidator(ops.StartAttachmentUpload, in.ConnectionToken)
	in.validate(&v)
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	clientToken, err := r.clientToken(ops.StartAttachmentUpload, in.ClientToken)
	if err != nil {
		return nil, err
	}
	body := struct {
		AttachmentName        string
		AttachmentSizeInBytes int64
		ClientToken           string
		ContentType           string
	}{in.AttachmentName, in.AttachmentSizeInBytes, clientToken, in.ContentType}
	return call[StartAttachmentUploadOutput](ctx, c, r, request{op: ops.StartAttachmentUpload, tok: in.ConnectionToken, body: body})
}
