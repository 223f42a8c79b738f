package participanttest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/connectchat/participant"
	"github.com/connectchat/participant/participanttest"
)

// In memory, inside a synctest bubble, fake time drives token expiry,
// latency faults and the client's retry backoff: nothing waits for real.
func TestInMemoryUnderSynctest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := participanttest.NewUnstartedServer(participanttest.WithLifetimes(participanttest.Lifetimes{ConnectionToken: time.Hour}))
		srv.StartInMemory()
		defer srv.Close()
		ctx := context.Background()
		cust, err := srv.StartChat(participanttest.ChatOptions{})
		if err != nil {
			t.Fatal(err)
		}
		agent, _ := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "A")
		conn, err := srv.Connect(cust.ParticipantToken)
		if err != nil {
			t.Fatal(err)
		}
		agentConn, _ := srv.Connect(agent.ParticipantToken)

		// The WebSocket works in memory too.
		ws, _, err := websocket.Dial(ctx, agentConn.WebSocketURL, &websocket.DialOptions{HTTPClient: srv.HTTPClient()})
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		if err := ws.Write(ctx, websocket.MessageText, []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)); err != nil {
			t.Fatal(err)
		}
		if _, ack, err := ws.Read(ctx); err != nil || !json.Valid(ack) {
			t.Fatalf("ack %s: %v", ack, err)
		}

		client := srv.Client()
		// Latency: the call takes exactly the injected delay of fake time.
		srv.Inject(participanttest.Latency(participanttest.OpSendEvent, 3*time.Second))
		start := time.Now()
		out, err := client.SendTyping(ctx, conn.ConnectionToken)
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("the call took %s of fake time, want 3s", d)
		}
		_, frame, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var f struct{ Content string }
		_ = json.Unmarshal(frame, &f)
		var it participanttest.Item
		if err := json.Unmarshal([]byte(f.Content), &it); err != nil || it.ID != out.ID {
			t.Fatalf("typing frame %s, want item %s", frame, out.ID)
		}

		// Retries: two throttled attempts, then success, with backoff in
		// fake time and one ClientToken throughout.
		srv.Inject(participanttest.Fail(participanttest.OpSendEvent, "ThrottlingException").Times(2))
		before := len(srv.Requests())
		if _, err := client.SendTyping(ctx, conn.ConnectionToken); err != nil {
			t.Fatalf("after two throttles: %v", err)
		}
		reqs := srv.Requests()[before:]
		if len(reqs) != 3 || reqs[0].Status != 429 || reqs[1].Status != 429 || reqs[2].Status != 200 {
			t.Fatalf("attempts %+v", reqs)
		}
		var tok [3]struct{ ClientToken string }
		for i, r := range reqs {
			_ = json.Unmarshal(r.Body, &tok[i])
		}
		if tok[0].ClientToken == "" || tok[0] != tok[1] || tok[1] != tok[2] {
			t.Errorf("ClientTokens %v", tok)
		}
		if err := srv.CheckFaults(); err != nil {
			t.Error(err)
		}

		// The connection token expires after an hour of fake time.
		time.Sleep(time.Hour)
		_, err = client.SendTyping(ctx, conn.ConnectionToken)
		var denied *participant.AccessDeniedError
		if !errors.As(err, &denied) {
			t.Fatalf("after an hour: %v", err)
		}
		ws.Close(websocket.StatusNormalClosure, "")
	})
}

// Agent delays run on fake time as well.
func TestAgentDelayUnderSynctest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := participanttest.NewUnstartedServer()
		srv.StartInMemory()
		defer srv.Close()
		cust, _ := srv.StartChat(participanttest.ChatOptions{})
		if _, err := srv.AddAgent(cust.ContactID, participanttest.EchoAgent{Delay: 5 * time.Second, NoReceipts: true}); err != nil {
			t.Fatal(err)
		}
		conn, _ := srv.Connect(cust.ParticipantToken)
		start := time.Now()
		// Post a customer message directly over HTTP.
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/participant/message", strings.NewReader(`{"ContentType":"text/plain","Content":"hi"}`))
		req.Header.Set("X-Amz-Bearer", conn.ConnectionToken.Reveal())
		resp, err := srv.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("SendMessage: %d", resp.StatusCode)
		}
		synctest.Wait() // the agent is durably blocked in its delay, or done
		if n := countMessages(srv, cust.ContactID); n != 1 {
			t.Fatalf("%d messages before the delay, want 1", n)
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if n := countMessages(srv, cust.ContactID); n != 2 {
			t.Fatalf("%d messages after the delay, want 2", n)
		}
		if d := time.Since(start); d != 5*time.Second {
			t.Errorf("elapsed %s", d)
		}
	})
}

func countMessages(srv *participanttest.Server, contactID string) int {
	n := 0
	for _, it := range srv.Transcript(contactID) {
		if it.Type == "MESSAGE" {
			n++
		}
	}
	return n
}
