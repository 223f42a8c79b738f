package participanttest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutQueue: the queue holds frames up to its limit in bytes, counting
// the batch the writer holds until each frame is written; a frame past the
// limit replaces everything with a close 1008 and the queue refuses more;
// a close or drop always fits.
func TestOutQueue(t *testing.T) {
	t.Parallel()
	frame := func(n int) outFrame { return outFrame{data: make([]byte, n)} }
	tests := []struct {
		name string
		run  func(t *testing.T, q *outQueue)
	}{
		{"fills to its limit", func(t *testing.T, q *outQueue) {
			for range 4 {
				require.True(t, q.push(frame(100-frameOverhead)))
			}
			assert.False(t, q.push(frame(1)))
			assert.True(t, q.isOverflowed())
			assert.Equal(t, []outFrame{{close: statusPolicyViolation, reason: overflowReason}}, q.take())
			assert.False(t, q.push(frame(1)), "an overflowed queue refuses frames")
			assert.False(t, q.push(outFrame{drop: true}), "and closes")
		}},
		{"the writer's batch counts until written", func(t *testing.T, q *outQueue) {
			require.True(t, q.push(frame(200-frameOverhead)))
			require.True(t, q.push(frame(200-frameOverhead)))
			batch := q.take()
			require.Len(t, batch, 2)
			assert.Nil(t, q.take())
			assert.False(t, q.isOverflowed())
			// 400 held by the writer: 1 more byte than the limit allows.
			require.False(t, newOutQueue(400).push(frame(401-frameOverhead)))
			assert.True(t, q.wrote(batch[0]))
			assert.True(t, q.push(frame(200-frameOverhead)), "a written frame frees its place")
			assert.False(t, q.push(frame(1)))
			assert.False(t, q.wrote(batch[1]), "the writer stops its batch once overflowed")
		}},
		{"close and drop always fit", func(t *testing.T, q *outQueue) {
			for range 4 {
				require.True(t, q.push(frame(100-frameOverhead)))
			}
			require.True(t, q.push(outFrame{close: 1001, reason: "Going away"}))
			assert.False(t, q.isOverflowed())
			assert.Len(t, q.take(), 5)
		}},
		{"a push wakes the writer once", func(t *testing.T, q *outQueue) {
			require.True(t, q.push(frame(1)))
			require.True(t, q.push(frame(1)))
			assert.Len(t, q.wake, 1)
			<-q.wake
			assert.Len(t, q.take(), 2)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newOutQueue(400))
		})
	}
}
