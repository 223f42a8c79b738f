package bot

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRecent: the finished contacts are remembered up to the bound, the
// oldest forgotten first.
func TestRecent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		max    int
		add    []string
		has    []string
		hasNot []string
	}{
		{max: 0, add: []string{"a"}, hasNot: []string{"a"}},
		{max: 2, add: []string{"a", "b"}, has: []string{"a", "b"}},
		{max: 2, add: []string{"a", "b", "c"}, has: []string{"b", "c"}, hasNot: []string{"a"}},
		{max: 2, add: []string{"a", "a", "b"}, has: []string{"a", "b"}},
		{max: 3, add: []string{"a", "b", "c", "d", "e", "f", "g"}, has: []string{"e", "f", "g"}, hasNot: []string{"a", "b", "c", "d"}},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			r := newRecent(tc.max)
			for _, id := range tc.add {
				r.add(id)
			}
			for _, id := range tc.has {
				assert.True(t, r.has(id), id)
			}
			for _, id := range tc.hasNot {
				assert.False(t, r.has(id), id)
			}
			assert.LessOrEqual(t, len(r.ids), max(tc.max, 0))
			assert.Len(t, r.ring, len(r.ids))
		})
	}
}
