// Package lane runs queued work in order in a goroutine that starts when
// work is queued and exits when the queue is empty, so that an idle owner
// costs no goroutine. The queue is bounded.
//
// It replaces the three copies chat had of the same loop: the frame
// processor (feed), the service-call worker (do) and each socket's writer
// (write).
package lane

import (
	"context"
	"errors"
	"sync"
)

// ErrFull is returned by Push when the lane holds its limit of items.
var ErrFull = errors.New("lane: queue full")

// Lane is a bounded FIFO with a runner goroutine started on demand. Run
// receives every item queued since its last call, oldest first, and is
// never called by two goroutines at once. Make one with New, or Init a
// zero Lane in place (to embed it without an allocation of its own). A
// Lane must not be copied after Init.
type Lane[T any] struct {
	wg    *sync.WaitGroup
	run   func(batch []T)
	limit int

	mu      sync.Mutex
	items   []T
	running bool
	room    chan struct{} // signalled when a batch is taken; made by the first PushWait
}

// New returns a lane whose runner calls run, holds at most limit items
// (at least 1), and is counted in wg while it runs.
func New[T any](wg *sync.WaitGroup, limit int, run func(batch []T)) *Lane[T] {
	l := &Lane[T]{}
	l.Init(wg, limit, run)
	return l
}

// Init sets up a zero Lane as New does, in place.
func (l *Lane[T]) Init(wg *sync.WaitGroup, limit int, run func(batch []T)) {
	l.wg, l.run, l.limit = wg, run, max(limit, 1)
}

// Push queues x, starting the runner if it is idle. It returns ErrFull,
// and queues nothing, when the lane holds its limit.
func (l *Lane[T]) Push(x T) error {
	l.mu.Lock()
	if len(l.items) >= l.limit {
		l.mu.Unlock()
		return ErrFull
	}
	l.items = append(l.items, x)
	start := !l.running
	l.running = true
	l.mu.Unlock()
	if start {
		l.wg.Add(1)
		go l.loop()
	}
	return nil
}

// PushWait queues x, waiting while the lane is full until ctx ends.
func (l *Lane[T]) PushWait(ctx context.Context, x T) error {
	for {
		err := l.Push(x)
		if !errors.Is(err, ErrFull) {
			return err
		}
		l.mu.Lock()
		if len(l.items) < l.limit {
			l.mu.Unlock()
			continue // the runner took a batch meanwhile
		}
		if l.room == nil {
			l.room = make(chan struct{}, 1)
		}
		room := l.room
		l.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Len returns how many items wait (not counting a batch being run).
func (l *Lane[T]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.items)
}

// Clear drops the items that wait.
func (l *Lane[T]) Clear() {
	l.mu.Lock()
	clear(l.items)
	l.items = l.items[:0]
	l.mu.Unlock()
}

func (l *Lane[T]) loop() {
	defer l.wg.Done()
	for {
		l.mu.Lock()
		batch := l.items
		l.items = nil
		if len(batch) == 0 {
			l.running = false
			l.mu.Unlock()
			return
		}
		room := l.room
		l.mu.Unlock()
		if room != nil {
			select {
			case room <- struct{}{}:
			default:
			}
		}
		l.run(batch)
	}
}
