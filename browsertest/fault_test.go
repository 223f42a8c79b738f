package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFaultMakesSessionReconnect: faults toggled in the page make a chat
// session (package chat) lose its socket and be refused while the agent
// writes; once the fault is removed in the page, the session reconnects and
// fills the gap from the transcript.
func TestFaultMakesSessionReconnect(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	srv := newServer(t) // no built-in agent: the page joins as the agent
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Gina"})
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	s, err := chat.Connect(ctx, srv.Client(), cust.ParticipantToken, &chat.Options{
		ReconnectBackoff:    100 * time.Millisecond,
		ReconnectMaxBackoff: 300 * time.Millisecond,
		Receipts:            chat.ReceiptOptions{Disabled: true},
	})
	require.NoError(t, err)
	events := make(chan chat.Event, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(events)
		for {
			ev, err := s.Next(ctx)
			if err != nil {
				return
			}
			events <- ev
		}
	}()
	defer func() { s.Close(); <-done }()
	// waitEvent reads the session's events until one matches.
	waitEvent := func(what string, match func(chat.Event) bool) chat.Event {
		t.Helper()
		timeout := time.After(waitTimeout)
		for {
			select {
			case ev, ok := <-events:
				require.True(t, ok, "the session ended waiting for %s", what)
				if match(ev) {
					return ev
				}
			case <-timeout:
				require.FailNow(t, "the session: no "+what)
			}
		}
	}

	page := newTab(t, "agent")
	page.do(t, "opening the chat", chromedp.Navigate(srv.URL+"/#chat/"+cust.ContactID))
	page.wait(t, "the join button", visible("join"))
	page.do(t, "joining", chromedp.Click(chromedp.ID("join")))
	page.wait(t, "the agent's socket", stateIs("connected"))
	waitEvent("the agent joining", func(ev chat.Event) bool {
		return ev.Kind == chat.KindParticipantJoined && ev.Item.DisplayName == "Console agent"
	})

	// Refuse Gina's reconnects, from the fault form.
	page.wait(t, "Gina in the fault targets", `!!document.querySelector('#f-target option[value="p:`+cust.ParticipantID+`"]')`)
	page.do(t, "filling the fault form",
		chromedp.SetValue(chromedp.ID("f-kind"), "RefuseWebSocket"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-kind').dispatchEvent(new Event('change'))`),
		chromedp.SetValue(chromedp.ID("f-status"), "503"),
		chromedp.SetValue(chromedp.ID("f-target"), "p:"+cust.ParticipantID),
		chromedp.SetValue(chromedp.ID("f-times"), "always"),
		chromedp.Click(chromedp.ID("f-add")),
	)
	page.wait(t, "the fault listed", textIn("#fault-list .desc", "RefuseWebSocket(503).ForParticipant("+cust.ParticipantID+").Always()"))

	// Drop every socket of the chat; the agent writes while Gina is away.
	page.do(t, "dropping the sockets", chromedp.Click(chromedp.ID("q-drop")))
	page.wait(t, "the drop in the log", textIn("#fault-log li", "dropped 2 socket(s)"))
	waitEvent("the lost connection", func(ev chat.Event) bool { return ev.Kind == chat.KindConnectionLost })
	page.wait(t, "the refusal firing", textIn("#fault-log li.fired", "WebSocket upgrades are refused with 503, for participant"))
	page.wait(t, "the agent back", stateIs("connected"))
	page.do(t, "writing in the gap", chromedp.SendKeys(chromedp.ID("message"), "While you were away\r"))
	page.wait(t, "the message sent", textIn("#transcript li.mine .body", "While you were away"))
	page.shot(t, "refusing")

	// Remove the fault in the page: Gina gets back and reads the gap.
	page.do(t, "removing the fault", clickNow(`#fault-list li button`))
	page.wait(t, "the fault gone", `document.querySelectorAll('#fault-list li').length === 0`)
	waitEvent("the re-established connection", func(ev chat.Event) bool { return ev.Kind == chat.KindConnectionReestablished })
	msg := waitEvent("the message of the gap", func(ev chat.Event) bool { return ev.Kind == chat.KindMessage })
	assert.Equal(t, "While you were away", msg.Item.Content)
	assert.Equal(t, "Console agent", msg.Item.DisplayName)
	st := s.Stats()
	assert.GreaterOrEqual(t, st.Reconnects, int64(1))
	assert.GreaterOrEqual(t, st.ReconnectAttempts, int64(1), "refused at least once")
	assert.GreaterOrEqual(t, st.GapFilledItems, int64(1), "the message came from the transcript")
	page.wait(t, "the removal in the log", textIn("#fault-log li", "removed: WebSocket upgrades are refused with 503"))

	// Expired ConnectionTokens: the page gets a new one and its message
	// still goes out.
	page.do(t, "expiring the tokens", chromedp.Click(chromedp.ID("q-expire")))
	page.wait(t, "the expiry in the log", textIn("#fault-log li", "token(s) of "+cust.ContactID[:8]))
	page.do(t, "writing after the expiry", chromedp.SendKeys(chromedp.ID("message"), "Still here\r"))
	page.wait(t, "the page renewing its token", textIn("#fault-log li.fired", "Console agent: ConnectionToken expired, getting a new one"))
	msg = waitEvent("the message after the expiry", func(ev chat.Event) bool { return ev.Kind == chat.KindMessage })
	assert.Equal(t, "Still here", msg.Item.Content)
	page.shot(t, "recovered")
}
