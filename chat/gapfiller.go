package chat

import "time"

// maxHold bounds how long releases stay held while a gap fill is owed.
const maxHold = 2 * time.Minute

// gapState is where a gap filler is.
type gapState uint8

const (
	gapIdle    gapState = iota // nothing owed: releases flow
	gapOwed                    // owed: waits for a socket, or for its retry time
	gapRunning                 // a transcript read is under way
	gapStale                   // the last read got 403: waits for a token refresh
)

// gapFiller decides the gap fills: one is owed from the moment a socket is
// lost (or one is connected or rotated) until a read succeeds. Its anchor
// is taken once, from the last item delivered before, and stays however
// many reads fail; a successful read that another loss overtook moves it
// only to the read's own last item. It does no I/O and reads no clock: the
// session reads the transcript and holds the engine's releases.
type gapFiller struct {
	overlap   time.Duration // Options.GapFillOverlap
	state     gapState
	mode      gapMode
	anchor    time.Time // where the owed read starts (gapFrom)
	attempts  int       // failed reads in a row
	retryAt   time.Time // when a failed read is tried again
	again     bool      // the socket changed while the read ran
	gen       uint64    // counts reads started: a cancelled one's result is ignored
	holdUntil time.Time // when the engine's hold ends if no read succeeded
}

// owe notes a gap fill owed from anchor (ok false: nothing was delivered,
// so the whole transcript). One already owed keeps its anchor.
func (g *gapFiller) owe(anchor time.Time, ok bool) {
	if g.state != gapIdle {
		return
	}
	g.state, g.mode, g.anchor = gapOwed, gapFrom, anchor
	if !ok {
		g.mode = gapFull
	}
}

// begin starts the owed read, returning its generation, mode and anchor;
// started is false when a read is under way (it is then read again after).
func (g *gapFiller) begin() (gen uint64, mode gapMode, anchor time.Time, started bool) {
	if g.state == gapRunning {
		g.again = true
		return 0, 0, time.Time{}, false
	}
	g.state, g.retryAt = gapRunning, time.Time{}
	g.gen++
	return g.gen, g.mode, g.anchor, true
}

// current reports whether the read of generation gen is the one under way.
func (g *gapFiller) current(gen uint64) bool { return g.state == gapRunning && gen == g.gen }

// cancel drops the read under way (its socket was lost): it stays owed.
// It reports whether there was one.
func (g *gapFiller) cancel() bool {
	if g.state != gapRunning {
		return false
	}
	g.state, g.again = gapOwed, false
	g.gen++
	return true
}

// denied notes a read refused with 403: it waits for a token refresh.
func (g *gapFiller) denied() { g.state = gapStale }

// refreshed reports whether a read waited for the token refresh that just
// succeeded; it is owed again.
func (g *gapFiller) refreshed() bool {
	if g.state != gapStale {
		return false
	}
	g.state = gapOwed
	return true
}

// failed notes a failed read, to be tried again after d.
func (g *gapFiller) failed(now time.Time, d time.Duration) {
	g.state, g.attempts, g.retryAt = gapOwed, g.attempts+1, now.Add(d)
}

// succeeded notes a read whose last item (if any) is at last; lost says
// the socket is gone. It returns whether another read is owed: the socket
// was lost or replaced meanwhile. The transcript is complete up to its last
// item, so the next read starts there (less the overlap).
func (g *gapFiller) succeeded(last time.Time, lost bool) (again bool) {
	again = g.again || lost
	g.attempts, g.again = 0, false
	if !again {
		g.state = gapIdle
		return false
	}
	g.state = gapOwed
	if !last.IsZero() {
		if a := last.Add(-g.overlap); g.mode == gapFull || a.After(g.anchor) {
			g.mode, g.anchor = gapFrom, a
		}
	}
	return true
}

// clear forgets the owed read (the participant left: no read can succeed).
func (g *gapFiller) clear() {
	g.state, g.again, g.retryAt = gapIdle, false, time.Time{}
	g.gen++
}

// deadline returns when tick next has something to do, or zero.
func (g *gapFiller) deadline() time.Time {
	if g.state != gapOwed {
		return time.Time{}
	}
	return g.retryAt
}

// tick reports whether a failed read is due again at now.
func (g *gapFiller) tick(now time.Time) bool {
	if g.state != gapOwed || g.retryAt.IsZero() || now.Before(g.retryAt) {
		return false
	}
	g.retryAt = time.Time{}
	return true
}
