package participanttest

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/internal/ops"
)

// TestRoutesFollowOpsTable: every operation of the client's table routes,
// by its own method and path, to a handler of the same name, and the
// exported Op names are the table's.
func TestRoutesFollowOpsTable(t *testing.T) {
	t.Parallel()
	s := NewServer()
	t.Cleanup(s.Close)
	consts := map[string]string{
		"CancelParticipantAuthentication": OpCancelParticipantAuthentication,
		"CompleteAttachmentUpload":        OpCompleteAttachmentUpload,
		"CreateParticipantConnection":     OpCreateParticipantConnection,
		"DescribeView":                    OpDescribeView,
		"DisconnectParticipant":           OpDisconnectParticipant,
		"GetAttachment":                   OpGetAttachment,
		"GetAuthenticationUrl":            OpGetAuthenticationURL,
		"GetTranscript":                   OpGetTranscript,
		"SendEvent":                       OpSendEvent,
		"SendMessage":                     OpSendMessage,
		"StartAttachmentUpload":           OpStartAttachmentUpload,
	}
	require.Len(t, ops.All, len(consts))
	for _, op := range ops.All {
		t.Run(op.Name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, op.Name, consts[op.Name], "the Op constant of %s", op.Name)
			path := strings.ReplaceAll(op.Path, "{ViewToken}", "view-token-1")
			name, handle := s.route(httptest.NewRequest(op.Method, path, nil))
			assert.Equal(t, op.Name, name)
			assert.NotNil(t, handle, "no handler for %s %s", op.Method, path)
			assert.Contains(t, Operations(), op.Name)
		})
	}
}
