package participanttest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsoleAgentTimeout: an agent the console joined, which no console
// tab names any more in its state polls, leaves its chat 30 seconds after
// it was last named; one still named stays, and agents the console never
// named (an app's) are never touched.
func TestConsoleAgentTimeout(t *testing.T) {
	t.Parallel()
	clock := participanttest.NewManualClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	srv := newServer(t, participanttest.WithClock(clock))
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(t, err)
	gone, err := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Console agent")
	require.NoError(t, err)
	kept, err := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Console agent 2")
	require.NoError(t, err)
	app, err := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "An app's agent")
	require.NoError(t, err)
	background, err := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "A console agent in a background tab")
	require.NoError(t, err)
	cw := open(t, srv, connect(t, srv, cust))
	open(t, srv, connect(t, srv, background)) // its socket stays open

	var snap consoleSnapshot
	named := func(ps ...participanttest.Participant) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ContactID+":"+p.ParticipantID)
		}
		return strings.Join(out, ",")
	}
	consoleGet(t, srv, "/console/api/state?agents="+named(gone, kept, background)+",unknown,"+cust.ContactID+":nobody,:x", &snap)
	clock.Advance(20 * time.Second)
	consoleGet(t, srv, "/console/api/state?agents="+named(kept), &snap)
	clock.Advance(10 * time.Second)
	consoleGet(t, srv, "/console/api/state", &snap) // 30 s since gone was named
	it := cw.expectItem("EVENT", wire.ContentTypeParticipantLeft)
	assert.Equal(t, gone.ParticipantID, it.ParticipantID)

	left := map[string]bool{}
	for _, p := range snap.Contacts[0].Participants {
		left[p.ID] = p.Left
	}
	assert.True(t, left[gone.ParticipantID], "the silent console agent left")
	assert.False(t, left[kept.ParticipantID], "the one still named stays")
	assert.False(t, left[app.ParticipantID], "an agent no tab named is never removed")
	assert.False(t, left[background.ParticipantID], "an agent with an open socket stays")
	assert.False(t, left[cust.ParticipantID])

	clock.Advance(25 * time.Second)
	consoleGet(t, srv, "/console/api/state", &snap)
	for _, p := range snap.Contacts[0].Participants {
		if p.ID == kept.ParticipantID {
			assert.True(t, p.Left, "named 35 s ago")
		}
		if p.ID == app.ParticipantID {
			assert.False(t, p.Left)
		}
	}
}

// TestConsoleWatchedTyping: the watched transcript says who is typing,
// until that participant sends a message or 12 seconds pass.
func TestConsoleWatchedTyping(t *testing.T) {
	t.Parallel()
	clock := participanttest.NewManualClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	srv := newServer(t, participanttest.WithClock(clock))
	cust, _ := startChat(t, srv, participanttest.ChatOptions{DisplayName: "Ann"})
	type watched struct {
		Typing []struct{ ParticipantID, Name, Role string }
	}
	var w watched
	path := "/console/api/contacts/" + cust.ContactID + "/transcript"
	consoleGet(t, srv, path, &w)
	assert.Empty(t, w.Typing)

	post(t, srv, "/participant/event", cust.token, map[string]string{"ContentType": wire.ContentTypeTyping}).wantOK(t)
	consoleGet(t, srv, path, &w)
	require.Len(t, w.Typing, 1)
	assert.Equal(t, "Ann", w.Typing[0].Name)
	assert.Equal(t, participanttest.RoleCustomer, w.Typing[0].Role)
	assert.Equal(t, cust.ParticipantID, w.Typing[0].ParticipantID)

	clock.Advance(time.Second)
	sendMessage(t, srv, cust, "hi")
	consoleGet(t, srv, path, &w)
	assert.Empty(t, w.Typing, "a message ends typing")

	clock.Advance(time.Second)
	post(t, srv, "/participant/event", cust.token, map[string]string{"ContentType": wire.ContentTypeTyping}).wantOK(t)
	clock.Advance(11 * time.Second)
	consoleGet(t, srv, path, &w)
	assert.Len(t, w.Typing, 1)
	clock.Advance(time.Second)
	consoleGet(t, srv, path, &w)
	assert.Empty(t, w.Typing, "typing shows 12 s")
}

func TestConsoleFaultWords(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tests := []struct{ spec, words string }{
		{`{"kind":"Fail","op":"SendMessage","code":"ThrottlingException"}`, "SendMessage fails with ThrottlingException, once"},
		{`{"kind":"Fail","op":"*","code":"InternalServerException","always":true,"probability":0.25}`, "every operation fails with InternalServerException, every time until removed, with probability 0.25"},
		{`{"kind":"Latency","op":"GetTranscript","delay":"2s","times":3}`, "GetTranscript is delayed by 2s, 3 times"},
		{`{"kind":"Throttle","op":"SendEvent","rate":2,"burst":1}`, "SendEvent is throttled to 2 requests a second (burst 1)"},
		{`{"kind":"RefuseWebSocket","contactId":"abcdef0123456789","always":true}`, "WebSocket upgrades are refused with 403, in chat abcdef01, every time until removed"},
		{`{"kind":"CloseSocket","closeCode":1011,"participantId":"p-1"}`, "WebSockets are closed with code 1011, for participant p-1, once"},
		{`{"kind":"SilenceHeartbeats","after":2}`, "heartbeats go unanswered, once, after 2 matching requests pass"},
	}
	for _, tt := range tests {
		r := consolePost(t, srv, "/console/api/faults", tt.spec)
		r.wantOK(t)
		var f struct{ Words string }
		r.decode(t, &f)
		assert.Equal(t, tt.words, f.Words, tt.spec)
	}
}

func TestConsoleFavicon(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := consoleReq{method: http.MethodGet, path: "/favicon.ico"}.do(t, srv)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "image/svg+xml", r.header.Get("Content-Type"))
	assert.Contains(t, string(r.body), "<svg")
	r = consoleReq{method: http.MethodGet, path: "/console/favicon.svg"}.do(t, srv)
	require.Equal(t, http.StatusOK, r.status)
	r = consoleReq{method: http.MethodGet, path: "/console/interactive.js"}.do(t, srv)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), "window.Interactive")
	r = consoleReq{method: http.MethodGet, path: "/"}.do(t, srv)
	assert.Contains(t, string(r.body), `<link rel="icon" href="/console/favicon.svg"`)
	off := newServer(t, participanttest.WithoutConsole())
	r = consoleReq{method: http.MethodGet, path: "/favicon.ico"}.do(t, off)
	assert.Equal(t, http.StatusNotFound, r.status, "no console, no favicon")
}
