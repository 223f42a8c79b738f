package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/connectchat/participant"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// left reports whether the chat's transcript says the participant left.
func left(srv *participanttest.Server, contactID, participantID string) bool {
	return slices.ContainsFunc(srv.Transcript(contactID), func(it participanttest.Item) bool {
		return it.ContentType == "application/vnd.amazonaws.connect.event.participant.left" && it.ParticipantID == participantID
	})
}

// joinFromConsole opens the console in the tab, opens the chat and joins it
// as the console agent, and returns the agent's participant id.
func joinFromConsole(t *testing.T, srv *participanttest.Server, tb *tab, contactID string) string {
	t.Helper()
	tb.do(t, "opening the console", chromedp.Navigate(srv.URL+"/#chat/"+contactID))
	tb.wait(t, "the join button", visible("join"))
	tb.do(t, "joining", chromedp.Click(chromedp.ID("join")))
	tb.wait(t, "the agent's socket", stateIs("connected"))
	var id string
	for _, it := range srv.Transcript(contactID) {
		if it.ContentType == "application/vnd.amazonaws.connect.event.participant.joined" && it.DisplayName == "Console agent" {
			id = it.ParticipantID
		}
	}
	require.NotEmpty(t, id, "the console agent joined")
	return id
}

// TestClosedAgentTabLeaves closes an agent's tab: its pagehide sends
// DisconnectParticipant, so the agent leaves the chat at once instead of
// staying as a ghost.
func TestClosedAgentTabLeaves(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	srv := newServer(t)
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(t, err)
	agent := newTab(t, "agent")
	id := joinFromConsole(t, srv, agent, cust.ContactID)
	require.False(t, left(srv, cust.ContactID, id))

	_, err = chromedp.Call(agent.ctx, page.Close, cdp.Empty{})
	require.NoError(t, err, "closing the tab")
	require.Eventually(t, func() bool { return left(srv, cust.ContactID, id) }, waitTimeout, 50*time.Millisecond,
		"the agent of the closed tab leaves the chat")
	tr := srv.Transcript(cust.ContactID)
	assert.NotEqual(t, "application/vnd.amazonaws.connect.event.chat.ended", tr[len(tr)-1].ContentType, "the chat goes on")
}

// TestCustomerRoleView: a customer tab shows its own chat only: no list of
// chats, no faults panel, nothing of another customer's chat.
func TestCustomerRoleView(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	srv := newServer(t)
	_, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Zed Otherchat", InitialMessage: "a secret of Zed"})
	require.NoError(t, err)
	cust := newTab(t, "customer")
	cust.do(t, "starting a chat",
		chromedp.Navigate(srv.URL+"/#customer"),
		chromedp.WaitVisible(chromedp.ID("start-form")),
		chromedp.SetValue(chromedp.ID("start-name"), "Ann"),
		chromedp.SetValue(chromedp.ID("start-message"), "Hello from Ann"),
		chromedp.Click(chromedp.ID("start-chat")),
	)
	cust.wait(t, "the customer's socket", stateIs("connected"))
	cust.wait(t, "its own message", textIn("#transcript .body", "Hello from Ann"))
	cust.wait(t, "the state polled", textIn("#server-info", "seed"))
	assert.False(t, eval[bool](t, cust, visible("faults-pane")), "no faults panel")
	assert.False(t, eval[bool](t, cust, `document.querySelector('.contacts').offsetParent !== null`), "no chats list")
	assert.False(t, eval[bool](t, cust, `document.body.innerText.includes('Zed')`), "nothing of another chat shows")
	cust.shot(t, "customer")

	tester := newTab(t, "tester")
	tester.do(t, "opening the console", chromedp.Navigate(srv.URL+"/"))
	tester.wait(t, "both chats listed", `document.querySelectorAll('#contacts li').length === 2`)
	assert.True(t, eval[bool](t, tester, visible("faults-pane")), "the tester sees the faults")
}

// focusIs is a JavaScript expression: the focused element matches the CSS
// selector.
func focusIs(selector string) string {
	return fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%s)`, js(selector))
}

// tabTo presses Tab until the focus is on an element matching the
// selector, at most 80 times.
func tabTo(t *testing.T, tb *tab, selector string) {
	t.Helper()
	for range 80 {
		if eval[bool](t, tb, focusIs(selector)) {
			return
		}
		tb.do(t, "pressing Tab", chromedp.KeyEvent(kb.Tab))
	}
	require.Fail(t, "Tab never reached "+selector, "focus on %s", eval[string](t, tb, `document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : 'nothing'`))
}

// TestKeyboardNavigation reaches a chat card, the join button and the
// message box with Tab alone, and sends a message with Enter.
func TestKeyboardNavigation(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	srv := newServer(t)
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(t, err)
	agent := newTab(t, "agent")
	agent.do(t, "opening the console", chromedp.Navigate(srv.URL+"/"))
	card := `#contacts li[data-contact="` + cust.ContactID + `"] a`
	agent.wait(t, "the chat in the list", textIn(card, "Ann"))
	tabTo(t, agent, card)
	agent.do(t, "opening the chat with Enter", chromedp.KeyEvent(kb.Enter))
	agent.wait(t, "the chat opened", fmt.Sprintf(`location.hash === %s`, js("#chat/"+cust.ContactID)))
	agent.wait(t, "the join button", visible("join"))
	tabTo(t, agent, "#join")
	agent.do(t, "joining with Enter", chromedp.KeyEvent(kb.Enter))
	agent.wait(t, "the agent's socket", stateIs("connected"))
	tabTo(t, agent, "#message")
	agent.do(t, "typing and sending with Enter", chromedp.KeyEvent("Typed with the keyboard"+kb.Enter))
	agent.wait(t, "the message in the transcript", textIn("#transcript li.mine .body", "Typed with the keyboard"))
	tabTo(t, agent, "#attach")
	assert.True(t, slices.ContainsFunc(srv.Transcript(cust.ContactID), func(it participanttest.Item) bool {
		return it.Content == "Typed with the keyboard"
	}))
}

// axProblems audits the tab's accessibility tree: every control a person
// operates (button, link, text box, select, checkbox...) must have an
// accessible name and be focusable, and the page a title and a language.
func axProblems(t *testing.T, tb *tab) []string {
	t.Helper()
	res, err := chromedp.Call(tb.ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	require.NoError(t, err, "reading the accessibility tree")
	controls := []string{"button", "link", "textbox", "combobox", "listbox", "checkbox", "radio", "spinbutton", "searchbox", "slider", "switch", "menuitem", "tab"}
	text := func(v *accessibility.Value) string {
		if v == nil {
			return ""
		}
		var s any
		if json.Unmarshal([]byte(fmt.Sprint(v.Value)), &s) == nil {
			return strings.TrimSpace(fmt.Sprint(s))
		}
		return strings.Trim(strings.TrimSpace(fmt.Sprint(v.Value)), `"`)
	}
	var problems []string
	checked := 0
	for _, n := range res.Nodes {
		if n.Ignored || !slices.Contains(controls, text(n.Role)) {
			continue
		}
		checked++
		name := text(n.Name)
		if name == "" {
			problems = append(problems, fmt.Sprintf("a %s without an accessible name (DOM node %d)", text(n.Role), n.BackendDOMNodeID))
		}
		focusable, disabled := false, false
		for _, p := range n.Properties {
			switch string(p.Name) {
			case "focusable":
				focusable = text(p.Value) == "true"
			case "disabled":
				disabled = text(p.Value) == "true"
			}
		}
		if !focusable && !disabled {
			problems = append(problems, fmt.Sprintf("the %s %q cannot take the keyboard focus", text(n.Role), name))
		}
	}
	require.Greater(t, checked, 3, "the audit saw the page's controls")
	if eval[string](t, tb, `document.documentElement.lang`) == "" {
		problems = append(problems, "the page has no lang")
	}
	if eval[string](t, tb, `document.title`) == "" {
		problems = append(problems, "the page has no title")
	}
	return problems
}

// TestAccessibilityAudit audits the agent's view (a joined chat, the faults
// form) and the customer's (an interactive message to answer) through
// chromium's accessibility tree.
func TestAccessibilityAudit(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	srv := newServer(t, participanttest.WithAgent(func() participanttest.Agent { return participanttest.DefaultBot() }))
	cust := newTab(t, "customer")
	cust.do(t, "opening the start form", chromedp.Navigate(srv.URL+"/#customer"), chromedp.WaitVisible(chromedp.ID("start-form")))
	assert.Empty(t, axProblems(t, cust), "the start form")
	cust.do(t, "starting a chat",
		chromedp.SetValue(chromedp.ID("start-name"), "Ann"),
		chromedp.Click(chromedp.ID("start-chat")),
	)
	cust.wait(t, "the bot's greeting", textIn("#transcript .body", "I am a test bot"))
	cust.do(t, "asking for a carousel", chromedp.SendKeys(chromedp.ID("message"), "carousel\r"))
	cust.wait(t, "the carousel", `!!document.querySelector('.interactive[data-template="Carousel"] button.choice:not([disabled])')`)
	assert.Empty(t, axProblems(t, cust), "customer view")

	contactID := eval[string](t, cust, `location.hash.split('/')[1]`)
	agent := newTab(t, "agent")
	agent.do(t, "opening the chat", chromedp.Navigate(srv.URL+"/#chat/"+contactID))
	agent.wait(t, "the take-over button", visible("takeover"))
	agent.do(t, "taking over", chromedp.Click(chromedp.ID("takeover")))
	agent.wait(t, "the agent's socket", stateIs("connected"))
	agent.wait(t, "the composer", visible("message"))
	assert.Empty(t, axProblems(t, agent), "agent view")
}

// TestInteractiveFromConsole plays the customer in the console against the
// default bot: every template renders, a ListPicker choice clicked in the
// page reaches the bot (which names it), and a view is answered with text.
func TestInteractiveFromConsole(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	srv := newServer(t, participanttest.WithAgent(func() participanttest.Agent { return participanttest.DefaultBot() }))
	cust := newTab(t, "customer")
	cust.do(t, "starting a chat",
		chromedp.Navigate(srv.URL+"/#customer"),
		chromedp.WaitVisible(chromedp.ID("start-form")),
		chromedp.SetValue(chromedp.ID("start-name"), "Ann"),
		chromedp.Click(chromedp.ID("start-chat")),
	)
	cust.wait(t, "the customer's socket", stateIs("connected"))
	cust.wait(t, "the bot's greeting", textIn("#transcript .body", "I am a test bot"))
	say := func(text string) {
		t.Helper()
		cust.do(t, "saying "+text, chromedp.SendKeys(chromedp.ID("message"), text+"\r"))
	}

	say("list")
	picker := `.interactive[data-template="ListPicker"]`
	cust.wait(t, "the list picker", textIn(picker+" .im-title", "What produce would you like to buy?"))
	assert.Equal(t, 3, eval[int](t, cust, `document.querySelectorAll('`+picker+` button.choice').length`))
	cust.do(t, "choosing Orange", clickNow(picker+` button.choice:nth-of-type(2)`))
	cust.wait(t, "the bot hearing the choice", textIn("#transcript li.CUSTOM_BOT .body", "You chose Orange."))
	cust.wait(t, "the picker answered", `document.querySelector('`+picker+` button.choice').disabled`)
	cust.wait(t, "its reply message", textIn(picker+" .im-replied", "Thanks for selecting!"))

	for _, tt := range []struct{ say, template, text string }{
		{"panel", "Panel", "Talk to an agent"},
		{"quick", "QuickReply", "Not sure"},
		{"time", "TimePicker", "Main office"},
		{"carousel", "Carousel", "Harbour View"},
	} {
		say(tt.say)
		cust.wait(t, "the "+tt.template, textIn(`.interactive[data-template="`+tt.template+`"]`, tt.text))
	}
	cust.do(t, "booking at Harbour View", clickNow(`.interactive[data-template="Carousel"] .im-card:nth-of-type(2) button.choice`))
	cust.wait(t, "the carousel choice in words", textIn("#transcript li.mine .im-answer", "Harbour View - Book room"))
	cust.wait(t, "the bot hearing it", textIn("#transcript li.CUSTOM_BOT .body", "You chose Book room."))

	say("view")
	view := `.interactive[data-template="ViewResource"]`
	cust.wait(t, "the view", textIn(view, "contact-details"))
	cust.do(t, "filling the view",
		chromedp.SendKeys(chromedp.CSS(view+" input"), "ann@example.com"),
		clickNow(view+" button.choice"))
	cust.wait(t, "the bot hearing the view's answer", textIn("#transcript li.CUSTOM_BOT .body", "You chose ann@example.com."))
	cust.shot(t, "interactive")

	// What the service saw: the choice as the hosted widget sends it.
	contactID := eval[string](t, cust, `location.hash.split('/')[1]`)
	var sent []string
	for _, it := range srv.Transcript(contactID) {
		if it.ParticipantRole == participanttest.RoleCustomer && it.Type == participanttest.TypeMessage {
			sent = append(sent, it.ContentType+" "+it.Content)
		}
	}
	assert.Contains(t, sent, "text/plain Orange")
	assert.Contains(t, sent, `text/plain {"templateIdentifier":"hotel-2","listTitle":"Harbour View","selectionText":"Book room"}`)
	assert.Contains(t, sent, `application/vnd.amazonaws.connect.message.interactive.response {"templateType":"ViewResource","version":"1.0","action":" ","data":{"content":"ann@example.com"}}`)
}

// TestSendWhileReconnecting: while the agent's socket is away (dropped, its
// reconnects refused), a message the agent sends shows in the transcript at
// once, marked as sending, and then as sent from SendMessage's answer.
func TestSendWhileReconnecting(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	srv := newServer(t)
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(t, err)
	agent := newTab(t, "agent")
	id := joinFromConsole(t, srv, agent, cust.ContactID)
	srv.Inject(participanttest.RefuseWebSocket(503).ForParticipant(id).Always())
	srv.DropSockets(cust.ContactID)
	agent.wait(t, "the socket away", stateIs("reconnecting"))
	// Hold SendMessage for a moment so that the mark can be seen.
	srv.Inject(participanttest.Latency(participanttest.OpSendMessage, 700*time.Millisecond))
	agent.do(t, "sending", chromedp.SendKeys(chromedp.ID("message"), "Sent while away\r"))
	agent.wait(t, "the message marked as sending", textIn("#transcript li.mine.sending .status", "sending…"))
	agent.wait(t, "the message sent", `(() => { const li = [...document.querySelectorAll('#transcript li.mine')].find((e) => e.textContent.includes('Sent while away')); return !!li && !li.classList.contains('sending') && !li.dataset.id.startsWith('local-'); })()`)
	assert.Equal(t, "reconnecting", eval[string](t, agent, `document.getElementById('conn-state').textContent`), "the socket is still away")
	assert.Equal(t, 1, eval[int](t, agent, `[...document.querySelectorAll('#transcript li.mine')].filter((e) => e.textContent.includes('Sent while away')).length`), "shown once")
}

// TestWatchedTyping: a chat watched without joining shows who is typing.
func TestWatchedTyping(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	srv := newServer(t)
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(t, err)
	watcher := newTab(t, "watcher")
	watcher.do(t, "watching the chat", chromedp.Navigate(srv.URL+"/#chat/"+cust.ContactID))
	watcher.wait(t, "the watching state", stateIs("watching"))
	watcher.wait(t, "the watching hint, not an error", textIn("#chat-hint.hint", "Watching"))
	assert.Empty(t, eval[string](t, watcher, `document.getElementById('chat-error').textContent`))

	c := srv.Client()
	conn, err := c.CreateParticipantConnection(t.Context(), &participant.CreateParticipantConnectionInput{
		ParticipantToken: cust.ParticipantToken, Type: []participant.ConnectionType{participant.ConnectionTypeConnectionCredentials}, ConnectParticipant: true,
	})
	require.NoError(t, err)
	_, err = c.SendEvent(t.Context(), &participant.SendEventInput{ConnectionToken: conn.ConnectionCredentials.ConnectionToken, ContentType: participant.ContentTypeTyping})
	require.NoError(t, err)
	watcher.wait(t, "the customer typing", textIn("#typing", "Ann is typing"))
}

// TestCrashedAgentTabLeaves crashes an agent's tab, so that no pagehide
// runs: its socket closes with the renderer, its polls stop, and 30
// seconds (of the server's clock) later the next poll of another tab takes
// the agent out of the chat.
func TestCrashedAgentTabLeaves(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	clock := participanttest.NewManualClock(time.Now())
	srv := newServer(t, participanttest.WithClock(clock))
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(t, err)
	agent := newTab(t, "agent")
	id := joinFromConsole(t, srv, agent, cust.ContactID)

	ctx, cancel := context.WithTimeout(agent.ctx, 2*time.Second)
	defer cancel()
	_, _ = chromedp.Call(ctx, page.Crash, cdp.Empty{}) // the renderer dies before it answers
	require.Eventually(t, func() bool { return srv.Subscribers(cust.ContactID) == 0 },
		waitTimeout, 50*time.Millisecond, "the crashed tab's socket closes")
	clock.Advance(31 * time.Second)
	require.False(t, left(srv, cust.ContactID, id), "no poll yet")

	watcher := newTab(t, "watcher")
	watcher.do(t, "opening the console", chromedp.Navigate(srv.URL+"/"))
	require.Eventually(t, func() bool { return left(srv, cust.ContactID, id) }, waitTimeout, 50*time.Millisecond,
		"the crashed tab's agent leaves at the next poll")
}
