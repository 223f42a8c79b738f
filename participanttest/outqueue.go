package participanttest

import "sync"

// A socket's queue of frames is bounded in bytes: maxSocketQueue of frames
// not yet written, the batch being written included. A socket whose queue
// would grow past it belongs to a client that does not read; the server
// closes it with status 1008 (policy violation) instead of holding its
// frames.
const (
	maxSocketQueue = 256 << 10
	// frameOverhead is what a queued frame costs besides its bytes.
	frameOverhead = 64
	// overflowReason is the close reason of a socket whose queue filled.
	overflowReason = "Too many unread frames: the client does not read"
)

// outFrame is one thing a socket's writer does, in order: write a frame,
// close with a code, or drop the connection.
type outFrame struct {
	data   []byte
	close  int
	reason string
	drop   bool
}

func (f outFrame) size() int { return len(f.data) + frameOverhead }

// outQueue is a socket's frames waiting for its writer. It does no I/O: the
// server pushes, the writer takes a batch and reports each frame written.
// Once a push would pass the limit the queue is overflowed: its frames are
// dropped for a close with 1008, and every later push is refused.
type outQueue struct {
	mu         sync.Mutex
	frames     []outFrame
	queued     int // bytes of frames
	writing    int // bytes of the batch the writer holds, not yet written
	limit      int
	overflowed bool
	wake       chan struct{} // signalled after a push, capacity 1
}

func newOutQueue(limit int) *outQueue {
	return &outQueue{limit: limit, wake: make(chan struct{}, 1)}
}

// push queues f. It reports false, and overflows the queue, when f would
// take the queue past its limit; a close or drop always fits.
func (q *outQueue) push(f outFrame) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.overflowed {
		return false
	}
	if f.data != nil && q.queued+q.writing+f.size() > q.limit {
		q.overflowed = true
		q.frames = []outFrame{{close: statusPolicyViolation, reason: overflowReason}}
		q.queued = q.frames[0].size()
		q.signal()
		return false
	}
	q.frames = append(q.frames, f)
	q.queued += f.size()
	q.signal()
	return true
}

func (q *outQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take moves the queued frames to the writer, or returns nil when there
// are none.
func (q *outQueue) take() []outFrame {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := q.frames
	q.frames = nil
	q.writing += q.queued
	q.queued = 0
	return batch
}

// wrote reports one frame of the writer's batch written (or skipped), and
// whether the writer should go on with its batch: not once the queue has
// overflowed, when the close waits in the queue instead.
func (q *outQueue) wrote(f outFrame) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.writing -= f.size()
	return !q.overflowed
}

// isOverflowed reports whether the queue has overflowed.
func (q *outQueue) isOverflowed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.overflowed
}

// statusPolicyViolation is WebSocket close status 1008.
const statusPolicyViolation = 1008
