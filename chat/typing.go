package chat

import (
	"slices"
	"time"

	"github.com/connectchat/participant"
)

// typist is a participant whose typing indicator is on.
type typist struct {
	expires time.Time
	item    participant.Item
}

// typists keeps the typing indicators of the chat's participants, from the
// events the engine releases: a KindTypingStopped is made when a typist's
// indicator times out, or just before that participant's next message or
// attachment. Like the engine it does no I/O and reads no clock.
type typists struct {
	timeout time.Duration // <=0: no KindTypingStopped
	on      map[string]typist
}

// observe returns evs with the KindTypingStopped events their messages
// imply put before them, and notes the typing events among them.
func (ty *typists) observe(evs []Event, now time.Time) []Event {
	if ty.timeout <= 0 {
		return evs
	}
	var out []Event
	for i, ev := range evs {
		stop, ok := ty.see(&ev, now)
		if ok && out == nil {
			out = append(make([]Event, 0, len(evs)+1), evs[:i]...)
		}
		if ok {
			out = append(out, stop)
		}
		if out != nil {
			out = append(out, ev)
		}
	}
	if out == nil {
		return evs
	}
	return out
}

// see notes one event, returning the KindTypingStopped it implies, if any.
func (ty *typists) see(ev *Event, now time.Time) (Event, bool) {
	pid := ev.Item.ParticipantID
	switch {
	case pid == "" || ev.FromPastSession:
	case ev.Kind == KindTyping && !ev.Update:
		if ty.on == nil {
			ty.on = map[string]typist{}
		}
		ty.on[pid] = typist{expires: now.Add(ty.timeout), item: ev.Item}
	case (ev.Kind == KindMessage || ev.Kind == KindAttachment) && !ev.Update:
		return ty.stop(pid, now)
	}
	return Event{}, false
}

func (ty *typists) stop(pid string, now time.Time) (Event, bool) {
	t, ok := ty.on[pid]
	if !ok {
		return Event{}, false
	}
	delete(ty.on, pid)
	return Event{Kind: KindTypingStopped, Item: t.item, ParticipantID: pid, Time: now}, true
}

// tick returns the KindTypingStopped events of the indicators that timed
// out at now, in participant order.
func (ty *typists) tick(now time.Time) []Event {
	var gone []string
	for pid, t := range ty.on {
		if !now.Before(t.expires) {
			gone = append(gone, pid)
		}
	}
	slices.Sort(gone) // a stable order for simultaneous expiries
	var out []Event
	for _, pid := range gone {
		ev, _ := ty.stop(pid, now)
		out = append(out, ev)
	}
	return out
}

// deadline returns when tick next has something to do, or zero.
func (ty *typists) deadline() time.Time {
	var d time.Time
	for _, t := range ty.on {
		if d.IsZero() || t.expires.Before(d) {
			d = t.expires
		}
	}
	return d
}
