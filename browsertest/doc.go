// Package browsertest drives the agent console of participanttest (the page
// `participant local` serves at its root URL) in a real browser: Debian's
// chromium, headless, through github.com/chromedp/chromedp. It is a module of
// its own so that the root module does not depend on chromedp.
//
// The tests need /usr/bin/chromium (or $CHROMIUM): they are skipped without
// it, except under CI=true, where they fail. A screenshot of every page is
// written to $BROWSERTEST_SCREENSHOTS, or testdata/screenshots, so that a
// failure can be inspected.
//
//	cd browsertest && go test -race -count=1 ./...
package browsertest
