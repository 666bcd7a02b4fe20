// Package cputime tells benchmarks how much CPU time the process has used:
// on a shared machine, what a benchmark cost when its wall time is partly
// another's.
package cputime

import "time"

// Process is the CPU time (user and system) the process has used so far,
// or 0 where the platform does not tell.
func Process() time.Duration { return process() }
