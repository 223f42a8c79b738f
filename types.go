package participant

import "time"

// ContentType is the MIME type of a chat item: a message (SendMessage), an
// event (SendEvent), or an item in a transcript. Values this package does not
// list are passed through unchanged, never rejected for being new.
type ContentType string

// Content types of messages (SendMessage).
const (
	ContentTypePlainText           ContentType = "text/plain"
	ContentTypeMarkdown            ContentType = "text/markdown"
	ContentTypeJSON                ContentType = "application/json"
	ContentTypeInteractiveMessage  ContentType = "application/vnd.amazonaws.connect.message.interactive"
	ContentTypeInteractiveResponse ContentType = "application/vnd.amazonaws.connect.message.interactive.response"
)

// Content types of events a participant sends (SendEvent).
const (
	ContentTypeTyping           ContentType = "application/vnd.amazonaws.connect.event.typing"
	ContentTypeMessageDelivered ContentType = "application/vnd.amazonaws.connect.event.message.delivered"
	ContentTypeMessageRead      ContentType = "application/vnd.amazonaws.connect.event.message.read"
	// ContentTypeConnectionAcknowledged is no longer maintained by the
	// service (since 2024-12-31): call CreateParticipantConnection with
	// ConnectParticipant set instead.
	ContentTypeConnectionAcknowledged ContentType = "application/vnd.amazonaws.connect.event.connection.acknowledged"
)

// Content types of events the service puts in transcripts and on the
// WebSocket.
const (
	ContentTypeParticipantJoined       ContentType = "application/vnd.amazonaws.connect.event.participant.joined"
	ContentTypeParticipantLeft         ContentType = "application/vnd.amazonaws.connect.event.participant.left"
	ContentTypeParticipantInvited      ContentType = "application/vnd.amazonaws.connect.event.participant.invited"
	ContentTypeParticipantIdle         ContentType = "application/vnd.amazonaws.connect.event.participant.idle"
	ContentTypeParticipantReturned     ContentType = "application/vnd.amazonaws.connect.event.participant.returned"
	ContentTypeParticipantActive       ContentType = "application/vnd.amazonaws.connect.event.participant.active"
	ContentTypeParticipantInactive     ContentType = "application/vnd.amazonaws.connect.event.participant.inactive"
	ContentTypeAutoDisconnection       ContentType = "application/vnd.amazonaws.connect.event.participant.autodisconnection"
	ContentTypeDisplayNameUpdated      ContentType = "application/vnd.amazonaws.connect.event.participant.displayname.updated"
	ContentTypeChatEnded               ContentType = "application/vnd.amazonaws.connect.event.chat.ended"
	ContentTypeChatRehydrated          ContentType = "application/vnd.amazonaws.connect.event.chat.rehydrated"
	ContentTypeTransferSucceeded       ContentType = "application/vnd.amazonaws.connect.event.transfer.succeeded"
	ContentTypeTransferFailed          ContentType = "application/vnd.amazonaws.connect.event.transfer.failed"
	ContentTypeAuthenticationInitiated ContentType = "application/vnd.amazonaws.connect.event.authentication.initiated"
	ContentTypeAuthenticationSucceeded ContentType = "application/vnd.amazonaws.connect.event.authentication.succeeded"
	ContentTypeAuthenticationFailed    ContentType = "application/vnd.amazonaws.connect.event.authentication.failed"
	ContentTypeAuthenticationTimeout   ContentType = "application/vnd.amazonaws.connect.event.authentication.timeout"
	ContentTypeAuthenticationExpired   ContentType = "application/vnd.amazonaws.connect.event.authentication.expired"
	ContentTypeAuthenticationCancelled ContentType = "application/vnd.amazonaws.connect.event.authentication.cancelled"
)

// Values returns the content types this package knows.
func (ContentType) Values() []ContentType {
	return []ContentType{
		ContentTypePlainText, ContentTypeMarkdown, ContentTypeJSON, ContentTypeInteractiveMessage,
		ContentTypeInteractiveResponse, ContentTypeTyping, ContentTypeMessageDelivered,
		ContentTypeMessageRead, ContentTypeConnectionAcknowledged, ContentTypeParticipantJoined,
		ContentTypeParticipantLeft, ContentTypeParticipantInvited, ContentTypeParticipantIdle,
		ContentTypeParticipantReturned, ContentTypeParticipantActive, ContentTypeParticipantInactive,
		ContentTypeAutoDisconnection, ContentTypeDisplayNameUpdated, ContentTypeChatEnded,
		ContentTypeChatRehydrated, ContentTypeTransferSucceeded, ContentTypeTransferFailed,
		ContentTypeAuthenticationInitiated, ContentTypeAuthenticationSucceeded,
		ContentTypeAuthenticationFailed, ContentTypeAuthenticationTimeout,
		ContentTypeAuthenticationExpired, ContentTypeAuthenticationCancelled,
	}
}

// ResourceType is the kind of resource a [ResourceNotFoundError] names.
type ResourceType string

// Resource types of the service model.
const (
	ResourceTypeContact        ResourceType = "CONTACT"
	ResourceTypeContactFlow    ResourceType = "CONTACT_FLOW"
	ResourceTypeInstance       ResourceType = "INSTANCE"
	ResourceTypeParticipant    ResourceType = "PARTICIPANT"
	ResourceTypeHierarchyLevel ResourceType = "HIERARCHY_LEVEL"
	ResourceTypeHierarchyGroup ResourceType = "HIERARCHY_GROUP"
	ResourceTypeUser           ResourceType = "USER"
	ResourceTypePhoneNumber    ResourceType = "PHONE_NUMBER"
)

// Values returns the resource types of the service model.
func (ResourceType) Values() []ResourceType {
	return []ResourceType{
		ResourceTypeContact, ResourceTypeContactFlow, ResourceTypeInstance, ResourceTypeParticipant,
		ResourceTypeHierarchyLevel, ResourceTypeHierarchyGroup, ResourceTypeUser, ResourceTypePhoneNumber,
	}
}

// timeLayout is how the service writes times: ISO-8601, UTC, milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

// parseTime reads a time the service sent. The service writes
// yyyy-MM-ddThh:mm:ss.SSSZ; any RFC 3339 time is accepted. A value that is
// not a time gives the zero Time: the rest of the response is still good.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// formatTime writes t as the service does.
func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}
