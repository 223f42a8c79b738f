package browsertest

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCustomerAndAgentTabs plays both sides of a chat in two tabs: the
// customer starts it with the page's widget, the agent takes it over from the
// built-in echo agent, and they exchange typing, messages, read receipts and
// an attachment until the agent ends the chat.
func TestCustomerAndAgentTabs(t *testing.T) {
	needBrowser(t)
	t.Parallel()
	srv := newServer(t, participanttest.WithAgent(func() participanttest.Agent {
		return participanttest.EchoAgent{Greeting: "Hello, I am the echo agent.", Delay: 100 * time.Millisecond}
	}))
	cust := newTab(t, "customer")
	agent := newTab(t, "agent")

	cust.do(t, "starting a chat",
		chromedp.Navigate(srv.URL+"/#customer"),
		chromedp.WaitVisible(chromedp.ID("start-form")),
		chromedp.SetValue(chromedp.ID("start-name"), "Ann"),
		chromedp.Click(chromedp.ID("start-chat")),
	)
	cust.wait(t, "the customer's socket", stateIs("connected"))
	cust.wait(t, "the echo agent's greeting", textIn("#transcript .body", "Hello, I am the echo agent."))
	contactID := eval[string](t, cust, `location.hash.split('/')[1]`)
	require.NotEmpty(t, contactID)

	agent.do(t, "opening the console", chromedp.Navigate(srv.URL+"/"))
	agent.wait(t, "the chat in the list", textIn(`li[data-contact="`+contactID+`"]`, "Ann"))
	agent.do(t, "opening the chat", clickNow(`li[data-contact="`+contactID+`"]`))
	agent.wait(t, "the watched transcript", textIn("#transcript .body", "Hello, I am the echo agent."))
	agent.wait(t, "the take-over button", visible("takeover"))
	agent.do(t, "taking over", chromedp.Click(chromedp.ID("takeover")))
	agent.wait(t, "the agent's socket", stateIs("connected"))
	cust.wait(t, "the echo agent leaving", textIn(`#transcript li[data-type="participant.left"]`, "Echo"))
	cust.wait(t, "the console agent joining", textIn(`#transcript li[data-type="participant.joined"]`, "Console agent"))

	// Typing, then the message; the agent's page reads it.
	cust.do(t, "typing", chromedp.SendKeys(chromedp.ID("message"), "Hello, agent"))
	agent.wait(t, "the customer typing", textIn("#typing", "Ann is typing"))
	cust.do(t, "sending", chromedp.SendKeys(chromedp.ID("message"), "\r"))
	agent.wait(t, "the customer's message", textIn("#transcript li.CUSTOMER .body", "Hello, agent"))
	agent.wait(t, "typing cleared by the message", `document.getElementById('typing').textContent === ''`)
	cust.wait(t, "the agent's read receipt", textIn("#transcript li.mine .receipt", "Read"))

	// A latency fault from the page's form delays the agent's answer once.
	agent.do(t, "injecting latency",
		chromedp.SetValue(chromedp.ID("f-kind"), "Latency"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-kind').dispatchEvent(new Event('change'))`),
		chromedp.SetValue(chromedp.ID("f-op"), "SendMessage"),
		chromedp.SetValue(chromedp.ID("f-delay"), "300ms"),
		chromedp.SetValue(chromedp.ID("f-times"), "1"),
		chromedp.Click(chromedp.ID("f-add")),
	)
	agent.wait(t, "the latency fault listed", textIn("#fault-list .desc", "Latency(SendMessage, 300ms)"))
	agent.do(t, "answering", chromedp.SendKeys(chromedp.ID("message"), "Hi Ann, how can I help?"))
	cust.wait(t, "the agent typing", textIn("#typing", "Console agent is typing"))
	agent.do(t, "sending the answer", chromedp.SendKeys(chromedp.ID("message"), "\r"))
	cust.wait(t, "the agent's answer", textIn("#transcript li.AGENT .body", "Hi Ann, how can I help?"))
	agent.wait(t, "the customer's read receipt", textIn("#transcript li.mine .receipt", "Read"))
	agent.wait(t, "the latency firing", textIn("#fault-log li.fired", "fired (1×): SendMessage is delayed by 300ms, once"))

	// An attachment from the agent, downloaded by the customer.
	file, err := filepath.Abs(filepath.Join("testdata", "hello.txt"))
	require.NoError(t, err)
	want, err := os.ReadFile(file)
	require.NoError(t, err)
	agent.do(t, "attaching a file", chromedp.SetUploadFiles(chromedp.ID("attach"), []string{file}))
	cust.wait(t, "the attachment, approved", textIn(`#transcript li[data-type="ATTACHMENT"] .status`, "APPROVED"))
	cust.wait(t, "the attachment's name", textIn(`#transcript li[data-type="ATTACHMENT"] .name`, "hello.txt"))
	cust.do(t, "downloading it", clickNow(`#transcript li[data-type="ATTACHMENT"] button.download`))
	cust.wait(t, "the download", textIn(`#transcript li[data-type="ATTACHMENT"] .downloaded`, "downloaded, "+itoa(len(want))+" bytes"))
	agent.wait(t, "the customer's read receipt of the attachment", textIn(`#transcript li[data-type="ATTACHMENT"] .receipt`, "Read"))

	agent.shot(t, "chat")
	cust.shot(t, "chat")

	// What the service saw.
	tr := srv.Transcript(contactID)
	var texts []string
	var receipts int
	for _, it := range tr {
		if it.Type == participanttest.TypeMessage {
			texts = append(texts, it.DisplayName+": "+it.Content)
		}
		if it.MessageMetadata != nil {
			for _, r := range it.MessageMetadata.Receipts {
				if r.ReadTimestamp != "" {
					receipts++
				}
			}
		}
	}
	assert.Equal(t, []string{"Echo: Hello, I am the echo agent.", "Ann: Hello, agent", "Console agent: Hi Ann, how can I help?"}, texts)
	assert.GreaterOrEqual(t, receipts, 3, "read receipts recorded: the greeting, both messages and the attachment")
	assert.True(t, slices.ContainsFunc(tr, func(it participanttest.Item) bool {
		return it.Type == participanttest.TypeAttachment && len(it.Attachments) == 1 && it.Attachments[0].AttachmentName == "hello.txt"
	}), "the attachment is in the transcript")

	// The agent ends the chat with StopContact.
	agent.do(t, "ending the chat", chromedp.Click(chromedp.ID("end-chat")))
	cust.wait(t, "the end, customer side", stateIs("ended"))
	agent.wait(t, "the end, agent side", stateIs("ended"))
	cust.wait(t, "chat.ended in the transcript", `!!document.querySelector('#transcript li[data-type="chat.ended"]')`)
	agent.wait(t, "the chat listed as ended", textIn(`li[data-contact="`+contactID+`"] .badge`, "ended"))
	cust.shot(t, "ended")
	agent.shot(t, "ended")
}

func itoa(n int) string { return strconv.Itoa(n) }
