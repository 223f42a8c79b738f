package participant

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/internal/ops"
)

// onlyReader hides bytes.Reader's WriteTo, as a response body does.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// TestReadBodyAllocatesAboutTheCap reads bodies at and past the 16 MiB cap
// and measures the bytes allocated: about the cap when the Content-Length
// is known, at most 1.25 times it when not (the buffer doubles only up to
// doublingCap; doubling all the way cost twice the cap), never the four
// times the cap that reading a sentinel byte into the buffer cost. Not
// parallel: it reads the process's allocation counter.
func TestReadBodyAllocatesAboutTheCap(t *testing.T) {
	limit := ops.MaxResponseBody
	body := bytes.Repeat([]byte("a"), limit+1)
	measure := func(n int, size int64) (alloc uint64, got int, more bool) {
		var buf bytes.Buffer
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		more, err := readBody(&buf, onlyReader{bytes.NewReader(body[:n])}, size, limit)
		runtime.ReadMemStats(&after)
		require.NoError(t, err)
		return after.TotalAlloc - before.TotalAlloc, buf.Len(), more
	}
	for _, tc := range []struct {
		name     string
		n        int
		size     int64
		maxRatio float64
		more     bool
	}{
		{"at the cap, length known", limit, int64(limit), 1.05, false},
		{"at the cap, length unknown", limit, -1, 1.25, false},
		{"past the cap, length unknown", limit + 1, -1, 1.25, true},
		{"past the cap, length known", limit + 1, int64(limit + 1), 1.05, true},
	} {
		alloc, got, more := measure(tc.n, tc.size)
		assert.Equal(t, limit, got, tc.name)
		assert.Equal(t, tc.more, more, tc.name)
		ratio := float64(alloc) / float64(limit)
		t.Logf("%s: %.1f MiB allocated (%.2f× the cap)", tc.name, float64(alloc)/(1<<20), ratio)
		assert.LessOrEqual(t, ratio, tc.maxRatio, tc.name)
	}
	// A small body with a known length allocates its length.
	alloc, got, more := measure(1000, 1000)
	assert.Equal(t, 1000, got)
	assert.False(t, more)
	assert.Less(t, alloc, uint64(4096))
}

// TestCallPastTheCapAllocates measures a whole SendEvent whose success body
// is streamed without a Content-Length and runs 1 MiB past the 16 MiB cap:
// the call fails, having allocated at most 1.25 times the cap. Not
// parallel: it reads the process's allocation counter.
func TestCallPastTheCapAllocates(t *testing.T) {
	chunk := bytes.Repeat([]byte(" "), 64<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Test-Small") != "" {
			_, _ = io.WriteString(w, "{}")
			return
		}
		rc := http.NewResponseController(w)
		for sent := 0; sent <= ops.MaxResponseBody+1<<20; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			_ = rc.Flush() // no Content-Length: chunked
		}
	}))
	t.Cleanup(srv.Close)
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	c := New(Options{BaseEndpoint: srv.URL, HTTPClient: hc, RetryMaxAttempts: 1})
	in := &SendEventInput{ConnectionToken: "tok", ContentType: ContentTypeTyping}
	small := func(o *Options) { o.HTTPClient = smallHeader{hc} }
	_, err := c.SendEvent(t.Context(), in, small) // opens the connection
	require.NoError(t, err)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = c.SendEvent(t.Context(), in)
	runtime.ReadMemStats(&after)
	require.ErrorContains(t, err, "larger than")
	ratio := float64(after.TotalAlloc-before.TotalAlloc) / float64(ops.MaxResponseBody)
	t.Logf("a call past the cap, length unknown: %.2f× the cap allocated", ratio)
	assert.LessOrEqual(t, ratio, 1.25)
}

// smallHeader marks its requests for a small answer.
type smallHeader struct{ c *http.Client }

func (s smallHeader) Do(r *http.Request) (*http.Response, error) {
	r.Header.Set("X-Test-Small", "1")
	return s.c.Do(r)
}

// BenchmarkReadBodyPastCap reads a body 1 byte past the cap, with its
// length known and not: B/op is what the cap costs.
func BenchmarkReadBodyPastCap(b *testing.B) {
	limit := ops.MaxResponseBody
	body := bytes.Repeat([]byte("a"), limit+1)
	for _, bc := range []struct {
		name string
		size int64
	}{{"length=known", int64(limit + 1)}, {"length=unknown", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(limit))
			for b.Loop() {
				var buf bytes.Buffer
				more, err := readBody(&buf, onlyReader{bytes.NewReader(body)}, bc.size, limit)
				if err != nil || !more {
					b.Fatalf("readBody: more %v, err %v", more, err)
				}
			}
		})
	}
}

// TestDefaultTimeouts: the default HTTP client bounds the TLS handshake,
// the wait for response headers and idle connections, and every call
// bounds the response body, unless the options say otherwise.
func TestDefaultTimeouts(t *testing.T) {
	t.Parallel()
	tr, ok := defaultHTTPClient().Transport.(*http.Transport)
	require.True(t, ok)
	assert.Equal(t, defaultTLSHandshakeTimeout, tr.TLSHandshakeTimeout)
	assert.Equal(t, defaultResponseHeaderTimeout, tr.ResponseHeaderTimeout)
	assert.Equal(t, defaultIdleConnTimeout, tr.IdleConnTimeout)
	assert.NotNil(t, tr.DialContext)
	for _, tc := range []struct {
		set, want time.Duration
	}{{0, defaultResponseBodyTimeout}, {5 * time.Second, 5 * time.Second}, {-1, 0}} {
		r := resolve(Options{Region: "us-east-1", ResponseBodyTimeout: tc.set}, nil)
		assert.Equal(t, tc.want, r.bodyTimeout, "ResponseBodyTimeout %v", tc.set)
	}
}
