// Command bot answers customers: it joins a chat as a custom bot
// (CreateParticipant), answers each customer message from a few rules, and
// ends when the chat does.
//
//	go run ./cmd/participant local --agent none &
//	chat=$(mktemp -d)/chat.json                                     # a temporary file, outside your work tree
//	go run ./cmd/participant start-chat --reveal-token > "$chat"    # the ContactId and the customer's token
//	go run ./examples/bot --contact-id "$(jq -r .ContactId "$chat")" &
//	printf 'What are your opening hours?\nDo you deliver to Spain?\n' |
//	    PARTICIPANT_TOKEN="$(jq -r .ParticipantToken "$chat")" go run ./cmd/participant chat --endpoint http://127.0.0.1:8480
//
// The last command is the customer: it sends the two questions, prints the
// bot's answers and leaves, which ends the chat and the bot. Without a pipe,
// `participant chat` lets you type the questions yourself.
//
// CreateParticipant is an Amazon Connect call of your backend (it needs AWS
// credentials); the local service takes it unsigned. The rest is what any
// bot does with the ParticipantToken it gets.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/chat"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:8480", "the local Participant Service")
	contactID := flag.String("contact-id", "", "the chat to join (required)")
	flag.Parse()
	if *contactID == "" {
		fmt.Fprintln(os.Stderr, "bot: --contact-id is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *endpoint, *contactID); err != nil {
		fmt.Fprintln(os.Stderr, "bot:", err)
		os.Exit(1)
	}
}

// answer is the bot's whole brain.
func answer(text string) string {
	t := strings.ToLower(text)
	switch {
	case strings.Contains(t, "hour") || strings.Contains(t, "open"):
		return "We're open 9:00-17:00, Monday to Friday."
	case strings.Contains(t, "ship") || strings.Contains(t, "deliver"):
		return "We ship to every country in Europe within 5 days."
	case strings.Contains(t, "hello") || strings.Contains(t, "hi"):
		return "Hello! Ask me about opening hours or shipping."
	}
	return "Sorry, I only know about opening hours and shipping."
}

func run(ctx context.Context, endpoint, contactID string) error {
	token, err := createParticipant(ctx, endpoint, contactID)
	if err != nil {
		return err
	}
	client := participant.New(participant.Options{BaseEndpoint: endpoint})
	defer client.CloseIdleConnections()
	// With the history (the default), a message the customer sent while the
	// bot was joining is answered too.
	sess, err := chat.Connect(ctx, client, token, nil)
	if err != nil {
		return err
	}
	defer sess.Close()
	fmt.Println("bot joined", contactID)
	for {
		ev, err := sess.Next(ctx)
		if err != nil {
			return err
		}
		switch ev.Kind {
		case chat.KindChatEnded:
			fmt.Println("chat ended")
			return nil
		case chat.KindMessage:
			if ev.Update || ev.Item.ParticipantRole != participant.ParticipantRoleCustomer {
				continue
			}
			_ = sess.SendReadReceipt(ev.Item.ID)
			_ = sess.SendTyping(ctx)
			reply := answer(ev.Item.Content)
			if _, err := sess.SendMessage(ctx, &chat.Message{Content: reply}); err != nil {
				return err
			}
			fmt.Printf("%q -> %q\n", ev.Item.Content, reply)
		}
	}
}

// createParticipant adds a custom bot to the contact on the local service
// and returns its ParticipantToken.
func createParticipant(ctx context.Context, endpoint, contactID string) (participant.Token, error) {
	body, _ := json.Marshal(map[string]any{
		"InstanceId":         "example-instance",
		"ContactId":          contactID,
		"ParticipantDetails": map[string]string{"ParticipantRole": "CUSTOM_BOT", "DisplayName": "Helper Bot"},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/contact/create-participant", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("CreateParticipant: %w (is `participant local` running?)", err)
	}
	defer resp.Body.Close()
	var out struct {
		ParticipantCredentials struct{ ParticipantToken string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.ParticipantCredentials.ParticipantToken == "" {
		return "", fmt.Errorf("CreateParticipant: status %d", resp.StatusCode)
	}
	return participant.Token(out.ParticipantCredentials.ParticipantToken), nil
}
