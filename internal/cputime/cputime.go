// Package cputime reads the CPU time this process has used, for the
// benchmarks: on a shared machine it moves far less with the load of other
// tenants than the wall time does, so two builds' costs compare even when
// their latencies do not.
package cputime

import "time"

// Process returns the CPU time, user and system, the process has used so
// far, or 0 where it is not measured (systems other than Unix).
func Process() time.Duration { return process() }
