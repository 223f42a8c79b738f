package chat

import (
	"time"

	"github.com/connectchat/participant"
)

// receipt is one read or delivered receipt to send.
type receipt struct {
	read      bool
	messageID string
	tries     int // sends refused with 403 so far
}

// maxReceiptTries bounds how often a receipt refused with 403 (an expired
// ConnectionToken) is sent again after a token refresh.
const maxReceiptTries = 3

func (r receipt) contentType() participant.ContentType {
	if r.read {
		return participant.ContentTypeMessageRead
	}
	return participant.ContentTypeMessageDelivered
}

// idSet is a set of ids that forgets the oldest beyond its limit.
type idSet struct {
	m     map[string]struct{}
	order []string
	limit int
}

func (s *idSet) has(id string) bool {
	_, ok := s.m[id]
	return ok
}

func (s *idSet) add(id string) {
	if s.has(id) {
		return
	}
	if s.m == nil {
		s.m = map[string]struct{}{}
	}
	s.m[id] = struct{}{}
	s.order = append(s.order, id)
	if len(s.order) > s.limit {
		delete(s.m, s.order[0])
		s.order = s.order[1:]
	}
}

// waitingDelivered is a delivered receipt held for DeliveredDelay.
type waitingDelivered struct {
	id      string
	readyAt time.Time
}

// receiptQueue decides which receipts go out and when; the session sends
// them. It is guarded by the session's lmu.
type receiptQueue struct {
	cfg       ReceiptOptions
	read      idSet // sent, or implied by a newer read that was sent
	delivered idSet
	reads     []string // asked for, oldest first
	dels      []waitingDelivered
	last      time.Time // when the last batch went out
	closed    bool      // the chat ended: nothing more goes out
	again     []receipt // refused with 403, to send again first

	// The session's sending state.
	at      time.Time // when due next has something to send
	busy    bool      // a batch is being sent
	refused []receipt // got 403 (an expired ConnectionToken?): requeued after the refresh
}

// requeue puts back receipts refused with 403 after the ConnectionToken was
// refreshed: they go out first in the next batch. Those already tried
// maxReceiptTries times are returned instead, as failed.
func (q *receiptQueue) requeue(rs []receipt) (failed []receipt) {
	for _, r := range rs {
		r.tries++
		if r.tries >= maxReceiptTries || q.closed {
			failed = append(failed, r)
			continue
		}
		q.again = append(q.again, r)
	}
	return failed
}

func newReceiptQueue(cfg ReceiptOptions, limit int) receiptQueue {
	return receiptQueue{cfg: cfg, read: idSet{limit: limit}, delivered: idSet{limit: limit}}
}

func (q *receiptQueue) askRead(id string) {
	if q.closed || q.read.has(id) {
		return
	}
	for _, r := range q.reads {
		if r == id {
			return
		}
	}
	q.reads = append(q.reads, id)
}

func (q *receiptQueue) askDelivered(id string, now time.Time) {
	if q.closed || q.read.has(id) || q.delivered.has(id) {
		return
	}
	for _, r := range q.reads {
		if r == id {
			return
		}
	}
	for _, d := range q.dels {
		if d.id == id {
			return
		}
	}
	delay := max(q.cfg.DeliveredDelay, 0)
	q.dels = append(q.dels, waitingDelivered{id: id, readyAt: now.Add(delay)})
}

// close drops everything pending and refuses what comes later.
func (q *receiptQueue) close() {
	q.closed = true
	q.reads, q.dels, q.again = nil, nil, nil
}

// due returns the receipts to send at now (nil if none) and when to ask
// again (zero if nothing is pending). force sends what is ready without
// waiting for the window. Receipts requeued go first, at once.
func (q *receiptQueue) due(now time.Time, force bool) (batch []receipt, next time.Time) {
	if q.closed {
		return nil, time.Time{}
	}
	again := q.again
	q.again = nil
	batch, next = q.dueNew(now, force)
	return append(again, batch...), next
}

// dueNew is due for the receipts asked for, not requeued.
func (q *receiptQueue) dueNew(now time.Time, force bool) (batch []receipt, next time.Time) {
	// A read replaces a delivered of the same message.
	var ready []string
	var waiting []waitingDelivered
	for _, d := range q.dels {
		switch {
		case q.read.has(d.id) || contains(q.reads, d.id):
		case force || !now.Before(d.readyAt):
			ready = append(ready, d.id)
		default:
			waiting = append(waiting, d)
		}
	}
	if len(q.reads) == 0 && len(ready) == 0 {
		q.dels = waiting
		return nil, earliest(waiting)
	}
	if !force && q.cfg.Interval > 0 && !q.last.IsZero() && now.Before(q.last.Add(q.cfg.Interval)) {
		// Inside the window: wait for its end.
		return nil, q.last.Add(q.cfg.Interval)
	}
	q.dels = waiting
	q.last = now
	batch = q.take(true, q.reads, &q.read)
	batch = append(batch, q.take(false, ready, &q.delivered)...)
	q.reads = q.reads[:0]
	next = earliest(waiting)
	if !next.IsZero() && q.cfg.Interval > 0 && next.Before(q.last.Add(q.cfg.Interval)) {
		next = q.last.Add(q.cfg.Interval)
	}
	return batch, next
}

// take marks ids (of one kind) as sent and returns their receipts: each
// with Every, else only the newest (which implies the others).
func (q *receiptQueue) take(read bool, ids []string, sent *idSet) []receipt {
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		sent.add(id)
	}
	if !q.cfg.Every {
		ids = ids[len(ids)-1:]
	}
	out := make([]receipt, len(ids))
	for i, id := range ids {
		out[i] = receipt{read: read, messageID: id}
	}
	return out
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func earliest(ws []waitingDelivered) time.Time {
	var t time.Time
	for _, w := range ws {
		if t.IsZero() || w.readyAt.Before(t) {
			t = w.readyAt
		}
	}
	return t
}
