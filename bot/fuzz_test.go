package bot_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/bot"
)

// FuzzParseContactEvent: the decoder never panics, and what it accepts is
// a contact event with an event type and a contact id that encoding/json
// finds in the same body.
func FuzzParseContactEvent(f *testing.F) {
	for _, s := range []string{
		event("INITIATED", "CHAT", "c1"), event("DISCONNECTED", "CHAT", "c1"), event("QUEUED", "VOICE", "v"),
		`{"detail-type":"Amazon Connect Contact Event","detail":{"eventType":"INITIATED","contactId":"x"}}`,
		`{"detail-type":"Other"}`, `{}`, `[]`, `null`, `{"detail-type":"Amazon Connect Contact Event","detail":null}`,
		`{"detail-type":"Amazon Connect Contact Event","detail":{"eventType":"","contactId":"\u00e9"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := bot.ParseContactEvent(body)
		if err != nil {
			assert.Zero(t, ev)
			return
		}
		require.NotEmpty(t, ev.EventType)
		require.NotEmpty(t, ev.ContactID)
		var v struct {
			DetailType string                                `json:"detail-type"`
			Detail     struct{ EventType, ContactID string } `json:"detail"`
		}
		require.NoError(t, json.Unmarshal(body, &v))
		assert.Equal(t, bot.DetailType, v.DetailType)
		assert.Equal(t, v.Detail.EventType, ev.EventType)
		assert.Equal(t, v.Detail.ContactID, ev.ContactID)
	})
}
