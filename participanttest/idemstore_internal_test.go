package participanttest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIdemStore: the store keeps results up to its limit, forgetting the
// oldest first; storing a key again keeps its place.
func TestIdemStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		puts  []string
		kept  []string
		gone  []string
		limit int
	}{
		{"under the limit", []string{"a", "b"}, []string{"a", "b"}, nil, 3},
		{"at the limit", []string{"a", "b", "c"}, []string{"a", "b", "c"}, nil, 3},
		{"past it, the oldest goes", []string{"a", "b", "c", "d"}, []string{"b", "c", "d"}, []string{"a"}, 3},
		{"twice around", []string{"a", "b", "c", "d", "e", "f", "g"}, []string{"e", "f", "g"}, []string{"a", "b", "c", "d"}, 3},
		{"a key again is no new entry", []string{"a", "b", "a", "c"}, []string{"a", "b", "c"}, nil, 3},
		{"pages", keys(3 * idemPage), keys(3 * idemPage), nil, 3 * idemPage},
		{"pages, past the limit", keys(3*idemPage + 2), keys(3*idemPage + 2)[2:], keys(2), 3 * idemPage},
		{"a limit inside a page", keys(idemPage + 5), keys(idemPage + 5)[2:], keys(2), idemPage + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newIdemStore(tt.limit)
			for i, k := range tt.puts {
				st.put(keyOf(k), []byte(fmt.Sprint(i)))
			}
			for _, k := range tt.kept {
				_, ok := st.get(keyOf(k))
				assert.True(t, ok, "%s kept", k)
			}
			for _, k := range tt.gone {
				_, ok := st.get(keyOf(k))
				assert.False(t, ok, "%s forgotten", k)
			}
			assert.LessOrEqual(t, len(st.at), tt.limit)
			assert.LessOrEqual(t, st.n, tt.limit)
			slots := 0
			for _, p := range st.pages {
				slots += len(p)
			}
			assert.LessOrEqual(t, slots, tt.limit, "no slot beyond the limit")
		})
	}
}

// TestKeyOf: parts are length-prefixed, so moving a separator between
// parts makes another key.
func TestKeyOf(t *testing.T) {
	t.Parallel()
	assert.Equal(t, keyOf("op", "a", "b"), keyOf("op", "a", "b"))
	assert.NotEqual(t, keyOf("op", "a\x00", "b"), keyOf("op", "a", "\x00b"))
	assert.NotEqual(t, keyOf("op", "ab"), keyOf("op", "a", "b"))
	assert.NotEqual(t, keyOf("op", "", "b"), keyOf("op", "b"))
}

// TestIdemStoreResults: short and long results come back as kept, a key
// kept again takes its new result, and a long result is let go with its
// key.
func TestIdemStoreResults(t *testing.T) {
	t.Parallel()
	short := []byte(`{"AbsoluteTime":"2026-12-07T05:32:00.123Z","Id":"3e2b6a1c-9f0d-4c8e-b1a2-7d5f4e3c2b1a"}`)
	long := bytes.Repeat([]byte("x"), inlineResult+1)
	exact := bytes.Repeat([]byte("y"), inlineResult)
	st := newIdemStore(2)
	st.put(keyOf("a"), short)
	st.put(keyOf("b"), long)
	got, ok := st.get(keyOf("a"))
	require.True(t, ok)
	assert.Equal(t, short, got)
	got, _ = st.get(keyOf("b"))
	assert.Equal(t, long, got)
	got[0] = 'z' // a copy: the store is not changed
	got, _ = st.get(keyOf("b"))
	assert.Equal(t, long, got)

	st.put(keyOf("b"), exact) // kept again, now inline
	got, _ = st.get(keyOf("b"))
	assert.Equal(t, exact, got)
	assert.Empty(t, st.big)

	st.put(keyOf("c"), long)  // past the limit: a goes
	st.put(keyOf("d"), short) // b goes
	st.put(keyOf("e"), short) // c goes, and its long result
	assert.Empty(t, st.big)
	got, _ = st.get(keyOf("e"))
	assert.Equal(t, short, got)
	_, ok = st.get(keyOf("c"))
	assert.False(t, ok)

	st.put(keyOf("f"), []byte{})
	got, ok = st.get(keyOf("f"))
	require.True(t, ok)
	assert.Empty(t, got)
}

// keys returns n distinct keys.
func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint("k", i)
	}
	return out
}
