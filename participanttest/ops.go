package participanttest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/connectchat/participant/internal/wire"
)

// answer runs f under the server's lock and writes its result: an error
// response, or 200 with the JSON of the value (a json.RawMessage is written
// as is).
func (s *Server) answer(x *exchange, f func() (any, *apiError)) {
	s.mu.Lock()
	v, e := f()
	var b []byte
	if e == nil {
		if raw, ok := v.(json.RawMessage); ok {
			b = raw
		} else {
			var err error
			if b, err = json.Marshal(v); err != nil {
				e = newAPIError("InternalServerException", "participanttest: "+err.Error())
			}
		}
	}
	s.mu.Unlock()
	if e != nil {
		x.fail(e)
		return
	}
	x.okBytes(b)
}

// tokenChecks checks the bearer token's length (presence is checked by
// authentication, with 403).
func tokenChecks(v *checks, field, bearer string) {
	if bearer != "" {
		v.length(field, bearer, 1, 1000)
	}
}

var createParticipantConnectionOp = jsonOp[createConnectionIn]{
	check: func(v *checks, in *createConnectionIn) {
		if in.Type != nil && len(in.Type) == 0 {
			v.add("type", "Member must have length greater than or equal to 1")
		}
		for i, t := range in.Type {
			v.enum(fmt.Sprintf("type.%d.member", i+1), t, "WEBSOCKET", "CONNECTION_CREDENTIALS", "WEBRTC_CONNECTION")
		}
	},
	run: func(c *call, in *createConnectionIn) (any, *apiError) {
		s, m := c.s, c.m
		var out createConnectionOut
		for _, t := range in.Type {
			switch t {
			case "WEBRTC_CONNECTION":
				return nil, validation("participanttest does not emulate WebRTC: WEBRTC_CONNECTION is not supported")
			case "WEBSOCKET":
				if out.Websocket == nil {
					out.Websocket = s.issueWebSocketURL(m, s.wsBase(c.x.r))
				}
			case "CONNECTION_CREDENTIALS":
				if out.ConnectionCredentials == nil {
					tok, exp := s.issueToken(kindConnection, m, s.cfg.life.ConnectionToken)
					out.ConnectionCredentials = &connectionCredentialsOut{ConnectionToken: tok, Expiry: formatTime(exp)}
				}
			}
		}
		if in.ConnectParticipant {
			m.connected = true
		}
		return out, nil
	},
}

// issueWebSocketURL hands out a single-use WebSocket URL for m. s.mu must be
// held.
func (s *Server) issueWebSocketURL(m *member, base string) *websocketOut {
	now := s.now()
	secret := s.newSecret(48)
	exp := now.Add(s.cfg.life.WebSocketURL)
	s.tickets[secret] = &wsTicket{m: m, expires: exp}
	u := fmt.Sprintf("%s%s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=%s&X-Amz-Expires=%d&X-Amz-Signature=%s",
		base, wsPath, now.Format("20060102T150405Z"), int(s.cfg.life.WebSocketURL.Seconds()), secret)
	return &websocketOut{URL: u, ConnectionExpiry: formatTime(exp)}
}

// wsBase returns the scheme, host and path prefix of the WebSocket URLs
// handed out in answer to r.
func (s *Server) wsBase(r *http.Request) string {
	if s.cfg.wsBase != "" {
		return s.cfg.wsBase
	}
	scheme := "ws"
	if r.TLS != nil {
		scheme = "wss"
	}
	host := r.Host
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		name, port = host, ""
	}
	if strings.EqualFold(name, "localhost") {
		// amazon-connect-chatjs accepts ws:// only for 127.0.0.1.
		if la, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr); ok && la.IP.IsLoopback() {
			if la.IP.To4() != nil {
				name = "127.0.0.1"
			} else {
				name = "::1"
			}
		}
	}
	if port != "" {
		host = net.JoinHostPort(name, port)
	} else if strings.Contains(name, ":") {
		host = "[" + name + "]"
	} else {
		host = name
	}
	return scheme + "://" + host
}

// messageLimits are the content types SendMessage accepts and the most
// characters of Content each allows.
var messageLimits = map[string]int{
	wire.ContentTypePlainText:           1024,
	wire.ContentTypeMarkdown:            1024,
	wire.ContentTypeJSON:                12000,
	wire.ContentTypeInteractiveResponse: 12288,
}

var sendMessageOp = jsonOp[sendMessageIn]{
	check: func(v *checks, in *sendMessageIn) {
		v.required("contentType", in.ContentType, 1, 100)
		v.required("content", in.Content, 1, 16384)
		v.length("clientToken", in.ClientToken, 0, 500)
	},
	run: func(c *call, in *sendMessageIn) (any, *apiError) {
		m := c.m
		limit, ok := messageLimits[in.ContentType]
		if !ok {
			return nil, validation(fmt.Sprintf("participanttest: ContentType %q is not a message content type (text/plain, text/markdown, application/json, %s)", in.ContentType, wire.ContentTypeInteractiveResponse))
		}
		if !m.c.supported[in.ContentType] {
			return nil, validation(fmt.Sprintf("participanttest: ContentType %q is not among this contact's SupportedMessagingContentTypes", in.ContentType))
		}
		if utf8.RuneCountInString(in.Content) > limit {
			var lv checks
			lv.length("content", in.Content, 1, limit)
			return nil, lv.err()
		}
		it := c.s.postMessage(m, in.ContentType, in.Content)
		return idTimeOut{ID: it.ID, AbsoluteTime: it.AbsoluteTime}, nil
	},
}

// postMessage adds a message of m to the chat. s.mu must be held.
func (s *Server) postMessage(m *member, contentType, content string) *Item {
	it := &Item{Type: TypeMessage, ContentType: contentType, Content: content, ParticipantID: m.id, DisplayName: m.name, ParticipantRole: m.role}
	s.emit(m.c, it, true, nil)
	return it
}

var sendEventOp = jsonOp[sendEventIn]{
	check: func(v *checks, in *sendEventIn) {
		v.required("contentType", in.ContentType, 1, 100)
		v.optional("content", in.Content, 1, 16384)
		v.length("clientToken", in.ClientToken, 0, 500)
	},
	run: func(c *call, in *sendEventIn) (any, *apiError) {
		content := ""
		if in.Content != nil {
			content = *in.Content
		}
		it, e := c.s.postEvent(c.m, in.ContentType, content)
		if e != nil {
			return nil, e
		}
		return idTimeOut{ID: it.ID, AbsoluteTime: it.AbsoluteTime}, nil
	},
}

// postEvent sends an event of m: typing, a receipt, or the deprecated
// connection acknowledgement. s.mu must be held.
func (s *Server) postEvent(m *member, contentType, content string) (*Item, *apiError) {
	switch contentType {
	case wire.ContentTypeTyping:
		it := &Item{Type: TypeEvent, ContentType: wire.ContentTypeTyping, ParticipantID: m.id, DisplayName: m.name, ParticipantRole: m.role}
		s.emit(m.c, it, false, nil)
		s.noteTyping(m)
		return it, nil
	case wire.ContentTypeMessageDelivered, wire.ContentTypeMessageRead:
		return s.postReceipt(m, contentType, content)
	case wire.ContentTypeConnectionAcknowledged:
		m.connected = true
		return &Item{ID: s.newID(), AbsoluteTime: formatTime(s.now())}, nil
	}
	return nil, validation(fmt.Sprintf("participanttest: ContentType %q is not an event a participant can send (%s, %s, %s)", contentType, wire.ContentTypeTyping, wire.ContentTypeMessageDelivered, wire.ContentTypeMessageRead))
}

// postReceipt records a read or delivered receipt of m and sends it, as a
// MESSAGEMETADATA item, to the sender of the message only. s.mu must be held.
func (s *Server) postReceipt(m *member, contentType, content string) (*Item, *apiError) {
	var rc struct {
		MessageID string `json:"messageId"`
	}
	if content == "" || json.Unmarshal([]byte(content), &rc) != nil || rc.MessageID == "" {
		return nil, validation(`participanttest: the Content of a receipt must be {"messageId":"<id of the message>"}`)
	}
	if n := m.c.active(); n > 2 {
		return nil, newAPIError("ConflictException", fmt.Sprintf("Message receipts are not supported when there are more than two active participants in the chat (participanttest: %d are active)", n))
	}
	now := formatTime(s.now())
	it := &Item{Type: TypeMessageMetadata, ContentType: wire.ContentTypeMessageMetadata, ID: s.newID(), AbsoluteTime: now}
	msg := m.c.receiptTarget(rc.MessageID)
	if msg == nil || msg.ParticipantID == m.id {
		// Nothing to tell anyone: an unknown message, or one's own.
		return it, nil
	}
	r := msg.receiptOf(m.id)
	if contentType == wire.ContentTypeMessageRead {
		r.ReadTimestamp = now
	} else if r.DeliveredTimestamp == "" {
		r.DeliveredTimestamp = now
	}
	it.MessageMetadata = &MessageMetadata{MessageID: msg.ID, Receipts: []Receipt{*r}}
	if sender := m.c.member(msg.ParticipantID); sender != nil {
		s.emit(m.c, it, false, sender)
	}
	return it, nil
}

// receiptTarget is the message or attachment with this id, nil when there
// is none. Receipts are for recent messages, so the scan starts from the
// newest: a long chat's receipts cost about the same as a short one's.
func (c *contact) receiptTarget(id string) *Item {
	for i := len(c.items) - 1; i >= 0; i-- {
		if x := c.items[i]; x.ID == id && (x.Type == TypeMessage || x.Type == TypeAttachment) {
			return x
		}
	}
	return nil
}

// receiptOf is the receipt of this recipient in the message's metadata,
// added when it has none yet.
func (it *Item) receiptOf(recipient string) *Receipt {
	if it.MessageMetadata == nil {
		it.MessageMetadata = &MessageMetadata{MessageID: it.ID}
	}
	rs := &it.MessageMetadata.Receipts
	for i := range *rs {
		if (*rs)[i].RecipientParticipantID == recipient {
			return &(*rs)[i]
		}
	}
	*rs = append(*rs, Receipt{RecipientParticipantID: recipient})
	return &(*rs)[len(*rs)-1]
}

// member is the contact's participant with this id, nil when there is
// none.
func (c *contact) member(id string) *member {
	for _, o := range c.members {
		if o.id == id {
			return o
		}
	}
	return nil
}

var disconnectParticipantOp = jsonOp[disconnectIn]{
	check: func(v *checks, in *disconnectIn) {
		v.length("clientToken", in.ClientToken, 0, 500)
	},
	run: func(c *call, _ *disconnectIn) (any, *apiError) {
		c.s.leave(c.m)
		return struct{}{}, nil
	},
}
