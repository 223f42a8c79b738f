package chat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIdOf(t *testing.T) {
	t.Parallel()
	const v4 = "3e2b6a1c-9f0d-4c8e-b1a2-7d5f4e3c2b1a"
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"a UUID is itself", v4, v4, true},
		{"an Id is itself", "m1", "m1", true},
		{"a copy is itself", v4, strings.Clone(v4), true},
		{"two Ids", "m1", "m2", false},
		{"case matters", v4, strings.ToUpper(v4), false},
		{"hyphens matter", v4, strings.ReplaceAll(v4, "-", ""), false},
		{"the empty Id", "", "", true},
		{"empty and a space", "", " ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.same, idOf(tt.a) == idOf(tt.b))
		})
	}
}

func FuzzIdOf(f *testing.F) {
	f.Add("3e2b6a1c-9f0d-4c8e-b1a2-7d5f4e3c2b1a", "m1")
	f.Add("a", "b")
	f.Fuzz(func(t *testing.T, a, b string) {
		if (a == b) != (idOf(a) == idOf(b)) {
			t.Fatalf("%q and %q: equal %v, itemIDs equal %v", a, b, a == b, idOf(a) == idOf(b))
		}
	})
}
