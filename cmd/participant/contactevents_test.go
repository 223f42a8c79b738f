package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/participanttest"
)

// TestContactEventsFlag: --contact-events takes URL[,SECRET] and refuses
// anything but an http(s) URL.
func TestContactEventsFlag(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"localhost:8080", "ftp://h/x", "http://", "://x,secret"} {
		_, err := contactEventsOption(v)
		assert.ErrorContains(t, err, "--contact-events", v)
	}
	for _, v := range []string{"http://127.0.0.1:1/events", "https://example.com/e,s3,cret"} {
		_, err := contactEventsOption(v)
		assert.NoError(t, err, v)
	}
}

// TestLocalContactEvents: `participant local --contact-events URL,SECRET`
// POSTs INITIATED when a chat starts and DISCONNECTED when it ends, shaped
// as EventBridge delivers them, with the secret.
func TestLocalContactEvents(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs a `participant local` process")
	}
	type got struct {
		secret string
		body   map[string]any
	}
	events := make(chan got, 8)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		events <- got{r.Header.Get(participanttest.ContactEventSecretHeader), m}
	}))
	t.Cleanup(recv.Close)
	p := startLocalProcess(t, "--agent", "none", "--contact-events", recv.URL+"/events,s3cret")
	c := p.join(t.Context(), t)
	next := func() got {
		select {
		case g := <-events:
			return g
		case <-time.After(10 * time.Second):
			require.FailNow(t, "no contact event")
			return got{}
		}
	}
	ev := next()
	assert.Equal(t, "s3cret", ev.secret)
	assert.Equal(t, "Amazon Connect Contact Event", ev.body["detail-type"])
	assert.Equal(t, "aws.connect", ev.body["source"])
	d, _ := ev.body["detail"].(map[string]any)
	require.NotNil(t, d)
	assert.Equal(t, "INITIATED", d["eventType"])
	assert.Equal(t, "CHAT", d["channel"])
	contactID, _ := d["contactId"].(string)
	assert.NotEmpty(t, contactID)

	_, err := c.client.DisconnectParticipant(t.Context(), &participant.DisconnectParticipantInput{ConnectionToken: c.token})
	require.NoError(t, err)
	ev = next()
	d, _ = ev.body["detail"].(map[string]any)
	require.NotNil(t, d)
	assert.Equal(t, "DISCONNECTED", d["eventType"])
	assert.Equal(t, contactID, d["contactId"])
	assert.NotEmpty(t, d["disconnectTimestamp"])
}
