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
			"recovered. Commands: /attach FILE, /transcript, /quit.",
		"  participant chat\n"+
			"  PARTICIPANT_TOKEN=... participant chat --region us-east-1 --name Ann")
	var cf clientFlags
	var tok tokenFlag
	cf.add(fs)
	tok.add(fs, "participant-token", "PARTICIPANT_TOKEN", "the ParticipantToken of a real chat")
	name := fs.String("name", "You", "your display name on the local service")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	var (
		client *participant.Client
		pt     participant.Token
	)
	if tok.value == "" && e.getenv("PARTICIPANT_TOKEN") == "" {
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
		if client, err = cf.client(e); err != nil {
			return err
		}
		if pt, err = tok.get(e); err != nil {
			return err
		}
	}
	defer client.CloseIdleConnections()

	sess, err := chat.Connect(ctx, client, pt, &chat.Options{TypingTimeout: 4 * time.Second})
	if err != nil {
		return err
	}
	defer sess.Close()
	ui := &chatUI{e: e, sess: sess, client: client, names: map[string]string{}}
	if pt != "" && tok.value == "" && e.getenv("PARTICIPANT_TOKEN") == "" {
		ui.myName = *name
	}
	return ui.run(ctx)
}

// chatUI is the terminal side of `participant chat`.
type chatUI struct {
	e      *env
	sess   *chat.Session
	client *participant.Client

	mu     sync.Mutex
	line   []rune            // what the user is typing
	prompt string            // "> "
	raw    bool              // the terminal is in raw mode: redraw the line
	names  map[string]string // participant id → display name
	me     string            // this participant's id, once known
	myName string            // this participant's display name, when known
	mine   map[string]bool   // ids of messages this session sent
}

// print writes msg above the line being typed.
func (u *chatUI) print(format string, args ...any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	if u.raw {
		fmt.Fprintf(u.e.stdout, "\r\x1b[K%s\r\n%s%s", strings.ReplaceAll(msg, "\n", "\r\n"), u.prompt, string(u.line))
		return
	}
	fmt.Fprintln(u.e.stdout, msg)
}

func (u *chatUI) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	u.prompt = "> "
	u.mine = map[string]bool{}
	if f, ok := u.e.stdin.(*os.File); ok {
		if restore, ok := rawMode(f); ok {
			u.raw = true
			defer restore()
		}
	}
	ended := make(chan error, 1)
	go func() { ended <- u.events(ctx) }()

	lines := make(chan string)
	inputDone := make(chan error, 1)
	go func() { inputDone <- u.input(ctx, lines) }()
	if u.raw {
		u.print("Connected. Type a message and press Enter.")
	}
	for {
		select {
		case err := <-ended:
			return err
		case err := <-inputDone:
			// End of input: leave the chat.
			if err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			return u.quit(ctx)
		case l := <-lines:
			done, err := u.command(ctx, l)
			if err != nil {
				u.print("! %v", err)
			}
			if done {
				return u.quit(ctx)
			}
		case <-ctx.Done():
			return u.quit(context.WithoutCancel(ctx))
		}
	}
}

// quit leaves the chat and waits for its end, briefly.
func (u *chatUI) quit(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := u.sess.Disconnect(ctx); err != nil {
		return err
	}
	u.print("You left the chat.")
	return nil
}

// input reads the user's keys (raw mode) or lines, sending typing events.
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
	fmt.Fprint(u.e.stdout, u.prompt)
	for {
		c, _, err := r.ReadRune()
		if err != nil {
			return err
		}
		var submit string
		send := false
		u.mu.Lock()
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
		case 0x03, 0x04: // Ctrl-C, Ctrl-D
			u.mu.Unlock()
			return io.EOF
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
		own := u.mine[it.ID]
		u.mu.Unlock()
		switch ev.Kind {
		case chat.KindMessage:
			if ev.Update {
				continue
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
			if !u.isMe(it) {
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
