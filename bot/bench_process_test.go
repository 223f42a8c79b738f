package bot_test

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
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/examples/bot/hours"
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
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), emulatorChild+"=1")
	stdin, err := child.StdinPipe()
	require.NoError(b, err)
	stdout, err := child.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, child.Start())
	defer func() {
		_ = stdin.Close()
		_ = child.Wait()
	}()
	url, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(b, err)
	url = url[:len(url)-1]

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	call := func(method, path string, in, out any) {
		body, _ := json.Marshal(in)
		req, err := http.NewRequest(method, url+path, bytes.NewReader(body))
		require.NoError(b, err)
		resp, err := hc.Do(req)
		require.NoError(b, err)
		defer resp.Body.Close()
		require.Equal(b, http.StatusOK, resp.StatusCode)
		require.NoError(b, json.NewDecoder(resp.Body).Decode(out))
	}
	contacts := make([]string, n)
	for i := range contacts {
		var out struct{ ContactId string }
		call(http.MethodPut, "/contact/chat", map[string]any{
			"InstanceId": "i", "ContactFlowId": "f", "ParticipantDetails": map[string]string{"DisplayName": "Ann"},
		}, &out)
		contacts[i] = out.ContactId
	}

	client := participant.New(participant.Options{BaseEndpoint: url})
	defer client.CloseIdleConnections()
	r, err := bot.New(bot.Options{
		Client: client, Handle: hours.Handle, MaxChats: n,
		Join: func(_ context.Context, contactID string) (participant.Token, error) {
			var out struct {
				ParticipantCredentials struct{ ParticipantToken string }
			}
			call(http.MethodPost, "/contact/create-participant", map[string]any{
				"InstanceId": "i", "ContactId": contactID,
				"ParticipantDetails": map[string]string{"DisplayName": "Hours Bot", "ParticipantRole": "CUSTOM_BOT"},
			}, &out)
			return participant.Token(out.ParticipantCredentials.ParticipantToken), nil
		},
	})
	require.NoError(b, err)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = r.Shutdown(ctx)
	}()
	before := memNow()
	g := runtime.NumGoroutine()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for _, id := range contacts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			require.NoError(b, r.Start(context.Background(), id))
		})
	}
	wg.Wait()
	time.Sleep(time.Second) // the handlers read the history and park
	after := memNow()
	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) }
	b.ReportMetric(per(after.total(), before.total()), "B/chat")
	b.ReportMetric(per(after.heap, before.heap), "heap-B/chat")
	b.ReportMetric(per(after.stack, before.stack), "stack-B/chat")
	b.ReportMetric(float64(runtime.NumGoroutine()-g)/float64(n), "goroutines/chat")
	require.EqualValues(b, n, r.Stats().Joined)
}
