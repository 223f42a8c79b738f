// Package examples_test builds the example programs and runs them against
// the local Participant Service.
package examples_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "participant-examples")
	if err != nil {
		panic(err)
	}
	bin = dir
	for _, name := range []string{"customer", "bot"} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, name), "./"+name).CombinedOutput(); err != nil {
			panic("building " + name + ": " + err.Error() + "\n" + string(out))
		}
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			panic(err)
		}
	}
	os.Exit(code)
}

// TestCustomer runs the customer against a local service whose echo agent
// answers every message.
func TestCustomer(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer(participanttest.WithAgent(func() participanttest.Agent {
		return participanttest.EchoAgent{DisplayName: "Echo", Prefix: "echo: "}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(bin, "customer"), "--endpoint", srv.URL, "--say", "Hello!|Bye").CombinedOutput()
	require.NoError(t, err, "customer:\n%s", out)
	want := "Ann: Hello!\nEcho: echo: Hello!\nAnn: Bye\nEcho: echo: Bye\n(left the chat)\n"
	assert.Equal(t, want, string(out), "customer printed")
}

// TestBot runs the bot in a chat and talks to it as the customer.
func TestBot(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	defer srv.Close()
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	bot := exec.CommandContext(ctx, filepath.Join(bin, "bot"), "--endpoint", srv.URL, "--contact-id", cust.ContactID)
	botOut := &lockedBuffer{}
	bot.Stdout, bot.Stderr = botOut, botOut
	require.NoError(t, bot.Start())
	client := srv.Client()
	defer client.CloseIdleConnections()
	sess, err := chat.Connect(ctx, client, cust.ParticipantToken, nil)
	require.NoError(t, err)
	defer sess.Close()
	// Wait for the bot to join before asking.
	for {
		ev, err := sess.Next(ctx)
		require.NoError(t, err, "waiting for the bot to join\nbot: %s", botOut.String())
		if ev.Kind == chat.KindParticipantJoined && ev.Item.DisplayName == "Helper Bot" {
			break
		}
	}
	for _, q := range []struct{ ask, want string }{
		{"What are your opening hours?", "We're open 9:00-17:00, Monday to Friday."},
		{"Do you deliver to Spain?", "We ship to every country in Europe within 5 days."},
	} {
		sent, err := sess.SendMessage(ctx, &chat.Message{Content: q.ask})
		require.NoError(t, err)
		for {
			ev, err := sess.Next(ctx)
			require.NoError(t, err, "waiting for the answer to %q\nbot: %s", q.ask, botOut.String())
			if ev.Kind == chat.KindMessage && !ev.Update && ev.Item.ID != sent.ID && ev.Item.DisplayName == "Helper Bot" {
				assert.Equal(t, q.want, ev.Item.Content, "bot's answer to %q", q.ask)
				break
			}
		}
	}
	require.NoError(t, sess.Disconnect(ctx))
	assert.NoError(t, bot.Wait(), "bot exited:\n%s", botOut.String())
	assert.Contains(t, botOut.String(), "chat ended", "bot output")
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
