package chat

import (
	"context"
	"errors"
	"time"

	"github.com/connectchat/participant"
	"github.com/google/uuid"
)

// Message is a message to send with Session.SendMessage.
type Message struct {
	// ContentType is the message's type: participant.ContentTypePlainText
	// when empty.
	ContentType participant.ContentType
	// Content is the message.
	Content string
	// ClientToken makes the send idempotent. SendMessage sets it, when
	// empty, before the first attempt; sending the same *Message again (a
	// retry after a timeout, a network error, a restart that kept it) then
	// reuses it, and the service acts once. Set it yourself to tie it to
	// an id of your own.
	ClientToken string
}

// SendMessage sends a message as the session's participant, with the
// current ConnectionToken. m.ClientToken is filled in when empty and kept:
// to retry a send whose outcome is unknown, call SendMessage again with the
// same m (not concurrently). The message comes back as a KindMessage event,
// like everyone else's, with Event.Own set.
func (s *Session) SendMessage(ctx context.Context, m *Message) (*participant.SendMessageOutput, error) {
	if m == nil {
		return nil, errors.New("chat: nil Message")
	}
	tok, err := s.liveToken()
	if err != nil {
		return nil, err
	}
	if m.ClientToken == "" {
		m.ClientToken = uuid.NewString()
	}
	ct := m.ContentType
	if ct == "" {
		ct = participant.ContentTypePlainText
	}
	counted := s.beginSend()
	out, err := s.client.SendMessage(ctx, &participant.SendMessageInput{
		ConnectionToken: tok,
		ContentType:     ct,
		Content:         m.Content,
		ClientToken:     m.ClientToken,
	}, s.met.calls()...)
	id := ""
	if err == nil {
		id = out.ID
	}
	s.endSend(counted, id)
	return out, err
}

// SendTyping tells the other participants that this one is typing, at most
// once per Options.TypingInterval: the first call of a burst is sent at
// once (and waited for), the others return nil without sending. A failed
// send does not count, so the next call tries again.
func (s *Session) SendTyping(ctx context.Context) error {
	s.mu.Lock()
	if s.term != nil {
		err := s.term
		s.mu.Unlock()
		return err
	}
	now := time.Now()
	if iv := s.cfg.TypingInterval; iv > 0 && !s.lastTyping.IsZero() && now.Before(s.lastTyping.Add(iv)) {
		s.mu.Unlock()
		s.st.typingThrottledOne()
		return nil
	}
	prev := s.lastTyping
	s.lastTyping = now
	tok := s.token
	s.mu.Unlock()
	counted := s.beginSend()
	out, err := s.client.SendTyping(ctx, tok, s.met.calls()...)
	id := ""
	if err == nil {
		id = out.ID
	}
	s.endSend(counted, id)
	if err != nil {
		s.mu.Lock()
		if s.lastTyping.Equal(now) {
			s.lastTyping = prev
		}
		s.mu.Unlock()
		return err
	}
	s.st.typingSentOne()
	return nil
}

// SendReadReceipt asks the session to tell the sender of the message
// messageID that this participant read it. It returns at once: the receipt
// is deduplicated, batched and sent as Options.Receipts says, in the
// background. It returns the session's end error once the session is over,
// and nil without sending when receipts are disabled.
func (s *Session) SendReadReceipt(messageID string) error {
	return s.askReceipt(reqRead, messageID)
}

// SendDeliveredReceipt asks the session to tell the sender of the message
// messageID that it reached this participant. As SendReadReceipt, and
// never sent once a read receipt for the message was asked for.
func (s *Session) SendDeliveredReceipt(messageID string) error {
	return s.askReceipt(reqDelivered, messageID)
}

func (s *Session) askReceipt(k reqKind, id string) error {
	if id == "" {
		return errors.New("chat: empty message id")
	}
	if s.cfg.Receipts.Disabled {
		s.mu.Lock()
		err := s.term
		s.mu.Unlock()
		return err
	}
	return s.ask(request{kind: k, id: id})
}

// Disconnect takes the participant out of the chat: it sends the receipts
// already asked for, calls DisconnectParticipant, then waits, up to
// Options.DisconnectWait or until ctx ends, for the chat.ended event (for a
// customer, leaving ends the chat; events keep coming until then, such as a
// post-chat survey). The session is then over: Next returns the remaining
// events, then ErrChatEnded (or ErrDisconnected if no chat.ended came).
// Call Close afterwards to release the session.
//
// It returns DisconnectParticipant's error, if any (the session then goes
// on), and nil if the chat had already ended. The call continues in the
// background if ctx ends first.
func (s *Session) Disconnect(ctx context.Context) error {
	done := make(chan error, 1)
	if err := s.ask(request{kind: reqDisconnect, done: done}); err != nil {
		if errors.Is(err, ErrChatEnded) || errors.Is(err, ErrDisconnected) {
			return nil
		}
		return err
	}
	select {
	case err := <-done:
		if err != nil && !isAccessDenied(err) {
			return err
		}
	case <-s.done:
		return s.endErr()
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// endErr maps the session's end to Disconnect's result.
func (s *Session) endErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if errors.Is(s.term, ErrChatEnded) || errors.Is(s.term, ErrDisconnected) {
		return nil
	}
	return s.term
}

// liveToken returns the ConnectionToken, or why the session cannot act.
func (s *Session) liveToken() (participant.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.term != nil {
		return "", s.term
	}
	return s.token, nil
}
