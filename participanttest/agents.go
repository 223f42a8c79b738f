package participanttest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/interactive"
	"github.com/connectchat/participant/internal/wire"
)

// Agent is a scripted participant that the server runs in-process, such as
// [EchoAgent] and [Bot]. Add one to a chat with [Server.AddAgent], or to
// every chat with [WithAgent].
type Agent interface {
	// Profile returns the role the agent joins with (RoleAgent,
	// RoleCustomBot or RoleSupervisor; another role means RoleAgent) and
	// its display name. It is called with the server's lock held and must
	// not call the Server.
	Profile() (role, displayName string)
	// Run plays the agent's part in one chat. It runs in a goroutine of its
	// own, which the server waits for on Close; ctx ends when the server
	// closes. Return when chat.Next reports an error.
	Run(ctx context.Context, chat *AgentSession) error
}

// ErrLeft is returned by the methods of an [AgentSession] whose participant
// has left the chat.
var ErrLeft = errors.New("participanttest: the agent has left the chat")

// AgentSession is a scripted agent's seat in a chat: it reads the chat's
// items and acts in it directly, without HTTP, but with the same rules and
// events as the service's API (a read receipt among more than two active
// participants fails with ConflictException, for instance).
type AgentSession struct {
	s *Server
	m *member

	mu     sync.Mutex
	queue  []Item
	wake   chan struct{}
	sawEnd bool
	left   bool
}

func (a *AgentSession) deliver(it Item) {
	a.mu.Lock()
	a.queue = append(a.queue, it)
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *AgentSession) markLeft() {
	a.mu.Lock()
	a.left = true
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// ContactID returns the id of the agent's contact.
func (a *AgentSession) ContactID() string { return a.m.c.id }

// ParticipantID returns the agent's participant id.
func (a *AgentSession) ParticipantID() string { return a.m.id }

// Next returns the next item of the chat: every item sent to the contact
// after the agent joined, in order, the agent's own included, and the
// receipts for its messages. After returning the chat.ended item it
// returns [ErrChatEnded]; once the agent has left, [ErrLeft]; when ctx
// ends, ctx's error.
func (a *AgentSession) Next(ctx context.Context) (Item, error) {
	for {
		a.mu.Lock()
		switch {
		case len(a.queue) > 0:
			it := a.queue[0]
			a.queue = a.queue[1:]
			if it.ContentType == wire.ContentTypeChatEnded {
				a.sawEnd = true
			}
			a.mu.Unlock()
			return it, nil
		case a.sawEnd:
			a.mu.Unlock()
			return Item{}, ErrChatEnded
		case a.left:
			a.mu.Unlock()
			return Item{}, ErrLeft
		}
		a.mu.Unlock()
		select {
		case <-a.wake:
		case <-ctx.Done():
			return Item{}, ctx.Err()
		}
	}
}

// usable reports why the agent cannot act. s.mu must be held.
func (a *AgentSession) usable() error {
	a.s.touch(a.m.c)
	switch {
	case a.m.c.ended:
		return ErrChatEnded
	case a.m.left:
		return ErrLeft
	}
	return nil
}

// SendMessage sends a message as the agent. Any content type is allowed,
// interactive messages included; Content must be 1 to 16384 characters.
func (a *AgentSession) SendMessage(contentType, content string) (Item, error) {
	if n := utf8.RuneCountInString(content); n < 1 || n > 16384 || contentType == "" {
		return Item{}, fmt.Errorf("participanttest: a message needs a content type and 1 to 16384 characters of content")
	}
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if err := a.usable(); err != nil {
		return Item{}, err
	}
	return a.s.postMessage(a.m, contentType, content).clone(), nil
}

// SendEvent sends an event as the agent, as SendEvent does: typing or a
// read or delivered receipt. Errors are the service's, such as
// ConflictException for a receipt among more than two active participants.
func (a *AgentSession) SendEvent(contentType, content string) (Item, error) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if err := a.usable(); err != nil {
		return Item{}, err
	}
	it, e := a.s.postEvent(a.m, contentType, content)
	if e != nil {
		return Item{}, e
	}
	return it.clone(), nil
}

// SendTyping sends a typing event as the agent.
func (a *AgentSession) SendTyping() error {
	_, err := a.SendEvent(wire.ContentTypeTyping, "")
	return err
}

// SendReadReceipt tells the sender of a message that the agent read it.
func (a *AgentSession) SendReadReceipt(messageID string) error {
	_, err := a.SendEvent(wire.ContentTypeMessageRead, wire.ReceiptContent(messageID))
	return err
}

// SendDeliveredReceipt tells the sender of a message that it reached the
// agent.
func (a *AgentSession) SendDeliveredReceipt(messageID string) error {
	_, err := a.SendEvent(wire.ContentTypeMessageDelivered, wire.ReceiptContent(messageID))
	return err
}

// Disconnect takes the agent out of the chat, with participant.left; the
// chat goes on.
func (a *AgentSession) Disconnect() error {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if err := a.usable(); err != nil {
		return err
	}
	a.s.leave(a.m)
	return nil
}

// EndChat ends the chat, as StopContact does.
func (a *AgentSession) EndChat() error {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if err := a.usable(); err != nil {
		return err
	}
	a.s.endChat(a.m.c)
	return nil
}

// addAgent adds a scripted participant to c and starts it. s.mu must be
// held.
func (s *Server) addAgent(c *contact, ag Agent) (*member, string) {
	role, name := ag.Profile()
	if role != RoleCustomBot && role != RoleSupervisor {
		role = RoleAgent
	}
	if name == "" {
		name = "Agent"
	}
	m, tok, _ := s.addMember(c, role, name)
	sess := &AgentSession{s: s, m: m, wake: make(chan struct{}, 1)}
	m.agent = sess
	if !s.closed {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = ag.Run(s.ctx, sess)
		}()
	}
	return m, tok
}

// AddAgent adds a scripted participant to a chat and starts it. It returns
// the agent's participant, whose token the test may ignore. An agent with a
// Validate method (such as [Bot]) whose Validate fails is refused with its
// error.
func (s *Server) AddAgent(contactID string, a Agent) (Participant, error) {
	if a == nil {
		return Participant{}, errors.New("participanttest: nil Agent")
	}
	if v, ok := a.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return Participant{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[contactID]
	if c == nil {
		return Participant{}, ErrUnknownContact
	}
	s.touch(c)
	if c.ended {
		return Participant{}, ErrChatEnded
	}
	m, tok := s.addAgent(c, a)
	return Participant{ContactID: c.id, ParticipantID: m.id, ParticipantToken: participant.Token(tok)}, nil
}

// EchoAgent is an agent that answers every customer message with the same
// message: it sends a read receipt for it, then typing, then the echo.
type EchoAgent struct {
	// DisplayName is the agent's name: "Echo" if empty.
	DisplayName string `json:"displayName,omitempty"`
	// Greeting, when set, is sent as a text/plain message when the agent
	// joins.
	Greeting string `json:"greeting,omitempty"`
	// Prefix is put before each echo.
	Prefix string `json:"prefix,omitempty"`
	// Delay is how long the agent "types" before each echo.
	Delay time.Duration `json:"delay,omitempty"`
	// NoReceipts stops the agent from sending read receipts.
	NoReceipts bool `json:"noReceipts,omitempty"`
}

// Profile returns RoleAgent and the agent's display name.
func (e EchoAgent) Profile() (string, string) {
	if e.DisplayName == "" {
		return RoleAgent, "Echo"
	}
	return RoleAgent, e.DisplayName
}

// Run echoes customer messages until the chat ends.
func (e EchoAgent) Run(ctx context.Context, chat *AgentSession) error {
	if e.Greeting != "" {
		if _, err := chat.SendMessage(wire.ContentTypePlainText, e.Greeting); err != nil {
			return err
		}
	}
	for {
		it, err := chat.Next(ctx)
		if err != nil {
			return err
		}
		if it.Type != TypeMessage || it.ParticipantRole != RoleCustomer {
			continue
		}
		if !e.NoReceipts {
			_ = chat.SendReadReceipt(it.ID) // a ConflictException among many participants is fine
		}
		if err := chat.SendTyping(); err != nil {
			return err
		}
		if err := wait(ctx, e.Delay); err != nil {
			return err
		}
		if _, err := chat.SendMessage(it.ContentType, e.Prefix+it.Content); err != nil {
			return err
		}
	}
}

// Bot is a custom bot that follows a simple script: a greeting, then for
// each customer message the reply of the first rule that matches it (or the
// fallback), each reply preceded by typing.
type Bot struct {
	// DisplayName is the bot's name: "Bot" if empty.
	DisplayName string `json:"displayName,omitempty"`
	// Greeting, when set, is sent when the bot joins.
	Greeting string `json:"greeting,omitempty"`
	// Rules are tried in order against each customer message.
	Rules []Rule `json:"rules,omitempty"`
	// Fallback, when set, answers a message no rule matches; otherwise
	// the bot stays silent.
	Fallback string `json:"fallback,omitempty"`
	// Delay is how long the bot "types" before each reply.
	Delay time.Duration `json:"delay,omitempty"`
	// ChoiceReply, when set, answers a customer message that picks a
	// choice of the last interactive message the bot sent (the choice's
	// reply as the widget sends it, or any interactive.response), before
	// the rules are tried; "{choice}" in it becomes the choice's title (or
	// the response's action).
	ChoiceReply string `json:"choiceReply,omitempty"`
}

// Rule is one step of a [Bot]'s script.
type Rule struct {
	// Contains matches messages that contain it, ignoring case; "" matches
	// every message. An interactive.response is matched by its action (or
	// the text typed into a view).
	Contains string `json:"contains,omitempty"`
	// Reply is the bot's text/plain answer; none if empty.
	Reply string `json:"reply,omitempty"`
	// End makes the bot end the chat after replying.
	End bool `json:"end,omitempty"`
	// Interactive, when set, is an interactive message template that the
	// bot sends after Reply, as content type
	// application/vnd.amazonaws.connect.message.interactive: a JSON object
	// such as {"templateType":"QuickReply","version":"1.0","data":{"content":
	// {"title":"Was this helpful?","elements":[{"title":"Yes"},{"title":"No"}]}}}
	// (package interactive decodes and builds them). [Bot.Validate] checks
	// it; a template type package interactive does not know is sent as is.
	Interactive json.RawMessage `json:"interactive,omitempty"`
}

// Profile returns RoleCustomBot and the bot's display name.
func (b Bot) Profile() (string, string) {
	if b.DisplayName == "" {
		return RoleCustomBot, "Bot"
	}
	return RoleCustomBot, b.DisplayName
}

// Run follows the script until the chat ends. A script that fails
// [Bot.Validate] ends the bot at once with that error.
func (b Bot) Run(ctx context.Context, chat *AgentSession) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if err := b.say(ctx, chat, wire.ContentTypePlainText, b.Greeting); err != nil {
		return err
	}
	var pending *interactive.Message // the last interactive message sent
	for {
		it, err := chat.Next(ctx)
		if err != nil {
			return err
		}
		if it.Type != TypeMessage || it.ParticipantRole != RoleCustomer {
			continue
		}
		end, err := b.answer(ctx, chat, it, &pending)
		if err != nil {
			return err
		}
		if end {
			return chat.EndChat()
		}
	}
}

// answer answers a customer's message: the ChoiceReply for an answer to
// the pending interactive message, else the reply and template of the
// matching rule (which becomes pending). It reports whether the rule ends
// the chat.
func (b Bot) answer(ctx context.Context, chat *AgentSession, it Item, pending **interactive.Message) (bool, error) {
	if choice, ok := answers(*pending, it); ok && b.ChoiceReply != "" {
		return false, b.say(ctx, chat, wire.ContentTypePlainText, strings.ReplaceAll(b.ChoiceReply, "{choice}", choice))
	}
	rule := b.rule(messageText(it))
	if err := b.say(ctx, chat, wire.ContentTypePlainText, rule.Reply); err != nil {
		return false, err
	}
	if len(rule.Interactive) > 0 {
		if err := b.say(ctx, chat, interactive.ContentType, string(rule.Interactive)); err != nil {
			return false, err
		}
		*pending, _ = interactive.Decode(string(rule.Interactive)) // checked by Validate
	}
	return rule.End, nil
}

// say sends a message after typing for the bot's Delay; nothing if text is
// empty.
func (b Bot) say(ctx context.Context, chat *AgentSession, contentType, text string) error {
	if text == "" {
		return nil
	}
	if err := chat.SendTyping(); err != nil {
		return err
	}
	if err := wait(ctx, b.Delay); err != nil {
		return err
	}
	_, err := chat.SendMessage(contentType, text)
	return err
}

// rule returns the first rule that matches text, or the fallback.
func (b Bot) rule(text string) Rule {
	for _, r := range b.Rules {
		if strings.Contains(strings.ToLower(text), strings.ToLower(r.Contains)) {
			return r
		}
	}
	return Rule{Reply: b.Fallback}
}

// wait sleeps d, or until ctx ends.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
