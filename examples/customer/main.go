// Command customer is a chat customer: it starts a chat on a local
// Participant Service (`participant local`), joins it as a chat session,
// sends a few messages and prints every answer, then leaves.
//
//	go run ./cmd/participant local &
//	go run ./examples/customer --endpoint http://127.0.0.1:8480
//
// StartChatContact is a call of your backend (it needs AWS credentials);
// the local service takes it unsigned, which is all this example does with
// it. Everything after is what a customer's app does with the
// ParticipantToken it gets.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:8480", "the local Participant Service")
	name := flag.String("name", "Ann", "the customer's display name")
	messages := flag.String("say", "Hello!|Do you ship to Norway?", "messages to send, separated by |")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, *endpoint, *name, strings.Split(*messages, "|")); err != nil {
		fmt.Fprintln(os.Stderr, "customer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, endpoint, name string, messages []string) error {
	token, err := startChat(ctx, endpoint, name)
	if err != nil {
		return err
	}
	client := participant.New(participant.Options{BaseEndpoint: endpoint})
	defer client.CloseIdleConnections()
	sess, err := chat.Connect(ctx, client, token, &chat.Options{NoHistory: true})
	if err != nil {
		return err
	}
	defer sess.Close()

	for _, text := range messages {
		_ = sess.SendTyping(ctx)
		sent, err := sess.SendMessage(ctx, &chat.Message{Content: text})
		if err != nil {
			return err
		}
		fmt.Printf("%s: %s\n", name, text)
		// Wait for the answer: the next message from someone else.
		for {
			ev, err := sess.Next(ctx)
			if err != nil {
				return err
			}
			if ev.Kind == chat.KindChatEnded {
				return errors.New("the chat ended before an answer")
			}
			if ev.Kind == chat.KindMessage && !ev.Update && ev.Item.ID != sent.ID && ev.Item.ParticipantRole != participant.ParticipantRoleCustomer {
				fmt.Printf("%s: %s\n", ev.Item.DisplayName, ev.Item.Content)
				_ = sess.SendReadReceipt(ev.Item.ID)
				break
			}
		}
	}
	if err := sess.Disconnect(ctx); err != nil {
		return err
	}
	fmt.Println("(left the chat)")
	return nil
}

// startChat calls StartChatContact on the local service and returns the
// customer's ParticipantToken.
func startChat(ctx context.Context, endpoint, name string) (participant.Token, error) {
	body, _ := json.Marshal(map[string]any{
		"InstanceId":         "example-instance",
		"ContactFlowId":      "example-flow",
		"ParticipantDetails": map[string]string{"DisplayName": name},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, strings.TrimRight(endpoint, "/")+"/contact/chat", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("StartChatContact: %w (is `participant local` running?)", err)
	}
	defer resp.Body.Close()
	var out struct{ ParticipantToken string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.ParticipantToken == "" {
		return "", fmt.Errorf("StartChatContact: status %d", resp.StatusCode)
	}
	return participant.Token(out.ParticipantToken), nil
}
