package participanttest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/coder/websocket"
)

// maxFrame is the largest frame a client may send.
const maxFrame = 128 << 10

// socket is one WebSocket connection of a participant. It has a reader
// goroutine of its own (started once the handler has upgraded the
// connection, so that the handler's request is let go), and a writer,
// which runs only while the socket's queue holds frames: nothing sending to
// a slow client ever blocks, and an idle socket costs one parked
// goroutine. The queue is bounded (see outQueue) and each write has a
// deadline, so a client that does not read costs at most maxSocketQueue
// and is disconnected.
type socket struct {
	s      *Server
	id     string // the connectionId of error frames
	m      *member
	conn   *websocket.Conn
	raw    net.Conn // the hijacked connection, for dropping it
	opened time.Time
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the socket is gone

	// Guarded by Server.mu.
	subscribed bool
	dead       bool   // a close or drop is queued: nothing more is sent
	held       []byte // a frame held back by ReorderFrames

	out *outQueue
}

// enqueue queues f for the writer, starting one if none runs. A frame
// that would overflow the queue condemns the socket: it is closed with
// 1008 instead. s.mu must be held.
func (so *socket) enqueue(f outFrame) {
	ok, start := so.out.push(f)
	if !ok && !so.dead {
		so.dead = true
		so.s.debug("participanttest: socket queue full, closing", "connection", so.id)
	}
	if start {
		go so.write()
	}
}

// kill cuts the connection at once.
func (so *socket) kill() {
	if so.raw != nil {
		_ = so.raw.Close()
		return
	}
	_ = so.conn.CloseNow()
}

// write is the socket's writer: it writes the queue's frames in order and
// ends when the queue is empty, or for good once the socket is closed, cut
// or ended.
func (so *socket) write() {
	for {
		batch := so.out.take()
		if batch == nil {
			return
		}
		for _, f := range batch {
			switch {
			case so.ctx.Err() != nil:
				so.out.halt()
				return
			case f.drop:
				so.kill()
				so.out.halt()
				return
			case f.close != 0:
				so.deadline()
				_ = so.conn.Close(websocket.StatusCode(f.close), f.reason)
				so.out.halt()
				return
			}
			so.deadline()
			if so.conn.Write(context.Background(), websocket.MessageText, f.data) != nil {
				so.kill() // a write that failed or timed out leaves the stream broken
				so.out.halt()
				return
			}
			if !so.out.wrote(f) {
				break // the queue overflowed: its close is next
			}
		}
	}
}

// deadline gives the next write (a frame, or a close) the socket write
// timeout, on the hijacked connection itself: unlike a context per write,
// it costs no allocation.
func (so *socket) deadline() {
	if so.raw != nil {
		_ = so.raw.SetWriteDeadline(time.Now().Add(so.s.cfg.timeouts.SocketWrite))
	}
}

// hijackRecorder keeps the connection coder/websocket hijacks, so that the
// server can cut it.
type hijackRecorder struct {
	http.ResponseWriter
	conn net.Conn
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	h.conn = c
	return c, rw, err
}

// serveWebSocket upgrades a request for a WebSocket URL handed out by
// CreateParticipantConnection, then reads the socket until it closes.
func (s *Server) serveWebSocket(x *exchange) {
	secret := x.r.URL.Query().Get("X-Amz-Signature")
	s.mu.Lock()
	t := s.tickets[secret]
	var reason string
	var refuse *Fault
	switch {
	case t == nil:
		reason = reasonUnknownURL
	case t.used:
		reason = reasonURLUsed
	case !s.now().Before(t.expires):
		reason = reasonURLExpired
	default:
		s.touch(t.m.c)
		switch {
		case t.m.c.ended:
			reason = reasonChatEnded
		case t.m.left:
			reason = reasonParticipantLeft
		default:
			if refuse = s.socketFault(t.m, faultRefuseWebSocket); refuse != nil {
				reason = reasonInjected
			} else {
				t.used = true
			}
		}
	}
	s.mu.Unlock()
	if reason != "" {
		e := &apiError{status: http.StatusForbidden, code: "ForbiddenException", msg: "Forbidden", reason: reason}
		if refuse != nil {
			e.status, e.msg = refuse.status, http.StatusText(refuse.status)
		}
		x.fail(e)
		return
	}

	rec := &hijackRecorder{ResponseWriter: x.w}
	conn, err := websocket.Accept(rec, x.r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		x.status = http.StatusBadRequest
		return
	}
	x.status = http.StatusSwitchingProtocols
	s.record(x)
	conn.SetReadLimit(maxFrame)
	so := &socket{
		s: s, m: t.m, conn: conn, raw: rec.conn, opened: s.now(),
		done: make(chan struct{}), out: newOutQueue(maxSocketQueue),
	}
	// Not derived from s.ctx: Close ends sockets with a close frame first.
	// Cancelling so.ctx cuts the connection at once, by the one AfterFunc
	// here: the reads and writes themselves take a context that never ends,
	// for which coder/websocket sets up no AfterFunc of its own each time.
	so.ctx, so.cancel = context.WithCancel(context.Background())
	context.AfterFunc(so.ctx, func() { _ = conn.CloseNow() })
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		so.cancel()
		close(so.done)
		_ = conn.CloseNow()
		return
	}
	so.id = uuidFrom(s.reqIDs)
	s.sockets[so] = struct{}{}
	t.m.sockets = append(t.m.sockets, so)
	s.wg.Add(1)
	s.mu.Unlock()
	s.debug("participanttest: socket open", "contact", t.m.c.id, "participant", t.m.id, "connection", so.id)

	go so.read()
}

// read reads the socket's frames until it closes, then waits for its
// writer and forgets the socket.
func (so *socket) read() {
	s := so.s
	defer s.wg.Done()
	defer close(so.done)
	var buf bytes.Buffer
	for {
		typ, data, err := readFrame(context.Background(), so.conn, &buf)
		if err != nil {
			break
		}
		// A socket whose queue overflowed is condemned: what its client
		// still sends is read and dropped until the writer has closed it
		// (with 1008, or by the write deadline).
		if typ == websocket.MessageText && !so.out.isOverflowed() {
			s.handleFrame(so, data)
		}
	}
	so.cancel()
	so.out.stop()
	<-so.out.stopped
	_ = so.conn.CloseNow()
	s.mu.Lock()
	delete(s.sockets, so)
	so.m.sockets = slices.DeleteFunc(so.m.sockets, func(o *socket) bool { return o == so })
	s.mu.Unlock()
	s.debug("participanttest: socket closed", "connection", so.id)
}

// readFrame reads the next message of conn into buf, which it reuses: a
// client's frames cost no garbage each, and a buffer grown by a large
// frame is let go.
func readFrame(ctx context.Context, conn *websocket.Conn, buf *bytes.Buffer) (websocket.MessageType, []byte, error) {
	if buf.Cap() > 16<<10 {
		*buf = bytes.Buffer{}
	}
	buf.Reset()
	typ, r, err := conn.Reader(ctx)
	if err != nil {
		return 0, nil, err
	}
	if _, err := buf.ReadFrom(r); err != nil {
		return 0, nil, err
	}
	return typ, buf.Bytes(), nil
}

// clientFrame reads a client frame leniently, in one decode: anything after
// the first JSON value is ignored (the iOS SDK appends a stray ')' to its
// subscribe). topics are those of a subscribe or unsubscribe: aws/chat when
// its content has none readable.
func clientFrame(b []byte) (topic string, topics []string, ok bool) {
	var f struct {
		Topic   string      `json:"topic"`
		Content frameTopics `json:"content"`
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&f); err != nil {
		return "", nil, false
	}
	if len(f.Content) == 0 {
		f.Content = frameTopics{"aws/chat"}
	}
	return f.Topic, f.Content, true
}

// frameTopics are the topics of a frame's content, which may be an object
// or a JSON string holding one; unreadable content has none.
type frameTopics []string

func (ft *frameTopics) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) == nil {
			b = []byte(s)
		}
	}
	var c struct {
		Topics []string `json:"topics"`
	}
	if json.Unmarshal(b, &c) == nil {
		*ft = c.Topics
	}
	return nil
}

// handleFrame answers one client frame.
func (s *Server) handleFrame(so *socket, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if so.dead {
		return
	}
	if s.now().Sub(so.opened) >= s.cfg.life.Socket {
		s.enqueueClose(so, int(websocket.StatusGoingAway), "Going away")
		return
	}
	s.touch(so.m.c)
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return
	}
	topic, topics, ok := clientFrame(data)
	if !ok {
		s.sendError(so, "Forbidden")
		return
	}
	switch topic {
	case "aws/subscribe", "aws/unsubscribe":
		s.subscribeFrame(so, topic, topics)
	case "aws/heartbeat":
		s.heartbeatFrame(so)
	case "aws/ping":
		s.pingFrame(so)
	default:
		s.sendError(so, "Forbidden")
	}
	s.flushHeld(so)
}

// subscribeFrame answers aws/subscribe and aws/unsubscribe: aws/chat is
// the one topic a socket can take. s.mu must be held.
func (s *Server) subscribeFrame(so *socket, topic string, topics []string) {
	if topic == "aws/unsubscribe" {
		if slices.Contains(topics, "aws/chat") {
			so.subscribed = false
		}
		s.sendJSON(so, subscribeReply{Topic: topic, Content: subscribeContent{Status: "success", Topics: topics}})
		return
	}
	if f := s.socketFault(so.m, faultErrorFrame); f != nil {
		s.sendError(so, f.message)
		return
	}
	status := "failure"
	if slices.Contains(topics, "aws/chat") {
		so.subscribed, status = true, "success"
	}
	s.sendJSON(so, subscribeReply{Topic: topic, Content: subscribeContent{Status: status, Topics: topics}})
}

// heartbeatFrame answers aws/heartbeat, unless a fault silences it or
// answers with an error frame. s.mu must be held.
func (s *Server) heartbeatFrame(so *socket) {
	if s.socketFault(so.m, faultSilenceHeartbeat) != nil {
		return
	}
	if f := s.socketFault(so.m, faultErrorFrame); f != nil {
		s.sendError(so, f.message)
		return
	}
	s.sendFrame(so, []byte(`{"topic":"aws/heartbeat"}`))
}

// pingFrame answers aws/ping (the deep heartbeat) with 200 OK, unless a
// fault silences it, answers with an error frame, or fails it with 500.
// s.mu must be held.
func (s *Server) pingFrame(so *socket) {
	m := so.m
	if s.socketFault(m, faultSilencePing) != nil {
		return
	}
	if f := s.socketFault(m, faultErrorFrame); f != nil {
		s.sendError(so, f.message)
		return
	}
	if s.socketFault(m, faultFailPing) != nil {
		s.sendJSON(so, pingReply{Topic: "aws/ping", StatusCode: 500, StatusContent: "Internal Server Error"})
		return
	}
	s.sendJSON(so, pingReply{Topic: "aws/ping", StatusCode: 200, StatusContent: "OK"})
}

// sendError sends an error frame, which has no topic. s.mu must be held.
func (s *Server) sendError(so *socket, msg string) {
	s.sendJSON(so, errorFrame{Message: msg, ConnectionID: so.id, RequestID: uuidFrom(s.reqIDs)})
}

func (s *Server) sendJSON(so *socket, v any) {
	b, _ := json.Marshal(v)
	s.sendFrame(so, b)
}

// sendFrame queues a frame, unless a DropSocket or CloseSocket fault takes
// its place. s.mu must be held.
func (s *Server) sendFrame(so *socket, data []byte) {
	if so.dead {
		return
	}
	if f := s.socketFault(so.m, faultDropSocket, faultCloseSocket); f != nil {
		so.dead = true
		if f.kind == faultDropSocket {
			so.enqueue(outFrame{drop: true})
		} else {
			so.enqueue(outFrame{close: f.closeCode, reason: f.reason})
		}
		return
	}
	so.enqueue(outFrame{data: data})
}

// pushItem sends an aws/chat frame, applying the duplicate and reorder
// faults. s.mu must be held.
func (s *Server) pushItem(so *socket, frame []byte) {
	if so.dead {
		return
	}
	dup := s.socketFault(so.m, faultDuplicate) != nil
	if so.held == nil && s.socketFault(so.m, faultReorder) != nil {
		so.held = frame
		if dup {
			s.sendFrame(so, frame)
		}
		return
	}
	s.sendFrame(so, frame)
	if dup {
		s.sendFrame(so, frame)
	}
	s.flushHeld(so)
}

// flushHeld sends a frame ReorderFrames held back. s.mu must be held.
func (s *Server) flushHeld(so *socket) {
	if h := so.held; h != nil {
		so.held = nil
		s.sendFrame(so, h)
	}
}

// enqueueClose closes a socket with a code after its queued frames. s.mu
// must be held.
func (s *Server) enqueueClose(so *socket, code int, reason string) {
	if so.dead {
		return
	}
	so.dead = true
	so.enqueue(outFrame{close: code, reason: reason})
}

// socketsOf returns the open sockets of a contact. s.mu must be held.
func (s *Server) socketsOf(contactID string) []*socket {
	var out []*socket
	for so := range s.sockets {
		if so.m.c.id == contactID {
			out = append(out, so)
		}
	}
	return out
}

// DropSockets cuts every WebSocket connection of a contact at once, at the
// TCP level with no close frame, as a network failure would. It returns how
// many it cut, not counting those already being closed (which it cuts
// too).
func (s *Server) DropSockets(contactID string) int {
	s.mu.Lock()
	socks := s.socketsOf(contactID)
	n := 0
	for _, so := range socks {
		if !so.dead {
			so.dead = true
			n++
		}
	}
	s.mu.Unlock()
	for _, so := range socks {
		so.kill()
	}
	return n
}

// CloseSockets closes every WebSocket connection of a contact with the close
// code and reason, after the frames already queued. It returns how many it
// closed, not counting those already being closed.
func (s *Server) CloseSockets(contactID string, code int, reason string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, so := range s.socketsOf(contactID) {
		if !so.dead {
			s.enqueueClose(so, code, reason)
			n++
		}
	}
	return n
}

// Subscribers returns how many open WebSocket connections of a contact are
// subscribed to aws/chat.
func (s *Server) Subscribers(contactID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, so := range s.socketsOf(contactID) {
		if so.subscribed && !so.dead {
			n++
		}
	}
	return n
}
