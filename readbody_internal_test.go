package participant

import (
	"bytes"
	"io"
	"net/http"
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
// is known, at most twice it when not (the buffer doubles), never the four
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
		{"at the cap, length unknown", limit, -1, 2.05, false},
		{"past the cap, length unknown", limit + 1, -1, 2.05, true},
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
