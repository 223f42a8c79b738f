package bot_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/examples/bot/hours"
	"github.com/connectchat/participant/internal/cputime"
	"github.com/connectchat/participant/participanttest"
)

// BenchmarkIdleBotsProcessOnly measures what a bot process holds per
// chat: the emulator runs in a child process (this test binary, on
// loopback TCP), the chats are started there, and this process holds only
// the runner and its n bots (sessions, handlers). It reports the heap and
// stacks in use per chat after garbage collection, and goroutines per
// chat, with the bots joined and idle.
//
//	go test -run '^$' -bench IdleBotsProcessOnly -benchtime 1x ./bot/
func BenchmarkIdleBotsProcessOnly(b *testing.B) {
	for _, n := range []int{1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				benchIdleBots(b, n)
			}
		})
	}
}

func benchIdleBots(b *testing.B, n int) {
	c := startChild(b, emulatorChild+"=1")
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	contacts := make([]string, n)
	for i := range contacts {
		var out struct{ ContactId string }
		require.NoError(b, postJSON(hc, http.MethodPut, c.url+"/contact/chat", map[string]any{
			"InstanceId": "i", "ContactFlowId": "f", "ParticipantDetails": map[string]string{"DisplayName": "Ann"},
		}, &out))
		contacts[i] = out.ContactId
	}

	client := participant.New(participant.Options{BaseEndpoint: c.url})
	defer client.CloseIdleConnections()
	r, err := bot.New(bot.Options{Client: client, Handle: hours.Handle, MaxChats: n, Join: httpJoin(hc, c.url)})
	require.NoError(b, err)
	defer stopNow(r)
	before := memNow()
	g := runtime.NumGoroutine()
	require.NoError(b, startAll(r, contacts))
	time.Sleep(time.Second) // the handlers read the history and park
	after := memNow()
	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) }
	b.ReportMetric(per(after.total(), before.total()), "B/chat")
	b.ReportMetric(per(after.heap, before.heap), "heap-B/chat")
	b.ReportMetric(per(after.stack, before.stack), "stack-B/chat")
	b.ReportMetric(float64(runtime.NumGoroutine()-g)/float64(n), "goroutines/chat")
	require.EqualValues(b, n, r.Stats().Joined)
}

// BenchmarkLoadedBotsProcessOnly is BenchmarkChats with the bots in a process
// of their own: the emulator and the n customers run in a child process
// (this test binary, on loopback TCP), which asks and measures the
// latencies as BenchmarkChats does, while this process holds only the
// runner and its n bots. Beside the latencies it reports what this
// process alone spends: CPU time per answer (bot-cpu-µs/answer), bytes
// allocated per answer and collections a second during the load, and
// memory per chat with the bots joined. Both processes share the
// machine's cores, so the latencies include the child's collections too.
//
//	go test -run '^$' -bench LoadedBotsProcessOnly -benchtime 1x ./bot/
func BenchmarkLoadedBotsProcessOnly(b *testing.B) {
	for _, n := range []int{1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				benchLoadedBots(b, n)
			}
		})
	}
}

func benchLoadedBots(b *testing.B, n int) {
	c := startChild(b, customersChild+"="+strconv.Itoa(n))
	contacts := make([]string, n)
	for i := range contacts {
		contacts[i] = c.line(b)
	}
	require.Equal(b, "ready", c.line(b))

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	client := pooledClient(c.url, n)
	defer client.CloseIdleConnections()
	base := memNow()
	g := runtime.NumGoroutine()
	r, err := bot.New(bot.Options{Client: client, Handle: hours.Handle, MaxChats: n, Join: httpJoin(hc, c.url)})
	require.NoError(b, err)
	defer stopNow(r)
	require.NoError(b, startAll(r, contacts))
	withBots := memNow()
	gBots := runtime.NumGoroutine()

	// The load: the child asks, and says when its measure starts.
	b.ResetTimer()
	_, err = io.WriteString(c.stdin, "go\n")
	require.NoError(b, err)
	require.Equal(b, "from", c.line(b))
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	proc0 := cputime.Process()
	var res childResult
	require.NoError(b, json.Unmarshal([]byte(c.line(b)), &res))
	proc := cputime.Process() - proc0
	runtime.ReadMemStats(&ms1)
	b.StopTimer()
	require.Empty(b, res.Err)

	lat := make([]time.Duration, len(res.Lat))
	for i, ns := range res.Lat {
		lat[i] = time.Duration(ns)
	}
	elapsed := time.Duration(res.Elapsed)
	reportLatency(b, lat, elapsed)
	answers := float64(len(lat))
	if proc0 > 0 {
		b.ReportMetric(float64(proc.Microseconds())/answers, "bot-cpu-µs/answer")
	}
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/answers, "bot-alloc-B/answer")
	b.ReportMetric(float64(ms1.NumGC-ms0.NumGC)/elapsed.Seconds(), "bot-gc/s")
	if res.Steal >= 0 {
		b.ReportMetric(res.Steal, "steal-%")
	}
	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) }
	b.ReportMetric(per(withBots.total(), base.total()), "bot-B/chat")
	b.ReportMetric(float64(gBots-g)/float64(n), "bot-goroutines/chat")
	st := r.Stats()
	require.EqualValues(b, n, st.Joined)
	require.Zero(b, st.Panics+st.HandlerErrs)
}

// customersChild, when set in the environment to a number n, makes the
// test binary run the emulator and n customers for
// BenchmarkLoadedBotsProcessOnly (see runCustomers).
const customersChild = "BOT_TEST_CUSTOMERS_CHILD"

// childResult is what runCustomers reports of the load: the latencies
// (ns, sorted), how long the measure took (ns), the share of the machine's
// CPU time stolen meanwhile (-1 if unknown), and the error that ended it.
type childResult struct {
	Lat     []int64
	Elapsed int64
	Steal   float64
	Err     string
}

// runCustomers is the child of BenchmarkLoadedBotsProcessOnly. On its stdout,
// a line each: the emulator's URL, the n contact ids, "ready"; then, once
// its stdin says "go" and each customer has seen its bot join, it has the
// customers ask as BenchmarkChats does, says "from" as the measure starts
// and ends with the childResult in JSON.
func runCustomers(arg string) error {
	n, err := strconv.Atoi(arg)
	if err != nil || n <= 0 {
		return fmt.Errorf("%s=%q: want a number of chats", customersChild, arg)
	}
	srv := participanttest.NewServer(participanttest.WithRequestHistory(0))
	defer srv.Close()
	client := pooledClient(srv.URL, n)
	defer client.CloseIdleConnections()
	custs, contacts, err := connectCustomers(srv, client, n, &chat.Options{})
	defer closeAll(custs)
	if err != nil {
		return err
	}
	fmt.Println(srv.URL)
	for _, id := range contacts {
		fmt.Println(id)
	}
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return err
	}
	if err := waitJoined(custs); err != nil {
		return err
	}
	res, err := ask(custs, benchWarm, benchLoad, func() { fmt.Println("from") })
	out := childResult{Lat: make([]int64, len(res.lat)), Elapsed: int64(res.elapsed), Steal: res.steal}
	for i, d := range res.lat {
		out.Lat[i] = int64(d)
	}
	if err != nil {
		out.Err = err.Error()
	}
	line, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Println(string(line))
	return nil
}

// child is a test binary started as a helper process, and its pipes.
type child struct {
	stdin io.WriteCloser
	out   *bufio.Reader
	url   string // the first line it wrote: its emulator's URL
}

// startChild starts this test binary with env set, reads its first line
// (the URL), and has b's cleanup close its stdin and wait for it.
func startChild(b *testing.B, env string) *child {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(b, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	c := &child{stdin: stdin, out: bufio.NewReaderSize(stdout, 1<<16)}
	c.url = c.line(b)
	return c
}

// line reads the child's next line of output, without its newline.
func (c *child) line(b *testing.B) string {
	s, err := c.out.ReadString('\n')
	require.NoError(b, err, "the child process's output ended")
	return strings.TrimSuffix(s, "\n")
}

// postJSON sends in as JSON to url with hc and decodes a 200's body into
// out.
func postJSON(hc *http.Client, method, url string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// httpJoin is a Join that adds the bot through the emulator at url's
// CreateParticipant, as connectjoin does through the AWS SDK.
func httpJoin(hc *http.Client, url string) bot.JoinFunc {
	return func(ctx context.Context, contactID string) (participant.Token, error) {
		var out struct {
			ParticipantCredentials struct{ ParticipantToken string }
		}
		err := postJSON(hc, http.MethodPost, url+"/contact/create-participant", map[string]any{
			"InstanceId": "i", "ContactId": contactID,
			"ParticipantDetails": map[string]string{"DisplayName": "Hours Bot", "ParticipantRole": "CUSTOM_BOT"},
		}, &out)
		return participant.Token(out.ParticipantCredentials.ParticipantToken), err
	}
}

// stopNow shuts r down at once: the handlers answer until their chat
// ends, so waiting for them would only wait.
func stopNow(r *bot.Runner) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = r.Shutdown(ctx)
}
