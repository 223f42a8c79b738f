package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connectparticipant"
	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/cputime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The benchmarks compare three ways of making one SendEvent (a typing event)
// against one loopback server in this process:
//
//	floor        a bare net/http POST: same path, headers and body bytes,
//	             the response read fully and decoded into a plain struct
//	participant  this repository's client
//	awssdk       aws-sdk-go-v2 service/connectparticipant v1.34.0
//
// All three share the server but each has its own transport with the same
// pool settings (see newHTTPClient). Both clients build a fresh input per call,
// as an application does: aws-sdk-go-v2 writes the generated ClientToken into
// the caller's input, so reusing one input would skip its token generation
// (and race in the parallel form).

// sendEventResponse is the body the server answers every SendEvent with.
var sendEventResponse = []byte(`{"AbsoluteTime":"2019-11-08T02:41:28.172Z","Id":"8b7a3c2e-5f4d-4e1a-9c6b-0d2e1f3a4b5c"}`)

// benchRequestID is the x-amzn-RequestId of every response.
const benchRequestID = "0f4e3d2c-1b0a-4987-8654-3210fedcba98"

// sendEventHandler answers SendEvent: it reads the request body fully (so the
// connection is reused) and writes the canned response. Anything else is 404,
// so a client that sent the wrong request fails the benchmark instead of
// looking fast.
func sendEventHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	if r.Method != http.MethodPost || r.URL.Path != sendEventPath || r.Header.Get("X-Amz-Bearer") != connToken {
		http.Error(w, `{"message":"unexpected request"}`, http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", benchRequestID)
	_, _ = w.Write(sendEventResponse)
}

// floorBody is the request body of the floor: what this repository's client
// sends for a typing event, with a fixed ClientToken, built once.
var floorBody = func() []byte {
	b, err := json.Marshal(struct {
		ClientToken string
		ContentType string
	}{"5d0b3c9e-7a41-4f2b-9e8d-1c2b3a4d5e6f", string(participant.ContentTypeTyping)})
	if err != nil {
		panic(err)
	}
	return b
}()

// floorUserAgent is a User-Agent of the same length as this repository's
// client sends (its version, 0.1.0, is internal to that module).
var floorUserAgent = "connectchat-participant/0.1.0 lang/go#" + runtime.Version()[2:] +
	" os/" + runtime.GOOS + " md/GOARCH#" + runtime.GOARCH

// benchSide is one way of sending the event.
type benchSide struct {
	name string
	send func(context.Context) error
	// idle closes the idle connections of the side's transport. Each
	// benchmark run closes its side's connections when it ends, so the
	// server carries only the connections of the side being measured.
	idle func()
}

// newBenchSides starts the server and returns the three sides, in the order
// they run.
func newBenchSides(b *testing.B) []benchSide {
	srv, track := startServer(b, http.HandlerFunc(sendEventHandler))

	floorClient, floorTr := newHTTPClient()
	track(floorTr)
	floorURL := srv.URL + sendEventPath
	floor := func(ctx context.Context) error {
		body, err := floorPost(ctx, floorClient, floorURL, floorBody)
		if err != nil {
			return err
		}
		var out struct{ Id, AbsoluteTime string }
		if err := json.Unmarshal(body, &out); err != nil {
			return err
		}
		if out.Id == "" {
			return fmt.Errorf("floor: no Id in %s", body)
		}
		return nil
	}

	ours, oursTr := newOurs(srv, track)
	oursSend := func(ctx context.Context) error {
		out, err := ours.SendEvent(ctx, &participant.SendEventInput{
			ConnectionToken: connToken,
			ContentType:     participant.ContentTypeTyping,
		})
		if err != nil {
			return err
		}
		if out.ID == "" {
			return fmt.Errorf("participant: no ID")
		}
		return nil
	}

	awsc, awsTr := newAWS(srv, track)
	awsSend := func(ctx context.Context) error {
		out, err := awsc.SendEvent(ctx, &connectparticipant.SendEventInput{
			ConnectionToken: aws.String(connToken),
			ContentType:     aws.String(string(participant.ContentTypeTyping)),
		})
		if err != nil {
			return err
		}
		if aws.ToString(out.Id) == "" {
			return fmt.Errorf("awssdk: no Id")
		}
		return nil
	}

	return []benchSide{
		{"floor", floor, floorTr.CloseIdleConnections},
		{"participant", oursSend, oursTr.CloseIdleConnections},
		{"awssdk", awsSend, awsTr.CloseIdleConnections},
	}
}

// warm opens n connections of side s (n concurrent calls), so a benchmark
// does not time dialing.
func warm(b *testing.B, s benchSide, n int) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			if err := s.send(context.Background()); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(b, err, "%s: warm-up", s.name)
	}
}

// reportCPU reports the process's CPU time since cpu per op, as cpu-ns/op:
// the client's and the in-process server's, as with allocs/op.
func reportCPU(b *testing.B, cpu time.Duration) {
	if now := cputime.Process(); now > 0 && b.N > 0 {
		b.ReportMetric(float64(now-cpu)/float64(b.N), "cpu-ns/op")
	}
}

// parallelism is the b.SetParallelism factor of the parallel benchmarks:
// 32 × GOMAXPROCS goroutines, 64 on a 2-core machine.
const parallelism = 32

// BenchmarkSendEvent sends a typing event through each client and the floor.
func BenchmarkSendEvent(b *testing.B) { benchSerial(b, newBenchSides(b)) }

// BenchmarkSendEventParallel is BenchmarkSendEvent with 64 callers on 2
// cores.
func BenchmarkSendEventParallel(b *testing.B) { benchParallel(b, newBenchSides(b)) }

// benchSerial sends one event per iteration through each side, one caller.
func benchSerial(b *testing.B, sides []benchSide) {
	for _, s := range sides {
		b.Run(s.name, func(b *testing.B) {
			warm(b, s, 1)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cputime.Process()
			for range b.N {
				if err := s.send(ctx); err != nil { // testify only on failure: its b.Helper call would be timed
					require.NoError(b, err)
				}
			}
			b.StopTimer()
			reportCPU(b, cpu)
			s.idle()
		})
	}
}

// benchParallel sends events through each side from parallelism callers
// per core.
func benchParallel(b *testing.B, sides []benchSide) {
	for _, s := range sides {
		b.Run(s.name, func(b *testing.B) {
			b.SetParallelism(parallelism)
			warm(b, s, parallelism*runtime.GOMAXPROCS(0))
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cputime.Process()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					// assert (not require) off the benchmark goroutine, and
					// only on failure: its b.Helper call would be timed.
					if err := s.send(ctx); err != nil {
						assert.NoError(b, err)
						return
					}
				}
			})
			b.StopTimer()
			reportCPU(b, cpu)
			s.idle()
		})
	}
}
