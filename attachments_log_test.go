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
	if _, err := c.UploadAttachment(t.Context(), &participant.UploadAttachmentInput{ConnectionToken: "attachment-token-long", AttachmentName: "notes.txt", ContentType: "text/plain", AttachmentSizeInBytes: int64(len(file)), Body: bytes.NewReader(file)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DownloadAttachment(t.Context(), "attachment-token-long", "att-1")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, out.Body)
	_ = out.Body.Close()

	var transfers []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		for _, secret := range []string{attSignature, "X-Amz-Credential", "attachment-token-long"} {
			if strings.Contains(line, secret) {
				t.Errorf("log line shows %q: %s", secret, line)
			}
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["msg"] == "participant: attachment transfer" {
			transfers = append(transfers, rec)
		}
	}
	if len(transfers) != 2 {
		t.Fatalf("%d transfer records, want 2 (PUT, GET):\n%s", len(transfers), buf.String())
	}
	for i, method := range []string{"PUT", "GET"} {
		rec := transfers[i]
		if rec["method"] != method || rec["url"] != s.URL+"/bucket/att-1" || rec["status"] != float64(200) {
			t.Errorf("record %d: %v", i, rec)
		}
	}
}
