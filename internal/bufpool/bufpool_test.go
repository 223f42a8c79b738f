package bufpool_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/connectchat/participant/internal/bufpool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestGetPut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"small", 100},
		{"at the cap", bufpool.MaxKept},
		{"past the cap", bufpool.MaxKept + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bufpool.Get()
			assert.Zero(t, b.Len())
			b.Write(bytes.Repeat([]byte("x"), tt.size))
			bufpool.Put(b)
			assert.Zero(t, bufpool.Get().Len(), "a buffer from the pool is empty")
		})
	}
	bufpool.Put(nil) // ignored
}
