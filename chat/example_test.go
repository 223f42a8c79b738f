package chat_test

import (
	"context"
	"fmt"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// A customer's chat with the emulator's echo agent: connect, send, read
// the events, leave.
func ExampleConnect() {
	srv := participanttest.NewServer(participanttest.WithSeed(1))
	defer srv.Close()
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	if err != nil {
		panic(err)
	}
	// Items of one millisecond are ordered by Id: let the agent join in
	// the next one.
	time.Sleep(5 * time.Millisecond)
	echo := participanttest.EchoAgent{DisplayName: "Echo", Prefix: "echo: ", Delay: 100 * time.Millisecond, NoReceipts: true}
	if _, err := srv.AddAgent(cust.ContactID, echo); err != nil {
		panic(err)
	}

	ctx := context.Background()
	s, err := chat.Connect(ctx, srv.Client(), cust.ParticipantToken, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	if _, err := s.SendMessage(ctx, &chat.Message{Content: "hello"}); err != nil {
		panic(err)
	}
	for {
		ev, err := s.Next(ctx)
		if err != nil {
			fmt.Println("Next:", err)
			return
		}
		switch ev.Kind {
		case chat.KindConnectionEstablished:
			fmt.Println("connected")
		case chat.KindParticipantJoined:
			fmt.Println(ev.Item.DisplayName, "joined")
		case chat.KindMessage:
			fmt.Printf("%s: %s\n", ev.Item.DisplayName, ev.Item.Content)
			if ev.Item.DisplayName == "Echo" {
				if err := s.Disconnect(ctx); err != nil {
					panic(err)
				}
			}
		case chat.KindParticipantLeft:
			fmt.Println(ev.Item.DisplayName, "left")
		case chat.KindChatEnded:
			fmt.Println("chat ended")
		}
	}
	// Output:
	// connected
	// Ann joined
	// Echo joined
	// Ann: hello
	// Echo: echo: hello
	// Ann left
	// chat ended
	// Next: chat: the chat has ended
}

// The network fails: the session reconnects with a fresh connection and
// fills the gap, so the message sent while it was away still arrives, once.
func ExampleSession_Next_reconnect() {
	srv := participanttest.NewServer(participanttest.WithSeed(2))
	defer srv.Close()
	cust, _ := srv.StartChat(participanttest.ChatOptions{})
	agent, _ := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Agent")

	ctx := context.Background()
	client := srv.Client() // one Client for both sessions
	s, err := chat.Connect(ctx, client, cust.ParticipantToken, &chat.Options{NoHistory: true})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	a, err := chat.Connect(ctx, client, agent.ParticipantToken, nil)
	if err != nil {
		panic(err)
	}
	defer a.Close()

	// Cut the chat's sockets, and make the reconnects (the customer's and
	// the agent's) slow, so that the agent's message is sent while the
	// customer is away.
	srv.Inject(participanttest.Latency(participanttest.OpCreateParticipantConnection, 300*time.Millisecond).Times(2))
	srv.DropSockets(cust.ContactID)
	time.Sleep(50 * time.Millisecond)
	if _, err := a.SendMessage(ctx, &chat.Message{Content: "are you there?"}); err != nil {
		panic(err)
	}
	for {
		ev, err := s.Next(ctx)
		if err != nil {
			panic(err)
		}
		switch ev.Kind {
		case chat.KindConnectionEstablished:
			fmt.Println("connected")
		case chat.KindConnectionLost:
			fmt.Println("connection lost")
		case chat.KindConnectionReestablished:
			fmt.Println("reconnected")
		case chat.KindMessage:
			fmt.Println(ev.Item.Content)
			st := s.Stats()
			fmt.Println("reconnects:", st.Reconnects, "gap-filled:", st.GapFilledItems)
			return
		}
	}
	// Output:
	// connected
	// connection lost
	// reconnected
	// are you there?
	// reconnects: 1 gap-filled: 1
}

// KindOf sorts the items of a GetTranscript page the way a session does.
func ExampleKindOf() {
	page := []participant.Item{
		{Type: participant.ChatItemTypeEvent, ContentType: "application/vnd.amazonaws.connect.event.participant.joined"},
		{Type: participant.ChatItemTypeMessage, ContentType: participant.ContentTypePlainText, Content: "hello"},
		{Type: participant.ChatItemTypeEvent, ContentType: participant.ContentTypeTyping},
		{Type: participant.ChatItemTypeEvent, ContentType: "application/vnd.amazonaws.connect.event.authentication.succeeded"},
		{Type: participant.ChatItemTypeEvent, ContentType: "application/vnd.amazonaws.connect.event.chat.ended"},
		{Type: "SOMETHING_NEW"},
	}
	for _, it := range page {
		fmt.Println(chat.KindOf(it))
	}
	// Output:
	// ParticipantJoined
	// Message
	// Typing
	// Authentication
	// ChatEnded
	// Other
}
