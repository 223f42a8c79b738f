package participanttest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/connectchat/participant/participanttest"
)

func TestAuthenticationFlow(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, participanttest.WithClock(clk))
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	cw := open(t, srv, cust)
	ev := func(contentType, session string) {
		t.Helper()
		it := cw.expectItem("EVENT", "application/vnd.amazonaws.connect.event.authentication."+contentType)
		var c struct{ SessionId string }
		if err := json.Unmarshal([]byte(it.Content), &c); err != nil || c.SessionId != session || it.ParticipantRole != "SYSTEM" {
			t.Fatalf("%s event %+v", contentType, it)
		}
	}
	start := func() string {
		t.Helper()
		id, err := srv.StartAuthentication(cust.ContactID)
		if err != nil || len(id) != 36 {
			t.Fatalf("StartAuthentication: %q %v", id, err)
		}
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
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("authorization page: %d", resp.StatusCode)
		}
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || loc.Host != "app.example" || loc.Query().Get("x") != "1" {
			t.Fatalf("redirect to %q", resp.Header.Get("Location"))
		}
		return loc
	}

	// Success.
	s1 := start()
	if loc := open(authURL(s1)); loc.Query().Get("code") == "" {
		t.Errorf("redirect %s has no code", loc)
	}
	ev("succeeded", s1)
	post(t, srv, "/participant/authentication-url", cust.token, map[string]string{"SessionId": s1, "RedirectUri": "https://x"}).wantError(t, 400, "ValidationException")

	// Failure.
	s2 := start()
	if loc := open(authURL(s2) + "&outcome=failed"); loc.Query().Get("error") != "access_denied" {
		t.Errorf("redirect %s", loc)
	}
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
	if err := srv.FinishAuthentication(s4, participanttest.AuthTimeout); err != nil {
		t.Fatal(err)
	}
	ev("timeout", s4)
	if err := srv.FinishAuthentication(s4, participanttest.AuthExpired); !errors.Is(err, participanttest.ErrUnknownSession) {
		t.Fatalf("finishing twice: %v", err)
	}
	if err := srv.FinishAuthentication(start(), "maybe"); err == nil {
		t.Fatal("an unknown outcome was accepted")
	}

	// Another chat cannot use the session.
	other, _ := startChat(t, srv, participanttest.ChatOptions{})
	s5 := start()
	post(t, srv, "/participant/authentication-url", other.token, map[string]string{"SessionId": s5, "RedirectUri": "https://x"}).wantError(t, 400, "ValidationException")
	if _, err := srv.StartAuthentication("nope"); !errors.Is(err, participanttest.ErrUnknownContact) {
		t.Fatalf("StartAuthentication(unknown) = %v", err)
	}
	// The events are in the transcript.
	n := 0
	for _, it := range srv.Transcript(cust.ContactID) {
		if it.ParticipantRole == "SYSTEM" {
			n++
		}
	}
	if n != 10 { // six sessions initiated; four of them ended
		t.Errorf("%d authentication events in the transcript, want 10", n)
	}
}

func TestDescribeView(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
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
	if !reflect.DeepEqual(got.View, view) {
		t.Fatalf("view %+v, want %+v", got.View, view)
	}
	r = call(t, srv, http.MethodGet, "/participant/views/unknown", cust.token, nil)
	r.wantError(t, 404, "ResourceNotFoundException")
	var nf struct{ ResourceId string }
	r.decode(t, &nf)
	if nf.ResourceId != "unknown" {
		t.Errorf("ResourceId %q", nf.ResourceId)
	}
	call(t, srv, http.MethodGet, "/participant/views/a/b", cust.token, nil).wantError(t, 404, "UnknownOperationException")
	call(t, srv, http.MethodGet, "/participant/views/"+url.PathEscape(token), cust.ParticipantToken.Reveal(), nil).wantError(t, 403, "AccessDeniedException")
}
