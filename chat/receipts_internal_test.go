package chat

import (
	"fmt"
	"testing"
	"time"
)

func batchString(b []receipt) string {
	s := ""
	for _, r := range b {
		if r.read {
			s += "read:" + r.messageID + " "
		} else {
			s += "delivered:" + r.messageID + " "
		}
	}
	return s
}

func TestReceiptQueue(t *testing.T) {
	q := newReceiptQueue(ReceiptOptions{Interval: 5 * time.Second, DeliveredDelay: 300 * time.Millisecond}, 100)
	now := t0

	// A delivered receipt waits 300 ms; a read within them replaces it and
	// goes at once (the leading edge of the window).
	q.askDelivered("m1", now)
	if b, next := q.due(now, false); b != nil || !next.Equal(now.Add(300*time.Millisecond)) {
		t.Fatalf("due %s next %v", batchString(b), next.Sub(t0))
	}
	q.askRead("m1")
	b, _ := q.due(now.Add(100*time.Millisecond), false)
	if got := batchString(b); got != "read:m1 " {
		t.Fatalf("batch %q", got)
	}
	// Never again for m1, in either kind.
	q.askRead("m1")
	q.askDelivered("m1", now)
	if b, _ := q.due(now.Add(10*time.Second), false); b != nil {
		t.Fatalf("m1 again: %s", batchString(b))
	}

	// Inside the window: receipts wait for its end; only the newest of
	// each kind goes, the others count as sent.
	now = now.Add(10 * time.Second)
	q.askRead("m2")
	if b, _ := q.due(now, false); batchString(b) != "read:m2 " {
		t.Fatalf("leading edge: %s", batchString(b))
	}
	q.askRead("m3")
	q.askRead("m4")
	q.askDelivered("m5", now)
	q.askDelivered("m6", now)
	b, next := q.due(now.Add(time.Second), false)
	if b != nil || !next.Equal(now.Add(5*time.Second)) {
		t.Fatalf("inside the window: %s, next %v", batchString(b), next.Sub(now))
	}
	b, next = q.due(now.Add(5*time.Second), false)
	if got := batchString(b); got != "read:m4 delivered:m6 " || !next.IsZero() {
		t.Fatalf("trailing batch %q next %v", got, next)
	}
	q.askRead("m3")
	q.askDelivered("m5", now)
	if b, _ := q.due(now.Add(time.Hour), false); b != nil {
		t.Fatalf("implied receipts sent again: %s", batchString(b))
	}

	// After the chat ended, nothing.
	q.askRead("m9")
	q.close()
	q.askRead("m10")
	if b, next := q.due(now.Add(2*time.Hour), true); b != nil || !next.IsZero() {
		t.Fatalf("after close: %s", batchString(b))
	}
}

func TestReceiptQueueEvery(t *testing.T) {
	q := newReceiptQueue(ReceiptOptions{Interval: -1, DeliveredDelay: -1, Every: true}, 3)
	for i := range 5 {
		q.askRead(fmt.Sprint("r", i))
		q.askDelivered(fmt.Sprint("d", i), t0)
	}
	q.askDelivered("r1", t0) // a read was asked for: no delivered
	b, _ := q.due(t0, false)
	if got := batchString(b); got != "read:r0 read:r1 read:r2 read:r3 read:r4 delivered:d0 delivered:d1 delivered:d2 delivered:d3 delivered:d4 " {
		t.Fatalf("batch %q", got)
	}
	// The sets are bounded: the oldest ids are forgotten.
	if len(q.read.m) != 3 || len(q.delivered.m) != 3 {
		t.Errorf("remembers %d reads and %d delivered, want 3", len(q.read.m), len(q.delivered.m))
	}
}

func TestBackoff(t *testing.T) {
	cfg := (&Options{Seed: 1}).withDefaults()
	s := &Session{cfg: cfg}
	s.rnd = newRand(cfg.Seed)
	for n := 1; n <= 10; n++ {
		d := min(time.Second<<(n-1), 30*time.Second)
		for range 20 {
			got := s.backoff(n)
			if got < d/2 || got > d {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", n, got, d/2, d)
			}
		}
	}
	// Seeded: the same sequence again.
	a, b := &Session{cfg: cfg, rnd: newRand(9)}, &Session{cfg: cfg, rnd: newRand(9)}
	for n := 1; n < 8; n++ {
		if x, y := a.backoff(n), b.backoff(n); x != y {
			t.Fatalf("seeded backoff differs: %v %v", x, y)
		}
	}
}
