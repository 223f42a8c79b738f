package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// TestManyChatsEventsTwice: 200 chats started from the API, each contact
// event delivered twice by the emulator's in-process hook: one bot per
// chat, each question answered once.
func TestManyChatsEventsTwice(t *testing.T) {
	t.Parallel()
	const chats = 200
	var (
		r     *bot.Runner
		ready = make(chan struct{})
		mu    sync.Mutex
		errs  []error
	)
	deliver := func(ev participanttest.ContactEvent) {
		<-ready
		for range 2 { // every event twice, as EventBridge may
			switch ev.EventType {
			case bot.EventInitiated:
				if err := r.Start(context.Background(), ev.ContactID); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			case bot.EventDisconnected:
				r.Stop(ev.ContactID)
			}
		}
	}
	srv := participanttest.NewServer(participanttest.WithContactEventFunc(deliver))
	t.Cleanup(srv.Close)
	r, j := newRunner(t, srv, nil, nil)
	close(ready)

	custs := make([]*customer, chats)
	var wg sync.WaitGroup
	for i := range custs {
		wg.Go(func() {
			p, err := srv.StartChat(participanttest.ChatOptions{DisplayName: fmt.Sprint("Customer ", i), InitialMessage: "What are your hours?"})
			if assert.NoError(t, err) {
				custs[i] = connectCustomer(t, srv, p)
			}
		})
	}
	wg.Wait()
	for _, c := range custs {
		require.NotNil(t, c)
		wg.Go(func() {
			ev, err := c.waitFor(t.Context(), botMessage)
			if assert.NoError(t, err) {
				assert.Contains(t, ev.Item.Content, "9:00-17:00")
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	for _, c := range custs {
		assert.Equal(t, 1, countItems(t, srv, c.p.ContactID, isBotJoin), "bots in the chat")
		assert.Equal(t, 1, countItems(t, srv, c.p.ContactID, isBotMessage), "answers")
	}
	st := r.Stats()
	assert.EqualValues(t, chats, st.Joined)
	assert.EqualValues(t, chats, j.calls.Load())
	assert.EqualValues(t, chats, st.Duplicates)
	assert.Equal(t, chats, st.Active)

	// The customers leave: DISCONNECTED (twice) and chat.ended stop every bot.
	for _, c := range custs {
		require.NoError(t, c.sess.Disconnect(t.Context()))
	}
	require.Eventually(t, func() bool { return r.Stats().Active == 0 }, 20*time.Second, 10*time.Millisecond)
	st = r.Stats()
	assert.EqualValues(t, chats, st.Finished)
	assert.Zero(t, st.HandlerErrs+st.Panics+st.LeaveErrs)
	// A late INITIATED for a finished chat starts nothing.
	require.NoError(t, r.Start(t.Context(), custs[0].p.ContactID))
	assert.EqualValues(t, chats, j.calls.Load())
}

// TestPanicEndsOneChat: a handler that panics ends its own chat's bot
// (which leaves); the others go on answering.
func TestPanicEndsOneChat(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	t.Cleanup(srv.Close)
	custs := make([]*customer, 5)
	for i := range custs {
		custs[i] = startCustomer(t, srv)
	}
	r, _ := newRunner(t, srv, panicIn(custs[2].p.ContactID), nil)
	for _, c := range custs {
		require.NoError(t, r.Start(t.Context(), c.p.ContactID))
	}
	_, err := custs[2].waitFor(t.Context(), botLeft)
	require.NoError(t, err)
	for i, c := range custs {
		if i == 2 {
			continue
		}
		_, err := c.sess.SendMessage(t.Context(), &chat.Message{Content: "hours?"})
		require.NoError(t, err)
		ev, err := c.waitFor(t.Context(), botMessage)
		require.NoError(t, err)
		assert.Contains(t, ev.Item.Content, "9:00")
	}
	st := r.Stats()
	assert.EqualValues(t, 1, st.Panics)
	assert.EqualValues(t, 1, st.Left)
	assert.Equal(t, 4, st.Active)
}

// TestHandOver: "agent" makes the bot say goodbye and leave; the chat goes
// on without it.
func TestHandOver(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	t.Cleanup(srv.Close)
	r, _ := newRunner(t, srv, nil, nil)
	c := startCustomer(t, srv)
	require.NoError(t, r.Start(t.Context(), c.p.ContactID))
	_, err := c.sess.SendMessage(t.Context(), &chat.Message{Content: "agent please"})
	require.NoError(t, err)
	ev, err := c.waitFor(t.Context(), botMessage)
	require.NoError(t, err)
	assert.Contains(t, ev.Item.Content, "Goodbye")
	_, err = c.waitFor(t.Context(), botLeft)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return r.Stats().Active == 0 }, 10*time.Second, 10*time.Millisecond)
	st := r.Stats()
	assert.EqualValues(t, 1, st.Left)
	assert.Zero(t, st.HandlerErrs)
}

// TestShutdownLeavesOpenChats: Shutdown with chats open and handlers
// that never return by themselves: at its deadline their ctx ends, each
// chat is left, and no goroutine stays (goleak in TestMain).
func TestShutdownLeavesOpenChats(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	t.Cleanup(srv.Close)
	j := &joiner{srv: srv}
	r, err := bot.New(bot.Options{Client: srv.Client(), Join: j.join, Handle: hoursBot})
	require.NoError(t, err)
	custs := make([]*customer, 10)
	for i := range custs {
		custs[i] = startCustomer(t, srv)
		require.NoError(t, r.Start(t.Context(), custs[i].p.ContactID))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err = r.Shutdown(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	for _, c := range custs {
		_, err := c.waitFor(t.Context(), botLeft)
		require.NoError(t, err)
	}
	st := r.Stats()
	assert.EqualValues(t, len(custs), st.Left)
	assert.Zero(t, st.Active)
	assert.Zero(t, st.Abandoned)
	assert.ErrorIs(t, r.Start(t.Context(), "another"), bot.ErrShutdown)
}

// TestShutdownWaitsForHandlers: handlers that finish before the deadline
// are not cut.
func TestShutdownWaitsForHandlers(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	t.Cleanup(srv.Close)
	release := make(chan struct{})
	j := &joiner{srv: srv}
	r, err := bot.New(bot.Options{Client: srv.Client(), Join: j.join,
		Handle: func(ctx context.Context, c *bot.Chat) error {
			select {
			case <-release:
				return c.Send(ctx, "done")
			case <-ctx.Done():
				return ctx.Err()
			}
		}})
	require.NoError(t, err)
	c := startCustomer(t, srv)
	require.NoError(t, r.Start(t.Context(), c.p.ContactID))
	done := make(chan error, 1)
	go func() { done <- r.Shutdown(context.Background()) }()
	time.Sleep(50 * time.Millisecond)
	close(release)
	require.NoError(t, <-done)
	ev, err := c.waitFor(t.Context(), botMessage)
	require.NoError(t, err)
	assert.Equal(t, "done", ev.Item.Content)
	assert.EqualValues(t, 1, r.Stats().Left)
}

// TestLimitsAndErrors: MaxChats, a failing Join (forgotten, so a retry
// joins), bad contact ids, Stop before Start, and New's checks.
func TestLimitsAndErrors(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer()
	t.Cleanup(srv.Close)
	fail := true
	var mu sync.Mutex
	r, j := newRunner(t, srv, nil, func(o *bot.Options) { o.MaxChats = 1 })
	inner := j.join
	r2, err := bot.New(bot.Options{Client: srv.Client(), Handle: hoursBot, Join: func(ctx context.Context, id string) (participant.Token, error) {
		mu.Lock()
		f := fail
		fail = false
		mu.Unlock()
		if f {
			return "", fmt.Errorf("CreateParticipant: throttled")
		}
		return inner(ctx, id)
	}})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = r2.Shutdown(ctx)
	})

	a, b := startCustomer(t, srv), startCustomer(t, srv)
	require.NoError(t, r.Start(t.Context(), a.p.ContactID))
	require.ErrorIs(t, r.Start(t.Context(), b.p.ContactID), bot.ErrFull)
	assert.EqualValues(t, 1, r.Stats().Rejected)
	require.ErrorIs(t, r.Start(t.Context(), ""), bot.ErrContactID)

	require.ErrorContains(t, r2.Start(t.Context(), b.p.ContactID), "throttled")
	require.NoError(t, r2.Start(t.Context(), b.p.ContactID))
	assert.EqualValues(t, 1, r2.Stats().JoinFailures)
	assert.EqualValues(t, 1, r2.Stats().Joined)

	assert.False(t, r2.Stop("never-started"))
	require.NoError(t, r2.Start(t.Context(), "never-started"))
	assert.EqualValues(t, 1, r2.Stats().Duplicates, "a DISCONNECTED before its INITIATED keeps the bot out")

	// A Join that panics fails that join only.
	r3, err := bot.New(bot.Options{Client: srv.Client(), Handle: hoursBot, Join: func(context.Context, string) (participant.Token, error) {
		panic("broken join")
	}})
	require.NoError(t, err)
	require.ErrorContains(t, r3.Start(t.Context(), "x"), "Join panicked")
	assert.EqualValues(t, 1, r3.Stats().Panics)
	assert.Zero(t, r3.Stats().Active)
	require.NoError(t, r3.Shutdown(t.Context()))

	for _, o := range []bot.Options{{}, {Client: srv.Client()}, {Client: srv.Client(), Join: j.join}, {Client: srv.Client(), Join: j.join, Handle: hoursBot, MaxChats: -1}} {
		_, err := bot.New(o)
		assert.Error(t, err)
	}
}
