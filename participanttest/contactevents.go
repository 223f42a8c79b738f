package participanttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/connectchat/participant/internal/contactevent"
)

// ContactEvent is an Amazon Connect contact event the server sends (see
// [WithContactEvents] and [WithContactEventFunc]).
type ContactEvent struct {
	// EventType is INITIATED (StartChatContact, or [Server.StartChat]) or
	// DISCONNECTED (the chat ended: the customer left, StopContact, the
	// chat's duration ran out).
	EventType string
	// ContactID is the chat's contact.
	ContactID string
	// Body is the event as EventBridge delivers it to an API destination:
	// the envelope (detail-type "Amazon Connect Contact Event", source
	// aws.connect) with the contact event in detail (eventType, contactId,
	// initialContactId, channel CHAT, instanceArn, initiationMethod API,
	// timestamps).
	Body []byte
}

// ContactEventSecretHeader is the header that carries the secret of
// [WithContactEvents], as an EventBridge connection with API key
// authorization sends it: the bot runtime's default header.
const ContactEventSecretHeader = contactevent.SecretHeader

// WithContactEvents makes the server POST Amazon Connect contact events,
// shaped as EventBridge API destinations deliver them, to url: INITIATED
// when a chat starts, DISCONNECTED when it ends. A non-empty secret goes
// in the [ContactEventSecretHeader] header. Delivery is in the background
// and never holds up the server: events wait in bounded queues (one
// contact's events in order), a full queue drops the event with a
// warning, and a delivery that fails (a network error, 429 or 5xx) is
// retried up to 3 times, 250 ms apart and doubling; each attempt times out
// after 5 seconds, as EventBridge's does. Close stops delivery.
func WithContactEvents(url, secret string) Option {
	return func(cf *config) {
		cf.contactEvents = cf.contactEvents.with(func(s *contactEvents) {
			s.url, s.secret = url, secret
		})
	}
}

// WithContactEventFunc makes the server hand each contact event to f, in
// a goroutine of its own (one contact's events in order, through the same
// bounded queues as [WithContactEvents]): the in-process hook for Go
// tests, such as a bot runtime's Start and Stop. f must not call Close.
func WithContactEventFunc(f func(ContactEvent)) Option {
	return func(cf *config) {
		cf.contactEvents = cf.contactEvents.with(func(s *contactEvents) {
			s.funcs = append(s.funcs, f)
		})
	}
}

// Bounds of contact event delivery.
const (
	contactEventLanes    = 4    // delivery goroutines; a contact always uses the same one
	contactEventQueue    = 1024 // events waiting per lane
	contactEventAttempts = 4
	contactEventTimeout  = 5 * time.Second
	contactEventBackoff  = 250 * time.Millisecond
)

// contactEvents delivers a server's contact events. Its lanes start with
// the first event and stop at close.
type contactEvents struct {
	url, secret string
	funcs       []func(ContactEvent)

	mu      sync.Mutex // guards lanes, closed, dropped
	lanes   []chan ContactEvent
	closed  bool
	dropped int
	log     *slog.Logger
	client  *http.Client
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// with returns s, or a new one when s is nil, changed by f.
func (s *contactEvents) with(f func(*contactEvents)) *contactEvents {
	if s == nil {
		s = &contactEvents{}
	}
	f(s)
	return s
}

// contactEvent sends the contact event eventType of c, when the server has
// a contact event destination. It is called from the points where a chat
// starts (newContact) and ends (endChat). s.mu must be held; it never
// blocks.
func (s *Server) contactEvent(c *contact, eventType string) {
	ce := s.cfg.contactEvents
	if ce == nil {
		return
	}
	now := s.now()
	const account, region = "123456789012", "us-east-1"
	instanceARN := fmt.Sprintf("arn:aws:connect:%s:%s:instance/%s", region, account, c.instanceID)
	d := &contactevent.Detail{
		EventType:           eventType,
		ContactID:           c.id,
		InitialContactID:    c.initialID,
		Channel:             contactevent.ChannelChat,
		InstanceARN:         instanceARN,
		InitiationMethod:    "API",
		InitiationTimestamp: formatTime(c.started),
	}
	if eventType == contactevent.TypeDisconnected {
		d.DisconnectTimestamp = formatTime(now)
	}
	body, _ := json.Marshal(contactevent.Event{
		Version:    "0",
		ID:         uuidFrom(s.reqIDs),
		DetailType: contactevent.DetailType,
		Source:     contactevent.Source,
		Account:    account,
		Time:       now.Format(time.RFC3339),
		Region:     region,
		Resources:  []string{instanceARN + "/contact/" + c.id, instanceARN},
		Detail:     d,
	})
	ce.send(ContactEvent{EventType: eventType, ContactID: c.id, Body: body}, s.ctx, s.cfg.logger)
}

// send queues ev on its contact's lane, starting the lanes on first use.
func (s *contactEvents) send(ev ContactEvent, ctx context.Context, log *slog.Logger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if s.lanes == nil {
		s.log = log
		if s.log == nil {
			s.log = slog.Default()
		}
		s.ctx, s.cancel = context.WithCancel(ctx)
		s.client = &http.Client{
			Timeout:       contactEventTimeout,
			Transport:     &http.Transport{MaxIdleConnsPerHost: contactEventLanes, IdleConnTimeout: 30 * time.Second},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		s.lanes = make([]chan ContactEvent, contactEventLanes)
		for i := range s.lanes {
			s.lanes[i] = make(chan ContactEvent, contactEventQueue)
			s.wg.Add(1)
			go s.lane(s.lanes[i])
		}
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(ev.ContactID))
	select {
	case s.lanes[h.Sum32()%contactEventLanes] <- ev:
	default:
		s.dropped++
		s.log.Warn("participanttest: contact event dropped: the delivery queue is full", "event", ev.EventType, "contact_id", ev.ContactID, "dropped", s.dropped)
	}
}

// lane delivers the events of its queue, in order, until close.
func (s *contactEvents) lane(q chan ContactEvent) {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case ev := <-q:
			for _, f := range s.funcs {
				f(ev)
			}
			if s.url != "" {
				s.post(ev)
			}
		}
	}
}

// post delivers ev to the URL, retrying failures that may pass.
func (s *contactEvents) post(ev ContactEvent) {
	wait := contactEventBackoff
	var last string
	for attempt := 1; attempt <= contactEventAttempts; attempt++ {
		if attempt > 1 {
			t := time.NewTimer(wait)
			select {
			case <-s.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			wait *= 2
		}
		req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.url, bytes.NewReader(ev.Body))
		if err != nil {
			s.log.Warn("participanttest: contact event not delivered", "url", s.url, "err", err)
			return
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		if s.secret != "" {
			req.Header.Set(ContactEventSecretHeader, s.secret)
		}
		resp, err := s.client.Do(req)
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			last = err.Error()
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode < 300:
			return
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			last = resp.Status
		default:
			s.log.Warn("participanttest: contact event refused", "event", ev.EventType, "contact_id", ev.ContactID, "status", resp.Status)
			return
		}
	}
	s.log.Warn("participanttest: contact event not delivered", "event", ev.EventType, "contact_id", ev.ContactID, "attempts", contactEventAttempts, "last", last)
}

// close stops delivery: events still queued are dropped, a delivery in
// flight is cancelled, and close waits for the lanes.
func (s *contactEvents) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.closed = true
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
}
