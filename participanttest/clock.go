package participanttest

import (
	"sync"
	"time"
)

// Clock tells the server what time it is. Every lifetime the server enforces
// (tokens, WebSocket URLs, upload and download URLs, chat duration, socket
// age, the authentication window) is measured with it, and every AbsoluteTime
// it writes comes from it.
//
// The server never sleeps on a Clock: expiry is checked when a request
// arrives, so a [ManualClock] moved forward makes tokens expire at once.
// Latency faults and the scripted agents' delays use real timers instead
// (which testing/synctest fakes).
type Clock interface {
	Now() time.Time
}

// systemClock is the default Clock: time.Now.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only when told to. It is safe for
// concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock that reads start until moved.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
