package chat

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	t.Parallel()
	q := newReceiptQueue(ReceiptOptions{Interval: 5 * time.Second, DeliveredDelay: 300 * time.Millisecond}, 100)
	now := t0

	// A delivered receipt waits 300 ms; a read within them replaces it and
	// goes at once (the leading edge of the window).
	q.askDelivered("m1", now)
	b, next := q.due(now, false)
	require.Nil(t, b, "due %s next %v", batchString(b), next.Sub(t0))
	require.True(t, next.Equal(now.Add(300*time.Millisecond)), "due %s next %v", batchString(b), next.Sub(t0))
	q.askRead("m1")
	b, _ = q.due(now.Add(100*time.Millisecond), false)
	require.Equal(t, "read:m1 ", batchString(b), "batch")
	// Never again for m1, in either kind.
	q.askRead("m1")
	q.askDelivered("m1", now)
	b, _ = q.due(now.Add(10*time.Second), false)
	require.Nil(t, b, "m1 again: %s", batchString(b))

	// Inside the window: receipts wait for its end; only the newest of
	// each kind goes, the others count as sent.
	now = now.Add(10 * time.Second)
	q.askRead("m2")
	b, _ = q.due(now, false)
	require.Equal(t, "read:m2 ", batchString(b), "leading edge")
	q.askRead("m3")
	q.askRead("m4")
	q.askDelivered("m5", now)
	q.askDelivered("m6", now)
	b, next = q.due(now.Add(time.Second), false)
	require.Nil(t, b, "inside the window: %s, next %v", batchString(b), next.Sub(now))
	require.True(t, next.Equal(now.Add(5*time.Second)), "inside the window: %s, next %v", batchString(b), next.Sub(now))
	b, next = q.due(now.Add(5*time.Second), false)
	require.Equal(t, "read:m4 delivered:m6 ", batchString(b), "trailing batch, next %v", next)
	require.True(t, next.IsZero(), "trailing batch %q next %v", batchString(b), next)
	q.askRead("m3")
	q.askDelivered("m5", now)
	b, _ = q.due(now.Add(time.Hour), false)
	require.Nil(t, b, "implied receipts sent again: %s", batchString(b))

	// After the chat ended, nothing.
	q.askRead("m9")
	q.close()
	q.askRead("m10")
	b, next = q.due(now.Add(2*time.Hour), true)
	require.Nil(t, b, "after close: %s", batchString(b))
	require.True(t, next.IsZero(), "after close: next %v", next)
}

func TestReceiptQueueEvery(t *testing.T) {
	t.Parallel()
	q := newReceiptQueue(ReceiptOptions{Interval: -1, DeliveredDelay: -1, Every: true}, 3)
	for i := range 5 {
		q.askRead(fmt.Sprint("r", i))
		q.askDelivered(fmt.Sprint("d", i), t0)
	}
	q.askDelivered("r1", t0) // a read was asked for: no delivered
	b, _ := q.due(t0, false)
	require.Equal(t, "read:r0 read:r1 read:r2 read:r3 read:r4 delivered:d0 delivered:d1 delivered:d2 delivered:d3 delivered:d4 ", batchString(b), "batch")
	// The sets are bounded: the oldest ids are forgotten.
	assert.Len(t, q.read.m, 3, "remembered reads")
	assert.Len(t, q.delivered.m, 3, "remembered delivered")
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	cfg := (&Options{Seed: 1}).withDefaults()
	s := &Session{cfg: cfg, conn: newConnector(&cfg)}
	for n := 1; n <= 10; n++ {
		d := min(time.Second<<(n-1), 30*time.Second)
		for range 20 {
			got := s.backoff(n)
			require.GreaterOrEqual(t, got, d/2, "backoff(%d) = %v, want in [%v, %v]", n, got, d/2, d)
			require.LessOrEqual(t, got, d, "backoff(%d) = %v, want in [%v, %v]", n, got, d/2, d)
		}
	}
	// Seeded: the same sequence again.
	cfg.Seed = 9
	a, b := &Session{conn: newConnector(&cfg)}, &Session{conn: newConnector(&cfg)}
	for n := 1; n < 8; n++ {
		require.Equal(t, a.backoff(n), b.backoff(n), "seeded backoff(%d) differs", n)
	}
}

// Receipts refused with 403 go out first in the next batch, inside the
// window too, until maxReceiptTries.
func TestReceiptQueueRequeue(t *testing.T) {
	t.Parallel()
	q := newReceiptQueue(ReceiptOptions{Interval: 5 * time.Second}, 100)
	q.askRead("m1")
	b, _ := q.due(t0, false)
	require.Equal(t, "read:m1 ", batchString(b))
	for try := 1; try < maxReceiptTries; try++ {
		require.Empty(t, q.requeue(b), "try %d", try)
		q.askRead("m2")
		b2, _ := q.due(t0.Add(time.Second), false) // inside the window
		require.Equal(t, "read:m1 ", batchString(b2), "try %d", try)
		b = b2
	}
	failed := q.requeue(b)
	require.Len(t, failed, 1)
	assert.Equal(t, maxReceiptTries, failed[0].tries)
	b, _ = q.due(t0.Add(5*time.Second), false)
	assert.Equal(t, "read:m2 ", batchString(b))
}
