package chat

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

func chatFrame(item string) []byte {
	b, _ := json.Marshal(map[string]string{"content": item, "contentType": "application/json", "topic": "aws/chat"})
	return b
}

func TestParseFrameControl(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want frame
	}{
		{`{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}`, frame{kind: frameSubscribe, status: "success"}},
		{`{"topic":"aws/subscribe","content":"{\"status\":\"failure\"}"}`, frame{kind: frameSubscribe, status: "failure"}},
		{`{"topic":"aws/heartbeat"}`, frame{kind: frameHeartbeat}},
		{`{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}`, frame{kind: framePing, pingOK: true}},
		{`{"topic":"aws/ping","statusCode":500,"statusContent":"Internal Server Error"}`, frame{kind: framePing}},
		{`{"topic":"aws/ping","statusCode":"200"}`, frame{kind: framePing, pingOK: true}},
		{`{"message":"Forbidden","connectionId":"c","requestId":"r"}`, frame{kind: frameError, message: "Forbidden"}},
		{`{"topic":"aws/other"}`, frame{}},
		{`not json`, frame{}},
		{``, frame{}},
		{`{"topic":"aws/chat","content":""}`, frame{}},
	} {
		got := parseFrame([]byte(tc.in))
		assert.Equal(t, tc.want.kind, got.kind, "parseFrame(%s) = %+v, want %+v", tc.in, got, tc.want)
		assert.Equal(t, tc.want.status, got.status, "parseFrame(%s) = %+v, want %+v", tc.in, got, tc.want)
		assert.Equal(t, tc.want.pingOK, got.pingOK, "parseFrame(%s) = %+v, want %+v", tc.in, got, tc.want)
		assert.Equal(t, tc.want.message, got.message, "parseFrame(%s) = %+v, want %+v", tc.in, got, tc.want)
	}
}

func TestParseFrameItem(t *testing.T) {
	t.Parallel()
	item := `{"AbsoluteTime":"2026-11-29T12:00:00.123Z","Content":"hi","ContentType":"text/plain","Id":"i1","Type":"MESSAGE","ParticipantId":"p","ParticipantRole":"AGENT","ContactId":"c","InitialContactId":"c0"}`
	want := participant.Item{AbsoluteTime: participant.Time{Time: time.Date(2026, 11, 29, 12, 0, 0, 123e6, time.UTC)}, Content: "hi", ContentType: "text/plain", ID: "i1", Type: "MESSAGE", ParticipantID: "p", ParticipantRole: "AGENT", ContactID: "c", InitialContactID: "c0"}
	// The service sends content as a string of JSON; some fakes send the
	// object itself. Both are read.
	for _, raw := range [][]byte{chatFrame(item), []byte(`{"topic":"aws/chat","content":` + item + `}`)} {
		f := parseFrame(raw)
		require.Equal(t, frameChat, f.kind, "kind for %s", raw)
		got := f.item.it
		assert.True(t, got.AbsoluteTime.Equal(want.AbsoluteTime.Time), "time %v", got.AbsoluteTime)
		got.AbsoluteTime = want.AbsoluteTime
		assert.Equal(t, want.ID, got.ID, "item %+v, want %+v", got, want)
		assert.Equal(t, want.Content, got.Content, "item %+v, want %+v", got, want)
		assert.Equal(t, want.InitialContactID, got.InitialContactID, "item %+v, want %+v", got, want)
		assert.Equal(t, want.ParticipantRole, got.ParticipantRole, "item %+v, want %+v", got, want)
		assert.Equal(t, item, string(f.item.raw), "raw")
	}
}

func TestDecodeItemPastSessionSpellings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		json string
		past bool
	}{
		{`{"Id":"a","Type":"MESSAGE","IsFromPastSession":true}`, true},
		{`{"Id":"a","Type":"MESSAGE","isFromPastSession":true}`, true},
		{`{"Id":"a","Type":"MESSAGE","isFromPastSession":"true"}`, true},
		{`{"Id":"a","Type":"MESSAGE","isFromPastSession":false,"IsFromPastSession":true}`, true},
		{`{"Id":"a","Type":"MESSAGE","isFromPastSession":false}`, false},
		{`{"Id":"a","Type":"MESSAGE","RelatedContactId":"old"}`, true},
		{`{"Id":"a","Type":"MESSAGE"}`, false},
	} {
		in, ok := decodeItem([]byte(tc.json))
		require.True(t, ok, tc.json)
		assert.Equal(t, tc.past, in.past, tc.json)
	}
}

func TestDecodeItemChunks(t *testing.T) {
	t.Parallel()
	in, _ := decodeItem([]byte(`{"Id":"b","Type":"MESSAGE","Content":"Hel","MessageMetadata":{"MessageId":"b","MessageCompleted":false,"ChunkNumber":2}}`))
	assert.True(t, in.incomplete)
	assert.Equal(t, 2, in.chunk)
	assert.Equal(t, "Hel", in.it.Content)
	in, _ = decodeItem([]byte(`{"Id":"b","Type":"MESSAGE","Content":"Hello","MessageMetadata":{"MessageId":"b","MessageCompleted":true}}`))
	assert.False(t, in.incomplete, "a completed message read as a chunk")
	in, _ = decodeItem([]byte(`{"Id":"b","Type":"MESSAGE","MessageMetadata":{"MessageCompleted":"false","ChunkNumber":"3"}}`))
	assert.True(t, in.incomplete, "string-typed chunk metadata")
	assert.Equal(t, 3, in.chunk)
}

func TestDecodeItemLenient(t *testing.T) {
	t.Parallel()
	// A time in another layout and a number where a string belongs: the
	// strict decoder refuses it; what can be read is kept.
	in, ok := decodeItem([]byte(`{"Id":"x","Type":"MESSAGE","Content":"hi","AbsoluteTime":"2026-11-29T12:00:00.5","DisplayName":7}`))
	require.True(t, ok)
	assert.Equal(t, "x", in.it.ID)
	assert.Equal(t, "hi", in.it.Content)
	assert.Equal(t, participant.ChatItemTypeMessage, in.it.Type)
	assert.True(t, in.it.AbsoluteTime.Equal(time.Date(2026, 11, 29, 12, 0, 0, 5e8, time.UTC)), "time %v", in.it.AbsoluteTime)
}

// TestDecodeItemNotAnItem: content that is not a JSON object gives no item
// (and so no KindOther with a Raw that is not JSON).
func TestDecodeItemNotAnItem(t *testing.T) {
	t.Parallel()
	for _, b := range []string{`not json`, `{"Id":"a"} trailing`, `{"Id":`, `[1,2]`, `7`, `"x"`} {
		_, ok := decodeItem([]byte(b))
		assert.False(t, ok, b)
	}
}

func TestClassifyAndUnknownTypes(t *testing.T) {
	t.Parallel()
	e, _ := newTestEngine(engineConfig{window: -1})
	items := []string{
		`{"Id":"1","Type":"EVENT","ContentType":"application/vnd.amazonaws.connect.event.participant.idle","ParticipantId":"a","AbsoluteTime":"2026-11-29T12:00:00.001Z"}`,
		`{"Id":"2","Type":"EVENT","ContentType":"application/vnd.amazonaws.connect.event.participant.returned","ParticipantId":"a","AbsoluteTime":"2026-11-29T12:00:00.002Z"}`,
		`{"Id":"3","Type":"EVENT","ContentType":"application/vnd.amazonaws.connect.event.transfer.succeeded","AbsoluteTime":"2026-11-29T12:00:00.003Z"}`,
		`{"Id":"4","Type":"EVENT","ContentType":"application/vnd.amazonaws.connect.event.authentication.expired","AbsoluteTime":"2026-11-29T12:00:00.004Z"}`,
		`{"Id":"5","Type":"HOLOGRAM","ContentType":"application/x-future","Content":"?","AbsoluteTime":"2026-11-29T12:00:00.005Z","Extra":{"x":1}}`,
		`{"Id":"6","Type":"EVENT","ContentType":"application/vnd.amazonaws.connect.event.something.new","AbsoluteTime":"2026-11-29T12:00:00.006Z"}`,
		`{"Id":"7","Type":"MESSAGEMETADATA","ContentType":"application/vnd.amazonaws.connect.event.message.metadata","AbsoluteTime":"2026-11-29T12:00:00.007Z","MessageMetadata":{"MessageId":"m1","Receipts":[{"ReadTimestamp":"2026-11-29T12:00:00.006Z","RecipientParticipantId":"cust"}]}}`,
		`{"Id":"8","Type":"MESSAGEMETADATA","AbsoluteTime":"2026-11-29T12:00:00.008Z","MessageMetadata":{"MessageId":"m2","Receipts":[{"DeliveredTimestamp":"2026-11-29T12:00:00.007Z","RecipientParticipantId":"cust"}]}}`,
		`{"Id":"9","Type":"EVENT","ContentType":"application/vnd.amazonaws.connect.event.message.read","Content":"{\"messageId\":\"m3\"}","ParticipantId":"cust","AbsoluteTime":"2026-11-29T12:00:00.009Z"}`,
		`{"Id":"10","Type":"TRANSFER_FAILED","AbsoluteTime":"2026-11-29T12:00:00.010Z"}`,
		`{"Id":"11","Type":"ATTACHMENT","Attachments":[{"AttachmentId":"f","AttachmentName":"a.png","ContentType":"image/png","Status":"IN_PROGRESS"}],"AbsoluteTime":"2026-11-29T12:00:00.011Z"}`,
	}
	for _, it := range items {
		e.add(parseFrame(chatFrame(it)).item, t0)
	}
	e.flush(t0)
	evs := e.take()
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, ev.Kind.String())
	}
	want := "ParticipantIdle ParticipantReturned TransferSucceeded Authentication Other Other ReadReceipt DeliveredReceipt ReadReceipt TransferFailed Attachment"
	require.Equal(t, want, strings.Join(kinds, " "), "kinds")
	// Unknown items are passed through whole.
	assert.Equal(t, items[4], string(evs[4].Raw), "unknown item: raw")
	assert.Equal(t, participant.ChatItemType("HOLOGRAM"), evs[4].Item.Type, "unknown item: type")
	assert.NotNil(t, evs[5].Raw, "Raw is for unknown items only: none for an unknown event")
	assert.Nil(t, evs[1].Raw, "Raw is for unknown items only: one for a known event")
	r := evs[6]
	assert.Equal(t, "m1", r.MessageID, "read receipt %+v", r)
	assert.Equal(t, "cust", r.ParticipantID, "read receipt %+v", r)
	assert.True(t, r.Time.Equal(time.Date(2026, 11, 29, 12, 0, 0, 6e6, time.UTC)), "read receipt %+v", r)
	r = evs[7]
	assert.Equal(t, "m2", r.MessageID, "delivered receipt %+v", r)
	assert.Equal(t, KindDeliveredReceipt, r.Kind, "delivered receipt %+v", r)
	r = evs[8]
	assert.Equal(t, "m3", r.MessageID, "receipt event %+v", r)
	assert.Equal(t, "cust", r.ParticipantID, "receipt event %+v", r)
	assert.Equal(t, "Kind(200)", Kind(200).String(), "Kind.String")
	assert.Equal(t, "Message", KindMessage.String(), "Kind.String")
}
