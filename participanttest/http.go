package participanttest

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/connectchat/participant/internal/ops"
)

// viewsPrefix is the path of DescribeView up to its {ViewToken} label.
var viewsPrefix = strings.TrimSuffix(ops.DescribeView.Path, "{ViewToken}")

const (
	filesPrefix   = "/attachments/"
	wsPath        = "/websocket"
	authorizePath = "/authentication/authorize"
	// maxAPIBody is the largest request body of the JSON operations: a
	// SendMessage of 16384 characters, each escaped as a surrogate pair,
	// is 196 KiB.
	maxAPIBody = 256 << 10
)

// Request is one request the server answered, as [Server.Requests] reports
// it.
type Request struct {
	Operation string      // an Op constant; "" for an unknown route
	Method    string      // GET, POST, PUT
	Path      string      // the escaped path
	Header    http.Header // a copy of the request headers
	Body      []byte      // the request body; nil for uploads
	Status    int         // the response status; 101 for a WebSocket
	ErrorCode string      // X-Amzn-ErrorType of an error response
	RequestID string      // x-amzn-RequestId
	Time      time.Time   // when the request arrived, by the server's Clock
}

// Requests returns the requests the server has answered, oldest first: the
// most recent 10000, and no more than 16 MiB of them, unless
// [WithRequestHistory] and [WithRequestHistoryBytes] say otherwise. CORS
// preflights and the agent console's page and control API are not included
// (its calls of the service's operations are).
func (s *Server) Requests() []Request {
	return s.history.list()
}

// apiError is an error response of the service.
type apiError struct {
	status int
	code   string
	msg    string
	extra  map[string]string
	reason string // machine-readable, sent in X-Participanttest-Reason
}

// reasonHeader carries the machine-readable reason of a refusal: one of
// the reason constants. The service sends no such header.
const reasonHeader = "X-Participanttest-Reason"

// The reasons of refusals, in reasonHeader (listed in the package doc).
const (
	reasonNoToken         = "no-token"
	reasonUnknownToken    = "unknown-token"
	reasonWrongToken      = "wrong-token"
	reasonTokenExpired    = "token-expired"
	reasonChatEnded       = "chat-ended"
	reasonParticipantLeft = "participant-left"
	reasonNotAllowed      = "not-allowed"
	reasonUnknownURL      = "unknown-url"
	reasonURLUsed         = "url-used"
	reasonURLExpired      = "url-expired"
	reasonInjected        = "injected-fault"
)

func (e *apiError) Error() string { return e.code + ": " + e.msg }

// statusOf is the HTTP status of each error code the server answers.
var statusOf = map[string]int{
	"AccessDeniedException":          http.StatusForbidden,
	"ConflictException":              http.StatusConflict,
	"InternalServerException":        http.StatusInternalServerError,
	"ResourceNotFoundException":      http.StatusNotFound,
	"ServiceQuotaExceededException":  http.StatusPaymentRequired,
	"ThrottlingException":            http.StatusTooManyRequests,
	"ValidationException":            http.StatusBadRequest,
	"RequestEntityTooLargeException": http.StatusRequestEntityTooLarge,
	"UnknownOperationException":      http.StatusNotFound,
	// Amazon Connect.
	"InvalidRequestException":   http.StatusBadRequest,
	"InvalidParameterException": http.StatusBadRequest,
	"InternalServiceException":  http.StatusInternalServerError,
	"LimitExceededException":    http.StatusTooManyRequests,
	"ContactNotFoundException":  http.StatusGone,
	// S3, for the upload and download URLs.
	"AccessDenied":          http.StatusForbidden,
	"SignatureDoesNotMatch": http.StatusForbidden,
	"MissingContentLength":  http.StatusLengthRequired,
	"IncompleteBody":        http.StatusBadRequest,
}

func newAPIError(code, msg string) *apiError {
	st, ok := statusOf[code]
	if !ok {
		st = http.StatusBadRequest
	}
	return &apiError{status: st, code: code, msg: msg}
}

// accessDenied is a 403 with its machine-readable reason and why in words.
func accessDenied(reason, why string) *apiError {
	e := newAPIError("AccessDeniedException", "Access denied (participanttest: "+why+")")
	e.reason = reason
	return e
}

// tooLarge is the answer to a request body over maxAPIBody.
func tooLarge() *apiError {
	return newAPIError("RequestEntityTooLargeException", fmt.Sprintf("Request Entity Too Large (participanttest: request bodies are capped at %d bytes)", maxAPIBody))
}

func validation(msg string) *apiError { return newAPIError("ValidationException", msg) }

// exchange is one request being answered.
type exchange struct {
	s         *Server
	w         http.ResponseWriter
	r         *http.Request
	rt        *route // nil for an unknown route
	op        string
	requestID string
	arrived   time.Time
	body      []byte
	status    int
	errCode   string
	s3        bool // answer errors as S3 does (XML)
	recorded  bool
}

func (x *exchange) bearer() string { return x.r.Header.Get("X-Amz-Bearer") }

func (x *exchange) okBytes(b []byte) {
	h := x.w.Header()
	h.Set("Content-Type", "application/json")
	x.status = http.StatusOK
	x.w.WriteHeader(http.StatusOK)
	_, _ = x.w.Write(b)
}

// fail answers the error as the service does: its status, X-Amzn-ErrorType,
// and a JSON body with message (and ResourceId and ResourceType for 404).
func (x *exchange) fail(e *apiError) {
	x.status, x.errCode = e.status, e.code
	h := x.w.Header()
	if x.s3 {
		h.Set("Content-Type", "application/xml")
		x.w.WriteHeader(e.status)
		_, _ = fmt.Fprintf(x.w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId></Error>",
			xmlEscape(e.code), xmlEscape(e.msg), x.requestID)
		return
	}
	if e.reason != "" {
		h.Set(reasonHeader, e.reason)
	}
	h["X-Amzn-ErrorType"] = []string{e.code}
	h.Set("Content-Type", "application/json")
	body := map[string]string{"message": e.msg}
	for k, v := range e.extra {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	x.w.WriteHeader(e.status)
	_, _ = x.w.Write(b)
}

// xmlEscape escapes s for the text of an XML element.
func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

// decode reads the JSON body into v; an empty body is an empty object. On
// failure it answers ValidationException and returns false.
func (x *exchange) decode(v any) bool {
	if len(x.body) == 0 {
		return true
	}
	if err := json.Unmarshal(x.body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			x.fail(validation(fmt.Sprintf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be of type %s", lowerFirst(te.Field), te.Type.String())))
			return false
		}
		x.fail(validation("Unable to parse the request body as JSON: " + err.Error()))
		return false
	}
	return true
}

// corsAllowHeaders is what preflights allow: the headers
// amazon-connect-chatjs sends, the aws-sdk-go-v2 ones, and the headers of an
// attachment upload.
var corsAllowHeaders = []string{
	"authorization", "content-type", "x-amz-bearer", "x-amz-content-sha256", "x-amz-date",
	"x-amz-user-agent", "x-amz-security-token", "amz-sdk-invocation-id", "amz-sdk-request",
	"content-disposition", "x-amz-acl",
}

const corsExposeHeaders = "x-amzn-ErrorType, x-amzn-RequestId, x-amzn-ErrorMessage, x-amz-request-id, Date, ETag, " + reasonHeader

func setCORS(h http.Header, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = "*"
	} else {
		h.Add("Vary", "Origin")
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
}

func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	allow := slices.Clone(corsAllowHeaders)
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
		for _, name := range strings.Split(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "" && !slices.Contains(allow, name) {
				allow = append(allow, name)
			}
		}
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
	h.Set("Access-Control-Allow-Headers", strings.Join(allow, ", "))
	h.Set("Access-Control-Max-Age", "86400")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// serveHTTP is the server's handler.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		http.Error(w, "participanttest: server closed", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	if s.serveConsole(w, r) {
		return
	}
	x := &exchange{s: s, w: w, r: r, requestID: s.newRequestID(), arrived: s.now()}
	h := w.Header()
	setCORS(h, r)
	h["x-amzn-RequestId"] = []string{x.requestID}
	if r.Method == http.MethodOptions {
		preflight(w, r)
		return
	}
	x.rt = routeOf(r)
	defer s.record(x)
	if x.rt == nil {
		x.fail(newAPIError("UnknownOperationException", fmt.Sprintf("participanttest: no operation %s %s", r.Method, r.URL.EscapedPath())))
		return
	}
	x.op = x.rt.op
	switch x.rt.kind {
	case routeS3:
		x.s3 = true
	case routeRaw:
	case routeJSON:
		if r.ContentLength > maxAPIBody {
			// Refused before a byte of it is read.
			x.fail(tooLarge())
			return
		}
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
		var big *http.MaxBytesError
		switch {
		case errors.As(err, &big):
			x.fail(tooLarge())
			return
		case err != nil:
			x.fail(validation("participanttest: unreadable request body"))
			return
		}
		x.body = b
	}
	if !s.applyHTTPFaults(x) {
		return
	}
	x.rt.handle(s, x)
}

// record adds x to the request history, once.
func (s *Server) record(x *exchange) {
	if x.recorded {
		return
	}
	x.recorded = true
	if s.history.on() {
		s.history.add(Request{
			Operation: x.op,
			Method:    x.r.Method,
			Path:      x.r.URL.EscapedPath(),
			Header:    x.r.Header.Clone(),
			Body:      x.body,
			Status:    x.status,
			ErrorCode: x.errCode,
			RequestID: x.requestID,
			Time:      x.arrived,
		})
	}
	s.debug("participanttest: request", "operation", x.op, "status", x.status, "error", x.errCode, "request_id", x.requestID)
}

// checks collects model-constraint violations and reports them as the
// service does: "N validation errors detected: Value at 'field' failed to
// satisfy constraint: ...". Values are never echoed (they may be tokens).
type checks struct{ msgs []string }

func (c *checks) add(field, constraint string) {
	c.msgs = append(c.msgs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", field, constraint))
}

func (c *checks) null(field string) {
	c.msgs = append(c.msgs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", field))
}

// length checks a member's length in characters (code points).
func (c *checks) length(field, v string, min, max int) {
	n := utf8.RuneCountInString(v)
	switch {
	case n < min:
		c.add(field, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	case max > 0 && n > max:
		c.add(field, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// required checks a required string member; "" counts as absent.
func (c *checks) required(field, v string, min, max int) {
	if v == "" {
		c.null(field)
		return
	}
	c.length(field, v, min, max)
}

// optional checks an optional string member given as a pointer.
func (c *checks) optional(field string, v *string, min, max int) {
	if v != nil {
		c.length(field, *v, min, max)
	}
}

func (c *checks) rangeOf(field string, v, min, max int64) {
	switch {
	case v < min:
		c.add(field, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	case v > max:
		c.add(field, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

func (c *checks) enum(field, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		c.add(field, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
	}
}

// err returns the ValidationException for the violations, or nil.
func (c *checks) err() *apiError { return c.errCode("ValidationException") }

func (c *checks) errCode(code string) *apiError {
	if len(c.msgs) == 0 {
		return nil
	}
	plural := "s"
	if len(c.msgs) == 1 {
		plural = ""
	}
	msg := fmt.Sprintf("%d validation error%s detected: %s", len(c.msgs), plural, strings.Join(c.msgs, "; "))
	if len(msg) > 2000 {
		msg = msg[:1997] + "..."
	}
	return newAPIError(code, msg)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
