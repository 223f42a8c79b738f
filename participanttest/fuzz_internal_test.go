package participanttest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzClientFrame feeds arbitrary WebSocket frames to the lenient frame
// reader: it never panics, gives the same answer twice, and always finds at
// least one topic in what it accepts.
func FuzzClientFrame(f *testing.F) {
	for _, s := range []string{
		`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`,
		`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}})`, // the iOS SDK's stray ')'
		`{"topic":"aws/subscribe","content":"{\"topics\":[\"aws/chat\"]}"}`,
		`{"topic":"aws/heartbeat"}`, `{"topic":"aws/ping"}`, `{"topic":"aws/unsubscribe","content":{}}`,
		``, `null`, `[]`, `{"topic":5}`, `{"topic":"aws/subscribe","content":{"topics":"aws/chat"}}`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		topic, topics, ok := clientFrame(b)
		topic2, topics2, ok2 := clientFrame(b)
		require.Equal(t, topic, topic2, "frame %q read differently twice", b)
		require.True(t, slices.Equal(topics, topics2), "frame %q read differently twice: %q, %q", b, topics, topics2)
		require.Equal(t, ok, ok2, "frame %q read differently twice", b)
		if ok {
			require.NotEmpty(t, topics, "frame %q: no topics", b)
		}
	})
}

// FuzzPageToken: a NextToken from a client is decoded safely; only tokens the
// server made (signed with its key) are accepted, and they round-trip.
func FuzzPageToken(f *testing.F) {
	s := NewUnstartedServer(WithSeed(3))
	good := s.encodeToken(pageToken{C: "contact-1", D: "FORWARD", I: 7})
	for _, v := range []string{good, "", ".", "a.b", good + "x", strings.Replace(good, ".", "..", 1), "eyJjIjoiYyIsImQiOiJGT1JXQVJEIiwiaSI6MX0.AAAA"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		tok, ok := s.decodeToken(v)
		if !ok {
			return
		}
		require.Contains(t, []string{"FORWARD", "BACKWARD"}, tok.D, "token %q accepted with direction %q", v, tok.D)
		again, ok := s.decodeToken(s.encodeToken(tok))
		require.True(t, ok, "token %+v does not round-trip", tok)
		require.Equal(t, tok, again, "token %+v does not round-trip", tok)
	})
}

// FuzzRequestBody sends arbitrary bodies to every operation of a live chat:
// the server never panics and always answers in the service's wire form, a
// JSON body with x-amzn-RequestId, and an X-Amzn-ErrorType on every error.
func FuzzRequestBody(f *testing.F) {
	s := NewUnstartedServer(WithSeed(5))
	s.StartInMemory()
	defer s.Close()
	cust, err := s.StartChat(ChatOptions{})
	require.NoError(f, err)
	conn, err := s.Connect(cust.ParticipantToken)
	require.NoError(f, err)
	routes := []struct{ method, path, token string }{
		{"POST", "/participant/connection", cust.ParticipantToken.Reveal()},
		{"POST", "/participant/message", ""},
		{"POST", "/participant/event", ""},
		{"POST", "/participant/transcript", ""},
		{"POST", "/participant/start-attachment-upload", ""},
		{"POST", "/participant/complete-attachment-upload", ""},
		{"POST", "/participant/attachment", ""},
		{"GET", "/participant/views/v%2F1", ""},
		{"POST", "/participant/authentication-url", ""},
		{"POST", "/participant/cancel-authentication", ""},
		{"PUT", "/contact/chat", ""},
		{"POST", "/contact/create-participant", ""},
	}
	for _, b := range []string{
		`{}`, `{"ContentType":"text/plain","Content":"hi"}`, `{"ContentType":"application/vnd.amazonaws.connect.event.typing"}`,
		`{"MaxResults":100,"ScanDirection":"BACKWARD","StartPosition":{}}`, `{"StartPosition":{"MostRecent":5},"NextToken":"x"}`,
		`{"AttachmentName":"a.txt","AttachmentSizeInBytes":3,"ContentType":"text/plain","ClientToken":"c"}`,
		`{"AttachmentIds":["a"],"ClientToken":"c"}`, `{"AttachmentId":"a","UrlExpiryInSeconds":5}`,
		`{"SessionId":"123456789012345678901234567890123456","RedirectUri":"https://x"}`,
		`{"Type":["WEBSOCKET","CONNECTION_CREDENTIALS"],"ConnectParticipant":true}`,
		`{"InstanceId":"i","ContactFlowId":"f","ParticipantDetails":{"DisplayName":"A"}}`,
		`null`, `[]`, `{"Content":5}`, `{"MaxResults":1e400}`, "\xff", `{"ContentType":"text/plain","Content":"x"} trailing`,
	} {
		for i := range routes {
			f.Add(uint8(i), []byte(b))
		}
	}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		req := httptest.NewRequest(rt.method, "http://participanttest.localhost"+rt.path, bytes.NewReader(body))
		tok := rt.token
		if tok == "" {
			tok = conn.ConnectionToken.Reveal()
		}
		req.Header.Set("X-Amz-Bearer", tok)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		res := w.Result()
		// The server writes the header names in the service's spelling,
		// which a recorder, unlike a real client, does not canonicalise.
		require.NotEmpty(t, headerAnyCase(res.Header, "x-amzn-requestid"), "%s %s %q: no x-amzn-RequestId", rt.method, rt.path, body)
		require.True(t, json.Valid(w.Body.Bytes()), "%s %s %q: status %d, body not JSON: %q", rt.method, rt.path, body, res.StatusCode, w.Body.Bytes())
		if res.StatusCode != http.StatusOK {
			require.NotEmpty(t, headerAnyCase(res.Header, "x-amzn-errortype"), "%s %s %q: status %d without X-Amzn-ErrorType", rt.method, rt.path, body, res.StatusCode)
		}
	})
}

// headerAnyCase finds a header whatever the case of its name.
func headerAnyCase(h http.Header, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
