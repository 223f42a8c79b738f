package participant

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDecodeLikeAWS pins the decoding rules aws-sdk-go-v2 v1.34.0 follows
// (see wire_decode.go), each on a body that encoding/json alone would decode
// differently or where the rule is easy to get wrong.
func TestDecodeLikeAWS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		want    GetAttachmentOutput
		wantErr string // substring; "" means success
	}{
		{"empty body", "", GetAttachmentOutput{}, ""},
		{"white space only", " \n\t ", GetAttachmentOutput{}, ""},
		{"null body", "null", GetAttachmentOutput{}, ""},
		{"exact names only", `{"url":"x","URL":"y","Url":"z","attachmentSizeInBytes":5}`, GetAttachmentOutput{URL: "z"}, ""},
		{"escaped member name", `{"\u0055rl":"z"}`, GetAttachmentOutput{URL: "z"}, ""},
		{"last of repeated members wins", `{"Url":"a","Url":"b"}`, GetAttachmentOutput{URL: "b"}, ""},
		{"only the last repeated member is checked", `{"Url":5,"Url":"b"}`, GetAttachmentOutput{URL: "b"}, ""},
		{"a later null wins", `{"Url":"a","Url":null}`, GetAttachmentOutput{}, ""},
		{"null members ignored", `{"Url":null,"AttachmentSizeInBytes":null,"UrlExpiry":null}`, GetAttachmentOutput{}, ""},
		{"unknown members skipped", `{"Deep":[[[{"a":"}"}]]],"Url":"u","N":1e400}`, GetAttachmentOutput{}, "number"},
		{"trailing data ignored", `{"Url":"u"} trailing ]]] garbage`, GetAttachmentOutput{URL: "u"}, ""},
		{"second value ignored", `{"Url":"u"}{"Url":"v"}`, GetAttachmentOutput{URL: "u"}, ""},
		{"invalid UTF-8 replaced", "{\"Url\":\"a\xffb\"}", GetAttachmentOutput{URL: "a\ufffdb"}, ""},
		{"escapes resolved", `{"Url":"a\"\\\/\u00e9\ud83d\ude00"}`, GetAttachmentOutput{URL: "a\"\\/é😀"}, ""},
		{"lenient time", `{"UrlExpiry":"not a time"}`, GetAttachmentOutput{}, ""},
		{"time", `{"UrlExpiry":"2019-11-08T02:41:28.172Z"}`, GetAttachmentOutput{URLExpiry: time.Date(2019, 11, 8, 2, 41, 28, 172e6, time.UTC)}, ""},
		{"negative zero", `{"AttachmentSizeInBytes":-0}`, GetAttachmentOutput{}, ""},
		{"max int64", `{"AttachmentSizeInBytes":9223372036854775807}`, GetAttachmentOutput{AttachmentSizeInBytes: 1<<63 - 1}, ""},
		{"int64 overflow", `{"AttachmentSizeInBytes":9223372036854775808}`, GetAttachmentOutput{}, "AttachmentSizeInBytes"},
		{"fraction", `{"AttachmentSizeInBytes":1.0}`, GetAttachmentOutput{}, "AttachmentSizeInBytes"},
		{"exponent", `{"AttachmentSizeInBytes":1e3}`, GetAttachmentOutput{}, "AttachmentSizeInBytes"},
		{"quoted number", `{"AttachmentSizeInBytes":"1"}`, GetAttachmentOutput{}, "AttachmentSizeInBytes"},
		{"number for string", `{"Url":1}`, GetAttachmentOutput{}, "Url"},
		{"object for string", `{"Url":{}}`, GetAttachmentOutput{}, "Url"},
		{"boolean for time", `{"UrlExpiry":true}`, GetAttachmentOutput{}, "UrlExpiry"},
		{"array body", `[]`, GetAttachmentOutput{}, "array"},
		{"string body", `"x"`, GetAttachmentOutput{}, "string"},
		{"number body", `1`, GetAttachmentOutput{}, "number"},
		{"truncated", `{"Url":"u"`, GetAttachmentOutput{}, "unexpected EOF"},
		{"syntax error", `{"Url":}`, GetAttachmentOutput{}, "invalid character"},
	}
	tests[9].want, tests[9].wantErr = GetAttachmentOutput{URL: "u"}, "" // 1e400 in an unknown member is only syntax-checked
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got GetAttachmentOutput
			err := decodeGetAttachmentOutput([]byte(tt.body), &got)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestDecodeNested covers structures, lists and maps: a repeated structure
// member is replaced, not merged (encoding/json would merge it), null list
// elements become zero values, and values of the wrong type are errors.
func TestDecodeNested(t *testing.T) {
	t.Parallel()
	t.Run("repeated structure replaced", func(t *testing.T) {
		var out DescribeViewOutput
		if err := decodeDescribeViewOutput([]byte(`{"View":{"Id":"a","Version":2},"View":{"Arn":"b"}}`), &out); err != nil {
			t.Fatal(err)
		}
		if want := (&View{ARN: "b"}); !reflect.DeepEqual(out.View, want) {
			t.Errorf("View %+v, want %+v", out.View, want)
		}
	})
	t.Run("version wraps as in aws-sdk-go-v2", func(t *testing.T) {
		var out DescribeViewOutput
		if err := decodeDescribeViewOutput([]byte(`{"View":{"Version":4294967299}}`), &out); err != nil {
			t.Fatal(err)
		}
		if out.View.Version != 3 {
			t.Errorf("Version %d, want 3 (int32 of 4294967299)", out.View.Version)
		}
	})
	t.Run("null and empty lists", func(t *testing.T) {
		var out GetTranscriptOutput
		if err := decodeGetTranscriptOutput([]byte(`{"Transcript":[null,{"Id":"x","Attachments":null},{"Attachments":[]}]}`), &out); err != nil {
			t.Fatal(err)
		}
		want := []Item{{}, {ID: "x"}, {Attachments: []AttachmentItem{}}}
		if !reflect.DeepEqual(out.Transcript, want) {
			t.Errorf("Transcript %#v, want %#v", out.Transcript, want)
		}
		var empty GetTranscriptOutput
		if err := decodeGetTranscriptOutput([]byte(`{"Transcript":[]}`), &empty); err != nil || empty.Transcript == nil || len(empty.Transcript) != 0 {
			t.Errorf("empty list: %#v, %v; want a non-nil empty slice", empty.Transcript, err)
		}
	})
	t.Run("map values", func(t *testing.T) {
		var out StartAttachmentUploadOutput
		err := decodeStartAttachmentUploadOutput([]byte(`{"UploadMetadata":{"HeadersToInclude":{"A":"1","B":null,"A":"2","C":5,"C":"3"}}}`), &out)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"A": "2", "B": "", "C": "3"}
		if !reflect.DeepEqual(out.UploadMetadata.HeadersToInclude, want) {
			t.Errorf("HeadersToInclude %v, want %v", out.UploadMetadata.HeadersToInclude, want)
		}
	})
	errs := []struct{ name, body string }{
		{"item not an object", `{"Transcript":[5]}`},
		{"transcript not a list", `{"Transcript":{}}`},
		{"attachment of wrong type", `{"Transcript":[{"Attachments":[[]]}]}`},
		{"receipt time of wrong type", `{"Transcript":[{"MessageMetadata":{"Receipts":[{"ReadTimestamp":1}]}}]}`},
		{"role of wrong type", `{"Transcript":[{"ParticipantRole":false}]}`},
		{"next token of wrong type", `{"NextToken":[]}`},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			var out GetTranscriptOutput
			if err := decodeGetTranscriptOutput([]byte(tt.body), &out); err == nil {
				t.Errorf("%s decoded without error: %+v", tt.body, out)
			}
		})
	}
	t.Run("members newer than aws-sdk-go-v2 v1.34.0 are lenient", func(t *testing.T) {
		var out GetTranscriptOutput
		body := `{"Transcript":[{"Id":"i","InitialContactId":5,"MessageMetadata":{"MessageId":"m","MessageProcessingStatus":{}}}]}`
		if err := decodeGetTranscriptOutput([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		if it := out.Transcript[0]; it.ID != "i" || it.InitialContactID != "" || it.MessageMetadata.MessageID != "m" {
			t.Errorf("item %+v", it)
		}
		var sm SendMessageOutput
		if err := decodeSendMessageOutput([]byte(`{"Id":"x","MessageMetadata":"bad"}`), &sm); err != nil || sm.ID != "x" || sm.MessageMetadata != nil {
			t.Errorf("SendMessage %+v, %v", sm, err)
		}
	})
	t.Run("unknown enum values kept", func(t *testing.T) {
		var out GetTranscriptOutput
		body := `{"Transcript":[{"Type":"HOLOGRAM","ParticipantRole":"ROBOT","Attachments":[{"Status":"QUARANTINED"}],"MessageMetadata":{"MessageProcessingStatus":"PAUSED"}}]}`
		if err := decodeGetTranscriptOutput([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		it := out.Transcript[0]
		if it.Type != "HOLOGRAM" || it.ParticipantRole != "ROBOT" || it.Attachments[0].Status != "QUARANTINED" || it.MessageMetadata.MessageProcessingStatus != "PAUSED" {
			t.Errorf("item %+v", it)
		}
	})
}

// TestShapeJSON checks that the shared shapes encode to the service's wire
// form and decode back, through encoding/json.
func TestShapeJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 29, 10, 0, 0, 120e6, time.UTC)
	item := Item{
		AbsoluteTime: at, ID: "i1", Type: ChatItemTypeMessage, ContentType: ContentTypePlainText, Content: "<hi>",
		ParticipantRole: ParticipantRoleSupervisor, InitialContactID: "c0", ContactID: "c1",
		Attachments:     []AttachmentItem{{AttachmentID: "a1", Status: ArtifactStatusInProgress}},
		MessageMetadata: &MessageMetadata{MessageID: "m1", Receipts: []Receipt{{ReadTimestamp: at, RecipientParticipantID: "p2"}}},
	}
	b, err := json.Marshal(item)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"AbsoluteTime":"2026-11-29T10:00:00.120Z","Attachments":[{"AttachmentId":"a1","Status":"IN_PROGRESS"}],"ContactId":"c1","Content":"\u003chi\u003e","ContentType":"text/plain","Id":"i1","InitialContactId":"c0","MessageMetadata":{"MessageId":"m1","Receipts":[{"ReadTimestamp":"2026-11-29T10:00:00.120Z","RecipientParticipantId":"p2"}]},"ParticipantRole":"SUPERVISOR","Type":"MESSAGE"}`
	if string(b) != want {
		t.Errorf("Item JSON\n got %s\nwant %s", b, want)
	}
	var back Item
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, item) {
		t.Errorf("round trip %+v, want %+v", back, item)
	}
	// UnmarshalJSON replaces, as aws-sdk-go-v2 decodes into a new value.
	stale := Item{ID: "old", DisplayName: "old name"}
	if err := json.Unmarshal([]byte(`{"Id":"new"}`), &stale); err != nil || !reflect.DeepEqual(stale, Item{ID: "new"}) {
		t.Errorf("decoding into a used Item gave %+v, %v", stale, err)
	}
	if err := json.Unmarshal([]byte(`{"Id":5}`), &back); err == nil {
		t.Error("an Id of the wrong type decoded")
	}
	if err := back.UnmarshalJSON([]byte(`{"Id":`)); err == nil {
		t.Error("malformed JSON given to UnmarshalJSON directly decoded")
	}

	for _, tt := range []struct {
		v    any
		want string
	}{
		{StartPosition{}, `{}`},
		{StartPosition{MostRecent: 5}, `{"MostRecent":5}`},
		{StartPosition{ID: "i0", AbsoluteTime: at}, `{"AbsoluteTime":"2026-11-29T10:00:00.120Z","Id":"i0"}`},
		{ConnectionCredentials{ConnectionToken: "real-token", Expiry: at}, `{"Expiry":"2026-11-29T10:00:00.120Z","ConnectionToken":"real-token"}`},
		{Websocket{URL: "wss://x"}, `{"Url":"wss://x"}`},
		{UploadMetadata{URL: "https://u", HeadersToInclude: map[string]string{"b": "2", "a": "1"}}, `{"HeadersToInclude":{"a":"1","b":"2"},"Url":"https://u"}`},
		{View{ID: "v", Version: 2, Content: &ViewContent{Actions: []string{"x"}}}, `{"Content":{"Actions":["x"]},"Id":"v","Version":2}`},
	} {
		b, err := json.Marshal(tt.v)
		if err != nil || string(b) != tt.want {
			t.Errorf("%T: %s, %v; want %s", tt.v, b, err, tt.want)
		}
	}
}
