package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/participanttest"
)

// TestLocalUsageErrors: a mistake in the command line of `participant
// local` (an unknown operation or error code in a fault flag, a misspelled
// or missing bot script) is a usage error, exit 2, naming the valid
// choices, before anything is served.
func TestLocalUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	tests := []struct {
		name string
		args []string
		want []string // in stderr
	}{
		{"unknown fail operation", []string{"--fail", "NoSuchOp=ThrottlingException"},
			[]string{`unknown operation "NoSuchOp"`, "SendMessage", "GetTranscript", "StartChatContact"}},
		{"unknown error code", []string{"--fail", "SendMessage=NoSuchException"},
			[]string{"unknown error code", "ThrottlingException", "ValidationException"}},
		{"unknown latency operation", []string{"--latency", "SendMesage=1s"}, []string{`unknown operation "SendMesage"`, "SendMessage"}},
		{"unknown throttle operation", []string{"--throttle", "Nope=5/2"}, []string{`unknown operation "Nope"`, "SendEvent"}},
		{"bad probability", []string{"--fail", "SendMessage=ThrottlingException@2"}, []string{"probability"}},
		{"bad fault", []string{"--fault", "Explode()"}, []string{`unknown fault "Explode"`, "DropSocket"}},
		{"misspelled script key", []string{"--bot-script", script("greting.json", `{"greting":"hi"}`)},
			[]string{`unknown field "greting"`, "displayName, greeting, rules"}},
		{"misspelled rule key", []string{"--bot-script", script("rule.json", `{"rules":[{"contain":"x","reply":"y"}]}`)},
			[]string{`unknown field "contain"`, "contains, reply, end"}},
		{"script not JSON", []string{"--bot-script", script("bad.json", `greeting: hi`)}, []string{"bad.json", "JSON object"}},
		{"two scripts in one file", []string{"--bot-script", script("two.json", `{} {}`)}, []string{"more than one JSON value"}},
		{"missing script", []string{"--bot-script", filepath.Join(dir, "missing.json")}, []string{"missing.json", "no such file"}},
		{"script without the bot", []string{"--agent", "echo", "--bot-script", script("ok.json", `{}`)}, []string{"--bot-script needs --agent bot"}},
		{"greeting without an agent", []string{"--agent", "none", "--greeting", "hi"}, []string{"--greeting needs"}},
		{"unknown agent", []string{"--agent", "robot"}, []string{"echo, bot or none"}},
		{"read timeout", []string{"--read-timeout", "0s"}, []string{"--read-timeout"}},
		{"max chats", []string{"--max-chats", "-1"}, []string{"--max-chats"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, nil, "", append([]string{"local", "--addr", "127.0.0.1:0"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code, "stderr: %s", r.stderr)
			assert.Empty(t, r.stdout, "nothing is served")
			for _, w := range tt.want {
				assert.Contains(t, r.stderr, w)
			}
		})
	}
}

// TestParseFaultsNames: operation names and error codes ignore case and
// come out as the emulator spells them; * and all mean every operation;
// --fault takes the grammar itself.
func TestParseFaultsNames(t *testing.T) {
	t.Parallel()
	faults, err := parseFaults([]string{"sendmessage=throttlingexception", "*=InternalServerException@0.25"},
		[]string{"ALL=1ms"}, []string{"getTranscript=5/2", "SendEvent=0.5"}, []string{"dropsocket().probability(0.01).always()"})
	require.NoError(t, err)
	var got []string
	for _, f := range faults {
		got = append(got, f.String())
	}
	assert.Equal(t, []string{
		"Fail(SendMessage, ThrottlingException).Always()", "Fail(*, InternalServerException).Probability(0.25).Always()",
		"Latency(*, 1ms).Always()", "Throttle(GetTranscript, 5, 2)", "Throttle(SendEvent, 0.5, 1)",
		"DropSocket().Probability(0.01).Always()",
	}, got)
}

// TestParseFaultsRefused: the shorthands refuse what the grammar refuses,
// with its reasons.
func TestParseFaultsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                           string
		fails, latencies, throttles, f []string
		want                           string
	}{
		{"no code", []string{"SendMessage="}, nil, nil, nil, "want OP=CODE[@PROBABILITY]"},
		{"no probability", []string{"SendMessage=ThrottlingException@"}, nil, nil, nil, "want OP=CODE[@PROBABILITY]"},
		{"probability 0", []string{"SendMessage=ThrottlingException@0"}, nil, nil, nil, "probability must be above 0"},
		{"probability not a number", []string{"SendMessage=ThrottlingException@often"}, nil, nil, nil, "a probability must be a number"},
		{"a quote in a code", []string{`SendMessage=Throttling"Exception`}, nil, nil, nil, "error code"},
		{"latency 0", nil, []string{"SendMessage=0s"}, nil, nil, "a delay above 0"},
		{"latency over an hour", nil, []string{"SendMessage=2h"}, nil, nil, "at most 1h0m0s"},
		{"latency unparsable", nil, []string{"SendMessage=soon"}, nil, nil, "a delay such as 500ms"},
		{"no latency", nil, []string{"SendMessage"}, nil, nil, "want OP=DURATION"},
		{"throttle burst 0", nil, nil, []string{"SendEvent=5/0"}, nil, "a burst of 1"},
		{"throttle rate 0", nil, nil, []string{"SendEvent=0"}, nil, "a rate above 0"},
		{"no burst", nil, nil, []string{"SendEvent=5/"}, nil, "want OP=RATE[/BURST]"},
		{"a bad --fault", nil, nil, nil, []string{"DropSocket("}, "--fault"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseFaults(tt.fails, tt.latencies, tt.throttles, tt.f)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// localProcess is a `participant local` process serving on a free
// loopback port, stopped with SIGINT when the test ends.
type localProcess struct {
	cmd      *exec.Cmd
	endpoint string
	stderr   *bytes.Buffer
}

func startLocalProcess(t *testing.T, args ...string) *localProcess {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"local", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	p := &localProcess{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "Local Amazon Connect Participant Service at "); ok {
			p.endpoint = strings.Fields(rest)[0]
			break
		}
	}
	if p.endpoint == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		require.FailNow(t, "no endpoint printed", "stderr: %s", p.stderr)
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for lines.Scan() {
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err, "local did not exit cleanly: %s", p.stderr)
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			assert.Fail(t, "local did not stop on SIGINT")
		}
		<-drained
	})
	return p
}

// localCustomer is the customer of a chat on a local process.
type localCustomer struct {
	client *participant.Client
	token  participant.Token
}

// join starts a chat on the process and connects its customer.
func (p *localProcess) join(ctx context.Context, t *testing.T) *localCustomer {
	t.Helper()
	sc, err := startChatContact(ctx, p.endpoint, "Ann", "")
	require.NoError(t, err)
	client := participant.New(participant.Options{BaseEndpoint: p.endpoint})
	out, err := client.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
		ParticipantToken:   participant.Token(sc.ParticipantToken),
		Type:               []participant.ConnectionType{participant.ConnectionTypeConnectionCredentials},
		ConnectParticipant: true,
	})
	require.NoError(t, err)
	require.NotNil(t, out.ConnectionCredentials)
	return &localCustomer{client: client, token: out.ConnectionCredentials.ConnectionToken}
}

func (c *localCustomer) say(ctx context.Context, t *testing.T, text string) {
	t.Helper()
	_, err := c.client.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: c.token, ContentType: participant.ContentTypePlainText, Content: text})
	require.NoError(t, err)
}

// waitFor polls the transcript until a message of the agent or bot
// contains text, failing after ten seconds.
func (c *localCustomer) waitFor(ctx context.Context, t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var seen []string
	for time.Now().Before(deadline) {
		out, err := c.client.GetTranscript(ctx, &participant.GetTranscriptInput{ConnectionToken: c.token, MaxResults: 100})
		require.NoError(t, err)
		seen = seen[:0]
		for _, it := range out.Transcript {
			if it.Type == participant.ChatItemTypeMessage && it.ParticipantRole != participant.ParticipantRoleCustomer {
				if strings.Contains(it.Content, text) {
					return
				}
				seen = append(seen, it.Content)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.FailNow(t, fmt.Sprintf("no message containing %q", text), "the agent said %q", seen)
}

// waitEnded polls until the chat has ended: the customer's calls answer
// AccessDeniedException.
func (c *localCustomer) waitEnded(ctx context.Context, t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_, err := c.client.GetTranscript(ctx, &participant.GetTranscriptInput{ConnectionToken: c.token})
		var denied *participant.AccessDeniedError
		if errors.As(err, &denied) {
			return
		}
		require.NoError(t, err)
		time.Sleep(20 * time.Millisecond)
	}
	require.FailNow(t, "the chat did not end")
}

// TestLocalBot: `--agent bot` without a script runs DefaultBot, whose
// greeting --greeting replaces; with a script (which implies --agent bot),
// --greeting replaces the script's greeting and the script's rules answer.
func TestLocalBot(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs `participant local` processes")
	}
	def := participanttest.DefaultBot()
	script := filepath.Join(t.TempDir(), "bot.json")
	require.NoError(t, os.WriteFile(script, []byte(`{"greeting":"Script hello","rules":[{"contains":"ping","reply":"pong"},{"contains":"bye","reply":"ciao","end":true}],"fallback":"?"}`), 0o600))
	tests := []struct {
		name     string
		args     []string
		greeting string
		say      []string // then the reply to each
		replies  []string
	}{
		{"default", []string{"--agent", "bot"}, def.Greeting, []string{"help", "Hello there", "what?"}, []string{def.Rules[0].Reply, def.Rules[1].Reply, def.Fallback}},
		{"default with greeting", []string{"--agent", "bot", "--greeting", "Welcome to the desk"}, "Welcome to the desk", []string{"hi"}, []string{def.Fallback}},
		{"script", []string{"--bot-script", script}, "Script hello", []string{"ping"}, []string{"pong"}},
		{"script with greeting", []string{"--bot-script", script, "--greeting", "Flag hello"}, "Flag hello", []string{"PING"}, []string{"pong"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			p := startLocalProcess(t, append(tt.args, "--agent-delay", "1ms")...)
			c := p.join(ctx, t)
			c.waitFor(ctx, t, tt.greeting)
			for i, s := range tt.say {
				c.say(ctx, t, s)
				c.waitFor(ctx, t, tt.replies[i])
			}
			// bye ends the chat, with the default bot and with the script.
			c.say(ctx, t, "bye now")
			c.waitEnded(ctx, t)
		})
	}
}
