package participant_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// attSignature stands for the signature in the query of a presigned URL: it
// must never appear in an error.
const attSignature = "SIGNATURE-c2VjcmV0"

// attServer plays the Participant Service's attachment operations and the
// storage behind their presigned URLs, on one loopback server.
type attServer struct {
	*httptest.Server
	t *testing.T

	headers   map[string]string                                 // HeadersToInclude of StartAttachmentUpload
	uploadURL string                                            // UploadMetadata.Url; "" means this server's /bucket/att-1
	put       func(w http.ResponseWriter, r *http.Request) bool // true: the handler answered
	start     func(w http.ResponseWriter) bool
	complete  func(w http.ResponseWriter) bool
	file      []byte // what GET /bucket/att-1 serves
	fileSize  int64  // AttachmentSizeInBytes of GetAttachment
	get       func(w http.ResponseWriter, r *http.Request) bool

	mu        sync.Mutex
	calls     []string    // method and path of every request
	startBody []byte      // the StartAttachmentUpload body
	doneBody  []byte      // the CompleteAttachmentUpload body
	putBody   []byte      // the body of a PUT that arrived whole
	putHeader http.Header // its headers
	putLength int64       // its Content-Length
	getHeader http.Header // the headers of the GET
}

func newAttServer(t *testing.T, configure func(s *attServer)) *attServer {
	t.Helper()
	s := &attServer{t: t, headers: map[string]string{
		"Content-Type":        "text/plain",
		"x-amz-meta-contact":  "contact-1",
		"Content-Disposition": `attachment; filename="notes.txt"`,
	}}
	if configure != nil {
		configure(s)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *attServer) fileURL() string {
	return s.URL + "/bucket/att-1?X-Amz-Signature=" + attSignature + "&X-Amz-Credential=AKIDEXAMPLE"
}

func (s *attServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls = append(s.calls, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	switch r.Method + " " + r.URL.Path {
	case "POST /participant/start-attachment-upload":
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.startBody = b
		s.mu.Unlock()
		if s.start != nil && s.start(w) {
			return
		}
		u := s.uploadURL
		if u == "" {
			u = s.fileURL()
		}
		out, _ := json.Marshal(map[string]any{"AttachmentId": "att-1", "UploadMetadata": map[string]any{
			"Url": u, "UrlExpiry": "2026-11-29T10:05:00.000Z", "HeadersToInclude": s.headers,
		}})
		_, _ = w.Write(out)
	case "PUT /bucket/att-1":
		// The handler runs on the server's goroutine: assert, never require.
		assert.Empty(s.t, r.Header.Get("X-Amz-Bearer"), "the PUT carried credentials: %v", r.Header)
		assert.Empty(s.t, r.Header.Get("Authorization"), "the PUT carried credentials: %v", r.Header)
		assert.Equal(s.t, attSignature, r.URL.Query().Get("X-Amz-Signature"), "the PUT lost the URL's query: %q", r.URL.RawQuery)
		if s.put != nil && s.put(w, r) {
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return // the client gave up mid-body
		}
		s.mu.Lock()
		s.putBody, s.putHeader, s.putLength = b, r.Header.Clone(), r.ContentLength
		s.mu.Unlock()
	case "POST /participant/complete-attachment-upload":
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.doneBody = b
		s.mu.Unlock()
		if s.complete != nil && s.complete(w) {
			return
		}
		_, _ = io.WriteString(w, "{}")
	case "POST /participant/attachment":
		out, _ := json.Marshal(map[string]any{"Url": s.fileURL(), "UrlExpiry": "2026-11-29T10:01:00.000Z", "AttachmentSizeInBytes": s.fileSize})
		w.Header().Set("x-amzn-RequestId", "get-attachment-rid")
		_, _ = w.Write(out)
	case "GET /bucket/att-1":
		s.mu.Lock()
		s.getHeader = r.Header.Clone()
		s.mu.Unlock()
		if s.get != nil && s.get(w, r) {
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(s.file)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (s *attServer) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *attServer) client(t *testing.T) *participant.Client {
	c := participant.New(participant.Options{BaseEndpoint: s.URL, Retryer: aws.NopRetryer{}})
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// checkNoSecret fails when err shows the URL's signature or query.
func checkNoSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, secret := range []string{attSignature, "X-Amz-Credential", "AKIDEXAMPLE", "attachment-token"} {
		assert.NotContains(t, err.Error(), secret, "error shows %q", secret)
	}
}

func TestUploadAttachment(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("0123456789abcdef"), 6000) // 96000 bytes: several reads
	s := newAttServer(t, nil)
	c := s.client(t)
	var progress []int64
	id, err := c.UploadAttachment(t.Context(), &participant.UploadAttachmentInput{
		ConnectionToken: "attachment-token", AttachmentName: "notes.txt", ContentType: "text/plain",
		AttachmentSizeInBytes: int64(len(data)), Body: bytes.NewReader(data),
		Progress: func(sent, total int64) {
			assert.Equal(t, int64(len(data)), total)
			progress = append(progress, sent)
		},
	})
	require.NoError(t, err)
	assert.Equal(t, "att-1", id, "id")
	assert.Equal(t, []string{"POST /participant/start-attachment-upload", "PUT /bucket/att-1", "POST /participant/complete-attachment-upload"}, s.seen(), "requests")
	s.mu.Lock()
	defer s.mu.Unlock()
	// Not assert.Equal: a diff of 96000 bytes says less than the lengths.
	assert.True(t, bytes.Equal(s.putBody, data), "the PUT carried %d bytes, want those %d", len(s.putBody), len(data))
	assert.Equal(t, int64(len(data)), s.putLength, "Content-Length of the PUT")
	// Exactly HeadersToInclude, beside what HTTP itself needs.
	var names []string
	for k := range s.putHeader {
		if k != "Content-Length" && k != "Accept-Encoding" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	assert.Equal(t, []string{"Content-Disposition", "Content-Type", "X-Amz-Meta-Contact"}, names, "PUT headers")
	for k, v := range s.headers {
		assert.Equal(t, []string{v}, s.putHeader.Values(k), "PUT header %s", k)
	}
	var start, done map[string]any
	_ = json.Unmarshal(s.startBody, &start)
	_ = json.Unmarshal(s.doneBody, &done)
	assert.Equal(t, "notes.txt", start["AttachmentName"], "StartAttachmentUpload body %s", s.startBody)
	assert.Equal(t, "text/plain", start["ContentType"], "StartAttachmentUpload body %s", s.startBody)
	assert.Equal(t, float64(len(data)), start["AttachmentSizeInBytes"], "StartAttachmentUpload body %s", s.startBody)
	assert.NotEqual(t, "", start["ClientToken"], "StartAttachmentUpload body %s", s.startBody)
	assert.Equal(t, []any{"att-1"}, done["AttachmentIds"], "CompleteAttachmentUpload body %s", s.doneBody)
	assert.NotEqual(t, "", done["ClientToken"], "CompleteAttachmentUpload body %s", s.doneBody)
	if assert.GreaterOrEqual(t, len(progress), 2, "progress %v: want increasing calls", progress) {
		assert.Equal(t, int64(len(data)), progress[len(progress)-1], "progress %v: want calls ending at %d", progress, len(data))
	}
	assert.True(t, slices.IsSorted(progress), "progress %v: want increasing calls", progress)
}

// TestUploadAttachmentFailures: each failure is reported clearly, under the
// right operation name, without the URL's query; nothing is completed after
// a failed PUT.
func TestUploadAttachmentFailures(t *testing.T) {
	t.Parallel()
	data := []byte("0123456789")
	tests := []struct {
		name      string
		configure func(s *attServer)
		size      int64
		body      func(t *testing.T, ctx context.Context, cancel context.CancelFunc) io.Reader
		op        string // OperationName of the error
		check     func(t *testing.T, err error)
		want      []string // requests the server saw; nil when it depends on timing
		wantID    string
	}{
		{
			name: "reader shorter than size", size: 20,
			op: "UploadAttachment",
			check: func(t *testing.T, err error) {
				wantIs(t, err, participant.ErrAttachmentSize, "ended after 10 of 20 bytes")
			},
		},
		{
			name: "reader longer than size", size: 9,
			op: "UploadAttachment",
			check: func(t *testing.T, err error) {
				wantIs(t, err, participant.ErrAttachmentSize, "more than the declared 9 bytes")
			},
		},
		{
			name: "large reader one byte short", size: 200000,
			body: func(*testing.T, context.Context, context.CancelFunc) io.Reader {
				return bytes.NewReader(make([]byte, 199999))
			},
			op: "UploadAttachment",
			check: func(t *testing.T, err error) {
				wantIs(t, err, participant.ErrAttachmentSize, "ended after 199999 of 200000 bytes")
			},
		},
		{
			name: "large reader one byte long", size: 200000,
			body: func(*testing.T, context.Context, context.CancelFunc) io.Reader {
				return bytes.NewReader(make([]byte, 200001))
			},
			op: "UploadAttachment",
			check: func(t *testing.T, err error) {
				wantIs(t, err, participant.ErrAttachmentSize, "more than the declared 200000 bytes")
			},
		},
		{
			name: "reader error", size: 10,
			body: func(*testing.T, context.Context, context.CancelFunc) io.Reader {
				return iotest.ErrReader(errors.New("disk on fire"))
			},
			op:    "UploadAttachment",
			check: func(t *testing.T, err error) { wantText(t, err, "disk on fire") },
		},
		{
			name: "storage rejects the signature", size: 10,
			configure: func(s *attServer) {
				s.put = func(w http.ResponseWriter, r *http.Request) bool {
					w.Header().Set("Content-Type", "application/xml")
					w.Header().Set("X-Amz-Request-Id", "s3-request-1")
					w.WriteHeader(http.StatusForbidden)
					_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. `+r.URL.RawQuery+`</Message><StringToSign>`+attSignature+`</StringToSign></Error>`)
					return true
				}
			},
			op: "UploadAttachment",
			check: func(t *testing.T, err error) {
				var re *participant.ResponseError
				require.ErrorAs(t, err, &re, "want a ResponseError")
				assert.Equal(t, http.StatusForbidden, re.StatusCode)
				assert.Equal(t, "s3-request-1", re.RequestID)
				var ae smithy.APIError
				require.ErrorAs(t, err, &ae, "want S3's error code")
				assert.Equal(t, "SignatureDoesNotMatch", ae.ErrorCode())
				assert.Regexp(t, `^operation error ConnectParticipant: UploadAttachment, PUT http://127\.0\.0\.1:\d+/bucket/att-1: `, err.Error(), "host and path only")
				wantText(t, err, "StatusCode: 403, RequestID: s3-request-1, api error SignatureDoesNotMatch: The request signature we calculated")
			},
			want: []string{"POST /participant/start-attachment-upload", "PUT /bucket/att-1"},
		},
		{
			name: "redirect not followed", size: 10,
			configure: func(s *attServer) {
				s.put = func(w http.ResponseWriter, r *http.Request) bool {
					http.Redirect(w, r, "/elsewhere?X-Amz-Signature="+attSignature, http.StatusTemporaryRedirect)
					return true
				}
			},
			op: "UploadAttachment",
			check: func(t *testing.T, err error) {
				var re *participant.ResponseError
				require.ErrorAs(t, err, &re, "want a ResponseError")
				assert.Equal(t, http.StatusTemporaryRedirect, re.StatusCode)
			},
			want: []string{"POST /participant/start-attachment-upload", "PUT /bucket/att-1"},
		},
		{
			name: "connection dropped", size: 10,
			configure: func(s *attServer) {
				s.put = func(w http.ResponseWriter, r *http.Request) bool {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						_ = conn.Close()
					}
					return true
				}
			},
			op: "UploadAttachment",
			check: func(t *testing.T, err error) {
				var re *participant.ResponseError
				assert.False(t, errors.As(err, &re), "no response arrived, yet %v", err)
				assert.Regexp(t, `UploadAttachment, PUT http://127\.0\.0\.1:\d+/bucket/att-1: `, err.Error())
			},
			want: []string{"POST /participant/start-attachment-upload", "PUT /bucket/att-1"},
		},
		{
			name: "storage answers before the body", size: 10,
			configure: func(s *attServer) {
				s.put = func(w http.ResponseWriter, r *http.Request) bool {
					w.Header().Set("Connection", "close")
					w.WriteHeader(http.StatusOK)
					return true
				}
			},
			body: func(t *testing.T, _ context.Context, _ context.CancelFunc) io.Reader {
				br := &blockingReader{ch: make(chan struct{})}
				t.Cleanup(func() { close(br.ch) })
				return io.MultiReader(bytes.NewReader(data[:5]), br)
			},
			op: "UploadAttachment",
			check: func(t *testing.T, err error) {
				assert.ErrorContains(t, err, "PUT http://127.0.0.1:")
				assert.ErrorContains(t, err, "answered 200 before the whole attachment was sent")
			},
			want: []string{"POST /participant/start-attachment-upload", "PUT /bucket/att-1"},
		},
		{
			name: "context canceled during the upload", size: 10,
			body: func(_ *testing.T, ctx context.Context, cancel context.CancelFunc) io.Reader {
				return &cancelingReader{r: bytes.NewReader(data[:4]), ctx: ctx, cancel: cancel}
			},
			op: "UploadAttachment",
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, context.Canceled)
			},
		},
		{
			name: "Content-Length header disagrees", size: 10,
			configure: func(s *attServer) { s.headers = map[string]string{"Content-Length": "11"} },
			op:        "UploadAttachment",
			check: func(t *testing.T, err error) {
				wantIs(t, err, participant.ErrAttachmentSize, `expects Content-Length "11"`)
			},
			want: []string{"POST /participant/start-attachment-upload"},
		},
		{
			name: "plain http URL of another host", size: 10,
			configure: func(s *attServer) {
				s.uploadURL = "http://storage.example.com/bucket/att-1?X-Amz-Signature=" + attSignature
			},
			op: "UploadAttachment",
			check: func(t *testing.T, err error) {
				wantText(t, err, "refusing the plain http upload URL http://storage.example.com/bucket/att-1")
			},
			want: []string{"POST /participant/start-attachment-upload"},
		},
		{
			name: "no upload URL", size: 10,
			configure: func(s *attServer) {
				s.start = func(w http.ResponseWriter) bool { _, _ = io.WriteString(w, `{"AttachmentId":"att-1"}`); return true }
			},
			op:    "UploadAttachment",
			check: func(t *testing.T, err error) { wantText(t, err, "no upload URL") },
			want:  []string{"POST /participant/start-attachment-upload"},
		},
		{
			name: "start fails", size: 10,
			configure: func(s *attServer) {
				s.start = func(w http.ResponseWriter) bool {
					writeErr(w, http.StatusPaymentRequired, "ServiceQuotaExceededException", "too many attachments")
					return true
				}
			},
			op: "StartAttachmentUpload",
			check: func(t *testing.T, err error) {
				var q *participant.ServiceQuotaExceededError
				assert.ErrorAs(t, err, &q)
			},
			want: []string{"POST /participant/start-attachment-upload"},
		},
		{
			name: "complete fails", size: 10,
			configure: func(s *attServer) {
				s.complete = func(w http.ResponseWriter) bool {
					writeErr(w, http.StatusConflict, "ConflictException", "already uploading")
					return true
				}
			},
			op: "CompleteAttachmentUpload",
			check: func(t *testing.T, err error) {
				var ce *participant.ConflictError
				assert.ErrorAs(t, err, &ce)
			},
			want:   []string{"POST /participant/start-attachment-upload", "PUT /bucket/att-1", "POST /participant/complete-attachment-upload"},
			wantID: "att-1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newAttServer(t, tt.configure)
			c := s.client(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var body io.Reader = bytes.NewReader(data)
			if tt.body != nil {
				body = tt.body(t, ctx, cancel)
			}
			id, err := c.UploadAttachment(ctx, &participant.UploadAttachmentInput{ConnectionToken: "attachment-token", AttachmentName: "notes.txt", ContentType: "text/plain", AttachmentSizeInBytes: tt.size, Body: body})
			require.Error(t, err, "no error")
			assert.Equal(t, tt.wantID, id, "id")
			var oe *smithy.OperationError
			if assert.ErrorAs(t, err, &oe, "not the %s operation error", tt.op) {
				assert.Equal(t, tt.op, oe.OperationName, "OperationName of %v", err)
				assert.Equal(t, "ConnectParticipant", oe.ServiceID, "ServiceID of %v", err)
			}
			tt.check(t, err)
			checkNoSecret(t, err)
			// Wait for every handler to finish before looking at what arrived.
			c.CloseIdleConnections()
			s.Close()
			if tt.want != nil {
				assert.Equal(t, tt.want, s.seen(), "requests")
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if tt.op != "CompleteAttachmentUpload" {
				assert.Nil(t, s.doneBody, "CompleteAttachmentUpload was called after a failed upload")
				assert.Nil(t, s.putBody, "storage received a whole body (%d bytes) from a failed upload", len(s.putBody))
			}
		})
	}
}

// TestUploadAttachmentChecksFirst: invalid arguments fail before any I/O.
func TestUploadAttachmentChecksFirst(t *testing.T) {
	t.Parallel()
	s := newAttServer(t, nil)
	c := s.client(t)
	tests := []struct {
		name   string
		tok    participant.Token
		file   string
		ctype  string
		size   int64
		body   io.Reader
		fields []string
	}{
		{"over 20 MB", "t", "a.bin", "application/pdf", participant.MaxAttachmentSize + 1, strings.NewReader("x"), []string{"UploadAttachment.AttachmentSizeInBytes"}},
		{"zero size", "t", "a.bin", "application/pdf", 0, strings.NewReader(""), []string{"UploadAttachment.AttachmentSizeInBytes"}},
		{"nil reader", "t", "a.bin", "application/pdf", 1, nil, []string{"UploadAttachment.Body"}},
		{"everything missing", "", "", "", 0, nil, []string{"UploadAttachment.ConnectionToken", "UploadAttachment.ContentType", "UploadAttachment.AttachmentSizeInBytes", "UploadAttachment.AttachmentName", "UploadAttachment.Body"}},
	}
	for _, tt := range tests {
		_, err := c.UploadAttachment(t.Context(), &participant.UploadAttachmentInput{ConnectionToken: tt.tok, AttachmentName: tt.file, ContentType: tt.ctype, AttachmentSizeInBytes: tt.size, Body: tt.body})
		var ip *smithy.InvalidParamsError
		if !assert.ErrorAs(t, err, &ip, tt.name) {
			continue
		}
		var got []string
		for _, e := range ip.Errs() {
			var pe smithy.InvalidParamError
			if errors.As(e, &pe) {
				got = append(got, pe.Field())
			}
		}
		assert.Equal(t, tt.fields, got, "%s: fields", tt.name)
	}
	// Exactly 20 MB is accepted.
	big := bytes.Repeat([]byte{'z'}, participant.MaxAttachmentSize)
	_, err := c.UploadAttachment(t.Context(), &participant.UploadAttachmentInput{ConnectionToken: "t", AttachmentName: "big.bin", ContentType: "application/octet-stream", AttachmentSizeInBytes: int64(len(big)), Body: bytes.NewReader(big)})
	assert.NoError(t, err, "20 MB")
	assert.Len(t, s.seen(), 3, "requests: only the 20 MB upload may be sent")
}

func TestDownloadAttachment(t *testing.T) {
	t.Parallel()
	file := []byte("the attachment's bytes")
	s := newAttServer(t, func(s *attServer) { s.file, s.fileSize = file, int64(len(file)) })
	c := s.client(t)
	out, err := c.DownloadAttachment(t.Context(), "attachment-token", "att-1")
	require.NoError(t, err)
	got, err := io.ReadAll(out.Body)
	cerr := out.Body.Close()
	require.NoError(t, err, "reading Body")
	require.NoError(t, cerr, "closing Body")
	assert.Equal(t, file, got, "Body")
	assert.Equal(t, "text/plain", out.ContentType, "ContentType")
	assert.Equal(t, int64(len(file)), out.AttachmentSizeInBytes, "AttachmentSizeInBytes")
	assert.Equal(t, "get-attachment-rid", out.RequestID, "RequestID")
	assert.False(t, out.URLExpiry.IsZero(), "URLExpiry is zero: %+v", out)
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Empty(t, s.getHeader.Get("X-Amz-Bearer"), "GET headers %v: no bearer token", s.getHeader)
	assert.Empty(t, s.getHeader.Get("User-Agent"), "GET headers %v: no User-Agent", s.getHeader)
}

func TestDownloadAttachmentFailures(t *testing.T) {
	t.Parallel()
	file := []byte("0123456789")
	chunked := func(b []byte) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			_, _ = w.Write(b[:1])
			w.(http.Flusher).Flush() // no Content-Length: the length shows only at the end
			_, _ = w.Write(b[1:])
			return true
		}
	}
	tests := []struct {
		name     string
		get      func(w http.ResponseWriter, r *http.Request) bool
		callErr  string // text of the error of DownloadAttachment itself
		readErr  string // text of the error of reading Body
		wantRead []byte
	}{
		{name: "not found", get: func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`)
			return true
		}, callErr: "GET http://127.0.0.1"},
		{name: "Content-Length disagrees", get: func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Length", "5")
			_, _ = w.Write(file[:5])
			return true
		}, callErr: "the download is 5 bytes, GetAttachment said 10"},
		{name: "shorter", get: chunked(file[:6]), readErr: "ended after 6 of 10 bytes", wantRead: file[:6]},
		{name: "longer", get: chunked(append(slices.Clone(file), 'X')), readErr: "longer than the 10 bytes", wantRead: file},
		{name: "exact without Content-Length", get: chunked(file), wantRead: file},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newAttServer(t, func(s *attServer) { s.fileSize, s.get = int64(len(file)), tt.get })
			c := s.client(t)
			out, err := c.DownloadAttachment(t.Context(), "attachment-token", "att-1")
			checkNoSecret(t, err)
			if tt.callErr != "" {
				var oe *smithy.OperationError
				require.ErrorAs(t, err, &oe, "want a DownloadAttachment error with %q", tt.callErr)
				assert.Equal(t, "DownloadAttachment", oe.OperationName, "OperationName of %v", err)
				assert.ErrorContains(t, err, tt.callErr)
				return
			}
			require.NoError(t, err)
			defer out.Body.Close()
			got, err := io.ReadAll(out.Body)
			assert.Equal(t, tt.wantRead, got, "read")
			if tt.readErr == "" {
				assert.NoError(t, err, "read error")
			} else {
				wantIs(t, err, participant.ErrAttachmentSize, tt.readErr)
			}
		})
	}
	t.Run("status error names the status", func(t *testing.T) {
		t.Parallel()
		s := newAttServer(t, func(s *attServer) {
			s.fileSize = 10
			s.get = func(w http.ResponseWriter, r *http.Request) bool { w.WriteHeader(http.StatusForbidden); return true }
		})
		_, err := s.client(t).DownloadAttachment(t.Context(), "attachment-token", "att-1")
		var re *participant.ResponseError
		require.ErrorAs(t, err, &re, "want a ResponseError")
		assert.Equal(t, http.StatusForbidden, re.StatusCode)
		assert.Regexp(t, `DownloadAttachment, GET http://127\.0\.0\.1:\d+/bucket/att-1: `, err.Error())
		checkNoSecret(t, err)
	})
}

func wantIs(t *testing.T, err, target error, text string) {
	t.Helper()
	assert.ErrorIs(t, err, target)
	assert.ErrorContains(t, err, text)
}

func wantText(t *testing.T, err error, text string) {
	t.Helper()
	assert.ErrorContains(t, err, text)
}

// blockingReader blocks until ch is closed.
type blockingReader struct{ ch chan struct{} }

func (b *blockingReader) Read([]byte) (int, error) { <-b.ch; return 0, io.EOF }

// cancelingReader cancels its context once r is exhausted, and then fails
// as a reader tied to that context would.
type cancelingReader struct {
	r      io.Reader
	ctx    context.Context
	cancel context.CancelFunc
}

func (c *cancelingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		c.cancel()
		<-c.ctx.Done()
		return 0, c.ctx.Err()
	}
	return n, err
}
