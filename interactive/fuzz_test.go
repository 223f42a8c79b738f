package interactive_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/connectchat/participant/interactive"
	"github.com/stretchr/testify/require"
)

// FuzzDecode feeds the decoder anything: it never panics, and what it
// decodes renders, answers and encodes again without panicking; an encoded
// known template decodes again.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(string(b), "1")
	}
	f.Add(`{"templateType":"Carousel","data":{"content":{"title":"t","elements":[{"templateType":"ListPicker","data":{"content":{"title":"c","elements":[{"title":"a","actionDetail":"SHOW_MORE"}]}}}]}}}`, "c: a")
	f.Add(`{"templateType":"TimePicker","data":{"content":{"title":"t","timeZoneOffset":99999,"timeslots":[{"date":"x"}]}}}`, "x")
	f.Add(`{"action":" ","data":{}}`, "")
	f.Fuzz(func(t *testing.T, content, input string) {
		if r, err := interactive.DecodeResponse(content); err == nil {
			require.NotEmpty(t, r.Action)
		}
		m, err := interactive.Decode(content)
		if err != nil {
			require.Nil(t, m)
			return
		}
		_ = m.Text()
		_ = m.Title()
		for _, c := range m.Choices() {
			_, _ = m.Choose(c.Number)
		}
		_, _ = m.Parse(input)
		out, err := interactive.Encode(m.Template)
		if _, unknown := m.Template.(*interactive.Unknown); err == nil && !unknown {
			_, err := interactive.Decode(out)
			require.NoError(t, err, "re-encoded %s", out)
		}
	})
}
