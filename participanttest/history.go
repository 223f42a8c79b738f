package participanttest

import (
	"slices"
	"sync"
)

// Defaults of the request history: a long-running `participant local` turns
// it off, tests keep it.
const (
	defaultHistory      = 10000
	defaultHistoryBytes = 16 << 20
)

// history is the server's record of the requests it answered: at most max
// requests and maxBytes bytes (bodies, headers and paths), the oldest dropped
// first. It has its own lock, so recording never waits for the chat state.
type history struct {
	max      int
	maxBytes int64

	mu    sync.Mutex
	reqs  []Request // reqs[head:] are kept, oldest first
	sizes []int64   // the size of each of reqs
	head  int
	bytes int64 // the size of reqs[head:]
}

// on reports whether the history keeps anything.
func (h *history) on() bool { return h.max > 0 && h.maxBytes > 0 }

// size is about how many bytes r holds.
func (r *Request) size() int64 {
	const overhead = 256 // the struct, its strings' headers, the header map
	n := int64(overhead + len(r.Body) + len(r.Path) + len(r.Operation) + len(r.RequestID) + len(r.ErrorCode))
	for k, vs := range r.Header {
		n += int64(len(k))
		for _, v := range vs {
			n += int64(len(v) + 16)
		}
	}
	return n
}

// add keeps r, dropping the oldest requests beyond the bounds. A request
// larger than the whole byte budget is not kept.
func (h *history) add(r Request) {
	n := r.size()
	if !h.on() {
		return
	}
	if n > h.maxBytes {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for len(h.reqs)-h.head >= h.max || h.bytes+n > h.maxBytes {
		h.bytes -= h.sizes[h.head]
		h.reqs[h.head] = Request{} // let its body go
		h.head++
	}
	if h.head > 64 && h.head >= len(h.reqs)/2 {
		// Move the kept half down at once: amortised O(1) per request,
		// where dropping one at a time moved the whole history each time.
		h.reqs = append([]Request(nil), h.reqs[h.head:]...)
		h.sizes = append([]int64(nil), h.sizes[h.head:]...)
		h.head = 0
	}
	h.reqs = append(h.reqs, r)
	h.sizes = append(h.sizes, n)
	h.bytes += n
}

// list returns a copy of the kept requests, oldest first.
func (h *history) list() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.reqs[h.head:])
}
