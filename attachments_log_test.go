package participant_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/connectchat/participant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAttachmentTransferLog: the PUT and the GET of presigned URLs each write
// one Debug record with the host and path, never the signed query or the
// token.
func TestAttachmentTransferLog(t *testing.T) {
	t.Parallel()
	file := []byte("logged transfer")
	s := newAttServer(t, func(s *attServer) { s.file, s.fileSize = file, int64(len(file)) })
	var buf bytes.Buffer
	lw := &lockedWriter{w: &buf}
	c := participant.New(participant.Options{
		BaseEndpoint: s.URL,
		Retryer:      aws.NopRetryer{},
		Logger:       slog.New(slog.NewJSONHandler(lw, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	t.Cleanup(c.CloseIdleConnections)
	_, err := c.UploadAttachment(t.Context(), &participant.UploadAttachmentInput{ConnectionToken: "attachment-token-long", AttachmentName: "notes.txt", ContentType: "text/plain", AttachmentSizeInBytes: int64(len(file)), Body: bytes.NewReader(file)})
	require.NoError(t, err)
	out, err := c.DownloadAttachment(t.Context(), "attachment-token-long", "att-1")
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, out.Body)
	_ = out.Body.Close()

	var transfers []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		for _, secret := range []string{attSignature, "X-Amz-Credential", "attachment-token-long"} {
			assert.NotContains(t, line, secret)
		}
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		if rec["msg"] == "participant: attachment transfer" {
			transfers = append(transfers, rec)
		}
	}
	require.Len(t, transfers, 2, "transfer records (PUT, GET):\n%s", buf.String())
	for i, method := range []string{"PUT", "GET"} {
		rec := transfers[i]
		assert.Equal(t, method, rec["method"], "record %d", i)
		assert.Equal(t, s.URL+"/bucket/att-1", rec["url"], "record %d", i)
		assert.Equal(t, float64(200), rec["status"], "record %d", i)
	}
}
