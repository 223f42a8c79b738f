package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/interactive"
)

// TestKeyReader feeds key bytes, whole and one byte per read, through the
// filter in front of the line editor.
func TestKeyReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		interrupted    bool
	}{
		{"plain", "hello\r", "hello\r", false},
		{"arrows pass", "ab\x1b[D\x1b[DX\r", "ab\x1b[D\x1b[DX\r", false},
		{"SS3 arrows become CSI", "a\x1bOD\x1bOHb", "a\x1b[D\x1b[Hb", false},
		{"F1 to F4 dropped", "a\x1bOPb\x1bOSc", "abc", false},
		{"Ctrl-C ends the keys", "half\x03more", "half", true},
		{"Ctrl-C first", "\x03", "", true},
		{"lone escape at the end kept until more comes", "x\x1b", "x\x1b", false},
		{"escape before a sequence dropped", "\x1b\x1bO0O0", "O0", false},
		{"escape before an arrow dropped", "\x1b\x1b[D", "\x1b[D", false},
	}
	for _, tt := range tests {
		for _, oneByte := range []bool{false, true} {
			name := tt.name
			if oneByte {
				name += "/one byte per read"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var r io.Reader = bytes.NewReader([]byte(tt.in))
				if oneByte {
					r = iotest.OneByteReader(r)
				}
				k := &keyReader{r: r}
				var got []byte
				buf := make([]byte, 16)
				var err error
				for range 100 {
					var n int
					n, err = k.Read(buf)
					got = append(got, buf[:n]...)
					if err != nil {
						break
					}
				}
				require.Error(t, err)
				assert.Equal(t, tt.want, string(got))
				assert.Equal(t, tt.interrupted, k.interrupted())
				if tt.interrupted {
					assert.True(t, errors.Is(err, errInterrupted), "err %v", err)
				} else {
					assert.ErrorIs(t, err, io.EOF)
				}
			})
		}
	}
}

// TestCleanText: what a peer sends cannot drive the terminal, and what is
// typed or piped never carries a control character.
func TestCleanText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, show, line string }{
		{"hello", "hello", "hello"},
		{"red \x1b[31mtext\x1b[0m", "red [31mtext[0m", "red [31mtext[0m"},
		{"two\nlines", "two\nlines", "twolines"},
		{"tab\there", "tab here", "tab here"},
		{"bell\a, C1 \u009b2J, bidi \u202eevil", "bell, C1 2J, bidi evil", "bell, C1 2J, bidi evil"},
		{"bad \xff utf-8", "bad \uFFFD utf-8", "bad \uFFFD utf-8"},
		{"line end\r\n", "line end\n", "line end"},
		{"émoji 👋 & <b>", "émoji 👋 & <b>", "émoji 👋 & <b>"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.show, cleanText(tt.in), "cleanText(%q)", tt.in)
		assert.Equal(t, tt.line, cleanLine(tt.in), "cleanLine(%q)", tt.in)
	}
}

// readKeys reads everything a keyReader over r gives, until its error.
func readKeys(r io.Reader) (string, bool) {
	k := &keyReader{r: r}
	var out []byte
	buf := make([]byte, 8)
	for range 1 << 16 {
		n, err := k.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			break
		}
	}
	return string(out), k.interrupted()
}

// FuzzKeyReader: whatever the keys and however the terminal cuts them into
// reads, no Ctrl-C and no whole SS3 sequence reaches the line editor, and
// the editor gets the same keys whole or one byte at a time.
func FuzzKeyReader(f *testing.F) {
	for _, s := range []string{"hello\r", "a\x1bOPb", "\x1bOA\x1b[D", "x\x03y", "\x1b\x1bOP", "\x1bO", "\x1b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		whole, intr := readKeys(bytes.NewReader(in))
		split, intrSplit := readKeys(iotest.OneByteReader(bytes.NewReader(in)))
		assert.Equal(t, whole, split, "keys %q", in)
		assert.Equal(t, intr, intrSplit)
		assert.NotContains(t, whole, "\x03")
		if i := strings.Index(whole, "\x1bO"); i >= 0 {
			assert.Equal(t, len(whole), i+2, "an SS3 sequence got through: %q from %q", whole, in)
		}
	})
}

// TestChatInteractive: an interactive message shows as numbered choices,
// and the next line typed answers it as the hosted widget would (the
// choice's title as text/plain); text that is not a choice goes as typed,
// and once answered, a number is just a number.
func TestChatInteractive(t *testing.T) {
	t.Parallel()
	quick := `{"templateType":"QuickReply","version":"1.0","data":{"content":{"title":"Was this helpful?","elements":[{"title":"Yes"},{"title":"No"}]}}}`
	it := participant.Item{ContentType: interactive.ContentType, Content: quick}
	assert.Equal(t, "Was this helpful?\n  1. Yes\n  2. No\nReply with a number from 1 to 2.", renderText(it))
	assert.Equal(t, "{not json", renderText(participant.Item{ContentType: interactive.ContentType, Content: "{not json"}))
	hostile := participant.Item{ContentType: interactive.ContentType,
		Content: `{"templateType":"QuickReply","version":"1.0","data":{"content":{"title":"\u001b[2JWipe","elements":[{"title":"A\u001b[31m"}]}}}`}
	assert.NotContains(t, renderText(hostile), "\x1b")

	u := &chatUI{wake: make(chan struct{}, 1)}
	u.offer(interactiveOf(it))
	tests := []struct{ line, contentType, content string }{
		{"maybe later", "", "maybe later"}, // not a choice: sent as typed, the offer stays
		{"2", "text/plain", "No"},
		{"2", "", "2"}, // answered: a number is a number again
	}
	for _, tt := range tests {
		done, err := u.command(t.Context(), tt.line)
		require.NoError(t, err)
		require.False(t, done)
		m := u.outbox[len(u.outbox)-1]
		assert.Equal(t, tt.contentType, string(m.ContentType), "line %q", tt.line)
		assert.Equal(t, tt.content, m.Content, "line %q", tt.line)
	}
}
