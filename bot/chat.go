package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
)

// Chat is one chat as its handler sees it: the chat's events ([Chat.Next])
// and a small reply API (send a message, show typing while working, read
// receipts). The runner creates it; the handler must not keep it after it
// returns.
type Chat struct {
	r         *Runner
	ru        *run
	tok       participant.Token
	log       *slog.Logger
	sess      atomic.Pointer[chat.Session] // replaced when a broken session is resumed
	ended     atomic.Bool                  // the chat ended: nothing to leave
	nextMu    sync.Mutex                   // one Next (and so one resume) at a time
	failed    int                          // resumes failed in a row; under nextMu
	resumed   bool                         // the session was resumed and has not yet said so; under nextMu
	typingMu  sync.Mutex                   // guards typingOff, typingOut and typingEnd
	typingOff chan struct{}                // closed to stop the typing loop; nil when none runs
	typingOut chan struct{}                // closed when the typing event on its way is answered; nil when none is
	typingEnd bool                         // the chat is being left: no new typing loop
	typingWG  sync.WaitGroup               // the typing loop
}

func newChat(r *Runner, ru *run, sess *chat.Session, tok participant.Token, log *slog.Logger) *Chat {
	c := &Chat{r: r, ru: ru, tok: tok, log: log}
	c.sess.Store(sess)
	return c
}

// ContactID returns the chat's contact id.
func (c *Chat) ContactID() string { return c.ru.contactID }

// Logger returns the runner's logger with the contact_id attribute.
func (c *Chat) Logger() *slog.Logger { return c.log }

// Session returns the chat's current session, for what Chat does not wrap
// (attachments, the ConnectionToken). It is replaced when a broken
// session is resumed: call Session again rather than keeping it.
func (c *Chat) Session() *chat.Session { return c.sess.Load() }

func (c *Chat) session() *chat.Session { return c.sess.Load() }

// Next returns the chat's next event, as chat.Session.Next does: the
// chat's history first, then live events, each item once, in order. It
// returns chat.ErrChatEnded once the chat ended, and the ctx error once
// ctx or the chat's own ctx (Stop, Shutdown) ended.
//
// A session that breaks (chat.ErrBroken: it gave up reconnecting) is
// resumed from its checkpoint, with backoff, up to
// Options.ResumeAttempts times in a row: the KindConnectionBroken event is
// passed on, then the resumed session's first event comes as
// KindConnectionReestablished, followed by the items missed meanwhile,
// none twice. Call Next from one goroutine at a time.
func (c *Chat) Next(ctx context.Context) (chat.Event, error) {
	if ctx != c.ru.ctx {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(c.ru.ctx, cancel)()
	}
	c.nextMu.Lock()
	defer c.nextMu.Unlock()
	for {
		sess := c.session()
		ev, err := sess.Next(ctx)
		if err == nil {
			c.failed = 0
			if c.resumed && ev.Kind == chat.KindConnectionEstablished {
				ev.Kind = chat.KindConnectionReestablished
			}
			c.resumed = false
			return ev, nil
		}
		switch {
		case errors.Is(err, chat.ErrChatEnded):
			c.ended.Store(true)
			return ev, err
		case errors.Is(err, chat.ErrBroken) && ctx.Err() == nil:
			if rerr := c.resume(ctx, sess, err); rerr != nil {
				return chat.Event{}, rerr
			}
		default:
			return ev, err
		}
	}
}

// resume replaces a broken session with one resumed from its checkpoint,
// after a backoff. It returns an error when it gives up.
func (c *Chat) resume(ctx context.Context, broken *chat.Session, cause error) error {
	st := broken.Checkpoint()
	for {
		if c.r.o.ResumeAttempts < 0 || c.failed >= c.r.o.ResumeAttempts {
			c.log.Warn("bot: session broken; not resuming", "err", cause, "failed_resumes", c.failed)
			return cause
		}
		wait := time.Second << min(c.failed, 5)
		if wait > 30*time.Second {
			wait = 30 * time.Second
		}
		c.failed++
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		s, err := chat.Resume(ctx, c.r.o.Client, c.tok, st, c.r.sessionOptions(c.log))
		if err != nil {
			var ad *participant.AccessDeniedError
			if errors.As(err, &ad) {
				// The ParticipantToken stopped working: the chat ended
				// (or the bot was taken out of it) while offline.
				c.ended.Store(true)
				c.log.Info("bot: session broken and the chat is over", "err", err)
				return chat.ErrChatEnded
			}
			c.log.Warn("bot: resuming failed", "err", err, "attempt", c.failed)
			cause = err
			continue
		}
		_ = broken.Close()
		c.sess.Store(s)
		c.resumed = true
		c.r.st.resumes.Add(1)
		c.log.Info("bot: session resumed from its checkpoint", "after", cause)
		return nil
	}
}

// Send sends a plain-text message and ends the typing indicator that
// [Chat.Typing] started.
func (c *Chat) Send(ctx context.Context, text string) error {
	_, err := c.SendMessage(ctx, &chat.Message{Content: text})
	return err
}

// SendMessage sends a message (any content type the chat supports), as
// chat.Session.SendMessage does: sending the same *chat.Message again
// after an unknown outcome is acted on once. It ends the typing indicator
// that [Chat.Typing] started, first waiting (up to a second, or until ctx
// ends) for a typing event still on its way, so that the message comes
// after it.
func (c *Chat) SendMessage(ctx context.Context, m *chat.Message) (*participant.SendMessageOutput, error) {
	if out := c.haltTyping(); out != nil {
		// A typing event on its way, if the message overtook it, would
		// show the bot typing after its answer: let it arrive first, for
		// a while.
		t := time.NewTimer(typingWait)
		select {
		case <-out:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	return c.session().SendMessage(ctx, m)
}

// typingWait is how long a message waits for a typing event on its way.
const typingWait = time.Second

// Typing shows the customer that the bot is typing while it works (an
// answer from a model, a lookup): a typing event now, and another each
// Options.Session.TypingInterval (10 s) until stop is called, a message is
// sent, ctx ends or the chat is left. The events go out in the background;
// a stop that comes before the first has gone out sends none, and a
// message waits (up to a second) for one on its way, so that typing never
// follows the answer. Calling it while typing shows is a no-op. Failures
// to send typing are logged at Debug: typing is a hint.
func (c *Chat) Typing(ctx context.Context) (stop func()) {
	c.typingMu.Lock()
	defer c.typingMu.Unlock()
	if c.typingOff != nil || c.typingEnd {
		return c.stopTyping
	}
	off := make(chan struct{})
	c.typingOff = off
	c.typingWG.Add(1)
	go c.keepTyping(ctx, off)
	return c.stopTyping
}

// keepTyping sends typing events until off closes or a ctx ends.
func (c *Chat) keepTyping(ctx context.Context, off chan struct{}) {
	defer c.typingWG.Done()
	every := c.r.o.Session.TypingInterval
	if every <= 0 {
		every = 10 * time.Second
	}
	// A little after the session's throttle lets the next one through.
	t := time.NewTicker(every + 100*time.Millisecond)
	defer t.Stop()
	for {
		// stop may have come before this goroutine first ran (a handler
		// that answers at once): typing sent now would reach the customer
		// after the answer, and show the bot typing again. Checked under
		// typingMu, with the event marked on its way, so that a message
		// sent meanwhile knows to wait for it.
		c.typingMu.Lock()
		if c.typingOff != off {
			c.typingMu.Unlock()
			return
		}
		out := make(chan struct{})
		c.typingOut = out
		c.typingMu.Unlock()
		sctx, cancel := context.WithTimeout(c.ru.ctx, 10*time.Second)
		stopCtx := context.AfterFunc(ctx, cancel)
		err := c.session().SendTyping(sctx)
		stopCtx()
		cancel()
		c.typingMu.Lock()
		if c.typingOut == out {
			c.typingOut = nil
		}
		c.typingMu.Unlock()
		close(out)
		if err != nil {
			c.log.Debug("bot: typing not sent", "err", err)
		}
		select {
		case <-off:
			return
		case <-ctx.Done():
			c.typingMu.Lock()
			if c.typingOff == off {
				close(off)
				c.typingOff = nil
			}
			c.typingMu.Unlock()
			return
		case <-c.ru.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// stopTyping ends the typing loop, if one runs.
func (c *Chat) stopTyping() { c.haltTyping() }

// haltTyping ends the typing loop, if one runs, and returns the channel
// closed once the typing event on its way is answered (nil when none is).
func (c *Chat) haltTyping() <-chan struct{} {
	c.typingMu.Lock()
	defer c.typingMu.Unlock()
	if c.typingOff != nil {
		close(c.typingOff)
		c.typingOff = nil
	}
	return c.typingOut
}

// endTyping stops the typing loop for good and waits for it.
func (c *Chat) endTyping() {
	c.typingMu.Lock()
	c.typingEnd = true
	c.typingMu.Unlock()
	c.stopTyping()
	c.typingWG.Wait()
}

// MarkRead sends a read receipt for the message messageID, as
// chat.Session.SendReadReceipt does (deduplicated and batched in the
// background).
func (c *Chat) MarkRead(messageID string) error {
	return c.session().SendReadReceipt(messageID)
}

// MarkDelivered sends a delivered receipt for the message messageID, as
// chat.Session.SendDeliveredReceipt does.
func (c *Chat) MarkDelivered(messageID string) error {
	return c.session().SendDeliveredReceipt(messageID)
}
