package participanttest_test

import (
	"fmt"
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

func TestValidation(t *testing.T) {
	t.Parallel()
	srv, cust, agent := setup(t)
	pt := cust.ParticipantToken.Reveal()
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name, path, bearer string
		body               any
		wantField          string
	}{
		{"connection Type empty", "/participant/connection", pt, `{"Type":[]}`, "'type'"},
		{"connection Type unknown", "/participant/connection", pt, `{"Type":["CARRIER_PIGEON"]}`, "'type.1.member'"},
		{"connection token too long", "/participant/connection", long(1001), `{"Type":["WEBSOCKET"]}`, "'participantToken'"},
		{"message without ContentType", "/participant/message", cust.token, `{"Content":"hi"}`, "Value null at 'contentType'"},
		{"message without Content", "/participant/message", cust.token, `{"ContentType":"text/plain"}`, "Value null at 'content'"},
		{"message text over 1024 characters", "/participant/message", cust.token, map[string]string{"ContentType": "text/plain", "Content": long(1025)}, "'content'"},
		{"message over 16384", "/participant/message", cust.token, map[string]string{"ContentType": "text/plain", "Content": long(16385)}, "'content'"},
		{"message ClientToken over 500", "/participant/message", cust.token, map[string]string{"ContentType": "text/plain", "Content": "x", "ClientToken": long(501)}, "'clientToken'"},
		{"message type not supported by the contact", "/participant/message", cust.token, map[string]string{"ContentType": "text/markdown", "Content": "*x*"}, "SupportedMessagingContentTypes"},
		{"message type not a message", "/participant/message", cust.token, map[string]string{"ContentType": "image/png", "Content": "x"}, "not a message content type"},
		{"event without ContentType", "/participant/event", cust.token, `{}`, "Value null at 'contentType'"},
		{"event empty Content", "/participant/event", cust.token, `{"ContentType":"` + wire.ContentTypeTyping + `","Content":""}`, "'content'"},
		{"event of an unknown type", "/participant/event", cust.token, `{"ContentType":"application/vnd.amazonaws.connect.event.chat.ended"}`, "not an event a participant can send"},
		{"receipt without messageId", "/participant/event", cust.token, map[string]string{"ContentType": wire.ContentTypeMessageRead, "Content": `{"id":"x"}`}, "messageId"},
		{"transcript MaxResults 101", "/participant/transcript", cust.token, `{"MaxResults":101}`, "'maxResults'"},
		{"transcript MaxResults -1", "/participant/transcript", cust.token, `{"MaxResults":-1}`, "'maxResults'"},
		{"transcript bad ScanDirection", "/participant/transcript", cust.token, `{"ScanDirection":"SIDEWAYS"}`, "'scanDirection'"},
		{"transcript bad SortOrder", "/participant/transcript", cust.token, `{"SortOrder":"RANDOM"}`, "'sortOrder'"},
		{"transcript empty NextToken", "/participant/transcript", cust.token, `{"NextToken":""}`, "'nextToken'"},
		{"transcript bad NextToken", "/participant/transcript", cust.token, `{"NextToken":"forged"}`, "NextToken is invalid"},
		{"transcript empty ContactId", "/participant/transcript", cust.token, `{"ContactId":""}`, "'contactId'"},
		{"transcript MostRecent 101", "/participant/transcript", cust.token, `{"StartPosition":{"MostRecent":101}}`, "'startPosition.mostRecent'"},
		{"transcript FORWARD without StartPosition", "/participant/transcript", cust.token, `{"ScanDirection":"FORWARD","StartPosition":{}}`, "FORWARD needs a StartPosition"},
		{"transcript unknown StartPosition.Id", "/participant/transcript", cust.token, `{"StartPosition":{"Id":"nope"}}`, "is not an item"},
		{"transcript bad AbsoluteTime", "/participant/transcript", cust.token, `{"StartPosition":{"AbsoluteTime":"yesterday"}}`, "'startPosition.absoluteTime'"},
		{"disconnect ClientToken over 500", "/participant/disconnect", cust.token, map[string]string{"ClientToken": long(501)}, "'clientToken'"},
		{"upload size 0", "/participant/start-attachment-upload", cust.token, `{"ContentType":"text/plain","AttachmentName":"a.txt","ClientToken":"c","AttachmentSizeInBytes":0}`, "'attachmentSizeInBytes'"},
		{"upload without name", "/participant/start-attachment-upload", cust.token, `{"ContentType":"text/plain","ClientToken":"c","AttachmentSizeInBytes":1}`, "Value null at 'attachmentName'"},
		{"upload without ClientToken", "/participant/start-attachment-upload", cust.token, `{"ContentType":"text/plain","AttachmentName":"a.txt","AttachmentSizeInBytes":1}`, "Value null at 'clientToken'"},
		{"upload of an unsupported type", "/participant/start-attachment-upload", cust.token, `{"ContentType":"application/x-msdownload","AttachmentName":"a.exe","ClientToken":"c","AttachmentSizeInBytes":1}`, "not supported"},
		{"upload over 20 MB", "/participant/start-attachment-upload", cust.token, `{"ContentType":"text/plain","AttachmentName":"a.txt","ClientToken":"c","AttachmentSizeInBytes":20971521}`, "exceeds the limit"},
		{"complete without ids", "/participant/complete-attachment-upload", cust.token, `{"ClientToken":"c"}`, "Value null at 'attachmentIds'"},
		{"complete with two ids", "/participant/complete-attachment-upload", cust.token, `{"AttachmentIds":["a","b"],"ClientToken":"c"}`, "'attachmentIds'"},
		{"complete without ClientToken", "/participant/complete-attachment-upload", cust.token, `{"AttachmentIds":["a"]}`, "Value null at 'clientToken'"},
		{"complete of an unknown id", "/participant/complete-attachment-upload", cust.token, `{"AttachmentIds":["a"],"ClientToken":"c"}`, "unknown AttachmentId"},
		{"attachment without id", "/participant/attachment", cust.token, `{}`, "Value null at 'attachmentId'"},
		{"attachment expiry 4", "/participant/attachment", cust.token, `{"AttachmentId":"a","UrlExpiryInSeconds":4}`, "'urlExpiryInSeconds'"},
		{"attachment expiry 301", "/participant/attachment", cust.token, `{"AttachmentId":"a","UrlExpiryInSeconds":301}`, "'urlExpiryInSeconds'"},
		{"authentication url short session", "/participant/authentication-url", cust.token, map[string]string{"SessionId": long(35), "RedirectUri": "https://x"}, "'sessionId'"},
		{"authentication url without redirect", "/participant/authentication-url", cust.token, map[string]string{"SessionId": long(36)}, "Value null at 'redirectUri'"},
		{"authentication url unknown session", "/participant/authentication-url", cust.token, map[string]string{"SessionId": long(36), "RedirectUri": "https://x"}, "unknown SessionId"},
		{"cancel authentication without session", "/participant/cancel-authentication", cust.token, `{}`, "Value null at 'sessionId'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := post(t, srv, tt.path, tt.bearer, tt.body)
			r.wantError(t, 400, "ValidationException")
			assert.Contains(t, r.message(t), tt.wantField, "message does not name %s", tt.wantField)
		})
	}
	t.Run("view token too long", func(t *testing.T) {
		t.Parallel()
		r := call(t, srv, http.MethodGet, "/participant/views/"+long(1001), agent.token, nil)
		r.wantError(t, 400, "ValidationException")
	})
	t.Run("lengths count characters, not bytes", func(t *testing.T) {
		t.Parallel()
		r := post(t, srv, "/participant/message", cust.token, map[string]string{"ContentType": "text/plain", "Content": strings.Repeat("é", 1024)})
		r.wantOK(t)
	})
	t.Run("validation errors are counted", func(t *testing.T) {
		t.Parallel()
		r := post(t, srv, "/participant/message", cust.token, `{}`)
		msg := r.message(t)
		assert.True(t, strings.HasPrefix(msg, "2 validation errors detected: "), "message %q", msg)
	})
}

func TestTokenLifetimes(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		life participanttest.Lifetimes
		// run does something that works, moves the clock, and returns a
		// request that must then answer 403.
		run func(t *testing.T, srv *participanttest.Server, clk *participanttest.ManualClock) response
	}{
		{"participant token", participanttest.Lifetimes{ParticipantToken: time.Hour}, func(t *testing.T, srv *participanttest.Server, clk *participanttest.ManualClock) response {
			cust, _ := srv.StartChat(participanttest.ChatOptions{})
			clk.Advance(time.Hour - time.Millisecond)
			connect(t, srv, cust)
			clk.Advance(time.Millisecond)
			return post(t, srv, "/participant/connection", cust.ParticipantToken.Reveal(), `{"Type":["CONNECTION_CREDENTIALS"]}`)
		}},
		{"connection token lives a day", participanttest.Lifetimes{}, func(t *testing.T, srv *participanttest.Server, clk *participanttest.ManualClock) response {
			cust, _ := srv.StartChat(participanttest.ChatOptions{ChatDuration: 7 * 24 * time.Hour})
			r := post(t, srv, "/participant/connection", cust.ParticipantToken.Reveal(), `{"Type":["CONNECTION_CREDENTIALS","WEBSOCKET"]}`)
			var out struct {
				Websocket             struct{ Url, ConnectionExpiry string }
				ConnectionCredentials struct{ ConnectionToken, Expiry string }
			}
			r.decode(t, &out)
			assert.Equal(t, "2026-03-02T12:00:00.000Z", out.ConnectionCredentials.Expiry, "Expiry")
			assert.Equal(t, "2026-03-01T12:01:40.000Z", out.Websocket.ConnectionExpiry, "ConnectionExpiry")
			clk.Advance(24*time.Hour - time.Second)
			sendMessage(t, srv, chat{token: out.ConnectionCredentials.ConnectionToken}, "still here")
			clk.Advance(time.Second)
			return post(t, srv, "/participant/message", out.ConnectionCredentials.ConnectionToken, `{"ContentType":"text/plain","Content":"late"}`)
		}},
		{"configured connection token", participanttest.Lifetimes{ConnectionToken: time.Minute}, func(t *testing.T, srv *participanttest.Server, clk *participanttest.ManualClock) response {
			cust, _ := srv.StartChat(participanttest.ChatOptions{})
			c := connect(t, srv, cust)
			clk.Advance(time.Minute)
			return post(t, srv, "/participant/transcript", c.token, `{}`)
		}},
		{"chat duration", participanttest.Lifetimes{}, func(t *testing.T, srv *participanttest.Server, clk *participanttest.ManualClock) response {
			cust, _ := srv.StartChat(participanttest.ChatOptions{ChatDuration: time.Hour})
			c := connect(t, srv, cust)
			clk.Advance(time.Hour)
			tr := srv.Transcript(cust.ContactID)
			require.NotEmpty(t, tr, "transcript")
			last := tr[len(tr)-1]
			assert.Equal(t, wire.ContentTypeChatEnded, last.ContentType, "last item %+v, want chat.ended", last)
			return post(t, srv, "/participant/transcript", c.token, `{}`)
		}},
		{"default chat duration is 25 hours", participanttest.Lifetimes{}, func(t *testing.T, srv *participanttest.Server, clk *participanttest.ManualClock) response {
			cust, _ := srv.StartChat(participanttest.ChatOptions{})
			clk.Advance(24*time.Hour + 59*time.Minute)
			c := connect(t, srv, cust)
			clk.Advance(time.Minute)
			return post(t, srv, "/participant/transcript", c.token, `{}`)
		}},
		{"ended chat", participanttest.Lifetimes{}, func(t *testing.T, srv *participanttest.Server, clk *participanttest.ManualClock) response {
			cust, _ := srv.StartChat(participanttest.ChatOptions{})
			c := connect(t, srv, cust)
			require.NoError(t, srv.StopContact(cust.ContactID))
			post(t, srv, "/participant/message", c.token, `{"ContentType":"text/plain","Content":"x"}`).wantError(t, 403, "AccessDeniedException")
			return post(t, srv, "/participant/connection", cust.ParticipantToken.Reveal(), `{"Type":["WEBSOCKET"]}`)
		}},
		{"participant who left", participanttest.Lifetimes{}, func(t *testing.T, srv *participanttest.Server, clk *participanttest.ManualClock) response {
			cust, agent := startChat(t, srv, participanttest.ChatOptions{})
			post(t, srv, "/participant/disconnect", agent.token, `{}`).wantOK(t)
			sendMessage(t, srv, cust, "the chat goes on")
			return post(t, srv, "/participant/connection", agent.ParticipantToken.Reveal(), `{"Type":["WEBSOCKET"]}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := participanttest.NewManualClock(start)
			srv := newServer(t, participanttest.WithClock(clk), participanttest.WithLifetimes(tt.life))
			tt.run(t, srv, clk).wantError(t, 403, "AccessDeniedException")
		})
	}
}

func TestWebSocketURLIsSingleUseAndShortLived(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, participanttest.WithClock(clk))
	cust, _ := srv.StartChat(participanttest.ChatOptions{})
	c1, c2 := connect(t, srv, cust), connect(t, srv, cust)
	clk.Advance(99 * time.Second)
	open(t, srv, c1)
	tests := []struct {
		name string
		url  string
	}{{"used", c1.wsURL}, {"expired", c2.wsURL}, {"unknown", strings.Replace(c1.wsURL, "Signature=", "Signature=x", 1)}}
	clk.Advance(time.Second)
	for _, tt := range tests {
		resp, err := srv.HTTPClient().Get(strings.Replace(tt.url, "ws://", "http://", 1))
		require.NoError(t, err, "%s URL", tt.name)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s URL", tt.name)
		assert.NotEmpty(t, resp.Header.Get("X-Participanttest-Reason"), "%s URL: no X-Participanttest-Reason", tt.name)
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	srv, cust, agent := setup(t)
	aw := open(t, srv, agent)
	cw := open(t, srv, cust)

	msg := map[string]string{"ContentType": "text/plain", "Content": "hello", "ClientToken": "tok-1"}
	r1 := post(t, srv, "/participant/message", cust.token, msg)
	r2 := post(t, srv, "/participant/message", cust.token, msg)
	r1.wantOK(t)
	r2.wantOK(t)
	require.Equal(t, string(r1.body), string(r2.body), "a repeat answered otherwise than the first")
	assert.NotEqual(t, r1.header.Get("X-Amzn-RequestId"), r2.header.Get("X-Amzn-RequestId"), "a repeat reused the request id")
	var first struct{ Id string }
	r1.decode(t, &first)
	// The same token with another body is a new message.
	other := map[string]string{"ContentType": "text/plain", "Content": "hello again", "ClientToken": "tok-1"}
	var second struct{ Id string }
	post(t, srv, "/participant/message", cust.token, other).decode(t, &second)
	require.NotEmpty(t, second.Id, "same token, other body: no id")
	require.NotEqual(t, first.Id, second.Id, "same token, other body: the first's id")
	// Both sockets saw "hello" once, then "hello again": no second
	// broadcast of the repeat.
	for _, w := range []*ws{aw, cw} {
		a, b := w.item(), w.item()
		require.Equal(t, []string{first.Id, second.Id}, []string{a.ID, b.ID}, "ids of the socket's items")
	}
	msgs := 0
	for _, it := range srv.Transcript(cust.ContactID) {
		if it.Type == "MESSAGE" {
			msgs++
		}
	}
	assert.Equal(t, 2, msgs, "messages in the transcript")

	// amazon-connect-chatjs sends every read receipt with one ClientToken:
	// each is a new request.
	for _, id := range []string{first.Id, second.Id} {
		post(t, srv, "/participant/event", agent.token, map[string]string{"ContentType": wire.ContentTypeMessageRead, "Content": receipt(id), "ClientToken": "INCOMING_READ_RECEIPT"}).wantOK(t)
	}
	for _, id := range []string{first.Id, second.Id} {
		it := cw.expectItem("MESSAGEMETADATA", wire.ContentTypeMessageMetadata)
		require.NotNil(t, it.MessageMetadata, "receipt %+v, want one for %s", it, id)
		require.Equal(t, id, it.MessageMetadata.MessageID, "receipt %+v", it)
	}

	// A retried disconnect succeeds after the first one took effect; a new
	// one is refused.
	dis := map[string]string{"ClientToken": "bye"}
	post(t, srv, "/participant/disconnect", agent.token, dis).wantOK(t)
	post(t, srv, "/participant/disconnect", agent.token, dis).wantOK(t)
	post(t, srv, "/participant/disconnect", agent.token, map[string]string{"ClientToken": "bye2"}).wantError(t, 403, "AccessDeniedException")
	left := cw.expectItem("EVENT", wire.ContentTypeParticipantLeft)
	require.Equal(t, agent.ParticipantID, left.ParticipantID, "left %+v", left)
	// Only one participant.left: the next item is the customer's typing.
	post(t, srv, "/participant/event", cust.token, map[string]string{"ContentType": wire.ContentTypeTyping}).wantOK(t)
	cw.expectItem("EVENT", wire.ContentTypeTyping)
}

func TestReceipts(t *testing.T) {
	t.Parallel()
	srv, cust, agent := setup(t)
	cw, aw := open(t, srv, cust), open(t, srv, agent)
	id, _ := sendMessage(t, srv, cust, "read me")
	cw.expectItem("MESSAGE", "text/plain")
	aw.expectItem("MESSAGE", "text/plain")

	for _, ct := range []string{wire.ContentTypeMessageDelivered, wire.ContentTypeMessageRead} {
		post(t, srv, "/participant/event", agent.token, map[string]string{"ContentType": ct, "Content": receipt(id)}).wantOK(t)
	}
	d := cw.expectItem("MESSAGEMETADATA", wire.ContentTypeMessageMetadata)
	r := cw.expectItem("MESSAGEMETADATA", wire.ContentTypeMessageMetadata)
	require.NotNil(t, d.MessageMetadata, "delivered receipt %+v", d)
	if rc := d.MessageMetadata.Receipts; assert.Len(t, rc, 1, "delivered receipt %+v", d.MessageMetadata) {
		assert.NotEmpty(t, rc[0].DeliveredTimestamp, "delivered receipt %+v", d.MessageMetadata)
		assert.Empty(t, rc[0].ReadTimestamp, "delivered receipt %+v", d.MessageMetadata)
		assert.Equal(t, agent.ParticipantID, rc[0].RecipientParticipantID, "delivered receipt %+v", d.MessageMetadata)
	}
	require.NotNil(t, r.MessageMetadata, "read receipt %+v", r)
	if rc := r.MessageMetadata.Receipts; assert.Len(t, rc, 1, "read receipt %+v", r.MessageMetadata) {
		assert.NotEmpty(t, rc[0].ReadTimestamp, "read receipt %+v", r.MessageMetadata)
		assert.Equal(t, agent.ParticipantID, rc[0].RecipientParticipantID, "read receipt %+v", r.MessageMetadata)
	}
	// The receipts went to the sender only: the agent's next frame is the
	// customer's typing.
	post(t, srv, "/participant/event", cust.token, map[string]string{"ContentType": wire.ContentTypeTyping}).wantOK(t)
	aw.expectItem("EVENT", wire.ContentTypeTyping)
	cw.expectItem("EVENT", wire.ContentTypeTyping)
	// The transcript's message carries the receipts; receipts and typing
	// are not items of their own.
	for _, it := range srv.Transcript(cust.ContactID) {
		switch it.Type {
		case "MESSAGE":
			require.NotNil(t, it.MessageMetadata, "message %+v", it)
			if rc := it.MessageMetadata.Receipts; assert.Len(t, rc, 1, "message metadata %+v", it.MessageMetadata) {
				assert.NotEmpty(t, rc[0].DeliveredTimestamp, "message metadata %+v", it.MessageMetadata)
				assert.NotEmpty(t, rc[0].ReadTimestamp, "message metadata %+v", it.MessageMetadata)
			}
		case "MESSAGEMETADATA":
			assert.Fail(t, "receipt in the transcript", "%+v", it)
		case "EVENT":
			assert.NotEqual(t, wire.ContentTypeTyping, it.ContentType, "typing in the transcript")
		}
	}

	// A supervisor makes three active participants: receipts conflict.
	sup, err := srv.AddParticipant(cust.ContactID, participanttest.RoleSupervisor, "Boss")
	require.NoError(t, err)
	supc := connect(t, srv, sup)
	post(t, srv, "/participant/event", agent.token, map[string]string{"ContentType": wire.ContentTypeMessageRead, "Content": receipt(id)}).wantError(t, 409, "ConflictException")
	// Typing is fine.
	post(t, srv, "/participant/event", agent.token, map[string]string{"ContentType": wire.ContentTypeTyping}).wantOK(t)
	// Back to two, receipts work again.
	post(t, srv, "/participant/disconnect", supc.token, `{}`).wantOK(t)
	post(t, srv, "/participant/event", agent.token, map[string]string{"ContentType": wire.ContentTypeMessageRead, "Content": receipt(id)}).wantOK(t)
}

func TestSendEventWithClient(t *testing.T) {
	t.Parallel()
	srv, cust, agent := setup(t)
	cw, aw := open(t, srv, cust), open(t, srv, agent)
	client := srv.Client(func(o *participant.Options) { o.RetryMaxAttempts = 1 })
	ctx := t.Context()

	out, err := client.SendTyping(ctx, participant.Token(cust.token))
	require.NoError(t, err)
	it := aw.expectItem("EVENT", wire.ContentTypeTyping)
	assert.Equal(t, out.ID, it.ID, "typing item %+v, output %+v", it, out)
	assert.Equal(t, cust.ParticipantID, it.ParticipantID, "typing item %+v", it)
	assert.Equal(t, "CUSTOMER", it.ParticipantRole, "typing item %+v", it)
	assert.Equal(t, "Customer", it.DisplayName, "typing item %+v", it)
	want, _ := time.Parse(time.RFC3339, it.AbsoluteTime)
	assert.True(t, out.AbsoluteTime.Equal(want), "output %+v, item time %s", out, it.AbsoluteTime)
	assert.NotEmpty(t, out.RequestID, "output %+v", out)
	cw.expectItem("EVENT", wire.ContentTypeTyping) // the sender's socket too

	id, _ := sendMessage(t, srv, agent, "hi")
	cw.expectItem("MESSAGE", "text/plain")
	aw.expectItem("MESSAGE", "text/plain")
	_, err = client.SendReadReceipt(ctx, participant.Token(cust.token), id)
	require.NoError(t, err)
	rcpt := aw.expectItem("MESSAGEMETADATA", wire.ContentTypeMessageMetadata)
	require.NotNil(t, rcpt.MessageMetadata, "receipt %+v", rcpt)
	assert.Equal(t, id, rcpt.MessageMetadata.MessageID, "receipt %+v", rcpt)

	_, err = srv.AddParticipant(cust.ContactID, participanttest.RoleCustomBot, "Bot")
	require.NoError(t, err)
	_, err = client.SendDeliveredReceipt(ctx, participant.Token(cust.token), id)
	var conflict *participant.ConflictError
	require.ErrorAs(t, err, &conflict, "receipt among three")
	_, err = client.SendTyping(ctx, cust.ParticipantToken)
	var denied *participant.AccessDeniedError
	require.ErrorAs(t, err, &denied, "typing with the participant token")
	_, err = client.SendEvent(ctx, &participant.SendEventInput{ConnectionToken: participant.Token(cust.token), ContentType: "application/vnd.amazonaws.connect.event.nope"})
	var invalid *participant.ValidationError
	require.ErrorAs(t, err, &invalid, "unknown event type")
}

// The operations of a chat that has ended all answer 403, whatever they are.
func TestEveryOperationRefusesAnEndedChat(t *testing.T) {
	t.Parallel()
	srv, cust, _ := setup(t)
	require.NoError(t, srv.StopContact(cust.ContactID))
	bodies := map[string]string{
		"/participant/message":                    `{"ContentType":"text/plain","Content":"x"}`,
		"/participant/event":                      `{"ContentType":"` + wire.ContentTypeTyping + `"}`,
		"/participant/transcript":                 `{}`,
		"/participant/disconnect":                 `{}`,
		"/participant/start-attachment-upload":    `{"ContentType":"text/plain","AttachmentName":"a.txt","ClientToken":"c","AttachmentSizeInBytes":1}`,
		"/participant/complete-attachment-upload": `{"AttachmentIds":["a"],"ClientToken":"c"}`,
		"/participant/attachment":                 `{"AttachmentId":"a"}`,
		"/participant/authentication-url":         fmt.Sprintf(`{"SessionId":%q,"RedirectUri":"https://x"}`, strings.Repeat("s", 36)),
		"/participant/cancel-authentication":      fmt.Sprintf(`{"SessionId":%q}`, strings.Repeat("s", 36)),
	}
	for path, body := range bodies {
		post(t, srv, path, cust.token, body).wantError(t, 403, "AccessDeniedException")
	}
	call(t, srv, http.MethodGet, "/participant/views/v", cust.token, nil).wantError(t, 403, "AccessDeniedException")
}

func TestConnectionAcknowledgedAndOptions(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	srv, cust, agent := setup(t, participanttest.WithClock(clk), participanttest.WithMaxAttachmentSize(10))
	aw := open(t, srv, agent)
	// The deprecated connection acknowledgement is accepted and sends
	// nothing: the agent's next item is the customer's typing.
	r := post(t, srv, "/participant/event", cust.token, map[string]string{"ContentType": "application/vnd.amazonaws.connect.event.connection.acknowledged"})
	r.wantOK(t)
	var out struct{ Id, AbsoluteTime string }
	r.decode(t, &out)
	require.NotEmpty(t, out.Id, "answer %s", r.body)
	require.Equal(t, "2026-05-01T00:00:00.000Z", out.AbsoluteTime, "answer %s", r.body)
	clk.Set(time.Date(2026, 5, 1, 0, 0, 7, 0, time.UTC))
	post(t, srv, "/participant/event", cust.token, map[string]string{"ContentType": wire.ContentTypeTyping}).wantOK(t)
	typing := aw.expectItem("EVENT", wire.ContentTypeTyping)
	assert.Equal(t, "2026-05-01T00:00:07.000Z", typing.AbsoluteTime, "typing time")
	_, r = startUpload(t, srv, cust, "a.txt", "text/plain", 11, "u")
	r.wantError(t, 400, "ValidationException")
	_, r = startUpload(t, srv, cust, "a.txt", "text/plain", 10, "u")
	r.wantOK(t)
}
