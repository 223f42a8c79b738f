package participant

import (
	"context"
	"net/http"
	"time"
)

var opSendMessage = newOperation("SendMessage", http.MethodPost, "/participant/message")

// SendMessageInput is the input of [Client.SendMessage].
type SendMessageInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token

	// ContentType is the type of the message: [ContentTypePlainText],
	// [ContentTypeMarkdown], [ContentTypeJSON] or
	// [ContentTypeInteractiveResponse]; the contact's
	// SupportedMessagingContentTypes decide which the service accepts.
	// Required; 1 to 100 characters.
	ContentType ContentType

	// Content is the message. Required; 1 to 16384 characters. The service
	// applies lower limits per type: 1024 characters for text/plain and
	// text/markdown, 12000 for application/json, 12288 for interactive
	// responses.
	Content string

	// ClientToken makes the call idempotent: the service acts once on
	// requests with the same token. At most 500 characters. When empty, a
	// UUID v4 is made for the call and sent on every attempt; the caller's
	// struct is not changed. Set it to keep one token when the application
	// itself repeats a send.
	ClientToken string
}

// SendMessageOutput is the result of [Client.SendMessage].
type SendMessageOutput struct {
	// ID is the id of the message item.
	ID string
	// AbsoluteTime is when the service stored the message; zero if the
	// service sent a time this package cannot read.
	AbsoluteTime time.Time
	// MessageMetadata is the processing state of the message, when Amazon
	// Connect processes messages before delivering them; nil otherwise.
	MessageMetadata *MessageProcessingMetadata
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string
}

// SendMessage sends a message of the participant to the chat. It needs the
// ConnectionToken.
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent. After a timeout or cancellation the outcome is unknown: send the
// same input with the same ClientToken to try again without a duplicate.
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_SendMessage.html
func (c *Client) SendMessage(ctx context.Context, in *SendMessageInput, optFns ...func(*Options)) (*SendMessageOutput, error) {
	if in == nil {
		in = &SendMessageInput{}
	}
	v := newValidator("SendMessageInput")
	v.token("ConnectionToken", in.ConnectionToken)
	v.required("ContentType", string(in.ContentType), 1, 100)
	v.required("Content", in.Content, 1, 16384)
	v.optional("ClientToken", in.ClientToken, 0, 500)
	if err := v.err(); err != nil {
		return nil, opError(opSendMessage, err)
	}

	r := c.options(optFns)
	tok, err := r.clientToken(in.ClientToken)
	if err != nil {
		return nil, opError(opSendMessage, err)
	}
	o := newJSONObject(len(tok) + len(in.Content) + len(in.ContentType) + 48)
	o.str("ClientToken", tok)
	o.str("Content", in.Content)
	o.str("ContentType", string(in.ContentType))

	out := &SendMessageOutput{}
	err = c.invoke(ctx, r, call{op: opSendMessage, token: in.ConnectionToken, body: o.bytes()}, func(b []byte, requestID string) error {
		out.RequestID = requestID
		return decodeSendMessageOutput(b, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decodeSendMessageOutput decodes the success body.
func decodeSendMessageOutput(b []byte, out *SendMessageOutput) error {
	return decodeBody(b, func(obj []byte) error {
		var id, at, meta []byte
		for m := newMembers(obj); m.next(); {
			if string(m.key) == "MessageMetadata" {
				meta = m.val
			}
			id, at = idTimeMember(m, id, at)
		}
		// MessageMetadata is newer than aws-sdk-go-v2 v1.34.0, which ignores
		// it: a malformed one is dropped, not an error.
		_ = decShape(meta, &out.MessageMetadata, "MessageMetadata")
		return decodeIDTime(id, at, &out.ID, &out.AbsoluteTime)
	})
}
