package participanttest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutQueue: the queue holds frames up to its limit in bytes, counting
// the batch the writer holds until each frame is written; a frame past the
// limit replaces everything with a close 1008 and the queue refuses more;
// a close or drop always fits. A writer is started only when none runs,
// ends when the queue is empty, and none starts once the queue stopped.
func TestOutQueue(t *testing.T) {
	t.Parallel()
	frame := func(n int) outFrame { return outFrame{data: make([]byte, n)} }
	push := func(q *outQueue, f outFrame) bool {
		ok, _ := q.push(f)
		return ok
	}
	tests := []struct {
		name string
		run  func(t *testing.T, q *outQueue)
	}{
		{"fills to its limit", func(t *testing.T, q *outQueue) {
			for range 4 {
				require.True(t, push(q, frame(100-frameOverhead)))
			}
			assert.False(t, push(q, frame(1)))
			assert.True(t, q.isOverflowed())
			assert.Equal(t, []outFrame{{close: statusPolicyViolation, reason: overflowReason}}, q.take())
			assert.False(t, push(q, frame(1)), "an overflowed queue refuses frames")
			assert.False(t, push(q, outFrame{drop: true}), "and closes")
		}},
		{"the writer's batch counts until written", func(t *testing.T, q *outQueue) {
			require.True(t, push(q, frame(200-frameOverhead)))
			require.True(t, push(q, frame(200-frameOverhead)))
			batch := q.take()
			require.Len(t, batch, 2)
			assert.Nil(t, q.take())
			assert.False(t, q.isOverflowed())
			// 400 held by the writer: 1 more byte than the limit allows.
			require.False(t, push(newOutQueue(400), frame(401-frameOverhead)))
			assert.True(t, q.wrote(batch[0]))
			assert.True(t, push(q, frame(200-frameOverhead)), "a written frame frees its place")
			assert.False(t, push(q, frame(1)))
			assert.False(t, q.wrote(batch[1]), "the writer stops its batch once overflowed")
		}},
		{"close and drop always fit", func(t *testing.T, q *outQueue) {
			for range 4 {
				require.True(t, push(q, frame(100-frameOverhead)))
			}
			require.True(t, push(q, outFrame{close: 1001, reason: "Going away"}))
			assert.False(t, q.isOverflowed())
			assert.Len(t, q.take(), 5)
		}},
		{"a writer starts when none runs", func(t *testing.T, q *outQueue) {
			_, start := q.push(frame(1))
			assert.True(t, start, "the first push starts the writer")
			_, start = q.push(frame(1))
			assert.False(t, start, "a second does not: the writer runs")
			assert.Len(t, q.take(), 2)
			assert.Nil(t, q.take(), "empty: the writer ends")
			_, start = q.push(frame(1))
			assert.True(t, start, "the next push starts another")
		}},
		{"an overflow starts the writer for its close", func(t *testing.T, q *outQueue) {
			ok, start := q.push(frame(401 - frameOverhead))
			assert.False(t, ok)
			assert.True(t, start)
		}},
		{"stop when idle", func(t *testing.T, q *outQueue) {
			q.stop()
			assert.True(t, isClosed(q.stopped))
			_, start := q.push(frame(1))
			assert.False(t, start, "no writer starts once stopped")
			q.stop() // again: nothing
		}},
		{"stop while a writer runs", func(t *testing.T, q *outQueue) {
			_, start := q.push(frame(1))
			require.True(t, start)
			q.stop()
			assert.False(t, isClosed(q.stopped), "the writer still runs")
			_, start = q.push(frame(1))
			assert.False(t, start)
			assert.Nil(t, q.take(), "the writer ends at its next take")
			assert.True(t, isClosed(q.stopped))
		}},
		{"a halted writer stops the queue", func(t *testing.T, q *outQueue) {
			_, start := q.push(outFrame{close: 1000})
			require.True(t, start)
			require.Len(t, q.take(), 1)
			q.halt()
			assert.True(t, isClosed(q.stopped))
			_, start = q.push(frame(1))
			assert.False(t, start)
			q.stop()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newOutQueue(400))
		})
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
