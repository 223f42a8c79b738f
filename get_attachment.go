package participant

import (
	"context"
	"errors"
	"net/http"
	"time"
)

var opGetAttachment = newOperation("GetAttachment", http.MethodPost, "/participant/attachment")

// GetAttachmentInput is the input of [Client.GetAttachment].
type GetAttachmentInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token

	// AttachmentID identifies the attachment, as in an [AttachmentItem].
	// Required; 1 to 256 characters.
	AttachmentID string

	// URLExpiryInSeconds is how long the returned URL works: 5 to 300
	// seconds. Zero is not sent, so the service's default applies.
	URLExpiryInSeconds int32
}

// GetAttachmentOutput is the result of [Client.GetAttachment].
type GetAttachmentOutput struct {
	// URL is the presigned URL to GET the file from. Its query holds a
	// signature: keep it out of logs.
	URL string
	// URLExpiry is when URL stops working.
	URLExpiry time.Time
	// AttachmentSizeInBytes is the size of the file.
	AttachmentSizeInBytes int64
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string
}

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
	v := newValidator("GetAttachmentInput")
	v.token("ConnectionToken", in.ConnectionToken)
	v.required("AttachmentID", in.AttachmentID, 1, 256)
	if in.URLExpiryInSeconds != 0 {
		v.intRange("URLExpiryInSeconds", int64(in.URLExpiryInSeconds), 5, 300)
	}
	if err := v.err(); err != nil {
		return nil, opError(opGetAttachment, err)
	}

	o := newJSONObject(len(in.AttachmentID) + 56)
	o.str("AttachmentId", in.AttachmentID)
	if in.URLExpiryInSeconds != 0 {
		o.int("UrlExpiryInSeconds", int64(in.URLExpiryInSeconds))
	}

	r := c.options(optFns)
	out := &GetAttachmentOutput{}
	err := c.invoke(ctx, r, call{op: opGetAttachment, token: in.ConnectionToken, body: o.bytes()}, func(b []byte, requestID string) error {
		out.RequestID = requestID
		return decodeGetAttachmentOutput(b, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decodeGetAttachmentOutput decodes the success body.
func decodeGetAttachmentOutput(b []byte, out *GetAttachmentOutput) error {
	return decodeBody(b, func(obj []byte) error {
		var f [3][]byte
		for m := newMembers(obj); m.next(); {
			switch string(m.key) {
			case "AttachmentSizeInBytes":
				f[0] = m.val
			case "Url":
				f[1] = m.val
			case "UrlExpiry":
				f[2] = m.val
			}
		}
		return errors.Join(
			decInt64(f[0], &out.AttachmentSizeInBytes, "AttachmentSizeInBytes"),
			decString(f[1], &out.URL, "Url"),
			decTime(f[2], &out.URLExpiry, "UrlExpiry"),
		)
	})
}
