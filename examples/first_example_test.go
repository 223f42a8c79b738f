package examples_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/participanttest"
)

// A first program: the local service in this process, a customer's chat,
// a message, the agent's reply, the transcript, and leaving. The README
// shows this body as its first program (TestReadmeFirstProgram keeps the
// two the same).
func Example_firstProgram() {
	ctx := context.Background()

	// The local Participant Service, in this process; an agent echoes every message.
	srv := participanttest.NewServer(participanttest.WithAgent(func() participanttest.Agent {
		return participanttest.EchoAgent{DisplayName: "Echo", Prefix: "you said: "}
	}))
	defer srv.Close()
	client := srv.Client() // a *participant.Client for srv.URL

	// Your backend starts the chat (StartChatContact) and gives the customer its token.
	customer, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	if err != nil {
		log.Fatal(err)
	}

	// The customer's live session: a WebSocket, reconnects, every item once and in order.
	s, err := chat.Connect(ctx, client, customer.ParticipantToken, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SendMessage(ctx, &chat.Message{Content: "Hello!"}); err != nil {
		log.Fatal(err)
	}
	for {
		ev, err := s.Next(ctx)
		if err != nil {
			log.Fatal(err)
		}
		if ev.Kind == chat.KindMessage && ev.Item.ParticipantID != customer.ParticipantID {
			fmt.Println("reply:", ev.Item.Content)
			break
		}
	}

	// The transcript, page by page (GetTranscript), oldest first.
	in := &participant.GetTranscriptInput{ConnectionToken: s.ConnectionToken(), SortOrder: participant.SortOrderAscending}
	for it, err := range client.Transcript(ctx, in) {
		if err != nil {
			log.Fatal(err)
		}
		if it.Type == participant.ChatItemTypeMessage {
			fmt.Printf("%s: %s\n", it.DisplayName, it.Content)
		}
	}

	// Leave: for a customer, that ends the chat.
	if err := s.Disconnect(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// reply: you said: Hello!
	// Ann: Hello!
	// Echo: you said: Hello!
}

// TestReadmeFirstProgram checks that the README's first program is
// Example_firstProgram: the body of its main is the example's, line for
// line.
func TestReadmeFirstProgram(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	src, err := os.ReadFile("first_example_test.go")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)func main\\(\\) \\{\n(.*?)\n\\}\n```").FindSubmatch(readme)
	require.NotNil(t, m, "README.md has no Go program with a main")
	e := regexp.MustCompile("(?s)func Example_firstProgram\\(\\) \\{\n(.*?)\n\t// Output:").FindSubmatch(src)
	require.NotNil(t, e)
	assert.Equal(t, strings.TrimSpace(string(e[1])), strings.TrimSpace(string(m[1])), "README.md's first program differs from Example_firstProgram")
}
