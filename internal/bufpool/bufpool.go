// Package bufpool is the one pool of byte buffers the packages share: for
// request bodies, responses and WebSocket frames, which are read or
// written and then let go, so that a busy process does not allocate one
// for each.
package bufpool

import (
	"bytes"
	"sync"
)

// MaxKept is the largest capacity a buffer may have to go back into the
// pool: a rare large one is left to the garbage collector rather than
// kept for small uses.
const MaxKept = 1 << 20

var pool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Get returns an empty buffer.
func Get() *bytes.Buffer {
	b := pool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// Put gives b back; nothing may use it, or a slice of its bytes, after.
// A nil b is ignored.
func Put(b *bytes.Buffer) {
	if b != nil && b.Cap() <= MaxKept {
		pool.Put(b)
	}
}
