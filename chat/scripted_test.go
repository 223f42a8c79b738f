package chat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// scriptedSocket is a WebSocket server that plays the service's side with
// frames the emulator does not send (bot chunks, unknown item types,
// attachment status changes, content as an object), and misbehaves on
// demand. The emulator hands out its URLs (WithWebSocketBaseURL) and serves
// everything else.
type scriptedSocket struct {
	*httptest.Server
	ignoreSubscribes atomic.Int64 // subscribes to leave unanswered
	silentSocket     atomic.Int64 // the socket (counting from 1) that leaves heartbeats unanswered
	errorHeartbeats  atomic.Int64 // the socket that answers heartbeats with an error frame
	subscribes       atomic.Int64
	// dropAfterAck, when set, ends every socket right after it acknowledges
	// the subscribe: 1 cuts it, 2 closes it with 1001 (going away).
	dropAfterAck atomic.Int64
	sockets      atomic.Int64

	handlers sync.WaitGroup
	mu       sync.Mutex
	conns    []*websocket.Conn
}

func newScriptedSocket(t *testing.T) *scriptedSocket {
	ss := &scriptedSocket{}
	ss.Server = httptest.NewServer(http.HandlerFunc(ss.serve))
	t.Cleanup(ss.Close)
	// Runs after the session's Close (cleanups run last first): every
	// socket the session opened must be closed from its side. CHAT_DUMP=1
	// prints the goroutines when one is not.
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() { ss.handlers.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			assert.Fail(t, "a socket of the session is still open after Close", "%d sockets", ss.sockets.Load())
			if os.Getenv("CHAT_DUMP") != "" {
				pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
			}
			ss.mu.Lock()
			for _, c := range ss.conns {
				c.CloseNow()
			}
			ss.mu.Unlock()
		}
	})
	return ss
}

func (ss *scriptedSocket) serve(w http.ResponseWriter, r *http.Request) {
	ss.handlers.Add(1)
	defer ss.handlers.Done()
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	n := ss.sockets.Add(1)
	ctx := r.Context()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		var f struct{ Topic string }
		json.Unmarshal(data, &f)
		switch f.Topic {
		case "aws/subscribe":
			ss.subscribes.Add(1)
			if ss.ignoreSubscribes.Add(-1) >= 0 {
				continue
			}
			// Recorded before the ack: once the session has it, the test
			// may send on this socket.
			ss.mu.Lock()
			ss.conns = append(ss.conns, c)
			ss.mu.Unlock()
			c.Write(ctx, websocket.MessageText, []byte(`{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}`))
			switch ss.dropAfterAck.Load() {
			case 1:
				c.CloseNow()
				return
			case 2:
				c.Close(websocket.StatusGoingAway, "")
				return
			}
		case "aws/heartbeat":
			if ss.errorHeartbeats.Load() == n {
				c.Write(ctx, websocket.MessageText, []byte(`{"message":"Internal server error","connectionId":"c1","requestId":"r1"}`))
			} else if ss.silentSocket.Load() != n {
				c.Write(ctx, websocket.MessageText, []byte(`{"topic":"aws/heartbeat"}`))
			}
		case "aws/ping":
			c.Write(ctx, websocket.MessageText, []byte(`{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}`))
		}
	}
}

// send writes a raw frame to the newest subscribed socket.
func (ss *scriptedSocket) send(t *testing.T, frame string) {
	t.Helper()
	ss.mu.Lock()
	c := ss.conns[len(ss.conns)-1]
	ss.mu.Unlock()
	require.NoError(t, c.Write(context.Background(), websocket.MessageText, []byte(frame)), "write frame %s", frame)
}

// dropAll cuts every socket subscribed so far, without a close frame.
func (ss *scriptedSocket) dropAll() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, c := range ss.conns {
		c.CloseNow()
	}
}

// item sends an item as the service does: content a JSON string.
func (ss *scriptedSocket) item(t *testing.T, item map[string]any) {
	t.Helper()
	b, _ := json.Marshal(item)
	f, _ := json.Marshal(map[string]string{"content": string(b), "contentType": "application/json", "topic": "aws/chat"})
	ss.send(t, string(f))
}

func scriptedSession(t *testing.T, o *chat.Options) (*scriptedSocket, *chat.Session) {
	t.Helper()
	ss := newScriptedSocket(t)
	srv := participanttest.NewServer(participanttest.WithWebSocketBaseURL("ws" + strings.TrimPrefix(ss.URL, "http")))
	t.Cleanup(srv.Close)
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err, "StartChat")
	if o == nil {
		o = &chat.Options{}
	}
	o.SubscribeTimeout = 50 * time.Millisecond
	o.ReorderWindow = 20 * time.Millisecond
	start := time.Now()
	ss.ignoreSubscribes.Store(1)
	s, err := chat.Connect(context.Background(), srv.Client(), cust.ParticipantToken, o)
	require.NoError(t, err, "Connect")
	t.Cleanup(func() { s.Close() })
	// The first subscribe went unanswered and was sent again.
	n, d := ss.subscribes.Load(), time.Since(start)
	require.GreaterOrEqual(t, n, int64(2), "%d subscribes in %v, want a second after the 50ms timeout", n, d)
	require.GreaterOrEqual(t, d, 50*time.Millisecond, "%d subscribes in %v, want a second after the 50ms timeout", n, d)
	waitFor(t, s, 10*time.Second, isKind(chat.KindParticipantJoined)) // the history
	return ss, s
}

func stamp(ms int) string {
	return time.Now().Add(time.Hour + time.Duration(ms)*time.Millisecond).UTC().Format("2006-01-02T15:04:05.000Z")
}

// The service's frames, as the official clients read them.
func TestScriptedFrames(t *testing.T) {
	t.Parallel()
	ss, s := scriptedSession(t, nil)
	meta := func(done bool, n int) map[string]any {
		return map[string]any{"MessageId": "bot1", "MessageCompleted": done, "ChunkNumber": n}
	}
	bot := func(ms int, content string, md map[string]any) map[string]any {
		return map[string]any{"Id": "bot1", "Type": "MESSAGE", "ContentType": "text/plain", "ParticipantRole": "SYSTEM", "ParticipantId": "lex", "Content": content, "AbsoluteTime": stamp(ms), "MessageMetadata": md}
	}
	ss.item(t, bot(1, "Hel", meta(false, 1)))
	ss.item(t, bot(2, "lo ", meta(false, 2)))
	ss.item(t, bot(2, "lo ", meta(false, 2))) // a repeated chunk
	ss.item(t, map[string]any{"Id": "x1", "Type": "FUTURE_TYPE", "ContentType": "application/x-new", "Content": "?", "AbsoluteTime": stamp(3), "NewField": []int{1, 2}})
	ss.item(t, bot(4, "world", meta(false, 3)))
	ss.item(t, bot(5, "Hello world!", map[string]any{"MessageId": "bot1", "MessageCompleted": true}))
	// content as an object, as some fakes send it
	ss.send(t, `{"topic":"aws/chat","content":{"Id":"o1","Type":"MESSAGE","ContentType":"text/plain","Content":"object content","AbsoluteTime":"`+stamp(6)+`"}}`)
	att := func(ms int, status string) map[string]any {
		return map[string]any{"Id": "a1", "Type": "ATTACHMENT", "AbsoluteTime": stamp(ms), "Attachments": []map[string]string{{"AttachmentId": "f1", "AttachmentName": "scan.pdf", "ContentType": "application/pdf", "Status": status}}}
	}
	ss.item(t, att(7, "IN_PROGRESS"))
	ss.item(t, map[string]any{"Id": "i1", "Type": "EVENT", "ContentType": "application/vnd.amazonaws.connect.event.participant.idle", "ParticipantId": "agent", "AbsoluteTime": stamp(8)})
	ss.item(t, map[string]any{"Id": "r1", "Type": "EVENT", "ContentType": "application/vnd.amazonaws.connect.event.participant.returned", "ParticipantId": "agent", "AbsoluteTime": stamp(9)})
	ss.item(t, map[string]any{"Id": "t1", "Type": "EVENT", "ContentType": "application/vnd.amazonaws.connect.event.transfer.succeeded", "AbsoluteTime": stamp(10)})
	ss.item(t, map[string]any{"Id": "p1", "Type": "MESSAGE", "ContentType": "text/plain", "Content": "old", "isFromPastSession": true, "AbsoluteTime": stamp(11)})

	var got []string
	var other chat.Event
	// read takes events until one described as last, or the chat's end.
	read := func(last string) {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			ev, err := s.Next(ctx)
			cancel()
			if err != nil {
				require.Same(t, chat.ErrChatEnded, err, "Next")
				return
			}
			d := ev.Kind.String()
			switch {
			case ev.Kind == chat.KindMessage || ev.Kind == chat.KindAttachment && len(ev.Item.Attachments) > 0:
				d += ":" + ev.Item.Content
				if ev.Kind == chat.KindAttachment {
					d += string(ev.Item.Attachments[0].Status)
				}
			case ev.Kind == chat.KindOther:
				other = ev
			}
			if ev.Update {
				d += "(update)"
			}
			if ev.FromPastSession {
				d += "(past)"
			}
			got = append(got, d)
			if d == last {
				return
			}
		}
	}
	// The attachment is delivered before its approval comes: the approval
	// is then an update.
	read("Message:old(past)")
	ss.item(t, att(7, "APPROVED"))
	ss.item(t, map[string]any{"Id": "e1", "Type": "EVENT", "ContentType": "application/vnd.amazonaws.connect.event.chat.ended", "AbsoluteTime": stamp(12)})
	read("")
	want := "Message:Hello world! Other Message:object content Attachment:IN_PROGRESS ParticipantIdle ParticipantReturned TransferSucceeded Message:old(past) Attachment:APPROVED(update) ChatEnded"
	assert.Equal(t, want, strings.Join(got, " "), "events")
	assert.Contains(t, string(other.Raw), `"NewField":[1,2]`, "unknown item")
	assert.EqualValues(t, "FUTURE_TYPE", other.Item.Type, "unknown item: %s", other.Raw)
	st := s.Stats()
	assert.Equal(t, int64(1), st.DuplicatesDropped, "stats %+v: want the repeated chunk dropped and one update", st)
	assert.Equal(t, int64(1), st.Updates, "stats %+v: want the repeated chunk dropped and one update", st)
}

// Heartbeats unanswered: the session gives the socket up and reconnects,
// with a new CreateParticipantConnection and a new socket.
func TestScriptedHeartbeatSilence(t *testing.T) {
	t.Parallel()
	ss, s := scriptedSession(t, &chat.Options{HeartbeatInterval: 300 * time.Millisecond})
	ss.silentSocket.Store(1) // the first socket falls silent; the next answers
	waitFor(t, s, 10*time.Second, isKind(chat.KindConnectionLost))
	waitFor(t, s, 10*time.Second, isKind(chat.KindConnectionReestablished))
	st := s.Stats()
	assert.Equal(t, int64(1), st.HeartbeatMisses, "stats %+v", st)
	assert.Equal(t, int64(1), st.Reconnects, "stats %+v", st)
	assert.Equal(t, int64(2), ss.sockets.Load(), "sockets")
	ss.item(t, map[string]any{"Id": "m1", "Type": "MESSAGE", "Content": "on the new socket", "AbsoluteTime": stamp(1)})
	evs := waitFor(t, s, 10*time.Second, isKind(chat.KindMessage))
	assert.Equal(t, "on the new socket", evs[len(evs)-1].Item.Content, "message")
}
