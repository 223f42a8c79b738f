package chat

import "time"

// refreshRetry is how long after a failed token refresh the session tries
// again (sooner if the token expires before).
const refreshRetry = 30 * time.Second

// refresher decides when the ConnectionToken is refreshed: before
// TokenRefreshBefore of its expiry (halfway through what is left when that
// is already past), at once after a 403 that may mean it expired, and again
// after a failure. It does no I/O and reads no clock; the session makes
// the call.
type refresher struct {
	before  time.Duration // Options.TokenRefreshBefore; <0: only on demand
	at      time.Time     // when the next refresh is due; zero: none
	running bool          // a refresh is under way
}

// schedule notes a new token expiring at exp.
func (r *refresher) schedule(exp, now time.Time) {
	r.at = time.Time{}
	if r.before < 0 || exp.IsZero() {
		return
	}
	at := exp.Add(-r.before)
	if left := exp.Sub(now); at.Before(now) && left > 0 {
		at = now.Add(left / 2)
	}
	r.at = at
}

// start reports whether a refresh should start now (none is under way),
// and notes it under way.
func (r *refresher) start() bool {
	if r.running {
		return false
	}
	r.running, r.at = true, time.Time{}
	return true
}

// succeeded notes the new token.
func (r *refresher) succeeded(exp, now time.Time) {
	r.running = false
	r.schedule(exp, now)
}

// failed notes a failed refresh of the token expiring at exp and returns
// how long until the next try: refreshRetry, or half of what is left of
// the token if that is sooner.
func (r *refresher) failed(now, exp time.Time) time.Duration {
	r.running = false
	at := now.Add(refreshRetry)
	if left := exp.Sub(now); left > 0 && now.Add(left/2).Before(at) {
		at = now.Add(left / 2)
	}
	r.at = at
	return at.Sub(now)
}

// abandoned notes a refresh whose result is not wanted (the participant
// left).
func (r *refresher) abandoned() { r.running = false }

// deadline returns when tick next has something to do, or zero.
func (r *refresher) deadline() time.Time {
	if r.running {
		return time.Time{}
	}
	return r.at
}

// tick reports whether a scheduled refresh is due at now; if so it is
// noted under way.
func (r *refresher) tick(now time.Time) bool {
	if r.running || r.at.IsZero() || now.Before(r.at) {
		return false
	}
	return r.start()
}
