package chat_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	require.NoError(t, err, "AddParticipant")
	as, err := chat.Connect(context.Background(), srv.Client(), a.ParticipantToken, o)
	require.NoError(t, err, "Connect the agent")
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
		require.NoError(t, err, "SendMessage %q", text)
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
		require.Equal(t, want, got, "sent events")
		// The agent sees them.
		var seen []string
		for _, ev := range waitFor(t, agent, time.Minute, func(ev chat.Event) bool { return ev.Kind == chat.KindReadReceipt && ev.MessageID == ids[2] }) {
			if ev.Kind == chat.KindReadReceipt || ev.Kind == chat.KindDeliveredReceipt {
				seen = append(seen, ev.Kind.String()+":"+ev.MessageID)
			}
		}
		assert.Equal(t, []string{"ReadReceipt:" + ids[0], "ReadReceipt:" + ids[2]}, seen, "agent saw")
		assert.Equal(t, int64(2), cust.Stats().ReceiptsSent, "ReceiptsSent")
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
		require.Equal(t, want, got, "sent events")
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
		_, err := srv.AddParticipant(contactID, participanttest.RoleSupervisor, "Supervisor")
		require.NoError(t, err)
		start := time.Now()
		require.NoError(t, cust.SendReadReceipt(ids[0]))
		time.Sleep(time.Second)
		got := sentEvents(srv, start)
		require.Len(t, got, 1, "sent %v, want one read answered 409", got)
		require.Equal(t, 409, got[0].status, "sent %v, want one read answered 409", got)
		st := cust.Stats()
		assert.Equal(t, int64(1), st.ReceiptConflicts, "stats %+v", st)
		assert.Equal(t, int64(0), st.ReceiptErrors, "stats %+v", st)
		assert.Equal(t, int64(0), st.ReceiptsSent, "stats %+v", st)
		_, err = cust.SendMessage(context.Background(), &chat.Message{Content: "still fine"})
		assert.NoError(t, err, "send after the 409")
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
		got := sentEvents(srv, start)
		require.Len(t, got, 1, "sent %v, want only the first read", got)
		require.Equal(t, ids[0], got[0].message, "sent %v, want only the first read", got)
		assert.ErrorIs(t, cust.SendReadReceipt(ids[1]), chat.ErrChatEnded, "SendReadReceipt after the end")
	})
}

func TestReceiptsDisabled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, agent, _ := pair(t, srv, &chat.Options{Receipts: chat.ReceiptOptions{Disabled: true}})
		ids := sendAll(t, agent, "m1")
		start := time.Now()
		require.NoError(t, cust.SendReadReceipt(ids[0]))
		time.Sleep(10 * time.Second)
		require.Empty(t, sentEvents(srv, start), "sent with receipts disabled")
	})
}

func TestTypingThrottle(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, agent, _ := pair(t, srv, nil)
		start := time.Now()
		for range 10 { // 10 keystrokes over 9 s: one event
			require.NoError(t, cust.SendTyping(context.Background()))
			time.Sleep(900 * time.Millisecond)
		}
		time.Sleep(time.Second)
		cust.SendTyping(context.Background()) // 10 s later: the next
		got := sentEvents(srv, start)
		require.Len(t, got, 2, "sent %v", got)
		require.Equal(t, "typing", got[0].kind, "sent %v", got)
		require.Equal(t, time.Duration(0), got[0].at, "sent %v", got)
		require.Equal(t, 10*time.Second, got[1].at, "sent %v", got)
		st := cust.Stats()
		assert.Equal(t, int64(2), st.TypingSent, "stats %+v", st)
		assert.Equal(t, int64(9), st.TypingThrottled, "stats %+v", st)
		// The agent sees two typing events, and the indicator expires 12 s
		// after the last.
		var seen []string
		evs := waitFor(t, agent, time.Minute, isKind(chat.KindTypingStopped))
		for _, ev := range evs {
			if ev.Kind == chat.KindTyping || ev.Kind == chat.KindTypingStopped {
				seen = append(seen, ev.Kind.String())
			}
		}
		assert.Equal(t, []string{"Typing", "Typing", "TypingStopped"}, seen, "agent saw")
		// The last typing at 10s, delivered at once, plus 12s.
		assert.Equal(t, 22*time.Second, time.Since(start), "TypingStopped after")
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
		assert.Equal(t, []string{"Typing", "TypingStopped", "Message"}, seen, "customer saw")
		// Nothing more for that typing event.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for {
			ev, err := cust.Next(ctx)
			if err != nil {
				break
			}
			assert.NotEqual(t, chat.KindTypingStopped, ev.Kind, "a second TypingStopped")
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
		require.ErrorIs(t, err, context.DeadlineExceeded, "first attempt")
		token := m.ClientToken
		require.NotEmpty(t, token, "ClientToken after the first attempt")
		out1, err := s.SendMessage(context.Background(), m)
		require.NoError(t, err)
		out2, err := s.SendMessage(context.Background(), m)
		require.NoError(t, err, "second retry")
		require.Equal(t, out1.ID, out2.ID, "ids of the retries")
		require.Equal(t, token, m.ClientToken, "ClientToken kept")
		time.Sleep(2 * time.Minute)
		n := 0
		for _, it := range srv.Transcript(cust.ContactID) {
			if it.Content == "only once" {
				n++
			}
		}
		assert.Equal(t, 1, n, "copies in the transcript")
		evs := waitFor(t, s, time.Minute, isKind(chat.KindMessage))
		assert.Equal(t, out1.ID, evs[len(evs)-1].Item.ID, "event for")
	})
}

func TestAttachmentAndAuthenticationEvents(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		cust, s := connect(t, srv, nil, nil)
		client := srv.Client()
		id, err := client.UploadAttachment(context.Background(), &participant.UploadAttachmentInput{ConnectionToken: s.ConnectionToken(), AttachmentName: "notes.txt", ContentType: "text/plain", AttachmentSizeInBytes: 5, Body: strings.NewReader("hello")})
		require.NoError(t, err)
		evs := waitFor(t, s, time.Minute, isKind(chat.KindAttachment))
		att := evs[len(evs)-1].Item.Attachments
		if assert.Len(t, att, 1, "attachments %+v", att) {
			assert.Equal(t, id, att[0].AttachmentID, "attachment %+v", att)
			assert.Equal(t, "notes.txt", att[0].AttachmentName, "attachment %+v", att)
			assert.Equal(t, participant.ArtifactStatusApproved, att[0].Status, "attachment %+v", att)
		}
		time.Sleep(time.Second)
		_, err = srv.StartAuthentication(cust.ContactID)
		require.NoError(t, err)
		evs = waitFor(t, s, time.Minute, isKind(chat.KindAuthentication))
		assert.Equal(t, participant.ContentType(wire.ContentTypeAuthenticationInitiated), evs[len(evs)-1].Item.ContentType, "authentication event")
	})
}

// A persistent chat's past items come first, marked FromPastSession.
func TestPersistentChatHistory(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t)
		old, err := srv.StartChat(participanttest.ChatOptions{InitialMessage: "last time"})
		require.NoError(t, err)
		time.Sleep(time.Second)
		srv.StopContact(old.ContactID)
		time.Sleep(time.Second)
		cust, err := srv.StartChat(participanttest.ChatOptions{PersistentChat: &participanttest.PersistentChat{SourceContactID: old.ContactID}})
		require.NoError(t, err)
		s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, nil)
		require.NoError(t, err)
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
			if ev.Kind == chat.KindChatEnded {
				assert.True(t, ev.FromPastSession, "chat.ended of the current contact")
			}
		}
		assert.Equal(t, 1, msgs, "past messages %q", "last time")
		assert.GreaterOrEqual(t, past, 3, "past items")
		assert.False(t, evs[len(evs)-1].FromPastSession, "ChatRehydrated marked FromPastSession")
		// The past contact's chat.ended did not end this session.
		time.Sleep(time.Second)
		_, err = s.SendMessage(context.Background(), &chat.Message{Content: "again"})
		require.NoError(t, err)
		evs = waitFor(t, s, time.Minute, isKind(chat.KindMessage))
		ev := evs[len(evs)-1]
		assert.Equal(t, "again", ev.Item.Content, "live message %+v", ev)
		assert.False(t, ev.FromPastSession, "live message %+v", ev)
	})
}
