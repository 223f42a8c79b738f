package participanttest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthenticationFlow(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv, cust, _ := setup(t, participanttest.WithClock(clk))
	cw := open(t, srv, cust)
	ev := func(contentType, session string) {
		t.Helper()
		it := cw.expectItem("EVENT", "application/vnd.amazonaws.connect.event.authentication."+contentType)
		var c struct{ SessionId string }
		require.NoError(t, json.Unmarshal([]byte(it.Content), &c), "%s event %+v", contentType, it)
		require.Equal(t, session, c.SessionId, "%s event %+v", contentType, it)
		require.Equal(t, "SYSTEM", it.ParticipantRole, "%s event %+v", contentType, it)
	}
	start := func() string {
		t.Helper()
		id, err := srv.StartAuthentication(cust.ContactID)
		require.NoError(t, err, "StartAuthentication")
		require.Len(t, id, 36, "StartAuthentication: %q", id)
		ev("initiated", id)
		return id
	}
	authURL := func(session string) string {
		t.Helper()
		r := post(t, srv, "/participant/authentication-url", cust.token, map[string]string{"SessionId": session, "RedirectUri": "https://app.example/done?x=1"})
		r.wantOK(t)
		var out struct{ AuthenticationUrl string }
		r.decode(t, &out)
		return out.AuthenticationUrl
	}
	open := func(u string) *url.URL {
		t.Helper()
		resp, err := srv.HTTPClient().Get(u)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusFound, resp.StatusCode, "authorization page")
		loc, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err, "redirect to %q", resp.Header.Get("Location"))
		require.Equal(t, "app.example", loc.Host, "redirect to %q", resp.Header.Get("Location"))
		require.Equal(t, "1", loc.Query().Get("x"), "redirect to %q", resp.Header.Get("Location"))
		return loc
	}

	// Success.
	s1 := start()
	loc := open(authURL(s1))
	assert.NotEmpty(t, loc.Query().Get("code"), "redirect %s has no code", loc)
	ev("succeeded", s1)
	post(t, srv, "/participant/authentication-url", cust.token, map[string]string{"SessionId": s1, "RedirectUri": "https://x"}).wantError(t, 400, "ValidationException")

	// Failure.
	s2 := start()
	loc = open(authURL(s2) + "&outcome=failed")
	assert.Equal(t, "access_denied", loc.Query().Get("error"), "redirect %s", loc)
	ev("failed", s2)

	// Cancelled by the customer.
	s3 := start()
	post(t, srv, "/participant/cancel-authentication", cust.token, map[string]string{"SessionId": s3}).wantOK(t)
	ev("cancelled", s3)
	post(t, srv, "/participant/cancel-authentication", cust.token, map[string]string{"SessionId": s3}).wantError(t, 400, "ValidationException")

	// Too late for GetAuthenticationUrl.
	s4 := start()
	clk.Advance(time.Minute + time.Millisecond)
	post(t, srv, "/participant/authentication-url", cust.token, map[string]string{"SessionId": s4, "RedirectUri": "https://x"}).wantError(t, 400, "ValidationException")
	require.NoError(t, srv.FinishAuthentication(s4, participanttest.AuthTimeout))
	ev("timeout", s4)
	require.ErrorIs(t, srv.FinishAuthentication(s4, participanttest.AuthExpired), participanttest.ErrUnknownSession, "finishing twice")
	require.Error(t, srv.FinishAuthentication(start(), "maybe"), "an unknown outcome was accepted")

	// Another chat cannot use the session.
	other, _ := startChat(t, srv, participanttest.ChatOptions{})
	s5 := start()
	post(t, srv, "/participant/authentication-url", other.token, map[string]string{"SessionId": s5, "RedirectUri": "https://x"}).wantError(t, 400, "ValidationException")
	_, err := srv.StartAuthentication("nope")
	require.ErrorIs(t, err, participanttest.ErrUnknownContact, "StartAuthentication(unknown)")
	// The events are in the transcript.
	n := 0
	for _, it := range srv.Transcript(cust.ContactID) {
		if it.ParticipantRole == "SYSTEM" {
			n++
		}
	}
	assert.Equal(t, 10, n, "authentication events in the transcript") // six sessions initiated; four of them ended
}

func TestDescribeView(t *testing.T) {
	t.Parallel()
	srv, cust, _ := setup(t)
	view := participanttest.View{
		ID: "view-1", ARN: "arn:aws:connect:us-east-1:111122223333:instance/i/view/view-1", Name: "Form", Version: 3,
		Content: participanttest.ViewContent{InputSchema: `{"type":"object"}`, Template: `{"Head":{}}`, Actions: []string{"Submit", "Cancel"}},
	}
	token := "a/b c+d="
	srv.RegisterView(token, view)
	r := call(t, srv, http.MethodGet, "/participant/views/"+url.PathEscape(token), cust.token, nil)
	r.wantOK(t)
	var got struct{ View participanttest.View }
	r.decode(t, &got)
	require.Equal(t, view, got.View, "view")
	r = call(t, srv, http.MethodGet, "/participant/views/unknown", cust.token, nil)
	r.wantError(t, 404, "ResourceNotFoundException")
	var nf struct{ ResourceId string }
	r.decode(t, &nf)
	assert.Equal(t, "unknown", nf.ResourceId, "ResourceId")
	call(t, srv, http.MethodGet, "/participant/views/a/b", cust.token, nil).wantError(t, 404, "UnknownOperationException")
	call(t, srv, http.MethodGet, "/participant/views/"+url.PathEscape(token), cust.ParticipantToken.Reveal(), nil).wantError(t, 403, "AccessDeniedException")
}
