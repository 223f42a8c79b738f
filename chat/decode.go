package chat

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/connectchat/participant"
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
}

// parseFrame decodes a server frame. It never fails: what it cannot read
// is frameIgnored, or a frameChat whose item is KindOther.
func parseFrame(data []byte) frame {
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
	switch f.Topic {
	case topicSubscribe:
		c := contentBytes(f.Content)
		var sc struct {
			Status string `json:"status"`
		}
		_ = json.Unmarshal(c, &sc)
		return frame{kind: frameSubscribe, status: sc.Status}
	case topicHeartbeat:
		return frame{kind: frameHeartbeat}
	case topicPing:
		code, _ := strconv.Atoi(strings.Trim(string(f.StatusCode), `"`))
		// The mobile SDKs also want statusContent "OK"; chatjs looks at the
		// code only. A 200 without content is fine here.
		ok := code == 200 && (f.StatusContent == "" || strings.EqualFold(f.StatusContent, "OK"))
		return frame{kind: framePing, pingOK: ok}
	case topicChat:
		c := contentBytes(f.Content)
		if len(c) == 0 {
			return frame{}
		}
		return frame{kind: frameChat, item: decodeItem(c)}
	case "":
		if f.Message != "" {
			return frame{kind: frameError, message: f.Message}
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

// decodeItem decodes the JSON of an item leniently: with the participant
// package's decoder when the item is well formed, else member by member,
// keeping whatever can be read.
func decodeItem(b []byte) incoming {
	in := incoming{raw: json.RawMessage(b)}
	if err := json.Unmarshal(b, &in.it); err != nil {
		in.it = lenientItem(b)
	}
	// Most items have neither streaming metadata nor the past flag: look
	// for them only when the bytes mention them.
	if bytes.Contains(b, []byte("romPastSession")) {
		in.past = pastFlag(b)
	}
	if bytes.Contains(b, []byte("MessageCompleted")) || bytes.Contains(b, []byte("ChunkNumber")) {
		var aux struct {
			MessageMetadata *struct {
				MessageCompleted json.RawMessage
				ChunkNumber      json.RawMessage
			}
		}
		if json.Unmarshal(b, &aux) == nil && aux.MessageMetadata != nil {
			if done, ok := boolValue(aux.MessageMetadata.MessageCompleted); ok && !done {
				in.incomplete = true
				in.chunk, _ = strconv.Atoi(strings.Trim(string(aux.MessageMetadata.ChunkNumber), `" `))
			}
		}
	}
	in.past = in.past || in.it.RelatedContactID != ""
	return in
}

// pastFlag reads isFromPastSession, which the iOS SDK spells
// IsFromPastSession and the Android SDK isFromPastSession: true when any
// spelling is true (a boolean or the string "true").
func pastFlag(b []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	for k, v := range m {
		if strings.EqualFold(k, "isFromPastSession") {
			if t, ok := boolValue(v); ok && t {
				return true
			}
		}
	}
	return false
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

// lenientItem reads what it can of an item that the strict decoder
// refused (a member of the wrong JSON type, a time in another format).
func lenientItem(b []byte) participant.Item {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return participant.Item{}
	}
	str := func(name string) string {
		for k, v := range m {
			if strings.EqualFold(k, name) {
				var s string
				if json.Unmarshal(v, &s) == nil {
					return s
				}
				return strings.Trim(string(v), `"`)
			}
		}
		return ""
	}
	raw := func(name string) json.RawMessage {
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return nil
	}
	it := participant.Item{
		ContactID:        str("ContactId"),
		Content:          str("Content"),
		ContentType:      participant.ContentType(str("ContentType")),
		DisplayName:      str("DisplayName"),
		ID:               str("Id"),
		InitialContactID: str("InitialContactId"),
		ParticipantID:    str("ParticipantId"),
		ParticipantRole:  participant.ParticipantRole(str("ParticipantRole")),
		RelatedContactID: str("RelatedContactId"),
		Type:             participant.ChatItemType(str("Type")),
	}
	if t, ok := parseTime(str("AbsoluteTime")); ok {
		it.AbsoluteTime = participant.Time{Time: t}
	}
	if v := raw("Attachments"); v != nil {
		_ = json.Unmarshal(v, &it.Attachments)
	}
	if v := raw("MessageMetadata"); v != nil {
		var md participant.MessageMetadata
		if json.Unmarshal(v, &md) == nil {
			it.MessageMetadata = &md
		}
	}
	return it
}

// parseTime reads an ISO-8601 time in the forms services write.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && ms > 0 {
		return time.UnixMilli(ms), true
	}
	return time.Time{}, false
}
