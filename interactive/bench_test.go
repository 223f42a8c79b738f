package interactive_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/connectchat/participant/interactive"
	"github.com/stretchr/testify/require"
)

// BenchmarkDecode decodes the admin guide's ListPicker and renders it as
// text, what a bridge does for each interactive message.
func BenchmarkDecode(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "listpicker.json"))
	require.NoError(b, err)
	content := string(raw)
	b.ReportAllocs()
	b.SetBytes(int64(len(content)))
	for b.Loop() {
		m, err := interactive.Decode(content)
		require.NoError(b, err)
		_ = m.Text()
	}
}
