package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

func init() {
	register(command{"demo", "Play a whole chat on the embedded local service, and print it", runDemo})
}

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo",
		"Starts the local Participant Service in this process, connects a customer (Ann) and an agent\n"+
			"(Sam) as two chat sessions, and plays a conversation end to end: joins, typing, messages both\n"+
			"ways, read receipts, an attachment uploaded and downloaded, the transcript read back page by\n"+
			"page, the customer leaving and the chat ending. Every line is printed when the event it\n"+
			"describes arrives over a session's WebSocket. Exits non-zero if any step fails.",
		"  participant demo\n  participant demo --color=false --timeout 30s")
	color := fs.Bool("color", isTerminal(e.stdout), "colour the output (default: when stdout is a terminal)")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	seed := fs.Uint64("seed", 42, "seed of the local service's ids and tokens")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	interrupt := ctx
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	d := &demo{out: e.stdout, color: *color, start: time.Now()}
	err := d.run(ctx, *seed)
	if err != nil && interrupt.Err() != nil {
		// Ctrl-C: one calm line, not the step it cut short. On a
		// terminal the ^C it echoed gets a line of its own.
		if isTerminal(e.stdout) {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintln(e.stdout, "Demo interrupted; its local service has stopped.")
		return errInterrupted
	}
	if err != nil {
		return fmt.Errorf("demo failed: %w", err)
	}
	return nil
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// demo plays the conversation and prints it.
type demo struct {
	out   io.Writer
	color bool
	start time.Time
}

const (
	ansiReset = "\x1b[0m"
	ansiDim   = "\x1b[2m"
	ansiCust  = "\x1b[36m" // cyan
	ansiAgent = "\x1b[35m" // magenta
	ansiOK    = "\x1b[32m" // green
)

// say prints one time-stamped line.
func (d *demo) say(colour, format string, args ...any) {
	stamp := fmt.Sprintf("[+%6.3fs]", time.Since(d.start).Seconds())
	line := fmt.Sprintf(format, args...)
	if d.color {
		fmt.Fprintf(d.out, "%s%s%s %s%s%s\n", ansiDim, stamp, ansiReset, colour, line, ansiReset)
		return
	}
	fmt.Fprintf(d.out, "%s %s\n", stamp, line)
}

// party is one side of the chat: its session and the events it has seen.
type party struct {
	name   string
	role   string
	colour string
	sess   *chat.Session
	events chan chat.Event // closed when the session ends
	err    error           // why; read after events is closed
}

// watch feeds the session's events to p.events until the session ends.
func (p *party) watch(ctx context.Context) {
	defer close(p.events)
	for {
		ev, err := p.sess.Next(ctx)
		if err != nil {
			p.err = err
			return
		}
		p.events <- ev
	}
}

// await returns the first event of p that match accepts, skipping others.
func (p *party) await(ctx context.Context, what string, match func(chat.Event) bool) (chat.Event, error) {
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				return chat.Event{}, fmt.Errorf("%s's session ended while waiting for %s: %w", p.name, what, p.err)
			}
			if ev.Kind == chat.KindConnectionBroken {
				return ev, fmt.Errorf("%s's connection broke while waiting for %s: %w", p.name, what, ev.Err)
			}
			if match(ev) {
				return ev, nil
			}
		case <-ctx.Done():
			return chat.Event{}, fmt.Errorf("%s never saw %s: %w", p.name, what, ctx.Err())
		}
	}
}

// run plays the whole chat on a local service seeded with seed: Ann and
// Sam join, talk, share a file and thank each other, the transcript is read
// back and Ann leaves. It returns the first step that fails.
func (d *demo) run(ctx context.Context, seed uint64) error {
	srv := participanttest.NewServer(participanttest.WithSeed(seed))
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	d.say(ansiOK, "local Participant Service running at %s", srv.URL)

	customer, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	if err != nil {
		return fmt.Errorf("StartChatContact: %w", err)
	}
	// Receipts are batched every 5 s by default, as in the official clients;
	// the demo sends them at once so that it finishes in seconds.
	opts := &chat.Options{Receipts: chat.ReceiptOptions{Interval: -1, DeliveredDelay: -1}, TypingInterval: -1}
	ann, err := d.join(ctx, client, "Ann", "customer", ansiCust, customer.ParticipantToken, opts)
	if err != nil {
		return err
	}
	defer ann.sess.Close()
	if err := d.seeJoin(ctx, ann, ann, customer.ParticipantID, "her own join"); err != nil {
		return err
	}

	agent, err := srv.AddParticipant(customer.ContactID, participanttest.RoleAgent, "Sam")
	if err != nil {
		return fmt.Errorf("CreateParticipant: %w", err)
	}
	sam, err := d.join(ctx, client, "Sam", "agent", ansiAgent, agent.ParticipantToken, opts)
	if err != nil {
		return err
	}
	defer sam.sess.Close()
	if err := d.seeJoin(ctx, ann, sam, agent.ParticipantID, "Sam joining"); err != nil {
		return err
	}

	if err := d.ask(ctx, ann, sam); err != nil {
		return err
	}
	if err := d.share(ctx, client, ann, sam); err != nil {
		return err
	}
	if err := d.thank(ctx, ann, sam); err != nil {
		return err
	}
	if err := d.transcript(ctx, client, ann); err != nil {
		return err
	}
	return d.leave(ctx, ann, sam, customer.ParticipantID)
}

// seeJoin waits until watcher sees p, whose participant id is id, join the
// chat, then says so; what names the wait in an error.
func (d *demo) seeJoin(ctx context.Context, watcher, p *party, id, what string) error {
	if _, err := watcher.await(ctx, what, func(ev chat.Event) bool {
		return ev.Kind == chat.KindParticipantJoined && ev.Item.ParticipantID == id
	}); err != nil {
		return err
	}
	d.say(p.colour, "%s (%s) joined the chat", p.name, p.role)
	return nil
}

// ask is the first exchange: Ann types, then writes; Sam sees both and
// reads the message; then Sam answers and Ann reads the answer.
func (d *demo) ask(ctx context.Context, ann, sam *party) error {
	question, err := d.talk(ctx, ann, sam, "Hi! My order #1234 hasn't arrived yet.")
	if err != nil {
		return err
	}
	if err := d.read(ctx, sam, ann, question); err != nil {
		return err
	}
	answer, err := d.talk(ctx, sam, ann, "Sorry to hear that, Ann. Could you send me the receipt?")
	if err != nil {
		return err
	}
	return d.read(ctx, ann, sam, answer)
}

// share has Ann share a file; Sam sees the attachment, downloads it and
// checks that it is the file uploaded.
func (d *demo) share(ctx context.Context, client *participant.Client, ann, sam *party) error {
	receipt := []byte("Order #1234\n1 x blue kettle\nPaid 2026-11-20\n")
	id, err := client.UploadAttachment(ctx, &participant.UploadAttachmentInput{ConnectionToken: ann.sess.ConnectionToken(), AttachmentName: "receipt.txt", ContentType: "text/plain", AttachmentSizeInBytes: int64(len(receipt)), Body: bytes.NewReader(receipt)})
	if err != nil {
		return fmt.Errorf("the upload of Ann's receipt: %w", err)
	}
	att, err := sam.await(ctx, "the attachment", func(ev chat.Event) bool {
		return ev.Kind == chat.KindAttachment && len(ev.Item.Attachments) > 0 && ev.Item.Attachments[0].AttachmentID == id
	})
	if err != nil {
		return err
	}
	a := att.Item.Attachments[0]
	d.say(ansiCust, "Ann shared %s (%s, %d bytes, %s)", a.AttachmentName, a.ContentType, len(receipt), a.Status)
	dl, err := client.DownloadAttachment(ctx, sam.sess.ConnectionToken(), id)
	if err != nil {
		return fmt.Errorf("the download by Sam: %w", err)
	}
	got, err := io.ReadAll(dl.Body)
	_ = dl.Body.Close()
	if err != nil {
		return fmt.Errorf("the download by Sam: %w", err)
	}
	if !bytes.Equal(got, receipt) {
		return errors.New("the downloaded attachment differs from the upload")
	}
	d.say(ansiAgent, "Sam downloaded %s: %d bytes, identical", a.AttachmentName, len(got))
	return nil
}

// thank is the last exchange: Sam thanks Ann, who reads it and says bye.
func (d *demo) thank(ctx context.Context, ann, sam *party) error {
	thanks, err := d.talk(ctx, sam, ann, "Thanks! A replacement ships today; tracking number TRK-42.")
	if err != nil {
		return err
	}
	if err := d.read(ctx, ann, sam, thanks); err != nil {
		return err
	}
	_, err = d.talk(ctx, ann, sam, "Great, thank you. Bye!")
	return err
}

// transcript reads the chat back as Ann, page by page with the iterator,
// and prints it oldest first with the count of each type of item.
func (d *demo) transcript(ctx context.Context, client *participant.Client, ann *party) error {
	in := &participant.GetTranscriptInput{
		ConnectionToken: ann.sess.ConnectionToken(),
		ScanDirection:   participant.ScanDirectionBackward,
		SortOrder:       participant.SortOrderAscending,
		MaxResults:      4,
	}
	var items []participant.Item
	counts := map[participant.ChatItemType]int{}
	for it, err := range client.Transcript(ctx, in) {
		if err != nil {
			return fmt.Errorf("reading the transcript: %w", err)
		}
		counts[it.Type]++
		items = append(items, it)
	}
	// BACKWARD pages come newest first; show the chat oldest first.
	slices.SortStableFunc(items, func(a, b participant.Item) int { return a.AbsoluteTime.Compare(b.AbsoluteTime.Time) })
	d.say(ansiOK, "transcript read back in pages of 4: %d items (%d messages, %d attachment, %d events)",
		len(items), counts[participant.ChatItemTypeMessage], counts[participant.ChatItemTypeAttachment], counts[participant.ChatItemTypeEvent])
	for _, it := range items {
		fmt.Fprintf(d.out, "             %s\n", describeItem(it))
	}
	return nil
}

// leave has Ann (participant id annID) leave; Sam sees her leave and the
// chat end for both, and his session's statistics are printed.
func (d *demo) leave(ctx context.Context, ann, sam *party, annID string) error {
	if err := ann.sess.Disconnect(ctx); err != nil {
		return fmt.Errorf("leaving the chat as Ann: %w", err)
	}
	if _, err := sam.await(ctx, "Ann leaving", func(ev chat.Event) bool {
		return ev.Kind == chat.KindParticipantLeft && ev.Item.ParticipantID == annID
	}); err != nil {
		return err
	}
	d.say(ansiCust, "Ann left the chat")
	if _, err := sam.await(ctx, "the end of the chat", func(ev chat.Event) bool { return ev.Kind == chat.KindChatEnded }); err != nil {
		return err
	}
	d.say(ansiOK, "chat ended")
	st := sam.sess.Stats()
	d.say(ansiOK, "done: Sam's session saw %d events, %d duplicates dropped, %d reconnects", st.Events, st.DuplicatesDropped, st.Reconnects)
	return nil
}

// join connects one participant and starts watching its events.
func (d *demo) join(ctx context.Context, client *participant.Client, name, role, colour string, tok participant.Token, opts *chat.Options) (*party, error) {
	sess, err := chat.Connect(ctx, client, tok, opts)
	if err != nil {
		return nil, fmt.Errorf("%s could not join: %w", name, err)
	}
	p := &party{name: name, role: role, colour: colour, sess: sess, events: make(chan chat.Event, 64)}
	go p.watch(context.WithoutCancel(ctx))
	if _, err := p.await(ctx, "the connection", func(ev chat.Event) bool { return ev.Kind == chat.KindConnectionEstablished }); err != nil {
		sess.Close()
		return nil, err
	}
	d.say(colour, "%s (%s) connected: WebSocket subscribed", name, role)
	return p, nil
}

// talk makes from type and then send text; to sees the typing and the
// message. It returns the message's id.
func (d *demo) talk(ctx context.Context, from, to *party, text string) (string, error) {
	if err := from.sess.SendTyping(ctx); err != nil {
		return "", fmt.Errorf("%s's typing: %w", from.name, err)
	}
	if _, err := to.await(ctx, from.name+" typing", func(ev chat.Event) bool { return ev.Kind == chat.KindTyping }); err != nil {
		return "", err
	}
	d.say(from.colour, "%s is typing…", from.name)
	out, err := from.sess.SendMessage(ctx, &chat.Message{Content: text})
	if err != nil {
		return "", fmt.Errorf("%s's message: %w", from.name, err)
	}
	if _, err := to.await(ctx, from.name+"'s message", func(ev chat.Event) bool {
		return ev.Kind == chat.KindMessage && ev.Item.ID == out.ID
	}); err != nil {
		return "", err
	}
	d.say(from.colour, "%s: %s", from.name, text)
	return out.ID, nil
}

// read makes reader send a read receipt for messageID; the sender sees it.
func (d *demo) read(ctx context.Context, reader, sender *party, messageID string) error {
	if err := reader.sess.SendReadReceipt(messageID); err != nil {
		return fmt.Errorf("%s's read receipt: %w", reader.name, err)
	}
	if _, err := sender.await(ctx, reader.name+"'s read receipt", func(ev chat.Event) bool {
		return ev.Kind == chat.KindReadReceipt && ev.MessageID == messageID
	}); err != nil {
		return err
	}
	d.say(reader.colour, "%s read %s's message", reader.name, sender.name)
	return nil
}

// describeItem is one line of the transcript.
func describeItem(it participant.Item) string {
	who := it.DisplayName
	switch it.Type {
	case participant.ChatItemTypeMessage:
		return fmt.Sprintf("%-10s %s: %s", it.Type, who, it.Content)
	case participant.ChatItemTypeAttachment:
		names := make([]string, len(it.Attachments))
		for i, a := range it.Attachments {
			names[i] = a.AttachmentName
		}
		return fmt.Sprintf("%-10s %s: %s", it.Type, who, strings.Join(names, ", "))
	}
	ev := strings.TrimPrefix(string(it.ContentType), "application/vnd.amazonaws.connect.event.")
	return fmt.Sprintf("%-10s %s %s", it.Type, who, ev)
}
