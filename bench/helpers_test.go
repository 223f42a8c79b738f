package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connectparticipant"
	"github.com/connectchat/participant"
)

// Pool settings shared by every side of every comparison. Each side gets its
// OWN *http.Transport built by newHTTPClient, so the sides never share (or
// steal) each other's connections, but every transport is tuned the same:
//
//   - MaxIdleConnsPerHost 128 and MaxIdleConns 256: the parallel benchmarks
//     run 32 × GOMAXPROCS goroutines (64 on the 2-core machine), so every
//     connection they open can go back to the pool; with Go's default of 2
//     idle connections per host most requests would dial a new connection.
//   - IdleConnTimeout 90 s, dial timeout 5 s, TCP keep-alive 30 s: the values
//     the Go and AWS defaults use, long enough that no connection ages out
//     during a run.
//   - No proxy (loopback only), HTTP/1.1 (the test server is plain http),
//     compression left at Go's default (the server never gzips).
const (
	benchMaxIdleConns        = 256
	benchMaxIdleConnsPerHost = 128
)

// newHTTPClient returns a client with its own transport tuned as above, and
// that transport, so the caller can close its idle connections.
func newHTTPClient() (*http.Client, *http.Transport) {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        benchMaxIdleConns,
		MaxIdleConnsPerHost: benchMaxIdleConnsPerHost,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: tr}, tr
}

// startServer starts a loopback httptest.Server for h. Cleanup closes, in
// order, the idle connections of every transport that tracked returns (so no
// client goroutine outlives the test, which goleak checks) and then the
// server.
func startServer(tb testing.TB, h http.Handler) (srv *httptest.Server, track func(*http.Transport)) {
	tb.Helper()
	srv = httptest.NewServer(h)
	var transports []*http.Transport
	tb.Cleanup(func() {
		for _, tr := range transports {
			tr.CloseIdleConnections()
		}
		srv.Close()
	})
	return srv, func(tr *http.Transport) { transports = append(transports, tr) }
}

// newOurs returns this repository's client for srv, and its own transport.
func newOurs(srv *httptest.Server, track func(*http.Transport), optFns ...func(*participant.Options)) (*participant.Client, *http.Transport) {
	hc, tr := newHTTPClient()
	track(tr)
	return participant.New(participant.Options{BaseEndpoint: srv.URL, HTTPClient: hc}, optFns...), tr
}

// newAWS returns aws-sdk-go-v2's connectparticipant client for srv, with
// anonymous credentials (no SigV4, as the service is used for real), and its
// own transport.
func newAWS(srv *httptest.Server, track func(*http.Transport), optFns ...func(*connectparticipant.Options)) (*connectparticipant.Client, *http.Transport) {
	hc, tr := newHTTPClient()
	track(tr)
	return connectparticipant.New(connectparticipant.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
		HTTPClient:   hc,
	}, optFns...), tr
}

// The connection token every request carries. Not a secret: the servers here
// are loopback test servers.
const connToken = "bench-connection-token-0123456789abcdefghijklmnopqrstuvwxyz"

// sendEventPath is SendEvent's path (spec §2.3).
const sendEventPath = "/participant/event"

// floorPost is the floor's request: a bare net/http POST of body with the
// header set this repository's client sends (fixed values), so the floor puts
// the same bytes on the wire. It returns the whole response body.
func floorPost(ctx context.Context, c *http.Client, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Amz-Bearer", connToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", floorUserAgent)
	req.Header.Set("Amz-Sdk-Invocation-Id", "3f1c6a52-8d4e-4b7a-a0c9-5e2d7b8f1a63")
	req.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("floor: status %d", resp.StatusCode)
	}
	return b, nil
}
