package participanttest

import (
	"time"

	"github.com/connectchat/participant/internal/wire"
)

// formatTime writes t as the service does (internal/wire's one layout).
func formatTime(t time.Time) string { return wire.FormatTime(t) }

// Item is one chat item exactly as the service puts it on the wire: in a
// GetTranscript page, and JSON-encoded as a string in the content of an
// aws/chat WebSocket frame. Field names follow Go; the JSON names are the
// service's.
type Item struct {
	AbsoluteTime     string           `json:"AbsoluteTime,omitempty"`     // 2006-01-02T15:04:05.000Z, UTC
	Content          string           `json:"Content,omitempty"`          // the message, or an event's payload
	ContentType      string           `json:"ContentType,omitempty"`      // text/plain, an event type, a file's MIME type
	ID               string           `json:"Id,omitempty"`               // the item's id
	Type             string           `json:"Type,omitempty"`             // MESSAGE, EVENT, ATTACHMENT, MESSAGEMETADATA, ...
	ParticipantID    string           `json:"ParticipantId,omitempty"`    // who sent it, or whom an event is about
	DisplayName      string           `json:"DisplayName,omitempty"`      // that participant's name
	ParticipantRole  string           `json:"ParticipantRole,omitempty"`  // CUSTOMER, AGENT, CUSTOM_BOT, SUPERVISOR, SYSTEM
	Attachments      []AttachmentItem `json:"Attachments,omitempty"`      // the file of an ATTACHMENT item
	MessageMetadata  *MessageMetadata `json:"MessageMetadata,omitempty"`  // receipts
	RelatedContactID string           `json:"RelatedContactId,omitempty"` // a past contact's item, in a persistent chat
	ContactID        string           `json:"ContactId,omitempty"`        // the current contact's item
	InitialContactID string           `json:"InitialContactId,omitempty"` // the contact's first contact
}

// clone returns a deep copy of it.
func (it *Item) clone() Item {
	c := *it
	if it.Attachments != nil {
		c.Attachments = append([]AttachmentItem(nil), it.Attachments...)
	}
	if it.MessageMetadata != nil {
		mm := *it.MessageMetadata
		mm.Receipts = append([]Receipt(nil), mm.Receipts...)
		c.MessageMetadata = &mm
	}
	return c
}

// AttachmentItem describes an attachment of an ATTACHMENT item.
type AttachmentItem struct {
	ContentType    string `json:"ContentType,omitempty"`    // the file's MIME type
	AttachmentID   string `json:"AttachmentId,omitempty"`   // for GetAttachment
	AttachmentName string `json:"AttachmentName,omitempty"` // the file's name
	Status         string `json:"Status,omitempty"`         // APPROVED, REJECTED or IN_PROGRESS
}

// MessageMetadata holds the receipts of a message.
type MessageMetadata struct {
	MessageID string    `json:"MessageId,omitempty"` // the message acknowledged
	Receipts  []Receipt `json:"Receipts,omitempty"`  // one per recipient
}

// Receipt says when one participant received or read a message.
type Receipt struct {
	DeliveredTimestamp     string `json:"DeliveredTimestamp,omitempty"`     // when it reached the recipient
	ReadTimestamp          string `json:"ReadTimestamp,omitempty"`          // when the recipient read it
	RecipientParticipantID string `json:"RecipientParticipantId,omitempty"` // who received or read it
}

// View is what DescribeView returns for a view token registered with
// [Server.RegisterView].
type View struct {
	ID      string      `json:"Id,omitempty"`      // the view's id
	ARN     string      `json:"Arn,omitempty"`     // its ARN
	Name    string      `json:"Name,omitempty"`    // its name
	Version int         `json:"Version,omitempty"` // its version
	Content ViewContent `json:"Content"`           // what it shows
}

// ViewContent is the content of a [View].
type ViewContent struct {
	InputSchema string   `json:"InputSchema,omitempty"` // the JSON schema of its input
	Template    string   `json:"Template,omitempty"`    // the template it renders
	Actions     []string `json:"Actions,omitempty"`     // the actions it offers
}

// Item types.
const (
	TypeMessage         = "MESSAGE"
	TypeEvent           = "EVENT"
	TypeAttachment      = "ATTACHMENT"
	TypeMessageMetadata = "MESSAGEMETADATA"
)

// Participant roles.
const (
	RoleAgent      = "AGENT"
	RoleCustomer   = "CUSTOMER"
	RoleSystem     = "SYSTEM"
	RoleCustomBot  = "CUSTOM_BOT"
	RoleSupervisor = "SUPERVISOR"
)

// ctDefaultDispName is the display name of the service's own messages.
const ctDefaultDispName = "SYSTEM_MESSAGE"

// The bodies of the Participant Service operations. Optional members whose
// minimum length is 1 are pointers, so that "" (too short) differs from
// absent.

type createConnectionIn struct {
	Type               []string `json:"Type"`
	ConnectParticipant bool     `json:"ConnectParticipant"`
}

type websocketOut struct {
	URL              string `json:"Url"`
	ConnectionExpiry string `json:"ConnectionExpiry"`
}

type connectionCredentialsOut struct {
	ConnectionToken string `json:"ConnectionToken"`
	Expiry          string `json:"Expiry"`
}

type createConnectionOut struct {
	Websocket             *websocketOut             `json:"Websocket,omitempty"`
	ConnectionCredentials *connectionCredentialsOut `json:"ConnectionCredentials,omitempty"`
}

type sendMessageIn struct {
	ContentType string `json:"ContentType"`
	Content     string `json:"Content"`
	ClientToken string `json:"ClientToken"`
}

type sendEventIn struct {
	ContentType string  `json:"ContentType"`
	Content     *string `json:"Content"`
	ClientToken string  `json:"ClientToken"`
}

type idTimeOut struct {
	ID           string `json:"Id"`
	AbsoluteTime string `json:"AbsoluteTime"`
}

type startPositionIn struct {
	ID           *string `json:"Id"`
	AbsoluteTime *string `json:"AbsoluteTime"`
	MostRecent   int     `json:"MostRecent"`
}

type getTranscriptIn struct {
	ContactID     *string          `json:"ContactId"`
	MaxResults    *int             `json:"MaxResults"`
	NextToken     *string          `json:"NextToken"`
	ScanDirection string           `json:"ScanDirection"`
	SortOrder     string           `json:"SortOrder"`
	StartPosition *startPositionIn `json:"StartPosition"`
}

type getTranscriptOut struct {
	InitialContactID string `json:"InitialContactId,omitempty"`
	Transcript       []Item `json:"Transcript"`
	NextToken        string `json:"NextToken,omitempty"`
}

type disconnectIn struct {
	ClientToken string `json:"ClientToken"`
}

type startUploadIn struct {
	ContentType           string `json:"ContentType"`
	AttachmentSizeInBytes int64  `json:"AttachmentSizeInBytes"`
	AttachmentName        string `json:"AttachmentName"`
	ClientToken           string `json:"ClientToken"`
}

type uploadMetadataOut struct {
	URL              string            `json:"Url"`
	URLExpiry        string            `json:"UrlExpiry"`
	HeadersToInclude map[string]string `json:"HeadersToInclude"`
}

type startUploadOut struct {
	AttachmentID   string            `json:"AttachmentId"`
	UploadMetadata uploadMetadataOut `json:"UploadMetadata"`
}

type completeUploadIn struct {
	AttachmentIDs []string `json:"AttachmentIds"`
	ClientToken   string   `json:"ClientToken"`
}

type getAttachmentIn struct {
	AttachmentID       string `json:"AttachmentId"`
	URLExpiryInSeconds *int   `json:"UrlExpiryInSeconds"`
}

type getAttachmentOut struct {
	URL                   string `json:"Url"`
	URLExpiry             string `json:"UrlExpiry"`
	AttachmentSizeInBytes int64  `json:"AttachmentSizeInBytes"`
}

type describeViewOut struct {
	View View `json:"View"`
}

type authURLIn struct {
	SessionID   string `json:"SessionId"`
	RedirectURI string `json:"RedirectUri"`
}

type authURLOut struct {
	AuthenticationURL string `json:"AuthenticationUrl"`
}

type cancelAuthIn struct {
	SessionID string `json:"SessionId"`
}

// The bodies of the Amazon Connect operations.

type participantDetailsIn struct {
	DisplayName string `json:"DisplayName"`
}

type chatMessageIn struct {
	ContentType string `json:"ContentType"`
	Content     string `json:"Content"`
}

type persistentChatIn struct {
	RehydrationType string `json:"RehydrationType"`
	SourceContactID string `json:"SourceContactId"`
}

type startChatIn struct {
	InstanceID                     string                `json:"InstanceId"`
	ContactFlowID                  string                `json:"ContactFlowId"`
	Attributes                     map[string]string     `json:"Attributes"`
	ParticipantDetails             *participantDetailsIn `json:"ParticipantDetails"`
	InitialMessage                 *chatMessageIn        `json:"InitialMessage"`
	ClientToken                    string                `json:"ClientToken"`
	ChatDurationInMinutes          *int                  `json:"ChatDurationInMinutes"`
	SupportedMessagingContentTypes []string              `json:"SupportedMessagingContentTypes"`
	PersistentChat                 *persistentChatIn     `json:"PersistentChat"`
	RelatedContactID               *string               `json:"RelatedContactId"`
}

type startChatOut struct {
	ContactID              string `json:"ContactId"`
	ParticipantID          string `json:"ParticipantId"`
	ParticipantToken       string `json:"ParticipantToken"`
	ContinuedFromContactID string `json:"ContinuedFromContactId,omitempty"`
}

type createParticipantDetailsIn struct {
	ParticipantRole string `json:"ParticipantRole"`
	DisplayName     string `json:"DisplayName"`
}

type createParticipantIn struct {
	InstanceID         string                      `json:"InstanceId"`
	ContactID          string                      `json:"ContactId"`
	ClientToken        string                      `json:"ClientToken"`
	ParticipantDetails *createParticipantDetailsIn `json:"ParticipantDetails"`
}

type participantCredentialsOut struct {
	ParticipantToken string `json:"ParticipantToken"`
	Expiry           string `json:"Expiry"`
}

type createParticipantOut struct {
	ParticipantCredentials participantCredentialsOut `json:"ParticipantCredentials"`
	ParticipantID          string                    `json:"ParticipantId"`
}

type disconnectReasonIn struct {
	Code string `json:"Code"`
}

type stopContactIn struct {
	ContactID        string              `json:"ContactId"`
	InstanceID       string              `json:"InstanceId"`
	DisconnectReason *disconnectReasonIn `json:"DisconnectReason"`
}

// WebSocket frames.

// chatFrame is an aws/chat frame; its members are in the order the service
// writes them.
type chatFrame struct {
	Content     string `json:"content"`
	ContentType string `json:"contentType"`
	Topic       string `json:"topic"`
}

type subscribeContent struct {
	Status string   `json:"status"`
	Topics []string `json:"topics"`
}

type subscribeReply struct {
	Topic   string           `json:"topic"`
	Content subscribeContent `json:"content"`
}

type pingReply struct {
	Topic         string `json:"topic"`
	StatusCode    int    `json:"statusCode"`
	StatusContent string `json:"statusContent"`
}

type errorFrame struct {
	Message      string `json:"message"`
	ConnectionID string `json:"connectionId"`
	RequestID    string `json:"requestId"`
}
