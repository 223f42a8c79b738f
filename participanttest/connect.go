package participanttest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
)

// Participant is a participant the server added to a chat: the customer of
// [Server.StartChat], or one added with [Server.AddParticipant] or
// [Server.AddAgent].
type Participant struct {
	ContactID        string            // the chat's contact
	ParticipantID    string            // the participant's id
	ParticipantToken participant.Token // for CreateParticipantConnection
}

// ChatOptions configures [Server.StartChat], as the members of the same
// names configure StartChatContact.
type ChatOptions struct {
	// DisplayName is the customer's display name: "Customer" if empty.
	DisplayName string
	// InitialMessage, when set, is the customer's first message.
	InitialMessage string
	// InitialMessageContentType is its content type: text/plain if empty.
	InitialMessageContentType string
	// ChatDuration is how long the chat lasts: Lifetimes.Chat (25 hours) if
	// zero.
	ChatDuration time.Duration
	// SupportedMessagingContentTypes are the content types SendMessage
	// accepts in this chat: text/plain only if nil, as in the service.
	SupportedMessagingContentTypes []string
	// PersistentChat, when set, continues a past, ended chat.
	PersistentChat *PersistentChat
}

// PersistentChat continues a past chat (persistent chat).
type PersistentChat struct {
	// SourceContactID is the past contact.
	SourceContactID string
	// RehydrationType is ENTIRE_PAST_SESSION (continue the most recent
	// ended contact of the chat session SourceContactID started; the
	// default) or FROM_SEGMENT (continue SourceContactID itself).
	RehydrationType string
}

// chatRequest is a StartChatContact, from the wire or from Go.
type chatRequest struct {
	instanceID, name string
	initCT, initMsg  string
	duration         time.Duration
	supported        []string
	persistent       *PersistentChat
}

// startChat starts a contact with its customer. s.mu must be held.
func (s *Server) startChat(r chatRequest) (c *contact, cust *member, tok string, from *contact, e *apiError) {
	var source *contact
	if pc := r.persistent; pc != nil {
		if source, e = s.persistentSource(pc); e != nil {
			return nil, nil, "", nil, e
		}
	}
	if s.chatQuotaReached() {
		return nil, nil, "", nil, s.chatQuotaError()
	}
	if r.duration <= 0 {
		r.duration = s.cfg.life.Chat
	}
	if len(r.supported) == 0 {
		r.supported = []string{wire.ContentTypePlainText}
	}
	c = s.newContact(r.instanceID, r.duration, r.supported, source)
	if source != nil {
		s.emit(c, &Item{Type: TypeEvent, ContentType: wire.ContentTypeChatRehydrated, ParticipantRole: RoleSystem, DisplayName: ctDefaultDispName}, true, nil)
	}
	cust, tok, _ = s.addMember(c, RoleCustomer, r.name)
	if r.initMsg != "" {
		s.postMessage(cust, r.initCT, r.initMsg)
	}
	for _, newAgent := range s.cfg.agents {
		if a := newAgent(); a != nil {
			s.addAgent(c, a)
		}
	}
	return c, cust, tok, source, nil
}

// persistentSource is the ended contact a persistent chat continues: the
// SourceContactId itself (FROM_SEGMENT), or the most recent ended contact of
// the chat session it began. s.mu must be held.
func (s *Server) persistentSource(pc *PersistentChat) (*contact, *apiError) {
	src := s.contacts[pc.SourceContactID]
	if src == nil {
		return nil, newAPIError("ResourceNotFoundException", "participanttest: the persistent chat's SourceContactId is not a contact")
	}
	s.touch(src)
	if pc.RehydrationType != "FROM_SEGMENT" {
		src = s.latestEnded(src)
	}
	if !src.ended {
		return nil, newAPIError("InvalidRequestException", "participanttest: only an ended chat can be continued as a persistent chat")
	}
	return src, nil
}

// latestEnded is the most recent ended contact of the chat session src
// began (src itself when none is later). s.mu must be held.
func (s *Server) latestEnded(src *contact) *contact {
	best := src
	for _, o := range s.contacts {
		if o == src || !o.chain(src) {
			continue
		}
		s.touch(o)
		if o.ended && (o.started.After(best.started) || o.chain(best)) {
			best = o
		}
	}
	return best
}

// StartChat starts a chat as StartChatContact does and returns its
// customer.
func (s *Server) StartChat(o ChatOptions) (Participant, error) {
	r := chatRequest{
		instanceID: "participanttest",
		name:       o.DisplayName,
		initCT:     o.InitialMessageContentType,
		initMsg:    o.InitialMessage,
		duration:   o.ChatDuration,
		supported:  o.SupportedMessagingContentTypes,
		persistent: o.PersistentChat,
	}
	if r.name == "" {
		r.name = "Customer"
	}
	if r.initCT == "" && r.initMsg != "" {
		r.initCT = wire.ContentTypePlainText
	}
	var v checks
	chatChecks(&v, r)
	if e := v.errCode("InvalidParameterException"); e != nil {
		return Participant{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, cust, tok, _, e := s.startChat(r)
	if e != nil && e.code == "LimitExceededException" {
		return Participant{}, fmt.Errorf("%w: %d are active, the most WithMaxChats allows", ErrMaxChats, s.cfg.maxChats)
	}
	if e != nil {
		return Participant{}, e
	}
	return Participant{ContactID: c.id, ParticipantID: cust.id, ParticipantToken: participant.Token(tok)}, nil
}

var chatContentTypes = []string{wire.ContentTypePlainText, wire.ContentTypeMarkdown, wire.ContentTypeJSON, wire.ContentTypeInteractiveMessage, wire.ContentTypeInteractiveResponse}

// chatChecks checks a StartChatContact's constraints.
func chatChecks(v *checks, r chatRequest) {
	v.required("instanceId", r.instanceID, 1, 100)
	v.required("participantDetails.displayName", r.name, 1, 256)
	if r.initMsg != "" || r.initCT != "" {
		v.required("initialMessage.contentType", r.initCT, 1, 100)
		v.required("initialMessage.content", r.initMsg, 1, 16384)
		if limit, ok := messageLimits[r.initCT]; ok {
			v.length("initialMessage.content", r.initMsg, 1, limit)
		} else if r.initCT != "" {
			v.enum("initialMessage.contentType", r.initCT, wire.ContentTypePlainText, wire.ContentTypeMarkdown, wire.ContentTypeJSON, wire.ContentTypeInteractiveResponse)
		}
	}
	if r.duration != 0 {
		v.rangeOf("chatDurationInMinutes", int64(r.duration/time.Minute), 60, 10080)
	}
	if r.supported != nil {
		plain := false
		for i, t := range r.supported {
			v.enum(fmt.Sprintf("supportedMessagingContentTypes.%d.member", i+1), t, chatContentTypes...)
			plain = plain || t == wire.ContentTypePlainText
		}
		if !plain {
			v.add("supportedMessagingContentTypes", "Member must contain text/plain")
		}
	}
	if pc := r.persistent; pc != nil {
		v.required("persistentChat.sourceContactId", pc.SourceContactID, 1, 256)
		if pc.RehydrationType != "" {
			v.enum("persistentChat.rehydrationType", pc.RehydrationType, "ENTIRE_PAST_SESSION", "FROM_SEGMENT")
		}
	}
}

// request is the chatRequest of a StartChatContact. A ChatDurationInMinutes
// present but zero is out of range: its duration is -1.
func (in *startChatIn) request() chatRequest {
	r := chatRequest{instanceID: in.InstanceID, supported: in.SupportedMessagingContentTypes}
	if in.ParticipantDetails != nil {
		r.name = in.ParticipantDetails.DisplayName
	}
	if in.InitialMessage != nil {
		r.initCT, r.initMsg = in.InitialMessage.ContentType, in.InitialMessage.Content
	}
	if in.ChatDurationInMinutes != nil {
		r.duration = time.Duration(*in.ChatDurationInMinutes) * time.Minute
		if r.duration == 0 {
			r.duration = -1
		}
	}
	if pc := in.PersistentChat; pc != nil {
		r.persistent = &PersistentChat{SourceContactID: pc.SourceContactID, RehydrationType: pc.RehydrationType}
	}
	return r
}

var startChatContactOp = jsonOp[startChatIn]{
	invalid: "InvalidParameterException",
	check: func(v *checks, in *startChatIn) {
		chatChecks(v, in.request())
		v.required("contactFlowId", in.ContactFlowID, 1, 500)
		if in.ParticipantDetails == nil {
			v.null("participantDetails")
		}
		if in.ChatDurationInMinutes != nil && *in.ChatDurationInMinutes == 0 {
			v.rangeOf("chatDurationInMinutes", 0, 60, 10080)
		}
		v.length("clientToken", in.ClientToken, 0, 500)
	},
	run: func(c *call, in *startChatIn) (any, *apiError) {
		r := in.request()
		r.duration = max(r.duration, 0)
		ct, cust, tok, from, e := c.s.startChat(r)
		if e != nil {
			return nil, e
		}
		out := startChatOut{ContactID: ct.id, ParticipantID: cust.id, ParticipantToken: tok}
		if from != nil {
			out.ContinuedFromContactID = from.id
		}
		return out, nil
	},
}

// addParticipant adds an agent, bot or supervisor to a contact. s.mu must
// be held.
func (s *Server) addParticipant(contactID, role, name string) (*member, string, time.Time, *apiError) {
	c := s.contacts[contactID]
	if c == nil {
		return nil, "", time.Time{}, newAPIError("ResourceNotFoundException", "participanttest: no contact has this ContactId")
	}
	s.touch(c)
	if c.ended {
		return nil, "", time.Time{}, newAPIError("InvalidRequestException", "participanttest: the contact's chat has ended")
	}
	if role == RoleAgent || role == RoleCustomBot {
		s.stepAside(c)
	}
	m, tok, exp := s.addMember(c, role, name)
	return m, tok, exp, nil
}

// stepAside takes the scripted participants ([WithAgent], [Server.AddAgent])
// out of c, with participant.left, as in a transfer: a backend that adds its
// own agent or bot takes the chat over, and the chat keeps two active
// participants, so read receipts work. s.mu must be held.
func (s *Server) stepAside(c *contact) {
	for _, o := range c.members {
		if o.agent != nil && !o.left {
			s.leave(o)
		}
	}
}

// AddParticipant adds a participant to a chat as CreateParticipant does:
// role is RoleAgent, RoleCustomBot or RoleSupervisor. Connect with its
// ParticipantToken like any other participant. An agent or bot added so
// takes the chat over: the scripted participants in it leave first (with
// participant.left, as in a transfer); a supervisor joins beside them.
func (s *Server) AddParticipant(contactID, role, displayName string) (Participant, error) {
	var v checks
	v.enum("participantDetails.participantRole", role, RoleAgent, RoleCustomBot, RoleSupervisor)
	v.length("participantDetails.displayName", displayName, 1, 256)
	if e := v.errCode("InvalidParameterException"); e != nil {
		return Participant{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, tok, _, e := s.addParticipant(contactID, role, displayName)
	if e != nil {
		return Participant{}, e
	}
	return Participant{ContactID: contactID, ParticipantID: m.id, ParticipantToken: participant.Token(tok)}, nil
}

var createParticipantOp = jsonOp[createParticipantIn]{
	invalid: "InvalidRequestException",
	check: func(v *checks, in *createParticipantIn) {
		v.required("instanceId", in.InstanceID, 1, 100)
		v.required("contactId", in.ContactID, 1, 256)
		v.length("clientToken", in.ClientToken, 0, 500)
		if d := in.ParticipantDetails; d == nil {
			v.null("participantDetails")
		} else {
			if d.ParticipantRole == "" {
				v.null("participantDetails.participantRole")
			} else {
				v.enum("participantDetails.participantRole", d.ParticipantRole, RoleAgent, RoleCustomer, RoleSystem, RoleCustomBot, RoleSupervisor)
			}
			v.required("participantDetails.displayName", d.DisplayName, 1, 256)
		}
	},
	run: func(c *call, in *createParticipantIn) (any, *apiError) {
		role := in.ParticipantDetails.ParticipantRole
		if role == RoleCustomer || role == RoleSystem {
			return nil, newAPIError("InvalidRequestException", "participanttest: CreateParticipant adds AGENT, CUSTOM_BOT or SUPERVISOR participants")
		}
		m, tok, exp, e := c.s.addParticipant(in.ContactID, role, in.ParticipantDetails.DisplayName)
		if e != nil {
			return nil, e
		}
		return createParticipantOut{
			ParticipantCredentials: participantCredentialsOut{ParticipantToken: tok, Expiry: formatTime(exp)},
			ParticipantID:          m.id,
		}, nil
	},
}

// StopContact ends a chat as StopContact does: chat.ended goes to every
// participant and every token of the chat stops working (403).
func (s *Server) StopContact(contactID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[contactID]
	if c == nil {
		return ErrUnknownContact
	}
	s.touch(c)
	if c.ended {
		return ErrChatEnded
	}
	s.endChat(c)
	return nil
}

var stopContactOp = jsonOp[stopContactIn]{
	invalid: "InvalidParameterException",
	check: func(v *checks, in *stopContactIn) {
		v.required("contactId", in.ContactID, 1, 256)
		v.required("instanceId", in.InstanceID, 1, 100)
		if in.DisconnectReason != nil {
			v.length("disconnectReason.code", in.DisconnectReason.Code, 1, 128)
		}
	},
	run: func(c *call, in *stopContactIn) (any, *apiError) {
		ct := c.s.contacts[in.ContactID]
		if ct != nil {
			c.s.touch(ct)
		}
		if ct == nil || ct.ended {
			return nil, newAPIError("ContactNotFoundException", "Contact not found or not active")
		}
		c.s.endChat(ct)
		return struct{}{}, nil
	},
}

// Connection is what CreateParticipantConnection returns when asked for
// WEBSOCKET and CONNECTION_CREDENTIALS.
type Connection struct {
	ConnectionToken  participant.Token // for the other ten operations
	ConnectionExpiry time.Time         // when ConnectionToken stops working
	WebSocketURL     string            // single use
	WebSocketExpiry  time.Time         // when WebSocketURL stops opening sockets
}

// Connect does from Go what CreateParticipantConnection does with Type
// WEBSOCKET and CONNECTION_CREDENTIALS and ConnectParticipant: it checks the
// ParticipantToken and returns a new ConnectionToken and WebSocket URL (on
// the host of URL, or [WithWebSocketBaseURL]'s). It fails with the
// service's 403 error for a token that does not work.
func (s *Server) Connect(participantToken participant.Token) (Connection, error) {
	base := s.cfg.wsBase
	if base == "" {
		switch {
		case strings.HasPrefix(s.URL, "https://"):
			base = "wss://" + strings.TrimPrefix(s.URL, "https://")
		case strings.HasPrefix(s.URL, "http://"):
			base = "ws://" + strings.TrimPrefix(s.URL, "http://")
		default:
			return Connection{}, errors.New("participanttest: the server has no URL yet: start it, or set WithWebSocketBaseURL")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, gone, e := s.authenticate(participantToken.Reveal(), kindParticipant)
	if e == nil {
		e = gone
	}
	if e != nil {
		return Connection{}, e
	}
	m.connected = true
	ws := s.issueWebSocketURL(m, base)
	tok, exp := s.issueToken(kindConnection, m, s.cfg.life.ConnectionToken)
	wsExp, _ := time.Parse(wire.TimeLayout, ws.ConnectionExpiry)
	return Connection{ConnectionToken: participant.Token(tok), ConnectionExpiry: exp, WebSocketURL: ws.URL, WebSocketExpiry: wsExp}, nil
}
