package bench_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/connectchat/participant"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Benchmarks of participanttest, the emulator, each on a real loopback port
// in this process:
//
//	BenchmarkEmulatorThroughput     SendEvent throughput: 64 concurrent callers
//	                                through this repository's client
//	BenchmarkEmulatorBroadcast100   one SendMessage until 100 subscribed
//	                                sockets have it
//	BenchmarkEmulatorSocketMemory   heap, stack and goroutines the emulator
//	                                keeps per open subscribed socket
//
// Each run (each b.N) gets a fresh server, so state left by one run (the
// idempotency results of every SendEvent, the transcript) never slows the
// next one. Setup is outside the timer.

// emuCallers is the number of concurrent SendEvent callers.
const emuCallers = 64

// emuBenchServer starts an emulator for one benchmark run. Cleanup closes
// the transports' idle connections (tracked with track), then the server.
func emuBenchServer(b *testing.B, opts ...participanttest.Option) (srv *participanttest.Server, track func(*http.Transport)) {
	b.Helper()
	srv = participanttest.NewServer(opts...)
	var trs []*http.Transport
	b.Cleanup(func() {
		for _, tr := range trs {
			tr.CloseIdleConnections()
		}
		srv.Close()
	})
	return srv, func(tr *http.Transport) { trs = append(trs, tr) }
}

// emuConnected starts a chat on srv and returns its contact id and the
// customer's ConnectionToken.
func emuConnected(b *testing.B, srv *participanttest.Server, name string) (string, participant.Token) {
	b.Helper()
	p, err := srv.StartChat(participanttest.ChatOptions{DisplayName: name})
	require.NoError(b, err)
	c, err := srv.Connect(p.ParticipantToken)
	require.NoError(b, err)
	return p.ContactID, c.ConnectionToken
}

// BenchmarkEmulatorThroughput measures how many typing events a second the
// emulator answers: 64 goroutines (b.SetParallelism) call SendEvent through
// one participant.Client whose transport keeps up to 128 idle connections
// (newHTTPClient), so every caller has a connection of its own. No socket is
// subscribed, so the typing events go to no one. ops/s is b.N over the wall
// time of the run.
//
//   - chats=64: each caller sends as the customer of its own chat, as 64
//     chat widgets would. chats=1: all 64 share one contact's customer.
//   - history: the emulator keeps its most recent requests for
//     Server.Requests, 10000 by default (WithRequestHistory). Before the
//     timer starts the history is filled to its cap, so the run measures a
//     long-running emulator (such as `participant local`), not its first
//     10000 requests. history=100 shows what the trimming of a full history
//     costs (see the README).
func BenchmarkEmulatorThroughput(b *testing.B) {
	for _, v := range []struct{ chats, history int }{{emuCallers, 10000}, {1, 10000}, {emuCallers, 100}} {
		b.Run(fmt.Sprintf("chats=%d/history=%d", v.chats, v.history), func(b *testing.B) {
			srv, track := emuBenchServer(b, participanttest.WithRequestHistory(v.history))
			tokens := make([]participant.Token, v.chats)
			for i := range tokens {
				_, tokens[i] = emuConnected(b, srv, fmt.Sprintf("Caller %d", i))
			}
			hc, tr := newHTTPClient()
			track(tr)
			emuFillHistory(b, srv, hc, v.history)
			client := participant.New(participant.Options{BaseEndpoint: srv.URL, HTTPClient: hc})
			send := func(ctx context.Context, tok participant.Token) error {
				out, err := client.SendEvent(ctx, &participant.SendEventInput{ConnectionToken: tok, ContentType: participant.ContentTypeTyping})
				if err != nil {
					return err
				}
				if out.ID == "" || out.AbsoluteTime.IsZero() {
					return fmt.Errorf("SendEvent output without Id or AbsoluteTime: %+v", out)
				}
				return nil
			}
			// One call per caller before the timer, so each has a connection.
			var wg sync.WaitGroup
			errs := make(chan error, emuCallers)
			for i := range emuCallers {
				wg.Go(func() {
					if err := send(context.Background(), tokens[i%v.chats]); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(b, err, "warm-up")
			}

			procs := runtime.GOMAXPROCS(0)
			b.SetParallelism((emuCallers + procs - 1) / procs)
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				tok := tokens[int(next.Add(1)-1)%v.chats]
				ctx := context.Background()
				for pb.Next() {
					// assert (not require) off the benchmark goroutine, and
					// only on failure: its b.Helper call would be timed.
					if err := send(ctx, tok); err != nil {
						assert.NoError(b, err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")

			// The emulator answered the last calls (the warm-up's and the
			// run's, as many as its history holds) as SendEvents with 200.
			reqs := srv.Requests()
			require.Equal(b, v.history, len(reqs), "the emulator's requests: want its history")
			for _, r := range reqs[len(reqs)-min(len(reqs), b.N+emuCallers):] {
				require.Equal(b, participanttest.OpSendEvent, r.Operation, "the emulator recorded %s %d %s", r.Operation, r.Status, r.ErrorCode)
				require.Equal(b, http.StatusOK, r.Status, "the emulator recorded %s %d %s", r.Operation, r.Status, r.ErrorCode)
			}
		})
	}
}

// emuFillHistory sends n requests for an unknown route (each answered 404 and
// recorded), 64 at a time, so that srv's request history is full.
func emuFillHistory(b *testing.B, srv *participanttest.Server, hc *http.Client, n int) {
	b.Helper()
	var sent atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, emuCallers)
	for range emuCallers {
		wg.Go(func() {
			for sent.Add(1) <= int64(n) {
				resp, err := hc.Get(srv.URL + "/bench/fill")
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusNotFound {
					errs <- fmt.Errorf("filling the history: status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(b, err)
	}
	require.Equal(b, n, len(srv.Requests()), "history after filling")
}

// BenchmarkEmulatorBroadcast100 measures the fan-out of one chat message:
// the agent sends a text/plain message with SendMessage (this repository's
// client), and the op ends when all 100 sockets subscribed to the contact
// (raw coder/websocket clients, each read by its own goroutine) have the
// aws/chat frame. The sockets belong to the customer, who connected 100
// times; the agent has none.
func BenchmarkEmulatorBroadcast100(b *testing.B) {
	const sockets = 100
	srv, track := emuBenchServer(b)
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(b, err)
	agent, err := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Bob")
	require.NoError(b, err)
	ac, err := srv.Connect(agent.ParticipantToken)
	require.NoError(b, err)
	hc, tr := newHTTPClient()
	track(tr)
	client := participant.New(participant.Options{BaseEndpoint: srv.URL, HTTPClient: hc})

	ctx, cancel := context.WithCancel(context.Background())
	arrived := make(chan struct{}, sockets)
	bad := make(chan string, sockets)
	last := make([][]byte, sockets) // each socket's most recent frame, read after the readers stop
	conns := make([]*websocket.Conn, sockets)
	var readers sync.WaitGroup
	stop := func() {
		cancel()
		for _, c := range conns {
			if c != nil {
				_ = c.CloseNow()
			}
		}
		readers.Wait()
	}
	defer stop()
	for i := range sockets {
		cn, err := srv.Connect(cust.ParticipantToken)
		require.NoError(b, err)
		c, _, err := websocket.Dial(ctx, cn.WebSocketURL, &websocket.DialOptions{HTTPClient: hc})
		require.NoError(b, err, "socket %d", i)
		conns[i] = c
		require.NoError(b, c.Write(ctx, websocket.MessageText, []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)))
		_, ack, err := c.Read(ctx)
		require.NoError(b, err, "socket %d: subscribe", i)
		require.True(b, bytes.Contains(ack, []byte(`"status":"success"`)), "socket %d: subscribe answered %s", i, ack)
		readers.Go(func() {
			for {
				_, frame, err := c.Read(ctx)
				if err != nil {
					return
				}
				if !bytes.HasPrefix(frame, []byte(`{"content":"`)) || !bytes.HasSuffix(frame, []byte(`"topic":"aws/chat"}`)) {
					select {
					case bad <- string(frame):
					default:
					}
				}
				last[i] = frame
				select {
				case arrived <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	require.Equal(b, sockets, srv.Subscribers(cust.ContactID), "subscribers")

	in := participant.SendMessageInput{ConnectionToken: ac.ConnectionToken, ContentType: participant.ContentTypePlainText, Content: "Your order ships today."}
	var lastID string
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		msg := in
		out, err := client.SendMessage(ctx, &msg)
		if err != nil { // testify only on failure: its b.Helper call would be timed
			require.NoError(b, err)
		}
		lastID = out.ID
		for range sockets {
			select {
			case <-arrived:
			case f := <-bad:
				require.Failf(b, "not an aws/chat frame", "not an aws/chat frame: %s", f)
			case <-time.After(10 * time.Second):
				require.Fail(b, "a socket did not get the message within 10 s")
			}
		}
	}
	b.StopTimer()

	// Every socket's last frame is the last message, in the service's form.
	stop()
	for i, f := range last {
		var frame struct{ Content, ContentType, Topic string }
		var it struct{ Id, Type, Content, ParticipantId string }
		const wantLast = "socket %d: last frame %s, want the message %s"
		require.NoError(b, json.Unmarshal(f, &frame), wantLast, i, f, lastID)
		require.NoError(b, json.Unmarshal([]byte(frame.Content), &it), wantLast, i, f, lastID)
		require.Equal(b, lastID, it.Id, wantLast, i, f, lastID)
		require.Equal(b, "MESSAGE", it.Type, wantLast, i, f, lastID)
		require.Equal(b, in.Content, it.Content, wantLast, i, f, lastID)
		require.Equal(b, agent.ParticipantID, it.ParticipantId, wantLast, i, f, lastID)
	}
}

// BenchmarkEmulatorSocketMemory measures what the emulator keeps for each
// open, subscribed WebSocket. One op is one socket: opened, subscribed and
// its ack read. The sockets are opened in batches of 1000 (the last batch
// may be smaller), each batch on a fresh server and all to one contact; after
// each batch a GC runs and runtime.MemStats is compared with the state
// before its first dial, when its WebSocket URLs were already issued (so
// tokens and URLs are not counted).
//
// The clients are raw TCP connections speaking just enough WebSocket
// (upgrade, one masked subscribe frame, the ack) and then holding the
// connection without a goroutine or buffer, so nearly all the growth is the
// emulator's: what is left of a client is its net.TCPConn (a few hundred
// bytes).
func BenchmarkEmulatorSocketMemory(b *testing.B) {
	const batch = 1000
	var heap, stack, goroutines float64
	b.ReportAllocs()
	b.StopTimer()
	for done := 0; done < b.N; {
		n := min(batch, b.N-done)
		h, s, g := emuSocketMemory(b, n)
		heap += h
		stack += s
		goroutines += g
		done += n
	}
	b.ReportMetric(heap/float64(b.N), "heap-B/socket")
	b.ReportMetric(stack/float64(b.N), "stack-B/socket")
	b.ReportMetric(goroutines/float64(b.N), "goroutines/socket")
}

// emuSocketMemory opens n subscribed sockets on a fresh server and returns
// the growth of HeapInuse, StackInuse and the goroutine count. It is called
// with the timer stopped and times only the dialling.
func emuSocketMemory(b *testing.B, n int) (heap, stack, goroutines float64) {
	srv := participanttest.NewServer()
	defer srv.Close()
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(b, err)
	paths := make([]string, n)
	for i := range paths {
		c, err := srv.Connect(cust.ParticipantToken)
		require.NoError(b, err)
		u, err := url.Parse(c.WebSocketURL)
		require.NoError(b, err)
		paths[i] = u.RequestURI()
	}
	addr := strings.TrimPrefix(srv.URL, "http://")
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()

	before, g0 := emuMemNow()
	b.StartTimer()
	for _, p := range paths {
		c, err := emuRawSubscribe(addr, p)
		if err != nil {
			b.StopTimer()
			require.NoError(b, err)
		}
		conns = append(conns, c)
	}
	b.StopTimer()
	require.Equal(b, n, srv.Subscribers(cust.ContactID), "subscribers")
	after, g1 := emuMemNow()
	return float64(int64(after.HeapInuse) - int64(before.HeapInuse)),
		float64(int64(after.StackInuse) - int64(before.StackInuse)),
		float64(g1 - g0)
}

// emuMemNow collects garbage and returns the memory statistics and the
// goroutine count.
func emuMemNow() (runtime.MemStats, int) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms, runtime.NumGoroutine()
}

// The RFC 6455 example key and its accept value.
const (
	emuWSKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	emuWSAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
)

// emuRawSubscribe opens a WebSocket at addr and path by hand, sends an
// aws/subscribe and reads the success ack. It returns the bare connection,
// holding nothing else.
func emuRawSubscribe(addr, path string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (net.Conn, error) { _ = c.Close(); return nil, err }
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", path, addr, emuWSKey); err != nil {
		return fail(err)
	}
	br := bufio.NewReaderSize(c, 512)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != emuWSAccept {
		return fail(fmt.Errorf("upgrade answered %s", resp.Status))
	}
	// One masked text frame (the payload is under 126 bytes).
	payload := []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)
	mask := [4]byte{0x5a, 0x3c, 0x96, 0x0f}
	frame := append([]byte{0x81, 0x80 | byte(len(payload))}, mask[:]...)
	for i, p := range payload {
		frame = append(frame, p^mask[i%4])
	}
	if _, err := c.Write(frame); err != nil {
		return fail(err)
	}
	// The ack: an unmasked text frame.
	var hdr [2]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return fail(err)
	}
	size := int(hdr[1] & 0x7f)
	if size == 126 {
		var ext [2]byte
		if _, err := io.ReadFull(br, ext[:]); err != nil {
			return fail(err)
		}
		size = int(ext[0])<<8 | int(ext[1])
	}
	if hdr[0] != 0x81 || hdr[1]&0x80 != 0 || size > 4096 {
		return fail(fmt.Errorf("unexpected ack frame header %x", hdr))
	}
	ack := make([]byte, size)
	if _, err := io.ReadFull(br, ack); err != nil {
		return fail(err)
	}
	if !bytes.Contains(ack, []byte(`"topic":"aws/subscribe"`)) || !bytes.Contains(ack, []byte(`"status":"success"`)) {
		return fail(fmt.Errorf("subscribe answered %s", ack))
	}
	if br.Buffered() != 0 {
		return fail(fmt.Errorf("%d unexpected bytes after the ack", br.Buffered()))
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}
