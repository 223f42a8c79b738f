package participanttest_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
)

func TestEchoAgent(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	custP, err := srv.StartChat(participanttest.ChatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cust := connect(t, srv, custP)
	cw := open(t, srv, cust)
	echo, err := srv.AddAgent(cust.ContactID, participanttest.EchoAgent{DisplayName: "Eve", Greeting: "Hi, I'm Eve", Prefix: "echo: "})
	if err != nil {
		t.Fatal(err)
	}
	if it := cw.expectItem("EVENT", wire.ContentTypeParticipantJoined); it.ParticipantID != echo.ParticipantID || it.DisplayName != "Eve" || it.ParticipantRole != "AGENT" {
		t.Fatalf("joined %+v", it)
	}
	if it := cw.expectItem("MESSAGE", "text/plain"); it.Content != "Hi, I'm Eve" || it.ParticipantID != echo.ParticipantID {
		t.Fatalf("greeting %+v", it)
	}
	for _, text := range []string{"hello", "again"} {
		id, _ := sendMessage(t, srv, cust, text)
		cw.expectItem("MESSAGE", "text/plain") // the customer's own
		if it := cw.expectItem("MESSAGEMETADATA", wire.ContentTypeMessageMetadata); it.MessageMetadata.MessageID != id || it.MessageMetadata.Receipts[0].RecipientParticipantID != echo.ParticipantID || it.MessageMetadata.Receipts[0].ReadTimestamp == "" {
			t.Fatalf("receipt %+v", it)
		}
		if it := cw.expectItem("EVENT", wire.ContentTypeTyping); it.ParticipantID != echo.ParticipantID {
			t.Fatalf("typing %+v", it)
		}
		if it := cw.expectItem("MESSAGE", "text/plain"); it.Content != "echo: "+text || it.ParticipantID != echo.ParticipantID {
			t.Fatalf("echo %+v", it)
		}
	}
	// With a third participant, receipts conflict; the agent echoes anyway.
	if _, err := srv.AddParticipant(cust.ContactID, participanttest.RoleSupervisor, "Sup"); err != nil {
		t.Fatal(err)
	}
	cw.expectItem("EVENT", wire.ContentTypeParticipantJoined)
	sendMessage(t, srv, cust, "three of us")
	cw.expectItem("MESSAGE", "text/plain")
	cw.expectItem("EVENT", wire.ContentTypeTyping)
	if it := cw.expectItem("MESSAGE", "text/plain"); it.Content != "echo: three of us" {
		t.Fatalf("echo %+v", it)
	}
}

func TestBot(t *testing.T) {
	t.Parallel()
	var bot participanttest.Bot
	script := `{"displayName":"Botty","greeting":"How can I help?","fallback":"Sorry?",
		"rules":[{"contains":"PRICE","reply":"It costs 5"},{"contains":"bye","reply":"Goodbye","end":true}]}`
	if err := json.Unmarshal([]byte(script), &bot); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t)
	custP, _ := srv.StartChat(participanttest.ChatOptions{})
	cust := connect(t, srv, custP)
	cw := open(t, srv, cust)
	b, err := srv.AddAgent(cust.ContactID, bot)
	if err != nil {
		t.Fatal(err)
	}
	if it := cw.expectItem("EVENT", wire.ContentTypeParticipantJoined); it.ParticipantRole != "CUSTOM_BOT" || it.DisplayName != "Botty" {
		t.Fatalf("joined %+v", it)
	}
	cw.expectItem("EVENT", wire.ContentTypeTyping)
	if it := cw.expectItem("MESSAGE", "text/plain"); it.Content != "How can I help?" {
		t.Fatalf("greeting %+v", it)
	}
	for _, step := range []struct{ say, reply string }{{"what's the price?", "It costs 5"}, {"hmm", "Sorry?"}, {"ok bye", "Goodbye"}} {
		sendMessage(t, srv, cust, step.say)
		cw.expectItem("MESSAGE", "text/plain")
		cw.expectItem("EVENT", wire.ContentTypeTyping)
		if it := cw.expectItem("MESSAGE", "text/plain"); it.Content != step.reply || it.ParticipantID != b.ParticipantID {
			t.Fatalf("after %q: %+v, want %q", step.say, it, step.reply)
		}
	}
	cw.expectItem("EVENT", wire.ContentTypeChatEnded)
}

func TestWithAgent(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithAgent(func() participanttest.Agent { return participanttest.EchoAgent{NoReceipts: true} }))
	out, r := startChatContact(t, srv, nil)
	r.wantOK(t)
	tr := srv.Transcript(out.ContactId)
	if len(tr) != 2 || tr[1].ContentType != wire.ContentTypeParticipantJoined || tr[1].ParticipantRole != "AGENT" || tr[1].DisplayName != "Echo" {
		t.Fatalf("transcript %+v", tr)
	}
	cust := connect(t, srv, participanttest.Participant{ContactID: out.ContactId, ParticipantToken: tokenOf(out.ParticipantToken)})
	cw := open(t, srv, cust)
	sendMessage(t, srv, cust, "ping")
	cw.expectItem("MESSAGE", "text/plain")
	cw.expectItem("EVENT", wire.ContentTypeTyping) // no receipt first
	if it := cw.expectItem("MESSAGE", "text/plain"); it.Content != "ping" {
		t.Fatalf("echo %+v", it)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	cw.expectItem("EVENT", wire.ContentTypeParticipantJoined)
	sendMessage(t, srv, cust, "hi")
	cw.expectItem("MESSAGE", "text/plain")
	if it := cw.expectItem("EVENT", wire.ContentTypeParticipantLeft); it.ParticipantID != p.ParticipantID {
		t.Fatalf("left %+v", it)
	}
	select {
	case err := <-q.done:
		if !errors.Is(err, participanttest.ErrLeft) {
			t.Fatalf("after leaving: %v, want ErrLeft from SendMessage and Next", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the agent did not finish")
	}
	if _, err := srv.AddAgent("nope", q); !errors.Is(err, participanttest.ErrUnknownContact) {
		t.Fatalf("AddAgent(unknown) = %v", err)
	}
}

// An agent's Next ends with ErrChatEnded after chat.ended, and Run returns.
func TestAgentSeesChatEnd(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	custP, _ := srv.StartChat(participanttest.ChatOptions{})
	q := quitter{done: make(chan error, 1)}
	if _, err := srv.AddAgent(custP.ContactID, q); err != nil {
		t.Fatal(err)
	}
	if err := srv.StopContact(custP.ContactID); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-q.done:
		if !errors.Is(err, participanttest.ErrChatEnded) {
			t.Fatalf("Next after chat.ended: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the agent did not see the end")
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
	if err != nil {
		t.Fatal(err)
	}
	if got := <-ids; got != [2]string{cust.ContactID, p.ParticipantID} {
		t.Fatalf("session ids %v", got)
	}
	if it := cw.expectItem("EVENT", wire.ContentTypeParticipantJoined); it.DisplayName != "Agent" || it.ParticipantRole != "CUSTOM_BOT" {
		t.Fatalf("joined %+v", it)
	}
	id, _ := sendMessage(t, srv, cust, "hi")
	cw.expectItem("MESSAGE", "text/plain")
	if it := cw.expectItem("MESSAGEMETADATA", wire.ContentTypeMessageMetadata); it.MessageMetadata.MessageID != id || it.MessageMetadata.Receipts[0].DeliveredTimestamp == "" {
		t.Fatalf("receipt %+v", it)
	}
	cw.expectItem("MESSAGE", "application/vnd.amazonaws.connect.message.interactive")
}
