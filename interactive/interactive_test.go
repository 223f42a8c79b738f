package interactive_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectchat/participant/interactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// render writes what a bridge shows and sends for m: its text, then each
// choice's reply.
func render(m *interactive.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "templateType %s, version %s, %T\n--- text\n%s--- replies\n", m.TemplateType, m.Version, m.Template, m.Text())
	for _, c := range m.Choices() {
		r, err := m.Choose(c.Number)
		if err != nil {
			fmt.Fprintf(&b, "%d. error: %v\n", c.Number, err)
			continue
		}
		fmt.Fprintf(&b, "%d. %s %s\n", c.Number, r.ContentType, r.Content)
	}
	return b.String()
}

// TestDecodeGoldens decodes every template under testdata, renders it as
// numbered text with its replies, and compares with the golden beside it;
// -update rewrites the goldens.
func TestDecodeGoldens(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 8)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			m, err := interactive.Decode(string(raw))
			require.NoError(t, err)
			assert.Equal(t, string(raw), m.Raw, "Raw keeps the content as it came")
			got := render(m)
			golden := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden: run go test -update")
			assert.Equal(t, string(want), got)
		})
	}
}

// TestRoundTrip re-encodes each known template and decodes it again to the
// same value; an unknown one encodes its data unchanged.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			m, err := interactive.Decode(string(raw))
			require.NoError(t, err)
			out, err := interactive.Encode(m.Template)
			require.NoError(t, err)
			again, err := interactive.Decode(out)
			require.NoError(t, err)
			assert.Equal(t, m.Template, again.Template)
			assert.Equal(t, m.TemplateType, again.TemplateType)
			assert.Equal(t, render(m), render(again))
		})
	}
}

func TestUnknownKeepsData(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("testdata", "unknown.json"))
	require.NoError(t, err)
	m, err := interactive.Decode(string(raw))
	require.NoError(t, err)
	u, ok := m.Template.(*interactive.Unknown)
	require.True(t, ok, "%T", m.Template)
	assert.Equal(t, "ApplePay", u.Type())
	assert.JSONEq(t, `{"content":{"title":"Pay for your order","total":"12.00"}}`, string(u.Data))
	assert.Empty(t, m.Choices())
	_, err = m.Choose(1)
	require.ErrorIs(t, err, interactive.ErrNoChoice)
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	many := make([]string, interactive.MaxElements+1)
	for i := range many {
		many[i] = fmt.Sprintf(`{"title":"o%d"}`, i)
	}
	tests := []struct {
		name, content, want string
		tooLarge            bool
	}{
		{"empty", ``, "not a JSON object", false},
		{"text", `hello`, "not a JSON object", false},
		{"array", `[1]`, "not a JSON object", false},
		{"trailing data", `{"templateType":"QuickReply","data":{}} {}`, "data after the JSON object", false},
		{"no template type", `{"version":"1.0","data":{}}`, "templateType is missing", false},
		{"template type not a string", `{"templateType":5,"data":{}}`, "cannot unmarshal number", false},
		{"no data", `{"templateType":"ListPicker","version":"1.0"}`, "ListPicker: data is missing", false},
		{"null data", `{"templateType":"Panel","data":null}`, "Panel: data is missing", false},
		{"data not an object", `{"templateType":"Panel","data":"x"}`, "Panel: data: content is not a JSON object", false},
		{"no title", `{"templateType":"ListPicker","data":{"content":{"elements":[{"title":"a"}]}}}`, "data.content.title is missing", false},
		{"no elements", `{"templateType":"ListPicker","data":{"content":{"title":"t"}}}`, "data.content.elements has no entries", false},
		{"element without title", `{"templateType":"Panel","data":{"content":{"title":"t","elements":[{"subtitle":"s"}]}}}`, "data.content.elements[0].title is missing", false},
		{"title of the wrong type", `{"templateType":"QuickReply","data":{"content":{"title":["t"],"elements":[{"title":"a"}]}}}`, "cannot unmarshal array", false},
		{"quick reply without options", `{"templateType":"QuickReply","data":{"content":{"title":"t","elements":[]}}}`, "has no entries", false},
		{"no timeslots", `{"templateType":"TimePicker","data":{"content":{"title":"t","timeslots":[]}}}`, "timeslots has no entries", false},
		{"timeslot without date", `{"templateType":"TimePicker","data":{"content":{"title":"t","timeslots":[{"duration":5}]}}}`, "timeslots[0].date is missing", false},
		{"negative duration", `{"templateType":"TimePicker","data":{"content":{"title":"t","timeslots":[{"date":"2026-01-01T00:00Z","duration":-1}]}}}`, "duration is negative", false},
		{"carousel in a carousel", `{"templateType":"Carousel","data":{"content":{"title":"t","elements":[{"templateType":"Carousel","data":{}}]}}}`, "a Carousel cannot hold a Carousel", false},
		{"bad carousel card", `{"templateType":"Carousel","data":{"content":{"title":"t","elements":[{"templateType":"Panel","data":{"content":{"title":"c"}}}]}}}`, "elements has no entries", false},
		{"too many elements", `{"templateType":"QuickReply","data":{"content":{"title":"t","elements":[` + strings.Join(many, ",") + `]}}}`, "101 entries, more than 100", true},
		{"too big", `{"templateType":"X","data":"` + strings.Repeat("a", interactive.MaxContentBytes) + `"}`, "more than 65536", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := interactive.Decode(tt.content)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "interactive: "), "%v", err)
			assert.Equal(t, tt.tooLarge, errors.Is(err, interactive.ErrTooLarge), "%v", err)
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	load := func(name string) *interactive.Message {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		m, err := interactive.Decode(string(raw))
		require.NoError(t, err)
		return m
	}
	tests := []struct {
		file, input      string
		wantType, wantIn string // wantIn: a part of the reply's content
		wantErr          error
	}{
		{"listpicker.json", "2", "text/plain", "Orange", nil},
		{"listpicker.json", " banana ", "text/plain", "Banana", nil},
		{"listpicker.json", "Apple ($10)", "text/plain", "Apple", nil},
		{"listpicker.json", "4", "", "", interactive.ErrNoChoice},
		{"listpicker.json", "0", "", "", interactive.ErrNoChoice},
		{"listpicker.json", "Our store", "", "", interactive.ErrNoChoice},
		{"listpicker.json", "kiwi", "", "", interactive.ErrNoChoice},
		{"listpicker-paged.json", "show more", interactive.ResponseContentType, `"action":"SHOW_MORE"`, nil},
		{"listpicker-paged.json", "1", interactive.ResponseContentType, `"actionName":"PREVIOUS_OPTIONS","preIndex":4,"nextIndex":9,"listId":"serviceList","templateType":"ListPicker"`, nil},
		{"quickreply.json", "not SURE", "text/plain", "Not sure", nil},
		{"timepicker.json", "3", "text/plain", "2026-12-08T16:00:00Z", nil},
		{"carousel.json", "3", "text/plain", `{"templateIdentifier":"hotel-harbour","listTitle":"Harbour View","selectionText":"See prices"}`, nil},
		{"carousel.json", "Bel Air: Book room", "text/plain", `"templateIdentifier":"hotel-bel-air"`, nil},
		{"viewresource.json", "12 Main Street", interactive.ResponseContentType, `{"templateType":"ViewResource","version":"1.0","action":" ","data":{"content":"12 Main Street"}}`, nil},
		{"viewresource.json", "1", "", "", interactive.ErrNoChoice},
		{"unknown.json", "yes", "", "", interactive.ErrNoChoice},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.input, func(t *testing.T) {
			t.Parallel()
			r, err := load(tt.file).Parse(tt.input)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantType, r.ContentType)
			assert.Contains(t, r.Content, tt.wantIn)
		})
	}
}

func TestResponses(t *testing.T) {
	t.Parallel()
	var v interactive.ViewResource
	r, err := v.Submit("Submit", map[string]string{"Street": "12 Main Street"})
	require.NoError(t, err)
	assert.Equal(t, interactive.ResponseContentType, r.ContentType)
	got, err := interactive.DecodeResponse(r.Content)
	require.NoError(t, err)
	assert.Equal(t, "ViewResource", got.TemplateType)
	assert.Equal(t, "Submit", got.Action)
	assert.JSONEq(t, `{"Street":"12 Main Street"}`, string(got.Data))

	// The action button form names its template inside data.
	got, err = interactive.DecodeResponse(`{"version":"1.0","data":{"actionName":"SHOW_MORE","preIndex":-1,"nextIndex":5,"listId":"serviceList","templateType":"ListPicker","referenceId":"r"},"action":"SHOW_MORE"}`)
	require.NoError(t, err)
	assert.Equal(t, "ListPicker", got.TemplateType)
	assert.Equal(t, "SHOW_MORE", got.Action)

	for _, bad := range []string{``, `"x"`, `{}`, `{"action":5}`, `{"action":"a"} x`, `{"action":"` + strings.Repeat("a", interactive.MaxContentBytes) + `"}`} {
		_, err := interactive.DecodeResponse(bad)
		require.Error(t, err, "%.40q", bad)
	}
	_, err = interactive.NewResponse("", "a", nil)
	require.Error(t, err)
	_, err = interactive.NewResponse("Panel", "a", strings.Repeat("x", 12300))
	require.ErrorContains(t, err, "more than the 12288")
	r, err = interactive.NewResponse("Panel", "a", nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"templateType":"Panel","version":"1.0","action":"a","data":{}}`, r.Content)
}

func TestChooseTooLong(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 1025)
	content, err := interactive.Encode(&interactive.QuickReply{Content: interactive.QuickReplyContent{Title: "t", Elements: []interactive.QuickReplyOption{{Title: long}, {Title: "ok"}}}})
	require.NoError(t, err)
	m, err := interactive.Decode(content)
	require.NoError(t, err)
	_, err = m.Choose(1)
	require.ErrorContains(t, err, "1 to 1024 characters")
	r, err := m.Choose(2)
	require.NoError(t, err)
	assert.Equal(t, "ok", r.Content)
}

func TestTextIsOneLinePerChoice(t *testing.T) {
	t.Parallel()
	content, err := interactive.Encode(&interactive.Panel{Content: interactive.PanelContent{
		Title:    "Pick\n  9. forged",
		Elements: []interactive.Element{{Title: "a\r\n  8. forged\x1b[2J"}},
	}})
	require.NoError(t, err)
	m, err := interactive.Decode(content)
	require.NoError(t, err)
	assert.Equal(t, "Pick   9. forged\n  1. a   8. forged [2J\nReply with a number from 1 to 1.\n", m.Text())
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	_, err := interactive.Encode(nil)
	require.Error(t, err)
	_, err = interactive.Encode(&interactive.ListPicker{})
	require.ErrorContains(t, err, "ListPicker: data.content.title is missing")
	many := make([]interactive.QuickReplyOption, 5000)
	for i := range many {
		many[i].Title = strings.Repeat("x", 20)
	}
	_, err = interactive.Encode(&interactive.QuickReply{Content: interactive.QuickReplyContent{Title: "t", Elements: many}})
	require.ErrorIs(t, err, interactive.ErrTooLarge)
	var u interactive.Unknown
	b, err := json.Marshal(&u)
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
}
