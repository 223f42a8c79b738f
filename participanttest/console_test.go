package participanttest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// consoleReq is a request to the console or its control API.
type consoleReq struct {
	method, path string
	body         string
	host         string            // the Host, when not the server's
	header       map[string]string // Origin, Sec-Fetch-Site, Content-Type...
}

// do sends the request; a body is sent as application/json unless the
// header says otherwise.
func (cr consoleReq) do(t *testing.T, srv *participanttest.Server) response {
	t.Helper()
	var rd io.Reader
	if cr.body != "" {
		rd = strings.NewReader(cr.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), cr.method, srv.URL+cr.path, rd)
	require.NoError(t, err)
	if cr.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range cr.header {
		req.Header.Set(k, v)
	}
	if cr.host != "" {
		req.Host = cr.host
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func consoleGet(t *testing.T, srv *participanttest.Server, path string, v any) {
	t.Helper()
	r := consoleReq{method: http.MethodGet, path: path}.do(t, srv)
	require.Equal(t, http.StatusOK, r.status, "GET %s: %s", path, r.body)
	require.NoError(t, json.Unmarshal(r.body, v))
}

func consolePost(t *testing.T, srv *participanttest.Server, path, body string) response {
	t.Helper()
	return consoleReq{method: http.MethodPost, path: path, body: body}.do(t, srv)
}

func TestConsolePage(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tests := []struct {
		path, contentType, contains string
	}{
		{"/", "text/html; charset=utf-8", "agent console"},
		{"/console/console.js", "text/javascript; charset=utf-8", "class ChatClient"},
		{"/console/console.css", "text/css; charset=utf-8", ".transcript"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			r := consoleReq{method: http.MethodGet, path: tc.path}.do(t, srv)
			require.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, tc.contentType, r.header.Get("Content-Type"))
			assert.Contains(t, string(r.body), tc.contains)
			assert.Contains(t, r.header.Get("Content-Security-Policy"), "default-src 'self'", "no CDN, nothing from elsewhere")
			assert.Contains(t, r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
			assert.Empty(t, r.header.Get("Access-Control-Allow-Origin"), "the console answers no CORS")
		})
	}
	// The page is not a service request.
	for _, req := range srv.Requests() {
		assert.NotEqual(t, "/", req.Path)
	}
	// Every other method of "/" is still an unknown operation.
	r := consoleReq{method: http.MethodPost, path: "/", body: "{}"}.do(t, srv)
	r.wantError(t, http.StatusNotFound, "UnknownOperationException")
}

func TestWithoutConsole(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithoutConsole())
	for _, p := range []string{"/", "/console/console.js", "/console/api/state"} {
		r := consoleReq{method: http.MethodGet, path: p}.do(t, srv)
		r.wantError(t, http.StatusNotFound, "UnknownOperationException")
	}
}

// TestConsoleOriginCheck: the control API answers same-origin requests and
// programs that send no Origin; it refuses other sites' pages, preflights,
// foreign Host names (DNS rebinding) and non-JSON POSTs. The Participant
// Service endpoints keep their CORS.
func TestConsoleOriginCheck(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	self := srv.URL
	host := strings.TrimPrefix(self, "http://")
	port := host[strings.LastIndex(host, ":"):]
	tests := []struct {
		name string
		req  consoleReq
		want int
	}{
		{"no Origin (a program)", consoleReq{method: "GET", path: "/console/api/state"}, 200},
		{"same origin", consoleReq{method: "GET", path: "/console/api/state", header: map[string]string{"Origin": self, "Sec-Fetch-Site": "same-origin"}}, 200},
		{"same origin by localhost", consoleReq{method: "GET", path: "/console/api/state", host: "localhost" + port, header: map[string]string{"Origin": "http://localhost" + port}}, 200},
		{"typed in the address bar", consoleReq{method: "GET", path: "/console/api/state", header: map[string]string{"Sec-Fetch-Site": "none"}}, 200},
		{"another origin", consoleReq{method: "GET", path: "/console/api/state", header: map[string]string{"Origin": "http://evil.example"}}, 403},
		{"another port", consoleReq{method: "GET", path: "/console/api/state", header: map[string]string{"Origin": "http://127.0.0.1:1"}}, 403},
		{"an opaque origin", consoleReq{method: "GET", path: "/console/api/state", header: map[string]string{"Origin": "null"}}, 403},
		{"cross-site without Origin", consoleReq{method: "GET", path: "/console/api/state", header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, 403},
		{"same-site, other origin", consoleReq{method: "GET", path: "/console/api/state", header: map[string]string{"Sec-Fetch-Site": "same-site"}}, 403},
		{"a rebound DNS name", consoleReq{method: "GET", path: "/console/api/state", host: "attacker.example" + port, header: map[string]string{"Origin": "http://attacker.example" + port}}, 403},
		{"a preflight", consoleReq{method: "OPTIONS", path: "/console/api/faults", header: map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}}, 403},
		{"a cross-origin fault", consoleReq{method: "POST", path: "/console/api/faults", body: `{"kind":"DropSocket"}`, header: map[string]string{"Origin": "http://evil.example"}}, 403},
		{"a form post", consoleReq{method: "POST", path: "/console/api/faults", body: `{"kind":"DropSocket"}`, header: map[string]string{"Content-Type": "text/plain"}}, 403},
		{"a cross-origin clear", consoleReq{method: "DELETE", path: "/console/api/faults", header: map[string]string{"Origin": "http://evil.example"}}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tc.req.do(t, srv)
			assert.Equal(t, tc.want, r.status, "%s", r.body)
			assert.Empty(t, r.header.Get("Access-Control-Allow-Origin"))
			if tc.want == 403 {
				assert.Contains(t, r.message(t), "participanttest console")
			}
		})
	}
	assert.NoError(t, srv.CheckFaults(), "no refused request injected a fault")

	// The service's own endpoints still answer any origin.
	r := consoleReq{method: "OPTIONS", path: "/participant/message", header: map[string]string{"Origin": "http://widget.example", "Access-Control-Request-Method": "POST"}}.do(t, srv)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "http://widget.example", r.header.Get("Access-Control-Allow-Origin"))
	r = consoleReq{method: "PUT", path: "/contact/chat", body: `{"InstanceId":"i","ContactFlowId":"f","ParticipantDetails":{"DisplayName":"Ann"}}`, header: map[string]string{"Origin": "http://widget.example"}}.do(t, srv)
	r.wantOK(t)
	assert.Equal(t, "http://widget.example", r.header.Get("Access-Control-Allow-Origin"))
}

type consoleSnapshot struct {
	URL      string
	Seed     string
	Contacts []struct {
		ID, InitialID, Started, Ended string
		Active                        bool
		Items                         int
		Participants                  []struct {
			ID, Role, Name            string
			Left, Connected, Scripted bool
			Sockets                   int
		}
		Last *struct{ Name, Role, Content string }
	}
	Faults []consoleFault
}

type consoleFault struct {
	ID                       int
	Description, Kind, Op    string
	ContactID, ParticipantID string
	Always, Live             bool
	Times, Fired             int
	Probability              float64
}

func TestConsoleState(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithSeed(7), participanttest.WithAgent(func() participanttest.Agent { return participanttest.EchoAgent{DisplayName: "Echo"} }))
	var snap consoleSnapshot
	consoleGet(t, srv, "/console/api/state", &snap)
	assert.Equal(t, srv.URL, snap.URL)
	assert.Equal(t, "7", snap.Seed)
	assert.Empty(t, snap.Contacts)
	assert.Empty(t, snap.Faults)

	first, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann", InitialMessage: "hello"})
	require.NoError(t, err)
	c := connect(t, srv, first)
	open(t, srv, c)
	second, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Bo"})
	require.NoError(t, err)
	require.NoError(t, srv.StopContact(second.ContactID))

	consoleGet(t, srv, "/console/api/state", &snap)
	require.Len(t, snap.Contacts, 2)
	got := map[string]int{}
	for i, ct := range snap.Contacts {
		got[ct.ID] = i
	}
	ann, bo := snap.Contacts[got[first.ContactID]], snap.Contacts[got[second.ContactID]]
	assert.True(t, ann.Active)
	assert.Empty(t, ann.Ended)
	assert.NotEmpty(t, ann.Started)
	require.Len(t, ann.Participants, 2)
	assert.Equal(t, "Ann", ann.Participants[0].Name)
	assert.Equal(t, participanttest.RoleCustomer, ann.Participants[0].Role)
	assert.True(t, ann.Participants[0].Connected)
	assert.Equal(t, 1, ann.Participants[0].Sockets)
	assert.False(t, ann.Participants[0].Scripted)
	assert.Equal(t, "Echo", ann.Participants[1].Name)
	assert.True(t, ann.Participants[1].Scripted)
	require.NotNil(t, ann.Last)
	assert.Equal(t, "Ann", ann.Last.Name)

	assert.False(t, bo.Active)
	assert.NotEmpty(t, bo.Ended, "the time of chat.ended")
	assert.GreaterOrEqual(t, bo.Started, ann.Started)

	// The watched transcript is the service's.
	var tr struct{ Transcript []participanttest.Item }
	consoleGet(t, srv, "/console/api/contacts/"+first.ContactID+"/transcript", &tr)
	assert.Equal(t, srv.Transcript(first.ContactID), tr.Transcript)
	r := consoleReq{method: "GET", path: "/console/api/contacts/nope/transcript"}.do(t, srv)
	assert.Equal(t, http.StatusNotFound, r.status)
	r = consoleReq{method: "GET", path: "/console/api/nothing"}.do(t, srv)
	assert.Equal(t, http.StatusNotFound, r.status)
}

func TestConsoleFaults(t *testing.T) {
	t.Parallel()
	good := []struct {
		spec, desc, kind string
	}{
		{`{"kind":"Fail","op":"SendMessage","code":"ThrottlingException"}`, "Fail(SendMessage, ThrottlingException)", "Fail"},
		{`{"kind":"Fail","op":"*","code":"InternalServerException","always":true}`, "Fail(*, InternalServerException).Always()", "Fail"},
		{`{"kind":"Fail","code":"X","status":503,"times":3}`, "Fail(*, X).WithStatus(503).Times(3)", "Fail"},
		{`{"kind":"Throttle","op":"SendEvent","rate":2,"burst":4}`, "Throttle(SendEvent, 2, 4)", "Throttle"},
		{`{"kind":"Latency","op":"GetTranscript","delay":"250ms","probability":0.5}`, "Latency(GetTranscript, 250ms).Probability(0.5)", "Latency"},
		{`{"kind":"DropSocket","contactId":"c1"}`, "DropSocket().ForContact(c1)", "DropSocket"},
		{`{"kind":"CloseSocket","closeCode":4000,"reason":"bye","participantId":"p1"}`, `CloseSocket(4000, "bye").ForParticipant(p1)`, "CloseSocket"},
		{`{"kind":"SilenceHeartbeats","always":true}`, "SilenceHeartbeats().Always()", "SilenceHeartbeats"},
		{`{"kind":"SilencePings"}`, "SilencePings()", "SilencePings"},
		{`{"kind":"FailPings"}`, "FailPings()", "FailPings"},
		{`{"kind":"RefuseWebSocket","status":503}`, "RefuseWebSocket(503)", "RefuseWebSocket"},
		{`{"kind":"DuplicateFrames"}`, "DuplicateFrames()", "DuplicateFrames"},
		{`{"kind":"ReorderFrames"}`, "ReorderFrames()", "ReorderFrames"},
		{`{"kind":"ErrorFrame","message":"Internal server error"}`, `ErrorFrame("Internal server error")`, "ErrorFrame"},
		{`{"spec":"fail(sendmessage, throttlingexception).always().probability(1)"}`, "Fail(SendMessage, ThrottlingException).Probability(1).Always()", "Fail"},
	}
	for _, tc := range good {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			r := consolePost(t, srv, "/console/api/faults", tc.spec)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var f consoleFault
			r.decode(t, &f)
			assert.Equal(t, tc.desc, f.Description)
			assert.Equal(t, tc.kind, f.Kind)
			assert.True(t, f.Live)
			assert.Zero(t, f.Fired)
			var snap consoleSnapshot
			consoleGet(t, srv, "/console/api/state", &snap)
			assert.Equal(t, []consoleFault{f}, snap.Faults)
		})
	}

	bad := []struct{ name, spec, msg string }{
		{"not JSON", `{`, "bad request body"},
		{"no kind", `{}`, "a call without a name"},
		{"unknown kind", `{"kind":"Explode"}`, `unknown fault "Explode"`},
		{"unknown operation", `{"kind":"Fail","op":"Nope","code":"X"}`, "unknown operation"},
		{"Fail without a code", `{"kind":"Fail","op":"SendMessage"}`, "an error code is 1 to 128"},
		{"Fail with an unknown code", `{"kind":"Fail","op":"SendMessage","code":"Nope"}`, `unknown error code "Nope"`},
		{"Fail with a 200", `{"kind":"Fail","code":"X","status":200}`, "400-599"},
		{"Throttle at zero", `{"kind":"Throttle","rate":0}`, "rate above 0"},
		{"Latency unparsable", `{"kind":"Latency","delay":"soon"}`, "delay such as"},
		{"Latency negative", `{"kind":"Latency","delay":"-1s"}`, "a delay above 0"},
		{"a bad close code", `{"kind":"CloseSocket","closeCode":1005}`, "close code"},
		{"a probability above 1", `{"kind":"DropSocket","probability":1.5}`, "probability"},
		{"a bad spec", `{"spec":"DropSocket(.Always()"}`, "DropSocket"},
		{"negative times", `{"kind":"DropSocket","times":-1}`, "Times must be at least 1"},
	}
	srv := newServer(t)
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := consolePost(t, srv, "/console/api/faults", tc.spec)
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Contains(t, r.message(t), tc.msg)
		})
	}
	var snap consoleSnapshot
	consoleGet(t, srv, "/console/api/state", &snap)
	assert.Empty(t, snap.Faults, "nothing injected by a bad spec")
}

// TestConsoleFaultsFire: a fault injected from the console fires on the
// service's requests, its count shows it, and it can be removed alone or
// with the others, including those injected from Go.
func TestConsoleFaultsFire(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.Inject(participanttest.Latency(participanttest.OpGetTranscript, time.Millisecond).Always())
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})

	r := consolePost(t, srv, "/console/api/faults", `{"kind":"Fail","op":"SendMessage","code":"ThrottlingException","times":2}`)
	require.Equal(t, http.StatusOK, r.status)
	var f consoleFault
	r.decode(t, &f)
	for range 2 {
		post(t, srv, "/participant/message", cust.token, map[string]string{"ContentType": "text/plain", "Content": "hi"}).wantError(t, 429, "ThrottlingException")
	}
	sendMessage(t, srv, cust, "through")

	var snap consoleSnapshot
	consoleGet(t, srv, "/console/api/state", &snap)
	require.Len(t, snap.Faults, 2)
	assert.Equal(t, "Latency(GetTranscript, 1ms).Always()", snap.Faults[0].Description, "faults injected from Go are listed too")
	assert.Equal(t, f.ID, snap.Faults[1].ID, "ids stay")
	assert.Equal(t, 2, snap.Faults[1].Fired)
	assert.False(t, snap.Faults[1].Live)

	r = consoleReq{method: "DELETE", path: "/console/api/faults/" + itoa(f.ID)}.do(t, srv)
	assert.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = consoleReq{method: "DELETE", path: "/console/api/faults/" + itoa(f.ID)}.do(t, srv)
	assert.Equal(t, http.StatusNotFound, r.status)
	r = consoleReq{method: "DELETE", path: "/console/api/faults/0"}.do(t, srv)
	assert.Equal(t, http.StatusNotFound, r.status)
	consoleGet(t, srv, "/console/api/state", &snap)
	require.Len(t, snap.Faults, 1)
	assert.Equal(t, "Latency", snap.Faults[0].Kind)

	r = consoleReq{method: "DELETE", path: "/console/api/faults"}.do(t, srv)
	assert.Equal(t, http.StatusOK, r.status)
	consoleGet(t, srv, "/console/api/state", &snap)
	assert.Empty(t, snap.Faults)
	assert.NoError(t, srv.CheckFaults())
}

func TestConsoleSockets(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, agent := startChat(t, srv, participanttest.ChatOptions{})
	w1, w2 := open(t, srv, cust), open(t, srv, agent)

	r := consolePost(t, srv, "/console/api/contacts/"+cust.ContactID+"/sockets", `{"action":"close","code":4001,"reason":"from the console"}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.JSONEq(t, `{"sockets":2}`, string(r.body))
	for _, w := range []*ws{w1, w2} {
		_, err := w.readErr()
		var ce websocket.CloseError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, websocket.StatusCode(4001), ce.Code)
	}

	w3 := open(t, srv, connect(t, srv, cust.Participant))
	r = consolePost(t, srv, "/console/api/contacts/"+cust.ContactID+"/sockets", `{"action":"drop"}`)
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"sockets":1}`, string(r.body))
	_, err := w3.readErr()
	assert.Error(t, err)

	for _, tc := range []struct{ path, body string }{
		{"/console/api/contacts/" + cust.ContactID + "/sockets", `{"action":"explode"}`},
		{"/console/api/contacts/" + cust.ContactID + "/sockets", `{"action":"close","code":1006}`},
	} {
		assert.Equal(t, http.StatusBadRequest, consolePost(t, srv, tc.path, tc.body).status, tc.body)
	}
	assert.Equal(t, http.StatusNotFound, consolePost(t, srv, "/console/api/contacts/nope/sockets", `{"action":"drop"}`).status)
}

func TestConsoleExpireTokens(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, agent := startChat(t, srv, participanttest.ChatOptions{})

	r := consolePost(t, srv, "/console/api/contacts/"+cust.ContactID+"/tokens", `{}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.JSONEq(t, `{"expired":2}`, string(r.body), "the two ConnectionTokens")
	for _, c := range []chat{cust, agent} {
		r := post(t, srv, "/participant/message", c.token, map[string]string{"ContentType": "text/plain", "Content": "hi"})
		r.wantError(t, 403, "AccessDeniedException")
		assert.Contains(t, r.message(t), "token expired")
	}
	// The ParticipantTokens still work: a client gets a new ConnectionToken.
	again := connect(t, srv, cust.Participant)
	sendMessage(t, srv, again, "back")

	r = consolePost(t, srv, "/console/api/contacts/"+cust.ContactID+"/tokens", `{"participant":true}`)
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"expired":3}`, string(r.body), "two ParticipantTokens and the new ConnectionToken")
	r = post(t, srv, "/participant/connection", cust.ParticipantToken.Reveal(), map[string]any{"Type": []string{"CONNECTION_CREDENTIALS"}})
	r.wantError(t, 403, "AccessDeniedException")
	assert.Contains(t, r.message(t), "token expired")

	assert.Equal(t, http.StatusNotFound, consolePost(t, srv, "/console/api/contacts/nope/tokens", `{}`).status)
}

// TestCreateParticipantStepsAside: an agent or bot added with
// CreateParticipant takes the chat over from the scripted agent, which
// leaves as in a transfer, so that read receipts work; a supervisor joins
// beside it.
func TestCreateParticipantStepsAside(t *testing.T) {
	t.Parallel()
	tests := []struct {
		role     string
		stepsOff bool
	}{
		{participanttest.RoleAgent, true},
		{participanttest.RoleCustomBot, true},
		{participanttest.RoleSupervisor, false},
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, participanttest.WithAgent(func() participanttest.Agent { return participanttest.EchoAgent{DisplayName: "Echo"} }))
			r := call(t, srv, http.MethodPut, "/contact/chat", "", map[string]any{
				"InstanceId": "i", "ContactFlowId": "f", "ParticipantDetails": map[string]string{"DisplayName": "Ann"},
			})
			r.wantOK(t)
			var started struct{ ContactId, ParticipantId, ParticipantToken string }
			r.decode(t, &started)
			r = post(t, srv, "/contact/create-participant", "", map[string]any{
				"InstanceId": "i", "ContactId": started.ContactId,
				"ParticipantDetails": map[string]string{"DisplayName": "Bob", "ParticipantRole": tc.role},
			})
			r.wantOK(t)
			var added struct {
				ParticipantCredentials struct{ ParticipantToken string }
				ParticipantId          string
			}
			r.decode(t, &added)

			var events []string
			for _, it := range srv.Transcript(started.ContactId) {
				if it.Type == participanttest.TypeEvent {
					events = append(events, it.ContentType[strings.LastIndex(it.ContentType, ".")+1:]+" "+it.DisplayName)
				}
			}
			if tc.stepsOff {
				assert.Equal(t, []string{"joined Ann", "joined Echo", "left Echo", "joined Bob"}, events)
			} else {
				assert.Equal(t, []string{"joined Ann", "joined Echo", "joined Bob"}, events)
			}

			// Bob writes; Ann's read receipt works with two participants
			// active, and is refused among three.
			cust := connect(t, srv, participanttest.Participant{ContactID: started.ContactId, ParticipantID: started.ParticipantId, ParticipantToken: tokenOf(started.ParticipantToken)})
			bob := connect(t, srv, participanttest.Participant{ContactID: started.ContactId, ParticipantID: added.ParticipantId, ParticipantToken: tokenOf(added.ParticipantCredentials.ParticipantToken)})
			id, _ := sendMessage(t, srv, bob, "Hello Ann")
			r = post(t, srv, "/participant/event", cust.token, map[string]string{"ContentType": "application/vnd.amazonaws.connect.event.message.read", "Content": receipt(id)})
			if tc.stepsOff {
				r.wantOK(t)
			} else {
				r.wantError(t, http.StatusConflict, "ConflictException")
			}
		})
	}

	// A scripted agent added later, and the Go API's AddParticipant, follow
	// the same rule.
	srv := newServer(t)
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Ann"})
	require.NoError(t, err)
	_, err = srv.AddAgent(cust.ContactID, participanttest.Bot{DisplayName: "Bot"})
	require.NoError(t, err)
	_, err = srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Bob")
	require.NoError(t, err)
	var snap consoleSnapshot
	consoleGet(t, srv, "/console/api/state", &snap)
	require.Len(t, snap.Contacts, 1)
	var who []string
	for _, p := range snap.Contacts[0].Participants {
		state := "in"
		if p.Left {
			state = "left"
		}
		who = append(who, p.Name+" "+state)
	}
	assert.Equal(t, []string{"Ann in", "Bot left", "Bob in"}, who)
}
