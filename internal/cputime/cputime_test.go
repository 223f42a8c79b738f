package cputime_test

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/connectchat/participant/internal/cputime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestProcessGrowsWithWork(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("not measured here")
	}
	before := cputime.Process()
	assert.Positive(t, before)
	x := 0
	for i := range 50_000_000 {
		x ^= i * i
	}
	runtime.KeepAlive(x)
	assert.Greater(t, cputime.Process(), before, "50M multiplications took no CPU time")
}
