package participanttest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/coder/websocket"
	"github.com/connectchat/participant"
	"github.com/connectchat/participant/participanttest"
)

func ExampleNewServer() {
	srv := participanttest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	// What a backend does with StartChatContact and CreateParticipant.
	ann, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	if err != nil {
		panic(err)
	}
	bo, err := srv.AddParticipant(ann.ContactID, participanttest.RoleAgent, "Bo")
	if err != nil {
		panic(err)
	}

	// What each participant's app does, with the client.
	client := srv.Client()
	connect := func(p participanttest.Participant) participant.Token {
		out, err := client.CreateParticipantConnection(ctx, &participant.CreateParticipantConnectionInput{
			ParticipantToken: p.ParticipantToken,
			Type:             []participant.ConnectionType{participant.ConnectionTypeConnectionCredentials},
		})
		if err != nil {
			panic(err)
		}
		return out.ConnectionCredentials.ConnectionToken
	}
	annTok, boTok := connect(ann), connect(bo)
	send := func(tok participant.Token, text string) {
		if _, err := client.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: tok, ContentType: participant.ContentTypePlainText, Content: text}); err != nil {
			panic(err)
		}
	}
	send(annTok, "Hello?")
	send(boTok, "Hi Ann, how can I help?")

	for it, err := range client.Transcript(ctx, &participant.GetTranscriptInput{ConnectionToken: annTok, SortOrder: participant.SortOrderAscending}) {
		if err != nil {
			panic(err)
		}
		line := fmt.Sprint(it.Type, " ", it.DisplayName, " ", strings.TrimPrefix(string(it.ContentType), "application/vnd.amazonaws.connect.event."), " ", it.Content)
		fmt.Println(strings.TrimSpace(line))
	}
	// Output:
	// EVENT Ann participant.joined
	// EVENT Bo participant.joined
	// MESSAGE Ann text/plain Hello?
	// MESSAGE Bo text/plain Hi Ann, how can I help?
}

func ExampleServer_Inject() {
	srv := participanttest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	ann, _ := srv.StartChat(participanttest.ChatOptions{})
	conn, _ := srv.Connect(ann.ParticipantToken)

	// The next SendMessage is throttled; with retries off, the caller sees it.
	srv.Inject(participanttest.Fail(participanttest.OpSendMessage, "ThrottlingException"))
	client := srv.Client(func(o *participant.Options) { o.RetryMaxAttempts = 1 })
	in := &participant.SendMessageInput{ConnectionToken: conn.ConnectionToken, ContentType: participant.ContentTypePlainText, Content: "hi"}
	_, err := client.SendMessage(ctx, in)
	var throttled *participant.ThrottlingError
	fmt.Println("throttled:", errors.As(err, &throttled))
	_, err = client.SendMessage(ctx, in)
	fmt.Println("then:", err)
	fmt.Println("faults consumed:", srv.CheckFaults() == nil)
	// Output:
	// throttled: true
	// then: <nil>
	// faults consumed: true
}

func ExampleEchoAgent() {
	srv := participanttest.NewServer(participanttest.WithAgent(func() participanttest.Agent {
		return participanttest.EchoAgent{Prefix: "you said: ", NoReceipts: true}
	}))
	defer srv.Close()
	ctx := context.Background()
	ann, _ := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	conn, _ := srv.Connect(ann.ParticipantToken)

	// Ann's socket: subscribe, then read items.
	ws, _, err := websocket.Dial(ctx, conn.WebSocketURL, &websocket.DialOptions{HTTPClient: srv.HTTPClient()})
	if err != nil {
		panic(err)
	}
	defer ws.CloseNow()
	_ = ws.Write(ctx, websocket.MessageText, []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`))
	_, _, _ = ws.Read(ctx) // the ack

	client := srv.Client()
	_, _ = client.SendMessage(ctx, &participant.SendMessageInput{ConnectionToken: conn.ConnectionToken, ContentType: participant.ContentTypePlainText, Content: "ping"})
	for range 3 {
		_, b, err := ws.Read(ctx)
		if err != nil {
			panic(err)
		}
		var frame struct{ Content string }
		var it participanttest.Item
		_ = json.Unmarshal(b, &frame)
		_ = json.Unmarshal([]byte(frame.Content), &it)
		line := it.ParticipantRole + " " + strings.TrimPrefix(it.ContentType, "application/vnd.amazonaws.connect.event.") + " " + it.Content
		fmt.Println(strings.TrimSpace(line))
	}
	_ = ws.Close(websocket.StatusNormalClosure, "")
	// Output:
	// CUSTOMER text/plain ping
	// AGENT typing
	// AGENT text/plain you said: ping
}
