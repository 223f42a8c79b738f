package participant

import (
	"encoding/json"
	"errors"
	"time"
)

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
		ContentTypeMessageMetadata,
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

// wireTime writes t as the service does, or "" for the zero Time.
func wireTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// ConnectionType is a kind of connection that CreateParticipantConnection
// returns: a WebSocket URL, a ConnectionToken, or a WebRTC meeting.
type ConnectionType string

// Connection types of the service model.
const (
	ConnectionTypeWebsocket             ConnectionType = "WEBSOCKET"
	ConnectionTypeConnectionCredentials ConnectionType = "CONNECTION_CREDENTIALS"
	ConnectionTypeWebRTCConnection      ConnectionType = "WEBRTC_CONNECTION"
)

// Values returns the connection types of the service model.
func (ConnectionType) Values() []ConnectionType {
	return []ConnectionType{ConnectionTypeWebsocket, ConnectionTypeConnectionCredentials, ConnectionTypeWebRTCConnection}
}

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

// Values returns the chat item types this package knows.
func (ChatItemType) Values() []ChatItemType {
	return []ChatItemType{
		ChatItemTypeTyping, ChatItemTypeParticipantJoined, ChatItemTypeParticipantLeft,
		ChatItemTypeChatEnded, ChatItemTypeTransferSucceeded, ChatItemTypeTransferFailed,
		ChatItemTypeMessage, ChatItemTypeEvent, ChatItemTypeAttachment, ChatItemTypeConnectionAck,
		ChatItemTypeMessageDelivered, ChatItemTypeMessageRead, ChatItemTypeMessageMetadata,
	}
}

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

// Values returns the participant roles of the service model.
func (ParticipantRole) Values() []ParticipantRole {
	return []ParticipantRole{
		ParticipantRoleAgent, ParticipantRoleCustomer, ParticipantRoleSystem,
		ParticipantRoleCustomBot, ParticipantRoleSupervisor,
	}
}

// ScanDirection is the direction in which GetTranscript reads the
// transcript from its starting point.
type ScanDirection string

// Scan directions of the service model.
const (
	ScanDirectionForward  ScanDirection = "FORWARD"
	ScanDirectionBackward ScanDirection = "BACKWARD"
)

// Values returns the scan directions of the service model.
func (ScanDirection) Values() []ScanDirection {
	return []ScanDirection{ScanDirectionForward, ScanDirectionBackward}
}

// SortOrder is the order of the items of a GetTranscript page. It is the
// type aws-sdk-go-v2 calls SortKey.
type SortOrder string

// Sort orders of the service model.
const (
	SortOrderDescending SortOrder = "DESCENDING"
	SortOrderAscending  SortOrder = "ASCENDING"
)

// Values returns the sort orders of the service model.
func (SortOrder) Values() []SortOrder {
	return []SortOrder{SortOrderDescending, SortOrderAscending}
}

// ArtifactStatus is the status of an attachment: an attachment scanner, when
// the instance has one, moves it from IN_PROGRESS to APPROVED or REJECTED.
type ArtifactStatus string

// Artifact statuses of the service model.
const (
	ArtifactStatusApproved   ArtifactStatus = "APPROVED"
	ArtifactStatusRejected   ArtifactStatus = "REJECTED"
	ArtifactStatusInProgress ArtifactStatus = "IN_PROGRESS"
)

// Values returns the artifact statuses of the service model.
func (ArtifactStatus) Values() []ArtifactStatus {
	return []ArtifactStatus{ArtifactStatusApproved, ArtifactStatusRejected, ArtifactStatusInProgress}
}

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

// Values returns the message processing statuses of the service model.
func (MessageProcessingStatus) Values() []MessageProcessingStatus {
	return []MessageProcessingStatus{
		MessageProcessingStatusProcessing, MessageProcessingStatusFailed, MessageProcessingStatusRejected,
	}
}

// MeetingFeatureStatus tells whether a feature of a WebRTC meeting is
// available.
type MeetingFeatureStatus string

// Meeting feature statuses of the service model.
const (
	MeetingFeatureStatusAvailable   MeetingFeatureStatus = "AVAILABLE"
	MeetingFeatureStatusUnavailable MeetingFeatureStatus = "UNAVAILABLE"
)

// Values returns the meeting feature statuses of the service model.
func (MeetingFeatureStatus) Values() []MeetingFeatureStatus {
	return []MeetingFeatureStatus{MeetingFeatureStatusAvailable, MeetingFeatureStatusUnavailable}
}

// The shapes below decode from JSON as aws-sdk-go-v2 v1.34.0 decodes them
// (exact member names, last of repeated members, null ignored, wrong JSON
// types rejected; see wire_decode.go) and encode to the service's wire form,
// times as yyyy-MM-ddThh:mm:ss.SSSZ. UnmarshalJSON replaces the whole value.

// Item is one entry of a transcript (GetTranscript) or of the WebSocket's
// aws/chat topic: a message, an event, an attachment or a receipt. Every
// member is optional.
type Item struct {
	// AbsoluteTime is when the service stored the item.
	AbsoluteTime time.Time `json:"AbsoluteTime,omitzero"`
	// Attachments are the files of an ATTACHMENT item.
	Attachments []AttachmentItem `json:"Attachments,omitempty"`
	// ContactID is the contact of the item, set for items of the current
	// chat session.
	ContactID string `json:"ContactId,omitempty"`
	// Content is the text of a message or the payload of an event.
	Content string `json:"Content,omitempty"`
	// ContentType is the MIME type of Content, such as [ContentTypePlainText].
	ContentType ContentType `json:"ContentType,omitempty"`
	// DisplayName is the name of the participant the item comes from.
	DisplayName string `json:"DisplayName,omitempty"`
	// ID identifies the item.
	ID string `json:"Id,omitempty"`
	// InitialContactID is the first contact of the chat. WebSocket items
	// carry it; it is not in the GetTranscript model, and a value of the
	// wrong JSON type is ignored rather than rejected.
	InitialContactID string `json:"InitialContactId,omitempty"`
	// MessageMetadata holds the receipts of a message and its processing
	// status.
	MessageMetadata *MessageMetadata `json:"MessageMetadata,omitempty"`
	// ParticipantID identifies the participant the item comes from.
	ParticipantID string `json:"ParticipantId,omitempty"`
	// ParticipantRole is that participant's role.
	ParticipantRole ParticipantRole `json:"ParticipantRole,omitempty"`
	// RelatedContactID is the past contact of the item, set for items of an
	// earlier session of a persistent chat.
	RelatedContactID string `json:"RelatedContactId,omitempty"`
	// Type is the kind of the item.
	Type ChatItemType `json:"Type,omitempty"`
}

func (x *Item) decode(obj []byte) error {
	var f [13][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "AbsoluteTime":
			f[0] = m.val
		case "Attachments":
			f[1] = m.val
		case "ContactId":
			f[2] = m.val
		case "Content":
			f[3] = m.val
		case "ContentType":
			f[4] = m.val
		case "DisplayName":
			f[5] = m.val
		case "Id":
			f[6] = m.val
		case "InitialContactId":
			f[7] = m.val
		case "MessageMetadata":
			f[8] = m.val
		case "ParticipantId":
			f[9] = m.val
		case "ParticipantRole":
			f[10] = m.val
		case "RelatedContactId":
			f[11] = m.val
		case "Type":
			f[12] = m.val
		}
	}
	_ = decString(f[7], &x.InitialContactID, "InitialContactId") // outside the model: lenient
	return errors.Join(
		decTime(f[0], &x.AbsoluteTime, "AbsoluteTime"),
		decShapes(f[1], &x.Attachments, "Attachments"),
		decString(f[2], &x.ContactID, "ContactId"),
		decString(f[3], &x.Content, "Content"),
		decString(f[4], &x.ContentType, "ContentType"),
		decString(f[5], &x.DisplayName, "DisplayName"),
		decString(f[6], &x.ID, "Id"),
		decShape(f[8], &x.MessageMetadata, "MessageMetadata"),
		decString(f[9], &x.ParticipantID, "ParticipantId"),
		decString(f[10], &x.ParticipantRole, "ParticipantRole"),
		decString(f[11], &x.RelatedContactID, "RelatedContactId"),
		decString(f[12], &x.Type, "Type"),
	)
}

// UnmarshalJSON decodes an item as the service sends it.
func (x *Item) UnmarshalJSON(b []byte) error {
	var v Item
	if err := unmarshalShape(b, "Item", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// MarshalJSON encodes the item as the service sends it.
func (x Item) MarshalJSON() ([]byte, error) {
	type plain Item
	return json.Marshal(struct {
		AbsoluteTime string `json:"AbsoluteTime,omitempty"`
		plain
	}{wireTime(x.AbsoluteTime), plain(x)})
}

// AttachmentItem describes one attachment of an [Item].
type AttachmentItem struct {
	// AttachmentID identifies the attachment, for GetAttachment.
	AttachmentID string `json:"AttachmentId,omitempty"`
	// AttachmentName is the file name.
	AttachmentName string `json:"AttachmentName,omitempty"`
	// ContentType is the MIME type of the file.
	ContentType string `json:"ContentType,omitempty"`
	// Status is the state of the attachment.
	Status ArtifactStatus `json:"Status,omitempty"`
}

func (x *AttachmentItem) decode(obj []byte) error {
	var f [4][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "AttachmentId":
			f[0] = m.val
		case "AttachmentName":
			f[1] = m.val
		case "ContentType":
			f[2] = m.val
		case "Status":
			f[3] = m.val
		}
	}
	return errors.Join(
		decString(f[0], &x.AttachmentID, "AttachmentId"),
		decString(f[1], &x.AttachmentName, "AttachmentName"),
		decString(f[2], &x.ContentType, "ContentType"),
		decString(f[3], &x.Status, "Status"),
	)
}

// UnmarshalJSON decodes an attachment item as the service sends it.
func (x *AttachmentItem) UnmarshalJSON(b []byte) error {
	var v AttachmentItem
	if err := unmarshalShape(b, "AttachmentItem", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// MessageMetadata is the metadata of a message in an [Item]: its receipts and
// its processing status.
type MessageMetadata struct {
	// MessageID is the id of the message the metadata is about.
	MessageID string `json:"MessageId,omitempty"`
	// MessageProcessingStatus is the state of the message's processing;
	// newer than aws-sdk-go-v2's connectparticipant v1.34.0.
	MessageProcessingStatus MessageProcessingStatus `json:"MessageProcessingStatus,omitempty"`
	// Receipts are the read and delivered receipts of the message.
	Receipts []Receipt `json:"Receipts,omitempty"`
}

func (x *MessageMetadata) decode(obj []byte) error {
	var f [3][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "MessageId":
			f[0] = m.val
		case "MessageProcessingStatus":
			f[1] = m.val
		case "Receipts":
			f[2] = m.val
		}
	}
	// MessageProcessingStatus is newer than aws-sdk-go-v2 v1.34.0, which
	// ignores it: a value of the wrong JSON type is dropped, not an error.
	_ = decString(f[1], &x.MessageProcessingStatus, "MessageProcessingStatus")
	return errors.Join(
		decString(f[0], &x.MessageID, "MessageId"),
		decShapes(f[2], &x.Receipts, "Receipts"),
	)
}

// UnmarshalJSON decodes message metadata as the service sends it.
func (x *MessageMetadata) UnmarshalJSON(b []byte) error {
	var v MessageMetadata
	if err := unmarshalShape(b, "MessageMetadata", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// Receipt tells when a participant received or read a message.
type Receipt struct {
	// DeliveredTimestamp is when the message reached the recipient.
	DeliveredTimestamp time.Time `json:"DeliveredTimestamp,omitzero"`
	// ReadTimestamp is when the recipient read the message.
	ReadTimestamp time.Time `json:"ReadTimestamp,omitzero"`
	// RecipientParticipantID identifies the recipient.
	RecipientParticipantID string `json:"RecipientParticipantId,omitempty"`
}

func (x *Receipt) decode(obj []byte) error {
	var f [3][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "DeliveredTimestamp":
			f[0] = m.val
		case "ReadTimestamp":
			f[1] = m.val
		case "RecipientParticipantId":
			f[2] = m.val
		}
	}
	return errors.Join(
		decTime(f[0], &x.DeliveredTimestamp, "DeliveredTimestamp"),
		decTime(f[1], &x.ReadTimestamp, "ReadTimestamp"),
		decString(f[2], &x.RecipientParticipantID, "RecipientParticipantId"),
	)
}

// UnmarshalJSON decodes a receipt as the service sends it.
func (x *Receipt) UnmarshalJSON(b []byte) error {
	var v Receipt
	if err := unmarshalShape(b, "Receipt", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// MarshalJSON encodes the receipt as the service sends it.
func (x Receipt) MarshalJSON() ([]byte, error) {
	type plain Receipt
	return json.Marshal(struct {
		DeliveredTimestamp string `json:"DeliveredTimestamp,omitempty"`
		ReadTimestamp      string `json:"ReadTimestamp,omitempty"`
		plain
	}{wireTime(x.DeliveredTimestamp), wireTime(x.ReadTimestamp), plain(x)})
}

// MessageProcessingMetadata is the processing state of a message just sent
// (SendMessage). It is newer than aws-sdk-go-v2's connectparticipant v1.34.0.
type MessageProcessingMetadata struct {
	// MessageProcessingStatus is the state of the message's processing.
	MessageProcessingStatus MessageProcessingStatus `json:"MessageProcessingStatus,omitempty"`
}

func (x *MessageProcessingMetadata) decode(obj []byte) error {
	var f []byte
	for m := newMembers(obj); m.next(); {
		if string(m.key) == "MessageProcessingStatus" {
			f = m.val
		}
	}
	return decString(f, &x.MessageProcessingStatus, "MessageProcessingStatus")
}

// UnmarshalJSON decodes the metadata as the service sends it.
func (x *MessageProcessingMetadata) UnmarshalJSON(b []byte) error {
	var v MessageProcessingMetadata
	if err := unmarshalShape(b, "MessageProcessingMetadata", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// StartPosition is where GetTranscript starts reading. Its members are
// alternative anchors; set one. A non-nil StartPosition with none set is
// sent as {}.
type StartPosition struct {
	// ID starts at the item with this id. 1 to 256 characters when set.
	ID string `json:"Id,omitempty"`
	// AbsoluteTime starts at this time. It is sent with millisecond
	// precision, in UTC.
	AbsoluteTime time.Time `json:"AbsoluteTime,omitzero"`
	// MostRecent starts this many items back from the most recent one:
	// 0 to 100. Zero is not sent (as in aws-sdk-go-v2).
	MostRecent int32 `json:"MostRecent,omitempty"`
}

// appendJSON appends the start position as aws-sdk-go-v2 writes it.
func (x *StartPosition) appendJSON(b []byte) []byte {
	o := jsonObject{b: append(b, '{')}
	o.strIf("AbsoluteTime", wireTime(x.AbsoluteTime))
	o.strIf("Id", x.ID)
	if x.MostRecent != 0 {
		o.int("MostRecent", int64(x.MostRecent))
	}
	return o.bytes()
}

// MarshalJSON encodes the start position as aws-sdk-go-v2 writes it.
func (x StartPosition) MarshalJSON() ([]byte, error) { return x.appendJSON(nil), nil }

func (x *StartPosition) decode(obj []byte) error {
	var f [3][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "AbsoluteTime":
			f[0] = m.val
		case "Id":
			f[1] = m.val
		case "MostRecent":
			f[2] = m.val
		}
	}
	return errors.Join(
		decTime(f[0], &x.AbsoluteTime, "AbsoluteTime"),
		decString(f[1], &x.ID, "Id"),
		decInt32(f[2], &x.MostRecent, "MostRecent"),
	)
}

// UnmarshalJSON decodes a start position.
func (x *StartPosition) UnmarshalJSON(b []byte) error {
	var v StartPosition
	if err := unmarshalShape(b, "StartPosition", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// Websocket is the WebSocket URL CreateParticipantConnection returns. Connect
// to it within about 100 seconds (ConnectionExpiry) and subscribe to
// aws/chat; when it expires, call CreateParticipantConnection again.
type Websocket struct {
	// URL is the presigned wss:// URL of the WebSocket.
	URL string `json:"Url,omitempty"`
	// ConnectionExpiry is when URL stops working for new connections.
	ConnectionExpiry time.Time `json:"ConnectionExpiry,omitzero"`
}

func (x *Websocket) decode(obj []byte) error {
	var f [2][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "ConnectionExpiry":
			f[0] = m.val
		case "Url":
			f[1] = m.val
		}
	}
	return errors.Join(
		decTime(f[0], &x.ConnectionExpiry, "ConnectionExpiry"),
		decString(f[1], &x.URL, "Url"),
	)
}

// UnmarshalJSON decodes the WebSocket shape as the service sends it.
func (x *Websocket) UnmarshalJSON(b []byte) error {
	var v Websocket
	if err := unmarshalShape(b, "Websocket", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// MarshalJSON encodes the WebSocket shape as the service sends it.
func (x Websocket) MarshalJSON() ([]byte, error) {
	type plain Websocket
	return json.Marshal(struct {
		ConnectionExpiry string `json:"ConnectionExpiry,omitempty"`
		plain
	}{wireTime(x.ConnectionExpiry), plain(x)})
}

// ConnectionCredentials is the ConnectionToken CreateParticipantConnection
// returns: every other operation takes it.
type ConnectionCredentials struct {
	// ConnectionToken authenticates the participant; it prints as
	// REDACTED. It lasts about a day, independent of the chat's duration.
	ConnectionToken Token `json:"ConnectionToken,omitempty"`
	// Expiry is when ConnectionToken stops working.
	Expiry time.Time `json:"Expiry,omitzero"`
}

func (x *ConnectionCredentials) decode(obj []byte) error {
	var f [2][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "ConnectionToken":
			f[0] = m.val
		case "Expiry":
			f[1] = m.val
		}
	}
	return errors.Join(
		decString(f[0], &x.ConnectionToken, "ConnectionToken"),
		decTime(f[1], &x.Expiry, "Expiry"),
	)
}

// UnmarshalJSON decodes the credentials as the service sends them.
func (x *ConnectionCredentials) UnmarshalJSON(b []byte) error {
	var v ConnectionCredentials
	if err := unmarshalShape(b, "ConnectionCredentials", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// MarshalJSON encodes the credentials as the service sends them, with the
// real token: treat the result as a secret.
func (x ConnectionCredentials) MarshalJSON() ([]byte, error) {
	type plain ConnectionCredentials
	return json.Marshal(struct {
		Expiry string `json:"Expiry,omitempty"`
		plain
	}{wireTime(x.Expiry), plain(x)})
}

// ConnectionData is the WebRTC meeting CreateParticipantConnection returns
// for [ConnectionTypeWebRTCConnection]: the Amazon Chime SDK attendee and
// meeting to join. Newer service models call it WebRTCConnection.
type ConnectionData struct {
	// Attendee is this participant in the meeting.
	Attendee *Attendee `json:"Attendee,omitempty"`
	// Meeting is the meeting to join.
	Meeting *Meeting `json:"Meeting,omitempty"`
}

func (x *ConnectionData) decode(obj []byte) error {
	var f [2][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "Attendee":
			f[0] = m.val
		case "Meeting":
			f[1] = m.val
		}
	}
	return errors.Join(
		decShape(f[0], &x.Attendee, "Attendee"),
		decShape(f[1], &x.Meeting, "Meeting"),
	)
}

// UnmarshalJSON decodes the connection data as the service sends it.
func (x *ConnectionData) UnmarshalJSON(b []byte) error {
	var v ConnectionData
	if err := unmarshalShape(b, "ConnectionData", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// Attendee is a participant of a WebRTC meeting.
type Attendee struct {
	// AttendeeID is the Amazon Chime SDK attendee id.
	AttendeeID string `json:"AttendeeId,omitempty"`
	// JoinToken lets the attendee join the meeting; it is a secret and
	// prints as REDACTED.
	JoinToken Token `json:"JoinToken,omitempty"`
}

func (x *Attendee) decode(obj []byte) error {
	var f [2][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "AttendeeId":
			f[0] = m.val
		case "JoinToken":
			f[1] = m.val
		}
	}
	return errors.Join(
		decString(f[0], &x.AttendeeID, "AttendeeId"),
		decString(f[1], &x.JoinToken, "JoinToken"),
	)
}

// UnmarshalJSON decodes the attendee as the service sends it.
func (x *Attendee) UnmarshalJSON(b []byte) error {
	var v Attendee
	if err := unmarshalShape(b, "Attendee", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// Meeting is a WebRTC meeting.
type Meeting struct {
	// MediaPlacement holds the meeting's media URLs.
	MediaPlacement *MediaPlacement `json:"MediaPlacement,omitempty"`
	// MediaRegion is the AWS region of the meeting's media. Newer service
	// models dropped it; it may be empty.
	MediaRegion string `json:"MediaRegion,omitempty"`
	// MeetingFeatures lists the features of the meeting.
	MeetingFeatures *MeetingFeaturesConfiguration `json:"MeetingFeatures,omitempty"`
	// MeetingID is the Amazon Chime SDK meeting id.
	MeetingID string `json:"MeetingId,omitempty"`
}

func (x *Meeting) decode(obj []byte) error {
	var f [4][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "MediaPlacement":
			f[0] = m.val
		case "MediaRegion":
			f[1] = m.val
		case "MeetingFeatures":
			f[2] = m.val
		case "MeetingId":
			f[3] = m.val
		}
	}
	return errors.Join(
		decShape(f[0], &x.MediaPlacement, "MediaPlacement"),
		decString(f[1], &x.MediaRegion, "MediaRegion"),
		decShape(f[2], &x.MeetingFeatures, "MeetingFeatures"),
		decString(f[3], &x.MeetingID, "MeetingId"),
	)
}

// UnmarshalJSON decodes the meeting as the service sends it.
func (x *Meeting) UnmarshalJSON(b []byte) error {
	var v Meeting
	if err := unmarshalShape(b, "Meeting", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// MediaPlacement holds the URLs of a WebRTC meeting's media services.
type MediaPlacement struct {
	// AudioFallbackURL is the audio fallback URL.
	AudioFallbackURL string `json:"AudioFallbackUrl,omitempty"`
	// AudioHostURL is the audio host URL.
	AudioHostURL string `json:"AudioHostUrl,omitempty"`
	// EventIngestionURL is the event ingestion URL.
	EventIngestionURL string `json:"EventIngestionUrl,omitempty"`
	// SignalingURL is the signaling URL.
	SignalingURL string `json:"SignalingUrl,omitempty"`
	// TurnControlURL is the TURN control URL. Newer service models dropped
	// it; it may be empty.
	TurnControlURL string `json:"TurnControlUrl,omitempty"`
}

func (x *MediaPlacement) decode(obj []byte) error {
	var f [5][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "AudioFallbackUrl":
			f[0] = m.val
		case "AudioHostUrl":
			f[1] = m.val
		case "EventIngestionUrl":
			f[2] = m.val
		case "SignalingUrl":
			f[3] = m.val
		case "TurnControlUrl":
			f[4] = m.val
		}
	}
	return errors.Join(
		decString(f[0], &x.AudioFallbackURL, "AudioFallbackUrl"),
		decString(f[1], &x.AudioHostURL, "AudioHostUrl"),
		decString(f[2], &x.EventIngestionURL, "EventIngestionUrl"),
		decString(f[3], &x.SignalingURL, "SignalingUrl"),
		decString(f[4], &x.TurnControlURL, "TurnControlUrl"),
	)
}

// UnmarshalJSON decodes the media placement as the service sends it.
func (x *MediaPlacement) UnmarshalJSON(b []byte) error {
	var v MediaPlacement
	if err := unmarshalShape(b, "MediaPlacement", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// MeetingFeaturesConfiguration lists the features of a WebRTC meeting.
type MeetingFeaturesConfiguration struct {
	// Audio holds the audio features.
	Audio *AudioFeatures `json:"Audio,omitempty"`
}

func (x *MeetingFeaturesConfiguration) decode(obj []byte) error {
	var f []byte
	for m := newMembers(obj); m.next(); {
		if string(m.key) == "Audio" {
			f = m.val
		}
	}
	return decShape(f, &x.Audio, "Audio")
}

// UnmarshalJSON decodes the configuration as the service sends it.
func (x *MeetingFeaturesConfiguration) UnmarshalJSON(b []byte) error {
	var v MeetingFeaturesConfiguration
	if err := unmarshalShape(b, "MeetingFeaturesConfiguration", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// AudioFeatures are the audio features of a WebRTC meeting.
type AudioFeatures struct {
	// EchoReduction tells whether echo reduction is available.
	EchoReduction MeetingFeatureStatus `json:"EchoReduction,omitempty"`
}

func (x *AudioFeatures) decode(obj []byte) error {
	var f []byte
	for m := newMembers(obj); m.next(); {
		if string(m.key) == "EchoReduction" {
			f = m.val
		}
	}
	return decString(f, &x.EchoReduction, "EchoReduction")
}

// UnmarshalJSON decodes the audio features as the service sends them.
func (x *AudioFeatures) UnmarshalJSON(b []byte) error {
	var v AudioFeatures
	if err := unmarshalShape(b, "AudioFeatures", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// UploadMetadata is where and how to upload an attachment that
// StartAttachmentUpload has started: an HTTP PUT of the file's bytes to URL,
// with exactly the headers in HeadersToInclude, before URLExpiry.
// [Client.UploadAttachment] does all of it.
type UploadMetadata struct {
	// HeadersToInclude are the headers the PUT must carry, exactly: they
	// are part of the URL's signature.
	HeadersToInclude map[string]string `json:"HeadersToInclude,omitempty"`
	// URL is the presigned URL to PUT the file to. Its query holds a
	// signature: keep it out of logs.
	URL string `json:"Url,omitempty"`
	// URLExpiry is when URL stops working.
	URLExpiry time.Time `json:"UrlExpiry,omitzero"`
}

func (x *UploadMetadata) decode(obj []byte) error {
	var f [3][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "HeadersToInclude":
			f[0] = m.val
		case "Url":
			f[1] = m.val
		case "UrlExpiry":
			f[2] = m.val
		}
	}
	return errors.Join(
		decStringMap(f[0], &x.HeadersToInclude, "HeadersToInclude"),
		decString(f[1], &x.URL, "Url"),
		decTime(f[2], &x.URLExpiry, "UrlExpiry"),
	)
}

// UnmarshalJSON decodes the upload metadata as the service sends it.
func (x *UploadMetadata) UnmarshalJSON(b []byte) error {
	var v UploadMetadata
	if err := unmarshalShape(b, "UploadMetadata", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// MarshalJSON encodes the upload metadata as the service sends it.
func (x UploadMetadata) MarshalJSON() ([]byte, error) {
	type plain UploadMetadata
	return json.Marshal(struct {
		UrlExpiry string `json:"UrlExpiry,omitempty"`
		plain
	}{wireTime(x.URLExpiry), plain(x)})
}

// View is a step-by-step guide (a view of Amazon Connect) that
// DescribeView returns.
type View struct {
	// ARN is the view's Amazon Resource Name.
	ARN string `json:"Arn,omitempty"`
	// Content is the view's template, input schema and actions.
	Content *ViewContent `json:"Content,omitempty"`
	// ID identifies the view.
	ID string `json:"Id,omitempty"`
	// Name is the view's name.
	Name string `json:"Name,omitempty"`
	// Version is the view's version; 0 when the service sent none.
	Version int32 `json:"Version,omitempty"`
}

func (x *View) decode(obj []byte) error {
	var f [5][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "Arn":
			f[0] = m.val
		case "Content":
			f[1] = m.val
		case "Id":
			f[2] = m.val
		case "Name":
			f[3] = m.val
		case "Version":
			f[4] = m.val
		}
	}
	return errors.Join(
		decString(f[0], &x.ARN, "Arn"),
		decShape(f[1], &x.Content, "Content"),
		decString(f[2], &x.ID, "Id"),
		decString(f[3], &x.Name, "Name"),
		decInt32(f[4], &x.Version, "Version"),
	)
}

// UnmarshalJSON decodes the view as the service sends it.
func (x *View) UnmarshalJSON(b []byte) error {
	var v View
	if err := unmarshalShape(b, "View", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}

// ViewContent is what a [View] shows and accepts.
type ViewContent struct {
	// Actions are the actions the view's user can take.
	Actions []string `json:"Actions,omitempty"`
	// InputSchema is the JSON schema of the view's input.
	InputSchema string `json:"InputSchema,omitempty"`
	// Template is the view's template.
	Template string `json:"Template,omitempty"`
}

func (x *ViewContent) decode(obj []byte) error {
	var f [3][]byte
	for m := newMembers(obj); m.next(); {
		switch string(m.key) {
		case "Actions":
			f[0] = m.val
		case "InputSchema":
			f[1] = m.val
		case "Template":
			f[2] = m.val
		}
	}
	return errors.Join(
		decStrings(f[0], &x.Actions, "Actions"),
		decString(f[1], &x.InputSchema, "InputSchema"),
		decString(f[2], &x.Template, "Template"),
	)
}

// UnmarshalJSON decodes the view content as the service sends it.
func (x *ViewContent) UnmarshalJSON(b []byte) error {
	var v ViewContent
	if err := unmarshalShape(b, "ViewContent", v.decode); err != nil {
		return err
	}
	*x = v
	return nil
}
