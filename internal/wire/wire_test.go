package wire_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/connectchat/participant/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2019, 11, 8, 2, 41, 28, 172e6, time.UTC)
	for _, s := range []string{"2019-11-08T02:41:28.172Z", "2019-11-08T02:41:28.172+00:00", "2019-11-08T02:41:28.172", "2019-11-08T02:41:28.172+0000", "1573180888172"} {
		got, ok := wire.ParseTime(s)
		assert.True(t, ok, s)
		assert.True(t, want.Equal(got), "%s: got %v", s, got)
	}
	for _, s := range []string{"", "yesterday", "-5", "2019-13-08T02:41:28Z"} {
		_, ok := wire.ParseTime(s)
		assert.False(t, ok, s)
	}
}

func TestFormatTime(t *testing.T) {
	t.Parallel()
	tm := time.Date(2019, 11, 8, 3, 41, 28, 170123456, time.FixedZone("x", 3600))
	assert.Equal(t, "2019-11-08T02:41:28.170Z", wire.FormatTime(tm))
	got, ok := wire.ParseTime(wire.FormatTime(tm))
	assert.True(t, ok)
	assert.Equal(t, tm.Truncate(time.Millisecond).UTC(), got)
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "app.localhost": true, "127.0.0.1": true, "127.1.2.3": true,
		"::1": true, "[::1]": true, "example.com": false, "10.0.0.1": false, "localhost.example.com": false, "": false,
	} {
		assert.Equal(t, want, wire.IsLoopback(host), host)
	}
}

// FuzzParseTime: ParseTime never panics, accepts every RFC 3339 time, and a
// time it reads, written back with FormatTime, reads back to the same
// millisecond.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"", "2026-11-29T10:00:00.123Z", "2019-03-26T00:00:00+05:30", "not a time",
		"2026-02-30T00:00:00Z", "0000-01-01T00:00:00-23:59", "9999-12-31T23:59:59.999999999+00:00", "1573180888172", "2019-11-08T02:41:28.172"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := wire.ParseTime(s)
		if want, err := time.Parse(time.RFC3339Nano, s); err == nil {
			assert.True(t, ok, s)
			assert.True(t, want.Equal(got), s)
		}
		if u := got.UTC(); ok && u.Year() >= 1 && u.Year() <= 9999 {
			back, ok := wire.ParseTime(wire.FormatTime(got))
			assert.True(t, ok)
			assert.True(t, back.Equal(u.Truncate(time.Millisecond)), "%s: %v then %v", s, got, back)
		}
	})
}
