package chat_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
)

// sentEvent is a SendEvent the emulator answered.
type sentEvent struct {
	at      time.Duration // since the test's start
	kind    string        // read, delivered, typing
	message string
	status  int
}

func sentEvents(srv *participanttest.Server, since time.Time) []sentEvent {
	var out []sentEvent
	for _, r := range srv.Requests() {
		if r.Operation != participanttest.OpSendEvent || r.Time.Before(since) {
			continue
		}
		var body struct{ ContentType, Content string }
		json.Unmarshal(r.Body, &body)
		var c struct{ MessageID string }
		json.Unmarshal([]byte(body.Content), &c)
		k := body.ContentType[strings.LastIndex(body.ContentType, ".")+1:]
		out = append(out, sentEvent{r.Time.Sub(since), k, c.MessageID, r.Status})
	}
	return out
}

// pair connects a customer and an agent, each with a session of its own,
// sharing one Client.
func pair(t *testing.T, srv *participanttest.Server, o *chat.Options) (cust, agent *chat.Session, contactID string) {
	t.Helper()
	c, cs := connect(t, srv, nil, o)
	a, err := srv.AddParticipant(c.ContactID, participanttest.RoleAgent, "Agent")
	if err != nil {
		t.Fatal(err)
	}
	as, err := chat.Connect(context.Background(), srv.Client(), a.ParticipantToken, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { as.Close() })
	return cs, as, c.ContactID
}

// sendAll sends texts as s, one second apart, and returns their ids.
func sendAll(t *testing.T, s *chat.Session, texts ...string) []string {
	t.Helper()
	var ids []string
	for _, text := range texts {
		time.Sleep(time.Second)
		out, err := s.SendMessage(context.Background(), &chat.Message{Content: text})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.ID)
	}
	return ids
}

func TestReceiptsDeduplicatedAndBatched(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, agent, _ := pair(t, srv, nil)
		ids := sendAll(t, agent, "m1", "m2", "m3")
		time.Sleep(time.Second)
		start := time.Now()

		// m1: delivered, then read 100 ms later: only the read goes, at
		// once (the first receipt of a window).
		cust.SendDeliveredReceipt(ids[0])
		time.Sleep(100 * time.Millisecond)
		cust.SendReadReceipt(ids[0])
		// Within the window: m2 and m3 read (m3 twice), m2 delivered: one
		// batch at the window's end, with only the newest read.
		time.Sleep(time.Second)
		cust.SendReadReceipt(ids[1])
		cust.SendDeliveredReceipt(ids[1])
		cust.SendReadReceipt(ids[2])
		cust.SendReadReceipt(ids[2])
		cust.SendReadReceipt(ids[0]) // already sent
		time.Sleep(10 * time.Second)

		got := sentEvents(srv, start)
		want := []sentEvent{
			{100 * time.Millisecond, "read", ids[0], 200},
			{5100 * time.Millisecond, "read", ids[2], 200},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("sent\n%v\nwant\n%v", got, want)
		}
		// The agent sees them.
		var seen []string
		for _, ev := range waitFor(t, agent, time.Minute, func(ev chat.Event) bool { return ev.Kind == chat.KindReadReceipt && ev.MessageID == ids[2] }) {
			if ev.Kind == chat.KindReadReceipt || ev.Kind == chat.KindDeliveredReceipt {
				seen = append(seen, ev.Kind.String()+":"+ev.MessageID)
			}
		}
		if w := fmt.Sprintf("[ReadReceipt:%s ReadReceipt:%s]", ids[0], ids[2]); fmt.Sprint(seen) != w {
			t.Errorf("agent saw %v, want %s", seen, w)
		}
		if st := cust.Stats(); st.ReceiptsSent != 2 {
			t.Errorf("ReceiptsSent %d", st.ReceiptsSent)
		}
	})
}

func TestReceiptsEveryAndDelivered(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, agent, _ := pair(t, srv, &chat.Options{Receipts: chat.ReceiptOptions{Every: true}})
		ids := sendAll(t, agent, "m1", "m2", "m3")
		time.Sleep(time.Second)
		start := time.Now()
		for _, id := range ids {
			cust.SendDeliveredReceipt(id)
		}
		cust.SendReadReceipt(ids[2])
		time.Sleep(10 * time.Second)
		got := sentEvents(srv, start)
		want := []sentEvent{
			{0, "read", ids[2], 200},
			{5 * time.Second, "delivered", ids[0], 200},
			{5 * time.Second, "delivered", ids[1], 200},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("sent\n%v\nwant\n%v", got, want)
		}
	})
}

// With a third participant the service refuses receipts with 409: the
// session drops them quietly and goes on.
func TestReceiptConflictIsQuiet(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, agent, contactID := pair(t, srv, nil)
		ids := sendAll(t, agent, "m1")
		if _, err := srv.AddParticipant(contactID, participanttest.RoleSupervisor, "Supervisor"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := cust.SendReadReceipt(ids[0]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		got := sentEvents(srv, start)
		if len(got) != 1 || got[0].status != 409 {
			t.Fatalf("sent %v, want one read answered 409", got)
		}
		if st := cust.Stats(); st.ReceiptConflicts != 1 || st.ReceiptErrors != 0 || st.ReceiptsSent != 0 {
			t.Errorf("stats %+v", st)
		}
		if _, err := cust.SendMessage(context.Background(), &chat.Message{Content: "still fine"}); err != nil {
			t.Errorf("send after the 409: %v", err)
		}
	})
}

// Receipts waiting for their window are dropped when the chat ends.
func TestNoReceiptsAfterTheEnd(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, agent, contactID := pair(t, srv, nil)
		ids := sendAll(t, agent, "m1", "m2")
		start := time.Now()
		cust.SendReadReceipt(ids[0])
		time.Sleep(time.Second)
		cust.SendReadReceipt(ids[1]) // waits for the end of the window
		time.Sleep(time.Second)
		srv.StopContact(contactID)
		waitFor(t, cust, time.Minute, isKind(chat.KindChatEnded))
		time.Sleep(10 * time.Second)
		if got := sentEvents(srv, start); len(got) != 1 || got[0].message != ids[0] {
			t.Fatalf("sent %v, want only the first read", got)
		}
		if err := cust.SendReadReceipt(ids[1]); !errors.Is(err, chat.ErrChatEnded) {
			t.Errorf("SendReadReceipt after the end: %v", err)
		}
	})
}

func TestReceiptsDisabled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, agent, _ := pair(t, srv, &chat.Options{Receipts: chat.ReceiptOptions{Disabled: true}})
		ids := sendAll(t, agent, "m1")
		start := time.Now()
		if err := cust.SendReadReceipt(ids[0]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Second)
		if got := sentEvents(srv, start); len(got) != 0 {
			t.Fatalf("sent %v with receipts disabled", got)
		}
	})
}

func TestTypingThrottle(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, agent, _ := pair(t, srv, nil)
		start := time.Now()
		for range 10 { // 10 keystrokes over 9 s: one event
			if err := cust.SendTyping(context.Background()); err != nil {
				t.Fatal(err)
			}
			time.Sleep(900 * time.Millisecond)
		}
		time.Sleep(time.Second)
		cust.SendTyping(context.Background()) // 10 s later: the next
		got := sentEvents(srv, start)
		if len(got) != 2 || got[0].kind != "typing" || got[0].at != 0 || got[1].at != 10*time.Second {
			t.Fatalf("sent %v", got)
		}
		if st := cust.Stats(); st.TypingSent != 2 || st.TypingThrottled != 9 {
			t.Errorf("stats %+v", st)
		}
		// The agent sees two typing events, and the indicator expires 12 s
		// after the last.
		var seen []string
		evs := waitFor(t, agent, time.Minute, isKind(chat.KindTypingStopped))
		for _, ev := range evs {
			if ev.Kind == chat.KindTyping || ev.Kind == chat.KindTypingStopped {
				seen = append(seen, ev.Kind.String())
			}
		}
		if fmt.Sprint(seen) != "[Typing Typing TypingStopped]" {
			t.Errorf("agent saw %v", seen)
		}
		// The last typing at 10s, delivered after the 200 ms reorder
		// window, plus 12s.
		if d := time.Since(start); d != 22200*time.Millisecond {
			t.Errorf("TypingStopped after %v, want 22.2s", d)
		}
	})
}

// An incoming typing indicator ends with the typist's message.
func TestTypingEndsWithMessage(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, agent, _ := pair(t, srv, &chat.Options{TypingInterval: -1})
		time.Sleep(time.Second)
		agent.SendTyping(context.Background())
		time.Sleep(3 * time.Second)
		agent.SendMessage(context.Background(), &chat.Message{Content: "typed"})
		var seen []string
		for _, ev := range waitFor(t, cust, time.Minute, isKind(chat.KindMessage)) {
			switch ev.Kind {
			case chat.KindTyping, chat.KindTypingStopped, chat.KindMessage:
				seen = append(seen, ev.Kind.String())
			}
		}
		if fmt.Sprint(seen) != "[Typing TypingStopped Message]" {
			t.Errorf("customer saw %v", seen)
		}
		// Nothing more for that typing event.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for {
			ev, err := cust.Next(ctx)
			if err != nil {
				break
			}
			if ev.Kind == chat.KindTypingStopped {
				t.Errorf("a second TypingStopped")
			}
		}
	})
}

// Retrying the same *Message is acted on once.
func TestSendMessageRetryIsIdempotent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, nil)
		m := &chat.Message{Content: "only once"}
		// The first attempt's response is lost: the client gives up on it.
		srv.Inject(participanttest.Latency(participanttest.OpSendMessage, time.Minute))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := s.SendMessage(ctx, m)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("first attempt: %v", err)
		}
		token := m.ClientToken
		out1, err := s.SendMessage(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		out2, err := s.SendMessage(context.Background(), m)
		if err != nil || out2.ID != out1.ID || m.ClientToken != token || token == "" {
			t.Fatalf("retries: %v, ids %s %s, token kept %v", err, out1.ID, out2.ID, m.ClientToken == token)
		}
		time.Sleep(2 * time.Minute)
		n := 0
		for _, it := range srv.Transcript(cust.ContactID) {
			if it.Content == "only once" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d copies in the transcript", n)
		}
		evs := waitFor(t, s, time.Minute, isKind(chat.KindMessage))
		if ev := evs[len(evs)-1]; ev.Item.ID != out1.ID {
			t.Errorf("event for %s", ev.Item.ID)
		}
	})
}

func TestAttachmentAndAuthenticationEvents(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, nil)
		client := srv.Client()
		id, err := client.UploadAttachment(context.Background(), &participant.UploadAttachmentInput{ConnectionToken: s.ConnectionToken(), AttachmentName: "notes.txt", ContentType: "text/plain", AttachmentSizeInBytes: 5, Body: strings.NewReader("hello")})
		if err != nil {
			t.Fatal(err)
		}
		evs := waitFor(t, s, time.Minute, isKind(chat.KindAttachment))
		att := evs[len(evs)-1].Item.Attachments
		if len(att) != 1 || att[0].AttachmentID != id || att[0].AttachmentName != "notes.txt" || att[0].Status != participant.ArtifactStatusApproved {
			t.Errorf("attachment %+v", att)
		}
		time.Sleep(time.Second)
		if _, err := srv.StartAuthentication(cust.ContactID); err != nil {
			t.Fatal(err)
		}
		evs = waitFor(t, s, time.Minute, isKind(chat.KindAuthentication))
		if ct := evs[len(evs)-1].Item.ContentType; ct != wire.ContentTypeAuthenticationInitiated {
			t.Errorf("authentication event %s", ct)
		}
	})
}

// A persistent chat's past items come first, marked FromPastSession.
func TestPersistentChatHistory(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		old, err := srv.StartChat(participanttest.ChatOptions{InitialMessage: "last time"})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		srv.StopContact(old.ContactID)
		time.Sleep(time.Second)
		cust, err := srv.StartChat(participanttest.ChatOptions{PersistentChat: &participanttest.PersistentChat{SourceContactID: old.ContactID}})
		if err != nil {
			t.Fatal(err)
		}
		s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		evs := waitFor(t, s, time.Minute, isKind(chat.KindChatRehydrated))
		var past, msgs int
		for _, ev := range evs {
			if ev.FromPastSession {
				past++
			}
			if ev.Kind == chat.KindMessage && ev.Item.Content == "last time" && ev.FromPastSession {
				msgs++
			}
			if ev.Kind == chat.KindChatEnded && !ev.FromPastSession {
				t.Errorf("chat.ended of the current contact")
			}
		}
		if msgs != 1 || past < 3 || evs[len(evs)-1].FromPastSession {
			t.Errorf("%d past items, past message %d; rehydrated past=%v", past, msgs, evs[len(evs)-1].FromPastSession)
		}
		// The past contact's chat.ended did not end this session.
		time.Sleep(time.Second)
		if _, err := s.SendMessage(context.Background(), &chat.Message{Content: "again"}); err != nil {
			t.Fatal(err)
		}
		evs = waitFor(t, s, time.Minute, isKind(chat.KindMessage))
		if ev := evs[len(evs)-1]; ev.Item.Content != "again" || ev.FromPastSession {
			t.Errorf("live message %+v", ev)
		}
	})
}
