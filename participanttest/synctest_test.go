package participanttest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/connectchat/participant"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		require.NoError(t, err)
		agent, _ := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "A")
		conn, err := srv.Connect(cust.ParticipantToken)
		require.NoError(t, err)
		agentConn, _ := srv.Connect(agent.ParticipantToken)

		// The WebSocket works in memory too.
		ws, _, err := websocket.Dial(ctx, agentConn.WebSocketURL, &websocket.DialOptions{HTTPClient: srv.HTTPClient()})
		require.NoError(t, err)
		defer ws.CloseNow()
		require.NoError(t, ws.Write(ctx, websocket.MessageText, []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)))
		_, ack, err := ws.Read(ctx)
		require.NoError(t, err, "ack")
		require.True(t, json.Valid(ack), "ack %s", ack)

		client := srv.Client()
		// Latency: the call takes exactly the injected delay of fake time.
		srv.Inject(participanttest.Latency(participanttest.OpSendEvent, 3*time.Second))
		start := time.Now()
		out, err := client.SendTyping(ctx, conn.ConnectionToken)
		require.NoError(t, err)
		assert.Equal(t, 3*time.Second, time.Since(start), "the fake time the call took")
		_, frame, err := ws.Read(ctx)
		require.NoError(t, err)
		var f struct{ Content string }
		_ = json.Unmarshal(frame, &f)
		var it participanttest.Item
		require.NoError(t, json.Unmarshal([]byte(f.Content), &it), "typing frame %s", frame)
		require.Equal(t, out.ID, it.ID, "typing frame %s", frame)

		// Retries: two throttled attempts, then success, with backoff in
		// fake time and one ClientToken throughout.
		srv.Inject(participanttest.Fail(participanttest.OpSendEvent, "ThrottlingException").Times(2))
		before := len(srv.Requests())
		_, err = client.SendTyping(ctx, conn.ConnectionToken)
		require.NoError(t, err, "after two throttles")
		reqs := srv.Requests()[before:]
		require.Len(t, reqs, 3, "attempts %+v", reqs)
		require.Equal(t, []int{429, 429, 200}, []int{reqs[0].Status, reqs[1].Status, reqs[2].Status}, "attempts %+v", reqs)
		var tok [3]struct{ ClientToken string }
		for i, r := range reqs {
			_ = json.Unmarshal(r.Body, &tok[i])
		}
		assert.NotEmpty(t, tok[0].ClientToken, "ClientTokens %v", tok)
		assert.Equal(t, tok[0], tok[1], "ClientTokens %v", tok)
		assert.Equal(t, tok[1], tok[2], "ClientTokens %v", tok)
		assert.NoError(t, srv.CheckFaults())

		// The connection token expires after an hour of fake time.
		time.Sleep(time.Hour)
		_, err = client.SendTyping(ctx, conn.ConnectionToken)
		var denied *participant.AccessDeniedError
		require.ErrorAs(t, err, &denied, "after an hour")
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
		_, err := srv.AddAgent(cust.ContactID, participanttest.EchoAgent{Delay: 5 * time.Second, NoReceipts: true})
		require.NoError(t, err)
		conn, _ := srv.Connect(cust.ParticipantToken)
		start := time.Now()
		// Post a customer message directly over HTTP.
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/participant/message", strings.NewReader(`{"ContentType":"text/plain","Content":"hi"}`))
		req.Header.Set("X-Amz-Bearer", conn.ConnectionToken.Reveal())
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "SendMessage")
		synctest.Wait() // the agent is durably blocked in its delay, or done
		require.Equal(t, 1, countMessages(srv, cust.ContactID), "messages before the delay")
		time.Sleep(5 * time.Second)
		synctest.Wait()
		require.Equal(t, 2, countMessages(srv, cust.ContactID), "messages after the delay")
		assert.Equal(t, 5*time.Second, time.Since(start), "elapsed")
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
