package participant

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// refShape describes a shape of the service model the way aws-sdk-go-v2's
// generated deserializers see it, for refAccepts.
type refShape struct {
	kind   string // "string", "long", "object", "list", "map", "lenient"
	fields map[string]*refShape
	elem   *refShape
}

var (
	refString  = &refShape{kind: "string"}
	refLong    = &refShape{kind: "long"}
	refLenient = &refShape{kind: "lenient"} // a member newer than v1.34.0
	refMap     = &refShape{kind: "map"}
)

func refObject(fields map[string]*refShape) *refShape {
	return &refShape{kind: "object", fields: fields}
}

func refList(elem *refShape) *refShape { return &refShape{kind: "list", elem: elem} }

func refStrings(names ...string) *refShape {
	f := map[string]*refShape{}
	for _, n := range names {
		f[n] = refString
	}
	return refObject(f)
}

var refItem = refObject(map[string]*refShape{
	"AbsoluteTime": refString, "Attachments": refList(refStrings("AttachmentId", "AttachmentName", "ContentType", "Status")),
	"ContactId": refString, "Content": refString, "ContentType": refString, "DisplayName": refString, "Id": refString,
	"InitialContactId": refLenient, "ParticipantId": refString, "ParticipantRole": refString, "RelatedContactId": refString, "Type": refString,
	"MessageMetadata": refObject(map[string]*refShape{
		"MessageId": refString, "MessageProcessingStatus": refLenient,
		"Receipts": refList(refStrings("DeliveredTimestamp", "ReadTimestamp", "RecipientParticipantId")),
	}),
})

// refCheck reports whether aws-sdk-go-v2 accepts v (decoded with UseNumber)
// as shape s: the same walk as its awsRestjson1_deserializeDocument*
// functions, which ignore nulls and unknown members and reject wrong types.
func refCheck(v any, s *refShape) error {
	if v == nil || s.kind == "lenient" {
		return nil
	}
	switch s.kind {
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("want string, got %T", v)
		}
	case "long":
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("want number, got %T", v)
		}
		if _, err := n.Int64(); err != nil {
			return err
		}
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("want object, got %T", v)
		}
		for k, fv := range m {
			if fs := s.fields[k]; fs != nil {
				if err := refCheck(fv, fs); err != nil {
					return fmt.Errorf("%s: %w", k, err)
				}
			}
		}
	case "list":
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("want list, got %T", v)
		}
		for _, e := range l {
			if err := refCheck(e, s.elem); err != nil {
				return err
			}
		}
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("want object, got %T", v)
		}
		for _, e := range m {
			if err := refCheck(e, refString); err != nil {
				return err
			}
		}
	}
	return nil
}

// refAccepts reports whether aws-sdk-go-v2 accepts body as a success
// response of output shape s: it decodes the first JSON value, an empty body
// being none.
func refAccepts(body []byte, s *refShape) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if err == io.EOF {
			return nil
		}
		return err
	}
	return refCheck(v, s)
}

// fuzzOutputSeeds adds the response goldens and bodies that probe the
// decoding rules.
func fuzzOutputSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.response.golden"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", " ", "null", "[]", `"x"`, "1", "{", `{"Url":}`, `{} trailing`, `{"Url":"a","Url":5}`, `{"Url":5,"Url":"a"}`,
		`{"url":5}`, `{"\u0055rl":5}`, `{"AttachmentSizeInBytes":1.0}`, `{"AttachmentSizeInBytes":-0}`,
		`{"AttachmentSizeInBytes":99999999999999999999}`, `{"Transcript":[null,{},{"Attachments":[null]}]}`,
		`{"Transcript":[{"MessageMetadata":{"Receipts":[{"ReadTimestamp":5}]}}]}`, `{"Transcript":[{"InitialContactId":5}]}`,
		`{"View":{"Version":4294967299,"Content":{"Actions":[null,"a"]}}}`, `{"View":{"Content":{"Actions":[1]}}}`,
		`{"UploadMetadata":{"HeadersToInclude":{"a":null,"a":1}}}`, `{"UploadMetadata":{"HeadersToInclude":{"a":1,"a":null}}}`,
		`{"WebRTCConnection":{"Meeting":{"MeetingFeatures":{"Audio":{"EchoReduction":false}}}}}`,
		`{"MessageMetadata":"x","Id":"i"}`, "{\"Id\":\"a\xffb\"}", `{"Deep":[[[[[[[[{"}":"]"}]]]]]]]]}`,
	} {
		f.Add([]byte(s))
	}
}

// fuzzDecoder checks one decoder: it never panics, it accepts exactly what
// aws-sdk-go-v2 accepts, and its result does not depend on the output value
// it decodes into.
func fuzzDecoder[T any](f *testing.F, shape *refShape, decode func([]byte, *T) error) {
	fuzzOutputSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var out T
		err := decode(body, &out)
		ref := refAccepts(body, shape)
		if (err == nil) != (ref == nil) {
			t.Fatalf("body %q: decoder error %v, aws-sdk-go-v2 would give %v", body, err, ref)
		}
		if err != nil {
			return
		}
		var again T
		if err := decode(body, &again); err != nil || !reflect.DeepEqual(out, again) {
			t.Fatalf("body %q decoded twice differs: %+v / %+v (%v)", body, out, again, err)
		}
	})
}

func FuzzDecodeCreateParticipantConnectionOutput(f *testing.F) {
	fuzzDecoder(f, refObject(map[string]*refShape{
		"ConnectionCredentials": refStrings("ConnectionToken", "Expiry"),
		"Websocket":             refStrings("Url", "ConnectionExpiry"),
		"WebRTCConnection": refObject(map[string]*refShape{
			"Attendee": refStrings("AttendeeId", "JoinToken"),
			"Meeting": refObject(map[string]*refShape{
				"MediaPlacement":  refStrings("AudioFallbackUrl", "AudioHostUrl", "EventIngestionUrl", "SignalingUrl", "TurnControlUrl"),
				"MediaRegion":     refString,
				"MeetingFeatures": refObject(map[string]*refShape{"Audio": refStrings("EchoReduction")}),
				"MeetingId":       refString,
			}),
		}),
	}), decodeCreateParticipantConnectionOutput)
}

func FuzzDecodeSendMessageOutput(f *testing.F) {
	fuzzDecoder(f, refObject(map[string]*refShape{"Id": refString, "AbsoluteTime": refString, "MessageMetadata": refLenient}), decodeSendMessageOutput)
}

func FuzzDecodeGetTranscriptOutput(f *testing.F) {
	fuzzDecoder(f, refObject(map[string]*refShape{"InitialContactId": refString, "NextToken": refString, "Transcript": refList(refItem)}), decodeGetTranscriptOutput)
}

func FuzzDecodeStartAttachmentUploadOutput(f *testing.F) {
	fuzzDecoder(f, refObject(map[string]*refShape{
		"AttachmentId":   refString,
		"UploadMetadata": refObject(map[string]*refShape{"HeadersToInclude": refMap, "Url": refString, "UrlExpiry": refString}),
	}), decodeStartAttachmentUploadOutput)
}

func FuzzDecodeGetAttachmentOutput(f *testing.F) {
	fuzzDecoder(f, refObject(map[string]*refShape{"AttachmentSizeInBytes": refLong, "Url": refString, "UrlExpiry": refString}), decodeGetAttachmentOutput)
}

func FuzzDecodeDescribeViewOutput(f *testing.F) {
	fuzzDecoder(f, refObject(map[string]*refShape{"View": refObject(map[string]*refShape{
		"Arn": refString, "Id": refString, "Name": refString, "Version": refLong,
		"Content": refObject(map[string]*refShape{"Actions": refList(refString), "InputSchema": refString, "Template": refString}),
	})}), decodeDescribeViewOutput)
}

func FuzzDecodeGetAuthenticationUrlOutput(f *testing.F) {
	fuzzDecoder(f, refObject(map[string]*refShape{"AuthenticationUrl": refString}), decodeGetAuthenticationUrlOutput)
}

// FuzzItemJSON checks Item's JSON methods, which the WebSocket reader uses:
// UnmarshalJSON never panics, accepts what the transcript decoder accepts,
// and an item it decodes encodes and decodes back to itself.
func FuzzItemJSON(f *testing.F) {
	f.Add([]byte(`{"Id":"i","Type":"MESSAGE","AbsoluteTime":"2026-11-29T10:00:00.123Z","Attachments":[{"AttachmentId":"a"}],"MessageMetadata":{"Receipts":[{"ReadTimestamp":"2026-11-29T10:00:01.000Z"}]}}`))
	f.Add([]byte(`{"AbsoluteTime":"2026-11-29T10:00:00.123456789+02:00"}`))
	f.Add([]byte(`{"AbsoluteTime":"garbage","Content":"<&>"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[1]`))
	f.Add([]byte(`{"Id":`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var it Item
		err := it.UnmarshalJSON(b)
		if json.Valid(b) {
			ref := refCheck(refValue(b), refItem)
			if (err == nil) != (ref == nil) {
				t.Fatalf("%q: UnmarshalJSON error %v, aws-sdk-go-v2 would give %v", b, err, ref)
			}
		} else if err == nil {
			t.Fatalf("%q is not JSON but decoded", b)
		}
		if err != nil {
			return
		}
		out, err := json.Marshal(it)
		if err != nil {
			t.Fatalf("%+v does not encode: %v", it, err)
		}
		var back Item
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%s does not decode: %v", out, err)
		}
		// Times are written with millisecond precision in UTC, in years
		// 0000 to 9999.
		if !inYears(it.AbsoluteTime) {
			return
		}
		if mm := it.MessageMetadata; mm != nil {
			for _, r := range mm.Receipts {
				if !inYears(r.ReadTimestamp) || !inYears(r.DeliveredTimestamp) {
					return
				}
			}
		}
		it.AbsoluteTime = it.AbsoluteTime.UTC().Truncate(1e6)
		if mm := it.MessageMetadata; mm != nil {
			for i := range mm.Receipts {
				mm.Receipts[i].ReadTimestamp = mm.Receipts[i].ReadTimestamp.UTC().Truncate(1e6)
				mm.Receipts[i].DeliveredTimestamp = mm.Receipts[i].DeliveredTimestamp.UTC().Truncate(1e6)
			}
			if len(mm.Receipts) == 0 && mm.Receipts != nil {
				mm.Receipts = nil // an empty list is not written
			}
		}
		if it.Attachments != nil && len(it.Attachments) == 0 {
			it.Attachments = nil
		}
		if !reflect.DeepEqual(normalizeTimes(back), normalizeTimes(it)) {
			t.Fatalf("%q → %s → %+v, want %+v", b, out, back, it)
		}
	})
}

func inYears(t time.Time) bool {
	y := t.UTC().Year()
	return t.IsZero() || y >= 0 && y <= 9999
}

// refValue decodes valid JSON as aws-sdk-go-v2 does, for refCheck.
func refValue(b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil && !errors.Is(err, io.EOF) {
		return err // not JSON: refCheck rejects an error value's type
	}
	return v
}

// normalizeTimes drops the zone of every time so that equal instants
// compare equal.
func normalizeTimes(it Item) Item {
	if !it.AbsoluteTime.IsZero() {
		it.AbsoluteTime = it.AbsoluteTime.UTC()
	}
	if it.MessageMetadata != nil {
		mm := *it.MessageMetadata
		mm.Receipts = append([]Receipt(nil), mm.Receipts...)
		for i, r := range mm.Receipts {
			if !r.ReadTimestamp.IsZero() {
				mm.Receipts[i].ReadTimestamp = r.ReadTimestamp.UTC()
			}
			if !r.DeliveredTimestamp.IsZero() {
				mm.Receipts[i].DeliveredTimestamp = r.DeliveredTimestamp.UTC()
			}
		}
		it.MessageMetadata = &mm
	}
	return it
}
