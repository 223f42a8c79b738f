package chat

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
)

// Topics of the service's WebSocket protocol.
const (
	topicSubscribe = "aws/subscribe"
	topicHeartbeat = "aws/heartbeat"
	topicPing      = "aws/ping"
	topicChat      = "aws/chat"
)

// Frames the session sends.
var (
	subscribeFrame = []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	heartbeatFrame = []byte(`{"topic":"aws/heartbeat"}`)
	pingFrame      = []byte(`{"topic":"aws/ping"}`)
)

type frameKind uint8

const (
	frameIgnored   frameKind = iota // empty, unknown topic, not JSON
	frameSubscribe                  // aws/subscribe reply
	frameHeartbeat                  // aws/heartbeat reply
	framePing                       // aws/ping reply
	frameChat                       // aws/chat item
	frameError                      // {"message": ...} with no topic
	frameBadItem                    // aws/chat whose content is not a JSON object
)

// frame is one server frame, decoded by the socket's reader.
type frame struct {
	kind frameKind
	// aws/subscribe: "success" or "failure".
	status string
	// aws/ping: the deep heartbeat's result.
	pingOK bool
	// error frames: the message, such as "Forbidden".
	message string
	// aws/chat: the item, its extra metadata and its JSON.
	item incoming
}

// incoming is an item with what participant.Item does not hold: the
// streaming metadata of bot messages and the past-session flag.
type incoming struct {
	it  participant.Item
	raw json.RawMessage // the item's JSON, when it came from the socket
	// incomplete: MessageMetadata.MessageCompleted is false, a chunk of a
	// streamed bot message whose number is chunk.
	incomplete     bool
	chunk          int
	past           bool
	fromTranscript bool
	late           bool // arrived after a later item was delivered
}

// parseFrame decodes a server frame. It never fails: what it cannot read
// is frameIgnored, or a frameChat whose item is KindOther.
//
// The service sends a frame's content as a JSON string holding JSON: it is
// read as a string, unquoted in the same pass. A frame whose content is
// something else (the object itself, as the subscribe reply and some fakes
// send it) or that does not decode is read again by parseFrameRaw, which
// gives the same result for every frame (FuzzParseFrame checks it).
func parseFrame(data []byte) frame {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return frame{}
	}
	var f struct {
		Topic         string          `json:"topic"`
		Content       *string         `json:"content"` // nil for null, as parseFrameRaw reads it
		StatusCode    json.RawMessage `json:"statusCode"`
		StatusContent string          `json:"statusContent"`
		Message       string          `json:"message"`
	}
	if json.Unmarshal(data, &f) != nil {
		return parseFrameRaw(data)
	}
	var content []byte
	if f.Content != nil {
		content = bytes.TrimSpace([]byte(*f.Content))
	}
	return frameOf(f.Topic, content, f.StatusCode, f.StatusContent, f.Message)
}

// parseFrameRaw decodes a server frame whose content may be any JSON
// value.
func parseFrameRaw(data []byte) frame {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return frame{}
	}
	var f struct {
		Topic         string          `json:"topic"`
		Content       json.RawMessage `json:"content"`
		StatusCode    json.RawMessage `json:"statusCode"`
		StatusContent string          `json:"statusContent"`
		Message       string          `json:"message"`
	}
	if json.Unmarshal(data, &f) != nil {
		return frame{}
	}
	return frameOf(f.Topic, contentBytes(f.Content), f.StatusCode, f.StatusContent, f.Message)
}

// frameOf makes the frame of a topic, given its content (the JSON inside
// the frame's content) and its other members.
func frameOf(topic string, content []byte, statusCode json.RawMessage, statusContent, message string) frame {
	switch topic {
	case topicSubscribe:
		var sc struct {
			Status string `json:"status"`
		}
		_ = json.Unmarshal(content, &sc)
		return frame{kind: frameSubscribe, status: sc.Status}
	case topicHeartbeat:
		return frame{kind: frameHeartbeat}
	case topicPing:
		code, _ := strconv.Atoi(strings.Trim(string(statusCode), `"`))
		// The mobile SDKs also want statusContent "OK"; chatjs looks at the
		// code only. A 200 without content is fine here.
		ok := code == 200 && (statusContent == "" || strings.EqualFold(statusContent, "OK"))
		return frame{kind: framePing, pingOK: ok}
	case topicChat:
		if len(content) == 0 {
			return frame{}
		}
		in, ok := decodeItem(content)
		if !ok {
			return frame{kind: frameBadItem}
		}
		return frame{kind: frameChat, item: in}
	case "":
		if message != "" {
			return frame{kind: frameError, message: message}
		}
	}
	return frame{}
}

// contentBytes returns the JSON inside a frame's content, which the
// service sends as a JSON string holding JSON and some fakes send as the
// object itself.
func contentBytes(c json.RawMessage) []byte {
	c = bytes.TrimSpace(c)
	if len(c) > 0 && c[0] == '"' {
		var s string
		if json.Unmarshal(c, &s) != nil {
			return nil
		}
		return bytes.TrimSpace([]byte(s))
	}
	if len(c) == 0 || bytes.Equal(c, []byte("null")) {
		return nil
	}
	return c
}

// wireItem is an item as the WebSocket sends it, for encoding/json, whose
// rule for member names (exact, else case-insensitive) is the only one:
// IsFromPastSession (iOS) and isFromPastSession (Android) are one member.
// Times and flags are read as text, and a member of the wrong JSON type is
// skipped (encoding/json goes on and reports it), so that an item the
// strict participant types refuse still gives what can be read.
type wireItem struct {
	AbsoluteTime      string
	Attachments       []wireAttachment
	ContactID         string `json:"ContactId"`
	Content           string
	ContentType       participant.ContentType
	DisplayName       string
	ID                string `json:"Id"`
	InitialContactID  string `json:"InitialContactId"`
	MessageMetadata   *wireMetadata
	ParticipantID     string `json:"ParticipantId"`
	ParticipantRole   participant.ParticipantRole
	RelatedContactID  string `json:"RelatedContactId"`
	Type              participant.ChatItemType
	IsFromPastSession json.RawMessage
}

type wireAttachment struct {
	AttachmentID   string `json:"AttachmentId"`
	AttachmentName string
	ContentType    string
	Status         participant.ArtifactStatus
}

type wireMetadata struct {
	MessageID               string `json:"MessageId"`
	MessageProcessingStatus participant.MessageProcessingStatus
	Receipts                []wireReceipt
	MessageCompleted        json.RawMessage
	ChunkNumber             json.RawMessage
}

type wireReceipt struct {
	DeliveredTimestamp     string
	ReadTimestamp          string
	RecipientParticipantID string `json:"RecipientParticipantId"`
}

// decodeItem decodes the JSON of an item once, leniently (see wireItem).
// ok is false when b is not a JSON object: there is no item to deliver.
func decodeItem(b []byte) (in incoming, ok bool) {
	var w wireItem
	if err := json.Unmarshal(b, &w); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) || te.Field == "" {
			// Not an object, or not JSON at all.
			return incoming{}, false
		}
	}
	in = incoming{raw: json.RawMessage(b), it: participant.Item{
		ContactID:        w.ContactID,
		Content:          w.Content,
		ContentType:      w.ContentType,
		DisplayName:      w.DisplayName,
		ID:               w.ID,
		InitialContactID: w.InitialContactID,
		ParticipantID:    w.ParticipantID,
		ParticipantRole:  w.ParticipantRole,
		RelatedContactID: w.RelatedContactID,
		Type:             w.Type,
	}}
	in.it.AbsoluteTime = serviceTime(w.AbsoluteTime)
	for _, a := range w.Attachments {
		in.it.Attachments = append(in.it.Attachments, participant.AttachmentItem(a))
	}
	if md := w.MessageMetadata; md != nil {
		m := &participant.MessageMetadata{MessageID: md.MessageID, MessageProcessingStatus: md.MessageProcessingStatus}
		for _, r := range md.Receipts {
			rc := participant.Receipt{RecipientParticipantID: r.RecipientParticipantID}
			rc.DeliveredTimestamp = serviceTime(r.DeliveredTimestamp)
			rc.ReadTimestamp = serviceTime(r.ReadTimestamp)
			m.Receipts = append(m.Receipts, rc)
		}
		in.it.MessageMetadata = m
		if done, ok := boolValue(md.MessageCompleted); ok && !done {
			in.incomplete = true
			in.chunk, _ = strconv.Atoi(strings.Trim(string(md.ChunkNumber), `" `))
		}
	}
	past, _ := boolValue(w.IsFromPastSession)
	in.past = past || in.it.RelatedContactID != ""
	return in, true
}

// boolValue reads a JSON boolean, or a string holding one.
func boolValue(v json.RawMessage) (value, ok bool) {
	switch s := strings.Trim(strings.TrimSpace(string(v)), `"`); {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// serviceTime reads a time the service sent, leniently (internal/wire's one
// rule); the zero Time when it cannot.
func serviceTime(s string) participant.Time {
	t, _ := wire.ParseTime(s)
	return participant.Time{Time: t}
}
