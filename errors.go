package participant

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/smithy-go"
	"github.com/connectchat/participant/internal/ops"
	"github.com/connectchat/participant/internal/redact"
)

// ServiceID is the service name every operation error carries in
// [smithy.OperationError].ServiceID, the same as aws-sdk-go-v2's.
const ServiceID = "ConnectParticipant"

// The wire names of the service's modeled errors, as ErrorCode returns them.
const (
	codeAccessDenied         = "AccessDeniedException"
	codeConflict             = "ConflictException"
	codeInternalServer       = "InternalServerException"
	codeResourceNotFound     = "ResourceNotFoundException"
	codeServiceQuotaExceeded = "ServiceQuotaExceededException"
	codeThrottling           = "ThrottlingException"
	codeValidation           = "ValidationException"
)

// codeUnknown is the code of an error response that named no code, as in
// aws-sdk-go-v2.
const codeUnknown = "UnknownError"

// maxExcerpt is the most of a service message that an Error() string shows.
const maxExcerpt = 512

// AccessDeniedError is the service's AccessDeniedException (HTTP 403): the
// token is missing, invalid or expired, or the chat has ended.
type AccessDeniedError struct{ Message string }

// ConflictError is the service's ConflictException (HTTP 409): for example a
// read or delivered receipt while more than two participants are active, or a
// second CompleteAttachmentUpload of one attachment.
type ConflictError struct{ Message string }

// InternalServerError is the service's InternalServerException (HTTP 500). It is
// retried.
type InternalServerError struct{ Message string }

// ResourceNotFoundError is the service's ResourceNotFoundException (HTTP 404),
// returned by DescribeView.
type ResourceNotFoundError struct {
	Message    string
	ResourceID string
	// ResourceType is the kind of resource, as the service sends it:
	// CONTACT, CONTACT_FLOW, INSTANCE, PARTICIPANT, HIERARCHY_LEVEL,
	// HIERARCHY_GROUP, USER or PHONE_NUMBER.
	ResourceType string
}

// ServiceQuotaExceededError is the service's ServiceQuotaExceededException
// (HTTP 402): for example too many attachments on one contact.
type ServiceQuotaExceededError struct{ Message string }

// ThrottlingError is the service's ThrottlingException (HTTP 429). It is
// retried. Every HTTP 429 response that names no error code decodes to a
// ThrottlingError as well.
type ThrottlingError struct{ Message string }

// ValidationError is the service's ValidationException (HTTP 400): the service
// rejected the input. Most violations are caught before any I/O and returned
// as [smithy.InvalidParamsError] instead.
type ValidationError struct{ Message string }

var (
	_ smithy.APIError = (*AccessDeniedError)(nil)
	_ smithy.APIError = (*ConflictError)(nil)
	_ smithy.APIError = (*InternalServerError)(nil)
	_ smithy.APIError = (*ResourceNotFoundError)(nil)
	_ smithy.APIError = (*ServiceQuotaExceededError)(nil)
	_ smithy.APIError = (*ThrottlingError)(nil)
	_ smithy.APIError = (*ValidationError)(nil)
)

func apiErrorString(code, msg string) string {
	if msg == "" {
		return code
	}
	return code + ": " + excerpt(msg)
}

// Error implements error.
func (e *AccessDeniedError) Error() string { return apiErrorString(codeAccessDenied, e.Message) }

// ErrorCode returns "AccessDeniedException".
func (e *AccessDeniedError) ErrorCode() string { return codeAccessDenied }

// ErrorMessage returns the service's message.
func (e *AccessDeniedError) ErrorMessage() string { return e.Message }

// ErrorFault returns [smithy.FaultClient].
func (e *AccessDeniedError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// Error implements error.
func (e *ConflictError) Error() string { return apiErrorString(codeConflict, e.Message) }

// ErrorCode returns "ConflictException".
func (e *ConflictError) ErrorCode() string { return codeConflict }

// ErrorMessage returns the service's message.
func (e *ConflictError) ErrorMessage() string { return e.Message }

// ErrorFault returns [smithy.FaultClient].
func (e *ConflictError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// Error implements error.
func (e *InternalServerError) Error() string { return apiErrorString(codeInternalServer, e.Message) }

// ErrorCode returns "InternalServerException".
func (e *InternalServerError) ErrorCode() string { return codeInternalServer }

// ErrorMessage returns the service's message.
func (e *InternalServerError) ErrorMessage() string { return e.Message }

// ErrorFault returns [smithy.FaultServer].
func (e *InternalServerError) ErrorFault() smithy.ErrorFault { return smithy.FaultServer }

// Error implements error.
func (e *ResourceNotFoundError) Error() string {
	return apiErrorString(codeResourceNotFound, e.Message)
}

// ErrorCode returns "ResourceNotFoundException".
func (e *ResourceNotFoundError) ErrorCode() string { return codeResourceNotFound }

// ErrorMessage returns the service's message.
func (e *ResourceNotFoundError) ErrorMessage() string { return e.Message }

// ErrorFault returns [smithy.FaultClient].
func (e *ResourceNotFoundError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// Error implements error.
func (e *ServiceQuotaExceededError) Error() string {
	return apiErrorString(codeServiceQuotaExceeded, e.Message)
}

// ErrorCode returns "ServiceQuotaExceededException".
func (e *ServiceQuotaExceededError) ErrorCode() string { return codeServiceQuotaExceeded }

// ErrorMessage returns the service's message.
func (e *ServiceQuotaExceededError) ErrorMessage() string { return e.Message }

// ErrorFault returns [smithy.FaultClient].
func (e *ServiceQuotaExceededError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// Error implements error.
func (e *ThrottlingError) Error() string { return apiErrorString(codeThrottling, e.Message) }

// ErrorCode returns "ThrottlingException".
func (e *ThrottlingError) ErrorCode() string { return codeThrottling }

// ErrorMessage returns the service's message.
func (e *ThrottlingError) ErrorMessage() string { return e.Message }

// ErrorFault returns [smithy.FaultClient].
func (e *ThrottlingError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// Error implements error.
func (e *ValidationError) Error() string { return apiErrorString(codeValidation, e.Message) }

// ErrorCode returns "ValidationException".
func (e *ValidationError) ErrorCode() string { return codeValidation }

// ErrorMessage returns the service's message.
func (e *ValidationError) ErrorMessage() string { return e.Message }

// ErrorFault returns [smithy.FaultClient].
func (e *ValidationError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// ResponseError is an error response of the service, or a response this client
// refuses (a redirect), or an error response of storage to the upload or
// download of an attachment. It wraps the [smithy.APIError] decoded from the
// response and sits inside the [smithy.OperationError] an operation returns:
//
//	var re *participant.ResponseError
//	if errors.As(err, &re) { log.Print(re.StatusCode, re.RequestID) }
type ResponseError struct {
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	// RequestID is the service's request id of the last attempt
	// (x-amzn-RequestId; storage's x-amz-request-id for an attachment
	// transfer), or "" when the response had none.
	RequestID string
	// Attempts is how many attempts the call made.
	Attempts int
	// Err is the decoded error: one of this package's modeled error types, or
	// a *smithy.GenericAPIError for a code this package does not model (and
	// for storage's codes). It is nil when the response named no error: a
	// redirect, or a storage answer without an error body.
	Err error
}

// Error returns a one-line description: status, request id, attempts, code and
// a short excerpt of the service's message.
func (e *ResponseError) Error() string {
	var b strings.Builder
	b.WriteString("https response error StatusCode: ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	b.WriteString(", RequestID: ")
	b.WriteString(e.RequestID)
	if e.Attempts > 1 {
		b.WriteString(", attempts: ")
		b.WriteString(strconv.Itoa(e.Attempts))
	}
	if e.Err != nil {
		b.WriteString(", ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Err, the decoded error.
func (e *ResponseError) Unwrap() error { return e.Err }

// HTTPStatusCode returns StatusCode. aws/retry uses it to retry 5xx responses.
func (e *ResponseError) HTTPStatusCode() int { return e.StatusCode }

// ServiceRequestID returns RequestID.
func (e *ResponseError) ServiceRequestID() string { return e.RequestID }

// errNilContext is returned (inside the operation error) by a call given a
// nil context.Context, instead of a panic.
var errNilContext = errors.New("participant: nil context.Context: pass context.Background() or a context with a deadline")

// opError wraps err in the operation error every operation returns.
func opError(op *ops.Op, err error) error {
	return &smithy.OperationError{ServiceID: ServiceID, OperationName: op.Name, Err: err}
}

// quotaError is a failed attempt that was not retried because the retryer's
// quota was used up. errors.As finds the last attempt's error and the
// retryer's own (aws/ratelimit's QuotaExceededError for aws/retry's
// retryers).
type quotaError struct{ last, quota error }

func (e *quotaError) Error() string {
	return e.last.Error() + " (not retried: " + e.quota.Error() + ")"
}
func (e *quotaError) Unwrap() []error { return []error{e.last, e.quota} }

// attemptsError notes how many attempts ended in a failure other than an
// error response.
type attemptsError struct {
	attempts int
	err      error
}

func (e *attemptsError) Error() string {
	return "after " + strconv.Itoa(e.attempts) + " attempts: " + e.err.Error()
}
func (e *attemptsError) Unwrap() error { return e.err }

// canceled reports the end of ctx, noting the last attempt's failure, if
// any, in the text.
func canceled(ctxErr, last error) error {
	if last != nil {
		var ce *smithy.CanceledError
		if errors.As(last, &ce) {
			return ce
		}
		return &smithy.CanceledError{Err: fmt.Errorf("%w (last attempt: %s)", ctxErr, last.Error())}
	}
	return &smithy.CanceledError{Err: ctxErr}
}

// bodyTimeoutError is the failure of an attempt whose response body did not
// arrive whole within Options.ResponseBodyTimeout of its headers: a server
// or proxy that trickles the body. Like net/http's own timeouts, it is a
// net.Error whose Timeout is true and it matches context.DeadlineExceeded
// with errors.Is. It is retried like any transport failure.
type bodyTimeoutError struct{ after time.Duration }

func (e *bodyTimeoutError) Error() string {
	return "participant: the response body did not arrive within " + e.after.String()
}
func (e *bodyTimeoutError) Timeout() bool        { return true }
func (e *bodyTimeoutError) Temporary() bool      { return true }
func (e *bodyTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// decodeError turns a non-2xx response into the service error it describes.
// body holds at most maxErrorBody bytes; truncated says more followed. The
// token the request carried is cut out of anything the service echoes.
func decodeError(status int, header http.Header, body []byte, truncated bool, tok Token) error {
	fields, isJSON := errorBodyFields(body, truncated)
	code := errorCode(header, fields, tok)
	msg := errorMessage(body, fields, isJSON, tok)
	if err := modeledError(code, status, msg, fields, tok); err != nil {
		return err
	}
	if code == "" {
		code = codeUnknown
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	// GenericAPIError's Error() prints its whole message: keep it short.
	return &smithy.GenericAPIError{Code: code, Message: excerpt(msg), Fault: faultOf(status)}
}

// errorCode is an error response's code: the X-Amzn-Errortype header,
// else the body's code, else its __type; "" when none says.
func errorCode(header http.Header, fields errorFields, tok Token) string {
	for _, c := range []string{header.Get("X-Amzn-Errortype"), fields.code, fields.typ} {
		if code := codeWithout(c, tok); code != "" {
			return code
		}
	}
	return ""
}

// errorMessage is an error response's message: the body's, or an excerpt
// of a body that is not JSON; the token is cut out of either.
func errorMessage(body []byte, fields errorFields, isJSON bool, tok Token) string {
	msg := fields.message
	if !isJSON && msg == "" {
		// The token goes before the excerpt is cut: a token across the
		// cut would otherwise leave its first bytes.
		if len(tok) >= redact.MinSecretLen && bytes.Contains(body, []byte(tok)) {
			body = bytes.ReplaceAll(body, []byte(tok), []byte(redact.Placeholder))
		}
		msg = bodyExcerpt(body)
	}
	return redact.Text(msg, string(tok))
}

// modeledError is the service's modeled error for code (a 429 without a
// code is a throttle), or nil.
func modeledError(code string, status int, msg string, fields errorFields, tok Token) error {
	switch {
	case strings.EqualFold(code, codeAccessDenied):
		return &AccessDeniedError{Message: msg}
	case strings.EqualFold(code, codeConflict):
		return &ConflictError{Message: msg}
	case strings.EqualFold(code, codeInternalServer):
		return &InternalServerError{Message: msg}
	case strings.EqualFold(code, codeResourceNotFound):
		return &ResourceNotFoundError{
			Message:      msg,
			ResourceID:   redact.Text(fields.resourceID, string(tok)),
			ResourceType: redact.Text(fields.resourceType, string(tok)),
		}
	case strings.EqualFold(code, codeServiceQuotaExceeded):
		return &ServiceQuotaExceededError{Message: msg}
	case strings.EqualFold(code, codeThrottling):
		return &ThrottlingError{Message: msg}
	case strings.EqualFold(code, codeValidation):
		return &ValidationError{Message: msg}
	case code == "" && status == http.StatusTooManyRequests:
		return &ThrottlingError{Message: msg}
	}
	return nil
}

// faultOf says whose fault a response of the given status is.
func faultOf(status int) smithy.ErrorFault {
	switch {
	case status >= 500:
		return smithy.FaultServer
	case status >= 400:
		return smithy.FaultClient
	}
	return smithy.FaultUnknown
}

// requestIDWithout returns the request id of a service response, as
// cleanRequestID leaves it. S3's hyphenated x-amz-request-id is not the
// service's, as in aws-sdk-go-v2.
func requestIDWithout(h http.Header, tok Token) string {
	id := h.Get("X-Amzn-Requestid")
	if id == "" {
		id = h.Get("X-Amz-Requestid")
	}
	return cleanRequestID(id, tok)
}

// cleanRequestID returns a request id cleaned for logs, with tok replaced by
// REDACTED before the id is cut to 128 bytes, so that no part of an echoed
// token is left.
func cleanRequestID(id string, tok Token) string {
	if len(tok) >= redact.MinSecretLen {
		id = redact.Scrub(id, string(tok))
	}
	if len(id) > maxCodeLen {
		id = id[:maxCodeLen]
	}
	return redact.Text(id, "")
}

type errorFields struct {
	code, typ, message, resourceID, resourceType string
}

// errorBodyFields reads the top-level members of a JSON error body that
// matter, matching their names as encoding/json does: ignoring case, and the
// last of repeated members winning, so that a body always decodes the same
// way. It reports whether the body was a JSON object; members that are not
// strings count as absent.
func errorBodyFields(body []byte, truncated bool) (errorFields, bool) {
	var f errorFields
	body = bytes.TrimSpace(body)
	if truncated || len(body) == 0 || body[0] != '{' {
		return f, len(body) == 0 && !truncated
	}
	var raw struct {
		Code         json.RawMessage `json:"code"`
		Type         json.RawMessage `json:"__type"`
		Message      json.RawMessage `json:"message"`
		ResourceID   json.RawMessage `json:"resourceId"`
		ResourceType json.RawMessage `json:"resourceType"`
	}
	// Only the first JSON value counts, as in aws-sdk-go-v2: a proxy may
	// append text after the service's object.
	if json.NewDecoder(bytes.NewReader(body)).Decode(&raw) != nil {
		return f, false
	}
	str := func(v json.RawMessage) string {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return ""
		}
		return s
	}
	f.code, f.typ, f.message = str(raw.Code), str(raw.Type), str(raw.Message)
	f.resourceID, f.resourceType = str(raw.ResourceID), str(raw.ResourceType)
	return f, true
}

// sanitizeErrorCode reduces a restJson1 error type to its shape name: the part
// before the first ':' (a URI suffix), then the part after the last '#' (a
// namespace). The Smithy spec says the first '#'; the two agree on every
// well-formed value, and the last '#' makes the result free of ':' and '#'.
// Characters that cannot occur in a shape name are dropped, and the result is
// at most 128 bytes, so a code is always safe to log.
func sanitizeErrorCode(v string) string { return codeWithout(v, "") }

// maxCodeLen is the most of an error code or request id this package keeps.
const maxCodeLen = 128

// codeWithout is sanitizeErrorCode that also replaces tok by REDACTED: after
// dropping characters, which can join the pieces of a token, and before the
// cut to maxCodeLen, which can leave part of one.
func codeWithout(v string, tok Token) string {
	if i := strings.IndexByte(v, ':'); i >= 0 {
		v = v[:i]
	}
	if i := strings.LastIndexByte(v, '#'); i >= 0 {
		v = v[i+1:]
	}
	clean := true
	for i := 0; i < len(v); i++ {
		if !isCodeByte(v[i]) {
			clean = false
			break
		}
	}
	if !clean {
		b := make([]byte, 0, len(v))
		for i := 0; i < len(v); i++ {
			if isCodeByte(v[i]) {
				b = append(b, v[i])
			}
		}
		v = string(b)
	}
	if len(tok) >= redact.MinSecretLen {
		v = redact.Scrub(v, string(tok))
	}
	if len(v) > maxCodeLen {
		v = v[:maxCodeLen]
	}
	return v
}

func isCodeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// bodyExcerpt returns the start of a body that is not JSON (an HTML or text
// page from a proxy), for the error message.
func bodyExcerpt(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) > 200 {
		body = body[:200]
		for len(body) > 0 && !utf8.Valid(body) {
			body = body[:len(body)-1]
		}
		return string(body) + "…"
	}
	return string(body)
}

// excerpt shortens a message for an Error() string.
func excerpt(s string) string {
	if len(s) <= maxExcerpt {
		return s
	}
	cut := maxExcerpt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
