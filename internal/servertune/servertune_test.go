package servertune

import (
	"runtime/debug"
	"testing"
)

// TestApply: the server's settings, unless the operator set the runtime's
// own variables, which then win.
func TestApply(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, tc := range []struct {
		name      string
		env       map[string]string
		gc        int
		limit     int64
		setBefore func()
	}{
		{"defaults", nil, GCPercent, MemoryLimit, func() {}},
		{"GOGC set", map[string]string{"GOGC": "150"}, 150, MemoryLimit, func() { debug.SetGCPercent(150) }},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, GCPercent, 1 << 30, func() { debug.SetMemoryLimit(1 << 30) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(1<<63 - 1)
			tc.setBefore() // what the runtime did with the variable at start
			gc, limit := Apply(func(k string) string { return tc.env[k] })
			if gc != tc.gc || limit != tc.limit {
				t.Errorf("Apply = GOGC %d, limit %d; want %d, %d", gc, limit, tc.gc, tc.limit)
			}
		})
	}
}
