package participanttest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
)

// sigV4 are the headers of a SigV4-signed request; the server ignores them.
var sigV4 = []string{
	"Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/connect/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123",
	"X-Amz-Date", "20260101T000000Z",
}

type startChatOut struct {
	ContactId, ParticipantId, ParticipantToken, ContinuedFromContactId string
}

func startChatContact(t *testing.T, srv *participanttest.Server, body map[string]any) (startChatOut, response) {
	t.Helper()
	full := map[string]any{"InstanceId": "inst-1", "ContactFlowId": "flow-1", "ParticipantDetails": map[string]string{"DisplayName": "Ann"}}
	for k, v := range body {
		if v == nil {
			delete(full, k)
		} else {
			full[k] = v
		}
	}
	r := call(t, srv, http.MethodPut, "/contact/chat", "", full, sigV4...)
	var out startChatOut
	if r.status == 200 {
		r.decode(t, &out)
	}
	return out, r
}

func TestStartChatContact(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	out, r := startChatContact(t, srv, map[string]any{
		"InitialMessage":                 map[string]string{"ContentType": "text/plain", "Content": "I need help"},
		"SupportedMessagingContentTypes": []string{"text/plain", "text/markdown"},
		"Attributes":                     map[string]string{"customerId": "42"},
	})
	r.wantOK(t)
	if !uuidPattern.MatchString(out.ContactId) || !uuidPattern.MatchString(out.ParticipantId) || out.ParticipantToken == "" || out.ContinuedFromContactId != "" {
		t.Fatalf("StartChatContact answered %+v", out)
	}
	tr := srv.Transcript(out.ContactId)
	if len(tr) != 2 || tr[0].ContentType != wire.ContentTypeParticipantJoined || tr[0].DisplayName != "Ann" || tr[0].ParticipantRole != "CUSTOMER" || tr[0].ParticipantID != out.ParticipantId ||
		tr[1].Type != "MESSAGE" || tr[1].Content != "I need help" || tr[1].ParticipantID != out.ParticipantId {
		t.Fatalf("transcript %+v", tr)
	}
	c := connect(t, srv, participanttest.Participant{ContactID: out.ContactId, ParticipantID: out.ParticipantId, ParticipantToken: participant.Token(out.ParticipantToken)})
	post(t, srv, "/participant/message", c.token, map[string]string{"ContentType": "text/markdown", "Content": "**ok**"}).wantOK(t)
	post(t, srv, "/participant/message", c.token, map[string]string{"ContentType": "application/json", "Content": "{}"}).wantError(t, 400, "ValidationException")

	// ClientToken: the same request is the same contact, another is new.
	req := map[string]any{"ClientToken": "start-1"}
	a, _ := startChatContact(t, srv, req)
	b, _ := startChatContact(t, srv, req)
	d, _ := startChatContact(t, srv, map[string]any{"ClientToken": "start-1", "ParticipantDetails": map[string]string{"DisplayName": "Bob"}})
	if a.ContactId != b.ContactId || a.ParticipantToken != b.ParticipantToken || d.ContactId == a.ContactId {
		t.Fatalf("idempotency: %s %s %s", a.ContactId, b.ContactId, d.ContactId)
	}

	bad := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no instance", map[string]any{"InstanceId": nil}, "'instanceId'"},
		{"no flow", map[string]any{"ContactFlowId": nil}, "'contactFlowId'"},
		{"no participant details", map[string]any{"ParticipantDetails": nil}, "'participantDetails'"},
		{"empty display name", map[string]any{"ParticipantDetails": map[string]string{"DisplayName": ""}}, "'participantDetails.displayName'"},
		{"duration 59", map[string]any{"ChatDurationInMinutes": 59}, "'chatDurationInMinutes'"},
		{"duration 10081", map[string]any{"ChatDurationInMinutes": 10081}, "'chatDurationInMinutes'"},
		{"duration 0", map[string]any{"ChatDurationInMinutes": 0}, "'chatDurationInMinutes'"},
		{"types without text/plain", map[string]any{"SupportedMessagingContentTypes": []string{"text/markdown"}}, "text/plain"},
		{"unknown type", map[string]any{"SupportedMessagingContentTypes": []string{"text/plain", "text/html"}}, "'supportedMessagingContentTypes.2.member'"},
		{"initial message without content", map[string]any{"InitialMessage": map[string]string{"ContentType": "text/plain"}}, "'initialMessage.content'"},
		{"initial message too long", map[string]any{"InitialMessage": map[string]string{"ContentType": "text/plain", "Content": strings.Repeat("x", 1025)}}, "'initialMessage.content'"},
	}
	for _, tt := range bad {
		_, r := startChatContact(t, srv, tt.body)
		r.wantError(t, 400, "InvalidParameterException")
		if !strings.Contains(r.message(t), tt.field) {
			t.Errorf("%s: message %q does not name %s", tt.name, r.message(t), tt.field)
		}
	}
}

func TestChatDurationInMinutes(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, participanttest.WithClock(clk))
	out, r := startChatContact(t, srv, map[string]any{"ChatDurationInMinutes": 60})
	r.wantOK(t)
	c := connect(t, srv, participanttest.Participant{ContactID: out.ContactId, ParticipantToken: participant.Token(out.ParticipantToken)})
	w := open(t, srv, c)
	clk.Advance(59 * time.Minute)
	sendMessage(t, srv, c, "still on")
	w.expectItem("MESSAGE", "text/plain")
	clk.Advance(time.Minute)
	post(t, srv, "/participant/message", c.token, `{"ContentType":"text/plain","Content":"too late"}`).wantError(t, 403, "AccessDeniedException")
	w.expectItem("EVENT", wire.ContentTypeChatEnded)
}

func TestCreateParticipantAndStopContact(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	out, _ := startChatContact(t, srv, nil)
	cust := connect(t, srv, participanttest.Participant{ContactID: out.ContactId, ParticipantID: out.ParticipantId, ParticipantToken: participant.Token(out.ParticipantToken)})
	cw := open(t, srv, cust)

	create := func(body map[string]any) response {
		full := map[string]any{"InstanceId": "inst-1", "ContactId": out.ContactId, "ParticipantDetails": map[string]string{"ParticipantRole": "CUSTOM_BOT", "DisplayName": "Helper"}}
		for k, v := range body {
			full[k] = v
		}
		return call(t, srv, http.MethodPost, "/contact/create-participant", "", full, sigV4...)
	}
	r := create(map[string]any{"ClientToken": "bot-1"})
	r.wantOK(t)
	var cp struct {
		ParticipantCredentials struct{ ParticipantToken, Expiry string }
		ParticipantId          string
	}
	r.decode(t, &cp)
	if cp.ParticipantCredentials.ParticipantToken == "" || cp.ParticipantCredentials.Expiry == "" || !uuidPattern.MatchString(cp.ParticipantId) {
		t.Fatalf("CreateParticipant answered %s", r.body)
	}
	if string(create(map[string]any{"ClientToken": "bot-1"}).body) != string(r.body) {
		t.Errorf("a repeated CreateParticipant made another participant")
	}
	if it := cw.expectItem("EVENT", wire.ContentTypeParticipantJoined); it.ParticipantID != cp.ParticipantId || it.ParticipantRole != "CUSTOM_BOT" || it.DisplayName != "Helper" {
		t.Fatalf("joined %+v", it)
	}
	bot := connect(t, srv, participanttest.Participant{ContactID: out.ContactId, ParticipantID: cp.ParticipantId, ParticipantToken: participant.Token(cp.ParticipantCredentials.ParticipantToken)})
	sendMessage(t, srv, bot, "beep")
	if it := cw.expectItem("MESSAGE", "text/plain"); it.ParticipantRole != "CUSTOM_BOT" {
		t.Fatalf("bot message %+v", it)
	}
	for _, role := range []string{"AGENT", "SUPERVISOR"} {
		create(map[string]any{"ParticipantDetails": map[string]string{"ParticipantRole": role, "DisplayName": role}}).wantOK(t)
		cw.expectItem("EVENT", wire.ContentTypeParticipantJoined)
	}
	create(map[string]any{"ParticipantDetails": map[string]string{"ParticipantRole": "CUSTOMER", "DisplayName": "x"}}).wantError(t, 400, "InvalidRequestException")
	create(map[string]any{"ParticipantDetails": map[string]string{"ParticipantRole": "ROBOT", "DisplayName": "x"}}).wantError(t, 400, "InvalidRequestException")
	create(map[string]any{"ContactId": "no-such-contact"}).wantError(t, 404, "ResourceNotFoundException")

	stop := func(contactID string) response {
		return call(t, srv, http.MethodPost, "/contact/stop", "", map[string]any{"InstanceId": "inst-1", "ContactId": contactID, "DisconnectReason": map[string]string{"Code": "DONE"}}, sigV4...)
	}
	stop(out.ContactId).wantOK(t)
	cw.expectItem("EVENT", wire.ContentTypeChatEnded)
	stop(out.ContactId).wantError(t, 410, "ContactNotFoundException")
	stop("no-such-contact").wantError(t, 410, "ContactNotFoundException")
	create(nil).wantError(t, 400, "InvalidRequestException")
	call(t, srv, http.MethodPost, "/contact/stop", "", `{"InstanceId":"i"}`).wantError(t, 400, "InvalidParameterException")
}

func TestPersistentChat(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	// Chat A, ended.
	a, ar := startChatContact(t, srv, map[string]any{"InitialMessage": map[string]string{"ContentType": "text/plain", "Content": "first visit"}})
	ar.wantOK(t)
	_, r := startChatContact(t, srv, map[string]any{"PersistentChat": map[string]string{"SourceContactId": a.ContactId, "RehydrationType": "ENTIRE_PAST_SESSION"}})
	r.wantError(t, 400, "InvalidRequestException") // A is still going
	if err := srv.StopContact(a.ContactId); err != nil {
		t.Fatal(err)
	}
	aItems := srv.Transcript(a.ContactId)

	// Chat B continues A.
	b, r := startChatContact(t, srv, map[string]any{"PersistentChat": map[string]string{"SourceContactId": a.ContactId, "RehydrationType": "ENTIRE_PAST_SESSION"}})
	r.wantOK(t)
	if b.ContinuedFromContactId != a.ContactId {
		t.Fatalf("ContinuedFromContactId %q, want %q", b.ContinuedFromContactId, a.ContactId)
	}
	bc := connect(t, srv, participanttest.Participant{ContactID: b.ContactId, ParticipantToken: participant.Token(b.ParticipantToken)})
	p, r := getTranscript(t, srv, bc.token, map[string]any{"ScanDirection": "BACKWARD", "SortOrder": "ASCENDING", "MaxResults": 100})
	r.wantOK(t)
	if len(p.Transcript) != len(aItems)+2 {
		t.Fatalf("B's transcript has %d items, want A's %d, chat.rehydrated and joined", len(p.Transcript), len(aItems))
	}
	for i, it := range p.Transcript[:len(aItems)] {
		if it.ID != aItems[i].ID || it.RelatedContactID != a.ContactId || it.ContactID != "" {
			t.Errorf("past item %d: %+v", i, it)
		}
	}
	if rh := p.Transcript[len(aItems)]; rh.ContentType != "application/vnd.amazonaws.connect.event.chat.rehydrated" || rh.ContactID != b.ContactId {
		t.Errorf("after the past items: %+v", rh)
	}
	// ContactId reads A's own transcript.
	p, r = getTranscript(t, srv, bc.token, map[string]any{"ContactId": a.ContactId, "SortOrder": "ASCENDING"})
	r.wantOK(t)
	if len(p.Transcript) != len(aItems) || p.InitialContactId != a.ContactId || p.Transcript[1].Content != "first visit" || p.Transcript[1].ContactID != a.ContactId {
		t.Fatalf("A's transcript through B: %+v", p)
	}

	// C, from A's session, continues its most recent contact, B.
	if err := srv.StopContact(b.ContactId); err != nil {
		t.Fatal(err)
	}
	c, r := startChatContact(t, srv, map[string]any{"PersistentChat": map[string]string{"SourceContactId": a.ContactId}})
	r.wantOK(t)
	if c.ContinuedFromContactId != b.ContactId {
		t.Fatalf("C continued %q, want B %q", c.ContinuedFromContactId, b.ContactId)
	}
	cc := connect(t, srv, participanttest.Participant{ContactID: c.ContactId, ParticipantToken: participant.Token(c.ParticipantToken)})
	for _, id := range []string{a.ContactId, b.ContactId} {
		p, r := getTranscript(t, srv, cc.token, map[string]any{"ContactId": id})
		r.wantOK(t)
		if len(p.Transcript) == 0 {
			t.Errorf("C cannot read %s", id)
		}
	}
	// FROM_SEGMENT continues the very contact named.
	d, r := startChatContact(t, srv, map[string]any{"PersistentChat": map[string]string{"SourceContactId": a.ContactId, "RehydrationType": "FROM_SEGMENT"}})
	r.wantOK(t)
	if d.ContinuedFromContactId != a.ContactId {
		t.Fatalf("FROM_SEGMENT continued %q, want A", d.ContinuedFromContactId)
	}
	_, r = startChatContact(t, srv, map[string]any{"PersistentChat": map[string]string{"SourceContactId": "nope"}})
	r.wantError(t, 404, "ResourceNotFoundException")
}
