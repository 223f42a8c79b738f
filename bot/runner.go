package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
)

// JoinFunc adds the bot to the chat of contactID and returns its
// ParticipantToken. On Amazon Connect it calls CreateParticipant with
// ParticipantRole CUSTOM_BOT and a ClientToken derived from contactID (so
// that a repeated intake gets the same participant, never a second one);
// the module github.com/connectchat/participant/bot/connectjoin has one
// over aws-sdk-go-v2's connect client. ctx bounds the call.
type JoinFunc func(ctx context.Context, contactID string) (participant.Token, error)

// HandleFunc is the bot: it runs once per chat, reading the chat's events
// with [Chat.Next] and answering through c. The runner leaves the chat
// when it returns. When the chat ends, [Chat.Next] returns
// chat.ErrChatEnded; ctx ends when [Runner.Stop] is called for the contact
// and when [Runner.Shutdown]'s deadline passes: a handler must then return
// soon. A panic ends this chat's bot only: it is recovered, logged and
// counted in [Stats].Panics.
type HandleFunc func(ctx context.Context, c *Chat) error

// Options configures a [Runner]. Client, Join and Handle are required;
// every other field has a default.
type Options struct {
	// Client is the Participant Service client the chats share, such as
	// participant.NewFromConfig(cfg), or participanttest's Server.Client.
	Client *participant.Client

	// Join adds the bot to a chat: see [JoinFunc].
	Join JoinFunc

	// Handle is the bot: see [HandleFunc].
	Handle HandleFunc

	// MaxChats bounds the chats running at once, joins in progress
	// included: 1000. Past it, Start returns [ErrFull] (the HTTP intake
	// answers 429, which EventBridge retries).
	MaxChats int

	// Session configures each chat's session (chat.Connect). Logger is
	// replaced by the runner's, with the contact id; DisconnectWait, when
	// zero, becomes -1: the bot leaves without waiting for the end of a
	// chat that goes on without it.
	Session chat.Options

	// Logger receives the runner's records, each with the contact_id
	// attribute; the chats' sessions log through it too. Nil logs nothing.
	Logger *slog.Logger

	// JoinTimeout bounds a join, Join and chat.Connect together: 30 s.
	JoinTimeout time.Duration

	// LeaveTimeout bounds leaving a chat (DisconnectParticipant) after the
	// handler returned: 10 s.
	LeaveTimeout time.Duration

	// ResumeAttempts bounds how often a chat's broken session is resumed
	// from its checkpoint before the chat is given up: 5 in a row (a
	// resumed session that delivers an event starts the count again).
	// Each waits a backoff from 1 s doubling to 30 s. Negative: never
	// resume.
	ResumeAttempts int

	// Remember is how many finished contacts the runner remembers, so that
	// a late or repeated intake for a chat the bot already left is ignored
	// rather than joining again: 10,000.
	Remember int
}

// Errors of [Runner.Start].
var (
	// ErrFull: Options.MaxChats chats are running or joining.
	ErrFull = errors.New("bot: too many chats at once")
	// ErrShutdown: Shutdown was called; the runner takes no new chats.
	ErrShutdown = errors.New("bot: runner shut down")
	// ErrContactID: the contact id is empty or longer than 256 characters.
	ErrContactID = errors.New("bot: contact id must be 1 to 256 characters")
)

// Stats are a runner's counters since New, as [Runner.Stats] returns them.
type Stats struct {
	Active       int   // chats joining or running now
	Joined       int64 // chats joined (Join and chat.Connect succeeded)
	JoinFailures int64 // intakes whose Join or chat.Connect failed
	Duplicates   int64 // intakes ignored: the contact was running, joining or finished
	Rejected     int64 // intakes refused with ErrFull
	Stopped      int64 // chats stopped by Stop (DISCONNECTED) while running or joining
	Finished     int64 // handlers that returned, whatever their result
	HandlerErrs  int64 // handlers that returned an error
	Panics       int64 // handlers (and Joins) that panicked
	Resumes      int64 // broken sessions resumed from their checkpoint
	Left         int64 // chats left with DisconnectParticipant
	LeaveErrs    int64 // leaves that failed (the chat was then only closed)
	Abandoned    int64 // handlers still running when Shutdown gave up waiting
}

// Runner runs a bot in many chats at once, one handler per chat. Feed it
// contacts with [Runner.Start] or its HTTP intake ([Runner.ContactEvents]);
// stop it with [Runner.Shutdown]. Its methods are safe for concurrent use.
type Runner struct {
	o    Options
	log  *slog.Logger
	base context.Context // ends at the end of Shutdown's grace: every chat's ctx derives from it
	stop context.CancelFunc

	mu       sync.Mutex // guards chats, recent, draining
	chats    map[string]*run
	recent   recent
	draining bool
	wg       sync.WaitGroup // one per run, from intake to leave

	st counters
}

// run is one contact's bot, from intake to leave.
type run struct {
	contactID string
	ctx       context.Context
	cancel    context.CancelCauseFunc
	done      chan struct{} // closed once the chat is left
}

type counters struct {
	joined, joinFailures, duplicates, rejected, stopped, finished atomic.Int64
	handlerErrs, panics, resumes, left, leaveErrs, abandoned      atomic.Int64
}

// errStopped is the cause of a chat's ctx after Stop; errShutdown after
// Shutdown's deadline.
var (
	errStopped  = errors.New("bot: contact stopped (DISCONNECTED)")
	errDeadline = errors.New("bot: shutdown deadline passed")
)

// New returns a Runner. It fails when Client, Join or Handle is missing or
// a bound is negative.
func New(o Options) (*Runner, error) {
	switch {
	case o.Client == nil:
		return nil, errors.New("bot: Options.Client is required")
	case o.Join == nil:
		return nil, errors.New("bot: Options.Join is required")
	case o.Handle == nil:
		return nil, errors.New("bot: Options.Handle is required")
	case o.MaxChats < 0, o.JoinTimeout < 0, o.LeaveTimeout < 0, o.Remember < 0:
		return nil, errors.New("bot: MaxChats, JoinTimeout, LeaveTimeout and Remember must not be negative")
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.MaxChats, 1000)
	def(&o.ResumeAttempts, 5)
	def(&o.Remember, 10000)
	defd(&o.JoinTimeout, 30*time.Second)
	defd(&o.LeaveTimeout, 10*time.Second)
	if o.Session.DisconnectWait == 0 {
		o.Session.DisconnectWait = -1
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{o: o, log: log, chats: map[string]*run{}, recent: newRecent(o.Remember)}
	r.base, r.stop = context.WithCancel(context.Background())
	return r, nil
}

// Start puts the bot into the chat of contactID: Join, chat.Connect, then
// the handler in a goroutine of its own. It returns once the bot has
// joined (nil), or with the join's error; ctx bounds the join only (with
// Options.JoinTimeout), never the chat, which runs until it ends, the
// handler returns, or Stop or Shutdown.
//
// An intake for a contact whose bot is joining, running or finished (one
// of the last Options.Remember) is ignored: Start returns nil at once and
// counts it in Stats.Duplicates. A failed join is forgotten, so a retried
// intake tries again. Start returns ErrFull past Options.MaxChats and
// ErrShutdown after Shutdown.
func (r *Runner) Start(ctx context.Context, contactID string) error {
	if contactID == "" || utf8.RuneCountInString(contactID) > 256 {
		return ErrContactID
	}
	log := r.log.With("contact_id", contactID)
	r.mu.Lock()
	switch {
	case r.draining:
		r.mu.Unlock()
		return ErrShutdown
	case r.chats[contactID] != nil || r.recent.has(contactID):
		r.mu.Unlock()
		r.st.duplicates.Add(1)
		log.Debug("bot: duplicate intake ignored")
		return nil
	case len(r.chats) >= r.o.MaxChats:
		r.mu.Unlock()
		r.st.rejected.Add(1)
		log.Warn("bot: intake refused: too many chats", "max_chats", r.o.MaxChats)
		return ErrFull
	}
	ru := &run{contactID: contactID, done: make(chan struct{})}
	ru.ctx, ru.cancel = context.WithCancelCause(r.base)
	r.chats[contactID] = ru
	r.wg.Add(1)
	r.mu.Unlock()

	sess, tok, err := r.join(ctx, ru, log)
	if err != nil {
		stopped := context.Cause(ru.ctx) == errStopped
		r.finish(ru, stopped)
		if stopped {
			log.Info("bot: stopped while joining")
			return nil
		}
		r.st.joinFailures.Add(1)
		log.Warn("bot: join failed", "err", err)
		return fmt.Errorf("bot: joining contact %s: %w", contactID, err)
	}
	r.st.joined.Add(1)
	log.Info("bot: joined")
	go r.serve(ru, sess, tok, log)
	return nil
}

// join runs Join and chat.Connect, bounded by ctx, JoinTimeout and the
// run's own ctx (Stop, Shutdown).
func (r *Runner) join(ctx context.Context, ru *run, log *slog.Logger) (*chat.Session, participant.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, r.o.JoinTimeout)
	defer cancel()
	defer context.AfterFunc(ru.ctx, cancel)()
	tok, err := r.callJoin(ctx, ru.contactID, log)
	if err != nil {
		return nil, "", fmt.Errorf("join: %w", err)
	}
	if tok == "" {
		return nil, "", errors.New("join: Join returned an empty ParticipantToken")
	}
	sess, err := chat.Connect(ctx, r.o.Client, tok, r.sessionOptions(log))
	if err != nil {
		return nil, "", fmt.Errorf("chat.Connect: %w", err)
	}
	return sess, tok, nil
}

// callJoin calls Options.Join, turning a panic into an error: like a
// handler's, it fails this contact's join only.
func (r *Runner) callJoin(ctx context.Context, contactID string, log *slog.Logger) (tok participant.Token, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.st.panics.Add(1)
			log.Error("bot: Join panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("bot: Join panicked: %v", p)
		}
	}()
	return r.o.Join(ctx, contactID)
}

// sessionOptions is Options.Session with the chat's logger.
func (r *Runner) sessionOptions(log *slog.Logger) *chat.Options {
	o := r.o.Session
	if r.o.Logger != nil {
		o.Logger = log
	} else {
		o.Logger = nil
	}
	return &o
}

// serve runs the handler of one chat, then leaves it.
func (r *Runner) serve(ru *run, sess *chat.Session, tok participant.Token, log *slog.Logger) {
	c := newChat(r, ru, sess, tok, log)
	err := r.handle(ru.ctx, c, log)
	r.st.finished.Add(1)
	switch {
	case err == nil, errors.Is(err, chat.ErrChatEnded), errors.Is(err, context.Canceled) && ru.ctx.Err() != nil:
		log.Info("bot: handler returned", "err", err)
	default:
		r.st.handlerErrs.Add(1)
		log.Warn("bot: handler failed", "err", err)
	}
	r.leave(c, log)
	r.finish(ru, true)
}

// handle calls the handler, turning a panic into an error.
func (r *Runner) handle(ctx context.Context, c *Chat, log *slog.Logger) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.st.panics.Add(1)
			log.Error("bot: handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("bot: handler panicked: %v", p)
		}
	}()
	return r.o.Handle(ctx, c)
}

// leave takes the bot out of the chat, unless the chat ended, and
// releases the session.
func (r *Runner) leave(c *Chat, log *slog.Logger) {
	c.endTyping()
	sess := c.session()
	defer sess.Close()
	if c.ended.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.o.LeaveTimeout)
	defer cancel()
	if err := sess.Disconnect(ctx); err != nil {
		r.st.leaveErrs.Add(1)
		log.Warn("bot: leaving the chat failed", "err", err)
		return
	}
	r.st.left.Add(1)
	log.Info("bot: left the chat")
}

// finish forgets a run and, when remember is set, remembers its contact
// as finished (a failed join is not: a retried intake may try again).
func (r *Runner) finish(ru *run, remember bool) {
	r.mu.Lock()
	delete(r.chats, ru.contactID)
	if remember {
		r.recent.add(ru.contactID)
	}
	r.mu.Unlock()
	ru.cancel(context.Canceled)
	close(ru.done)
	r.wg.Done()
}

// Stop ends the bot of contactID (for DISCONNECTED): a join in progress
// is abandoned, a running handler's ctx ends (it should return; the runner
// then leaves the chat, which has usually ended already). The contact is
// remembered as finished either way, so that an INITIATED delivered after
// its DISCONNECTED starts nothing. It reports whether a bot was joining
// or running.
func (r *Runner) Stop(contactID string) bool {
	r.mu.Lock()
	ru := r.chats[contactID]
	if ru == nil {
		r.recent.add(contactID)
	}
	r.mu.Unlock()
	if ru == nil {
		return false
	}
	r.st.stopped.Add(1)
	ru.cancel(errStopped)
	return true
}

// Shutdown stops the runner gracefully: it takes no new chats (Start
// returns ErrShutdown), lets running handlers finish until ctx ends, then
// ends the ctx of those still running and waits, up to
// Options.LeaveTimeout more, for them to return and leave their chats.
// It returns nil when every chat was left in time, ctx's error when the
// deadline made it stop handlers, and an error naming the count of
// handlers that did not return at all (counted in Stats.Abandoned).
func (r *Runner) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.draining = true
	r.mu.Unlock()
	all := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(all)
	}()
	select {
	case <-all:
		r.stop()
		return nil
	case <-ctx.Done():
	}
	r.mu.Lock()
	n := len(r.chats)
	for _, ru := range r.chats {
		ru.cancel(errDeadline)
	}
	r.mu.Unlock()
	r.log.Info("bot: shutdown deadline passed; stopping handlers", "chats", n)
	r.stop()
	t := time.NewTimer(r.o.LeaveTimeout + time.Second)
	defer t.Stop()
	select {
	case <-all:
		return ctx.Err()
	case <-t.C:
	}
	r.mu.Lock()
	n = len(r.chats)
	r.mu.Unlock()
	r.st.abandoned.Add(int64(n))
	return fmt.Errorf("bot: %d handlers did not return after their ctx ended: %w", n, ctx.Err())
}

// Stats returns the runner's counters.
func (r *Runner) Stats() Stats {
	r.mu.Lock()
	active := len(r.chats)
	r.mu.Unlock()
	s := &r.st
	return Stats{
		Active: active, Joined: s.joined.Load(), JoinFailures: s.joinFailures.Load(),
		Duplicates: s.duplicates.Load(), Rejected: s.rejected.Load(), Stopped: s.stopped.Load(),
		Finished: s.finished.Load(), HandlerErrs: s.handlerErrs.Load(), Panics: s.panics.Load(),
		Resumes: s.resumes.Load(), Left: s.left.Load(), LeaveErrs: s.leaveErrs.Load(),
		Abandoned: s.abandoned.Load(),
	}
}
