package participant

import (
	"context"

	"github.com/connectchat/participant/internal/ops"
	"github.com/connectchat/participant/internal/wire"
)

// SendEventInput is the input of [Client.SendEvent].
type SendEventInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// ContentType is the kind of event, such as [ContentTypeTyping] or
	// [ContentTypeMessageRead]. Required; 1 to 100 characters.
	ContentType ContentType

	// Content is the event's content: for receipts, {"messageId":"<id>"}
	// (see [Client.SendReadReceipt]). Optional; 1 to 16384 characters when set.
	Content string

	// ClientToken makes the call idempotent: the service acts once on
	// requests with the same token. At most 500 characters. When empty, a
	// UUID v4 is made for the call and sent on every attempt; the caller's
	// struct is not changed. Set it to keep one token when the application
	// itself repeats a send.
	ClientToken string
}

// SendEventOutput is the result of [Client.SendEvent].
type SendEventOutput struct {
	// ID is the id of the event item.
	ID string `json:"Id,omitempty"`
	// AbsoluteTime is when the service stored the event; zero if the
	// service sent a time this package cannot read.
	AbsoluteTime Time `json:"AbsoluteTime,omitzero"`
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string `json:"-"`
}

func (o *SendEventOutput) setRequestID(id string) { o.RequestID = id }

// SendEvent sends an event of the participant: typing, a read or delivered
// receipt. It needs the ConnectionToken.
//
// Inputs are checked against the service model before any I/O; a violation
// returns a [smithy.InvalidParamsError] naming every bad field, and nothing
// is sent. Receipts while more than two participants are active fail with
// [ConflictError].
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_SendEvent.html
func (c *Client) SendEvent(ctx context.Context, in *SendEventInput, optFns ...func(*Options)) (*SendEventOutput, error) {
	if in == nil {
		in = &SendEventInput{}
	}
	v := newValidator(ops.SendEvent, in.ConnectionToken)
	v.required("ContentType", string(in.ContentType), 1, 100)
	v.optional("Content", in.Content, 1, 16384)
	v.optional("ClientToken", in.ClientToken, 0, 500)
	r, err := c.begin(ctx, &v, optFns)
	if err != nil {
		return nil, err
	}
	clientToken, err := r.clientToken(ops.SendEvent, in.ClientToken)
	if err != nil {
		return nil, err
	}
	body := struct {
		ClientToken string
		Content     string `json:",omitempty"`
		ContentType ContentType
	}{clientToken, in.Content, in.ContentType}
	return call[SendEventOutput](ctx, c, r, request{op: ops.SendEvent, tok: in.ConnectionToken, body: body})
}

// SendTyping tells the other participants that this one is typing. The
// official clients send it at most once per 10 seconds; the chat package
// throttles it for you.
func (c *Client) SendTyping(ctx context.Context, connectionToken Token, optFns ...func(*Options)) (*SendEventOutput, error) {
	return c.SendEvent(ctx, &SendEventInput{ConnectionToken: connectionToken, ContentType: ContentTypeTyping}, optFns...)
}

// SendReadReceipt tells the sender of the message messageID that this
// participant has read it.
func (c *Client) SendReadReceipt(ctx context.Context, connectionToken Token, messageID string, optFns ...func(*Options)) (*SendEventOutput, error) {
	return c.SendEvent(ctx, &SendEventInput{ConnectionToken: connectionToken, ContentType: ContentTypeMessageRead, Content: wire.ReceiptContent(messageID)}, optFns...)
}

// SendDeliveredReceipt tells the sender of the message messageID that it has
// reached this participant.
func (c *Client) SendDeliveredReceipt(ctx context.Context, connectionToken Token, messageID string, optFns ...func(*Options)) (*SendEventOutput, error) {
	return c.SendEvent(ctx, &SendEventInput{ConnectionToken: connectionToken, ContentType: ContentTypeMessageDelivered, Content: wire.ReceiptContent(messageID)}, optFns...)
}
