package participanttest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/connectchat/participant/internal/contactevent"
	"github.com/connectchat/participant/internal/wire"
)

// contact is one chat contact. Everything in it is guarded by Server.mu.
type contact struct {
	id, initialID, instanceID string
	source                    *contact // persistent chat: the past contact this one continues
	started, expires          time.Time
	ended                     bool
	members                   []*member
	items                     []*Item // the transcript, in order
	supported                 map[string]bool
	uploads                   int        // attachment uploads started
	idem                      *idemStore // idempotent results by key
}

// member is one participant of a contact.
type member struct {
	id, role, name string
	c              *contact
	ptoken         string
	left           bool
	connected      bool
	sockets        []*socket
	agent          *AgentSession
}

type tokenKind uint8

const (
	kindParticipant tokenKind = iota + 1
	kindConnection
)

// field is the name of the input member a token of kind stands for, as
// validation messages name it.
func (k tokenKind) field() string {
	if k == kindParticipant {
		return "participantToken"
	}
	return "connectionToken"
}

// token is a ParticipantToken or ConnectionToken.
type token struct {
	kind    tokenKind
	m       *member
	expires time.Time // zero: while the participant is in the chat
}

// wsTicket is a WebSocket URL that has been handed out.
type wsTicket struct {
	m       *member
	expires time.Time
	used    bool
}

// newContact creates a contact. s.mu must be held.
func (s *Server) newContact(instanceID string, duration time.Duration, supported []string, source *contact) *contact {
	now := s.now()
	c := &contact{
		instanceID: instanceID,
		source:     source,
		started:    now,
		expires:    now.Add(duration),
		supported:  map[string]bool{},
		idem:       newIdemStore(maxChatRepeats),
	}
	c.id = s.newID()
	c.initialID = c.id
	s.active++
	for _, t := range supported {
		c.supported[t] = true
	}
	s.contacts[c.id] = c
	s.contactEvent(c, contactevent.TypeInitiated) // contact events (contactevents.go)
	return c
}

// addMember adds a participant to c, announces it with participant.joined,
// and returns it with its ParticipantToken and that token's expiry (the end
// of the chat when the token has no lifetime of its own). s.mu must be held.
func (s *Server) addMember(c *contact, role, name string) (*member, string, time.Time) {
	m := &member{id: s.newID(), role: role, name: name, c: c}
	c.members = append(c.members, m)
	tok, exp := s.issueToken(kindParticipant, m, s.cfg.life.ParticipantToken)
	m.ptoken = tok
	if exp.IsZero() {
		exp = c.expires
	}
	s.emit(c, &Item{Type: TypeEvent, ContentType: wire.ContentTypeParticipantJoined, ParticipantID: m.id, DisplayName: m.name, ParticipantRole: m.role}, true, nil)
	return m, tok, exp
}

// issueToken makes a token for m. lifetime zero makes a token that lives as
// long as m is in the chat. s.mu must be held.
func (s *Server) issueToken(kind tokenKind, m *member, lifetime time.Duration) (string, time.Time) {
	t := &token{kind: kind, m: m}
	if lifetime > 0 {
		t.expires = s.now().Add(lifetime)
	}
	v := s.newSecret(96)
	s.tokens[v] = t
	return v, t.expires
}

// touch ends c if its duration has run out. s.mu must be held.
func (s *Server) touch(c *contact) {
	if !c.ended && !s.now().Before(c.expires) {
		s.endChat(c)
	}
}

// emit stamps an item with an id, a time and the contact's ids, stores it in
// the transcript when store is set, and pushes it to every subscribed socket
// and scripted agent of the contact, or only to those of the member only.
// s.mu must be held.
func (s *Server) emit(c *contact, it *Item, store bool, only *member) {
	if it.ID == "" {
		it.ID = s.newID()
	}
	if it.AbsoluteTime == "" {
		it.AbsoluteTime = formatTime(s.now())
	}
	it.ContactID = c.id
	it.InitialContactID = c.initialID
	if store {
		c.items = append(c.items, it)
	}
	content, _ := json.Marshal(it)
	frame, _ := json.Marshal(chatFrame{Content: string(content), ContentType: "application/json", Topic: "aws/chat"})
	for _, m := range c.members {
		if only != nil && m != only {
			continue
		}
		for _, so := range m.sockets {
			if so.subscribed {
				s.pushItem(so, frame)
			}
		}
		if m.agent != nil && !m.left {
			m.agent.deliver(it.clone())
		}
	}
}

// endChat ends c with chat.ended. s.mu must be held.
func (s *Server) endChat(c *contact) {
	if c.ended {
		return
	}
	c.ended = true
	s.active--
	s.emit(c, &Item{Type: TypeEvent, ContentType: wire.ContentTypeChatEnded}, true, nil)
	s.contactEvent(c, contactevent.TypeDisconnected) // contact events (contactevents.go)
}

// chatQuotaReached reports whether a new chat would pass the cap on
// concurrent active chats ([WithMaxChats]). At the cap it first ends the
// chats whose duration has run out, which end lazily otherwise. s.mu must
// be held.
func (s *Server) chatQuotaReached() bool {
	limit := s.cfg.maxChats
	if limit <= 0 || s.active < limit {
		return false
	}
	for _, c := range s.contacts {
		s.touch(c)
	}
	return s.active >= limit
}

// chatQuotaError is StartChatContact's answer past the cap on concurrent
// active chats: Amazon Connect's LimitExceededException, HTTP 429 (the
// Connect API model: "Active chat throttling returns a
// LimitExceededException").
func (s *Server) chatQuotaError() *apiError {
	return newAPIError("LimitExceededException", fmt.Sprintf(
		"The allowed limit for the resource has been exceeded. (participanttest: %d concurrent active chats, the most WithMaxChats or --max-chats allows; end a chat to free a place)", s.cfg.maxChats))
}

// leave takes m out of the chat with participant.left; when m is the
// customer, the chat ends too. s.mu must be held.
func (s *Server) leave(m *member) {
	if m.left {
		return
	}
	m.left = true
	if m.agent != nil {
		m.agent.markLeft()
	}
	if !m.c.ended {
		s.emit(m.c, &Item{Type: TypeEvent, ContentType: wire.ContentTypeParticipantLeft, ParticipantID: m.id, DisplayName: m.name, ParticipantRole: m.role}, true, nil)
	}
	if m.role == RoleCustomer {
		s.endChat(m.c)
	}
}

// active counts the participants in the chat: joined and not left.
func (c *contact) active() int {
	n := 0
	for _, m := range c.members {
		if !m.left {
			n++
		}
	}
	return n
}

// chain reports whether other is c or one of the contacts c continues.
func (c *contact) chain(other *contact) bool {
	for x := c; x != nil; x = x.source {
		if x == other {
			return true
		}
	}
	return false
}

// authenticate finds the participant of a bearer token. err is the 403 for
// a missing, unknown, expired or wrong-kind token. gone is the 403 for a
// participant who has left or whose chat has ended: the caller answers it
// unless the request is an idempotent replay. s.mu must be held.
func (s *Server) authenticate(bearer string, kind tokenKind) (m *member, gone, err *apiError) {
	if bearer == "" {
		return nil, nil, accessDenied(reasonNoToken, "no X-Amz-Bearer token")
	}
	t := s.tokens[bearer]
	if t == nil {
		return nil, nil, accessDenied(reasonUnknownToken, "unknown token")
	}
	if t.kind != kind {
		if kind == kindConnection {
			return nil, nil, accessDenied(reasonWrongToken, "a ParticipantToken works only for CreateParticipantConnection; use the ConnectionToken")
		}
		return nil, nil, accessDenied(reasonWrongToken, "CreateParticipantConnection needs the ParticipantToken, not a ConnectionToken")
	}
	if !t.expires.IsZero() && !s.now().Before(t.expires) {
		return nil, nil, accessDenied(reasonTokenExpired, "token expired")
	}
	s.touch(t.m.c)
	switch {
	case t.m.c.ended:
		return t.m, accessDenied(reasonChatEnded, "the chat has ended"), nil
	case t.m.left:
		return t.m, accessDenied(reasonParticipantLeft, "the participant has left the chat"), nil
	}
	return t.m, nil, nil
}
