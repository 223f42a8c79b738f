package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitTimeout bounds every wait for the page.
const waitTimeout = 20 * time.Second

// needBrowser skips the test when there is no chromium.
func needBrowser(t *testing.T) {
	t.Helper()
	if browser == nil {
		t.Skip(noBrowser)
	}
}

// newServer starts a local service, closed when the test ends.
func newServer(t *testing.T, opts ...participanttest.Option) *participanttest.Server {
	t.Helper()
	srv := participanttest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// tab is one browser tab of a test.
type tab struct {
	name string
	ctx  context.Context

	mu     sync.Mutex
	errors []string // uncaught exceptions and console errors of the page
}

// newTab opens a tab in the shared browser, closed (with a screenshot if
// the test failed) when the test ends. Uncaught JavaScript exceptions and
// console errors fail the test.
func newTab(t *testing.T, name string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	tb := &tab{name: name, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 900)); err != nil {
		cancelTimeout()
		cancel()
		require.NoError(t, err, "%s: opening a tab", name)
	}
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	consoles := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			tb.note("exception: " + ev.ExceptionDetails.Text + " " + describe(ev.ExceptionDetails.Exception))
		}
	}()
	go func() {
		defer wg.Done()
		for ev, err := range consoles {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, describe(a))
				}
				tb.note("console.error: " + strings.Join(parts, " "))
			}
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			tb.shot(t, "failed")
		}
		tb.mu.Lock()
		errs := tb.errors
		tb.mu.Unlock()
		assert.Empty(t, errs, "%s: the page reported errors", name)
		cancelTimeout()
		cancel()
		wg.Wait()
	})
	return tb
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Value)
}

func (tb *tab) note(s string) {
	tb.mu.Lock()
	tb.errors = append(tb.errors, s)
	tb.mu.Unlock()
}

// do runs actions in the tab.
func (tb *tab) do(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	require.NoError(t, chromedp.Do(tb.ctx, actions...), "%s: %s", tb.name, what)
}

// wait waits until the JavaScript expression is true in the page.
func (tb *tab) wait(t *testing.T, what, expr string) {
	t.Helper()
	_, err := chromedp.Run(tb.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(waitTimeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	require.NoError(t, err, "%s: waiting for %s", tb.name, what)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, "%s: evaluating %s", tb.name, expr)
	return v
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// screenshotDir is where screenshots go: $BROWSERTEST_SCREENSHOTS or
// testdata/screenshots.
func screenshotDir() string {
	if d := os.Getenv("BROWSERTEST_SCREENSHOTS"); d != "" {
		return d
	}
	return filepath.Join("testdata", "screenshots")
}

// shot writes a PNG screenshot of the tab, named after the test, the tab and
// what, and returns its path.
func (tb *tab) shot(t *testing.T, what string) string {
	t.Helper()
	buf, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("%s: screenshot %s: %v", tb.name, what, err)
		return ""
	}
	dir := screenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("screenshot: %v", err)
		return ""
	}
	p := filepath.Join(dir, unsafeName.ReplaceAllString(fmt.Sprintf("%s-%s-%s", t.Name(), tb.name, what), "_")+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
		return ""
	}
	t.Logf("%s: screenshot %s", tb.name, p)
	return p
}

// js quotes a string for JavaScript.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// textIn is a JavaScript expression: some element matching the CSS selector
// has text containing want.
func textIn(selector, want string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(%s)].some((e) => e.textContent.includes(%s))`, js(selector), js(want))
}

// stateIs is a JavaScript expression: the chat's connection badge says state.
func stateIs(state string) string {
	return fmt.Sprintf(`document.getElementById('conn-state').textContent === %s`, js(state))
}

// visible is a JavaScript expression: the element with the id is shown.
func visible(id string) string {
	return fmt.Sprintf(`(() => { const e = document.getElementById(%s); return !!e && e.offsetParent !== null; })()`, js(id))
}

// clickNow is an action that finds the first element matching the CSS
// selector and clicks it in one step inside the page. The page redraws its
// polled lists (chats, faults) in place, so a node that chromedp.Click found
// can be gone by the time it clicks ("Could not find node with given id");
// finding and clicking in one script cannot be overtaken. A missing element
// is an error.
func clickNow(selector string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) throw new Error('nothing matches ' + %[1]s); e.click(); })()`, js(selector)))
}
