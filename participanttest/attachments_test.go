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
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAttachmentRoundTrip(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cust, agent := startChat(t, srv, participanttest.ChatOptions{})
	aw := open(t, srv, agent)
	data := []byte("%PDF-1.7 a small file")
	up, r := startUpload(t, srv, cust, "report é.pdf", "application/pdf", len(data), "up-1")
	r.wantOK(t)
	h := up.UploadMetadata.HeadersToInclude
	if h["Content-Type"] != "application/pdf" || !strings.HasPrefix(h["Content-Disposition"], "attachment") || up.AttachmentId == "" || up.UploadMetadata.UrlExpiry == "" {
		t.Fatalf("StartAttachmentUpload answered %+v", up)
	}
	// A repeat with the same ClientToken returns the same upload.
	again, _ := startUpload(t, srv, cust, "report é.pdf", "application/pdf", len(data), "up-1")
	if again.AttachmentId != up.AttachmentId {
		t.Fatalf("repeat gave attachment %s, first %s", again.AttachmentId, up.AttachmentId)
	}

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
		if status != b.status || !strings.Contains(body, "<Code>"+b.code+"</Code>") {
			t.Errorf("%s: %d %s", b.name, status, body)
		}
	}
	// Complete before the upload is refused.
	post(t, srv, "/participant/complete-attachment-upload", cust.token, map[string]any{"AttachmentIds": []string{up.AttachmentId}, "ClientToken": "c-1"}).wantError(t, 400, "ValidationException")

	if status, body := put(t, srv, up.UploadMetadata.Url, h, data); status != 200 {
		t.Fatalf("upload: %d %s", status, body)
	}
	complete := map[string]any{"AttachmentIds": []string{up.AttachmentId}, "ClientToken": "c-2"}
	post(t, srv, "/participant/complete-attachment-upload", cust.token, complete).wantOK(t)
	it := aw.expectItem("ATTACHMENT", "application/pdf")
	if len(it.Attachments) != 1 || it.Attachments[0].AttachmentID != up.AttachmentId || it.Attachments[0].AttachmentName != "report é.pdf" ||
		it.Attachments[0].Status != "APPROVED" || it.Attachments[0].ContentType != "application/pdf" || it.ParticipantID != cust.ParticipantID {
		t.Fatalf("attachment item %+v", it)
	}
	// The same complete again is a repeat; another is a conflict.
	post(t, srv, "/participant/complete-attachment-upload", cust.token, complete).wantOK(t)
	post(t, srv, "/participant/complete-attachment-upload", cust.token, map[string]any{"AttachmentIds": []string{up.AttachmentId}, "ClientToken": "c-3"}).wantError(t, 409, "ConflictException")
	// Uploading after completion is refused.
	if status, _ := put(t, srv, up.UploadMetadata.Url, h, data); status != 403 {
		t.Errorf("upload after completion: %d", status)
	}

	// Download, by the other participant.
	r = post(t, srv, "/participant/attachment", agent.token, map[string]any{"AttachmentId": up.AttachmentId, "UrlExpiryInSeconds": 60})
	r.wantOK(t)
	var got struct {
		Url, UrlExpiry        string
		AttachmentSizeInBytes int64
	}
	r.decode(t, &got)
	if got.AttachmentSizeInBytes != int64(len(data)) {
		t.Errorf("AttachmentSizeInBytes %d", got.AttachmentSizeInBytes)
	}
	resp, err := srv.HTTPClient().Get(got.Url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, data) || resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get("Content-Length") != strconv.Itoa(len(data)) {
		t.Fatalf("download: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	// The download URL is not an upload URL, and vice versa.
	if status, _ := put(t, srv, got.Url, h, data); status != 403 {
		t.Errorf("PUT to a download URL: %d", status)
	}
}

func TestAttachmentURLsExpire(t *testing.T) {
	t.Parallel()
	clk := participanttest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, participanttest.WithClock(clk), participanttest.WithLifetimes(participanttest.Lifetimes{UploadURL: time.Minute}))
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	up, r := startUpload(t, srv, cust, "a.txt", "text/plain", 3, "u")
	r.wantOK(t)
	if up.UploadMetadata.UrlExpiry != "2026-01-01T00:01:00.000Z" {
		t.Errorf("UrlExpiry %s", up.UploadMetadata.UrlExpiry)
	}
	clk.Advance(time.Minute)
	if status, body := put(t, srv, up.UploadMetadata.Url, up.UploadMetadata.HeadersToInclude, []byte("abc")); status != 403 || !strings.Contains(body, "expired") {
		t.Fatalf("late upload: %d %s", status, body)
	}
	up, _ = startUpload(t, srv, cust, "b.txt", "text/plain", 3, "u2")
	put(t, srv, up.UploadMetadata.Url, up.UploadMetadata.HeadersToInclude, []byte("abc"))
	post(t, srv, "/participant/complete-attachment-upload", cust.token, map[string]any{"AttachmentIds": []string{up.AttachmentId}, "ClientToken": "c"}).wantOK(t)
	var got struct{ Url, UrlExpiry string }
	post(t, srv, "/participant/attachment", cust.token, map[string]any{"AttachmentId": up.AttachmentId}).decode(t, &got)
	if got.UrlExpiry != "2026-01-01T00:06:00.000Z" { // default 5 minutes
		t.Errorf("download UrlExpiry %s", got.UrlExpiry)
	}
	clk.Advance(5 * time.Minute)
	resp, err := srv.HTTPClient().Get(got.Url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("late download: %d", resp.StatusCode)
	}
}

func TestAttachmentQuotaAndAccess(t *testing.T) {
	t.Parallel()
	srv := newServer(t, participanttest.WithAttachmentLimit(2))
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
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
	if err != nil {
		t.Fatal(err)
	}
	cc := connect(t, srv2, c2)
	bot, _ := srv2.AddParticipant(c2.ContactID, participanttest.RoleCustomBot, "Bot")
	bc := connect(t, srv2, bot)
	if _, r := startUpload(t, srv2, cc, "a.txt", "text/plain", 1, "t"); r.status != 400 {
		t.Fatalf("text/plain with only image/png allowed: %d", r.status)
	}
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
	srv := newServer(t)
	cust, _ := startChat(t, srv, participanttest.ChatOptions{})
	up, _ := startUpload(t, srv, cust, "a.txt", "text/plain", 3, "u")
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, up.UploadMetadata.Url, io.NopCloser(strings.NewReader("abc")))
	for k, v := range up.UploadMetadata.HeadersToInclude {
		req.Header.Set(k, v)
	}
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 411 || !strings.Contains(string(b), "MissingContentLength") {
		t.Fatalf("chunked upload: %d %s", resp.StatusCode, b)
	}
}
