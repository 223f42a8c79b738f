package participant

import (
	"github.com/connectchat/participant/internal/ops"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

// fuzzToken is the bearer token decodeError is given; a response may echo it
// anywhere, and it must never come out.
const fuzzToken Token = "SECRET-TOKEN-7f3a"

// fuzzCorpusCase is the part of a testdata/errors file the fuzz targets use
// as seeds (errors_test.go documents the whole format).
type fuzzCorpusCase struct {
	Status     int               `json:"status"`
	Headers    map[string]string `json:"headers"`
	Body       *string           `json:"body"`
	BodyBase64 *string           `json:"bodyBase64"`
	BodyRepeat *struct {
		Prefix, Unit string
		Count        int
		Suffix       string
	} `json:"bodyRepeat"`
}

func (c *fuzzCorpusCase) header(name string) string {
	for k, v := range c.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func (c *fuzzCorpusCase) body() []byte {
	switch {
	case c.Body != nil:
		return []byte(*c.Body)
	case c.BodyBase64 != nil:
		b, _ := base64.StdEncoding.DecodeString(*c.BodyBase64)
		return b
	case c.BodyRepeat != nil:
		return []byte(c.BodyRepeat.Prefix + strings.Repeat(c.BodyRepeat.Unit, c.BodyRepeat.Count) + c.BodyRepeat.Suffix)
	}
	return nil
}

// fuzzCorpus reads testdata/errors for seeds; a missing corpus fails.
func fuzzCorpus(f *testing.F) []fuzzCorpusCase {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "errors", "*.json"))
	require.NoError(f, err)
	require.NotEmpty(f, paths, "no seeds: testdata/errors/*.json matched nothing")
	cases := make([]fuzzCorpusCase, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		var c fuzzCorpusCase
		require.NoError(f, json.Unmarshal(b, &c), p)
		cases = append(cases, c)
	}
	return cases
}

// bodyCodes returns the string values of a JSON body's top-level code and
// __type members, for seeds of the code sanitizer.
func bodyCodes(body []byte) []string {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	var out []string
	for k, v := range m {
		if s, ok := v.(string); ok && (strings.EqualFold(k, "code") || k == "__type") {
			out = append(out, s)
		}
	}
	return out
}

func isCleanCode(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isCodeByte(s[i]) {
			return false
		}
	}
	return len(s) <= 128
}

func FuzzSanitizeErrorCode(f *testing.F) {
	for _, c := range fuzzCorpus(f) {
		f.Add(c.header("X-Amzn-ErrorType"))
		for _, code := range bodyCodes(c.body()) {
			f.Add(code)
		}
	}
	for _, s := range []string{
		"", ":", "#", "#:", ":#", "a#b#c", "a:b:c", "a#b:c#d", "ns#:uri", "#Name",
		"ThrottlingException", "ThrottlingException:", "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/",
		"Throttling Exception", "Validation\x00Exception", "Ünïcödé#Exceptión", "\xff\xfe#\xff", strings.Repeat("A", 200),
		strings.Repeat("ns.", 100) + "#Name", "Name:" + strings.Repeat("#", 300), "a,b", "ValidationException,ThrottlingException",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := sanitizeErrorCode(in)
		require.False(t, strings.ContainsAny(out, ":#"), "sanitizeErrorCode(%q) = %q holds ':' or '#'", in, out)
		require.True(t, isCleanCode(out), "sanitizeErrorCode(%q) = %q: not only [A-Za-z0-9_.-], or longer than 128 bytes", in, out)
		require.Equal(t, out, sanitizeErrorCode(out), "not idempotent: sanitizeErrorCode(%q) = %q, then sanitizeErrorCode of that", in, out)
		if !strings.ContainsAny(in, ":#") && isCleanCode(in) {
			require.Equal(t, in, out, "a clean shape name came out changed")
		}
		// The shape name is never taken from the URI after the first ':'.
		if i := strings.IndexByte(in, ':'); i >= 0 {
			require.Contains(t, sanitizeErrorCode(in[:i]), out, "sanitizeErrorCode(%q) = %q is not from the part before ':'", in, out)
		}
	})
}

// modeledByCode maps a lower-case code to the type decodeError must return.
var modeledByCode = map[string]string{
	strings.ToLower(codeAccessDenied):         "*participant.AccessDeniedError",
	strings.ToLower(codeConflict):             "*participant.ConflictError",
	strings.ToLower(codeInternalServer):       "*participant.InternalServerError",
	strings.ToLower(codeResourceNotFound):     "*participant.ResourceNotFoundError",
	strings.ToLower(codeServiceQuotaExceeded): "*participant.ServiceQuotaExceededError",
	strings.ToLower(codeThrottling):           "*participant.ThrottlingError",
	strings.ToLower(codeValidation):           "*participant.ValidationError",
}

func FuzzDecodeError(f *testing.F) {
	for _, c := range fuzzCorpus(f) {
		f.Add(c.Status, c.header("X-Amzn-ErrorType"), c.header("x-amzn-RequestId"), c.body())
	}
	tok := string(fuzzToken)
	f.Add(400, "ValidationException", "rid", []byte(`{"message":"`+tok+`"}`))
	f.Add(429, tok, tok, []byte(tok))
	f.Add(500, "SECRET-TOKEN-7f 3a", "x\r\ny", []byte(strings.Repeat("a", 195)+tok))
	f.Add(404, "", strings.Repeat("r", 120)+tok, []byte(`{"__type":"ns#`+tok+`","ResourceId":"`+tok+`"}`))
	f.Add(403, "AccessDeniedException", "", []byte(`{"message":"a`+"\u2028"+`b\u0000c`+"\xff"+`"}`))
	f.Add(0, "", "", []byte(nil))
	f.Add(-1, ":", "\x00", []byte(`{"code":"Validation`))

	f.Fuzz(func(t *testing.T, status int, code, rid string, body []byte) {
		h := http.Header{}
		if code != "" {
			h["X-Amzn-Errortype"] = []string{code}
		}
		if rid != "" {
			h["X-Amzn-Requestid"] = []string{rid}
		}
		// As the request path does: read at most maxErrorBody bytes.
		truncated := len(body) > ops.MaxErrorBody
		if truncated {
			body = body[:ops.MaxErrorBody]
		}
		gotID, err := requestIDWithout(h, fuzzToken), decodeError(status, h, body, truncated, fuzzToken)
		require.Error(t, err, "decodeError returned no error")
		api, ok := err.(smithy.APIError)
		require.True(t, ok, "%T is not a smithy.APIError", err)
		typ := fmt.Sprintf("%T", err)
		if _, modeled := modeledByCode[strings.ToLower(api.ErrorCode())]; !modeled {
			require.Equal(t, "*smithy.GenericAPIError", typ, "unexpected type for code %q", api.ErrorCode())
		}
		re := &ResponseError{StatusCode: status, RequestID: gotID, Attempts: 1, Err: err}
		for what, s := range map[string]string{
			"Error()":                  err.Error(),
			"ResponseError.Error()":    re.Error(),
			"RequestID":                gotID,
			"ErrorCode()":              api.ErrorCode(),
			"ErrorMessage()":           api.ErrorMessage(),
			"(OperationError).Error()": (&smithy.OperationError{ServiceID: ServiceID, OperationName: "SendEvent", Err: re}).Error(),
		} {
			lineBreak := strings.ContainsAny(s, "\r\n") || strings.ContainsRune(s, '\u2028') || strings.ContainsRune(s, '\u2029')
			require.False(t, lineBreak, "%s holds a raw line break: %q", what, s)
			require.NotContains(t, s, tok, "%s holds the token", what)
		}
		if rnf, ok := err.(*ResourceNotFoundError); ok {
			require.NotContains(t, rnf.ResourceID, tok, "ResourceNotFoundError.ResourceID holds the token")
			require.NotContains(t, rnf.ResourceType, tok, "ResourceNotFoundError.ResourceType holds the token")
		}
		require.LessOrEqual(t, len(re.Error()), 1536, "bytes of ResponseError.Error()")
		c := api.ErrorCode()
		require.NotEmpty(t, c, "ErrorCode()")
		require.True(t, isCleanCode(c), "ErrorCode() %q is not a clean code", c)

		// The header's code decides whenever it names a modeled error,
		// whatever the body holds or how it breaks.
		if want, ok := modeledByCode[strings.ToLower(sanitizeErrorCode(code))]; ok {
			require.Equal(t, want, typ, "header code %q", code)
		}
		// A 429 that names no code is throttling.
		if status == http.StatusTooManyRequests && code == "" && len(bytes.TrimSpace(body)) == 0 {
			require.Equal(t, "*participant.ThrottlingError", typ, "a bare 429")
		}
		// The same response always decodes the same way. (The type is
		// compared first: it makes err2 a smithy.APIError below.)
		gotID2, err2 := requestIDWithout(h, fuzzToken), decodeError(status, h, body, truncated, fuzzToken)
		require.Equal(t, gotID, gotID2, "request id, decoded twice")
		require.Equal(t, typ, fmt.Sprintf("%T", err2), "type, decoded twice")
		require.Equal(t, err.Error(), err2.Error(), "Error(), decoded twice")
		require.Equal(t, api.ErrorMessage(), err2.(smithy.APIError).ErrorMessage(), "ErrorMessage(), decoded twice")
	})
}

// FuzzDecodeOutputs feeds the error corpus bodies and arbitrary bytes to the
// one success-body decoder, for every Output type: it never panics, and what
// it decodes encodes to the service's JSON and decodes back to itself.
func FuzzDecodeOutputs(f *testing.F) {
	for _, c := range fuzzCorpus(f) {
		f.Add(c.body())
	}
	for _, s := range []string{
		`{"id":"lower","absolutetime":"2019-03-26T00:00:00+05:30"}`, `{"Id":5}`, `{"Id":"a","Id":"b"}`,
		`{"Id":"x","AbsoluteTime":"not a time"}`, `{"AbsoluteTime":"2026-02-30T00:00:00Z"}`, `{"AbsoluteTime":"0000-01-01T00:00:00-23:59"}`,
		`{"AbsoluteTime":"9999-12-31T23:59:59.999999999+00:00"}`, `{"Id":"\ud800"}`, `{"Id":"x"} trailing`,
		`{"Transcript":[{"Id":"m","AbsoluteTime":"2019-11-08T02:41:28.172Z","MessageMetadata":{"Receipts":[{"ReadTimestamp":"2019-11-08T02:41:29.000Z"}]}}]}`,
		`{"ConnectionCredentials":{"ConnectionToken":"t","Expiry":"2019-11-08T02:41:28.172Z"},"Websocket":{"Url":"wss://x/?q=1"}}`,
		`{"Id":"x","Extra":{"nested":[1,2,{"a":null}]}}`, "\xef\xbb\xbf{}", `2026-11-29T10:00:00Z`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzRoundTrip[SendEventOutput](t, body)
		fuzzRoundTrip[SendMessageOutput](t, body)
		fuzzRoundTrip[GetTranscriptOutput](t, body)
		fuzzRoundTrip[CreateParticipantConnectionOutput](t, body)
		fuzzRoundTrip[StartAttachmentUploadOutput](t, body)
		fuzzRoundTrip[GetAttachmentOutput](t, body)
		fuzzRoundTrip[DescribeViewOutput](t, body)
		fuzzRoundTrip[GetAuthenticationUrlOutput](t, body)
	})
}

func fuzzRoundTrip[T any](t *testing.T, body []byte) {
	var out T
	if decodeBody(body, &out) != nil {
		return
	}
	b, err := json.Marshal(&out)
	require.NoError(t, err)
	var back T
	require.NoError(t, decodeBody(b, &back), "%s", b)
	b2, err := json.Marshal(&back)
	require.NoError(t, err)
	// Times are kept to the millisecond the service writes; compare the
	// encodings, which are what the CLI prints.
	assert.Equal(t, string(b), string(b2))
}
