package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"
)

// browser is the one headless chromium the tests share; each test opens
// its own tabs in it. It is nil when there is no chromium to run.
var browser context.Context

// noBrowser says why browser is nil.
var noBrowser string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		noBrowser = fmt.Sprintf("no chromium at %s (apt-get install chromium, or set CHROMIUM): %v", path, err)
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "browsertest:", noBrowser)
			return 1
		}
		return m.Run()
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(1400, 900),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("lang", "en-GB"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil { // start the browser
		cancel()
		cancelAlloc()
		fmt.Fprintln(os.Stderr, "browsertest: starting chromium:", err)
		return 1
	}
	browser = ctx
	code := m.Run()
	cancel()
	cancelAlloc()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "browsertest: goroutines leaked:", err)
			return 1
		}
	}
	return code
}
