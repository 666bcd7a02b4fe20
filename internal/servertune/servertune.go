// Package servertune sets the Go runtime for a long-running Accord server.
package servertune

import (
	"runtime/debug"
)

const (
	// GCPercent is the garbage collector's target for a server: collect
	// when the heap has grown to five times what is live, not twice (Go's
	// default, 100). A server's live heap is small beside the machine (the
	// decision point's snapshot, caches), its garbage is per request, and
	// collecting less often cut the CPU of an audited read by 13 % in the
	// same benchmark run (docs/BENCHMARKS.md).
	GCPercent = 400
	// MemoryLimit is the soft limit the collector keeps the heap under,
	// collecting sooner as it nears it: GCPercent's headroom is taken only
	// while there is room for it.
	MemoryLimit = 4 << 30
)

// Apply sets GCPercent and MemoryLimit, each unless the operator chose
// otherwise in the environment (GOGC, GOMEMLIMIT: the runtime has read
// them already), and reports what the collector now runs with.
func Apply(getenv func(string) string) (gcPercent int, memoryLimit int64) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
	gcPercent = debug.SetGCPercent(-1)
	debug.SetGCPercent(gcPercent)
	return gcPercent, debug.SetMemoryLimit(-1)
}
