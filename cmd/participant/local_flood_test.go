package main

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// The bounds of TestLocalSocketFlood.
const (
	floodBytes    = 50 << 20 // of subscribes
	floodRSSLimit = 8 << 20  // the most the process may grow by
)

// TestLocalSocketFlood runs `participant local` as a process and sends one
// of its WebSockets 50 MiB of subscribes of about 1 KiB without reading a
// single ack. The process's resident memory (VmRSS and its peak VmHWM)
// grows by less than 8 MiB, the socket is closed (with 1008, or cut by the
// write deadline), and a chat beside it works during and after.
func TestLocalSocketFlood(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("sends 50 MiB to a `participant local` process")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/PID/status")
	}
	p := startLocalProcess(t, "--agent", "echo", "--agent-delay", "1ms")
	pid := p.cmd.Process.Pid
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	c := p.join(ctx, t)
	c.say(ctx, t, "before")
	c.waitFor(ctx, t, "before")
	before := memStatus(t, pid)

	sc, err := startChatContact(ctx, p.endpoint, "Flooder", "")
	require.NoError(t, err)
	out, err := participant.New(participant.Options{BaseEndpoint: p.endpoint}).CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
		ParticipantToken: participant.Token(sc.ParticipantToken),
		Type:             []participant.ConnectionType{participant.ConnectionTypeWebsocket},
	})
	require.NoError(t, err)
	require.NotNil(t, out.Websocket)
	ws, _, err := websocket.Dial(ctx, out.Websocket.URL, nil)
	require.NoError(t, err)
	defer ws.CloseNow()

	frame := []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat","` + strings.Repeat("x", 1000) + `"]}}`)
	flooded := make(chan int64, 1)
	go func() {
		var sent int64
		for sent < floodBytes && ws.Write(ctx, websocket.MessageText, frame) == nil {
			sent += int64(len(frame))
		}
		flooded <- sent
	}()
	peak := before
	var sent int64
	for waiting := true; waiting; {
		select {
		case sent = <-flooded:
			waiting = false
		case <-time.After(20 * time.Millisecond):
		}
		m := memStatus(t, pid)
		peak.rss = max(peak.rss, m.rss)
	}
	c.say(ctx, t, "during")
	c.waitFor(ctx, t, "during")
	after := memStatus(t, pid)

	// The flooder reads at last: acks, then the end of the socket.
	acks := 0
	for {
		rctx, rcancel := context.WithTimeout(ctx, 30*time.Second)
		_, _, err = ws.Read(rctx)
		rcancel()
		if err != nil {
			break
		}
		acks++
	}
	require.False(t, errors.Is(err, context.DeadlineExceeded), "the flooding socket is still open")
	c.say(ctx, t, "after")
	c.waitFor(ctx, t, "after")

	t.Logf("sent %.1f MiB of subscribes without reading; participant local VmRSS %.1f MiB before, peak %.1f MiB during, %.1f MiB after (VmHWM %.1f MiB); the flooder then read %d acks and %v",
		mib(sent), mib(before.rss), mib(peak.rss), mib(after.rss), mib(after.hwm), acks, err)
	assert.Positive(t, sent)
	assert.Less(t, peak.rss-before.rss, int64(floodRSSLimit), "VmRSS growth")
	assert.Less(t, after.hwm-before.rss, int64(floodRSSLimit), "VmHWM growth")
}
