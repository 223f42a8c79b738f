package participanttest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/internal/ops"
)

// TestRoutesFollowOpsTable: every operation of the client's table routes,
// by its own method and path, to its route in the one table, with the
// token the table names; the exported Op names are the table's; and no
// other method reaches it.
func TestRoutesFollowOpsTable(t *testing.T) {
	t.Parallel()
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
	require.Len(t, participantHandlers, len(ops.All))
	for _, op := range ops.All {
		t.Run(op.Name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, op.Name, consts[op.Name], "the Op constant of %s", op.Name)
			path := strings.ReplaceAll(op.Path, "{ViewToken}", "view-token-1")
			rt := routeOf(httptest.NewRequest(op.Method, path, nil))
			require.NotNil(t, rt, "no route for %s %s", op.Method, path)
			assert.Equal(t, op.Name, rt.op)
			assert.Equal(t, routeJSON, rt.kind)
			assert.Equal(t, op.Token == ops.ParticipantToken, rt.token == kindParticipant, "token")
			assert.Contains(t, Operations(), op.Name)
			for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead, http.MethodPatch} {
				if m != op.Method {
					assert.Nil(t, routeOf(httptest.NewRequest(m, path, nil)), "%s %s", m, path)
				}
			}
		})
	}
}

// TestRouteTable: every route of the table, by method and path, and the
// requests no route takes: other methods, unclean paths the mux would
// redirect, a route's prefix without its slash, a GET route's HEAD.
func TestRouteTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path, want string // want "": no route
	}{
		{"PUT", "/contact/chat", OpStartChatContact},
		{"POST", "/contact/create-participant", OpCreateParticipant},
		{"POST", "/contact/stop", OpStopContact},
		{"PUT", "/attachments/secret-1", OpUploadAttachment},
		{"GET", "/attachments/secret-1", OpDownloadAttachment},
		{"GET", "/attachments/", OpDownloadAttachment},
		{"GET", "/websocket?X-Amz-Signature=x", OpWebSocket},
		{"GET", "/authentication/authorize?session_id=x", OpAuthorize},
		{"GET", "/participant/views/a%2Fb", OpDescribeView},
		{"GET", "/participant/views/a/b", OpDescribeView}, // answered UnknownOperationException by DescribeView
		{"GET", "/participant/views/", OpDescribeView},
		{"POST", "/contact/chat", ""},
		{"GET", "/contact/stop", ""},
		{"DELETE", "/attachments/secret-1", ""},
		{"POST", "/websocket", ""},
		{"HEAD", "/websocket", ""},
		{"HEAD", "/participant/views/v", ""},
		{"PUT", "/attachments", ""},
		{"GET", "/participant/views", ""},
		{"POST", "/participant//message", ""},
		{"POST", "/participant/./message", ""},
		{"POST", "/participant/x/../message", ""},
		{"POST", "/participant/message/", ""},
		{"POST", "/", ""},
		{"GET", "/nope", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			rt := routeOf(httptest.NewRequest(tt.method, tt.path, nil))
			if tt.want == "" {
				assert.Nil(t, rt)
				return
			}
			require.NotNil(t, rt)
			assert.Equal(t, tt.want, rt.op)
		})
	}
	var names []string
	for _, rt := range routes {
		names = append(names, rt.op)
	}
	slices.Sort(names)
	assert.Equal(t, slices.Compact(names), Operations(), "Operations lists the table's names")
	assert.Len(t, Operations(), 18)
}
