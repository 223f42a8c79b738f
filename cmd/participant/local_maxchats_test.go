package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLocalMaxChats: `participant local --max-chats 2` starts two chats,
// refuses a third with LimitExceededException (429), as Amazon Connect does
// at its quota of concurrent active chats, and starts it once StopContact
// has ended one.
func TestLocalMaxChats(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs a `participant local` process")
	}
	p := startLocalProcess(t, "--max-chats", "2", "--agent", "none")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	first, err := startChatContact(ctx, p.endpoint, "Ann", "")
	require.NoError(t, err)
	_, err = startChatContact(ctx, p.endpoint, "Bob", "")
	require.NoError(t, err)
	_, err = startChatContact(ctx, p.endpoint, "Cy", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "status 429 LimitExceededException")

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint+"/contact/stop",
		strings.NewReader(`{"InstanceId":"local-instance","ContactId":"`+first.ContactID+`"}`))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)

	_, err = startChatContact(ctx, p.endpoint, "Cy", "")
	require.NoError(t, err)
}
