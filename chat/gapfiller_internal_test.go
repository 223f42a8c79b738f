package chat

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGapFillerKeepsItsAnchor(t *testing.T) {
	t.Parallel()
	g := gapFiller{overlap: 2 * time.Second}
	g.owe(t0, true)
	g.owe(t0.Add(time.Hour), true) // owed already: the anchor stays
	gen, mode, anchor, ok := g.begin()
	require.True(t, ok)
	assert.Equal(t, gapFrom, mode)
	assert.Equal(t, t0, anchor)
	assert.True(t, g.current(gen))
	_, _, _, ok = g.begin()
	assert.False(t, ok, "one read at a time")

	// Failures back off and keep the anchor.
	g.failed(t0, time.Second)
	assert.Equal(t, gapOwed, g.state)
	assert.Equal(t, t0.Add(time.Second), g.deadline())
	assert.False(t, g.tick(t0))
	assert.True(t, g.tick(t0.Add(time.Second)))
	_, _, anchor, _ = g.begin()
	assert.Equal(t, t0, anchor)
	assert.Equal(t, 1, g.attempts)

	// A lost socket cancels the read; its result is then ignored.
	gen, _, _, _ = g.begin()
	assert.True(t, g.cancel())
	assert.False(t, g.current(gen))
	assert.False(t, g.cancel())

	// 403: waits for the refresh.
	g.begin()
	g.denied()
	assert.True(t, g.deadline().IsZero())
	assert.True(t, g.refreshed())
	assert.False(t, g.refreshed())

	// A read overtaken by a loss: owed again, from its last item.
	g.begin()
	assert.True(t, g.succeeded(t0.Add(time.Minute), true))
	_, _, anchor, _ = g.begin()
	assert.Equal(t, t0.Add(time.Minute-2*time.Second), anchor)
	assert.False(t, g.succeeded(t0.Add(2*time.Minute), false))
	assert.Equal(t, gapIdle, g.state)
	assert.Equal(t, 0, g.attempts)
}

func TestGapFillerWholeTranscript(t *testing.T) {
	t.Parallel()
	g := gapFiller{overlap: time.Second}
	g.owe(time.Time{}, false)
	_, mode, _, _ := g.begin()
	assert.Equal(t, gapFull, mode)
	// Overtaken with nothing read: still the whole transcript.
	assert.True(t, g.succeeded(time.Time{}, true))
	_, mode, _, _ = g.begin()
	assert.Equal(t, gapFull, mode)
	g.clear()
	assert.Equal(t, gapIdle, g.state)
	assert.False(t, g.tick(t0))
}
