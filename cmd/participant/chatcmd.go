package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/aws/smithy-go"
	"golang.org/x/term"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/interactive"
	"github.com/connectchat/participant/participanttest"
)

func init() {
	register(command{"chat", "Chat from the terminal (on the local service with an echo agent, or the real one)", runChat})
}

const (
	// maxOutbox bounds the messages typed but not sent yet.
	maxOutbox = 100
	// maxReconnects is how many failed reconnects in a row the chat takes
	// before it gives up: about two minutes with the session's backoff.
	maxReconnects = 8
	// drainWait bounds how long leaving waits for messages still being
	// sent.
	drainWait = 10 * time.Second
)

func runChat(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "chat",
		"An interactive chat in the terminal. With --participant-token (or PARTICIPANT_TOKEN) and\n"+
			"--region or --endpoint it joins that chat. With --endpoint and no token it starts a customer\n"+
			"chat on that service (StartChatContact, as start-chat does), so it shows in the agent console\n"+
			"of 'participant local'. With neither, it starts the local Participant Service in this process\n"+
			"with an echo agent.\n\n"+
			"The line is edited as in a shell: arrows, Home/End, Ctrl-A/E, Ctrl-U, Ctrl-W, Ctrl-K, and\n"+
			"Up/Down for the lines sent before. Incoming messages, typing and read receipts show as they\n"+
			"arrive, above the line being typed; messages shown are marked read for the others; typing\n"+
			"events go out while you type. Lost connections are shown and recovered; a message typed\n"+
			"meanwhile is sent once the service answers again, or listed as not sent when the chat ends\n"+
			"first. Commands: /attach FILE, /transcript, /quit. Ctrl-C leaves the chat too (exit 130),\n"+
			"Ctrl-D on an empty line leaves it (exit 0). When the service ends the chat for a reason other\n"+
			"than someone leaving it (it forgot the chat, or stopped answering), the exit code is not 0.\n\n"+
			"When standard input is not a terminal, each line is a message. After the last one the chat\n"+
			"waits (up to --wait) until the others have answered: sent as many messages as you did, and\n"+
			"stopped typing. Then it leaves.",
		"  participant chat\n"+
			"  participant chat --name Ann\n"+
			"  participant chat --endpoint http://127.0.0.1:8480      # a new chat on 'participant local'\n"+
			"  PARTICIPANT_TOKEN=... participant chat --region us-east-1\n"+
			"  printf 'Hello\\nBye\\n' | participant chat --wait 5s")
	var cf clientFlags
	var tok tokenFlag
	cf.add(fs)
	tok.add(fs, "participant-token", "PARTICIPANT_TOKEN", "the ParticipantToken of a chat to join")
	name := fs.String("name", "You", "your display name in a chat this command starts")
	wait := fs.Duration("wait", 30*time.Second, "with piped input: after its end, wait up to this long for the answers (0: leave at once)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if *wait < 0 {
		return usagef("--wait must not be negative")
	}
	var (
		client *participant.Client
		pt     participant.Token
		err    error
	)
	local := false
	switch {
	case tok.value != "" || e.getenv("PARTICIPANT_TOKEN") != "":
		if client, pt, err = cf.connect(e, &tok); err != nil {
			return err
		}
	case cf.endpoint != "":
		// A customer chat on that service, as a widget's backend starts one.
		if client, err = cf.client(e); err != nil {
			return err
		}
		out, err := startChatContact(ctx, cf.endpoint, *name, "")
		if err != nil {
			return err
		}
		pt = participant.Token(out.ParticipantToken)
		local = true
		fmt.Fprintf(e.stdout, "Started a chat on %s (contact %s).\n", strings.TrimRight(cf.endpoint, "/"), out.ContactID)
	case cf.region != "":
		return usagef("--region needs --participant-token (or PARTICIPANT_TOKEN): on the real service your backend starts the chat; --endpoint URL starts one on a local service")
	default:
		srv := participanttest.NewServer(participanttest.WithAgent(func() participanttest.Agent {
			return participanttest.EchoAgent{DisplayName: "Echo", Greeting: "Hi! I repeat what you say. Type /quit to leave.", Delay: 700 * time.Millisecond}
		}))
		defer srv.Close()
		client = srv.Client()
		cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: *name})
		if err != nil {
			return err
		}
		pt = cust.ParticipantToken
		local = true
		fmt.Fprintf(e.stdout, "Local Participant Service at %s, with an echo agent.\n", srv.URL)
	}
	defer client.CloseIdleConnections()

	sess, err := chat.Connect(ctx, client, pt, &chat.Options{TypingTimeout: 4 * time.Second, MaxReconnectAttempts: maxReconnects})
	if err != nil {
		return err
	}
	defer sess.Close()
	ui := &chatUI{e: e, sess: sess, client: client, names: map[string]string{}, wait: *wait,
		mine: map[string]bool{}, typing: map[string]bool{}, changed: make(chan struct{}, 1),
		wake: make(chan struct{}, 1), typed: make(chan struct{}, 1)}
	if local {
		ui.myName = *name
	}
	return ui.run(ctx)
}

// chatUI is the terminal side of `participant chat`.
type chatUI struct {
	e      *env
	sess   *chat.Session
	client *participant.Client
	wait   time.Duration // with piped input, how long to wait for answers

	// term edits the line when standard input and output are a terminal
	// (nil otherwise: lines in, lines out). screen is what it writes
	// through; keys is what it reads.
	term   *term.Terminal
	screen *screenGate
	keys   *keyReader

	// outMu serialises what is written to the screen.
	outMu sync.Mutex

	// changed is signalled (without blocking) after each event and each
	// message sent, for the wait for answers at the end of piped input.
	changed chan struct{}
	// wake is signalled when a message is queued or the connection is
	// back: the sender tries again.
	wake chan struct{}
	// typed is signalled on each key that makes a message longer.
	typed chan struct{}

	mu      sync.Mutex
	outbox  []*chat.Message   // typed, not sent yet; the first may be in flight
	pending *chat.Message     // the message reported as "not sent yet"
	names   map[string]string // participant id → display name
	me      string            // this participant's id, once known
	myName  string            // this participant's display name, when known
	mine    map[string]bool   // ids of messages this session sent
	sent    int               // messages this session sent
	recent  []participant.Item
	typing  map[string]bool      // participants typing now (who may include this one)
	choice  *interactive.Message // the interactive message shown last, until answered
}

// offer makes m the interactive message a typed number or title answers
// (nil, or one without choices, changes nothing).
func (u *chatUI) offer(m *interactive.Message) {
	if m == nil || len(m.Choices()) == 0 {
		return
	}
	u.mu.Lock()
	u.choice = m
	u.mu.Unlock()
}

// maxRecent is how many messages chatUI keeps to tell whether its messages
// were answered.
const maxRecent = 1024

// print writes one or more lines above the line being typed.
func (u *chatUI) print(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	u.outMu.Lock()
	defer u.outMu.Unlock()
	switch {
	case u.term == nil:
		fmt.Fprintln(u.e.stdout, msg)
	case u.screen.isClosed():
		// The terminal is still raw: no output processing turns \n into
		// \r\n.
		_, _ = io.WriteString(u.e.stdout, strings.ReplaceAll(msg, "\n", "\r\n")+"\r\n")
	default:
		// The Terminal erases the prompt and the line, writes msg, and
		// draws them again below it.
		_, _ = u.term.Write([]byte(msg + "\n"))
	}
}

// closeScreen takes the prompt off the screen before the chat ends; from
// then on the Terminal's output is dropped and print writes plain lines.
// With interrupted, the half-typed line stays, marked ^C, as a shell
// leaves it; otherwise the prompt line is erased. Either way the cursor ends
// at the start of an empty line, so what follows is not glued to the
// prompt.
func (u *chatUI) closeScreen(interrupted bool) {
	if u.term == nil {
		return
	}
	u.outMu.Lock()
	defer u.outMu.Unlock()
	end := "\r\x1b[K"
	if interrupted {
		end = "^C\r\n"
	}
	u.screen.close(end)
}

// run is the chat until it ends: it starts the workers and reads the
// input, and returns when the chat ends, the input ends (after the wait for
// answers when it is piped), a command quits or ctx is done.
func (u *chatUI) run(ctx context.Context) error {
	if restore, ok := u.startTerminal(); ok {
		defer restore()
	}
	evctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	ended, wait := u.startWorkers(evctx)
	// These goroutines end before run returns. The input goroutine may
	// stay blocked reading a terminal; once the screen is closed nothing
	// it does reaches the screen.
	defer func() { cancel(); wait() }()

	lines := make(chan string)
	inputDone := make(chan error, 1)
	go func() { inputDone <- u.input(evctx, lines) }()
	if u.term != nil {
		u.print("Connected. Type a message and press Enter.")
	}
	return u.loop(ctx, ended, inputDone, lines)
}

// startWorkers starts the goroutines that run beside the input until ctx
// is done: the events (whose end, the chat's, comes on ended), the sender
// and, on a terminal, the typing notices and the window size watch. wait
// waits for them to end.
func (u *chatUI) startWorkers(ctx context.Context) (ended <-chan error, wait func()) {
	end := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Go(func() { end <- u.events(ctx) })
	wg.Go(func() { u.send(ctx) })
	if u.term != nil {
		wg.Go(func() { u.typist(ctx) })
		wg.Go(func() { watchSize(ctx, u.e.stdout.(*os.File), u.term) })
	}
	return end, wg.Wait
}

// loop waits for what ends the chat, running the lines read meanwhile: the
// end of the chat (ended), the end of the input (inputDone), then with
// piped input the answers or the end of the wait for them, a command that
// quits, or ctx done (SIGINT or SIGTERM).
func (u *chatUI) loop(ctx context.Context, ended, inputDone <-chan error, lines <-chan string) error {
	var (
		draining bool             // the input ended: waiting for answers
		deadline <-chan time.Time // the end of that wait
	)
	for {
		select {
		case err := <-ended:
			u.closeScreen(false)
			return u.unsent(err, "the chat ended first")
		case err := <-inputDone:
			if quit, err := u.inputEnded(ctx, err); quit {
				return err
			}
			// Piped input ended: give the others time to answer.
			draining = true
			t := time.NewTimer(u.wait)
			defer t.Stop()
			deadline = t.C
		case <-u.changed:
			if draining && u.answered() {
				return u.quit(ctx, false)
			}
		case <-deadline:
			u.print("(no answer within %v)", u.wait)
			return u.quit(ctx, false)
		case l := <-lines:
			done, err := u.command(ctx, l)
			if err != nil {
				u.print("! %v", err)
			}
			if done {
				return u.quit(ctx, false)
			}
		case <-ctx.Done():
			// SIGINT or SIGTERM.
			return u.quit(ctx, true)
		}
	}
}

// inputEnded handles the end of the input (err is why): quit is true, with
// what run returns, when the chat ends now: on Ctrl-C, on a failed read, or
// at the end of a terminal's input, of piped input without a wait for
// answers, or of piped input already answered. quit is false when piped
// input ended and the answers are yet to come.
func (u *chatUI) inputEnded(ctx context.Context, err error) (quit bool, _ error) {
	switch {
	case errors.Is(err, errInterrupted):
		return true, u.quit(ctx, true)
	case err != nil && !errors.Is(err, io.EOF):
		u.closeScreen(false)
		return true, u.unsent(err, "the input failed")
	case u.term != nil || u.wait == 0 || u.answered():
		return true, u.quit(ctx, false)
	}
	return false, nil
}

// startTerminal puts the terminal in raw mode and sets up the line editor
// when standard input and output are both a terminal.
func (u *chatUI) startTerminal() (restore func(), ok bool) {
	in, ok1 := u.e.stdin.(*os.File)
	out, ok2 := u.e.stdout.(*os.File)
	if !ok1 || !ok2 || !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		return nil, false
	}
	old, err := term.MakeRaw(int(in.Fd()))
	if err != nil {
		return nil, false
	}
	u.keys = &keyReader{r: in}
	u.screen = &screenGate{w: out}
	u.term = term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{u.keys, u.screen}, "> ")
	if w, h, err := term.GetSize(int(out.Fd())); err == nil && w > 0 {
		_ = u.term.SetSize(w, h)
	}
	// Every key that reaches the default case of the editor (a character
	// to insert) passes here: a typing event goes out, throttled by the
	// session, unless the line is a /command.
	u.term.AutoCompleteCallback = func(line string, pos int, key rune) (string, int, bool) {
		if unicode.IsPrint(key) && !strings.HasPrefix(line[:pos]+string(key)+line[pos:], "/") {
			select {
			case u.typed <- struct{}{}:
			default:
			}
		}
		return "", 0, false
	}
	return func() { _ = term.Restore(int(in.Fd()), old) }, true
}

// typist sends a typing event for the keys typed (the session sends at most
// one per 10 s).
func (u *chatUI) typist(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-u.typed:
			_ = u.sess.SendTyping(ctx)
		}
	}
}

// quit sends what is still queued (for a while), leaves the chat
// (DisconnectParticipant) and waits for its end, briefly. After an
// interrupt it returns errInterrupted (exit 130), also when leaving failed,
// which it reports.
func (u *chatUI) quit(ctx context.Context, interrupted bool) error {
	u.closeScreen(interrupted)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainWait)
	defer cancel()
	if !interrupted {
		u.drain(ctx)
	}
	err := u.sess.Disconnect(ctx)
	if err == nil {
		u.print("You left the chat.")
	}
	if interrupted {
		if err != nil {
			u.print("! leaving the chat failed: %v", err)
		}
		_ = u.unsent(nil, "you left first")
		return errInterrupted
	}
	return u.unsent(err, "you left first")
}

// drain waits until the messages queued are sent, or ctx ends.
func (u *chatUI) drain(ctx context.Context) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		u.mu.Lock()
		n := len(u.outbox)
		u.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// unsent lists the messages typed but never sent, so that none is lost
// without a word, and returns err, or an error saying how many were not
// sent when err is nil.
func (u *chatUI) unsent(err error, why string) error {
	u.mu.Lock()
	left := slices.Clone(u.outbox)
	u.outbox = nil
	u.mu.Unlock()
	for _, m := range left {
		u.print("Not sent (%s): %s", why, m.Content)
	}
	if err == nil && len(left) > 0 {
		err = fmt.Errorf("%d message(s) not sent: %s", len(left), why)
	}
	return err
}

// answered reports whether the others have answered: every message typed
// is sent, and since this session's first message, they have sent at least
// as many messages as it sent, and none of them is typing. That is what the
// end of piped input waits for. It is worked out when asked, not as events
// arrive, because this session's own message can come back on the
// WebSocket before SendMessage has returned its id.
func (u *chatUI) answered() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.outbox) > 0 {
		return false
	}
	if u.sent == 0 {
		return true
	}
	own := map[string]bool{}
	for _, it := range u.recent {
		if u.mine[it.ID] {
			own[it.ParticipantID] = true
		}
	}
	first := slices.IndexFunc(u.recent, func(it participant.Item) bool { return u.mine[it.ID] })
	if first < 0 {
		return false // none of our messages has come back yet
	}
	ours, theirs := 0, 0
	for _, it := range u.recent[first:] {
		if own[it.ParticipantID] {
			ours++
		} else {
			theirs++
		}
	}
	if ours < u.sent || theirs < u.sent {
		return false
	}
	for id := range u.typing {
		if !own[id] {
			return false
		}
	}
	return true
}

// input reads the user's lines: edited in the terminal, or piped. It
// returns io.EOF at the end of input or on Ctrl-D, errInterrupted on
// Ctrl-C.
func (u *chatUI) input(ctx context.Context, lines chan<- string) error {
	next := u.readLine
	if u.term == nil {
		r := bufio.NewReader(u.e.stdin)
		next = func() (string, error) {
			l, err := r.ReadString('\n')
			if err != nil && l != "" {
				err = nil // the last line, without its end: the next read says EOF
			}
			return l, err
		}
	}
	for {
		l, err := next()
		if err != nil {
			return err
		}
		if l = cleanLine(l); strings.TrimSpace(l) == "" {
			continue
		}
		select {
		case lines <- l:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// readLine reads one line from the line editor.
func (u *chatUI) readLine() (string, error) {
	l, err := u.term.ReadLine()
	if err != nil && u.keys.interrupted() {
		return "", errInterrupted
	}
	return l, err
}

// command runs one line: a /command, or a message to send. done means
// /quit.
func (u *chatUI) command(ctx context.Context, l string) (done bool, err error) {
	switch {
	case l == "/quit" || l == "/exit":
		return true, nil
	case l == "/transcript":
		return false, u.transcript(ctx)
	case strings.HasPrefix(l, "/attach "):
		return false, u.attach(ctx, strings.TrimSpace(strings.TrimPrefix(l, "/attach ")))
	case strings.HasPrefix(l, "/"):
		return false, fmt.Errorf("unknown command %s: use /attach FILE, /transcript or /quit", strings.Fields(l)[0])
	}
	m := &chat.Message{Content: l}
	u.mu.Lock()
	if u.choice != nil {
		// An answer to the interactive message shown last: a choice's
		// number or title goes as the widget sends it; other text goes
		// as typed.
		if r, err := u.choice.Parse(l); err == nil {
			m = &chat.Message{ContentType: participant.ContentType(r.ContentType), Content: r.Content}
			u.choice = nil
		}
	}
	full := len(u.outbox) >= maxOutbox
	if !full {
		u.outbox = append(u.outbox, m)
	}
	u.mu.Unlock()
	if full {
		return false, fmt.Errorf("not sent: %d messages are already waiting for the service", maxOutbox)
	}
	notify(u.wake)
	return false, nil
}

// send sends the queued messages, in order. A message the service did not
// take for a reason that may pass (no answer, throttling, a server error)
// stays first in the queue and is sent again, with the same ClientToken
// (so the service acts once), when the connection is back or after a
// backoff. One the service refuses for good is reported and dropped.
func (u *chatUI) send(ctx context.Context) {
	backoff := time.Second
	for {
		m := u.nextQueued(ctx)
		if m == nil {
			return
		}
		if u.term == nil {
			// Piped input has no keys: typing goes out just before.
			_ = u.sess.SendTyping(ctx)
		}
		out, err := u.sess.SendMessage(ctx, m)
		switch sendOutcome(ctx, err) {
		case sendDone:
			u.delivered(m, out.ID)
			backoff = time.Second
		case sendOver:
			return // the message stays queued: reported as not sent
		case sendRefused:
			u.dropQueued(m, err)
		case sendAgain:
			u.notSentYet(m, err)
			if !u.waitRetry(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, 30*time.Second)
		}
	}
}

// sendResult is what became of a message sent.
type sendResult uint8

const (
	sendDone    sendResult = iota // the service took it
	sendOver                      // the session or ctx ended: it stays queued
	sendRefused                   // refused for good: dropped
	sendAgain                     // may pass: sent again later
)

// sendOutcome classifies SendMessage's error.
func sendOutcome(ctx context.Context, err error) sendResult {
	switch {
	case err == nil:
		return sendDone
	case ctx.Err() != nil, errors.Is(err, chat.ErrChatEnded), errors.Is(err, chat.ErrClosed),
		errors.Is(err, chat.ErrDisconnected), errors.Is(err, chat.ErrBroken):
		return sendOver
	case refused(err):
		return sendRefused
	}
	return sendAgain
}

// nextQueued returns the first queued message, waiting for one; nil once
// ctx ends.
func (u *chatUI) nextQueued(ctx context.Context) *chat.Message {
	for {
		u.mu.Lock()
		var m *chat.Message
		if len(u.outbox) > 0 {
			m = u.outbox[0]
		}
		u.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-ctx.Done():
			return nil
		case <-u.wake:
		}
	}
}

// delivered takes m, which the service took as item id, out of the queue,
// saying so if it had been reported as not sent yet.
func (u *chatUI) delivered(m *chat.Message, id string) {
	u.mu.Lock()
	u.outbox = slices.DeleteFunc(u.outbox, func(x *chat.Message) bool { return x == m })
	u.mine[id] = true
	u.sent++
	late := u.pending == m
	u.pending = nil
	u.mu.Unlock()
	if late {
		u.print("(sent: %s)", m.Content)
	}
	notify(u.changed)
}

// dropQueued takes m, refused for good, out of the queue and says why.
func (u *chatUI) dropQueued(m *chat.Message, err error) {
	u.mu.Lock()
	u.outbox = slices.DeleteFunc(u.outbox, func(x *chat.Message) bool { return x == m })
	u.mu.Unlock()
	u.print("! not sent: %s: %v", m.Content, err)
	notify(u.changed)
}

// notSentYet says, once per message, that m waits to be sent again.
func (u *chatUI) notSentYet(m *chat.Message, err error) {
	u.mu.Lock()
	first := u.pending != m
	u.pending = m
	u.mu.Unlock()
	if first {
		why := "the service did not take it"
		if exitCode(err) == exitNetwork {
			why = "the service does not answer"
		}
		u.print("(not sent yet, %s; it is sent again when the connection is back)", why)
	}
}

// waitRetry waits backoff, or until the connection is back; false once
// ctx ends.
func (u *chatUI) waitRetry(ctx context.Context, backoff time.Duration) bool {
	t := time.NewTimer(backoff)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-u.wake:
	case <-t.C:
	}
	return true
}

// refused reports whether the service, or the client before sending,
// refused a message for good: sending it again cannot help.
func refused(err error) bool {
	var (
		invalid *smithy.InvalidParamsError
		valid   *participant.ValidationError
	)
	return errors.As(err, &invalid) || errors.As(err, &valid)
}

// notify wakes whoever waits on c, without blocking.
func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (u *chatUI) attach(ctx context.Context, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	ct := mime.TypeByExtension(filepath.Ext(path))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if ct == "" {
		ct = "text/plain"
	}
	id, err := u.client.UploadAttachment(ctx, &participant.UploadAttachmentInput{ConnectionToken: u.sess.ConnectionToken(), AttachmentName: filepath.Base(path), ContentType: ct, AttachmentSizeInBytes: int64(len(b)), Body: bytes.NewReader(b)})
	if err != nil {
		return err
	}
	u.print("(uploaded %s, %d bytes, id %s)", filepath.Base(path), len(b), id)
	return nil
}

func (u *chatUI) transcript(ctx context.Context) error {
	in := &participant.GetTranscriptInput{
		ConnectionToken: u.sess.ConnectionToken(),
		ScanDirection:   participant.ScanDirectionBackward,
		SortOrder:       participant.SortOrderAscending,
		MaxResults:      100,
	}
	var items []participant.Item
	for it, err := range u.client.Transcript(ctx, in) {
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	slices.SortStableFunc(items, func(a, b participant.Item) int { return a.AbsoluteTime.Compare(b.AbsoluteTime.Time) })
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- transcript: %d items", len(items))
	for _, it := range items {
		it.Content = renderText(it)
		it.DisplayName = cleanLine(it.DisplayName)
		fmt.Fprintf(&sb, "\n%s %s", it.AbsoluteTime.Local().Format("15:04:05"), describeItem(it))
	}
	sb.WriteString("\n---")
	u.print("%s", sb.String())
	return nil
}

// events shows the session's events until the chat ends, and marks the
// messages it showed as read.
func (u *chatUI) events(ctx context.Context) error {
	for {
		ev, err := u.sess.Next(ctx)
		if err != nil {
			if sessionOver(err) {
				return nil
			}
			return err
		}
		if ended, err := u.show(ev); ended {
			return err
		}
		// After the event is shown: the wait for answers may end now, and
		// what ended it must be on the screen before "You left the chat.".
		u.mu.Lock()
		u.track(ev)
		u.mu.Unlock()
		notify(u.changed)
	}
}

// sessionOver reports whether an error from the session's Next means that
// the events are over without a fault: the chat ended, the session was
// closed or it gave up reconnecting.
func sessionOver(err error) bool {
	return errors.Is(err, chat.ErrChatEnded) || errors.Is(err, chat.ErrClosed) || errors.Is(err, chat.ErrDisconnected)
}

// show puts one event on the screen, with the display name it brings
// learnt first. ended is true when the event is the end of the chat; err
// then says whether it ended while the connection was down.
func (u *chatUI) show(ev chat.Event) (ended bool, err error) {
	it := ev.Item
	if it.ParticipantID != "" && it.DisplayName != "" {
		u.names[it.ParticipantID] = cleanLine(it.DisplayName)
	}
	name := cleanLine(it.DisplayName)
	ts := ev.Time.Local().Format("15:04:05")
	switch ev.Kind {
	case chat.KindMessage:
		u.showMessage(ev, ts, name)
	case chat.KindAttachment:
		u.showAttachment(ev, ts, name)
	case chat.KindTyping:
		if !ev.Own && !u.isMe(it) {
			u.print("%s %s is typing…", ts, name)
		}
	case chat.KindReadReceipt:
		u.showReceipt(ev, ts)
	case chat.KindParticipantJoined:
		u.print("%s %s joined", ts, name)
	case chat.KindParticipantLeft:
		u.print("%s %s left", ts, name)
	case chat.KindConnectionLost, chat.KindConnectionReestablished, chat.KindConnectionBroken:
		u.showConnection(ev)
	case chat.KindChatEnded:
		return true, u.showEnded(ev, ts)
	}
	return false, nil
}

// showMessage shows a new message (not an update of one): as "you" when
// this session sent it, else with its sender's name, as the interactive
// message to answer when it is one, and marked as read.
func (u *chatUI) showMessage(ev chat.Event, ts, name string) {
	it := ev.Item
	u.mu.Lock()
	// ev.Own: with no reorder window the echo (and its receipt) can
	// come before SendMessage returns and fills u.mine.
	if ev.Own {
		u.mine[it.ID] = true
	}
	own := u.mine[it.ID]
	u.mu.Unlock()
	if ev.Update {
		return
	}
	if own || u.isMe(it) {
		u.print("%s you: %s", ts, renderText(it))
		return
	}
	u.print("%s %s: %s", ts, name, renderText(it))
	u.offer(interactiveOf(it))
	// Shown: the sender sees it read (batched by the session).
	_ = u.sess.SendReadReceipt(it.ID)
}

// showAttachment shows a newly shared attachment (not an update of its
// status).
func (u *chatUI) showAttachment(ev chat.Event, ts, name string) {
	it := ev.Item
	if len(it.Attachments) > 0 && !ev.Update {
		a := it.Attachments[0]
		u.print("%s %s shared %s (%s)", ts, name, cleanLine(a.AttachmentName), a.Status)
	}
}

// showReceipt shows a read receipt for a message this session sent, with
// who read it; receipts for other messages are not shown.
func (u *chatUI) showReceipt(ev chat.Event, ts string) {
	u.mu.Lock()
	mine := u.mine[ev.MessageID]
	u.mu.Unlock()
	if !mine {
		return
	}
	who := u.names[ev.ParticipantID]
	if who == "" {
		who = "someone"
	}
	u.print("%s (read by %s)", ts, who)
}

// showConnection shows a change of the connection's state: lost (the
// session reconnects), re-established (the sender tries again) or broken
// (the session gave up). It shows the time now, not the event's.
func (u *chatUI) showConnection(ev chat.Event) {
	now := time.Now().Format("15:04:05")
	switch ev.Kind {
	case chat.KindConnectionLost:
		u.print("%s connection lost, reconnecting… (%v)", now, ev.Err)
	case chat.KindConnectionReestablished:
		u.print("%s reconnected", now)
		notify(u.wake)
	case chat.KindConnectionBroken:
		u.print("%s gave up reconnecting: %v", now, ev.Err)
	}
}

// showEnded shows the end of the chat. It returns an error when the end
// was inferred from a refused reconnection, nil when the service said so.
func (u *chatUI) showEnded(ev chat.Event, ts string) error {
	if ev.Err != nil {
		// Inferred from a 403 while reconnecting: the service no
		// longer knows this chat's token.
		u.print("%s the chat has ended: the service refused to reconnect it (a local service that was restarted has forgotten its chats)", ts)
		return fmt.Errorf("the chat ended while the connection was down: %w", ev.Err)
	}
	u.print("%s the chat has ended", ts)
	return nil
}

// renderText is what the terminal shows of an incoming item's text, the one
// place where it is made: without control characters, so that a peer
// cannot move the cursor, recolour or clear the screen. An interactive
// message (a ListPicker, a QuickReply, ...) shows as its title and numbered
// choices; one that does not decode shows as it came.
func renderText(it participant.Item) string {
	if m := interactiveOf(it); m != nil {
		return cleanText(strings.TrimRight(m.Text(), "\n"))
	}
	return cleanText(it.Content)
}

// interactiveOf decodes an item's interactive message, or returns nil when
// it is not one (or does not decode).
func interactiveOf(it participant.Item) *interactive.Message {
	if string(it.ContentType) != interactive.ContentType {
		return nil
	}
	m, err := interactive.Decode(it.Content)
	if err != nil {
		return nil
	}
	return m
}

// cleanText removes control characters (escape sequences included) from
// text to show, keeping line ends; tabs become spaces and bytes that are not
// UTF-8 become U+FFFD.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// cleanLine is cleanText for one line: line ends are removed too. Every
// message typed or piped goes through it, so no control character or
// escape sequence is ever sent.
func cleanLine(s string) string {
	return strings.ReplaceAll(cleanText(strings.TrimRight(s, "\r\n")), "\n", "")
}

// track records what answered needs to know: the messages, and who is
// typing. It runs with u.mu held.
func (u *chatUI) track(ev chat.Event) {
	switch ev.Kind {
	case chat.KindMessage, chat.KindAttachment:
		if ev.Update {
			return
		}
		if len(u.recent) == maxRecent {
			u.recent = slices.Delete(u.recent, 0, 1)
		}
		u.recent = append(u.recent, ev.Item)
		delete(u.typing, ev.Item.ParticipantID)
	case chat.KindTyping:
		u.typing[ev.ParticipantID] = true
	case chat.KindTypingStopped:
		delete(u.typing, ev.ParticipantID)
	}
}

// isMe reports whether the item is this participant's own: the session
// learns its participant id from its first own message.
func (u *chatUI) isMe(it participant.Item) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.mine[it.ID] && u.me == "" {
		u.me = it.ParticipantID
	}
	return u.me != "" && it.ParticipantID == u.me || u.myName != "" && it.DisplayName == u.myName
}

// keyReader is the terminal's input for the line editor. It takes Ctrl-C
// out of the keys: the raw terminal delivers it as a byte, which the editor
// would read as the end of input. The read that meets it returns the keys
// before it; the next returns errInterrupted. It also turns the SS3 key
// sequences (ESC O x: F1 to F4, and arrows in a terminal left in
// application cursor mode) into what the editor knows (arrows, Home, End)
// or drops them: the editor would take the x of one as a typed letter.
type keyReader struct {
	r    io.Reader
	intr atomic.Bool
	pend []byte // the start of a sequence cut by the last read
}

func (k *keyReader) Read(p []byte) (int, error) {
	if k.intr.Load() {
		return 0, errInterrupted
	}
	if len(p) <= len(k.pend) {
		return 0, io.ErrShortBuffer
	}
	c := copy(p, k.pend)
	k.pend = k.pend[:0]
	n, err := k.r.Read(p[c:])
	n += c
	out := 0
	for i := 0; i < n; i++ {
		switch keyAt(p[:n], i, err == nil) {
		case keyInterrupt:
			k.intr.Store(true)
			return out, nil
		case keyLoneEscape:
			continue
		case keySS3:
			switch f := p[i+2]; f {
			case 'A', 'B', 'C', 'D', 'H', 'F':
				p[out], p[out+1], p[out+2] = 0x1b, '[', f
				out += 3
			}
			i += 2
			continue
		case keyCut:
			k.pend = append(k.pend, p[i:n]...)
			return out, nil
		}
		p[out] = p[i]
		out++
	}
	return out, err
}

// keyKind is what the byte at a position of the keys read starts.
type keyKind uint8

const (
	keyPlain      keyKind = iota // a key the editor takes as it is
	keyInterrupt                 // Ctrl-C
	keyLoneEscape                // the Escape key, then another sequence: it means nothing to the editor, and passed on it could join what is left of a dropped SS3 sequence into a new one
	keySS3                       // ESC O x: translated or dropped
	keyCut                       // the start of a sequence the read cut short: kept for the next read
)

// keyAt says what p[i] starts; more tells whether more input may follow p.
func keyAt(p []byte, i int, more bool) keyKind {
	n := len(p)
	switch {
	case p[i] == 0x03:
		return keyInterrupt
	case p[i] != 0x1b:
		return keyPlain
	case i+1 < n && p[i+1] == 0x1b:
		return keyLoneEscape
	case i+2 < n && p[i+1] == 'O':
		return keySS3
	case more && (i+1 == n || i+2 == n && p[i+1] == 'O'):
		return keyCut
	}
	return keyPlain
}

func (k *keyReader) interrupted() bool { return k.intr.Load() }

// screenGate is the terminal's output for the line editor: closed, it drops
// what the editor writes (the prompt it draws again, keys it echoes while
// the chat ends).
type screenGate struct {
	w      io.Writer
	mu     sync.Mutex
	closed bool
}

func (s *screenGate) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return len(p), nil
	}
	return s.w.Write(p)
}

// close writes end, the last thing of the editor's, and closes the gate.
func (s *screenGate) close(end string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		_, _ = io.WriteString(s.w, end)
	}
}

func (s *screenGate) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
