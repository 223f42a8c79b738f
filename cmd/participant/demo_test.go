package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// normaliseDemo replaces what changes from run to run: times, the port, and
// the event count (timers such as typing expiry may add one on a slow run).
func normaliseDemo(s string) string {
	s = regexp.MustCompile(`\[\+ *[0-9]+\.[0-9]{3}s\]`).ReplaceAllString(s, "[+T]")
	s = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).ReplaceAllString(s, "http://127.0.0.1:PORT")
	s = regexp.MustCompile(`saw [0-9]+ events`).ReplaceAllString(s, "saw N events")
	return s
}

// TestDemo runs the demo and compares its output, times and port
// normalised, with testdata/demo.golden (go test -run TestDemo -update
// rewrites it).
func TestDemo(t *testing.T) {
	t.Parallel()
	r := runTool(t, nil, "", "demo", "--color=false")
	require.Equal(t, 0, r.code, "demo exit code\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.NotContains(t, r.stdout, "\x1b[", "colour codes in output that is not a terminal")
	got := normaliseDemo(r.stdout)
	golden := filepath.Join("testdata", "demo.golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "missing golden file (run with -update)")
	assert.Equal(t, string(want), got, "demo output differs from %s", golden)
}

// TestDemoColour: with --color the lines carry ANSI colours.
func TestDemoColour(t *testing.T) {
	t.Parallel()
	r := runTool(t, nil, "", "demo", "--color")
	require.Equal(t, 0, r.code, "exit code:\n%s\n%s", r.stdout, r.stderr)
	require.Contains(t, r.stdout, "\x1b[36m", "no colour:\n%s", r.stderr)
}

// TestHelpGolden compares the help of the commands in this package's
// care with testdata/help-*.golden (go test ./cmd/participant -run
// TestHelpGolden -update rewrites them). The general help is not compared:
// it lists every command, and changes whenever one is added.
func TestHelpGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden string
		args   []string
	}{
		{"help-chat.golden", []string{"help", "chat"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			r := runTool(t, nil, "", tt.args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			golden := filepath.Join("testdata", tt.golden)
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(r.stdout), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden file (run with -update)")
			assert.Equal(t, string(want), r.stdout)
		})
	}
}

// TestDemoInterrupt cancels the demo's context, as Ctrl-C does, while it
// plays: it ends with exit 130 and one line saying so, nothing on stderr.
func TestDemoInterrupt(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The demo plays in milliseconds: Ctrl-C comes as the line saying the
	// agent joined is written, not when a poll finds it.
	out := lockedWriter{onWrite: func(p []byte) {
		if strings.Contains(string(p), "Sam (agent) joined") {
			cancel()
		}
	}}
	var errb lockedWriter
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, []string{"demo", "--color=false"}) }()
	var code int
	select {
	case code = <-done:
	case <-time.After(20 * time.Second):
		require.FailNow(t, "the demo did not stop", out.String())
	}
	assert.Equal(t, exitCanceled, code)
	assert.Empty(t, errb.String(), "stderr after Ctrl-C")
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	assert.Equal(t, "Demo interrupted; its local service has stopped.", lines[len(lines)-1])
	assert.NotContains(t, out.String(), "context canceled")
}

// lockedWriter is a buffer that a test reads while the tool writes to it.
// onWrite, when set, sees each write once it is in the buffer.
type lockedWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	onWrite func(p []byte)
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	n, err := w.buf.Write(p)
	w.mu.Unlock()
	if w.onWrite != nil {
		w.onWrite(p)
	}
	return n, err
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
