package participant

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"
)

// This file decodes response bodies the way aws-sdk-go-v2 v1.34.0's
// connectparticipant client does, so that a body one client accepts the other
// accepts too, with the same values:
//
//   - only the body's first JSON value is read, as a json.Decoder reads it;
//     what follows is ignored, and an empty body is an empty output;
//   - member names match exactly (encoding/json would also take "url" for
//     "Url");
//   - of repeated members the last one wins, and only it is checked;
//   - null members are ignored, and unknown members are skipped;
//   - a member of the wrong JSON type is an error;
//   - integers must be integral JSON numbers that fit in 64 bits: 1.0, 1e3
//     and "1" are errors.
//
// Times are the exception: the service sends them as strings, which
// aws-sdk-go-v2 hands over unparsed; here they become time.Time through
// parseTime, and a string that is not a time gives the zero Time.
//
// The walkers below assume well-formed JSON: every entry point checks it with
// encoding/json first.

// firstValue returns the first JSON value of a success body, or nil when the
// body holds none (empty or white space).
func firstValue(b []byte) ([]byte, error) {
	// Only JSON's own white space: bytes.TrimSpace would also drop \v, \f
	// and Unicode spaces, which encoding/json rejects.
	t := bytes.Trim(b, " \t\r\n")
	if len(t) == 0 {
		return nil, nil
	}
	if json.Valid(t) {
		return t, nil
	}
	// Not one well-formed value: a json.Decoder reads the first value and
	// stops, which is what aws-sdk-go-v2 does.
	dec := json.NewDecoder(bytes.NewReader(t))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, err
	}
	return raw, nil
}

// decodeBody decodes a success body whose top-level value must be an object
// (or null, or absent) with decode.
func decodeBody(b []byte, decode func(obj []byte) error) error {
	v, err := firstValue(b)
	if err != nil || v == nil || isNull(v) {
		return err
	}
	if v[0] != '{' {
		return fmt.Errorf("response body is a JSON %s, not an object", jsonKind(v))
	}
	return decode(v)
}

// unmarshalShape is the UnmarshalJSON of the shapes of this package: b must be
// well-formed JSON, an object or null.
func unmarshalShape(b []byte, name string, decode func(obj []byte) error) error {
	if !json.Valid(b) {
		return errors.New("participant: " + name + ": not valid JSON")
	}
	b = bytes.TrimSpace(b)
	if isNull(b) {
		return nil
	}
	if b[0] != '{' {
		return fmt.Errorf("participant: %s: expected a JSON object, got a JSON %s", name, jsonKind(b))
	}
	return decode(b)
}

func isNull(v []byte) bool { return len(v) == 4 && string(v) == "null" }

// jsonKind names the JSON type of the well-formed value v.
func jsonKind(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// endOfString returns the index after the string that starts with the quote
// at b[i].
func endOfString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// endOfValue returns the index after the value that starts at b[i]. It does
// not recurse, so nesting depth costs nothing.
func endOfValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return endOfString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = endOfString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// members walks the members of a well-formed JSON object.
type members struct {
	b        []byte
	i        int
	key, val []byte // the raw name (no quotes, escapes kept) and value
}

func newMembers(obj []byte) members { return members{b: obj} }

// next moves to the next member; it reports false at the end.
func (m *members) next() bool {
	i := skipSpace(m.b, m.i)
	if i >= len(m.b) || m.b[i] == '}' {
		return false
	}
	if m.b[i] == '{' || m.b[i] == ',' {
		i = skipSpace(m.b, i+1)
	}
	if i >= len(m.b) || m.b[i] != '"' {
		return false
	}
	end := endOfString(m.b, i)
	if end > len(m.b) || end-1 < i+1 {
		return false
	}
	m.key = m.b[i+1 : end-1]
	if bytes.IndexByte(m.key, '\\') >= 0 {
		m.key = unescapeName(m.b[i:end])
	}
	i = skipSpace(m.b, end)
	if i < len(m.b) && m.b[i] == ':' {
		i = skipSpace(m.b, i+1)
	}
	vend := endOfValue(m.b, i)
	if vend > len(m.b) {
		vend = len(m.b)
	}
	m.val = m.b[i:vend]
	m.i = vend
	return len(m.val) > 0
}

// unescapeName decodes a quoted member name that holds escapes.
func unescapeName(quoted []byte) []byte {
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return nil
	}
	return []byte(s)
}

// elements walks the elements of a well-formed JSON array.
type elements struct {
	b   []byte
	i   int
	val []byte
}

func newElements(arr []byte) elements { return elements{b: arr} }

func (e *elements) next() bool {
	i := skipSpace(e.b, e.i)
	if i >= len(e.b) || e.b[i] == ']' {
		return false
	}
	if e.b[i] == '[' || e.b[i] == ',' {
		i = skipSpace(e.b, i+1)
	}
	if i >= len(e.b) || e.b[i] == ']' {
		return false
	}
	end := endOfValue(e.b, i)
	if end > len(e.b) {
		end = len(e.b)
	}
	e.val = e.b[i:end]
	e.i = end
	return len(e.val) > 0
}

func typeError(name, want string, v []byte) error {
	return fmt.Errorf("%s: expected a JSON %s, got a JSON %s", name, want, jsonKind(v))
}

// unquote decodes the well-formed JSON string v (quotes included), as
// encoding/json does: escapes resolved, invalid UTF-8 replaced by U+FFFD.
func unquote(v []byte) (string, error) {
	in := v[1 : len(v)-1]
	if bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
		return string(in), nil
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err
}

// decString decodes a string member; null or absent leaves dst unchanged.
func decString[T ~string](v []byte, dst *T, name string) error {
	if v == nil || isNull(v) {
		return nil
	}
	if v[0] != '"' {
		return typeError(name, "string", v)
	}
	s, err := unquote(v)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	*dst = T(s)
	return nil
}

// decTime decodes a time the service writes as a string.
func decTime(v []byte, dst *time.Time, name string) error {
	var s string
	if err := decString(v, &s, name); err != nil {
		return err
	}
	if s != "" {
		*dst = parseTime(s)
	}
	return nil
}

// decInt64 decodes an integer member as json.Number.Int64 does.
func decInt64(v []byte, dst *int64, name string) error {
	if v == nil || isNull(v) {
		return nil
	}
	if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return typeError(name, "number", v)
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	*dst = n
	return nil
}

// decInt32 decodes an integer member of the model's 32-bit integer type.
// aws-sdk-go-v2 reads it as a 64-bit integer and converts it, so a value
// beyond 32 bits wraps there and here alike.
func decInt32(v []byte, dst *int32, name string) error {
	var n int64
	if v == nil || isNull(v) {
		return nil
	}
	if err := decInt64(v, &n, name); err != nil {
		return err
	}
	*dst = int32(n)
	return nil
}

// decStrings decodes a list of strings; a null element is "".
func decStrings(v []byte, dst *[]string, name string) error {
	if v == nil || isNull(v) {
		return nil
	}
	if v[0] != '[' {
		return typeError(name, "array", v)
	}
	out := []string{}
	for e := newElements(v); e.next(); {
		var s string
		if err := decString(e.val, &s, name); err != nil {
			return err
		}
		out = append(out, s)
	}
	*dst = out
	return nil
}

// decStringMap decodes a map of strings; a null value is "". Of repeated
// keys the last wins, and only it is checked.
func decStringMap(v []byte, dst *map[string]string, name string) error {
	if v == nil || isNull(v) {
		return nil
	}
	if v[0] != '{' {
		return typeError(name, "object", v)
	}
	raw := map[string][]byte{}
	for m := newMembers(v); m.next(); {
		raw[string(m.key)] = m.val
	}
	out := make(map[string]string, len(raw))
	for k, rv := range raw {
		var s string
		if err := decString(rv, &s, name); err != nil {
			return err
		}
		out[k] = s
	}
	*dst = out
	return nil
}

// shape is a pointer to a structure of the service model that decodes itself
// from a well-formed JSON object.
type shape[T any] interface {
	*T
	decode(obj []byte) error
}

// decShape decodes a structure member into a new value; null or absent
// leaves dst nil.
func decShape[T any, P shape[T]](v []byte, dst **T, name string) error {
	if v == nil || isNull(v) {
		return nil
	}
	if v[0] != '{' {
		return typeError(name, "object", v)
	}
	x := new(T)
	if err := P(x).decode(v); err != nil {
		return err
	}
	*dst = x
	return nil
}

// decShapes decodes a list of structures; a null element is a zero value.
func decShapes[T any, P shape[T]](v []byte, dst *[]T, name string) error {
	if v == nil || isNull(v) {
		return nil
	}
	if v[0] != '[' {
		return typeError(name, "array", v)
	}
	n := 0
	for e := newElements(v); e.next(); {
		n++
	}
	out := make([]T, n)
	i := 0
	for e := newElements(v); e.next(); i++ {
		if isNull(e.val) {
			continue
		}
		if e.val[0] != '{' {
			return typeError(name, "object", e.val)
		}
		// Decode in place: a local would move to the heap for every element.
		if err := P(&out[i]).decode(e.val); err != nil {
			return err
		}
	}
	*dst = out
	return nil
}
