package participanttest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
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
			assert.LessOrEqual(t, len(st.m), tt.limit)
			assert.LessOrEqual(t, len(st.keys), tt.limit)
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
