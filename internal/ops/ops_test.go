package ops_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/connectchat/participant/internal/ops"
	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestTable: the eleven operations of the service, each once, with the
// facts of the service model.
func TestTable(t *testing.T) {
	t.Parallel()
	assert.Len(t, ops.All, 11)
	names, routes := map[string]bool{}, map[string]bool{}
	for _, op := range ops.All {
		assert.False(t, names[op.Name], op.Name)
		names[op.Name] = true
		route := op.Method + " " + op.Path
		assert.False(t, routes[route], route)
		routes[route] = true
		assert.True(t, strings.HasPrefix(op.Path, "/participant/"), op.Name)
		assert.Same(t, op, ops.ByName(op.Name))
		assert.Equal(t, op == ops.DescribeView, op.Method == http.MethodGet, op.Name)
		assert.Equal(t, op == ops.CreateParticipantConnection, op.Token == ops.ParticipantToken, op.Name)
	}
	idempotent := 0
	for _, op := range ops.All {
		if op.Idempotent {
			idempotent++
		}
	}
	assert.Equal(t, 5, idempotent, "SendMessage, SendEvent, DisconnectParticipant, StartAttachmentUpload, CompleteAttachmentUpload")
	assert.Nil(t, ops.ByName("NoSuchOp"))
	assert.Equal(t, "ParticipantToken", ops.ParticipantToken.Field())
	assert.Equal(t, "ConnectionToken", ops.ConnectionToken.Field())
}
