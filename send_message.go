package participant

import (
	"context"

	"github.com/connectchat/participant/internal/ops"
)

// SendMessageInput is the input of [Client.SendMessage].
type SendMessageInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// ContentType is the type of the message: [ContentTypePlainText],
	// [ContentTypeMarkdown], [ContentTypeJSON] or
	// [ContentTypeInteractiveResponse]; the contact's
	// SupportedMessagingContentTypes decide which the service accepts.
	// Required; 1 to 100 characters.
	ContentType ContentType

	// Content is the message. Required: 1 to 1024 characters for
	// text/plain and text/markdown, 1 to 12000 for application/json, 1 to
	// 12288 for interactive responses, 1 to 16384 for other types. The
	// limits are checked before sending.
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
	ID string `json:"Id,omitempty"`
	// AbsoluteTime is when the service stored the message; zero if the
	// service sent a time this package cannot read.
	AbsoluteTime Time `json:"AbsoluteTime,omitzero"`
	// MessageMetadata is the processing state of the message, when Amazon
	// Connect processes messages before delivering them; nil otherwise.
	MessageMetadata *MessageProcessingMetadata `json:"MessageMetadata,omitempty"`
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *SendMessageOutput) setRequestID(id string) { o.RequestID = id }

// maxContent is the most characters of a message's Content the service
// takes, by content type; types not listed take up to 16384.
var maxContent = map[ContentType]int{
	ContentTypePlainText:           1024,
	ContentTypeMarkdown:            1024,
	ContentTypeJSON:                12000,
	ContentTypeInteractiveResponse: 12288,
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
	v := newValidator(ops.SendMessage, in.ConnectionToken)
	v.required("ContentType", string(in.ContentType), 1, 100)
	limit, ok := maxContent[in.ContentType]
	if !ok {
		limit = 16384
	}
	v.required("Content", in.Content, 1, limit)
	v.optional("ClientToken", in.ClientToken, 0, 500)
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	clientToken, err := r.clientToken(ops.SendMessage, in.ClientToken)
	if err != nil {
		return nil, err
	}
	body := struct {
		ClientToken string
		Content     string
		ContentType ContentType
	}{clientToken, in.Content, in.ContentType}
	return call[SendMessageOutput](ctx, c, r, request{op: ops.SendMessage, tok: in.ConnectionToken, body: body})
}
