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

// writerState is where a socket's writer is: its goroutine runs only while
// there are frames to write, so that an idle socket costs none.
type writerState uint8

const (
	writerIdle    writerState = iota // no writer runs; a push starts one
	writerRunning                    // a writer runs, and takes what is pushed
	writerStopped                    // the socket is done: no writer runs, none starts
)

// outQueue is a socket's frames waiting for its writer. It does no I/O and
// starts nothing: the server pushes, and starts a writer when push says
// so; the writer takes batches, reports each frame written, and ends when
// take finds none. Once a push would pass the limit the queue is
// overflowed: its frames are dropped for a close with 1008, and every
// later push is refused.
type outQueue struct {
	mu         sync.Mutex
	frames     []outFrame
	queued     int // bytes of frames
	writing    int // bytes of the batch the writer holds, not yet written
	limit      int
	overflowed bool
	writer     writerState
	stopping   bool          // stop was called while a writer ran
	stopped    chan struct{} // closed once the writer is writerStopped
}

func newOutQueue(limit int) *outQueue {
	return &outQueue{limit: limit, stopped: make(chan struct{})}
}

// push queues f. It reports ok false, and overflows the queue, when f
// would take the queue past its limit; a close or drop always fits. start
// tells the caller to start a writer: there are frames and none runs.
func (q *outQueue) push(f outFrame) (ok, start bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.overflowed {
		return false, false
	}
	ok = true
	if f.data != nil && q.queued+q.writing+f.size() > q.limit {
		q.overflowed, ok = true, false
		q.frames = []outFrame{{close: statusPolicyViolation, reason: overflowReason}}
		q.queued = q.frames[0].size()
	} else {
		q.frames = append(q.frames, f)
		q.queued += f.size()
	}
	if q.writer == writerIdle {
		q.writer = writerRunning
		start = true
	}
	return ok, start
}

// take moves the queued frames to the writer. When there are none it
// returns nil, and the writer must end: the queue is idle again (a later
// push starts another), or stopped.
func (q *outQueue) take() []outFrame {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.frames) == 0 || q.stopping {
		if q.stopping {
			q.toStopped()
		} else if q.writer == writerRunning {
			q.writer = writerIdle
		}
		return nil
	}
	batch := q.frames
	q.frames = nil
	q.writing += q.queued
	q.queued = 0
	return batch
}

// halt reports that the writer ended for good (the socket is closed or
// cut): no writer starts again.
func (q *outQueue) halt() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.toStopped()
}

// stop ends the queue's writing: no writer starts after it, and stopped is
// closed once a running writer has ended (at its next take, or halt).
func (q *outQueue) stop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.writer == writerRunning {
		q.stopping = true
		return
	}
	q.toStopped()
}

// toStopped moves the queue to writerStopped, once. q.mu is held.
func (q *outQueue) toStopped() {
	if q.writer != writerStopped {
		q.writer = writerStopped
		close(q.stopped)
	}
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
