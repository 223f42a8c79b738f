package wire

// The content types of chat items, as the service spells them. The root
// package exports the ones a participant sends (as participant.ContentType
// constants); the others are what the service sends, which chat turns into
// its Kinds and participanttest writes. All are untyped, so each package
// compares them with its own types.
const (
	// Messages.
	ContentTypePlainText           = "text/plain"
	ContentTypeMarkdown            = "text/markdown"
	ContentTypeJSON                = "application/json"
	ContentTypeInteractiveMessage  = "application/vnd.amazonaws.connect.message.interactive"
	ContentTypeInteractiveResponse = "application/vnd.amazonaws.connect.message.interactive.response"

	// EventPrefix starts the content type of every event.
	EventPrefix = "application/vnd.amazonaws.connect.event."

	// Events a participant sends (SendEvent).
	ContentTypeTyping                 = EventPrefix + "typing"
	ContentTypeMessageDelivered       = EventPrefix + "message.delivered"
	ContentTypeMessageRead            = EventPrefix + "message.read"
	ContentTypeConnectionAcknowledged = EventPrefix + "connection.acknowledged"

	// Events the service puts in transcripts and on the WebSocket.
	ContentTypeParticipantJoined       = EventPrefix + "participant.joined"
	ContentTypeParticipantLeft         = EventPrefix + "participant.left"
	ContentTypeParticipantInvited      = EventPrefix + "participant.invited"
	ContentTypeParticipantIdle         = EventPrefix + "participant.idle"
	ContentTypeParticipantReturned     = EventPrefix + "participant.returned"
	ContentTypeParticipantActive       = EventPrefix + "participant.active"
	ContentTypeParticipantInactive     = EventPrefix + "participant.inactive"
	ContentTypeAutoDisconnection       = EventPrefix + "participant.autodisconnection"
	ContentTypeDisplayNameUpdated      = EventPrefix + "participant.displayname.updated"
	ContentTypeChatEnded               = EventPrefix + "chat.ended"
	ContentTypeChatRehydrated          = EventPrefix + "chat.rehydrated"
	ContentTypeTransferSucceeded       = EventPrefix + "transfer.succeeded"
	ContentTypeTransferFailed          = EventPrefix + "transfer.failed"
	ContentTypeAuthenticationInitiated = EventPrefix + "authentication.initiated"
	ContentTypeAuthenticationSucceeded = EventPrefix + "authentication.succeeded"
	ContentTypeAuthenticationFailed    = EventPrefix + "authentication.failed"
	ContentTypeAuthenticationTimeout   = EventPrefix + "authentication.timeout"
	ContentTypeAuthenticationExpired   = EventPrefix + "authentication.expired"
	ContentTypeAuthenticationCancelled = EventPrefix + "authentication.cancelled"
	// ContentTypeMessageMetadata is the content type of the receipts the
	// service delivers on the WebSocket (Type MESSAGEMETADATA).
	ContentTypeMessageMetadata = EventPrefix + "message.metadata"
)
