package participant

// ContentType is the MIME type of a chat item: a message (SendMessage), an
// event (SendEvent), or an item in a transcript. Values this package does not
// list are passed through unchanged, never rejected for being new.
type ContentType string

// Content types of messages a participant sends (SendMessage).
const (
	ContentTypePlainText           ContentType = "text/plain"
	ContentTypeMarkdown            ContentType = "text/markdown"
	ContentTypeJSON                ContentType = "application/json"
	ContentTypeInteractiveResponse ContentType = "application/vnd.amazonaws.connect.message.interactive.response"
)

// Content types of events a participant sends (SendEvent). The service's
// own events (participant.joined, chat.ended and the others a transcript
// holds) are classified by chat.KindOf. The deprecated
// connection.acknowledged event is not listed: CreateParticipantConnection
// with ConnectParticipant set replaces it since 2024-12-31.
const (
	ContentTypeTyping           ContentType = "application/vnd.amazonaws.connect.event.typing"
	ContentTypeMessageDelivered ContentType = "application/vnd.amazonaws.connect.event.message.delivered"
	ContentTypeMessageRead      ContentType = "application/vnd.amazonaws.connect.event.message.read"
)

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

// The values of the enums that inputs take, which are checked before
// sending.
var (
	connectionTypes = []ConnectionType{ConnectionTypeWebsocket, ConnectionTypeConnectionCredentials, ConnectionTypeWebRTCConnection}
	scanDirections  = []ScanDirection{ScanDirectionForward, ScanDirectionBackward}
	sortOrders      = []SortOrder{SortOrderDescending, SortOrderAscending}
)
