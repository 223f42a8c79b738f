package participanttest_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connectchat/participant/participanttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type uploadStart struct {
	AttachmentId   string
	UploadMetadata struct {
		Url              string
		UrlExpiry        string
		HeadersToInclude map[string]string
	}
}

func startUpload(t *testing.T, srv *participanttest.Server, c chat, name, ct string, size int, token string) (uploadStart, response) {
	t.Helper()
	r := post(t, srv, "/participant/start-attachment-upload", c.token, map[string]any{
		"ContentType": ct, "AttachmentName": name, "AttachmentSizeInBytes": size, "ClientToken": token,
	})
	var out uploadStart
	if r.status == 200 {
		r.decode(t, &out)
	}
	return out, r
}

// put uploads body to an upload URL with headers.
func put(t *testing.T, srv *participanttest.Server, url string, headers map[string]string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, url, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAttachmentRoundTrip(t *testing.T) {
	t.Parallel()
	srv, cust, agent := setup(t)
	aw := open(t, srv, agent)
	data := []byte("%PDF-1.7 a small file")
	up, r := startUpload(t, srv, cust, "report é.pdf", "application/pdf", len(data), "up-1")
	r.wantOK(t)
	h := up.UploadMetadata.HeadersToInclude
	require.Equal(t, "application/pdf", h["Content-Type"], "StartAttachmentUpload answered %+v", up)
	require.True(t, strings.HasPrefix(h["Content-Disposition"], "attachment"), "StartAttachmentUpload answered %+v", up)
	require.NotEmpty(t, up.AttachmentId, "StartAttachmentUpload answered %+v", up)
	require.NotEmpty(t, up.UploadMetadata.UrlExpiry, "StartAttachmentUpload answered %+v", up)
	// A repeat with the same ClientToken returns the same upload.
	again, _ := startUpload(t, srv, cust, "report é.pdf", "application/pdf", len(data), "up-1")
	require.Equal(t, up.AttachmentId, again.AttachmentId, "the repeat's attachment")

	bad := []struct {
		name    string
		headers map[string]string
		body    []byte
		status  int
		code    string
	}{
		{"no headers", nil, data, 403, "SignatureDoesNotMatch"},
		{"other content type", map[string]string{"Content-Type": "text/plain", "Content-Disposition": h["Content-Disposition"]}, data, 403, "SignatureDoesNotMatch"},
		{"short body", h, data[:5], 403, "SignatureDoesNotMatch"},
		{"long body", h, append(bytes.Clone(data), '!'), 403, "SignatureDoesNotMatch"},
	}
	for _, b := range bad {
		status, body := put(t, srv, up.UploadMetadata.Url, b.headers, b.body)
		assert.Equal(t, b.status, status, "%s: %s", b.name, body)
		assert.Contains(t, body, "<Code>"+b.code+"</Code>", "%s", b.name)
	}
	// Complete before the upload is refused.
	post(t, srv, "/participant/complete-attachment-upload", cust.token, map[string]any{"AttachmentIds": []string{up.AttachmentId}, "ClientToken": "c-1"}).wantError(t, 400, "ValidationException")

	status, body := put(t, srv, up.UploadMetadata.Url, h, data)
	require.Equal(t, http.StatusOK, status, "upload: %s", body)
	complete := map[string]any{"AttachmentIds": []string{up.AttachmentId}, "ClientToken": "c-2"}
	post(t, srv, "/participant/complete-attachment-upload", cust.token, complete).wantOK(t)
	it := aw.expectItem("ATTACHMENT", "application/pdf")
	require.Len(t, it.Attachments, 1, "attachment item %+v", it)
	a := it.Attachments[0]
	require.Equal(t, up.AttachmentId, a.AttachmentID, "attachment item %+v", it)
	require.Equal(t, "report é.pdf", a.AttachmentName, "attachment item %+v", it)
	require.Equal(t, "APPROVED", a.Status, "attachment item %+v", it)
	require.Equal(t, "application/pdf", a.ContentType, "attachment item %+v", it)
	require.Equal(t, cust.ParticipantID, it.ParticipantID, "attachment item %+v", it)
	// The same complete again is a repeat; another is a conflict.
	post(t, srv, "/participant/complete-attachment-upload", cust.token, complete).wantOK(t)
	post(t, srv, "/participant/complete-attachment-upload", cust.token, map[string]any{"AttachmentIds": []string{up.AttachmentId}, "ClientToken": "c-3"}).wantError(t, 409, "ConflictException")
	// Uploading after completion is refused.
	status, _ = put(t, srv, up.UploadMetadata.Url, h, data)
	assert.Equal(t, http.StatusForbidden, status, "upload after completion")

	// Download, by the other participant.
	r = post(t, srv, "/participant/attachment", agent.token, map[string]any{"AttachmentId": up.AttachmentId, "UrlExpiryInSeconds": 60})
	r.wantOK(t)
	var got struct {
		Url, UrlExpiry        string
		AttachmentSizeInBytes int64
	}
	r.decode(t, &got)
	assert.Equal(t, int64(len(data)), got.AttachmentSizeInBytes, "AttachmentSizeInBytes")
	resp, err := srv.HTTPClient().Get(got.Url)
	require.NoError(t, err)
	downloaded, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "download: %q %v", downloaded, resp.Header)
	require.Equal(t, data, downloaded, "download")
	require.Equal(t, "application/pdf", resp.Header.Get("Content-Type"), "download: %v", resp.Header)
	require.Equal(t, strconv.Itoa(len(data)), resp.Header.Get("Content-Length"), "download: %v", resp.Header)
	// The download URL is not an upload URL, and vice versa.
	status, _ = put(t, srv, got.Url, h, data)
	assert.Equal(t, http.StatusForbidden, status, "PUT to a download URL")
}

func TestAttachmentURLsExpire(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv, cust, _ := setup(t, participanttest.WithClock(clk), participanttest.WithLifetimes(participanttest.Lifetimes{UploadURL: time.Minute}))
	up, r := startUpload(t, srv, cust, "a.txt", "text/plain", 3, "u")
	r.wantOK(t)
	assert.Equal(t, "2026-01-01T00:01:00.000Z", up.UploadMetadata.UrlExpiry, "UrlExpiry")
	clk.Advance(time.Minute)
	status, body := put(t, srv, up.UploadMetadata.Url, up.UploadMetadata.HeadersToInclude, []byte("abc"))
	require.Equal(t, http.StatusForbidden, status, "late upload: %s", body)
	require.Contains(t, body, "expired", "late upload")
	up, _ = startUpload(t, srv, cust, "b.txt", "text/plain", 3, "u2")
	put(t, srv, up.UploadMetadata.Url, up.UploadMetadata.HeadersToInclude, []byte("abc"))
	post(t, srv, "/participant/complete-attachment-upload", cust.token, map[string]any{"AttachmentIds": []string{up.AttachmentId}, "ClientToken": "c"}).wantOK(t)
	var got struct{ Url, UrlExpiry string }
	post(t, srv, "/participant/attachment", cust.token, map[string]any{"AttachmentId": up.AttachmentId}).decode(t, &got)
	assert.Equal(t, "2026-01-01T00:06:00.000Z", got.UrlExpiry, "download UrlExpiry") // default 5 minutes
	clk.Advance(5 * time.Minute)
	resp, err := srv.HTTPClient().Get(got.Url)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "late download")
}

func TestAttachmentQuotaAndAccess(t *testing.T) {
	t.Parallel()
	srv, cust, _ := setup(t, participanttest.WithAttachmentLimit(2))
	for i, want := range []int{200, 200, 402} {
		_, r := startUpload(t, srv, cust, "a.txt", "text/plain", 1, "tok"+strconv.Itoa(i))
		if want == 402 {
			r.wantError(t, 402, "ServiceQuotaExceededException")
		} else {
			r.wantOK(t)
		}
	}
	// A repeat of an earlier start is not a new upload.
	_, r := startUpload(t, srv, cust, "a.txt", "text/plain", 1, "tok0")
	r.wantOK(t)

	// A custom bot may not read a customer's attachment.
	srv2 := newServer(t, participanttest.WithAttachmentContentTypes("image/png"))
	c2, err := srv2.StartChat(participanttest.ChatOptions{})
	require.NoError(t, err)
	cc := connect(t, srv2, c2)
	bot, _ := srv2.AddParticipant(c2.ContactID, participanttest.RoleCustomBot, "Bot")
	bc := connect(t, srv2, bot)
	_, r = startUpload(t, srv2, cc, "a.txt", "text/plain", 1, "t")
	require.Equal(t, http.StatusBadRequest, r.status, "text/plain with only image/png allowed: %s", r.body)
	up, r := startUpload(t, srv2, cc, "a.png", "image/png", 2, "t")
	r.wantOK(t)
	put(t, srv2, up.UploadMetadata.Url, up.UploadMetadata.HeadersToInclude, []byte{1, 2})
	post(t, srv2, "/participant/complete-attachment-upload", cc.token, map[string]any{"AttachmentIds": []string{up.AttachmentId}, "ClientToken": "c"}).wantOK(t)
	post(t, srv2, "/participant/attachment", bc.token, map[string]any{"AttachmentId": up.AttachmentId}).wantError(t, 403, "AccessDeniedException")
	post(t, srv2, "/participant/attachment", cc.token, map[string]any{"AttachmentId": up.AttachmentId}).wantOK(t)
	// An attachment of another chat is unknown.
	other, _ := startChat(t, srv2, participanttest.ChatOptions{})
	post(t, srv2, "/participant/attachment", other.token, map[string]any{"AttachmentId": up.AttachmentId}).wantError(t, 400, "ValidationException")
}

func TestUploadWithoutContentLength(t *testing.T) {
	t.Parallel()
	srv, cust, _ := setup(t)
	up, _ := startUpload(t, srv, cust, "a.txt", "text/plain", 3, "u")
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, up.UploadMetadata.Url, io.NopCloser(strings.NewReader("abc")))
	for k, v := range up.UploadMetadata.HeadersToInclude {
		req.Header.Set(k, v)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusLengthRequired, resp.StatusCode, "chunked upload: %s", b)
	assert.Contains(t, string(b), "MissingContentLength", "chunked upload")
}
