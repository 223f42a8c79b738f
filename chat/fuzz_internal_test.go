package chat

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParseFrame feeds arbitrary WebSocket frames to the session's frame
// reader: it never panics, reads a frame the same way twice, and keeps the
// JSON of every chat item it finds.
func FuzzParseFrame(f *testing.F) {
	item := `{"Id":"i1","Type":"MESSAGE","Content":"hi","ContentType":"text/plain","AbsoluteTime":"2026-11-29T10:00:00.123Z","ParticipantRole":"AGENT","ContactId":"c1"}`
	quoted, _ := json.Marshal(item)
	for _, s := range []string{
		`{"content":` + string(quoted) + `,"contentType":"application/json","topic":"aws/chat"}`,
		`{"content":` + item + `,"contentType":"application/json","topic":"aws/chat"}`, // content as an object
		`{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}`,
		`{"topic":"aws/subscribe","content":{"status":"failure"}}`,
		`{"topic":"aws/heartbeat","content":""}`,
		`{"topic":"aws/ping","statusCode":200,"statusContent":"OK"}`,
		`{"topic":"aws/ping","statusCode":500}`,
		`{"message":"Forbidden","connectionId":"x","requestId":"y"}`,
		`{"content":"{\"Id\":\"c\",\"Type\":\"MESSAGE\",\"MessageMetadata\":{\"MessageCompleted\":false,\"ChunkNumber\":\"2\"}}","topic":"aws/chat"}`,
		`{"content":"{\"Id\":\"p\",\"isFromPastSession\":\"true\"}","topic":"aws/chat"}`,
		`{"content":"{\"Id\":\"p\",\"IsFromPastSession\":true,\"AbsoluteTime\":5}","topic":"aws/chat"}`,
		``, `null`, `[]`, `{"topic":5}`, `{"topic":"aws/chat","content":7}`, "\xff", `{"topic":"aws/chat"} trailing`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a := parseFrame(data)
		b := parseFrame(bytes.Clone(data))
		const differ = "frame %q read differently twice: %+v / %+v"
		require.Equal(t, a.kind, b.kind, differ, data, a, b)
		require.Equal(t, a.status, b.status, differ, data, a, b)
		require.Equal(t, a.pingOK, b.pingOK, differ, data, a, b)
		require.Equal(t, a.message, b.message, differ, data, a, b)
		require.Equal(t, a.item.it, b.item.it, differ, data, a, b)
		require.Equal(t, a.item.past, b.item.past, differ, data, a, b)
		require.Equal(t, a.item.incomplete, b.item.incomplete, differ, data, a, b)
		require.Equal(t, a.item.chunk, b.item.chunk, differ, data, a, b)
		if a.kind == frameChat {
			require.NotEmpty(t, a.item.raw, "frame %q: a chat item without its JSON", data)
		}
	})
}

// FuzzDecodeItem: any bytes decode without panicking; what decodes to an
// item is a JSON object (so Raw is JSON), and keeps its id.
func FuzzDecodeItem(f *testing.F) {
	for _, s := range []string{
		`{"Id":"i1","Type":"MESSAGE","AbsoluteTime":"2026-11-29T10:00:00.123Z"}`,
		`{"Id":"i2","Type":"ATTACHMENT","Attachments":[{"AttachmentId":"a","Status":"APPROVED"}]}`,
		`{"Id":5,"Type":"MESSAGE","Content":"lenient"}`, `{"Id":"x","MessageMetadata":{"MessageCompleted":"false","ChunkNumber":3}}`,
		`{}`, `null`, `"x"`, `{"Id":"i","RelatedContactId":"old"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in, ok := decodeItem(b)
		if !ok {
			return
		}
		require.True(t, json.Valid(in.raw), "item %q decoded from bytes that are not JSON", b)
		// A string member "Id" (the wire's spelling), the only member of
		// that name in any case, is the item's id.
		var members map[string]json.RawMessage
		var id string
		if json.Unmarshal(b, &members) == nil && json.Unmarshal(members["Id"], &id) == nil && id != "" && idMembers(members) == 1 {
			require.Equal(t, id, in.it.ID, "item %q decoded with the wrong id", b)
		}
		if in.it.RelatedContactID != "" {
			require.True(t, in.past, "item %q from a past contact not marked past", b)
		}
	})
}

// idMembers counts the members named id in any case.
func idMembers(m map[string]json.RawMessage) int {
	n := 0
	for k := range m {
		if strings.EqualFold(k, "Id") {
			n++
		}
	}
	return n
}
