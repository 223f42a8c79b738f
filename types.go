package participant

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
	// ContentTypeMessageMetadata is the content type of the receipts the
	// service delivers on the WebSocket (Type MESSAGEMETADATA).
	ContentTypeMessageMetadata ContentType = "application/vnd.amazonaws.connect.event.message.metadata"
)

// ResourceType is the kind of resource a [ResourceNotFoundError] names, as
// the service sends it: CONTACT, CONTACT_FLOW, INSTANCE, PARTICIPANT,
// HIERARCHY_LEVEL, HIERARCHY_GROUP, USER or PHONE_NUMBER.
type ResourceType string

// ConnectionType is a kind of connection that CreateParticipantConnection
// returns: a WebSocket URL, a ConnectionToken, or a WebRTC meeting.
type ConnectionType string

// Connection types of the service model.
const (
	ConnectionTypeWebsocket             ConnectionType = "WEBSOCKET"
	ConnectionTypeConnectionCredentials ConnectionType = "CONNECTION_CREDENTIALS"
	ConnectionTypeWebRTCConnection      ConnectionType = "WEBRTC_CONNECTION"
)

// ChatItemType is the kind of an [Item]. Values this package does not list
// are kept as the service sent them.
type ChatItemType string

// Chat item types of the service model, and MESSAGEMETADATA, which the
// service sends on the WebSocket for receipts.
const (
	ChatItemTypeTyping            ChatItemType = "TYPING"
	ChatItemTypeParticipantJoined ChatItemType = "PARTICIPANT_JOINED"
	ChatItemTypeParticipantLeft   ChatItemType = "PARTICIPANT_LEFT"
	ChatItemTypeChatEnded         ChatItemType = "CHAT_ENDED"
	ChatItemTypeTransferSucceeded ChatItemType = "TRANSFER_SUCCEEDED"
	ChatItemTypeTransferFailed    ChatItemType = "TRANSFER_FAILED"
	ChatItemTypeMessage           ChatItemType = "MESSAGE"
	ChatItemTypeEvent             ChatItemType = "EVENT"
	ChatItemTypeAttachment        ChatItemType = "ATTACHMENT"
	ChatItemTypeConnectionAck     ChatItemType = "CONNECTION_ACK"
	ChatItemTypeMessageDelivered  ChatItemType = "MESSAGE_DELIVERED"
	ChatItemTypeMessageRead       ChatItemType = "MESSAGE_READ"
	// ChatItemTypeMessageMetadata is not in the service model: the service
	// uses it on the WebSocket for read and delivered receipts.
	ChatItemTypeMessageMetadata ChatItemType = "MESSAGEMETADATA"
)

// ParticipantRole is the role of the participant an [Item] comes from.
// Values this package does not list are kept as the service sent them.
type ParticipantRole string

// Participant roles of the service model.
const (
	ParticipantRoleAgent      ParticipantRole = "AGENT"
	ParticipantRoleCustomer   ParticipantRole = "CUSTOMER"
	ParticipantRoleSystem     ParticipantRole = "SYSTEM"
	ParticipantRoleCustomBot  ParticipantRole = "CUSTOM_BOT"
	ParticipantRoleSupervisor ParticipantRole = "SUPERVISOR"
)

// ScanDirection is the direction in which GetTranscript reads the
// transcript from its starting point.
type ScanDirection string

// Scan directions of the service model.
const (
	ScanDirectionForward  ScanDirection = "FORWARD"
	ScanDirectionBackward ScanDirection = "BACKWARD"
)

// SortOrder is the order of the items of a GetTranscript page. It is the
// type aws-sdk-go-v2 calls SortKey.
type SortOrder string

// Sort orders of the service model.
const (
	SortOrderDescending SortOrder = "DESCENDING"
	SortOrderAscending  SortOrder = "ASCENDING"
)

// ArtifactStatus is the status of an attachment: an attachment scanner, when
// the instance has one, moves it from IN_PROGRESS to APPROVED or REJECTED.
type ArtifactStatus string

// Artifact statuses of the service model.
const (
	ArtifactStatusApproved   ArtifactStatus = "APPROVED"
	ArtifactStatusRejected   ArtifactStatus = "REJECTED"
	ArtifactStatusInProgress ArtifactStatus = "IN_PROGRESS"
)

// MessageProcessingStatus is the state of a message that Amazon Connect
// processes before delivering it (in-flight message processing). It is newer
// than aws-sdk-go-v2's connectparticipant v1.34.0.
type MessageProcessingStatus string

// Message processing statuses of the service model.
const (
	MessageProcessingStatusProcessing MessageProcessingStatus = "PROCESSING"
	MessageProcessingStatusFailed     MessageProcessingStatus = "FAILED"
	MessageProcessingStatusRejected   MessageProcessingStatus = "REJECTED"
)

// MeetingFeatureStatus tells whether a feature of a WebRTC meeting is
// available: AVAILABLE or UNAVAILABLE.
type MeetingFeatureStatus string

// The values of the enums that inputs take, which are checked before
// sending.
var (
	connectionTypes = []ConnectionType{ConnectionTypeWebsocket, ConnectionTypeConnectionCredentials, ConnectionTypeWebRTCConnection}
	scanDirections  = []ScanDirection{ScanDirectionForward, ScanDirectionBackward}
	sortOrders      = []SortOrder{SortOrderDescending, SortOrderAscending}
)
