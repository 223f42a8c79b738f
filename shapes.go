package participant

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/connectchat/participant/internal/wire"
)

// The shapes of the service model. Each field's JSON name is the service's
// member name (Id, ContactId, Url, …), so encoding/json reads the service's
// bodies into them and writes them back as the service (and the aws CLI)
// writes them. Members the service omits are omitted here too.

// Time is a time the service sends or takes. It is a time.Time (every
// method of time.Time is promoted) whose JSON is the service's: a string
// yyyy-MM-ddThh:mm:ss.SSSZ in UTC. Decoding accepts any RFC 3339 time and
// a few near forms; a string that is not a time decodes to the zero Time
// rather than failing the whole response.
type Time struct{ time.Time }

// MarshalJSON writes the time as the service does; the zero Time is null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, len(wire.TimeLayout)+2)
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, wire.TimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a time the service sent. null leaves t unchanged; a
// JSON value that is not a string is an error.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	// encoding/json has checked that b is one JSON value.
	if len(b) < 2 || b[0] != '"' {
		return errors.New("participant: a time must be a JSON string")
	}
	s := string(b[1 : len(b)-1])
	if strings.IndexByte(s, '\\') >= 0 && json.Unmarshal(b, &s) != nil {
		return errors.New("participant: a time must be a JSON string")
	}
	t.Time, _ = wire.ParseTime(s)
	return nil
}

// decodeBody decodes a success body into out, as encoding/json does, in one
// pass. An empty body (or only white space) is an empty output.
func decodeBody(b []byte, out any) error {
	if len(bytes.Trim(b, " \t\r\n")) == 0 {
		return nil
	}
	return json.Unmarshal(b, out)
}

// Item is one entry of a transcript (GetTranscript) or of the WebSocket's
// aws/chat topic: a message, an event, an attachment or a receipt. Every
// member is optional.
type Item struct {
	// AbsoluteTime is when the service stored the item.
	AbsoluteTime Time `json:"AbsoluteTime,omitzero"`
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
	// carry it; it is not in the GetTranscript model.
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

// Receipt tells when a participant received or read a message.
type Receipt struct {
	// DeliveredTimestamp is when the message reached the recipient.
	DeliveredTimestamp Time `json:"DeliveredTimestamp,omitzero"`
	// ReadTimestamp is when the recipient read the message.
	ReadTimestamp Time `json:"ReadTimestamp,omitzero"`
	// RecipientParticipantID identifies the recipient.
	RecipientParticipantID string `json:"RecipientParticipantId,omitempty"`
}

// MessageProcessingMetadata is the processing state of a message just sent
// (SendMessage). It is newer than aws-sdk-go-v2's connectparticipant v1.34.0.
type MessageProcessingMetadata struct {
	// MessageProcessingStatus is the state of the message's processing.
	MessageProcessingStatus MessageProcessingStatus `json:"MessageProcessingStatus,omitempty"`
}

// StartPosition is where GetTranscript starts reading. Its members are
// alternative anchors; set one. A non-nil StartPosition with none set is
// sent as {}.
type StartPosition struct {
	// AbsoluteTime starts at this time. It is sent with millisecond
	// precision, in UTC.
	AbsoluteTime Time `json:"AbsoluteTime,omitzero"`
	// ID starts at the item with this id. 1 to 256 characters when set.
	ID string `json:"Id,omitempty"`
	// MostRecent starts this many items back from the most recent one:
	// 0 to 100. Zero is not sent (as in aws-sdk-go-v2).
	MostRecent int32 `json:"MostRecent,omitempty"`
}

// Websocket is the WebSocket URL CreateParticipantConnection returns. Connect
// to it within about 100 seconds (ConnectionExpiry) and subscribe to
// aws/chat; when it expires, call CreateParticipantConnection again.
type Websocket struct {
	// ConnectionExpiry is when URL stops working for new connections.
	ConnectionExpiry Time `json:"ConnectionExpiry,omitzero"`
	// URL is the presigned wss:// URL of the WebSocket. Its query holds a
	// token: it prints without it through fmt and log/slog.
	URL string `json:"Url,omitempty"`
}

// ConnectionCredentials is the ConnectionToken CreateParticipantConnection
// returns: every other operation takes it.
type ConnectionCredentials struct {
	// ConnectionToken authenticates the participant; it prints as
	// REDACTED. It lasts about a day, independent of the chat's duration.
	ConnectionToken Token `json:"ConnectionToken,omitempty"`
	// Expiry is when ConnectionToken stops working.
	Expiry Time `json:"Expiry,omitzero"`
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

// Attendee is a participant of a WebRTC meeting.
type Attendee struct {
	// AttendeeID is the Amazon Chime SDK attendee id.
	AttendeeID string `json:"AttendeeId,omitempty"`
	// JoinToken lets the attendee join the meeting; it is a secret and
	// prints as REDACTED.
	JoinToken Token `json:"JoinToken,omitempty"`
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

// MeetingFeaturesConfiguration lists the features of a WebRTC meeting.
type MeetingFeaturesConfiguration struct {
	// Audio holds the audio features.
	Audio *AudioFeatures `json:"Audio,omitempty"`
}

// AudioFeatures are the audio features of a WebRTC meeting.
type AudioFeatures struct {
	// EchoReduction tells whether echo reduction is available: AVAILABLE
	// or UNAVAILABLE.
	EchoReduction string `json:"EchoReduction,omitempty"`
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
	URLExpiry Time `json:"UrlExpiry,omitzero"`
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

// ViewContent is what a [View] shows and accepts.
type ViewContent struct {
	// Actions are the actions the view's user can take.
	Actions []string `json:"Actions,omitempty"`
	// InputSchema is the JSON schema of the view's input.
	InputSchema string `json:"InputSchema,omitempty"`
	// Template is the view's template.
	Template string `json:"Template,omitempty"`
}
