// Package servertune sets the Go runtime for a long-running Accord server.
package servertune

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
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
	// while there is room for it. In a container allowed less memory, the
	// limit is three quarters of what it is allowed (cgroup v2
	// memory.max), so that the headroom never gets the process killed.
	MemoryLimit = 4 << 30
)

// cgroupMemoryMax is where cgroup v2 tells a process the memory it may use.
var cgroupMemoryMax = "/sys/fs/cgroup/memory.max"

// Apply sets GCPercent and MemoryLimit, each unless the operator chose
// otherwise in the environment (GOGC, GOMEMLIMIT: the runtime has read
// them already), and reports what the collector now runs with.
func Apply(getenv func(string) string) (gcPercent int, memLimit int64) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit(cgroupMemoryMax))
	}
	gcPercent = debug.SetGCPercent(-1)
	debug.SetGCPercent(gcPercent)
	return gcPercent, debug.SetMemoryLimit(-1)
}

// memoryLimit is MemoryLimit, or three quarters of the cgroup's memory.max
// read from path when that is less.
func memoryLimit(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return MemoryLimit
	}
	max, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64) // "max": no limit
	if err != nil || max <= 0 {
		return MemoryLimit
	}
	return min(MemoryLimit, max/4*3)
}
