package chat

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRefresher(t *testing.T) {
	t.Parallel()
	r := refresher{before: time.Minute}
	exp := t0.Add(10 * time.Minute)
	r.schedule(exp, t0)
	assert.Equal(t, exp.Add(-time.Minute), r.deadline())
	assert.False(t, r.tick(t0.Add(8*time.Minute)))
	assert.True(t, r.tick(t0.Add(9*time.Minute)))
	assert.True(t, r.deadline().IsZero(), "no deadline while running")
	assert.False(t, r.start(), "one refresh at a time")
	// A failure retries after 30 s, or halfway to the expiry when sooner.
	assert.Equal(t, 30*time.Second, r.failed(t0.Add(9*time.Minute), exp))
	assert.True(t, r.start())
	assert.Equal(t, 10*time.Second, r.failed(t0.Add(9*time.Minute+40*time.Second), exp))
	r.succeeded(t0.Add(20*time.Minute), t0.Add(10*time.Minute))
	assert.Equal(t, t0.Add(19*time.Minute), r.deadline())
	// Already inside the margin: halfway through what is left.
	r.schedule(t0.Add(30*time.Second), t0)
	assert.Equal(t, t0.Add(15*time.Second), r.deadline())
	// Off: on demand only.
	off := refresher{before: -1}
	off.schedule(exp, t0)
	assert.True(t, off.deadline().IsZero())
	assert.True(t, off.start())
	off.abandoned()
	assert.False(t, off.tick(exp))
}
