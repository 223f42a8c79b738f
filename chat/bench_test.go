package chat_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// heapBySide reads the in-use heap profile (as of the last GC) and splits
// its bytes between the client side (stacks through this package, the
// participant client, the HTTP transport that dials and pools its
// connections) and the rest (the emulator).
func heapBySide() (client, other int64, top map[string]int64) {
	var buf bytes.Buffer
	pprof.Lookup("heap").WriteTo(&buf, 1)
	top = map[string]int64{}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var bytesNow int64
	var frames []string
	flush := func() {
		if bytesNow == 0 {
			return
		}
		joined := strings.Join(frames, "\n")
		isClient := strings.Contains(joined, "participant/chat.") ||
			strings.Contains(joined, "net/http.(*Transport)") ||
			strings.Contains(joined, "net/http.(*persistConn)") ||
			strings.Contains(joined, "connectchat/participant.(*Client)")
		if isClient {
			client += bytesNow
		} else {
			other += bytesNow
		}
		// The first frame outside the runtime names the site.
		site := "?"
		for _, f := range frames {
			if !strings.HasPrefix(f, "runtime.") && !strings.HasPrefix(f, "internal/") {
				site = f
				break
			}
		}
		side := "E "
		if isClient {
			side = "C "
		}
		top[side+site] += bytesNow
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "heap profile:"):
		case strings.Contains(line, " @ ") && !strings.HasPrefix(line, "#"):
			flush()
			frames = frames[:0]
			f := strings.Fields(line) // N: bytes [N: bytes] @ ...
			bytesNow, _ = strconv.ParseInt(f[1], 10, 64)
		case strings.HasPrefix(line, "#\t"):
			f := strings.Fields(line)
			if len(f) >= 3 {
				fn := f[2]
				if i := strings.LastIndex(fn, "+0x"); i > 0 {
					fn = fn[:i]
				}
				frames = append(frames, fn)
			}
		case strings.HasPrefix(line, "# runtime.MemStats"):
			flush()
			bytesNow = 0
		}
	}
	flush()
	return client, other, top
}

// settle collects garbage until the heap and the stacks stop shrinking
// (each collection halves at most a goroutine's stack), and returns the
// memory statistics.
func settle() runtime.MemStats {
	var ms runtime.MemStats
	var last uint64
	for range 20 {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		if ms.StackInuse+ms.HeapInuse == last {
			break
		}
		last = ms.StackInuse + ms.HeapInuse
	}
	return ms
}

// BenchmarkIdleSessions measures what idle, subscribed sessions cost the
// client side, with n sessions against the in-memory emulator in this
// process. Run it once per size:
//
//	go test -run '^$' -bench IdleSessions -benchtime 1x ./chat/
func BenchmarkIdleSessions(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				idleSessions(b, n)
			}
		})
	}
}

func idleSessions(b *testing.B, n int) {
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 1
	defer func() { runtime.MemProfileRate = old }()

	srv := participanttest.NewUnstartedServer(participanttest.WithSeed(1), participanttest.WithMaxChats(0))
	srv.StartInMemory()
	defer srv.Close()
	client := srv.Client()
	tokens := make([]participanttest.Participant, n)
	for i := range tokens {
		p, err := srv.StartChat(participanttest.ChatOptions{})
		require.NoError(b, err)
		tokens[i] = p
	}
	// Warm the pools of the transport and the client.
	warm, err := chat.Connect(context.Background(), client, tokens[0].ParticipantToken, nil)
	require.NoError(b, err)
	warm.Close()

	before := settle()
	c0, o0, _ := heapBySide()
	g0 := runtime.NumGoroutine()
	sg0 := sessionGoroutines()

	sessions := make([]*chat.Session, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	start := time.Now()
	for i := range sessions {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := chat.Connect(context.Background(), client, tokens[i].ParticipantToken, nil)
			if !assert.NoError(b, err, "Connect") {
				return
			}
			// Read the first events: connected, then the customer's join
			// from the transcript. The session is then idle.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for {
				ev, err := s.Next(ctx)
				if !assert.NoError(b, err, "Next") {
					return
				}
				if ev.Kind == chat.KindParticipantJoined {
					break
				}
			}
			sessions[i] = s
		}()
	}
	wg.Wait()
	setup := time.Since(start)
	if b.Failed() {
		return
	}
	time.Sleep(time.Second)
	after := settle()
	c1, o1, top := heapBySide()
	g1 := runtime.NumGoroutine()
	sg1 := sessionGoroutines()

	per := func(v int64) float64 { return float64(v) / float64(n) }
	clientHeap := per(c1 - c0)
	totalHeap := per(int64(after.HeapInuse) - int64(before.HeapInuse))
	totalStack := per(int64(after.StackInuse) - int64(before.StackInuse))
	sessionG := float64(sg1-sg0) / float64(n)
	allG := float64(g1-g0) / float64(n)
	// Goroutine stacks are not in the heap profile: the client's share of
	// the stack memory is estimated from its share of the new goroutines.
	clientStack := totalStack * sessionG / allG
	b.ReportMetric(clientHeap, "client-heap-B/session")
	b.ReportMetric(clientStack, "client-stack-B/session")
	b.ReportMetric(clientHeap+clientStack, "client-B/session")
	b.ReportMetric(sessionG, "client-goroutines/session")
	b.ReportMetric(per(o1-o0), "emulator-heap-B/session")
	b.ReportMetric(totalHeap+totalStack, "process-B/session")
	b.ReportMetric(allG, "process-goroutines/session")
	b.ReportMetric(float64(setup.Milliseconds()), "setup-ms")
	if os.Getenv("CHAT_BENCH_TOP") != "" {
		printSites(top, n)
	}
	for _, s := range sessions {
		s.Close()
	}
}

// remoteEmulator starts the emulator in a child process and returns its URL
// and a function that stops it.
func remoteEmulator(tb testing.TB) (string, func()) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), emulatorChild+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	require.NoError(tb, cmd.Start(), "starting the emulator process")
	url, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(tb, err, "reading the emulator's URL")
	return strings.TrimSpace(url), func() {
		stdin.Close()
		cmd.Wait()
	}
}

// startChatRemote calls StartChatContact on the emulator at base.
func startChatRemote(tb testing.TB, hc *http.Client, base string) participant.Token {
	tb.Helper()
	body := `{"InstanceId":"i","ContactFlowId":"f","ParticipantDetails":{"DisplayName":"Ann"}}`
	req, _ := http.NewRequest(http.MethodPut, base+"/contact/chat", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	require.NoError(tb, err, "StartChatContact")
	defer resp.Body.Close()
	var out struct{ ParticipantToken participant.Token }
	require.NoError(tb, json.NewDecoder(resp.Body).Decode(&out), "StartChatContact (status %d)", resp.StatusCode)
	require.NotEmpty(tb, out.ParticipantToken, "StartChatContact (status %d)", resp.StatusCode)
	return out.ParticipantToken
}

// BenchmarkIdleSessionsClientOnly measures idle, subscribed sessions with
// the emulator in a child process, over loopback TCP: everything this
// process holds is the client side.
//
//	go test -run '^$' -bench IdleSessionsClientOnly -benchtime 1x ./chat/
func BenchmarkIdleSessionsClientOnly(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				idleSessionsRemote(b, n)
			}
		})
	}
}

func idleSessionsRemote(b *testing.B, n int) {
	if os.Getenv("CHAT_BENCH_TOP") != "" {
		old := runtime.MemProfileRate
		runtime.MemProfileRate = 1
		defer func() { runtime.MemProfileRate = old }()
	}
	base, stop := remoteEmulator(b)
	defer stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	tokens := make([]participant.Token, n)
	for i := range tokens {
		tokens[i] = startChatRemote(b, hc, base)
	}
	client := participant.New(participant.Options{BaseEndpoint: base})
	defer client.CloseIdleConnections()
	opts := &chat.Options{HTTPClient: hc}
	warm, err := chat.Connect(context.Background(), client, startChatRemote(b, hc, base), opts)
	require.NoError(b, err)
	warm.Close()

	before := settle()
	g0 := runtime.NumGoroutine()
	sessions := make([]*chat.Session, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	start := time.Now()
	for i := range sessions {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := chat.Connect(context.Background(), client, tokens[i], opts)
			if !assert.NoError(b, err, "Connect") {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for {
				ev, err := s.Next(ctx)
				if !assert.NoError(b, err, "Next") {
					return
				}
				if ev.Kind == chat.KindParticipantJoined {
					break
				}
			}
			sessions[i] = s
		}()
	}
	wg.Wait()
	setup := time.Since(start)
	if b.Failed() {
		return
	}
	time.Sleep(time.Second)
	after := settle()
	g1 := runtime.NumGoroutine()
	per := func(v uint64, w uint64) float64 { return (float64(v) - float64(w)) / float64(n) }
	heap := per(after.HeapInuse, before.HeapInuse)
	stack := per(after.StackInuse, before.StackInuse)
	b.ReportMetric(heap, "heap-B/session")
	b.ReportMetric(stack, "stack-B/session")
	b.ReportMetric(heap+stack, "client-B/session")
	b.ReportMetric(float64(g1-g0)/float64(n), "goroutines/session")
	b.ReportMetric(float64(setup.Milliseconds()), "setup-ms")
	if os.Getenv("CHAT_BENCH_TOP") != "" {
		printTop(n)
	}
	for _, s := range sessions {
		s.Close()
	}
}

// printTop prints the sites that hold the most heap, per session.
func printTop(n int) {
	_, _, top := heapBySide()
	printSites(top, n)
}

func printSites(top map[string]int64, n int) {
	type site struct {
		name string
		b    int64
	}
	var sites []site
	for k, v := range top {
		sites = append(sites, site{k, v})
	}
	slices.SortFunc(sites, func(a, b site) int { return int(b.b - a.b) })
	for _, s := range sites[:min(30, len(sites))] {
		fmt.Printf("%10.0f B/session  %s\n", float64(s.b)/float64(n), s.name)
	}
}

// BenchmarkDeliveryLatency measures the time from a participant's
// SendMessage call to the other participant's KindMessage event, at 1,000
// messages a second in one chat, over loopback TCP to the in-process
// emulator, with the default options and with a 200 ms reorder window.
// Side by side in the same run, a floor: a bare coder/websocket reader,
// subscribed as a third participant, that decodes the same frames with
// encoding/json (floor-p50-ms, floor-p99-ms).
//
//	go test -run '^$' -bench DeliveryLatency -benchtime 5000x ./chat/
func BenchmarkDeliveryLatency(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts *chat.Options
	}{{"default", nil}, {"window=200ms", &chat.Options{ReorderWindow: 200 * time.Millisecond}}} {
		b.Run(tc.name, func(b *testing.B) {
			deliveryLatency(b, b.N, time.Millisecond, tc.opts)
		})
	}
}

// latencies are delivery latencies, indexed by message number.
type latencies struct {
	sent []time.Time
	got  []time.Duration
}

// note records message i ("lat <i>") as delivered now.
func (l *latencies) note(content string) {
	if !strings.HasPrefix(content, "lat ") {
		return
	}
	i, err := strconv.Atoi(content[4:])
	if err == nil && i >= 0 && i < len(l.sent) {
		l.got = append(l.got, time.Since(l.sent[i]))
	}
}

func (l *latencies) report(b *testing.B, prefix string) {
	slices.Sort(l.got)
	q := func(p float64) float64 { return float64(l.got[int(p*float64(len(l.got)-1))]) / 1e6 }
	b.ReportMetric(q(0.50), prefix+"p50-ms")
	b.ReportMetric(q(0.99), prefix+"p99-ms")
	b.ReportMetric(q(1), prefix+"max-ms")
}

// floorReader is the latency floor: a bare coder/websocket connection of
// the participant tok, subscribed to aws/chat, whose frames and items are
// decoded with encoding/json, nothing else. It reads until n messages came
// or ctx ends.
func floorReader(ctx context.Context, b *testing.B, client *participant.Client, hc *http.Client, tok participant.Token, lat *latencies, n int) func() {
	out, err := client.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
		ParticipantToken: tok, ConnectParticipant: true,
		Type: []participant.ConnectionType{participant.ConnectionTypeWebsocket, participant.ConnectionTypeConnectionCredentials},
	})
	require.NoError(b, err)
	conn, _, err := websocket.Dial(ctx, out.Websocket.URL, &websocket.DialOptions{HTTPClient: hc})
	require.NoError(b, err)
	conn.SetReadLimit(1 << 20)
	require.NoError(b, conn.Write(ctx, websocket.MessageText, []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for len(lat.got) < n {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var f struct {
				Topic   string `json:"topic"`
				Content string `json:"content"`
			}
			if json.Unmarshal(data, &f) != nil || f.Topic != "aws/chat" {
				continue
			}
			var it participant.Item
			if json.Unmarshal([]byte(f.Content), &it) == nil && it.Type == participant.ChatItemTypeMessage {
				lat.note(it.Content)
			}
		}
	}()
	return func() {
		<-done
		conn.CloseNow()
	}
}

func deliveryLatency(b *testing.B, n int, every time.Duration, o *chat.Options) {
	srv := participanttest.NewServer(participanttest.WithSeed(1), participanttest.WithRequestHistory(1))
	defer srv.Close()
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(b, err)
	agent, _ := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Agent")
	floor, _ := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Floor")
	client := srv.Client()
	defer client.CloseIdleConnections()
	ctx := context.Background()
	recv, err := chat.Connect(ctx, client, cust.ParticipantToken, o)
	require.NoError(b, err)
	defer recv.Close()
	send, err := chat.Connect(ctx, client, agent.ParticipantToken, o)
	require.NoError(b, err)
	defer send.Close()

	sent := make([]time.Time, n)
	session := &latencies{sent: sent, got: make([]time.Duration, 0, n)}
	bare := &latencies{sent: sent, got: make([]time.Duration, 0, n)}
	rctx, cancel := context.WithTimeout(ctx, time.Duration(n)*every+time.Minute)
	defer cancel()
	waitFloor := floorReader(rctx, b, client, srv.HTTPClient(), floor.ParticipantToken, bare, n)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for len(session.got) < n {
			ev, err := recv.Next(rctx)
			if !assert.NoError(b, err, "Next after %d", len(session.got)) {
				return
			}
			if ev.Kind == chat.KindMessage {
				session.note(ev.Item.Content)
			}
		}
	}()

	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * every)); d > 0 {
			time.Sleep(d)
		}
		sent[i] = time.Now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := send.SendMessage(ctx, &chat.Message{Content: "lat " + strconv.Itoa(i)})
			assert.NoError(b, err)
		}()
	}
	wg.Wait()
	rate := float64(n) / time.Since(start).Seconds()
	<-done
	waitFloor()
	b.StopTimer()
	if len(session.got) < n || len(bare.got) < n {
		b.Errorf("delivered %d to the session, %d to the floor, of %d", len(session.got), len(bare.got), n)
		return
	}
	session.report(b, "")
	bare.report(b, "floor-")
	b.ReportMetric(rate, "sent-msg/s")
	b.ReportMetric(0, "ns/op")
	if st := recv.Stats(); st.LateItems != 0 || st.Reconnects != 0 {
		b.Logf("receiver stats %+v", st)
	}
}
