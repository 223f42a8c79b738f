package browsertest

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chatjsBundle is amazon-connect-chatjs's browser bundle, as `npm ci` in this
// directory installs it at the version package-lock.json pins.
var chatjsBundle = filepath.Join("node_modules", "amazon-connect-chatjs", "dist", "amazon-connect-chat.js")

// needChatjs skips the test without the bundle, except under CI=true,
// where .ci/run installs it.
func needChatjs(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chatjsBundle); err != nil {
		if os.Getenv("CI") == "true" {
			require.NoError(t, err, "amazon-connect-chatjs is not installed: run npm ci in browsertest/")
		}
		t.Skipf("amazon-connect-chatjs is not installed (npm ci in browsertest/): %v", err)
	}
}

// tool builds the participant command for the tests that run it.
func tool(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "participant")
	out, err := exec.Command("go", "build", "-C", "..", "-o", bin, "./cmd/participant").CombinedOutput()
	require.NoError(t, err, "building the participant tool: %s", out)
	return bin
}

// startLocal runs `participant local` on a free port and returns its URL.
func startLocal(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"local", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	first, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "participant local printed nothing")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	u := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(first)
	require.NotEmpty(t, u, "no URL in %q", first)
	return u
}

// TestWidgetRecipe runs the README's "Test your widget" page: an unmodified
// amazon-connect-chatjs, from another origin, against `participant local`,
// with the agent console answering.
func TestWidgetRecipe(t *testing.T) {
	needBrowser(t)
	needChatjs(t)
	t.Parallel()
	local := startLocal(t, tool(t), "--agent", "none")

	// The page and chatjs, served from an origin of their own: every call
	// to the service is a cross-origin one.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("testdata", "widget.html"))
	})
	mux.HandleFunc("GET /amazon-connect-chat.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, chatjsBundle) })
	pages := httptest.NewServer(mux)
	t.Cleanup(pages.Close)

	widget := newTab(t, "widget")
	agent := newTab(t, "agent")
	widget.do(t, "opening the widget", chromedp.Navigate(pages.URL+"/?endpoint="+local))
	widget.wait(t, "chatjs connected", textIn("#log li", "(connected to contact "))
	contactID := eval[string](t, widget, `window.widget.contactId`)

	agent.do(t, "opening the console", chromedp.Navigate(local+"/"))
	agent.wait(t, "the widget's chat in the list", textIn(`li[data-contact="`+contactID+`"]`, "Ann"))
	agent.do(t, "opening the chat", clickNow(`li[data-contact="`+contactID+`"]`))
	agent.wait(t, "the join button", visible("join"))
	agent.do(t, "joining as the agent", chromedp.Click(chromedp.ID("join")))
	agent.wait(t, "the agent's socket", stateIs("connected"))

	widget.do(t, "sending from the widget", chromedp.SendKeys(chromedp.ID("text"), "Hello from my widget\r"))
	agent.wait(t, "the widget's message", textIn("#transcript li.CUSTOMER .body", "Hello from my widget"))
	agent.do(t, "answering", chromedp.SendKeys(chromedp.ID("message"), "Hello Ann, the console here\r"))
	widget.wait(t, "the console's answer", textIn("#log li", "Console agent: Hello Ann, the console here"))
	widget.wait(t, "its own message, back from the socket", textIn("#log li", "Ann: Hello from my widget"))

	agent.do(t, "ending the chat", chromedp.Click(chromedp.ID("end-chat")))
	widget.wait(t, "the end of the chat", textIn("#log li", "(the chat has ended)"))
	widget.shot(t, "chat")
	agent.shot(t, "chat")
}

// TestChatCommandInConsole: `participant chat --endpoint URL` against a
// running `participant local` starts a customer chat there: it shows in the
// console's list, the console answers, and the terminal chat prints the
// answer and leaves.
func TestChatCommandInConsole(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	bin := tool(t)
	local := startLocal(t, bin, "--agent", "none")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	chat := exec.CommandContext(ctx, bin, "chat", "--endpoint", local, "--name", "Piper", "--wait", "90s")
	chat.Stdin = strings.NewReader("Is anyone in the console?\n")
	var out lockedBuffer
	chat.Stdout, chat.Stderr = &out, &out
	require.NoError(t, chat.Start())
	done := make(chan error, 1)
	go func() { done <- chat.Wait() }()

	agent := newTab(t, "agent")
	agent.do(t, "opening the console", chromedp.Navigate(local+"/"))
	agent.wait(t, "the terminal's chat in the list", textIn(`#contacts li`, "Piper"))
	agent.do(t, "opening the chat", clickNow(`#contacts li`))
	agent.wait(t, "the join button", visible("join"))
	agent.do(t, "joining as the agent", chromedp.Click(chromedp.ID("join")))
	agent.wait(t, "the terminal's message", textIn("#transcript li.CUSTOMER .body", "Is anyone in the console?"))
	agent.do(t, "answering", chromedp.SendKeys(chromedp.ID("message"), "Yes, Piper: the console.\r"))
	agent.wait(t, "the terminal's read receipt", textIn("#transcript li.mine .receipt", "Read"))
	select {
	case err := <-done:
		require.NoError(t, err, "participant chat:\n%s", out.String())
	case <-ctx.Done():
		require.FailNow(t, "participant chat did not leave", out.String())
	}
	assert.Contains(t, out.String(), "Console agent: Yes, Piper: the console.")
	assert.Contains(t, out.String(), "You left the chat.")
	agent.shot(t, "chat")
}

// lockedBuffer is a buffer a process writes to while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestReadmeWidgetPage: the page the README's "Test your widget" shows is
// testdata/widget.html, the one TestWidgetRecipe runs.
func TestReadmeWidgetPage(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	page, err := os.ReadFile(filepath.Join("testdata", "widget.html"))
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)## Test your widget\n.*?```html\n(.*?)```").FindSubmatch(readme)
	require.NotNil(t, m, "README.md's Test your widget has no html block")
	assert.Equal(t, string(page), string(m[1]))
}
