package participanttest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/participanttest"
)

// TestParseFault: the one grammar, with the inputs both former front ends
// took (the CLI's --fail, --latency and --throttle, the console's form)
// written in it, the spelling it forgives, and what it refuses and why.
func TestParseFault(t *testing.T) {
	t.Parallel()
	good := []struct{ spec, want string }{
		// --fail OP=CODE[@PROBABILITY], --latency OP=DURATION, --throttle OP=RATE[/BURST].
		{"Fail(SendMessage, ThrottlingException).Always()", "Fail(SendMessage, ThrottlingException).Always()"},
		{"Fail(sendmessage, throttlingexception).Always().Probability(1)", "Fail(SendMessage, ThrottlingException).Probability(1).Always()"},
		{"Fail(*, InternalServerException).Always().Probability(0.1)", "Fail(*, InternalServerException).Probability(0.1).Always()"},
		{"Fail(all, AccessDeniedException)", "Fail(*, AccessDeniedException)"},
		{"Latency(ALL, 1ms).Always()", "Latency(*, 1ms).Always()"},
		{"Throttle(getTranscript, 5, 2)", "Throttle(GetTranscript, 5, 2)"},
		{"Throttle(SendEvent, 0.5)", "Throttle(SendEvent, 0.5, 1)"},
		// The console's form.
		{"Fail(*, X).WithStatus(503).Times(3)", "Fail(*, X).WithStatus(503).Times(3)"},
		{`Fail(SendMessage, ValidationException).WithMessage("no, \"never\"")`, `Fail(SendMessage, ValidationException).WithMessage("no, \"never\"")`},
		{"Latency(GetTranscript, 250ms).Probability(0.5)", "Latency(GetTranscript, 250ms).Probability(0.5)"},
		{"DropSocket().ForContact(c1)", "DropSocket().ForContact(c1)"},
		{`CloseSocket(4000, "bye").ForParticipant(p1)`, `CloseSocket(4000, "bye").ForParticipant(p1)`},
		{"CloseSocket(1000)", `CloseSocket(1000, "")`},
		{"SilenceHeartbeats().Always()", "SilenceHeartbeats().Always()"},
		{"silencepings()", "SilencePings()"},
		{"FailPings().Times(2).After(1)", "FailPings().After(1).Times(2)"},
		{"RefuseWebSocket()", "RefuseWebSocket(403)"},
		{"RefuseWebSocket(503).Times(3)", "RefuseWebSocket(503).Times(3)"},
		{"DuplicateFrames().Always().Probability(0.05)", "DuplicateFrames().Probability(0.05).Always()"},
		{"ReorderFrames()", "ReorderFrames()"},
		{"ErrorFrame()", `ErrorFrame("Forbidden")`},
		{` ErrorFrame ( "Internal server error" ) . Times ( 2 ) `, `ErrorFrame("Internal server error").Times(2)`},
		{`DropSocket().ForContact("a b,c")`, `DropSocket().ForContact("a b,c")`},
		{"Throttle(*, 1, 1).Times(2)", "Throttle(*, 1, 1).Times(2)"},
	}
	for _, tc := range good {
		t.Run(tc.spec, func(t *testing.T) {
			t.Parallel()
			f, err := participanttest.ParseFault(tc.spec)
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.String())
			again, err := participanttest.ParseFault(f.String())
			require.NoError(t, err, "String does not parse back")
			assert.Equal(t, f.String(), again.String())
			assert.NoError(t, f.Validate())
		})
	}

	bad := []struct{ spec, why string }{
		{"", "empty"},
		{"Explode()", `unknown fault "Explode"`},
		{"Fail(SendMesage, ThrottlingException)", `unknown operation "SendMesage"`},
		{"Fail(SendMessage, NoSuchException)", `unknown error code "NoSuchException"`},
		{"Fail(SendMessage)", "Fail takes 2 arguments, not 1"},
		{"Fail(SendMessage, ThrottlingException).Probability(2)", "probability must be above 0 and at most 1"},
		{"Fail(SendMessage, ThrottlingException).Probability(0)", "probability must be above 0 and at most 1"},
		{"Fail(SendMessage, ThrottlingException).Probability(NaN)", "a probability must be a number"},
		{"Fail(SendMessage, ThrottlingException).WithStatus(200)", "a status must be 400-599"},
		{"Fail(SendMessage, ThrottlingException).Times(0)", "Times must be at least 1"},
		{"Fail(SendMessage, ThrottlingException).After(-1)", "After must not be negative"},
		{"Fail(SendMessage, ThrottlingException).Explode()", `unknown method "Explode"`},
		{"Fail(SendMessage, ThrottlingException) Always()", "want .Method(...)"},
		{"Fail(SendMessage, ThrottlingException", "missing ')'"},
		{`Fail(SendMessage, "ThrottlingException)`, "quoted string"},
		{"Fail(SendMessage, , X)", "an empty argument"},
		{"Latency(SendMessage, soon)", "a delay such as 500ms"},
		{"Latency(SendMessage, -1s)", "a delay above 0"},
		{"Latency(SendMessage, 2h)", "at most 1h0m0s"},
		{"Latency(SendMessage, 0s)", "a delay above 0"},
		{"Throttle(SendEvent, 0)", "a rate above 0"},
		{"Throttle(SendEvent, 5, 0)", "a burst of 1"},
		{"Throttle(SendEvent, 1e9)", "a rate above 0"},
		{"Throttle(SendEvent, fast)", "a rate must be a number"},
		{"CloseSocket(1005)", "close code"},
		{`CloseSocket(4000, "` + strings.Repeat("x", 124) + `")`, "at most 123 bytes"},
		{"RefuseWebSocket(302)", "a status must be 400-599"},
		{"DropSocket().WithStatus(500)", "WithStatus applies to Fail and RefuseWebSocket only"},
		{"DropSocket().WithMessage(x)", "WithMessage applies to Fail and ErrorFrame only"},
		{"DropSocket(x)", "DropSocket takes 0 arguments, not 1"},
		{"DropSocket().ForContact(" + strings.Repeat("c", 257) + ")", "an id is at most 256 bytes"},
		{strings.Repeat("DropSocket().", 20) + "Always()", "more than 16 calls"},
		{"DropSocket()" + strings.Repeat(".Always()", 1000), "longer than 4096 bytes"},
		{"Drop-Socket()", "want a name before '('"},
	}
	for _, tc := range bad {
		t.Run("refused "+tc.spec[:min(len(tc.spec), 60)], func(t *testing.T) {
			t.Parallel()
			f, err := participanttest.ParseFault(tc.spec)
			require.Error(t, err)
			assert.Nil(t, f)
			assert.Contains(t, err.Error(), tc.why)
		})
	}
}

// TestFaultBuildersValidate: a fault built in Go outside the ranges is
// refused by Inject, which says why, and reported by CheckFaults, so a
// test that drops Inject's error still fails; the valid faults of the same
// call are injected.
func TestFaultBuildersValidate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	err := srv.Inject(
		participanttest.Fail("SendMesage", "ThrottlingException"),
		participanttest.Latency(participanttest.OpSendMessage, -time.Second),
		participanttest.Throttle(participanttest.OpSendEvent, 0, 1),
		participanttest.DropSocket().Probability(1.5),
		participanttest.CloseSocket(999, ""),
		&participanttest.Fault{},
		nil,
		participanttest.Fail(participanttest.OpGetTranscript, "InternalServerException"),
	)
	require.Error(t, err)
	for _, want := range []string{`unknown operation "SendMesage"`, "a delay above 0", "a rate above 0", "probability", "close code", "not a fault made by"} {
		assert.Contains(t, err.Error(), want)
	}
	check := srv.CheckFaults()
	require.Error(t, check)
	assert.Contains(t, check.Error(), `unknown operation "SendMesage"`)
	assert.Contains(t, check.Error(), "Fail(GetTranscript, InternalServerException) fired 0 of 1 times")
	srv.ClearFaults()
	assert.NoError(t, srv.CheckFaults(), "ClearFaults forgets the refused faults too")
	require.NoError(t, srv.Inject(participanttest.Fail(participanttest.OpSendMessage, "ThrottlingException")))
}

// TestRefusalReasons: every refusal of the service's 403 kind carries a
// machine-readable reason in X-Participanttest-Reason (exposed to
// browsers), so that a page retries an expired token without reading the
// message.
func TestRefusalReasons(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, participanttest.WithClock(clk), participanttest.WithLifetimes(participanttest.Lifetimes{ConnectionToken: time.Hour}))
	cust, agent := startChat(t, srv, participanttest.ChatOptions{})
	msg := map[string]string{"ContentType": "text/plain", "Content": "hi"}
	reason := func(r response) string { return r.header.Get("X-Participanttest-Reason") }

	r := post(t, srv, "/participant/message", "", msg)
	assert.Equal(t, "no-token", reason(r))
	r = post(t, srv, "/participant/message", "nope", msg)
	assert.Equal(t, "unknown-token", reason(r))
	r = post(t, srv, "/participant/message", cust.ParticipantToken.Reveal(), msg)
	assert.Equal(t, "wrong-token", reason(r))
	assert.Contains(t, r.header.Get("Access-Control-Expose-Headers"), "X-Participanttest-Reason")

	require.NoError(t, srv.Inject(participanttest.Fail(participanttest.OpSendMessage, "AccessDeniedException")))
	r = post(t, srv, "/participant/message", cust.token, msg)
	r.wantError(t, http.StatusForbidden, "AccessDeniedException")
	assert.Equal(t, "injected-fault", reason(r))

	dial(t, srv, agent.wsURL) // the URL opens one socket only
	resp, err := srv.HTTPClient().Get(strings.Replace(agent.wsURL, "ws://", "http://", 1))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "url-used", resp.Header.Get("X-Participanttest-Reason"))

	post(t, srv, "/participant/disconnect", agent.token, map[string]string{}).wantOK(t)
	r = post(t, srv, "/participant/message", agent.token, msg)
	assert.Equal(t, "participant-left", reason(r))

	clk.Advance(2 * time.Hour)
	r = post(t, srv, "/participant/message", cust.token, msg)
	r.wantError(t, http.StatusForbidden, "AccessDeniedException")
	assert.Equal(t, "token-expired", reason(r))

	require.NoError(t, srv.StopContact(cust.ContactID))
	r = post(t, srv, "/participant/connection", cust.ParticipantToken.Reveal(), map[string]any{"Type": []string{"CONNECTION_CREDENTIALS"}})
	r.wantError(t, http.StatusForbidden, "AccessDeniedException")
	assert.Equal(t, "chat-ended", reason(r))
}
