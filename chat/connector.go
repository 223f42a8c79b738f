package chat

import (
	"math/rand/v2"
	"time"
)

// rotateRetry is how long after a failed rotation the session tries again;
// the old socket keeps working meanwhile.
const rotateRetry = time.Minute

// stableAfter is how long a subscribed socket must live for its loss not to
// count as a failed reconnect attempt: one that the service drops sooner
// is retried with the backoff, never at once.
const stableAfter = 5 * time.Second

// connState is what connection work is under way.
type connState uint8

const (
	connIdle        connState = iota // none: the socket is up (or the session has not started)
	connCalling                      // CreateParticipantConnection and the dial
	connSubscribing                  // the new socket waits for its subscribe's ack
	connBackoff                      // waiting for retryAt before the next attempt
)

// connAction is what the connector's clock asks of the session.
type connAction uint8

const (
	actNone            connAction = iota
	actBeat                       // send the primary's heartbeat and ping
	actHeartbeatMissed            // the primary left a heartbeat unanswered: lose it
	actResubscribe                // send the candidate's subscribe again
	actSubscribeFailed            // the candidate was never acknowledged: give it up
	actConnect                    // start a connect: a retry after the backoff
	actRotate                     // start a connect: a rotation
)

// promotion is what a subscribed socket became.
type promotion uint8

const (
	promotedFirst       promotion = iota + 1 // the session's first socket
	promotedReconnected                      // the replacement of a lost one
	promotedRotated                          // the replacement of an aging one
)

// connector keeps the session's sockets (primary, candidate and retired),
// the reconnect attempts and their backoff, heartbeats, subscribes and
// rotation. It does no I/O and reads no clock: the session dials, writes
// and closes, and tells it what happened.
type connector struct {
	cfg       *config    // heartbeat, subscribe, backoff, rotation
	rnd       *rand.Rand // the backoff's jitter
	state     connState
	primary   *sock // the subscribed socket
	candidate *sock // a socket waiting for its subscribe's ack
	retired   []*sock
	socks     int  // sockets opened, for the logs
	connected bool // the first socket was subscribed
	outage    bool // the primary was lost and not yet replaced
	attempts  int  // failed attempts in a row
	retryAt   time.Time
	rotateAt  time.Time
}

func newConnector(c *config) connector {
	return connector{cfg: c, rnd: newRand(c.Seed)}
}

// backoff is the delay before reconnect attempt n+1 (n failures so far):
// a random duration in [d/2, d], d = min(base × 2^(n-1), cap).
func (c *connector) backoff(n int) time.Duration {
	d, cap := c.cfg.ReconnectBackoff, c.cfg.ReconnectMaxBackoff
	for i := 1; i < n && d < cap; i++ {
		d *= 2
	}
	d = min(d, cap)
	half := d / 2
	return half + time.Duration(c.rnd.Int64N(int64(d-half)+1))
}

// connecting notes a connect started (the first, a retry or a rotation).
func (c *connector) connecting() {
	c.state, c.retryAt = connCalling, time.Time{}
}

// opened notes the socket a connect dialled: the candidate, whose
// subscribe goes out now.
func (c *connector) opened(sk *sock, now time.Time) {
	c.socks++
	sk.n = c.socks
	c.candidate, c.state = sk, connSubscribing
	c.subscribing(sk, now)
}

// subscribing notes a subscribe sent on sk.
func (c *connector) subscribing(sk *sock, now time.Time) {
	sk.subSent++
	sk.subAt = now.Add(c.cfg.SubscribeTimeout)
}

// refused notes a "failure" answer, or an error frame, to sk's subscribe:
// it is sent again sooner than after silence.
func (c *connector) refused(sk *sock, now time.Time) {
	if at := now.Add(c.cfg.SubscribeTimeout / 2); at.Before(sk.subAt) {
		sk.subAt = at
	}
}

// promote makes the acknowledged candidate the primary, returning the
// socket it replaced (to retire) and what it became. attempts is not
// reset: a socket lost within stableAfter counts as a failed attempt (see
// lost).
func (c *connector) promote(sk *sock, now time.Time) (old *sock, p promotion) {
	old = c.primary
	c.candidate, c.primary, c.state, c.retryAt = nil, sk, connIdle, time.Time{}
	sk.subscribed, sk.subscribedAt = true, now
	if c.cfg.RotateAfter > 0 {
		c.rotateAt = now.Add(c.cfg.RotateAfter)
	}
	switch {
	case old != nil:
		c.retired = append(c.retired, old)
		return old, promotedRotated
	case !c.connected:
		c.connected = true
		return nil, promotedFirst
	}
	c.outage = false
	return nil, promotedReconnected
}

// beating notes the heartbeat and ping sent on sk now; pingMissed reports
// whether the previous ping went unanswered.
func (c *connector) beating(sk *sock, now time.Time) (pingMissed bool) {
	pingMissed = sk.pingWait
	sk.hbWait, sk.pingWait = true, true
	sk.beatAt = now.Add(c.cfg.HeartbeatInterval)
	return pingMissed
}

// failed notes a failed attempt (connect, dial, subscribe, or a socket lost
// soon after it). It returns the backoff before the next, or giveUp when
// Options.MaxReconnectAttempts is reached.
func (c *connector) failed(now time.Time) (d time.Duration, giveUp bool) {
	c.attempts++
	if n := c.cfg.MaxReconnectAttempts; n > 0 && c.attempts >= n {
		c.state = connIdle
		return 0, true
	}
	d = c.backoff(c.attempts)
	c.state, c.retryAt = connBackoff, now.Add(d)
	return d, false
}

// rotationFailed notes a failed rotation: the primary stays, and the next
// try is after rotateRetry.
func (c *connector) rotationFailed(now time.Time) {
	c.state, c.rotateAt = connIdle, now.Add(rotateRetry)
}

// dropCandidate forgets the candidate (given up or closed) and returns it.
func (c *connector) dropCandidate() *sock {
	sk := c.candidate
	c.candidate = nil
	if c.state == connSubscribing {
		c.state = connIdle
	}
	return sk
}

// lossKind is what the loss of the primary asks for.
type lossKind uint8

const (
	lossWait    lossKind = iota + 1 // a connect is under way: it replaces the socket
	lossConnect                     // the socket lived: reconnect at once
	lossAttempt                     // lost within stableAfter: a failed attempt
)

// lost notes the primary's loss. first reports whether it starts an outage
// (a KindConnectionLost).
func (c *connector) lost(now time.Time) (sk *sock, first bool, k lossKind) {
	sk = c.primary
	c.primary = nil
	first = !c.outage
	c.outage = true
	switch {
	case c.state == connCalling || c.state == connSubscribing:
		return sk, first, lossWait
	case now.Sub(sk.subscribedAt) < stableAfter:
		return sk, first, lossAttempt
	}
	c.attempts = 0
	return sk, first, lossConnect
}

// forget drops a retired socket that closed; it reports whether sk was one.
func (c *connector) forget(sk *sock) bool {
	for i, r := range c.retired {
		if r == sk {
			c.retired = append(c.retired[:i], c.retired[i+1:]...)
			return true
		}
	}
	return false
}

// all takes every socket (to close them) and forgets them.
func (c *connector) all() []*sock {
	socks := append(c.retired, c.primary, c.candidate)
	c.retired, c.primary, c.candidate = nil, nil, nil
	return socks
}

// deadline returns when tick next has something to do, or zero.
func (c *connector) deadline() time.Time {
	var d time.Time
	at := func(t time.Time) {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	if p := c.primary; p != nil {
		at(p.beatAt)
	}
	if k := c.candidate; k != nil {
		at(k.subAt)
	}
	switch {
	case c.state == connBackoff:
		at(c.retryAt)
	case c.state == connIdle && c.primary != nil:
		at(c.rotateAt)
	}
	return d
}

// tick returns the next thing due at now, or actNone. The session acts on
// it (which updates the connector) and asks again.
func (c *connector) tick(now time.Time) connAction {
	if p := c.primary; p != nil && !p.beatAt.IsZero() && !now.Before(p.beatAt) {
		if p.hbWait {
			return actHeartbeatMissed
		}
		return actBeat
	}
	if k := c.candidate; k != nil && !now.Before(k.subAt) {
		if k.subSent >= c.cfg.SubscribeAttempts {
			return actSubscribeFailed
		}
		return actResubscribe
	}
	due := func(t time.Time) bool { return !t.IsZero() && !now.Before(t) }
	if c.state == connBackoff && due(c.retryAt) {
		return actConnect
	}
	if c.state == connIdle && c.primary != nil && due(c.rotateAt) {
		c.rotateAt = time.Time{}
		return actRotate
	}
	return actNone
}

// status reports the connection's state for Session.Status.
func (c *connector) status() Status {
	switch {
	case !c.connected:
		return StatusConnecting
	case c.primary == nil:
		return StatusReconnecting
	}
	return StatusConnected
}
