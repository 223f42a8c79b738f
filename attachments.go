package participant

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go"
	"github.com/connectchat/participant/internal/ops"
	"github.com/connectchat/participant/internal/redact"
	"github.com/connectchat/participant/internal/wire"
)

// MaxAttachmentSize is the largest file, in bytes, that the service accepts
// as an attachment: 20 MB. [Client.UploadAttachment] refuses larger ones
// before any I/O.
const MaxAttachmentSize = 20 << 20

// The pseudo-operations under whose names UploadAttachment and
// DownloadAttachment report what happens between the API calls: their own
// checks and the transfer to or from the presigned URL.
var (
	opUploadAttachment   = &ops.Op{Name: "UploadAttachment"}
	opDownloadAttachment = &ops.Op{Name: "DownloadAttachment"}
)

// ErrAttachmentSize is reported (inside the error UploadAttachment returns)
// when the reader yields more or fewer bytes than the declared size, and
// (from the Body of DownloadAttachment) when the download is longer or
// shorter than the service said. Nothing is completed in either case.
var ErrAttachmentSize = errors.New("participant: attachment size mismatch")

// UploadAttachmentInput is the input of [Client.UploadAttachment].
type UploadAttachmentInput struct {
	// ConnectionToken authenticates the participant. Required.
	ConnectionToken Token `json:"-"`

	// AttachmentName is the file name. Required; 1 to 256 characters.
	AttachmentName string

	// ContentType is the MIME type of the file, such as "application/pdf".
	// Required; 1 to 255 characters.
	ContentType string

	// AttachmentSizeInBytes is the size of the file: 1 to
	// [MaxAttachmentSize]. Body must yield exactly this many bytes.
	AttachmentSizeInBytes int64

	// Body is the file. Required.
	Body io.Reader

	// ClientToken makes StartAttachmentUpload idempotent, as in
	// [StartAttachmentUploadInput].
	ClientToken string

	// Progress, when set, is called after each chunk of the file is read
	// for sending, with the bytes read so far and the size. It is called
	// from the goroutine that sends the body, one call at a time, never
	// after UploadAttachment has returned.
	Progress func(sent, total int64)
}

// UploadAttachment shares a file in the chat: StartAttachmentUpload, an HTTP
// PUT of exactly in.AttachmentSizeInBytes bytes from in.Body to the
// presigned URL it returns, then CompleteAttachmentUpload. It returns the
// attachment id. It needs the ConnectionToken (which the PUT does not carry:
// the URL is signed). optFns apply to the three steps.
//
// The input is checked before any I/O, the size against
// [MaxAttachmentSize] as well. The PUT carries exactly the headers of
// UploadMetadata.HeadersToInclude and a Content-Length of the size; it goes
// through the client's HTTP client, refuses redirects, and is not retried
// (the body cannot be rewound). If Body yields more or fewer bytes than the
// size, the PUT is abandoned and the error wraps [ErrAttachmentSize]. A
// response outside 2xx is a [*ResponseError] (with storage's request id)
// wrapping a *smithy.GenericAPIError with storage's error code and message,
// such as S3's SignatureDoesNotMatch, when its body names them.
//
// Every error is a *smithy.OperationError: named StartAttachmentUpload or
// CompleteAttachmentUpload when that call failed, UploadAttachment for the
// checks and the PUT. When only CompleteAttachmentUpload failed, the id is
// returned with the error, so that the application can call
// [Client.CompleteAttachmentUpload] again. If ctx ends while a Read of Body
// is blocked, that Read may return after UploadAttachment has.
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_StartAttachmentUpload.html
// and https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_CompleteAttachmentUpload.html
func (c *Client) UploadAttachment(ctx context.Context, in *UploadAttachmentInput, optFns ...func(*Options)) (string, error) {
	if in == nil {
		in = &UploadAttachmentInput{}
	}
	start := &StartAttachmentUploadInput{ConnectionToken: in.ConnectionToken, ContentType: in.ContentType,
		AttachmentSizeInBytes: in.AttachmentSizeInBytes, AttachmentName: in.AttachmentName, ClientToken: in.ClientToken}
	v := validator{op: opUploadAttachment, name: "UploadAttachment"}
	v.token("ConnectionToken", in.ConnectionToken)
	start.validate(&v)
	if size := in.AttachmentSizeInBytes; size > MaxAttachmentSize {
		v.add("AttachmentSizeInBytes", "must be at most "+strconv.Itoa(MaxAttachmentSize)+" (20 MB, the service's limit for attachments), got "+strconv.FormatInt(size, 10))
	}
	if in.Body == nil {
		v.add("Body", "must not be nil")
	}
	if err := v.err(); err != nil {
		return "", opError(opUploadAttachment, err)
	}
	if ctx == nil {
		return "", opError(opUploadAttachment, errNilContext)
	}

	started, err := c.StartAttachmentUpload(ctx, start, optFns...)
	if err != nil {
		return "", err
	}
	if started.AttachmentID == "" || started.UploadMetadata == nil || started.UploadMetadata.URL == "" {
		return "", opError(opUploadAttachment, errors.New("StartAttachmentUpload returned no attachment id or no upload URL"))
	}
	r := c.options(optFns)
	if err := putAttachment(ctx, r, started.UploadMetadata, in.AttachmentSizeInBytes, in.Body, in.Progress); err != nil {
		return "", opError(opUploadAttachment, err)
	}
	_, err = c.CompleteAttachmentUpload(ctx, &CompleteAttachmentUploadInput{ConnectionToken: in.ConnectionToken, AttachmentIDs: []string{started.AttachmentID}}, optFns...)
	return started.AttachmentID, err
}

// putAttachment sends the file to the presigned URL of um.
func putAttachment(ctx context.Context, r *resolved, um *UploadMetadata, size int64, body io.Reader, progress func(sent, total int64)) error {
	u, err := presignedURL(um.URL, r.opts.AllowInsecureEndpoint, "upload")
	if err != nil {
		return err
	}
	ub := &uploadBody{r: body, size: size, progress: progress}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), ub)
	if err != nil {
		return errors.New("cannot build the upload request")
	}
	req.ContentLength = size
	req.GetBody = nil
	if err := signedHeaders(req, um.HeadersToInclude, size); err != nil {
		return err
	}

	start := time.Now()
	resp, err := r.httpClient.Do(req)
	logTransfer(ctx, r, http.MethodPut, u, resp, time.Since(start), err)
	complete, mismatch := ub.stop()
	if resp != nil {
		defer resp.Body.Close()
	}
	if err != nil && ctx.Err() != nil {
		return &smithy.CanceledError{Err: ctx.Err()}
	}
	if mismatch != nil {
		return mismatch
	}
	if err != nil {
		return transferFailure(ctx, http.MethodPut, u, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return statusFailure(http.MethodPut, u, resp)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, ops.MaxErrorBody))
	if !complete {
		return transferError(http.MethodPut, u, fmt.Errorf("the storage service answered %d before the whole attachment was sent", resp.StatusCode))
	}
	return nil
}

// signedHeaders gives req exactly the headers the upload URL was signed
// with: no X-Amz-Bearer, and no User-Agent of net/http's own (an empty one
// is not sent). A signed Content-Length must be the attachment's size.
func signedHeaders(req *http.Request, headers map[string]string, size int64) error {
	req.Header = make(http.Header, len(headers)+1)
	req.Header["User-Agent"] = []string{""}
	for k, val := range headers {
		switch ck := http.CanonicalHeaderKey(k); ck {
		case "Content-Length":
			if strings.TrimSpace(val) != strconv.FormatInt(size, 10) {
				return fmt.Errorf("%w: the upload URL expects Content-Length %q, the attachment is %d bytes", ErrAttachmentSize, redact.Text(val, ""), size)
			}
		case "Host":
			req.Host = val
		case "X-Amz-Bearer":
			// Never sent to storage, whatever the service asks.
		default:
			req.Header[ck] = []string{val}
		}
	}
	return nil
}

// errUploadStopped is what the body gives the transport after
// UploadAttachment has returned.
var errUploadStopped = errors.New("participant: the upload has ended")

// uploadBody is the body of the PUT: it passes on exactly size bytes of r
// and fails the request when r holds more or fewer. It checks for more
// before handing over the last byte, so a server never receives a whole body
// from a reader that is too long.
type uploadBody struct {
	r        io.Reader
	size     int64
	progress func(sent, total int64)

	mu      sync.Mutex
	sent    int64
	done    bool  // size bytes sent and r at its end
	err     error // a size mismatch or a read error of r
	stopped bool
}

// Read passes on the next bytes of r, up to size in all. It fails, without
// handing over the chunk, when r holds fewer or more than size bytes or
// fails itself, and once stop was called.
func (b *uploadBody) Read(p []byte) (int, error) {
	remaining, err := b.remaining()
	if err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > remaining {
		p = p[:remaining]
	}

	// Read without the lock: a Read that blocks must not block stop.
	n, err := b.r.Read(p)
	last := int64(n) == remaining
	fail := b.check(n, err, remaining, last)
	return b.commit(n, last, fail)
}

// remaining returns how many bytes are left to send, or the error every
// Read now returns: errUploadStopped, the earlier failure, or io.EOF.
func (b *uploadBody) remaining() (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.stopped:
		return 0, errUploadStopped
	case b.err != nil:
		return 0, b.err
	case b.done:
		return 0, io.EOF
	}
	return b.size - b.sent, nil
}

// check returns the failure, if any, of a read of r that gave n bytes and
// err when remaining were left; last tells whether n is all of them.
func (b *uploadBody) check(n int, err error, remaining int64, last bool) error {
	switch {
	case n < 0 || int64(n) > remaining:
		return fmt.Errorf("participant: the attachment reader returned an invalid count %d", n)
	case err != nil && err != io.EOF:
		return fmt.Errorf("participant: reading the attachment: %w", err)
	case err == io.EOF && !last:
		return fmt.Errorf("%w: the reader ended after %d of %d bytes", ErrAttachmentSize, b.sentSoFar()+int64(n), b.size)
	case last && err == nil:
		return b.probe()
	}
	return nil
}

// commit records the outcome of a read of n bytes under the lock and
// returns what Read returns: the chunk, or fail with the chunk withheld.
func (b *uploadBody) commit(n int, last bool, fail error) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return 0, errUploadStopped
	}
	if fail != nil {
		// The chunk is withheld, so the server never sees a whole body.
		b.err = fail
		return 0, fail
	}
	b.sent += int64(n)
	if b.progress != nil && n > 0 {
		b.progress(b.sent, b.size)
	}
	if last {
		b.done = true
		return n, io.EOF
	}
	return n, nil
}

// sentSoFar returns how many bytes were handed over.
func (b *uploadBody) sentSoFar() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sent
}

// probe checks that r is at its end after size bytes.
func (b *uploadBody) probe() error {
	var one [1]byte
	for range 100 {
		n, err := b.r.Read(one[:])
		switch {
		case n > 0:
			return fmt.Errorf("%w: the reader holds more than the declared %d bytes", ErrAttachmentSize, b.size)
		case err == io.EOF:
			return nil
		case err != nil:
			return fmt.Errorf("participant: reading the attachment: %w", err)
		}
	}
	return fmt.Errorf("participant: reading the attachment: %w", io.ErrNoProgress)
}

// Close is called by the transport when it is done with the body; the body
// keeps its state until stop.
func (b *uploadBody) Close() error { return nil }

// stop ends the body's use of r and reports whether all of r was sent, and
// any size mismatch or read error.
func (b *uploadBody) stop() (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	return b.done, b.err
}

// DownloadAttachmentOutput is the result of [Client.DownloadAttachment].
type DownloadAttachmentOutput struct {
	// Body is the file. The caller must close it. Reading it fails with
	// [ErrAttachmentSize] when the file is longer or shorter than
	// AttachmentSizeInBytes, and when ctx of the call ends.
	Body io.ReadCloser
	// ContentType is the Content-Type of the download, as storage sent it.
	ContentType string
	// AttachmentSizeInBytes is the size of the file, as GetAttachment said.
	AttachmentSizeInBytes int64
	// URLExpiry is when the presigned URL stops working.
	URLExpiry Time
	// RequestID is the id of the GetAttachment request (x-amzn-RequestId).
	RequestID string
}

// DownloadAttachment fetches an attachment: GetAttachment, then an HTTP GET
// of the presigned URL it returns. It needs the ConnectionToken (which the GET
// does not carry: the URL is signed). Read the file from Body and close it;
// ctx must stay live until then.
//
// Every error is a *smithy.OperationError: named GetAttachment when that call
// failed, DownloadAttachment for the GET, where a response outside 2xx is a
// [*ResponseError], as for UploadAttachment. The GET goes through the
// client's HTTP client, refuses redirects, and is not retried.
//
// See https://docs.aws.amazon.com/connect-participant/latest/APIReference/API_GetAttachment.html
func (c *Client) DownloadAttachment(ctx context.Context, connectionToken Token, attachmentID string, optFns ...func(*Options)) (*DownloadAttachmentOutput, error) {
	if ctx == nil {
		return nil, opError(opDownloadAttachment, errNilContext)
	}
	ga, err := c.GetAttachment(ctx, &GetAttachmentInput{ConnectionToken: connectionToken, AttachmentID: attachmentID}, optFns...)
	if err != nil {
		return nil, err
	}
	r := c.options(optFns)
	u, err := presignedURL(ga.URL, r.opts.AllowInsecureEndpoint, "download")
	if err != nil {
		return nil, opError(opDownloadAttachment, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, opError(opDownloadAttachment, errors.New("cannot build the download request"))
	}
	req.Header["User-Agent"] = []string{""}
	start := time.Now()
	resp, err := r.httpClient.Do(req)
	logTransfer(ctx, r, http.MethodGet, u, resp, time.Since(start), err)
	if err != nil {
		return nil, opError(opDownloadAttachment, transferFailure(ctx, http.MethodGet, u, err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, opError(opDownloadAttachment, statusFailure(http.MethodGet, u, resp))
	}
	size := ga.AttachmentSizeInBytes
	if size > 0 && resp.ContentLength >= 0 && resp.ContentLength != size {
		resp.Body.Close()
		return nil, opError(opDownloadAttachment, fmt.Errorf("%w: the download is %d bytes, GetAttachment said %d", ErrAttachmentSize, resp.ContentLength, size))
	}
	return &DownloadAttachmentOutput{
		Body:                  &downloadBody{rc: resp.Body, size: size},
		ContentType:           resp.Header.Get("Content-Type"),
		AttachmentSizeInBytes: size,
		URLExpiry:             ga.URLExpiry,
		RequestID:             ga.RequestID,
	}, nil
}

// downloadBody checks the length of a download against the size the service
// gave, when it gave one.
type downloadBody struct {
	rc   io.ReadCloser
	size int64
	n    int64
}

func (d *downloadBody) Read(p []byte) (int, error) {
	if d.size > 0 && d.n >= d.size && len(p) > 0 {
		// Past the size: only the end may follow.
		var one [1]byte
		n, err := d.rc.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: the download is longer than the %d bytes GetAttachment said", ErrAttachmentSize, d.size)
		}
		return 0, err
	}
	if d.size > 0 && int64(len(p)) > d.size-d.n {
		p = p[:d.size-d.n]
	}
	n, err := d.rc.Read(p)
	d.n += int64(n)
	if err == io.EOF && d.size > 0 && d.n < d.size {
		return n, fmt.Errorf("%w: the download ended after %d of %d bytes", ErrAttachmentSize, d.n, d.size)
	}
	if err == nil && d.size > 0 && d.n == d.size {
		// Let the next Read find the end (or more).
		return n, nil
	}
	return n, err
}

func (d *downloadBody) Close() error { return d.rc.Close() }

// presignedURL checks a URL the service returned for an attachment: http or
// https, and http only to a loopback host unless insecure endpoints are
// allowed. Its text never appears in the error.
func presignedURL(raw string, allowInsecure bool, what string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("the service returned no " + what + " URL")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("the " + what + " URL the service returned is not a valid absolute URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && (allowInsecure || wire.IsLoopback(u.Hostname())):
	case u.Scheme == "http":
		return nil, fmt.Errorf("refusing the plain http %s URL %s: the attachment would cross the network unencrypted; set AllowInsecureEndpoint to allow it", what, redact.URL(u))
	default:
		return nil, fmt.Errorf("the %s URL the service returned has scheme %q; want https", what, redact.Text(u.Scheme, ""))
	}
	return u, nil
}

// logTransfer writes the Debug record of a PUT or GET of a presigned URL:
// method, host and path, status and duration; never the URL's query, which
// holds the signature.
func logTransfer(ctx context.Context, r *resolved, method string, u *url.URL, resp *http.Response, d time.Duration, err error) {
	l := r.opts.Logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("method", method), slog.String("url", redact.URL(u)), slog.Duration("duration", d)}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.Scrub(err.Error(), u.RawQuery)))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "participant: attachment transfer", attrs...)
}

// transferFailure turns the error of a transfer's Do into one that never
// shows the URL's query.
func transferFailure(ctx context.Context, method string, u *url.URL, err error) error {
	if ctx.Err() != nil {
		return &smithy.CanceledError{Err: ctx.Err()}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its URL field holds the query
	}
	if err != nil && u.RawQuery != "" && strings.Contains(err.Error(), u.RawQuery) {
		err = &scrubbedError{msg: redact.Scrub(err.Error(), u.RawQuery), err: err}
	}
	return transferError(method, u, err)
}

// transferError prefixes err with the method and the URL without its query,
// which carries the signature: "PUT https://bucket.s3.amazonaws.com/key: ...".
func transferError(method string, u *url.URL, err error) error {
	return &scrubbedError{msg: method + " " + redact.URL(u) + ": " + err.Error(), err: err}
}

// scrubbedError shows a cleaned text of err.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// statusFailure describes a response outside 2xx from storage: a
// ResponseError with storage's request id, wrapping its error code and
// message when its XML body holds them.
func statusFailure(method string, u *url.URL, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, ops.MaxErrorBody))
	re := &ResponseError{StatusCode: resp.StatusCode, RequestID: cleanRequestID(resp.Header.Get("X-Amz-Request-Id"), ""), Attempts: 1}
	code := sanitizeErrorCode(xmlElement(body, "Code"))
	msg := excerpt(redact.Text(redact.Scrub(xmlElement(body, "Message"), u.RawQuery), ""))
	if code != "" || msg != "" {
		if code == "" {
			code = codeUnknown
		}
		re.Err = &smithy.GenericAPIError{Code: code, Message: msg, Fault: faultOf(resp.StatusCode)}
	}
	return transferError(method, u, re)
}

// xmlElement returns the text of the first <name> element of an S3-style
// error body, or "".
func xmlElement(body []byte, name string) string {
	open := []byte("<" + name + ">")
	i := bytes.Index(body, open)
	if i < 0 {
		return ""
	}
	rest := body[i+len(open):]
	j := bytes.Index(rest, []byte("</"+name+">"))
	if j < 0 {
		return ""
	}
	return strings.TrimSpace(string(rest[:j]))
}
