package participant

import (
	"context"
	"errors"
	"math"
	"net/http"
)

var opStartAttachmentUpload = newOperation("StartAttachmentUpload", http.MethodPost, "/participant/start-attachment-upload")

// StartAttachmentUploadInput is the input of [Client.StartAttachmentUpload].
type StartAttachmentUploadInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token

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
	AttachmentID string
	// UploadMetadata says where and how to upload the file.
	UploadMetadata *UploadMetadata
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string
}

// validate adds the model's constraints on in to v.
func (in *StartAttachmentUploadInput) validate(v *validator) {
	v.token("ConnectionToken", in.ConnectionToken)
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
	v := newValidator("StartAttachmentUploadInput")
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, opError(opStartAttachmentUpload, err)
	}

	r := c.options(optFns)
	tok, err := r.clientToken(in.ClientToken)
	if err != nil {
		return nil, opError(opStartAttachmentUpload, err)
	}
	o := newJSONObject(len(tok) + len(in.AttachmentName) + len(in.ContentType) + 110)
	o.str("AttachmentName", in.AttachmentName)
	o.int("AttachmentSizeInBytes", in.AttachmentSizeInBytes)
	o.str("ClientToken", tok)
	o.str("ContentType", in.ContentType)

	out := &StartAttachmentUploadOutput{}
	err = c.invoke(ctx, r, call{op: opStartAttachmentUpload, token: in.ConnectionToken, body: o.bytes()}, func(b []byte, requestID string) error {
		out.RequestID = requestID
		return decodeStartAttachmentUploadOutput(b, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decodeStartAttachmentUploadOutput decodes the success body.
func decodeStartAttachmentUploadOutput(b []byte, out *StartAttachmentUploadOutput) error {
	return decodeBody(b, func(obj []byte) error {
		var f [2][]byte
		for m := newMembers(obj); m.next(); {
			switch string(m.key) {
			case "AttachmentId":
				f[0] = m.val
			case "UploadMetadata":
				f[1] = m.val
			}
		}
		return errors.Join(
			decString(f[0], &out.AttachmentID, "AttachmentId"),
			decShape(f[1], &out.UploadMetadata, "UploadMetadata"),
		)
	})
}
