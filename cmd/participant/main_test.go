package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/version"
	"github.com/connectchat/participant/participanttest"
)

// binary is the participant tool built for the tests that run it as a
// process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "participant-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "participant")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("building the tool: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreCurrent()); err != nil {
			panic(err)
		}
	}
	os.Exit(code)
}

// result is what one run of the tool printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runTool runs the tool in-process with the given environment variables.
func runTool(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(t.Context(), e, args)
	return result{code, out.String(), errb.String()}
}

// chat starts a local service with a chat and connects its customer,
// returning the endpoint and the two tokens.
func startLocalChat(t *testing.T) (endpoint string, pt, ct participant.Token) {
	t.Helper()
	srv := participanttest.NewServer(participanttest.WithSeed(11))
	t.Cleanup(srv.Close)
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(t, err, "StartChat")
	conn, err := srv.Connect(cust.ParticipantToken)
	require.NoError(t, err, "Connect")
	return srv.URL, cust.ParticipantToken, conn.ConnectionToken
}

// noTokens fails when a token shows in the tool's output.
func noTokens(t *testing.T, r result, toks ...participant.Token) {
	t.Helper()
	for _, tok := range toks {
		if s := tok.Reveal(); s != "" {
			assert.False(t, strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s), "a token shows in the output:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
		}
	}
}

func TestOneShotCalls(t *testing.T) {
	t.Parallel()
	endpoint, pt, ct := startLocalChat(t)
	vars := map[string]string{"CONNECTION_TOKEN": ct.Reveal(), "PARTICIPANT_TOKEN": pt.Reveal()}
	dir := t.TempDir()
	file := filepath.Join(dir, "note.txt")
	require.NoError(t, os.WriteFile(file, []byte("an attached note"), 0o600))

	var attachmentID string
	steps := []struct {
		name  string
		args  func() []string
		stdin string
		check func(t *testing.T, out map[string]any)
	}{
		{"send-message", func() []string { return []string{"send-message", "--text", "hello from the CLI"} }, "", func(t *testing.T, out map[string]any) {
			assert.NotEmpty(t, out["Id"], "output %v", out)
			assert.NotEmpty(t, out["AbsoluteTime"], "output %v", out)
		}},
		{"send-message from stdin", func() []string { return []string{"send-message", "--debug"} }, "piped message\n", func(t *testing.T, out map[string]any) {
			assert.NotEmpty(t, out["Id"], "output %v", out)
		}},
		{"typing", func() []string { return []string{"send-event"} }, "", func(t *testing.T, out map[string]any) {
			assert.NotEmpty(t, out["Id"], "output %v", out)
		}},
		{"upload", func() []string { return []string{"upload-attachment", "--file", file} }, "", func(t *testing.T, out map[string]any) {
			attachmentID, _ = out["AttachmentId"].(string)
			assert.NotEmpty(t, attachmentID, "output %v", out)
			assert.Equal(t, "text/plain", out["ContentType"], "output %v", out)
			assert.Equal(t, float64(16), out["AttachmentSizeInBytes"], "output %v", out)
		}},
		{"download", func() []string {
			return []string{"download-attachment", "--attachment-id", attachmentID, "--output", filepath.Join(dir, "copy.txt")}
		}, "", func(t *testing.T, out map[string]any) {
			b, err := os.ReadFile(filepath.Join(dir, "copy.txt"))
			if assert.NoError(t, err, "reading the download") {
				assert.Equal(t, "an attached note", string(b), "downloaded")
			}
		}},
		{"transcript", func() []string {
			return []string{"get-transcript", "--all", "--sort-order", "ascending", "--max-results", "2"}
		}, "", func(t *testing.T, out map[string]any) {
			items, _ := out["Transcript"].([]any)
			var texts []string
			for _, it := range items {
				if m, ok := it.(map[string]any); ok && m["Type"] == "MESSAGE" {
					texts = append(texts, m["Content"].(string))
				}
			}
			assert.ElementsMatch(t, []string{"hello from the CLI", "piped message"}, texts, "messages in %d items", len(items))
		}},
		{"disconnect", func() []string { return []string{"disconnect"} }, "", func(t *testing.T, out map[string]any) {
			assert.Empty(t, out, "DisconnectParticipant answers nothing but its request id, which is not printed")
		}},
	}
	for _, s := range steps {
		r := runTool(t, vars, s.stdin, append(s.args(), "--endpoint", endpoint)...)
		require.Equal(t, 0, r.code, "%s: exit code\n%s", s.name, r.stderr)
		noTokens(t, r, pt, ct)
		var out map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), "%s: stdout is not JSON:\n%s", s.name, r.stdout)
		s.check(t, out)
	}

	// After the customer left, the chat has ended: 403, exit code 4.
	r := runTool(t, vars, "", "send-event", "--endpoint", endpoint)
	assert.Equal(t, exitAccessDenied, r.code, "after disconnect: stderr %s", r.stderr)
	assert.Contains(t, r.stderr, "AccessDeniedException", "after disconnect")
	noTokens(t, r, pt, ct)
}

func TestCreateConnection(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	t.Cleanup(srv.Close)
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	vars := map[string]string{"PARTICIPANT_TOKEN": cust.ParticipantToken.Reveal()}
	r := runTool(t, vars, "", "create-connection", "--endpoint", srv.URL)
	require.Equal(t, 0, r.code, "exit code: %s", r.stderr)
	noTokens(t, r, cust.ParticipantToken)
	var out struct {
		Websocket             struct{ URL string }
		ConnectionCredentials struct{ ConnectionToken string }
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	assert.Equal(t, "REDACTED", out.ConnectionCredentials.ConnectionToken, "secrets shown without --reveal-token: %s", r.stdout)
	assert.True(t, strings.HasSuffix(out.Websocket.URL, "?REDACTED"), "secrets shown without --reveal-token: %s", r.stdout)
	// --reveal-token shows a working token.
	r = runTool(t, vars, "", "create-connection", "--endpoint", srv.URL, "--reveal-token")
	require.Equal(t, 0, r.code, "create-connection --reveal-token: %s", r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stderr)
	r = runTool(t, map[string]string{"CONNECTION_TOKEN": out.ConnectionCredentials.ConnectionToken}, "", "send-event", "--endpoint", srv.URL)
	assert.Equal(t, 0, r.code, "the revealed token does not work: %s", r.stderr)
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	endpoint, _, ct := startLocalChat(t)
	srv := participanttest.NewServer()
	t.Cleanup(srv.Close)
	srv.Inject(participanttest.Fail(participanttest.OpSendMessage, "ThrottlingException").Always(),
		participanttest.Fail(participanttest.OpSendEvent, "ConflictException").Always(),
		participanttest.Fail(participanttest.OpDisconnectParticipant, "InternalServerException").Always())
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	conn, err := srv.Connect(cust.ParticipantToken)
	require.NoError(t, err)
	faulty := map[string]string{"CONNECTION_TOKEN": conn.ConnectionToken.Reveal()}
	good := map[string]string{"CONNECTION_TOKEN": ct.Reveal()}
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want int
	}{
		{"no command", nil, nil, exitUsage},
		{"unknown command", nil, []string{"fly"}, exitUsage},
		{"unknown flag", good, []string{"send-event", "--endpoint", endpoint, "--nope"}, exitUsage},
		{"no token", nil, []string{"send-event", "--endpoint", endpoint}, exitUsage},
		{"no endpoint or region", good, []string{"send-event"}, exitUsage},
		{"invalid input", good, []string{"send-message", "--endpoint", endpoint, "--text", strings.Repeat("x", 16385)}, exitInvalidInput},
		{"bad token", map[string]string{"CONNECTION_TOKEN": "not-a-token-at-all"}, []string{"send-event", "--endpoint", endpoint}, exitAccessDenied},
		{"throttled", faulty, []string{"send-message", "--endpoint", srv.URL, "--text", "x", "--max-attempts", "1"}, exitThrottled},
		{"conflict", faulty, []string{"send-event", "--endpoint", srv.URL, "--read", "m1"}, exitConflict},
		{"server error", faulty, []string{"disconnect", "--endpoint", srv.URL, "--max-attempts", "1"}, exitServiceError},
		{"network", good, []string{"send-event", "--endpoint", "http://127.0.0.1:1", "--max-attempts", "1"}, exitNetwork},
		{"help", nil, []string{"help"}, exitOK},
		{"command help", nil, []string{"get-transcript", "-h"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runTool(t, tt.vars, "", tt.args...)
			assert.Equal(t, tt.want, r.code, "exit code\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
			noTokens(t, r, ct, conn.ConnectionToken)
		})
	}
}

// TestHelp: every command documents its flags and shows examples.
func TestHelp(t *testing.T) {
	t.Parallel()
	r := runTool(t, nil, "", "help")
	for _, c := range commands {
		assert.Contains(t, r.stdout, c.name, "help does not list %s", c.name)
		h := runTool(t, nil, "", c.name, "--help")
		assert.Equal(t, 0, h.code, "%s --help: exit code\n%s", c.name, h.stdout)
		assert.Contains(t, h.stdout, "Usage: participant "+c.name, "%s --help", c.name)
		assert.Contains(t, h.stdout, "Examples:", "%s --help", c.name)
	}
}

// TestLocalProcess runs `participant local` as a process: it prints its
// endpoint, serves a whole chat to the built tool, and stops cleanly on
// SIGINT.
func TestLocalProcess(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "local", "--addr", "127.0.0.1:0", "--agent", "bot", "--agent-delay", "1ms", "--seed", "5")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(stdout)
	var endpoint string
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "Local Amazon Connect Participant Service at "); ok {
			endpoint = strings.Fields(rest)[0]
			break
		}
	}
	if endpoint == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		require.FailNow(t, "no endpoint printed", "stderr: %s", stderr.String())
	}
	go func() {
		for lines.Scan() {
		}
	}()

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	tool := func(vars []string, args ...string) (string, error) {
		c := exec.CommandContext(ctx, binary, append(args, "--endpoint", endpoint)...)
		c.Env = append(os.Environ(), vars...)
		out, err := c.Output()
		return string(out), err
	}
	out, err := tool(nil, "start-chat", "--reveal-token")
	var sc startChatOutput
	require.NoError(t, err, "start-chat: %s", out)
	require.NoError(t, json.Unmarshal([]byte(out), &sc), "start-chat: %s", out)
	out, err = tool([]string{"PARTICIPANT_TOKEN=" + sc.ParticipantToken}, "create-connection", "--reveal-token")
	var cc struct {
		ConnectionCredentials struct{ ConnectionToken string }
	}
	require.NoError(t, err, "create-connection: %s", out)
	require.NoError(t, json.Unmarshal([]byte(out), &cc), "create-connection: %s", out)
	ctok := "CONNECTION_TOKEN=" + cc.ConnectionCredentials.ConnectionToken
	out, err = tool([]string{ctok}, "send-message", "--text", "hi bot")
	require.NoError(t, err, "send-message: %s", out)
	// The bot answers with its fallback.
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err = tool([]string{ctok}, "get-transcript", "--all")
		if err == nil && strings.Contains(out, "Sorry, I did not get that") {
			break
		}
		require.False(t, time.Now().After(deadline), "no bot answer: %v %s", err, out)
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	assert.NoError(t, cmd.Wait(), "local did not exit cleanly\n%s", stderr.String())
}

// TestCommandLine: help for one command, the version, and usage errors
// printed once with the list of valid names.
func TestCommandLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     []string // each must show
		stderr     []string
		onceStderr string // must show exactly once
	}{
		{name: "help of a command", args: []string{"help", "send-message"}, code: exitOK,
			stdout: []string{"Usage: participant send-message [flags]", "-text", "Examples:"}},
		{name: "help of chat", args: []string{"help", "chat"}, code: exitOK,
			stdout: []string{"Usage: participant chat [flags]", "-wait"}},
		{name: "help of an unknown command", args: []string{"help", "fly"}, code: exitUsage,
			stderr: []string{`unknown command "fly"`, "Valid commands: chat, create-connection, demo,"}},
		{name: "version", args: []string{"--version"}, code: exitOK,
			stdout: []string{"participant " + version.Version + " ("}},
		{name: "version command", args: []string{"version"}, code: exitOK,
			stdout: []string{"participant " + version.Version + " ("}},
		{name: "no command", args: nil, code: exitUsage, stderr: []string{"Usage: participant COMMAND"}},
		{name: "unknown flag", args: []string{"send-event", "--nope"}, code: exitUsage,
			onceStderr: "flag provided but not defined: -nope", stderr: []string{"Run 'participant help send-event'"}},
		{name: "unknown flag of chat", args: []string{"chat", "--colour"}, code: exitUsage,
			onceStderr: "flag provided but not defined: -colour"},
		{name: "endpoint without a scheme", args: []string{"chat", "--endpoint", "127.0.0.1:8480"}, code: exitUsage,
			onceStderr: `--endpoint "127.0.0.1:8480" is not a URL with a scheme: use --endpoint http://127.0.0.1:8480`},
		{name: "endpoint without a scheme, a call", args: []string{"send-message", "--endpoint", "localhost:8480", "--connection-token", "x", "--text", "hi"}, code: exitUsage,
			onceStderr: "use --endpoint http://localhost:8480"},
		{name: "start-chat endpoint without a scheme", args: []string{"start-chat", "--endpoint", "127.0.0.1:8480"}, code: exitUsage,
			onceStderr: "use --endpoint http://127.0.0.1:8480"},
		{name: "plain http to another host", args: []string{"send-message", "--endpoint", "http://192.0.2.1:8480", "--connection-token", "x", "--text", "hi"}, code: exitUsage,
			onceStderr: "add --allow-insecure to send them anyway"},
		{name: "chat on the real service without a token", args: []string{"chat", "--region", "us-east-1"}, code: exitUsage,
			onceStderr: "--region needs --participant-token"},
		{name: "bad flag value", args: []string{"get-transcript", "--max-results", "many"}, code: exitUsage,
			onceStderr: `invalid value "many" for flag -max-results`},
		{name: "unknown operation by its API name", args: []string{"SendMessage", "--text", "hi"}, code: exitUsage,
			stderr: []string{`unknown command "SendMessage" (did you mean send-message?)`, "Valid commands: chat, create-connection, demo, disconnect, download-attachment, get-transcript, local, send-event, send-message, start-chat, upload-attachment."}},
		{name: "unknown operation by its aws CLI name", args: []string{"create-participant-connection"}, code: exitUsage,
			stderr: []string{"did you mean create-connection?", "Valid commands:"}},
		{name: "operation the tool does not call", args: []string{"describe-view"}, code: exitUsage,
			stderr: []string{`unknown command "describe-view"`, "Valid commands:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, nil, "", tt.args...)
			assert.Equal(t, tt.code, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			for _, want := range tt.stdout {
				assert.Contains(t, r.stdout, want)
			}
			for _, want := range tt.stderr {
				assert.Contains(t, r.stderr, want)
			}
			if tt.onceStderr != "" {
				assert.Equal(t, 1, strings.Count(r.stderr, tt.onceStderr), "stderr: %s", r.stderr)
			}
		})
	}
}

// TestChatPiped: with piped input, the chat sends each line, waits for the
// echo agent's answer to the last one, then leaves; --wait 0 leaves at once.
func TestChatPiped(t *testing.T) {
	t.Parallel()
	r := runTool(t, nil, "first\nsecond & <last>\n", "chat", "--name", "Pip")
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	out := r.stdout
	answer := strings.Index(out, "Echo: second & <last>")
	left := strings.Index(out, "You left the chat.")
	require.GreaterOrEqual(t, answer, 0, "no answer to the last line:\n%s", out)
	assert.Less(t, answer, left, "left before the answer came:\n%s", out)
	assert.Contains(t, out, "Echo: first")

	r = runTool(t, nil, "hello\n", "chat", "--wait", "0")
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "You left the chat.")

	r = runTool(t, nil, "", "chat", "--wait", "-1s")
	assert.Equal(t, exitUsage, r.code)
}

// TestChatEndpointStartsChat: `participant chat --endpoint URL` without a
// token starts a customer chat on that service (as start-chat does), where
// the service's agent answers.
func TestChatEndpointStartsChat(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer(participanttest.WithAgent(func() participanttest.Agent {
		return participanttest.EchoAgent{DisplayName: "Echo"}
	}))
	t.Cleanup(srv.Close)
	r := runTool(t, nil, "ping\n", "chat", "--endpoint", srv.URL, "--name", "Nora", "--wait", "20s")
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "Started a chat on "+srv.URL)
	assert.Contains(t, r.stdout, "Echo: ping")
	assert.Contains(t, r.stdout, "Nora joined")
}

// TestRegionFromEnvironment: the region comes from --region, else
// AWS_REGION (the SDKs, aws CLI v2), else AWS_DEFAULT_REGION (aws CLI v1).
func TestRegionFromEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, flag string
		vars       map[string]string
		want       string
	}{
		{"flag first", "eu-west-2", map[string]string{"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-west-2"}, "eu-west-2"},
		{"AWS_REGION", "", map[string]string{"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-west-2"}, "us-east-1"},
		{"AWS_DEFAULT_REGION", "", map[string]string{"AWS_DEFAULT_REGION": "us-west-2"}, "us-west-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cf := clientFlags{region: tt.flag}
			c, err := cf.client(&env{getenv: func(k string) string { return tt.vars[k] }})
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Options().Region)
		})
	}
	_, err := (&clientFlags{}).client(&env{getenv: func(string) string { return "" }})
	assert.Equal(t, exitUsage, exitCode(err))
}
