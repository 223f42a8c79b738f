package participant

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/connectchat/participant/internal/wire"
)

// TestContentTypesMatchWire checks the exported content types, declared
// with their literal values so that go doc shows them, against the
// internal names chat and participanttest compare with.
func TestContentTypesMatchWire(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		got  ContentType
		want string
	}{
		{ContentTypePlainText, wire.ContentTypePlainText},
		{ContentTypeMarkdown, wire.ContentTypeMarkdown},
		{ContentTypeJSON, wire.ContentTypeJSON},
		{ContentTypeInteractiveResponse, wire.ContentTypeInteractiveResponse},
		{ContentTypeTyping, wire.ContentTypeTyping},
		{ContentTypeMessageDelivered, wire.ContentTypeMessageDelivered},
		{ContentTypeMessageRead, wire.ContentTypeMessageRead},
	} {
		assert.Equal(t, tc.want, string(tc.got))
	}
}
