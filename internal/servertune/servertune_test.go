package servertune

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// TestApply: the server's settings, unless the operator set the runtime's
// own variables, which then win.
func TestApply(t *testing.T) {
	cgroupMemoryMax = filepath.Join(t.TempDir(), "none") // not in a container
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

// TestMemoryLimit: in a container allowed less memory than MemoryLimit, the
// limit leaves a quarter of it free; otherwise it is MemoryLimit.
func TestMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, file string
		want       int64
	}{
		{"no cgroup file", "", MemoryLimit},
		{"no limit", "max\n", MemoryLimit},
		{"2 GiB container", "2147483648\n", 3 << 29},
		{"64 GiB container", "68719476736\n", MemoryLimit},
		{"unreadable value", "lots\n", MemoryLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "absent")
			if tc.file != "" {
				path = filepath.Join(dir, tc.name)
				if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if got := memoryLimit(path); got != tc.want {
				t.Errorf("memoryLimit(%q) = %d, want %d", tc.file, got, tc.want)
			}
		})
	}
}
