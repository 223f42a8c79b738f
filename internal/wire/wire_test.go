package wire_test

import (
	"testing"
	"time"

	"github.com/connectchat/participant/internal/wire"
	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
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
