package participanttest_test

import (
	"encoding/json"
	"testing"

	"github.com/connectchat/participant/interactive"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sendAs sends a message of any content type as c.
func sendAs(t *testing.T, srv *participanttest.Server, c chat, contentType, content string) {
	t.Helper()
	post(t, srv, "/participant/message", c.token, map[string]string{"ContentType": contentType, "Content": content}).wantOK(t)
}

// TestBotInteractive runs the default bot's six templates: each keyword
// brings an interactive message that decodes to its template, and the
// customer's answer, as the hosted widget sends it (text, or an
// interactive.response), reaches the bot, which names the choice.
func TestBotInteractive(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	custP, err := srv.StartChat(participanttest.ChatOptions{SupportedMessagingContentTypes: []string{wire.ContentTypePlainText, interactive.ResponseContentType}})
	require.NoError(t, err)
	cust := connect(t, srv, custP)
	cw := open(t, srv, cust)
	_, err = srv.AddAgent(cust.ContactID, participanttest.DefaultBot())
	require.NoError(t, err)
	cw.expectItem("EVENT", wire.ContentTypeParticipantJoined)
	cw.expectItem("EVENT", wire.ContentTypeTyping)
	cw.expectItem("MESSAGE", "text/plain") // the greeting

	tests := []struct {
		say, template string
		choose        int    // the choice to answer with; 0: answer with answer
		answer        string // typed text (a ViewResource's)
		want          string
	}{
		{"list", interactive.TypeListPicker, 2, "", "You chose Orange."},
		{"panel", interactive.TypePanel, 3, "", "You chose Talk to an agent."},
		{"quick", interactive.TypeQuickReply, 1, "", "You chose Yes."},
		{"time", interactive.TypeTimePicker, 2, "", "You chose 2030-01-07T13:30+00:00."},
		{"carousel", interactive.TypeCarousel, 3, "", "You chose Book room."},
		{"view", interactive.TypeViewResource, 0, "ann@example.com", "You chose ann@example.com."},
	}
	for _, tt := range tests {
		sendMessage(t, srv, cust, tt.say)
		cw.expectItem("MESSAGE", "text/plain")
		cw.expectItem("EVENT", wire.ContentTypeTyping)
		it := cw.expectItem("MESSAGE", interactive.ContentType)
		assert.Equal(t, "CUSTOM_BOT", it.ParticipantRole)
		m, err := interactive.Decode(it.Content)
		require.NoError(t, err, "%s", tt.say)
		require.Equal(t, tt.template, m.TemplateType)
		var r interactive.Reply
		if tt.choose > 0 {
			r, err = m.Choose(tt.choose)
		} else {
			r, err = m.Parse(tt.answer)
		}
		require.NoError(t, err, "%s", tt.say)
		sendAs(t, srv, cust, r.ContentType, r.Content)
		cw.expectItem("MESSAGE", r.ContentType)
		cw.expectItem("EVENT", wire.ContentTypeTyping)
		got := cw.expectItem("MESSAGE", "text/plain")
		assert.Equal(t, tt.want, got.Content, "after %s", tt.say)
	}

	// A paging action button arrives as an interactive.response.
	resp, err := interactive.NewResponse(interactive.TypeListPicker, interactive.ActionShowMore, nil)
	require.NoError(t, err)
	sendAs(t, srv, cust, resp.ContentType, resp.Content)
	cw.expectItem("MESSAGE", interactive.ResponseContentType)
	cw.expectItem("EVENT", wire.ContentTypeTyping)
	assert.Equal(t, "You chose SHOW_MORE.", cw.expectItem("MESSAGE", "text/plain").Content)

	// Text that answers no choice goes to the rules.
	sendMessage(t, srv, cust, "hello")
	cw.expectItem("MESSAGE", "text/plain")
	cw.expectItem("EVENT", wire.ContentTypeTyping)
	assert.Equal(t, "Hello! How can I help you?", cw.expectItem("MESSAGE", "text/plain").Content)
}

func TestBotValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, participanttest.DefaultBot().Validate())
	tests := []struct {
		name, template, want string
	}{
		{"not JSON", `{"templateType":`, "rules[0].interactive: interactive: not an interactive message"},
		{"no title", `{"templateType":"ListPicker","data":{"content":{"elements":[{"title":"a"}]}}}`, "rules[0].interactive: interactive: ListPicker: data.content.title is missing"},
		{"too long", `{"templateType":"X","data":"` + stringOf('a', 16400) + `"}`, "more than a message's 16384"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := participanttest.Bot{Rules: []participanttest.Rule{{Contains: "x", Interactive: json.RawMessage(tt.template)}}}
			require.ErrorContains(t, b.Validate(), tt.want)
			srv := newServer(t)
			cust, err := srv.StartChat(participanttest.ChatOptions{})
			require.NoError(t, err)
			_, err = srv.AddAgent(cust.ContactID, b)
			require.ErrorContains(t, err, tt.want, "AddAgent refuses a bad script")
		})
	}
	// An unknown template type is sent as is.
	b := participanttest.Bot{Rules: []participanttest.Rule{{Contains: "x", Interactive: json.RawMessage(`{"templateType":"ApplePay","data":{}}`)}}}
	require.NoError(t, b.Validate())
}

func stringOf(r rune, n int) string {
	b := make([]rune, n)
	for i := range b {
		b[i] = r
	}
	return string(b)
}
