package participanttest_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/participanttest"
)

// eventBody is the part of a contact event the tests read.
type eventBody struct {
	Version    string   `json:"version"`
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Time       string   `json:"time"`
	Resources  []string `json:"resources"`
	Detail     struct {
		EventType           string `json:"eventType"`
		ContactID           string `json:"contactId"`
		InitialContactID    string `json:"initialContactId"`
		Channel             string `json:"channel"`
		InstanceARN         string `json:"instanceArn"`
		InitiationMethod    string `json:"initiationMethod"`
		InitiationTimestamp string `json:"initiationTimestamp"`
		DisconnectTimestamp string `json:"disconnectTimestamp"`
	} `json:"detail"`
}

// TestContactEventFunc: INITIATED when a chat starts (from Go and from
// StartChatContact), DISCONNECTED when it ends, in order, shaped as
// EventBridge delivers them.
func TestContactEventFunc(t *testing.T) {
	t.Parallel()
	events := make(chan participanttest.ContactEvent, 16)
	srv := newServer(t, participanttest.WithContactEventFunc(func(ev participanttest.ContactEvent) { events <- ev }))
	next := func() (participanttest.ContactEvent, eventBody) {
		select {
		case ev := <-events:
			var b eventBody
			require.NoError(t, json.Unmarshal(ev.Body, &b))
			return ev, b
		case <-time.After(10 * time.Second):
			require.FailNow(t, "no contact event")
		}
		return participanttest.ContactEvent{}, eventBody{}
	}
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	ev, b := next()
	assert.Equal(t, "INITIATED", ev.EventType)
	assert.Equal(t, cust.ContactID, ev.ContactID)
	assert.Equal(t, "0", b.Version)
	assert.NotEmpty(t, b.ID)
	assert.Equal(t, "Amazon Connect Contact Event", b.DetailType)
	assert.Equal(t, "aws.connect", b.Source)
	assert.Equal(t, "INITIATED", b.Detail.EventType)
	assert.Equal(t, cust.ContactID, b.Detail.ContactID)
	assert.Equal(t, cust.ContactID, b.Detail.InitialContactID)
	assert.Equal(t, "CHAT", b.Detail.Channel)
	assert.Equal(t, "API", b.Detail.InitiationMethod)
	assert.Contains(t, b.Detail.InstanceARN, ":instance/participanttest")
	assert.Contains(t, b.Resources, b.Detail.InstanceARN+"/contact/"+cust.ContactID)
	_, err = time.Parse(time.RFC3339, b.Time)
	assert.NoError(t, err)
	assert.Empty(t, b.Detail.DisconnectTimestamp)

	require.NoError(t, srv.StopContact(cust.ContactID))
	ev, b = next()
	assert.Equal(t, "DISCONNECTED", ev.EventType)
	assert.Equal(t, cust.ContactID, b.Detail.ContactID)
	assert.NotEmpty(t, b.Detail.DisconnectTimestamp)

	r := call(t, srv, http.MethodPut, "/contact/chat", "", map[string]any{
		"InstanceId": "inst", "ContactFlowId": "f", "ParticipantDetails": map[string]string{"DisplayName": "Ann"},
	})
	r.wantOK(t)
	ev, b = next()
	assert.Equal(t, "INITIATED", ev.EventType)
	assert.Contains(t, b.Detail.InstanceARN, ":instance/inst")
}

// TestContactEventsDelivery: the URL gets each event with the secret; a
// 503 is retried; a receiver that never answers holds up neither the
// server's operations nor Close.
func TestContactEventsDelivery(t *testing.T) {
	t.Parallel()
	var (
		mu       sync.Mutex
		got      []eventBody
		secrets  []string
		attempts atomic.Int64
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var b eventBody
		_ = json.Unmarshal(body, &b)
		mu.Lock()
		got = append(got, b)
		secrets = append(secrets, r.Header.Get(participanttest.ContactEventSecretHeader))
		mu.Unlock()
	}))
	t.Cleanup(recv.Close)
	srv := newServer(t, participanttest.WithContactEvents(recv.URL, "s3cret"))
	cust, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1
	}, 10*time.Second, 10*time.Millisecond)
	assert.EqualValues(t, 3, attempts.Load(), "two 503s, then delivered")
	assert.Equal(t, cust.ContactID, got[0].Detail.ContactID)
	assert.Equal(t, []string{"s3cret"}, secrets)

	// A receiver that never answers.
	stuck := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stuck:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(stuck) })
	srv2 := participanttest.NewServer(participanttest.WithContactEvents(slow.URL, ""))
	start := time.Now()
	for range 50 {
		_, err := srv2.StartChat(participanttest.ChatOptions{})
		require.NoError(t, err)
	}
	assert.Less(t, time.Since(start), 5*time.Second, "starting chats does not wait for the receiver")
	start = time.Now()
	srv2.Close()
	assert.Less(t, time.Since(start), 3*time.Second, "Close cancels the delivery in flight")
}

// TestContactEventsQueueFull: a receiver that stops taking events never
// stalls the server: past the bounded queues, events are dropped with a
// warning.
func TestContactEventsQueueFull(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var logs lockedLog
	srv := participanttest.NewServer(
		participanttest.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))),
		participanttest.WithContactEventFunc(func(participanttest.ContactEvent) { <-release }))
	start := time.Now()
	for range 5000 {
		_, err := srv.StartChat(participanttest.ChatOptions{})
		require.NoError(t, err)
	}
	assert.Less(t, time.Since(start), 20*time.Second)
	close(release)
	srv.Close()
	assert.Contains(t, logs.String(), "contact event dropped: the delivery queue is full")
}

// lockedLog is a log destination safe for concurrent writes.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
