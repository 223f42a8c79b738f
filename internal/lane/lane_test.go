package lane

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLaneRunsInOrderAndStops(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var got []int
	l := New(&wg, 1000, func(b []int) {
		mu.Lock()
		got = append(got, b...)
		mu.Unlock()
	})
	for i := range 500 {
		require.NoError(t, l.Push(i))
	}
	wg.Wait()
	want := make([]int, 500)
	for i := range want {
		want[i] = i
	}
	assert.Equal(t, want, got)
	// Idle again: a new push starts a new runner.
	require.NoError(t, l.Push(500))
	wg.Wait()
	assert.Len(t, got, 501)
}

func TestLaneBounded(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	gate := make(chan struct{})
	l := New(&wg, 2, func([]int) { <-gate })
	require.NoError(t, l.Push(1)) // taken by the runner, which blocks
	require.Eventually(t, func() bool { return l.Len() == 0 }, time.Second, time.Millisecond)
	require.NoError(t, l.Push(2))
	require.NoError(t, l.Push(3))
	assert.ErrorIs(t, l.Push(4), ErrFull)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, l.PushWait(ctx, 4), context.DeadlineExceeded)
	done := make(chan error, 1)
	go func() { done <- l.PushWait(context.Background(), 4) }()
	close(gate)
	require.NoError(t, <-done)
	wg.Wait()
	l.Clear()
	assert.Equal(t, 0, l.Len())
}

func TestZeroLimitHoldsOne(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	gate := make(chan struct{})
	l := New(&wg, 0, func([]int) { <-gate })
	require.NoError(t, l.Push(1))
	require.Eventually(t, func() bool { return l.Len() == 0 }, time.Second, time.Millisecond)
	require.NoError(t, l.Push(2))
	assert.ErrorIs(t, l.Push(3), ErrFull)
	close(gate)
	wg.Wait()
}
