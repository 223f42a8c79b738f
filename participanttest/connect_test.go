package participanttest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.Regexp(t, uuidPattern, out.ContactId, "StartChatContact answered %+v", out)
	require.Regexp(t, uuidPattern, out.ParticipantId, "StartChatContact answered %+v", out)
	require.NotEmpty(t, out.ParticipantToken, "StartChatContact answered %+v", out)
	require.Empty(t, out.ContinuedFromContactId, "StartChatContact answered %+v", out)
	tr := srv.Transcript(out.ContactId)
	require.Len(t, tr, 2, "transcript %+v", tr)
	require.Equal(t, wire.ContentTypeParticipantJoined, tr[0].ContentType, "transcript %+v", tr)
	require.Equal(t, "Ann", tr[0].DisplayName, "transcript %+v", tr)
	require.Equal(t, "CUSTOMER", tr[0].ParticipantRole, "transcript %+v", tr)
	require.Equal(t, out.ParticipantId, tr[0].ParticipantID, "transcript %+v", tr)
	require.Equal(t, "MESSAGE", tr[1].Type, "transcript %+v", tr)
	require.Equal(t, "I need help", tr[1].Content, "transcript %+v", tr)
	require.Equal(t, out.ParticipantId, tr[1].ParticipantID, "transcript %+v", tr)
	c := connect(t, srv, participanttest.Participant{ContactID: out.ContactId, ParticipantID: out.ParticipantId, ParticipantToken: participant.Token(out.ParticipantToken)})
	post(t, srv, "/participant/message", c.token, map[string]string{"ContentType": "text/markdown", "Content": "**ok**"}).wantOK(t)
	post(t, srv, "/participant/message", c.token, map[string]string{"ContentType": "application/json", "Content": "{}"}).wantError(t, 400, "ValidationException")

	// ClientToken: the same request is the same contact, another is new.
	req := map[string]any{"ClientToken": "start-1"}
	a, _ := startChatContact(t, srv, req)
	b, _ := startChatContact(t, srv, req)
	d, _ := startChatContact(t, srv, map[string]any{"ClientToken": "start-1", "ParticipantDetails": map[string]string{"DisplayName": "Bob"}})
	require.Equal(t, a.ContactId, b.ContactId, "idempotency: a repeat's contact")
	require.Equal(t, a.ParticipantToken, b.ParticipantToken, "idempotency: a repeat's participant token")
	require.NotEqual(t, a.ContactId, d.ContactId, "idempotency: the same token with another body is a new contact")

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
		assert.Contains(t, r.message(t), tt.field, "%s: message does not name %s", tt.name, tt.field)
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
	require.NotEmpty(t, cp.ParticipantCredentials.ParticipantToken, "CreateParticipant answered %s", r.body)
	require.NotEmpty(t, cp.ParticipantCredentials.Expiry, "CreateParticipant answered %s", r.body)
	require.Regexp(t, uuidPattern, cp.ParticipantId, "CreateParticipant answered %s", r.body)
	assert.Equal(t, string(r.body), string(create(map[string]any{"ClientToken": "bot-1"}).body), "a repeated CreateParticipant made another participant")
	joined := cw.expectItem("EVENT", wire.ContentTypeParticipantJoined)
	require.Equal(t, cp.ParticipantId, joined.ParticipantID, "joined %+v", joined)
	require.Equal(t, "CUSTOM_BOT", joined.ParticipantRole, "joined %+v", joined)
	require.Equal(t, "Helper", joined.DisplayName, "joined %+v", joined)
	bot := connect(t, srv, participanttest.Participant{ContactID: out.ContactId, ParticipantID: cp.ParticipantId, ParticipantToken: participant.Token(cp.ParticipantCredentials.ParticipantToken)})
	sendMessage(t, srv, bot, "beep")
	msg := cw.expectItem("MESSAGE", "text/plain")
	require.Equal(t, "CUSTOM_BOT", msg.ParticipantRole, "bot message %+v", msg)
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
	require.NoError(t, srv.StopContact(a.ContactId))
	aItems := srv.Transcript(a.ContactId)

	// Chat B continues A.
	b, r := startChatContact(t, srv, map[string]any{"PersistentChat": map[string]string{"SourceContactId": a.ContactId, "RehydrationType": "ENTIRE_PAST_SESSION"}})
	r.wantOK(t)
	require.Equal(t, a.ContactId, b.ContinuedFromContactId, "ContinuedFromContactId")
	bc := connect(t, srv, participanttest.Participant{ContactID: b.ContactId, ParticipantToken: participant.Token(b.ParticipantToken)})
	p, r := getTranscript(t, srv, bc.token, map[string]any{"ScanDirection": "BACKWARD", "SortOrder": "ASCENDING", "MaxResults": 100})
	r.wantOK(t)
	require.Len(t, p.Transcript, len(aItems)+2, "B's transcript: want A's %d items, chat.rehydrated and joined", len(aItems))
	for i, it := range p.Transcript[:len(aItems)] {
		assert.Equal(t, aItems[i].ID, it.ID, "past item %d: %+v", i, it)
		assert.Equal(t, a.ContactId, it.RelatedContactID, "past item %d: %+v", i, it)
		assert.Empty(t, it.ContactID, "past item %d: %+v", i, it)
	}
	rh := p.Transcript[len(aItems)]
	assert.Equal(t, "application/vnd.amazonaws.connect.event.chat.rehydrated", rh.ContentType, "after the past items: %+v", rh)
	assert.Equal(t, b.ContactId, rh.ContactID, "after the past items: %+v", rh)
	// ContactId reads A's own transcript.
	p, r = getTranscript(t, srv, bc.token, map[string]any{"ContactId": a.ContactId, "SortOrder": "ASCENDING"})
	r.wantOK(t)
	require.Len(t, p.Transcript, len(aItems), "A's transcript through B: %+v", p)
	require.Equal(t, a.ContactId, p.InitialContactId, "A's transcript through B: %+v", p)
	require.Equal(t, "first visit", p.Transcript[1].Content, "A's transcript through B: %+v", p)
	require.Equal(t, a.ContactId, p.Transcript[1].ContactID, "A's transcript through B: %+v", p)

	// C, from A's session, continues its most recent contact, B.
	require.NoError(t, srv.StopContact(b.ContactId))
	c, r := startChatContact(t, srv, map[string]any{"PersistentChat": map[string]string{"SourceContactId": a.ContactId}})
	r.wantOK(t)
	require.Equal(t, b.ContactId, c.ContinuedFromContactId, "C continued, want B")
	cc := connect(t, srv, participanttest.Participant{ContactID: c.ContactId, ParticipantToken: participant.Token(c.ParticipantToken)})
	for _, id := range []string{a.ContactId, b.ContactId} {
		p, r := getTranscript(t, srv, cc.token, map[string]any{"ContactId": id})
		r.wantOK(t)
		assert.NotEmpty(t, p.Transcript, "C cannot read %s", id)
	}
	// FROM_SEGMENT continues the very contact named.
	d, r := startChatContact(t, srv, map[string]any{"PersistentChat": map[string]string{"SourceContactId": a.ContactId, "RehydrationType": "FROM_SEGMENT"}})
	r.wantOK(t)
	require.Equal(t, a.ContactId, d.ContinuedFromContactId, "FROM_SEGMENT continued, want A")
	_, r = startChatContact(t, srv, map[string]any{"PersistentChat": map[string]string{"SourceContactId": "nope"}})
	r.wantError(t, 404, "ResourceNotFoundException")
}
