package chat

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testConnector(o Options) connector {
	o.Seed = 1
	cfg := o.withDefaults()
	return newConnector(&cfg)
}

func TestConnectorFirstConnectAndHeartbeat(t *testing.T) {
	t.Parallel()
	c := testConnector(Options{})
	assert.Equal(t, StatusConnecting, c.status())
	c.connecting()
	sk := &sock{}
	c.opened(sk, t0)
	assert.Equal(t, connSubscribing, c.state)
	assert.Equal(t, 1, sk.subSent)
	// Unanswered: sent again after 1 s, given up after 4.
	assert.Equal(t, actNone, c.tick(t0))
	assert.Equal(t, actResubscribe, c.tick(t0.Add(time.Second)))
	c.refused(sk, t0.Add(1100*time.Millisecond))
	assert.Equal(t, t0.Add(time.Second), sk.subAt, "a refusal never delays")
	_, p := c.promote(sk, t0.Add(time.Second))
	assert.Equal(t, promotedFirst, p)
	assert.Equal(t, StatusConnected, c.status())
	assert.False(t, c.beating(sk, t0.Add(time.Second)))
	assert.Equal(t, t0.Add(11*time.Second), c.deadline())
	assert.Equal(t, actHeartbeatMissed, c.tick(t0.Add(11*time.Second)))
	sk.hbWait = false
	assert.Equal(t, actBeat, c.tick(t0.Add(11*time.Second)))
	assert.True(t, c.beating(sk, t0.Add(11*time.Second)), "the ping went unanswered")
}

func TestConnectorLossesBackOff(t *testing.T) {
	t.Parallel()
	c := testConnector(Options{MaxReconnectAttempts: 4})
	up := func(at time.Time) *sock {
		c.connecting()
		sk := &sock{}
		c.opened(sk, at)
		c.promote(sk, at)
		return sk
	}
	up(t0)
	// Lost after a minute: reconnect at once.
	_, first, k := c.lost(t0.Add(time.Minute))
	require.True(t, first)
	assert.Equal(t, lossConnect, k)
	assert.Equal(t, StatusReconnecting, c.status())
	// The new socket is dropped right after its subscribe: a failed
	// attempt, backed off; and the next, longer.
	at := t0.Add(time.Minute)
	var last time.Duration
	for n := 1; n <= 3; n++ {
		up(at)
		_, first, k = c.lost(at.Add(time.Second))
		assert.True(t, first, "each reconnect ended the outage")
		require.Equal(t, lossAttempt, k)
		d, giveUp := c.failed(at.Add(time.Second))
		require.False(t, giveUp)
		assert.Greater(t, d, last/2)
		assert.Equal(t, actNone, c.tick(at.Add(time.Second)))
		assert.Equal(t, actConnect, c.tick(at.Add(time.Second+d)))
		last, at = d, at.Add(time.Second+d)
	}
	_, giveUp := c.failed(at)
	assert.True(t, giveUp, "MaxReconnectAttempts")
}

func TestConnectorRotation(t *testing.T) {
	t.Parallel()
	c := testConnector(Options{RotateAfter: time.Minute})
	c.connecting()
	old := &sock{}
	c.opened(old, t0)
	c.promote(old, t0)
	assert.Equal(t, actRotate, c.tick(t0.Add(time.Minute)))
	c.connecting()
	c.rotationFailed(t0.Add(time.Minute))
	assert.Equal(t, t0.Add(2*time.Minute), c.rotateAt)
	assert.Equal(t, actRotate, c.tick(t0.Add(2*time.Minute)))
	c.connecting()
	// The primary lost while its replacement is being made: that connect
	// replaces it.
	nsk := &sock{}
	c.opened(nsk, t0.Add(2*time.Minute))
	_, _, k := c.lost(t0.Add(2 * time.Minute))
	assert.Equal(t, lossWait, k)
	c.primary = old
	gone, p := c.promote(nsk, t0.Add(2*time.Minute))
	assert.Equal(t, promotedRotated, p)
	assert.Same(t, old, gone)
	assert.True(t, c.forget(old))
	assert.False(t, c.forget(old))
	assert.Equal(t, []*sock{nsk, nil}, c.all()) // primary, candidate (none)
	assert.Nil(t, c.primary)
}
