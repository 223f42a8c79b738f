package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/participanttest"
)

// event returns an EventBridge contact event body.
func event(eventType, channel, contactID string) string {
	b, _ := json.Marshal(map[string]any{
		"version": "0", "id": "5a1d0b6e-0000-4000-8000-000000000001",
		"detail-type": "Amazon Connect Contact Event", "source": "aws.connect",
		"account": "111122223333", "time": "2026-12-07T01:02:03Z", "region": "us-east-1",
		"resources": []string{"arn:aws:connect:us-east-1:111122223333:instance/i/contact/" + contactID},
		"detail": map[string]any{
			"eventType": eventType, "contactId": contactID, "initialContactId": contactID,
			"channel": channel, "instanceArn": "arn:aws:connect:us-east-1:111122223333:instance/i",
			"initiationMethod": "API", "initiationTimestamp": "2026-12-07T01:02:03.000Z",
		},
	})
	return string(b)
}

// TestContactEventsIntake: the HTTP intake's answers, and what it starts.
func TestContactEventsIntake(t *testing.T) {
	t.Parallel()
	var (
		joins   = map[string]int{}
		joinErr = map[string]bool{"join-fails": true}
	)
	joinCh := make(chan string, 16)
	r, err := bot.New(bot.Options{
		Client: participant.New(participant.Options{BaseEndpoint: "http://127.0.0.1:1"}),
		Join: func(ctx context.Context, id string) (participant.Token, error) {
			joinCh <- id
			if joinErr[id] {
				return "", io.ErrUnexpectedEOF
			}
			return "", nil // an empty token fails the join before any I/O
		},
		Handle: hoursBot,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Shutdown(context.Background()) })
	h, err := r.ContactEvents(bot.IntakeOptions{Header: "X-Api-Key", Secret: "s3cret"})
	require.NoError(t, err)

	big := `{"detail-type":"` + strings.Repeat("x", bot.MaxEventBytes) + `"}`
	tests := []struct {
		name     string
		method   string
		secret   string
		body     string
		status   int
		message  string
		wantJoin string
	}{
		{name: "no secret", secret: "-", body: event("INITIATED", "CHAT", "c1"), status: 401},
		{name: "wrong secret", secret: "s3creT", body: event("INITIATED", "CHAT", "c1"), status: 401},
		{name: "longer secret", secret: "s3cret0", body: event("INITIATED", "CHAT", "c1"), status: 401},
		{name: "GET", method: http.MethodGet, status: 405},
		{name: "not JSON", body: "hello", status: 400, message: "not an EventBridge event"},
		{name: "empty", body: "", status: 400, message: "not an EventBridge event"},
		{name: "array", body: "[]", status: 400, message: "not an EventBridge event"},
		{name: "two values", body: event("INITIATED", "CHAT", "c1") + "{}", status: 400, message: "more than one JSON value"},
		{name: "no detail-type", body: `{"detail":{}}`, status: 400, message: `no "detail-type"`},
		{name: "detail-type a number", body: `{"detail-type":5}`, status: 400, message: "not an EventBridge event"},
		{name: "no detail", body: `{"detail-type":"Amazon Connect Contact Event"}`, status: 400, message: `no "detail" object`},
		{name: "detail a string", body: `{"detail-type":"Amazon Connect Contact Event","detail":"x"}`, status: 400, message: `no "detail" object`},
		{name: "contactId a number", body: `{"detail-type":"Amazon Connect Contact Event","detail":{"eventType":"INITIATED","contactId":7}}`, status: 400, message: "malformed"},
		{name: "no eventType", body: `{"detail-type":"Amazon Connect Contact Event","detail":{"contactId":"c"}}`, status: 400, message: "eventType"},
		{name: "no contactId", body: event("INITIATED", "CHAT", ""), status: 400, message: "contactId"},
		{name: "contactId too long", body: event("INITIATED", "CHAT", strings.Repeat("c", 257)), status: 400, message: "contactId"},
		{name: "1 MiB", body: big, status: 413},
		{name: "other detail-type", body: `{"detail-type":"Contact Lens Analysis State Change","detail":{}}`, status: 200, message: "ignored"},
		{name: "voice", body: event("INITIATED", "VOICE", "v1"), status: 200, message: "not a chat"},
		{name: "queued", body: event("QUEUED", "CHAT", "c1"), status: 200, message: "event type QUEUED"},
		{name: "unknown type", body: event("SOMETHING_NEW", "CHAT", "c1"), status: 200, message: "ignored"},
		{name: "disconnected", body: event("DISCONNECTED", "CHAT", "gone"), status: 200, message: "stopped"},
		{name: "initiated after disconnected", body: event("INITIATED", "CHAT", "gone"), status: 200},
		{name: "join fails", body: event("INITIATED", "Chat", "join-fails"), status: 502, wantJoin: "join-fails"},
		{name: "connected to system", body: event("CONNECTED_TO_SYSTEM", "CHAT", "c2"), status: 502, wantJoin: "c2"},
	}
	for _, tc := range tests {
		// Not parallel: the joins are checked in order.
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req := httptest.NewRequestWithContext(t.Context(), method, "/events", strings.NewReader(tc.body))
			switch tc.secret {
			case "":
				req.Header.Set("X-Api-Key", "s3cret")
			case "-":
			default:
				req.Header.Set("X-Api-Key", tc.secret)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			assert.Equal(t, tc.status, w.Code, w.Body.String())
			var out struct{ Message string }
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
			assert.Contains(t, out.Message, tc.message)
			select {
			case id := <-joinCh:
				joins[id]++
				assert.Equal(t, tc.wantJoin, id)
			default:
				assert.Empty(t, tc.wantJoin, "no join")
			}
		})
	}
	assert.Len(t, joins, 2)
	_, err = r.ContactEvents(bot.IntakeOptions{})
	assert.Error(t, err, "no secret")
}

// TestIntakeFromEmulator: participanttest.WithContactEvents POSTs the
// events to the intake over HTTP, with the secret; the bot answers.
func TestIntakeFromEmulator(t *testing.T) {
	t.Parallel()
	var r *bot.Runner
	mux := http.NewServeMux()
	intake := httptest.NewServer(mux)
	t.Cleanup(intake.Close)
	srv := participanttest.NewServer(participanttest.WithContactEvents(intake.URL+"/events", "local-secret"))
	t.Cleanup(srv.Close)
	r, _ = newRunner(t, srv, nil, nil)
	h, err := r.ContactEvents(bot.IntakeOptions{Secret: "local-secret"})
	require.NoError(t, err)
	mux.Handle("POST /events", h)

	p, err := srv.StartChat(participanttest.ChatOptions{InitialMessage: "Your hours?"})
	require.NoError(t, err)
	c := connectCustomer(t, srv, p)
	ev, err := c.waitFor(t.Context(), botMessage)
	require.NoError(t, err)
	assert.Contains(t, ev.Item.Content, "9:00")
	require.NoError(t, c.sess.Disconnect(t.Context()))
	require.Eventually(t, func() bool { return r.Stats().Active == 0 }, 10*time.Second, 10*time.Millisecond)
	assert.EqualValues(t, 1, r.Stats().Joined)
}

// TestIntakeFullAndShutdown: past MaxChats the intake answers 429 with
// Retry-After (EventBridge retries), after Shutdown 503.
func TestIntakeFullAndShutdown(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	r, err := bot.New(bot.Options{
		Client:   participant.New(participant.Options{BaseEndpoint: "http://127.0.0.1:1"}),
		MaxChats: 1,
		Join: func(ctx context.Context, id string) (participant.Token, error) {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return "", io.ErrUnexpectedEOF
		},
		Handle: hoursBot,
	})
	require.NoError(t, err)
	h, err := r.ContactEvents(bot.IntakeOptions{Unauthenticated: true})
	require.NoError(t, err)
	post := func(contactID string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", strings.NewReader(event("INITIATED", "CHAT", contactID))))
		return w
	}
	first := make(chan int, 1)
	go func() { first <- post("a").Code }()
	require.Eventually(t, func() bool { return r.Stats().Active == 1 }, 5*time.Second, time.Millisecond)
	w := post("b")
	assert.Equal(t, http.StatusTooManyRequests, w.Code)
	assert.Equal(t, "5", w.Header().Get("Retry-After"))
	close(release)
	assert.Equal(t, http.StatusBadGateway, <-first)
	require.NoError(t, r.Shutdown(t.Context()))
	assert.Equal(t, http.StatusServiceUnavailable, post("c").Code)
	assert.EqualValues(t, 1, r.Stats().Rejected)
}

// TestNamesAgree: the intake and the local service speak the same names.
func TestNamesAgree(t *testing.T) {
	t.Parallel()
	assert.Equal(t, participanttest.ContactEventSecretHeader, bot.DefaultSecretHeader)
	types := make(chan string, 2)
	srv := participanttest.NewServer(participanttest.WithContactEventFunc(func(ev participanttest.ContactEvent) {
		got, err := bot.ParseContactEvent(ev.Body)
		assert.NoError(t, err)
		assert.Equal(t, ev.ContactID, got.ContactID)
		assert.Equal(t, bot.ChannelChat, got.Channel)
		types <- got.EventType
	}))
	defer srv.Close()
	p, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	require.NoError(t, srv.StopContact(p.ContactID))
	assert.Equal(t, bot.EventInitiated, <-types)
	assert.Equal(t, bot.EventDisconnected, <-types)
}
