package bot_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cpuTicks is the machine's CPU time as /proc/stat counts it, in clock
// ticks: all of it, and the part that was stolen (the hypervisor ran
// another machine while this one had work to do).
type cpuTicks struct{ total, steal uint64 }

// readCPUTicks reads the machine's CPU time; ok is false where there is no
// /proc/stat to read (on systems other than Linux).
func readCPUTicks() (c cpuTicks, ok bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTicks{}, false
	}
	c, err = parseCPUTicks(data)
	return c, err == nil
}

// parseCPUTicks reads the first line of /proc/stat: "cpu" then user, nice,
// system, idle, iowait, irq, softirq and steal (guest time is counted in
// user already, and later fields are left out).
func parseCPUTicks(data []byte) (cpuTicks, error) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTicks{}, errors.New("no cpu line with 8 counters")
	}
	var c cpuTicks
	for i, s := range f[1:9] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return cpuTicks{}, fmt.Errorf("counter %d: %w", i+1, err)
		}
		c.total += v
		if i == 7 {
			c.steal = v
		}
	}
	return c, nil
}

// stealPercent returns the share of the machine's CPU time from a to b
// that was stolen, in percent (0 if no time passed).
func stealPercent(a, b cpuTicks) float64 {
	if b.total <= a.total || b.steal < a.steal {
		return 0
	}
	return 100 * float64(b.steal-a.steal) / float64(b.total-a.total)
}

func TestParseCPUTicks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     cpuTicks
		wantErr  bool
	}{
		{
			name: "linux",
			in:   "cpu  100 5 50 800 10 1 2 32 0 0\ncpu0 50 2 25 400 5 0 1 16 0 0\n",
			want: cpuTicks{total: 1000, steal: 32},
		},
		{name: "no steal field", in: "cpu  100 5 50 800 10 1 2\n", wantErr: true},
		{name: "not cpu", in: "intr 1 2 3 4 5 6 7 8 9\n", wantErr: true},
		{name: "not a number", in: "cpu  100 5 50 x 10 1 2 32\n", wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseCPUTicks([]byte(tt.in))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestStealPercent(t *testing.T) {
	t.Parallel()
	a := cpuTicks{total: 1000, steal: 10}
	assert.InDelta(t, 5.0, stealPercent(a, cpuTicks{total: 1200, steal: 20}), 1e-9)
	assert.Zero(t, stealPercent(a, a), "no time passed")
	assert.Zero(t, stealPercent(a, cpuTicks{total: 900, steal: 5}), "counters went back")
}
