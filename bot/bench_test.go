package bot_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/trace"
	"slices"
	"strconv"
	"sync"
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

// BenchmarkChats runs n bot chats at once in this process, on the
// emulator in process (loopback TCP), with the example bot's handler. The
// customers are connected first; then the bots join; then every customer
// asks a question once a second (each at its own phase of the second): for
// benchWarm unmeasured, then for benchLoad. It reports the latency from the
// customer's SendMessage call to the bot's answer arriving at the
// customer's session (p50, p99, max); what the process allocated per
// answer, the CPU time it used per answer, and its garbage collections a
// second during the load; on Linux, the share of the machine's CPU time
// the hypervisor stole meanwhile (steal-%: on a shared machine, p99 and max
// grow with it); and memory:
// the whole process's heap and stacks per chat once the bots are in
// (customers, emulator and bots), and the part the bots added (their
// sessions, the runner, the emulator's side of the bots' sockets). The
// customers and the bots each have a participant.Client keeping n
// connections alive. Sessions have the default options, which deliver
// items on arrival. Run once:
//
//	go test -run '^$' -bench Chats/1000 -benchtime 1x ./bot/
//
// With -cpu 2,4 it runs at GOMAXPROCS 2, then 4 (see the package doc's
// Capacity section).
//
// With -trace, each measured answer is a user log "answer-ns" (its latency
// in nanoseconds) in the execution trace, at the time it arrived.
func BenchmarkChats(b *testing.B) {
	for _, n := range []int{100, 300, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				benchChats(b, n)
			}
		})
	}
}

// benchInMemory serves the emulator over its in-memory transport
// (net.Pipe) instead of loopback TCP.
var benchInMemory = os.Getenv("BOT_BENCH_MEM") != ""

// benchWarm is how long the customers ask before the measure starts.
const benchWarm = 3 * time.Second

// benchLoad is how long every customer asks once a second: 10 s, or
// $BOT_BENCH_LOAD.
var benchLoad = func() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("BOT_BENCH_LOAD")); err == nil && d > 0 {
		return d
	}
	return 10 * time.Second
}()

func benchChats(b *testing.B, n int) {
	srv := participanttest.NewUnstartedServer(participanttest.WithRequestHistory(0))
	if benchInMemory {
		srv.StartInMemory()
	} else {
		srv.Start()
	}
	defer srv.Close()
	opts := chat.Options{}
	base := memNow()

	// The customers.
	client, botClient := srv.Client(), srv.Client()
	if !benchInMemory {
		// A backend running n chats keeps n connections alive (the
		// emulator's own client keeps 64, the participant package's
		// default 256): fewer make the load dial new ones all the time.
		client, botClient = pooledClient(srv.URL, n), pooledClient(srv.URL, n)
	}
	defer client.CloseIdleConnections()
	defer botClient.CloseIdleConnections()
	custs, contacts, err := connectCustomers(srv, client, n, &opts)
	defer closeAll(custs)
	require.NoError(b, err)
	withCustomers := memNow()
	gCustomers := runtime.NumGoroutine()

	// The bots.
	r, err := bot.New(bot.Options{
		Client: botClient, Session: opts, Handle: hours.Handle, MaxChats: n,
		Join: func(_ context.Context, contactID string) (participant.Token, error) {
			p, err := srv.AddParticipant(contactID, participanttest.RoleCustomBot, "Hours Bot")
			return p.ParticipantToken, err
		},
	})
	require.NoError(b, err)
	defer stopNow(r)
	require.NoError(b, startAll(r, contacts))
	require.NoError(b, waitJoined(custs))
	withBots := memNow()
	gBots := runtime.NumGoroutine()

	// The load.
	b.ResetTimer()
	res, err := ask(custs, benchWarm, benchLoad, nil)
	b.StopTimer()
	require.NoError(b, err)
	reportLatency(b, res.lat, res.elapsed)
	b.ReportMetric(float64(res.allocated)/float64(len(res.lat)), "alloc-B/answer")
	b.ReportMetric(float64(res.gcs)/res.elapsed.Seconds(), "gc/s")
	if res.cpu > 0 {
		// What an answer costs the process (customers, emulator and bot):
		// unlike the latencies, it moves little with the machine's noise.
		b.ReportMetric(float64(res.cpu.Microseconds())/float64(len(res.lat)), "cpu-µs/answer")
	}
	if res.steal >= 0 {
		// A shared machine's other tenants: the tail grows with it.
		b.ReportMetric(res.steal, "steal-%")
	}
	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) }
	b.ReportMetric(per(withBots.total(), base.total()), "B/chat")
	b.ReportMetric(per(withBots.total(), withCustomers.total()), "bot-B/chat")
	b.ReportMetric(per(withBots.heap, withCustomers.heap), "bot-heap-B/chat")
	b.ReportMetric(per(withBots.stack, withCustomers.stack), "bot-stack-B/chat")
	b.ReportMetric(float64(gBots-gCustomers)/float64(n), "bot-goroutines/chat")
	st := r.Stats()
	require.EqualValues(b, n, st.Joined)
	require.Zero(b, st.Panics+st.HandlerErrs)
}

// connectCustomers starts n chats on srv and connects their customers
// with client, 32 at a time. The sessions it returns (nil where one failed)
// are the caller's to close, also on error.
func connectCustomers(srv *participanttest.Server, client *participant.Client, n int, opts *chat.Options) ([]*chat.Session, []string, error) {
	custs := make([]*chat.Session, n)
	contacts := make([]string, n)
	err := limited(n, func(i int) error {
		p, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Customer"})
		if err != nil {
			return err
		}
		s, err := chat.Connect(context.Background(), client, p.ParticipantToken, opts)
		custs[i], contacts[i] = s, p.ContactID
		return err
	})
	return custs, contacts, err
}

// startAll starts r's bot in every contact, 32 at a time.
func startAll(r *bot.Runner, contacts []string) error {
	return limited(len(contacts), func(i int) error {
		return r.Start(context.Background(), contacts[i])
	})
}

// limited runs f(0) to f(n-1), 32 at a time, and returns their errors.
func limited(n int, f func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = f(i)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// closeAll closes the sessions that are not nil.
func closeAll(custs []*chat.Session) {
	for _, s := range custs {
		if s != nil {
			_ = s.Close()
		}
	}
}

// waitJoined reads each customer's events up to the bot's joining.
func waitJoined(custs []*chat.Session) error {
	return each(custs, func(_ int, s *chat.Session) error {
		for {
			ev, err := s.Next(context.Background())
			if err != nil {
				return err
			}
			if ev.Kind == chat.KindParticipantJoined && ev.Item.ParticipantRole == participant.ParticipantRoleCustomBot {
				return nil
			}
		}
	})
}

// asked is what ask measured during the load: the latencies, sorted, how
// long the load took, and what the process allocated and collected
// meanwhile.
type asked struct {
	lat       []time.Duration
	elapsed   time.Duration
	allocated uint64
	gcs       uint32
	steal     float64       // percent of the machine's CPU time, or -1 if unknown
	cpu       time.Duration // the process's CPU time, 0 if unknown
}

// ask has every customer ask the bot once a second for warm then load,
// each at its own phase of the second, and measures the latencies from
// each SendMessage call to the bot's answer arriving, of the questions
// asked during load. The warm-up lets the garbage collector's pacer learn
// the load (the memory measures before it force collections on an idle
// heap) and the connection pools fill. mark, if not nil, is called as the
// measure starts.
func ask(custs []*chat.Session, warm, load time.Duration, mark func()) (asked, error) {
	lat := make([][]time.Duration, len(custs))
	start := time.Now()
	from := start.Add(warm)
	var ms0, ms1 runtime.MemStats
	var cpu0 cpuTicks
	var cpuOK bool
	var proc0 time.Duration
	marked := make(chan struct{})
	go func() {
		defer close(marked)
		time.Sleep(time.Until(from))
		runtime.ReadMemStats(&ms0)
		cpu0, cpuOK = readCPUTicks()
		proc0 = cputime.Process()
		if mark != nil {
			mark()
		}
	}()
	err := each(custs, func(i int, s *chat.Session) error {
		phase := time.Duration(rand.Int64N(int64(time.Second)))
		ctx := context.Background()
		for k := 0; ; k++ {
			at := start.Add(phase + time.Duration(k)*time.Second)
			if at.Sub(from) >= load {
				return nil
			}
			time.Sleep(time.Until(at))
			t0 := time.Now()
			if _, err := s.SendMessage(ctx, &chat.Message{Content: "What are your hours?"}); err != nil {
				return err
			}
			for {
				ev, err := s.Next(ctx)
				if err != nil {
					return err
				}
				if ev.Kind == chat.KindMessage && ev.Item.ParticipantRole == participant.ParticipantRoleCustomBot {
					if !at.Before(from) {
						d := time.Since(t0)
						lat[i] = append(lat[i], d)
						if trace.IsEnabled() {
							// Each answer in the execution trace, to lay
							// the slow ones beside the collections.
							trace.Log(ctx, "answer-ns", strconv.FormatInt(int64(d), 10))
						}
					}
					break
				}
			}
		}
	})
	elapsed := time.Since(from)
	<-marked
	runtime.ReadMemStats(&ms1)
	var proc time.Duration
	if proc0 > 0 {
		proc = cputime.Process() - proc0
	}
	steal := -1.0
	if cpu1, ok := readCPUTicks(); ok && cpuOK {
		steal = stealPercent(cpu0, cpu1)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	return asked{all, elapsed, ms1.TotalAlloc - ms0.TotalAlloc, ms1.NumGC - ms0.NumGC, steal, proc}, err
}

// each runs f for every session at once, and returns the first error.
func each(custs []*chat.Session, f func(i int, s *chat.Session) error) error {
	errs := make([]error, len(custs))
	var wg sync.WaitGroup
	for i, s := range custs {
		wg.Go(func() { errs[i] = f(i, s) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// reportLatency reports the p50, p99 and max of the sorted latencies lat,
// and the answers a second.
func reportLatency(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	require.NotEmpty(b, lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "answers/s")
}

// pooledClient returns a participant.Client for url that keeps up to n
// connections alive.
func pooledClient(url string, n int) *participant.Client {
	tr := &http.Transport{MaxIdleConns: n, MaxIdleConnsPerHost: n, IdleConnTimeout: 90 * time.Second}
	return participant.New(participant.Options{BaseEndpoint: url, HTTPClient: &http.Client{Transport: tr}})
}

// mem is the heap and stacks in use.
type mem struct{ heap, stack uint64 }

func (m mem) total() uint64 { return m.heap + m.stack }

// memNow returns the heap and stacks in use after garbage collection.
func memNow() mem {
	var m runtime.MemStats
	for range 3 {
		runtime.GC()
		time.Sleep(50 * time.Millisecond)
	}
	runtime.ReadMemStats(&m)
	return mem{m.HeapInuse, m.StackInuse}
}
