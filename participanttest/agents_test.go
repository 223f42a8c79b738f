package participanttest_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEchoAgent(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	custP, err := srv.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	cust := connect(t, srv, custP)
	cw := open(t, srv, cust)
	echo, err := srv.AddAgent(cust.ContactID, participanttest.EchoAgent{DisplayName: "Eve", Greeting: "Hi, I'm Eve", Prefix: "echo: "})
	require.NoError(t, err)
	joined := cw.expectItem("EVENT", wire.ContentTypeParticipantJoined)
	require.Equal(t, echo.ParticipantID, joined.ParticipantID, "joined %+v", joined)
	require.Equal(t, "Eve", joined.DisplayName, "joined %+v", joined)
	require.Equal(t, "AGENT", joined.ParticipantRole, "joined %+v", joined)
	greeting := cw.expectItem("MESSAGE", "text/plain")
	require.Equal(t, "Hi, I'm Eve", greeting.Content, "greeting %+v", greeting)
	require.Equal(t, echo.ParticipantID, greeting.ParticipantID, "greeting %+v", greeting)
	for _, text := range []string{"hello", "again"} {
		id, _ := sendMessage(t, srv, cust, text)
		cw.expectItem("MESSAGE", "text/plain") // the customer's own
		rcpt := cw.expectItem("MESSAGEMETADATA", wire.ContentTypeMessageMetadata)
		require.NotNil(t, rcpt.MessageMetadata, "receipt %+v", rcpt)
		require.Equal(t, id, rcpt.MessageMetadata.MessageID, "receipt %+v", rcpt)
		require.NotEmpty(t, rcpt.MessageMetadata.Receipts, "receipt %+v", rcpt)
		require.Equal(t, echo.ParticipantID, rcpt.MessageMetadata.Receipts[0].RecipientParticipantID, "receipt %+v", rcpt)
		require.NotEmpty(t, rcpt.MessageMetadata.Receipts[0].ReadTimestamp, "receipt %+v", rcpt)
		typing := cw.expectItem("EVENT", wire.ContentTypeTyping)
		require.Equal(t, echo.ParticipantID, typing.ParticipantID, "typing %+v", typing)
		reply := cw.expectItem("MESSAGE", "text/plain")
		require.Equal(t, "echo: "+text, reply.Content, "echo %+v", reply)
		require.Equal(t, echo.ParticipantID, reply.ParticipantID, "echo %+v", reply)
	}
	// With a third participant, receipts conflict; the agent echoes anyway.
	_, err = srv.AddParticipant(cust.ContactID, participanttest.RoleSupervisor, "Sup")
	require.NoError(t, err)
	cw.expectItem("EVENT", wire.ContentTypeParticipantJoined)
	sendMessage(t, srv, cust, "three of us")
	cw.expectItem("MESSAGE", "text/plain")
	cw.expectItem("EVENT", wire.ContentTypeTyping)
	reply := cw.expectItem("MESSAGE", "text/plain")
	assert.Equal(t, "echo: three of us", reply.Content, "echo %+v", reply)
}

func TestBot(t *testing.T) {
	t.Parallel()
	var bot participanttest.Bot
	script := `{"displayName":"Botty","greeting":"How can I help?","fallback":"Sorry?",
		"rules":[{"contains":"PRICE","reply":"It costs 5"},{"contains":"bye","reply":"Goodbye","end":true}]}`
	require.NoError(t, json.Unmarshal([]byte(script), &bot))
	srv := newServer(t)
	custP, _ := srv.StartChat(participanttest.ChatOptions{})
	cust := connect(t, srv, custP)
	cw := open(t, srv, cust)
	b, err := srv.AddAgent(cust.ContactID, bot)
	require.NoError(t, err)
	joined := cw.expectItem("EVENT", wire.ContentTypeParticipantJoined)
	require.Equal(t, "CUSTOM_BOT", joined.ParticipantRole, "joined %+v", joined)
	require.Equal(t, "Botty", joined.DisplayName, "joined %+v", joined)
	cw.expectItem("EVENT", wire.ContentTypeTyping)
	greeting := cw.expectItem("MESSAGE", "text/plain")
	require.Equal(t, "How can I help?", greeting.Content, "greeting %+v", greeting)
	for _, step := range []struct{ say, reply string }{{"what's the price?", "It costs 5"}, {"hmm", "Sorry?"}, {"ok bye", "Goodbye"}} {
		sendMessage(t, srv, cust, step.say)
		cw.expectItem("MESSAGE", "text/plain")
		cw.expectItem("EVENT", wire.ContentTypeTyping)
		it := cw.expectItem("MESSAGE", "text/plain")
		require.Equal(t, step.reply, it.Content, "after %q: %+v", step.say, it)
		require.Equal(t, b.ParticipantID, it.ParticipantID, "after %q: %+v", step.say, it)
	}
	cw.expectItem("EVENT", wire.ContentTypeChatEnded)
}

func TestWithAgent(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithAgent(func() participanttest.Agent { return participanttest.EchoAgent{NoReceipts: true} }))
	out, r := startChatContact(t, srv, nil)
	r.wantOK(t)
	tr := srv.Transcript(out.ContactId)
	require.Len(t, tr, 2, "transcript %+v", tr)
	require.Equal(t, wire.ContentTypeParticipantJoined, tr[1].ContentType, "transcript %+v", tr)
	require.Equal(t, "AGENT", tr[1].ParticipantRole, "transcript %+v", tr)
	require.Equal(t, "Echo", tr[1].DisplayName, "transcript %+v", tr)
	cust := connect(t, srv, participanttest.Participant{ContactID: out.ContactId, ParticipantToken: tokenOf(out.ParticipantToken)})
	cw := open(t, srv, cust)
	sendMessage(t, srv, cust, "ping")
	cw.expectItem("MESSAGE", "text/plain")
	cw.expectItem("EVENT", wire.ContentTypeTyping) // no receipt first
	it := cw.expectItem("MESSAGE", "text/plain")
	assert.Equal(t, "ping", it.Content, "echo %+v", it)
}

// quitter is an Agent that leaves after the first customer message and
// reports what its session then says.
type quitter struct{ done chan error }

func (quitter) Profile() (string, string) { return participanttest.RoleAgent, "Quitter" }

func (q quitter) Run(ctx context.Context, chat *participanttest.AgentSession) error {
	for {
		it, err := chat.Next(ctx)
		if err != nil {
			q.done <- err
			return err
		}
		if it.Type == "MESSAGE" {
			if err := chat.Disconnect(); err != nil {
				q.done <- err
				return err
			}
			_, err := chat.SendMessage("text/plain", "after leaving")
			_, err2 := chat.Next(ctx)
			q.done <- errors.Join(err, err2)
			return nil
		}
	}
}

func TestCustomAgent(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	custP, _ := srv.StartChat(participanttest.ChatOptions{})
	cust := connect(t, srv, custP)
	cw := open(t, srv, cust)
	q := quitter{done: make(chan error, 1)}
	p, err := srv.AddAgent(cust.ContactID, q)
	require.NoError(t, err)
	cw.expectItem("EVENT", wire.ContentTypeParticipantJoined)
	sendMessage(t, srv, cust, "hi")
	cw.expectItem("MESSAGE", "text/plain")
	left := cw.expectItem("EVENT", wire.ContentTypeParticipantLeft)
	require.Equal(t, p.ParticipantID, left.ParticipantID, "left %+v", left)
	select {
	case err := <-q.done:
		require.ErrorIs(t, err, participanttest.ErrLeft, "after leaving: want ErrLeft from SendMessage and Next")
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the agent did not finish")
	}
	_, err = srv.AddAgent("nope", q)
	assert.ErrorIs(t, err, participanttest.ErrUnknownContact, "AddAgent(unknown)")
}

// An agent's Next ends with ErrChatEnded after chat.ended, and Run returns.
func TestAgentSeesChatEnd(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	custP, _ := srv.StartChat(participanttest.ChatOptions{})
	q := quitter{done: make(chan error, 1)}
	_, err := srv.AddAgent(custP.ContactID, q)
	require.NoError(t, err)
	require.NoError(t, srv.StopContact(custP.ContactID))
	select {
	case err := <-q.done:
		assert.ErrorIs(t, err, participanttest.ErrChatEnded, "Next after chat.ended")
	case <-time.After(10 * time.Second):
		assert.Fail(t, "the agent did not see the end")
	}
}

// agentFunc makes an Agent of a function.
type agentFunc func(ctx context.Context, chat *participanttest.AgentSession) error

func (agentFunc) Profile() (string, string) { return participanttest.RoleCustomBot, "" }

func (f agentFunc) Run(ctx context.Context, chat *participanttest.AgentSession) error {
	return f(ctx, chat)
}

func TestAgentSessionActions(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	custP, _ := srv.StartChat(participanttest.ChatOptions{})
	cust := connect(t, srv, custP)
	cw := open(t, srv, cust)
	ids := make(chan [2]string, 1)
	p, err := srv.AddAgent(cust.ContactID, agentFunc(func(ctx context.Context, chat *participanttest.AgentSession) error {
		ids <- [2]string{chat.ContactID(), chat.ParticipantID()}
		for {
			it, err := chat.Next(ctx)
			if err != nil {
				return err
			}
			if it.Type == "MESSAGE" && it.ParticipantRole == "CUSTOMER" {
				if err := chat.SendDeliveredReceipt(it.ID); err != nil {
					return err
				}
				if _, err := chat.SendMessage("application/vnd.amazonaws.connect.message.interactive", `{"templateType":"QuickReply"}`); err != nil {
					return err
				}
			}
		}
	}))
	require.NoError(t, err)
	require.Equal(t, [2]string{cust.ContactID, p.ParticipantID}, <-ids, "session ids")
	joined := cw.expectItem("EVENT", wire.ContentTypeParticipantJoined)
	require.Equal(t, "Agent", joined.DisplayName, "joined %+v", joined)
	require.Equal(t, "CUSTOM_BOT", joined.ParticipantRole, "joined %+v", joined)
	id, _ := sendMessage(t, srv, cust, "hi")
	cw.expectItem("MESSAGE", "text/plain")
	rcpt := cw.expectItem("MESSAGEMETADATA", wire.ContentTypeMessageMetadata)
	require.NotNil(t, rcpt.MessageMetadata, "receipt %+v", rcpt)
	require.Equal(t, id, rcpt.MessageMetadata.MessageID, "receipt %+v", rcpt)
	require.NotEmpty(t, rcpt.MessageMetadata.Receipts, "receipt %+v", rcpt)
	require.NotEmpty(t, rcpt.MessageMetadata.Receipts[0].DeliveredTimestamp, "receipt %+v", rcpt)
	cw.expectItem("MESSAGE", "application/vnd.amazonaws.connect.message.interactive")
}
