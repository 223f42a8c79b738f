// Package examples_test builds the example programs and runs them against
// the local Participant Service.
package examples_test

import (
	"bufio"
	"context"
	"net"
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
	"github.com/connectchat/participant/examples/bot/hours"
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

// TestBot runs the bot as its doc says, with the local service posting
// contact events to it: it joins a new chat, answers "hours", says goodbye
// and leaves on "agent", and stops cleanly on SIGINT.
func TestBot(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	endpoint := "http://" + ln.Addr().String()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	bot := exec.CommandContext(ctx, filepath.Join(bin, "bot"), "--endpoint", endpoint, "--listen", "127.0.0.1:0", "--secret", "s3cret")
	botOut := &lockedBuffer{}
	bot.Stderr = botOut
	stdout, err := bot.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, bot.Start())
	lines := bufio.NewScanner(stdout)
	var intake string
	for lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), "taking contact events at "); ok {
			intake = rest
			break
		}
	}
	require.NotEmpty(t, intake, "bot: %s", botOut.String())
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
		}
		rest <- b.String()
	}()

	srv := participanttest.NewUnstartedServer(participanttest.WithContactEvents(intake, "s3cret"))
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann", InitialMessage: "What are your opening hours?"})
	require.NoError(t, err)
	client := srv.Client()
	defer client.CloseIdleConnections()
	sess, err := chat.Connect(ctx, client, cust.ParticipantToken, nil)
	require.NoError(t, err)
	defer sess.Close()
	next := func(what string, match func(chat.Event) bool) chat.Event {
		for {
			ev, err := sess.Next(ctx)
			require.NoError(t, err, "waiting for %s\nbot: %s", what, botOut.String())
			if match(ev) {
				return ev
			}
		}
	}
	fromBot := func(ev chat.Event) bool {
		return ev.Kind == chat.KindMessage && !ev.Update && ev.Item.DisplayName == "Helper Bot"
	}
	assert.Equal(t, hours.HoursReply, next("the answer", fromBot).Item.Content)
	_, err = sess.SendMessage(ctx, &chat.Message{Content: "Can I talk to an agent?"})
	require.NoError(t, err)
	assert.Equal(t, hours.HandOverReply, next("the goodbye", fromBot).Item.Content)
	next("the bot to leave", func(ev chat.Event) bool {
		return ev.Kind == chat.KindParticipantLeft && ev.Item.DisplayName == "Helper Bot"
	})
	require.NoError(t, sess.Disconnect(ctx))
	require.NoError(t, bot.Process.Signal(os.Interrupt))
	out := <-rest
	assert.NoError(t, bot.Wait(), "bot exited:\n%s", botOut.String())
	assert.Contains(t, out, "stopped: 1 chats joined, 1 left")
	assert.Contains(t, botOut.String(), "contact_id="+cust.ContactID, "the bot's logs name the contact")
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
