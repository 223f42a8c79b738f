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
	"time"
	"unicode/utf8"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

func init() {
	register(command{"chat", "Chat from the terminal (on the local service with an echo agent, or the real one)", runChat})
}

func runChat(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "chat",
		"An interactive chat in the terminal. Without a token it starts the local Participant Service\n"+
			"in this process with an echo agent; with --participant-token (or PARTICIPANT_TOKEN) and\n"+
			"--region or --endpoint it joins a real chat. Incoming messages, typing and read receipts\n"+
			"show as they arrive; typing events go out while you type. Lost connections are shown and\n"+
			"recovered. Commands: /attach FILE, /transcript, /quit. Ctrl-C leaves the chat too (exit 130),\n"+
			"Ctrl-D on an empty line leaves it (exit 0).\n\n"+
			"When standard input is not a terminal, each line is a message. After the last one the chat\n"+
			"waits (up to --wait) until the others have answered: sent as many messages as you did, and\n"+
			"stopped typing. Then it leaves.",
		"  participant chat\n"+
			"  participant chat --name Ann\n"+
			"  PARTICIPANT_TOKEN=... participant chat --region us-east-1\n"+
			"  printf 'Hello\\nBye\\n' | participant chat --wait 5s")
	var cf clientFlags
	var tok tokenFlag
	cf.add(fs)
	tok.add(fs, "participant-token", "PARTICIPANT_TOKEN", "the ParticipantToken of a real chat")
	name := fs.String("name", "You", "your display name on the local service")
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
	)
	local := tok.value == "" && e.getenv("PARTICIPANT_TOKEN") == ""
	if local {
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
		fmt.Fprintf(e.stdout, "Local Participant Service at %s, with an echo agent.\n", srv.URL)
	} else {
		var err error
		if client, pt, err = cf.connect(e, &tok); err != nil {
			return err
		}
	}
	defer client.CloseIdleConnections()

	sess, err := chat.Connect(ctx, client, pt, &chat.Options{TypingTimeout: 4 * time.Second})
	if err != nil {
		return err
	}
	defer sess.Close()
	ui := &chatUI{e: e, sess: sess, client: client, names: map[string]string{}, wait: *wait,
		mine: map[string]bool{}, typing: map[string]bool{}, changed: make(chan struct{}, 1)}
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

	// changed is signalled (without blocking) after each event, for the
	// wait for answers at the end of piped input.
	changed chan struct{}

	mu     sync.Mutex
	line   []rune            // what the user is typing
	prompt string            // "> "
	raw    bool              // the terminal is in raw mode: redraw the line
	shown  bool              // the prompt and line are on screen (raw mode)
	closed bool              // the chat is ending: keys are no longer read
	names  map[string]string // participant id → display name
	me     string            // this participant's id, once known
	myName string            // this participant's display name, when known
	mine   map[string]bool   // ids of messages this session sent
	sent   int               // messages this session sent
	recent []participant.Item
	typing map[string]bool // participants typing now (who may include this one)
}

// maxRecent is how many messages chatUI keeps to tell whether its messages
// were answered.
const maxRecent = 1024

// print writes msg above the line being typed.
func (u *chatUI) print(format string, args ...any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	if !u.raw {
		fmt.Fprintln(u.e.stdout, msg)
		return
	}
	msg = strings.ReplaceAll(msg, "\n", "\r\n")
	if !u.shown {
		fmt.Fprintf(u.e.stdout, "%s\r\n", msg)
		return
	}
	fmt.Fprintf(u.e.stdout, "\r\x1b[K%s\r\n%s%s", msg, u.prompt, string(u.line))
}

// showPrompt draws the prompt and the line typed so far (raw mode only).
func (u *chatUI) showPrompt() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.raw && !u.shown {
		u.shown = true
		fmt.Fprint(u.e.stdout, u.prompt+string(u.line))
	}
}

// hidePrompt takes the prompt off the screen before the chat ends. With
// interrupted, the half-typed line stays, marked ^C, as a shell leaves it;
// otherwise the prompt line is erased. Either way the cursor ends at the
// start of an empty line, so what follows is not glued to the prompt.
func (u *chatUI) hidePrompt(interrupted bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.closed = true
	if !u.raw || !u.shown {
		return
	}
	u.shown = false
	if interrupted {
		fmt.Fprint(u.e.stdout, "^C\r\n")
	} else {
		fmt.Fprint(u.e.stdout, "\r\x1b[K")
	}
	u.line = u.line[:0]
}

func (u *chatUI) run(ctx context.Context) error {
	u.prompt = "> "
	if f, ok := u.e.stdin.(*os.File); ok {
		if restore, ok := rawMode(f); ok {
			u.raw = true
			defer restore()
		}
	}
	evctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	ended := make(chan error, 1)
	evDone := make(chan struct{})
	go func() { defer close(evDone); ended <- u.events(evctx) }()
	// The events goroutine ends before run returns. The input goroutine
	// may stay blocked reading a terminal; once the prompt is hidden it
	// writes nothing more.
	defer func() { cancel(); <-evDone }()

	lines := make(chan string)
	inputDone := make(chan error, 1)
	go func() { inputDone <- u.input(evctx, lines) }()
	if u.raw {
		u.print("Connected. Type a message and press Enter.")
		u.showPrompt()
	}
	var (
		draining bool             // the input ended: waiting for answers
		deadline <-chan time.Time // the end of that wait
	)
	for {
		select {
		case err := <-ended:
			u.hidePrompt(false)
			return err
		case err := <-inputDone:
			switch {
			case errors.Is(err, errInterrupted):
				return u.quit(ctx, true)
			case err != nil && !errors.Is(err, io.EOF):
				u.hidePrompt(false)
				return err
			case u.raw || u.wait == 0 || u.answered():
				return u.quit(ctx, false)
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
			// Ctrl-C or SIGTERM.
			return u.quit(ctx, true)
		}
	}
}

// quit leaves the chat (DisconnectParticipant) and waits for its end,
// briefly. After an interrupt it returns errInterrupted (exit 130), also
// when leaving failed, which it reports.
func (u *chatUI) quit(ctx context.Context, interrupted bool) error {
	u.hidePrompt(interrupted)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := u.sess.Disconnect(ctx)
	if err == nil {
		u.print("You left the chat.")
	}
	if interrupted {
		if err != nil {
			u.print("! leaving the chat failed: %v", err)
		}
		return errInterrupted
	}
	return err
}

// answered reports whether the others have answered: since this session's
// first message, they have sent at least as many messages as it sent, and
// none of them is typing. That is what the end of piped input waits for. It
// is worked out when asked, not as events arrive, because this session's own
// message can come back on the WebSocket before SendMessage has returned its
// id.
func (u *chatUI) answered() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
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

// input reads the user's keys (raw mode) or lines, sending typing events.
// It returns io.EOF at the end of input or on Ctrl-D, errInterrupted on
// Ctrl-C when the terminal delivers it as a key.
func (u *chatUI) input(ctx context.Context, lines chan<- string) error {
	r := bufio.NewReader(u.e.stdin)
	if !u.raw {
		for {
			l, err := r.ReadString('\n')
			if l = strings.TrimRight(l, "\r\n"); l != "" {
				select {
				case lines <- l:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if err != nil {
				return err
			}
		}
	}
	for {
		c, _, err := r.ReadRune()
		if err != nil {
			return err
		}
		var submit string
		send := false
		u.mu.Lock()
		if u.closed {
			u.mu.Unlock()
			return io.EOF
		}
		switch c {
		case '\r', '\n':
			submit, send = string(u.line), true
			u.line = u.line[:0]
			fmt.Fprint(u.e.stdout, "\r\x1b[K"+u.prompt)
		case 0x7f, '\b':
			if len(u.line) > 0 {
				u.line = u.line[:len(u.line)-1]
				fmt.Fprint(u.e.stdout, "\b \b")
			}
		case 0x03: // Ctrl-C, when the terminal does not turn it into SIGINT
			u.mu.Unlock()
			return errInterrupted
		case 0x04: // Ctrl-D: leave, on an empty line
			if len(u.line) == 0 {
				u.mu.Unlock()
				return io.EOF
			}
		default:
			if c >= ' ' && c != utf8.RuneError {
				u.line = append(u.line, c)
				fmt.Fprint(u.e.stdout, string(c))
			}
		}
		typing := !send && len(u.line) > 0 && !strings.HasPrefix(string(u.line), "/")
		u.mu.Unlock()
		if typing {
			// Throttled by the session: one event per 10 s.
			go func() { _ = u.sess.SendTyping(ctx) }()
		}
		if send && strings.TrimSpace(submit) != "" {
			select {
			case lines <- submit:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// command runs one line: a /command or a message. done means /quit.
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
	if !u.raw {
		_ = u.sess.SendTyping(ctx)
	}
	out, err := u.sess.SendMessage(ctx, &chat.Message{Content: l})
	if err != nil {
		return false, err
	}
	u.mu.Lock()
	u.mine[out.ID] = true
	u.sent++
	u.mu.Unlock()
	return false, nil
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
		fmt.Fprintf(&sb, "\n%s %s", it.AbsoluteTime.Local().Format("15:04:05"), describeItem(it))
	}
	sb.WriteString("\n---")
	u.print("%s", sb.String())
	return nil
}

// events shows the session's events until the chat ends.
func (u *chatUI) events(ctx context.Context) error {
	for {
		ev, err := u.sess.Next(ctx)
		if err != nil {
			if errors.Is(err, chat.ErrChatEnded) || errors.Is(err, chat.ErrClosed) || errors.Is(err, chat.ErrDisconnected) {
				return nil
			}
			return err
		}
		it := ev.Item
		if it.ParticipantID != "" && it.DisplayName != "" {
			u.names[it.ParticipantID] = it.DisplayName
		}
		who := u.names[ev.ParticipantID]
		if who == "" {
			who = "someone"
		}
		ts := ev.Time.Local().Format("15:04:05")
		u.mu.Lock()
		// ev.Own: with no reorder window the echo (and its receipt) can
		// come before SendMessage returns and fills u.mine.
		if ev.Own && ev.Kind == chat.KindMessage {
			u.mine[it.ID] = true
		}
		own := u.mine[it.ID]
		u.mu.Unlock()
		switch ev.Kind {
		case chat.KindMessage:
			if ev.Update {
				break
			}
			name := it.DisplayName
			if own {
				name = "you"
			}
			u.print("%s %s: %s", ts, name, it.Content)
		case chat.KindAttachment:
			if len(it.Attachments) > 0 && !ev.Update {
				a := it.Attachments[0]
				u.print("%s %s shared %s (%s)", ts, it.DisplayName, a.AttachmentName, a.Status)
			}
		case chat.KindTyping:
			if !ev.Own && !u.isMe(it) {
				u.print("%s %s is typing…", ts, it.DisplayName)
			}
		case chat.KindReadReceipt:
			u.mu.Lock()
			mine := u.mine[ev.MessageID]
			u.mu.Unlock()
			if mine {
				u.print("%s (read by %s)", ts, who)
			}
		case chat.KindParticipantJoined:
			u.print("%s %s joined", ts, it.DisplayName)
		case chat.KindParticipantLeft:
			u.print("%s %s left", ts, it.DisplayName)
		case chat.KindConnectionLost:
			u.print("%s connection lost, reconnecting… (%v)", time.Now().Format("15:04:05"), ev.Err)
		case chat.KindConnectionReestablished:
			u.print("%s reconnected", time.Now().Format("15:04:05"))
		case chat.KindConnectionBroken:
			u.print("connection broken: %v", ev.Err)
		case chat.KindChatEnded:
			u.print("%s the chat has ended", ts)
			return nil
		}
		// After the event is shown: the wait for answers may end now, and
		// what ended it must be on the screen before "You left the chat.".
		u.mu.Lock()
		u.track(ev)
		u.mu.Unlock()
		select {
		case u.changed <- struct{}{}:
		default:
		}
	}
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
