package bot_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/examples/bot/hours"
	"github.com/connectchat/participant/participanttest"
)

// Example_queue shows runners in several processes sharing the chats
// without two bots in one chat, and without coordination of their own:
// the contact events go through an SQS FIFO queue, and each process runs
// the consumer loop below.
//
// Set it up so: an EventBridge rule matching source aws.connect,
// detail-type "Amazon Connect Contact Event", detail.channel CHAT and
// detail.eventType INITIATED or DISCONNECTED, targeting a FIFO queue with
// MessageGroupId the contact id ($.detail.contactId) and deduplication
// by the event's id. SQS then drops a second delivery of one event (within
// its 5-minute deduplication window) and hands one contact's messages to
// one consumer at a time, in order. Each process:
//
//   - receives a message, calls Start for INITIATED and Stop for
//     DISCONNECTED;
//   - deletes the message once Start returned nil (the bot has joined);
//     on an error leaves it, to come back after the visibility timeout
//     (ErrFull included: another process may have room);
//   - joins with a deterministic ClientToken (connectjoin), so that a
//     message that comes back after its process died mid-way makes
//     CreateParticipant return the same participant, never a second bot.
//
// Here two runners stand for two processes, and fifoQueue, a few lines
// with SQS FIFO's semantics (message groups, deduplication, delete or
// release), stands in for the queue; with SQS the consumer calls
// ReceiveMessage and DeleteMessage of aws-sdk-go-v2's sqs client instead.
func Example_queue() {
	q := newFIFOQueue()
	srv := participanttest.NewServer(participanttest.WithContactEventFunc(func(ev participanttest.ContactEvent) {
		// EventBridge delivers at least once: every event twice.
		q.send(ev.ContactID, ev.Body)
		q.send(ev.ContactID, ev.Body)
	}))
	defer srv.Close()

	// Two processes, each with a runner and a consumer loop.
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	runners := make([]*bot.Runner, 2)
	for i := range runners {
		r, err := bot.New(bot.Options{
			Client: srv.Client(),
			Join: func(_ context.Context, contactID string) (participant.Token, error) {
				// connectjoin.New(connectClient, instanceID, "Hours Bot") on Amazon Connect.
				p, err := srv.AddParticipant(contactID, participanttest.RoleCustomBot, "Hours Bot")
				return p.ParticipantToken, err
			},
			Handle: hours.Handle,
		})
		if err != nil {
			panic(err)
		}
		runners[i] = r
		wg.Go(func() { consume(ctx, q, r) })
	}

	// Ten customers ask for the hours.
	var answered sync.WaitGroup
	for range 10 {
		cust, err := srv.StartChat(participanttest.ChatOptions{InitialMessage: "What are your hours?"})
		if err != nil {
			panic(err)
		}
		answered.Go(func() {
			s, err := chat.Connect(ctx, srv.Client(), cust.ParticipantToken, nil)
			if err != nil {
				panic(err)
			}
			defer s.Close()
			for {
				ev, err := s.Next(ctx)
				if err != nil {
					panic(err)
				}
				if ev.Kind == chat.KindMessage && ev.Item.ParticipantRole == participant.ParticipantRoleCustomBot {
					_ = s.Disconnect(ctx) // the chat ends: DISCONNECTED
					return
				}
			}
		})
	}
	answered.Wait()

	var joined, active int64
	for _, r := range runners {
		for r.Stats().Active > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		joined += r.Stats().Joined
	}
	stop()
	wg.Wait()
	for _, r := range runners {
		_ = r.Shutdown(context.Background())
		active += int64(r.Stats().Active)
	}
	fmt.Println("bots joined:", joined)
	fmt.Println("duplicate deliveries dropped by the queue:", q.deduplicated())
	fmt.Println("bots still running:", active)
	// Output:
	// bots joined: 10
	// duplicate deliveries dropped by the queue: 20
	// bots still running: 0
}

// consume is one process's consumer loop.
func consume(ctx context.Context, q *fifoQueue, r *bot.Runner) {
	for {
		m, ok := q.receive(ctx)
		if !ok {
			return
		}
		ev, err := bot.ParseContactEvent(m.body)
		if err == nil {
			switch ev.EventType {
			case bot.EventInitiated:
				err = r.Start(ctx, ev.ContactID)
			case bot.EventDisconnected:
				r.Stop(ev.ContactID)
			}
		}
		if err != nil && ctx.Err() == nil {
			q.release(m) // comes back later, to this process or another
			continue
		}
		q.delete(m)
	}
}

// fifoQueue stands in for an SQS FIFO queue: messages of one group go to
// one consumer at a time, in order; a message sent again with the same
// body (deduplication id) is dropped; a received message is deleted or
// released.
type fifoQueue struct {
	mu       sync.Mutex
	msgs     []*queued
	busy     map[string]bool // groups with a message received and not yet deleted
	seen     map[string]bool // deduplication ids
	dropped  int
	arrivals chan struct{}
}

type queued struct {
	group string
	body  []byte
}

func newFIFOQueue() *fifoQueue {
	return &fifoQueue{busy: map[string]bool{}, seen: map[string]bool{}, arrivals: make(chan struct{}, 1)}
}

func (q *fifoQueue) send(group string, body []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.seen[string(body)] {
		q.dropped++
		return
	}
	q.seen[string(body)] = true
	q.msgs = append(q.msgs, &queued{group: group, body: body})
	q.signal()
}

func (q *fifoQueue) signal() {
	select {
	case q.arrivals <- struct{}{}:
	default:
	}
}

// receive returns the first message of a group no consumer holds.
func (q *fifoQueue) receive(ctx context.Context) (*queued, bool) {
	for {
		q.mu.Lock()
		for i, m := range q.msgs {
			if !q.busy[m.group] {
				q.busy[m.group] = true
				q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
				q.mu.Unlock()
				return m, true
			}
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, false
		case <-q.arrivals:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (q *fifoQueue) delete(m *queued) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.busy, m.group)
	q.signal()
}

func (q *fifoQueue) release(m *queued) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.busy, m.group)
	q.msgs = append([]*queued{m}, q.msgs...)
	q.signal()
}

func (q *fifoQueue) deduplicated() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
