// Command bot puts a bot into every chat: the example of the bot runtime
// (package bot). Run the local service, then the bot:
//
//	go run ./cmd/participant local --agent none --contact-events http://127.0.0.1:8481/contact-events,local-secret
//	go run ./examples/bot --endpoint http://127.0.0.1:8480 --listen 127.0.0.1:8481 --secret local-secret
//
// Then open http://127.0.0.1:8480/ and start a chat as the customer: the
// bot joins it (the local service POSTs the chat's INITIATED contact event
// to the bot, which adds itself with CreateParticipant), answers "what are
// your hours?", and on "agent" says goodbye and leaves, so that the contact
// flow can route the chat to a person. Ctrl-C stops the bot gracefully: it
// takes no new chats, lets running ones finish for up to 10 seconds, then
// leaves them. It writes no files.
//
// On Amazon Connect the same program runs with two changes: Join is
// connectjoin.New(connect.NewFromConfig(cfg), instanceID, name) (the
// module github.com/connectchat/participant/bot/connectjoin, which signs
// its calls; here a plain HTTP call to the local service stands in for
// it), and the participant.Client comes from participant.NewFromConfig.
// An EventBridge rule (source aws.connect, detail-type "Amazon Connect
// Contact Event", detail.channel CHAT) targets an API destination at
// /contact-events whose connection sends the secret as the API key header
// X-Contact-Events-Secret.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/examples/bot/hours"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:8480", "the local service (`participant local`)")
	listen := flag.String("listen", "127.0.0.1:8481", "where the contact events intake listens")
	secret := flag.String("secret", "local-secret", "the secret the contact events carry in the X-Contact-Events-Secret header")
	name := flag.String("name", "Helper Bot", "the bot's display name")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *endpoint, *listen, *secret, *name); err != nil {
		fmt.Fprintln(os.Stderr, "bot:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, endpoint, listen, secret, name string) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	client := participant.New(participant.Options{BaseEndpoint: endpoint})
	defer client.CloseIdleConnections()
	r, err := bot.New(bot.Options{
		Client: client,
		Join:   localJoin(endpoint, name),
		Handle: hours.Handle,
		Logger: log,
	})
	if err != nil {
		return err
	}
	intake, err := r.ContactEvents(bot.IntakeOptions{Secret: secret})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /contact-events", intake)
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Printf("bot %q taking contact events at http://%s/contact-events\n", name, ln.Addr())

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	fmt.Println("stopping: no new chats; leaving the running ones within 10s")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	err = r.Shutdown(sctx)
	st := r.Stats()
	fmt.Printf("stopped: %d chats joined, %d left, %d duplicate intakes, %d panics\n", st.Joined, st.Left, st.Duplicates, st.Panics)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil // the handlers were stopped and their chats left
	}
	return err
}

// localJoin adds the bot to a chat of the local service with
// CreateParticipant, unsigned, which the local service accepts. Its
// ClientToken is derived from the contact id and the bot's name, as
// connectjoin's, so a repeated intake gets the same participant.
func localJoin(endpoint, name string) bot.JoinFunc {
	hc := &http.Client{Timeout: 10 * time.Second}
	return func(ctx context.Context, contactID string) (participant.Token, error) {
		body, _ := json.Marshal(map[string]any{
			"InstanceId":         "local",
			"ContactId":          contactID,
			"ClientToken":        uuid.NewSHA1(uuid.NameSpaceURL, []byte("bot:"+contactID+"/"+name)).String(),
			"ParticipantDetails": map[string]string{"ParticipantRole": "CUSTOM_BOT", "DisplayName": name},
		})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/contact/create-participant", bytes.NewReader(body))
		if err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return "", fmt.Errorf("CreateParticipant: %w (is `participant local` running?)", err)
		}
		defer resp.Body.Close()
		var out struct {
			ParticipantCredentials struct{ ParticipantToken string }
			Message                string
		}
		_ = json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 64<<10)).Decode(&out)
		if resp.StatusCode != http.StatusOK || out.ParticipantCredentials.ParticipantToken == "" {
			return "", fmt.Errorf("CreateParticipant: %s %s", resp.Status, out.Message)
		}
		return participant.Token(out.ParticipantCredentials.ParticipantToken), nil
	}
}
