package chat

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/connectchat/participant/internal/bufpool"
	"github.com/connectchat/participant/internal/lane"
	"github.com/connectchat/participant/internal/redact"
)

// Limits of the WebSocket client.
const (
	// readLimit is the largest frame accepted: an item's Content holds up
	// to 16384 characters, JSON-escaped twice (the frame's content is a
	// string of JSON), plus the item's other members.
	readLimit = 1 << 20
	// writeTimeout bounds one frame write; a socket that cannot take a
	// heartbeat in that time is closed, and so replaced.
	writeTimeout = 10 * time.Second
	// dialTimeout bounds the WebSocket handshake.
	dialTimeout = 30 * time.Second
)

// sock is one WebSocket connection of a session.
type sock struct {
	n      int // the session's count of sockets, for the logs
	conn   *websocket.Conn
	ctx    context.Context    // ends when the socket is given up
	cancel context.CancelFunc // ends its reader and writer, closing the connection
	where  string             // the URL without its query, for the logs
	opened time.Time

	// Guarded by the session's lmu.
	subscribedAt     time.Time // when the subscribe was acknowledged
	subAt            time.Time // when to send it again, or give up
	beatAt           time.Time // the next heartbeat
	subSent          int       // subscribe frames sent
	subscribed       bool
	hbWait, pingWait bool // a heartbeat or ping is unanswered
	dead             bool // given up: its frames are ignored

	// The frames to write: the socket's writer sends them, outside every
	// lock. Set up with the reader, before the first write.
	out lane.Lane[[]byte]
	// stopClose undoes the close of conn at the session's end that the
	// dial arranged, once a reader owns the socket.
	stopClose func() bool
}

// startReader starts the goroutine that reads sk's frames.
func (s *Session) startReader(sk *sock) {
	sk.stopClose()
	sk.stopClose = nil
	sk.out.Init(&s.wg, maxWriteQueue, func(batch [][]byte) { s.writeBatch(sk, batch) })
	sk.ctx, sk.cancel = context.WithCancel(s.ctx)
	s.wg.Add(1)
	go s.read(sk.ctx, sk)
}

// read reads the frames of sk until the connection ends, and hands them,
// then why it ended, to the processor.
//
// It does nothing else, so that its stack stays small: it is what an idle
// session costs, parked in coder/websocket's read, and the runtime shrinks
// a parked goroutine's stack only down to four times what it uses; one that
// once decoded JSON or ran the state machine would keep twice the memory.
//
// ctx's end closes the connection, which ends the read: one watch for the
// socket's life. The reads themselves get a context that never ends, for
// which coder/websocket arms nothing, and each frame is read into a pooled
// buffer that the processor gives back once it has decoded it: a busy
// session allocates neither per frame.
func (s *Session) read(ctx context.Context, sk *sock) {
	defer s.wg.Done()
	defer sk.conn.CloseNow()
	defer context.AfterFunc(ctx, func() { _ = sk.conn.CloseNow() })()
	rctx := context.WithoutCancel(ctx)
	for {
		buf, typ, err := readFrame(rctx, sk.conn)
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			// The end of the socket is queued even after ctx ended.
			_ = s.frames.PushWait(s.ctx, inFrame{sk: sk, err: err})
			return
		}
		if typ != websocket.MessageText {
			bufpool.Put(buf)
			continue
		}
		// A full inbox holds the reader: backpressure, nothing lost.
		if s.frames.PushWait(ctx, inFrame{sk: sk, buf: buf}) != nil {
			return
		}
	}
}

// readFrame reads conn's next message into a pooled buffer (the
// connection's read limit applies).
func readFrame(ctx context.Context, conn *websocket.Conn) (*bytes.Buffer, websocket.MessageType, error) {
	typ, r, err := conn.Reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	buf := bufpool.Get()
	if _, err := buf.ReadFrom(r); err != nil {
		bufpool.Put(buf)
		return nil, 0, err
	}
	return buf, typ, nil
}

// inFrame is a frame read, or the end of a socket.
type inFrame struct {
	sk  *sock
	buf *bytes.Buffer // the frame, from bufpool
	err error
}

// maxInbox bounds the frames read and not yet processed; a reader waits
// while it is full.
const maxInbox = 1024

// maxWriteQueue bounds the frames waiting for a socket's writer. The session
// writes only subscribes, heartbeats and pings, so a full queue means the
// peer stopped reading: the socket is given up (and replaced).
const maxWriteQueue = 16

// process decodes a batch of frames read and runs them in the state machine
// in order. It is the frames lane's runner.
func (s *Session) process(batch []inFrame) {
	var small [4]frame // most batches are a frame or two: no allocation
	frames := small[:0]
	if len(batch) > len(small) {
		frames = make([]frame, 0, len(batch))
	}
	frames = frames[:len(batch)]
	for i, in := range batch {
		if in.err == nil {
			// parseFrame keeps nothing of its input.
			frames[i] = parseFrame(in.buf.Bytes())
			bufpool.Put(in.buf)
		}
	}
	s.input(func(now time.Time) {
		for i, in := range batch {
			switch {
			case in.err != nil:
				s.onDown(in.sk, in.err, now)
			case frames[i].kind != frameIgnored:
				s.onFrame(in.sk, &frames[i], now)
			}
			if s.over {
				return
			}
		}
	})
}

// write queues a frame for sk's writer, starting it if idle: no network
// I/O happens under the state machine's lock. The writer sends the queue in
// order and exits when it is empty. A failed write closes the connection
// (coder/websocket does), which the reader then reports; so does a full
// queue (the peer stopped reading).
func (s *Session) write(sk *sock, data []byte) {
	if sk.out.Push(data) != nil {
		s.log.Warn("chat: WebSocket not taking writes; giving it up", "socket", sk.n)
		s.kill(sk)
	}
}

// writeBatch is sk's writer. Each write is bounded by writeTimeout, and
// ends at once when sk is given up or the session closes: coder/websocket
// then closes the connection, whatever the peer does.
func (s *Session) writeBatch(sk *sock, batch [][]byte) {
	for _, data := range batch {
		if sk.ctx.Err() != nil {
			return
		}
		ctx, cancel := context.WithTimeout(sk.ctx, writeTimeout)
		err := sk.conn.Write(ctx, websocket.MessageText, data)
		cancel()
		if err != nil && sk.ctx.Err() == nil {
			s.log.Debug("chat: WebSocket write failed", "socket", sk.n, "err", err)
		}
	}
}

// kill closes a socket at once, without the close handshake: its reader's
// context ends, which ends its Read, and the reader closes the connection
// as it exits. kill never waits for the reader.
func (s *Session) kill(sk *sock) {
	sk.dead = true
	sk.cancel()
}

// dial opens the WebSocket at rawURL.
func (s *Session) dial(ctx context.Context, rawURL string) (*sock, error) {
	where := redact.URLString(rawURL)
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, rawURL, &websocket.DialOptions{HTTPClient: s.hc})
	if err != nil {
		return nil, newDialError(where, resp, err)
	}
	conn.SetReadLimit(readLimit)
	// Until the state machine takes the socket (and its reader closes it),
	// the session's end closes it: a result the session never applies
	// leaks nothing.
	stop := context.AfterFunc(s.ctx, func() { _ = conn.CloseNow() })
	return &sock{conn: conn, where: where, opened: time.Now(), stopClose: stop}, nil
}

// queryPattern finds URL queries in error texts.
var queryPattern = regexp.MustCompile(`\?[^\s"'<>]*`)

// DialError is a failure to open the WebSocket: a refused handshake (such
// as 403 for a URL used or expired) or a network error. It never shows the
// URL's query, which holds its signature.
type DialError struct {
	// URL is the WebSocket URL without its query.
	URL string
	// StatusCode is the HTTP status of a refused handshake; 0 when no
	// response came.
	StatusCode int
	msg        string
	ctxErr     error
}

// Error describes the failure without the URL's query.
func (e *DialError) Error() string {
	var b strings.Builder
	b.WriteString("chat: WebSocket dial ")
	b.WriteString(e.URL)
	if e.StatusCode != 0 {
		b.WriteString(": HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
	}
	if e.msg != "" {
		b.WriteString(": ")
		b.WriteString(e.msg)
	}
	return b.String()
}

// Unwrap returns context.Canceled or context.DeadlineExceeded when the
// dial ended with its context, nil otherwise (the underlying error's text,
// which names the full URL, is kept only with the query removed).
func (e *DialError) Unwrap() error { return e.ctxErr }

func newDialError(where string, resp *http.Response, err error) error {
	e := &DialError{URL: where, msg: queryPattern.ReplaceAllString(err.Error(), "?REDACTED")}
	if resp != nil {
		e.StatusCode = resp.StatusCode
	}
	switch {
	case errors.Is(err, context.Canceled):
		e.ctxErr = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.ctxErr = context.DeadlineExceeded
	}
	return e
}
