package chat

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
)

// Kind is what an [Event] reports.
type Kind uint8

// Kinds of events. Item events carry the item in Event.Item; connection
// events (KindConnection*) carry none.
const (
	// KindMessage is a message (Type MESSAGE): text, markdown, JSON or an
	// interactive message. A bot's streamed message arrives as one
	// KindMessage, its chunks stitched together (see Options.StreamChunks).
	KindMessage Kind = iota + 1
	// KindAttachment is a shared file (Type ATTACHMENT). A later status of
	// the same attachment (IN_PROGRESS to APPROVED or REJECTED) comes as
	// another KindAttachment event with Update set.
	KindAttachment
	// KindTyping is a participant typing. The service never says when
	// typing stops; the session reports KindTypingStopped for it.
	KindTyping
	// KindTypingStopped is made by the session, not sent by the service:
	// the participant in ParticipantID stopped typing, because
	// Options.TypingTimeout passed since its last typing event or because
	// a message or attachment of theirs arrived. Item is the typing event.
	KindTypingStopped
	// KindReadReceipt tells that ParticipantID read the message MessageID,
	// at Time.
	KindReadReceipt
	// KindDeliveredReceipt tells that the message MessageID reached
	// ParticipantID, at Time.
	KindDeliveredReceipt
	// KindParticipantJoined is participant.joined.
	KindParticipantJoined
	// KindParticipantLeft is participant.left. It is not the end of the
	// chat: KindChatEnded is.
	KindParticipantLeft
	// KindParticipantIdle is participant.idle.
	KindParticipantIdle
	// KindParticipantReturned is participant.returned.
	KindParticipantReturned
	// KindParticipantInvited is participant.invited.
	KindParticipantInvited
	// KindParticipantActive is participant.active.
	KindParticipantActive
	// KindParticipantInactive is participant.inactive.
	KindParticipantInactive
	// KindAutoDisconnection is participant.autodisconnection: the service
	// took an idle participant out of the chat.
	KindAutoDisconnection
	// KindDisplayNameUpdated is participant.displayname.updated.
	KindDisplayNameUpdated
	// KindTransferSucceeded is transfer.succeeded.
	KindTransferSucceeded
	// KindTransferFailed is transfer.failed.
	KindTransferFailed
	// KindChatRehydrated is chat.rehydrated: a persistent chat continues
	// a past one, whose items follow with FromPastSession set.
	KindChatRehydrated
	// KindAuthentication is one of the authentication.* events of the
	// Authenticate Customer flow block: Item.ContentType says which
	// (application/vnd.amazonaws.connect.event.authentication.initiated,
	// .succeeded, .failed, .timeout, .expired or .cancelled).
	KindAuthentication
	// KindChatEnded is chat.ended, the last item event of a session
	// (except one with FromPastSession set: the end of a past contact of a
	// persistent chat, in its history). When the session inferred it (CreateParticipantConnection answered
	// 403 while reconnecting: the chat ended while the session was
	// offline), Err holds that error and Item is made up, with an empty ID.
	KindChatEnded
	// KindOther is an item this package does not know: its Type and
	// ContentType are in Item, and Raw holds it as received. It is passed
	// through, never dropped.
	KindOther

	// KindConnectionEstablished: the session's first WebSocket is
	// subscribed. It is the first event of every session.
	KindConnectionEstablished
	// KindConnectionLost: the WebSocket closed or stopped answering
	// heartbeats; the session is reconnecting. Err says why. Reported once
	// per outage.
	KindConnectionLost
	// KindConnectionReestablished: a new WebSocket is subscribed after a
	// loss. The items missed meanwhile follow, fetched from the transcript.
	KindConnectionReestablished
	// KindConnectionBroken: the session gave up reconnecting
	// (Options.MaxReconnectAttempts, or an error that retrying cannot
	// fix). Err says why. It is the last event; Next then returns an error
	// matching ErrBroken.
	KindConnectionBroken
)

var kindNames = [...]string{
	KindMessage:                 "Message",
	KindAttachment:              "Attachment",
	KindTyping:                  "Typing",
	KindTypingStopped:           "TypingStopped",
	KindReadReceipt:             "ReadReceipt",
	KindDeliveredReceipt:        "DeliveredReceipt",
	KindParticipantJoined:       "ParticipantJoined",
	KindParticipantLeft:         "ParticipantLeft",
	KindParticipantIdle:         "ParticipantIdle",
	KindParticipantReturned:     "ParticipantReturned",
	KindParticipantInvited:      "ParticipantInvited",
	KindParticipantActive:       "ParticipantActive",
	KindParticipantInactive:     "ParticipantInactive",
	KindAutoDisconnection:       "AutoDisconnection",
	KindDisplayNameUpdated:      "DisplayNameUpdated",
	KindTransferSucceeded:       "TransferSucceeded",
	KindTransferFailed:          "TransferFailed",
	KindChatRehydrated:          "ChatRehydrated",
	KindAuthentication:          "Authentication",
	KindChatEnded:               "ChatEnded",
	KindOther:                   "Other",
	KindConnectionEstablished:   "ConnectionEstablished",
	KindConnectionLost:          "ConnectionLost",
	KindConnectionReestablished: "ConnectionReestablished",
	KindConnectionBroken:        "ConnectionBroken",
}

// String returns the kind's name, such as "Message".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one thing that happened in a chat session, as [Session.Next]
// returns it.
//
// Event is a struct with a Kind rather than an interface with one type per
// kind: a switch on Kind is all an application needs, every item event
// carries the same participant.Item, and unknown items fit without a type
// of their own. Fields that do not apply to a kind are zero.
type Event struct {
	// Kind is what happened.
	Kind Kind

	// Item is the chat item of an item event, as the service sent it (for
	// a stitched bot message, with the whole text and the first chunk's
	// AbsoluteTime). It is zero for connection events.
	Item participant.Item

	// Update is set when the event is a later version of an item already
	// delivered, with the same Item.ID: an attachment's new status, a
	// message's receipts or processing status seen in the transcript, the
	// rest of a streamed message. It is never a duplicate: an identical
	// copy of an item is dropped.
	Update bool

	// Partial is set on a bot message that is still streaming: Item.Content
	// holds the chunks so far. Only with Options.StreamChunks, or when
	// Options.ChunkTimeout passed before the message completed.
	Partial bool

	// Late is set on an item that arrived after a later item was already
	// delivered (two sockets during a rotation, a gap fill whose hold
	// ended, a network that reorders beyond Options.ReorderWindow): it
	// goes out at once, out of order, rather than never. Stats.LateItems
	// counts these.
	Late bool

	// FromPastSession is set on items of an earlier contact of a
	// persistent chat (RelatedContactId set, or the isFromPastSession flag
	// in either spelling).
	FromPastSession bool

	// ParticipantID is who the event is about: the sender of a message,
	// the typist, the recipient of a receipt.
	ParticipantID string

	// Own reports whether the item was sent by this session's own
	// participant: ParticipantID is the session's (see
	// Options.ParticipantID), such as the echo of its own message or
	// typing. A UI shows no "is typing" for it.
	Own bool

	// MessageID is the message a receipt acknowledges.
	MessageID string

	// Time is when it happened: the receipt's timestamp for receipts,
	// Item.AbsoluteTime for other item events, the session's clock for
	// connection events.
	Time time.Time

	// Raw is the item's JSON as received on the WebSocket (the decoded
	// content of the aws/chat frame), or as re-encoded from a transcript
	// page. It is set for KindOther, so that items of types this package
	// does not know lose nothing; nil otherwise.
	Raw json.RawMessage

	// Err is why, for KindConnectionLost and KindConnectionBroken, and for
	// a KindChatEnded the session inferred from a 403.
	Err error
}

// KindOf returns the kind of an item, as a session reports it: what a
// program reading GetTranscript pages needs to tell a message from a join,
// a receipt or the end of the chat, without knowing the service's content
// types. A MESSAGEMETADATA item (the receipts of one message) is
// KindReadReceipt; a session reports one event per receipt in it, read or
// delivered. An item this package does not know is KindOther.
func KindOf(it participant.Item) Kind { return classify(&it) }

// classify returns the kind of an item.
func classify(it *participant.Item) Kind {
	switch it.Type {
	case participant.ChatItemTypeMessage:
		return KindMessage
	case participant.ChatItemTypeAttachment:
		return KindAttachment
	case participant.ChatItemTypeMessageMetadata:
		return KindReadReceipt // refined per receipt by receiptsOf
	case participant.ChatItemTypeTyping:
		return KindTyping
	case participant.ChatItemTypeParticipantJoined:
		return KindParticipantJoined
	case participant.ChatItemTypeParticipantLeft:
		return KindParticipantLeft
	case participant.ChatItemTypeChatEnded:
		return KindChatEnded
	case participant.ChatItemTypeTransferSucceeded:
		return KindTransferSucceeded
	case participant.ChatItemTypeTransferFailed:
		return KindTransferFailed
	case participant.ChatItemTypeMessageRead:
		return KindReadReceipt
	case participant.ChatItemTypeMessageDelivered:
		return KindDeliveredReceipt
	case participant.ChatItemTypeEvent:
		return classifyEvent(it.ContentType)
	}
	return KindOther
}

// eventKinds are the kinds of the EVENT items, by content type.
var eventKinds = map[participant.ContentType]Kind{
	participant.ContentTypeTyping:           KindTyping,
	wire.ContentTypeParticipantJoined:       KindParticipantJoined,
	wire.ContentTypeParticipantLeft:         KindParticipantLeft,
	wire.ContentTypeParticipantIdle:         KindParticipantIdle,
	wire.ContentTypeParticipantReturned:     KindParticipantReturned,
	wire.ContentTypeParticipantInvited:      KindParticipantInvited,
	wire.ContentTypeParticipantActive:       KindParticipantActive,
	wire.ContentTypeParticipantInactive:     KindParticipantInactive,
	wire.ContentTypeAutoDisconnection:       KindAutoDisconnection,
	wire.ContentTypeDisplayNameUpdated:      KindDisplayNameUpdated,
	wire.ContentTypeTransferSucceeded:       KindTransferSucceeded,
	wire.ContentTypeTransferFailed:          KindTransferFailed,
	wire.ContentTypeChatEnded:               KindChatEnded,
	wire.ContentTypeChatRehydrated:          KindChatRehydrated,
	participant.ContentTypeMessageRead:      KindReadReceipt,
	participant.ContentTypeMessageDelivered: KindDeliveredReceipt,
	wire.ContentTypeMessageMetadata:         KindReadReceipt, // refined per receipt by receiptsOf
}

func classifyEvent(ct participant.ContentType) Kind {
	if k, ok := eventKinds[ct]; ok {
		return k
	}
	if strings.HasPrefix(string(ct), wire.EventPrefix+"authentication.") {
		return KindAuthentication
	}
	return KindOther
}

// isReceiptItem reports whether it carries receipts in its MessageMetadata
// (a MESSAGEMETADATA item) or is a receipt event of its own.
func isReceiptItem(it *participant.Item) bool {
	switch it.Type {
	case participant.ChatItemTypeMessageMetadata, participant.ChatItemTypeMessageRead, participant.ChatItemTypeMessageDelivered:
		return true
	case participant.ChatItemTypeEvent:
		switch it.ContentType {
		case wire.ContentTypeMessageMetadata, participant.ContentTypeMessageRead, participant.ContentTypeMessageDelivered:
			return true
		}
	}
	return false
}

// receiptsOf turns a receipt item into its receipt events: one per
// receipt in MessageMetadata.Receipts (read when ReadTimestamp is set,
// delivered otherwise), or, for a bare message.read or message.delivered
// event, one from its Content {"messageId": ...}.
func receiptsOf(it participant.Item) []Event {
	if md := it.MessageMetadata; md != nil && len(md.Receipts) > 0 {
		out := make([]Event, 0, len(md.Receipts))
		for _, r := range md.Receipts {
			ev := Event{Kind: KindDeliveredReceipt, Item: it, MessageID: md.MessageID, ParticipantID: r.RecipientParticipantID, Time: r.DeliveredTimestamp.Time}
			if !r.ReadTimestamp.IsZero() {
				ev.Kind, ev.Time = KindReadReceipt, r.ReadTimestamp.Time
			}
			if ev.Time.IsZero() {
				ev.Time = it.AbsoluteTime.Time
			}
			out = append(out, ev)
		}
		return out
	}
	k := classify(&it)
	if k != KindReadReceipt && k != KindDeliveredReceipt {
		k = KindOther
	}
	ev := Event{Kind: k, Item: it, ParticipantID: it.ParticipantID, Time: it.AbsoluteTime.Time}
	if it.MessageMetadata != nil {
		ev.MessageID = it.MessageMetadata.MessageID
	}
	if ev.MessageID == "" && it.Content != "" {
		var c struct {
			MessageID string `json:"messageId"`
		}
		if json.Unmarshal([]byte(it.Content), &c) == nil {
			ev.MessageID = c.MessageID
		}
	}
	if k == KindOther || ev.MessageID == "" {
		ev.Kind = KindOther
		ev.Raw, _ = json.Marshal(it)
	}
	return []Event{ev}
}
