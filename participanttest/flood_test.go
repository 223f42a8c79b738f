package participanttest_test

import (
	"context"
	"errors"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/participanttest"
)

// The flood of TestSocketFlood: 50 MiB of subscribes of about 1 KiB, each
// answered with an ack of about the same size.
const (
	floodBytes     = 50 << 20
	floodHeapLimit = 8 << 20
)

// floodFrame is a subscribe whose ack echoes its ~1 KiB of topics.
var floodFrame = []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat","` + strings.Repeat("x", 1000) + `"]}}`)

// flood writes floodFrame to c until floodBytes are sent or a write fails,
// and returns how many bytes it sent.
func flood(ctx context.Context, c *websocket.Conn) int64 {
	var sent int64
	for sent < floodBytes {
		if c.Write(ctx, websocket.MessageText, floodFrame) != nil {
			break
		}
		sent += int64(len(floodFrame))
	}
	return sent
}

// liveHeap samples the live heap (as of the last GC) until stop is
// closed, and returns the most it saw.
func liveHeap(stop <-chan struct{}) uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		metrics.Read(s)
		peak = max(peak, s[0].Value.Uint64())
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
	}
}

// TestSocketFlood: a client sends 50 MiB of subscribes without reading a
// single ack. The server's live heap grows by less than 8 MiB (its queue
// for the socket is bounded), a chat beside it works throughout, and when
// the client reads at last it finds its acks up to the bound and then a
// close with 1008. Not parallel: it measures the process's heap.
func TestSocketFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 50 MiB through a WebSocket")
	}
	srv := newServer(t, participanttest.WithTimeouts(participanttest.Timeouts{SocketWrite: 2 * time.Minute}))
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	flooder, _ := startChat(t, srv, participanttest.ChatOptions{})
	cust, agent := startChat(t, srv, participanttest.ChatOptions{})
	w := dial(t, srv, flooder.wsURL)
	other := open(t, srv, agent)

	runtime.GC()
	base := make([]metrics.Sample, 1)
	base[0].Name = "/gc/heap/live:bytes"
	metrics.Read(base)
	stop := make(chan struct{})
	var peak atomic.Uint64
	var wg sync.WaitGroup
	wg.Go(func() { peak.Store(liveHeap(stop)) })

	flooded := make(chan int64, 1)
	go func() { flooded <- flood(ctx, w.c) }()
	// The other chat works during the flood.
	for i := range 5 {
		sendMessage(t, srv, cust, "during "+itoa(i))
		assert.Equal(t, "during "+itoa(i), other.expectItem("MESSAGE", "text/plain").Content)
	}
	// The server reads and drops what a condemned socket sends, so all of
	// it goes through.
	sent := <-flooded
	close(stop)
	wg.Wait()
	require.GreaterOrEqual(t, sent, int64(floodBytes), "sent")
	growth := int64(peak.Load()) - int64(base[0].Value.Uint64())
	t.Logf("sent %.1f MiB of subscribes without reading; live heap %.1f MiB before, peak %.1f MiB (%+.1f MiB)",
		float64(sent)/(1<<20), float64(base[0].Value.Uint64())/(1<<20), float64(peak.Load())/(1<<20), float64(growth)/(1<<20))
	assert.Less(t, growth, int64(floodHeapLimit), "live heap growth")
	require.Zero(t, srv.Subscribers(flooder.ContactID), "the flooding socket was not condemned")

	// The flooder reads at last: acks, then 1008.
	acks := 0
	var err error
	for {
		var b []byte
		if b, err = w.readErr(); err != nil {
			break
		}
		require.Contains(t, string(b), `"aws/subscribe"`)
		acks++
	}
	assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(err), "close: %v", err)
	assert.Positive(t, acks)
	t.Logf("the flooder read %d acks, then %v", acks, err)

	// The other chat still works.
	sendMessage(t, srv, cust, "after")
	assert.Equal(t, "after", other.expectItem("MESSAGE", "text/plain").Content)
}

// TestSocketWriteDeadline: a client that never reads is cut once a write
// has waited for the socket write timeout, without a close frame.
func TestSocketWriteDeadline(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithTimeouts(participanttest.Timeouts{SocketWrite: 300 * time.Millisecond}))
	flooder, _ := startChat(t, srv, participanttest.ChatOptions{})
	w := dial(t, srv, flooder.wsURL)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	sent := flood(ctx, w.c)
	// The server cuts the connection and the flood stops before 50 MiB,
	// or it goes through (the server drops what a condemned socket sends)
	// and the connection is cut all the same.
	require.Eventually(t, func() bool { return srv.Subscribers(flooder.ContactID) == 0 }, 30*time.Second, 10*time.Millisecond)
	var err error
	for err == nil {
		_, err = w.readErr()
	}
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "still open: %v (sent %d bytes)", err, sent)
}
