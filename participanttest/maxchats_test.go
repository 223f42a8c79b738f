package participanttest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/participanttest"
)

// TestMaxChats: past WithMaxChats, StartChatContact answers Amazon
// Connect's LimitExceededException (429) and StartChat ErrMaxChats; each
// way a chat ends (StopContact, the customer leaving, its duration running
// out) frees a place; WithMaxChats(0) removes the cap.
func TestMaxChats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		end  func(t *testing.T, srv *participanttest.Server, clk *participanttest.ManualClock, first startChatOut)
	}{
		{"StopContact", func(t *testing.T, srv *participanttest.Server, _ *participanttest.ManualClock, first startChatOut) {
			call(t, srv, http.MethodPost, "/contact/stop", "", map[string]string{"InstanceId": "inst-1", "ContactId": first.ContactId}, sigV4...).wantOK(t)
		}},
		{"the customer leaves", func(t *testing.T, srv *participanttest.Server, _ *participanttest.ManualClock, first startChatOut) {
			c := connect(t, srv, participanttest.Participant{ContactID: first.ContactId, ParticipantToken: tokenOf(first.ParticipantToken)})
			post(t, srv, "/participant/disconnect", c.token, map[string]string{}).wantOK(t)
		}},
		{"the chat's duration runs out", func(t *testing.T, _ *participanttest.Server, clk *participanttest.ManualClock, _ startChatOut) {
			clk.Advance(61 * time.Minute)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			srv := newServer(t, participanttest.WithMaxChats(2), participanttest.WithClock(clk))
			first, r := startChatContact(t, srv, map[string]any{"ChatDurationInMinutes": 60})
			r.wantOK(t)
			clk.Advance(time.Minute) // the second outlives the first
			_, r = startChatContact(t, srv, nil)
			r.wantOK(t)

			_, r = startChatContact(t, srv, nil)
			r.wantError(t, http.StatusTooManyRequests, "LimitExceededException")
			assert.True(t, strings.HasPrefix(r.message(t), "The allowed limit for the resource has been exceeded."), "%s", r.body)
			_, err := srv.StartChat(participanttest.ChatOptions{})
			require.ErrorIs(t, err, participanttest.ErrMaxChats)

			tt.end(t, srv, clk, first)
			_, r = startChatContact(t, srv, nil)
			r.wantOK(t)
			_, r = startChatContact(t, srv, nil)
			r.wantError(t, http.StatusTooManyRequests, "LimitExceededException")
		})
	}
	t.Run("no cap", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, participanttest.WithMaxChats(0))
		for range 5 {
			_, err := srv.StartChat(participanttest.ChatOptions{})
			require.NoError(t, err)
		}
	})
	t.Run("a repeat is not a new chat", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, participanttest.WithMaxChats(1))
		a, r := startChatContact(t, srv, map[string]any{"ClientToken": "tok-1"})
		r.wantOK(t)
		b, r := startChatContact(t, srv, map[string]any{"ClientToken": "tok-1"})
		r.wantOK(t)
		assert.Equal(t, a.ContactId, b.ContactId)
	})
}
