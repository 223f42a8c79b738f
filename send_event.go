package participant

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

var opSendEvent = newOperation("SendEvent", http.MethodPost, "/participant/event")

// SendEventInput is the input of [Client.SendEvent].
type SendEventInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token

	// ContentType is the kind of event, such as [ContentTypeTyping] or
	// [ContentTypeMessageRead]. Required; 1 to 100 characters.
	ContentType ContentType

	// Content is the event's content: for receipts, {"messageId":"<id>"}
	// (see [ReceiptContent]). Optional; 1 to 16384 characters when set.
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
	ID string
	// AbsoluteTime is when the service stored the event; zero if the
	// service sent a time this package cannot read.
	AbsoluteTime time.Time
	// RequestID is the service's id of the request (x-amzn-RequestId).
	RequestID string
}

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
	v := newValidator("SendEventInput")
	v.token("ConnectionToken", in.ConnectionToken)
	v.required("ContentType", string(in.ContentType), 1, 100)
	v.optional("Content", in.Content, 1, 16384)
	v.optional("ClientToken", in.ClientToken, 0, 500)
	if err := v.err(); err != nil {
		return nil, opError(opSendEvent, err)
	}

	r := c.options(optFns)
	tok, err := r.clientToken(in.ClientToken)
	if err != nil {
		return nil, opError(opSendEvent, err)
	}
	o := newJSONObject(len(tok) + len(in.Content) + len(in.ContentType) + 48)
	o.str("ClientToken", tok)
	o.strIf("Content", in.Content)
	o.str("ContentType", string(in.ContentType))

	out := &SendEventOutput{}
	err = c.invoke(ctx, r, call{op: opSendEvent, token: in.ConnectionToken, body: o.bytes()}, func(b []byte, requestID string) error {
		out.RequestID = requestID
		return decodeSendEventOutput(b, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decodeSendEventOutput decodes the success body as aws-sdk-go-v2 does.
func decodeSendEventOutput(b []byte, out *SendEventOutput) error {
	return decodeBody(b, func(obj []byte) error {
		var id, at []byte
		for m := newMembers(obj); m.next(); {
			id, at = idTimeMember(m, id, at)
		}
		return decodeIDTime(id, at, &out.ID, &out.AbsoluteTime)
	})
}

// idTimeMember keeps the Id and AbsoluteTime members of the outputs of
// SendEvent and SendMessage as the members walk passes them.
func idTimeMember(m members, id, at []byte) ([]byte, []byte) {
	switch string(m.key) {
	case "Id":
		id = m.val
	case "AbsoluteTime":
		at = m.val
	}
	return id, at
}

// decodeIDTime decodes the Id and AbsoluteTime members.
func decodeIDTime(id, at []byte, dstID *string, dstTime *time.Time) error {
	return errors.Join(
		decTime(at, dstTime, "AbsoluteTime"),
		decString(id, dstID, "Id"),
	)
}

// ReceiptContent returns the Content of a read or delivered receipt for the
// message with the given id: {"messageId":"<id>"}.
func ReceiptContent(messageID string) string {
	b, _ := json.Marshal(struct {
		MessageID string `json:"messageId"`
	}{messageID})
	return string(b)
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
	return c.SendEvent(ctx, &SendEventInput{ConnectionToken: connectionToken, ContentType: ContentTypeMessageRead, Content: ReceiptContent(messageID)}, optFns...)
}

// SendDeliveredReceipt tells the sender of the message messageID that it has
// reached this participant.
func (c *Client) SendDeliveredReceipt(ctx context.Context, connectionToken Token, messageID string, optFns ...func(*Options)) (*SendEventOutput, error) {
	return c.SendEvent(ctx, &SendEventInput{ConnectionToken: connectionToken, ContentType: ContentTypeMessageDelivered, Content: ReceiptContent(messageID)}, optFns...)
}
